/* SPDX-License-Identifier: GPL-2.0 */
/* Records shared by bpf/ptshare.bpf.c and user/ptshare.c. */
#ifndef MMSCOPE_PTSHARE_H
#define MMSCOPE_PTSHARE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PTSHARE_MAX_TABLES 16384

/* Which source a table record came from. */
enum ptshare_src {
	PTSHARE_SRC_HUGETLB = 1,	/* huge_pmd_share/unshare (precise) */
	PTSHARE_SRC_PATCH = 2,		/* ptshare:* tracepoints (kernel patch) */
};

enum ptshare_counter {
	PTSHARE_C_SHARE,	/* an mm attached to an existing table */
	PTSHARE_C_UNSHARE,	/* an mm detached from a shared table */
	PTSHARE_C_CREATE,	/* patch: host mm created */
	PTSHARE_C_DESTROY,	/* patch: host mm destroyed */
	PTSHARE_C_TABLE_FULL,	/* table not tracked: map full */
	PTSHARE_C_NR,
};

/*
 * One shared page table (hugetlb: a PMD table page, keyed by its kernel
 * address; patch: a host mm region, keyed by host mm ^ start).
 */
struct ptshare_table {
	__u64 ino;		/* inode of the shared file */
	__u64 start;		/* user address (hugetlb: 1 GiB aligned) */
	__u64 size;		/* bytes of address space the table maps */
	__s32 sharers;		/* from the kernel's own count, after the last event */
	__u32 src;
	__u64 attaches, detaches;
};

/* Task-iterator record (same layout idea as ptmem_snap). */
struct ptshare_snap {
	__u64 mm;
	__s64 bytes;
	__u32 tgid;
	char comm[16];
	__u32 selected;	/* matches -p/-c; the others make the correction */
};

#endif
