/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by bpf/fault.bpf.c (faultlat half) and user/faultlat.c. */
#ifndef MMSCOPE_FAULTLAT_H
#define MMSCOPE_FAULTLAT_H

#include "vmalock.h"	/* enum fault_path */

/*
 * Histogram classes: major * FL_PATHS + path, path one of FP_VMA, FP_MMAP,
 * FP_KERNEL (faults with no seen entry have no latency: counted apart).
 */
#define FL_PATHS	3
#define FL_CLASSES	(2 * FL_PATHS)

/*
 * Two generations of every histogram: BPF writes generation fl_gen, user
 * space flips fl_gen each interval and drains the other one, so an
 * interval's histograms (max included) are exact without stopping tracing.
 */
#define FL_GENS		2

struct fl_proc_key {
	__u32 tgid;
	__u16 gen;
	__u16 cls;
};

struct fl_proc_hist {
	struct hist h;
	char comm[16];
};

#define FL_MAX_PROC_HISTS 4096

/* faultlat --events: one ring-buffer record per completed fault. */
struct fl_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() at completion */
	__u64 addr;		/* faulting address (0 in kprobe precise mode) */
	__u64 lat_ns;		/* 0: no entry seen (unbracketed) */
	__u32 tgid, tid;
	__u32 path;		/* enum fault_path */
	__u32 major;
	char comm[16];
};

#define FL_EVENTS_RB_BYTES (4 << 20)	/* ~57,000 records in flight */

#endif
