/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between bpf/fault.bpf.c (vmalock + faultlat, through
 * bpf/fault_bracket.bpf.h) and user space: how a completed page fault was
 * served, and vmalock's per-process counters. The bracket's user-space API
 * is user/lib/fault_bracket.h.
 */
#ifndef MMSCOPE_VMALOCK_H
#define MMSCOPE_VMALOCK_H

/* How a completed fault (one perf minor/major-faults event) was served. */
enum fault_path {
	FP_VMA = 0,	/* user fault completed under the per-VMA lock */
	FP_MMAP = 1,	/* user fault completed under mmap_lock (fallback) */
	FP_KERNEL = 2,	/* kernel-mode fault on user memory (copy_*_user):
			 * x86 never tries the VMA lock for these */
	FP_UNKNOWN = 3,	/* closed without a seen entry (tracer attached
			 * mid-fault); counted, no latency */
	FP_NR = 4,
};

/* Attempt-level events (precise mode or the patch tracepoints). */
enum vl_event {
	VL_MISS = 0,		/* lock_vma_under_rcu() gave no VMA */
	VL_RETRY = 1,		/* VM_FAULT_RETRY while holding only the VMA lock */
	VL_FALLBACK_TP = 2,	/* patch tracepoint vma_lock_fallback */
	VL_LOCKED_TP = 3,	/* patch tracepoint vma_lock_success (lock taken) */
	VL_MISS_NO_VMA = 4,	/* patch vma_lock_miss reasons 0..3 */
	VL_MISS_DETACHED = 5,
	VL_MISS_WRITE_LOCKED = 6,
	VL_MISS_OTHER = 7,
	VL_ERROR = 8,		/* fault ended in VM_FAULT_ERROR (precise) */
	VL_NR = 9,
};

/* Per-process counters (BPF per-CPU hash keyed by tgid; user space sums). */
struct vl_counts {
	__u64 path[FP_NR];	/* completed faults by path */
	__u64 major;		/* of which major (perf major-faults) */
	__u64 ev[VL_NR];
	char comm[16];		/* set when the entry is created */
};

#define VL_MAX_PROCS 8192

/*
 * The fast path of per-process counts (bpf/fault.bpf.c): a per-CPU array
 * indexed by the low bits of the tgid. Each CPU's copy of a slot counts for
 * one process, named by its tgid and its group leader's start time (a reused
 * tgid is another process).
 */
#define VL_SLOTS 8192		/* a power of two */

struct vl_slot {
	__u32 tgid;		/* 0: free */
	__u32 pad;
	__u64 start;		/* group_leader->start_time */
	__u64 n[2 * FP_NR];	/* completed faults: minor by path, then major
				 * by path (one increment per fault) */
};

/* A process that owns slot copies: key of vl_owners, value its comm. */
struct vl_owner {
	__u32 tgid;
	__u32 pad;
	__u64 start;
};

/*
 * Names across exec (bpf/fault.bpf.c fb_exec, at sched_process_exec): a
 * process's rows are named when first counted, often before its exec (the
 * child of `timeout`, a shell's fork). Keyed by tgid; user space names its
 * rows from here (comm = now, first = the name the row was first counted
 * under) and deletes the entry once the process has exited and was read.
 */
struct fb_exec {
	char comm[16];		/* the name after the latest exec */
	char first[16];		/* the name the rows had before the first
				 * exec seen ("" if none existed) */
	__u64 start;		/* group_leader->start_time (kept over exec) */
	__u32 execs;		/* execs seen while tracing */
	__u32 gone;		/* user space: seen exited at one read */
};

#define FB_MAX_EXECS 8192

/* Users of the shared fault object (bpf/fault.bpf.c's fb_use bits). */
#define FB_USE_VL	1	/* vmalock counts */
#define FB_USE_LAT	2	/* faultlat latencies (needs the fault entry) */
#define FB_USE_EVENTS	4	/* faultlat --events: an instance of its own,
				 * loaded with the stream on (rodata) */

#endif
