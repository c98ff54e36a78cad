/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoint records of the mmscope kernel patch series (patches/). They are
 * not in a stock kernel's BTF, and their trace_event_raw_* names depend on the
 * patch's event classes, so they are declared here under our own names with
 * the layout the patch's field order fixes (trace_entry, then the fields in
 * order, naturally aligned). The loader checks each offset against the
 * tracefs format file before enabling a program that reads one
 * (user/lib/tpformat.c), so a mismatch is refused, never misread.
 */
#ifndef MMSCOPE_PATCH_TP_BPF_H
#define MMSCOPE_PATCH_TP_BPF_H

struct mmscope_tp_vma_lock {
	struct trace_entry ent;
	struct mm_struct *mm;
	unsigned long address;
};

struct mmscope_tp_vma_lock_miss {
	struct trace_entry ent;
	struct mm_struct *mm;
	unsigned long address;
	int reason;
};

struct mmscope_tp_pgtable {
	struct trace_entry ent;
	struct mm_struct *mm;
	unsigned long address;
	int level;
};

struct mmscope_tp_ptshare_attach {
	struct trace_entry ent;
	struct mm_struct *mm;
	unsigned long ino;
	unsigned long start;
	unsigned long size;
	int refcount;
};

struct mmscope_tp_ptshare_host {
	struct trace_entry ent;
	struct mm_struct *mm;
	unsigned long ino;
	unsigned long start;
	unsigned long size;
};

#endif
