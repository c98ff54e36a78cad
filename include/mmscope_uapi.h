/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces of the mmscope kernel patch series (patches/), for user space
 * and for the BPF tracers. None of this exists in mainline.
 */
#ifndef MMSCOPE_UAPI_H
#define MMSCOPE_UAPI_H

/*
 * mmap flag of patch "mm: page-table sharing for MAP_SHARED file mappings".
 * Request it with MAP_SHARED_VALIDATE so a kernel without the patch answers
 * EOPNOTSUPP instead of silently ignoring the flag.
 */
#ifndef MAP_SHARED_PT
#define MAP_SHARED_PT 0x200000
#endif

/* Levels in the pgtable:pgtable_alloc / pgtable_free tracepoints. */
enum mmscope_pt_level {
	PT_LEVEL_PTE = 1,
	PT_LEVEL_PMD = 2,
	PT_LEVEL_PUD = 3,
	PT_LEVEL_P4D = 4,
};

/* reason field of vma_lock:vma_lock_miss. */
enum mmscope_vma_miss_reason {
	VMA_MISS_NO_VMA = 0,
	VMA_MISS_DETACHED = 1,
	VMA_MISS_WRITE_LOCKED = 2,
	VMA_MISS_OTHER = 3,
};

#endif
