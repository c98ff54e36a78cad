/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between bpf/fault.bpf.c (vmalock + faultlat, through
 * bpf/fault_bracket.bpf.h) and user space: how a completed page fault was
 * served, and vmalock's per-process counters.
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

#ifndef __bpf__
/*
 * User-space side of the fault bracket (implemented in user/vmalock.c, used
 * by vmalock and faultlat): probe the kernel, pick the mode, choose which
 * BPF programs load, attach them.
 */
#include <stdbool.h>
#include <json-c/json.h>
#include "opts.h"
#include "probe.h"

struct bpf_object;
struct bpf_link;

struct fb_plan {
	enum attach_mode mode;
	enum precise_kind precise;	/* fentry or kprobe in precise mode */
	bool entry_tp;		/* exceptions:page_fault_user exists */
	bool kernel_tp;		/* exceptions:page_fault_kernel exists */
	bool patch_tp;		/* vma_lock:* patch tracepoints exist */
	bool done_tp;		/* exceptions:page_fault_done (patches/0004)
				 * closes each fault, both modes */
	bool need_lvur;		/* vmalock: lock_vma_under_rcu in precise mode */
	bool events;		/* faultlat --events: the "_ev" closing programs */
	bool raw_entry;		/* page_fault_* as raw tracepoints (BTF args) */
	bool raw_mmap;		/* mmap_lock:* as raw tracepoints (6.x args) */
	char precise_why[160];
	char tp_why[160];
	bool precise_ok, tp_ok;
};

struct fb_links {
	struct bpf_link *links[32];
	int n;
	struct bpf_link **perf;	/* perf_sw_attach_all links, per CPU x2 */
	int nperf;
	void *pl[2];		/* struct perf_links * */
};

/* Probe everything and fill plan (no mode chosen yet). */
void fb_plan_probe(struct fb_plan *p, bool need_lvur);
/* Resolve --mode; prints the one-line error and returns -1 when unusable. */
int fb_plan_resolve(const char *cmd, enum attach_mode req, struct fb_plan *p);
/*
 * The fault object (bpf/fault.bpf.c) of this process, shared by vmalock and
 * faultlat when both run (mmscope top): one set of per-fault programs.
 * fb_inst_get() joins the running instance when the filters and --mode
 * match (else loads another one) and turns on `use` (FB_USE_*, see
 * fb_inst_use(): the fault entry is attached the first time latencies are
 * wanted). NULL after a one-line error. fb_inst_put() turns `use` off and
 * frees the last reference.
 */
struct fault_bpf;
struct fb_inst;
struct fb_inst *fb_inst_get(const char *cmd, const struct common_opts *o,
			    unsigned use, bool need_lvur);
/* Turn on more uses of an instance one holds; -1 after a one-line error. */
int fb_inst_use(const char *cmd, struct fb_inst *fi, unsigned use);
void fb_inst_put(struct fb_inst *fi, unsigned use);
struct fault_bpf *fb_inst_skel(struct fb_inst *fi);
const struct fb_plan *fb_inst_plan(struct fb_inst *fi);
/* Which hooks bracket each fault under this plan (the JSON "fault_hooks"). */
const char *fb_hooks_name(const struct fb_plan *p);
/* The {"modes":{...},"auto":...} object `mmscope probe` prints. */
void fb_probe_json(struct json_object *out, bool need_lvur);
/*
 * A process's names across exec (struct fb_exec): when it exec'd while
 * traced, the current name into comm, the name its rows had before into
 * first ("" if none) and the number of execs; returns 0, else -1 (no exec
 * seen: keep the row's own name).
 */
int fb_exec_name(struct fault_bpf *skel, __u32 tgid, char comm[16],
		 char first[16], __u32 *execs);
/* Forget the execs of processes seen exited at an earlier read. */
void fb_execs_gc(struct fault_bpf *skel);
/* Add "comm" (and "comm_at_start", "execs" when it exec'd) to a row. */
void fb_name_json(struct json_object *row, const char *comm,
		  const char *first, __u32 execs);
/* comm/pid filters into the two rodata words (common.bpf.h). */
void fb_comm_words(const char *comm, unsigned long long words[2]);
#endif
