/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records shared by bpf/ptmem.bpf.c and user/ptmem.c.
 *
 * Per-mm state lives in a hash keyed by the mm_struct pointer. Its byte
 * figures are samples of mm->pgtables_bytes (what /proc/PID/status shows as
 * VmPTE) taken at the points where that counter changes or just changed.
 */
#ifndef MMSCOPE_PTMEM_H
#define MMSCOPE_PTMEM_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PTMEM_MAX_MMS	16384	/* tracked mms; more are counted as dropped */
#define PTMEM_LEVELS	4	/* index = level - 1: PTE, PMD, PUD, P4D */

/* ptmem_mm.flags */
#define PTMEM_F_EXITING	 1	/* value at exit taken (mm_users was 0) */
#define PTMEM_F_UNOWNED	 2	/* created by a per-level event outside the
				 * owner (fork, exec, remote fault): tgid and
				 * comm not known yet */
#define PTMEM_F_EXEC	 4	/* exit record only: the mm an exec replaced
				 * (the owner lives on with a new mm) */

/* Where each figure came from (ptmem_counters indexes). */
enum ptmem_counter {
	PTMEM_C_SAMPLES,	/* pgtables_bytes samples taken */
	PTMEM_C_TABLE_FULL,	/* new mm not tracked: hash full */
	PTMEM_C_RB_FULL,	/* exit record lost: ring buffer full */
	PTMEM_C_EXITS,		/* exit_mmap seen for a tracked mm */
	PTMEM_C_LEVEL_EVENTS,	/* per-level alloc/free events (precise) */
	PTMEM_C_NR,
};

struct ptmem_mm {
	__u32 tgid;		/* owner, recorded when current->mm == mm */
	__u32 flags;
	char comm[16];		/* owner's name; refreshed at reports, and at exit
				 * when exit_mmap runs in the owner */
	__s64 cur;		/* last sample */
	__s64 peak;		/* largest sample */
	__s64 at_exit;		/* sampled as exit_mmap took mmap_lock */
	__u64 samples;
	__u64 first_ns, last_ns;
	__u64 alloc[PTMEM_LEVELS];	/* precise mode only */
	__u64 freed[PTMEM_LEVELS];
};

/* Ring-buffer record of an mm that went through exit_mmap. */
struct ptmem_exit {
	__u64 mm;
	__s64 after_teardown;	/* pgtables_bytes at mmap:exit_mmap */
	struct ptmem_mm st;
};

/* Task-iterator record: one per process (thread-group leader with an mm). */
struct ptmem_snap {
	__u64 mm;
	__s64 bytes;
	__u32 tgid;
	char comm[16];
	__u32 pad;
};

#endif
