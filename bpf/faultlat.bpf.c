// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faultlat: page-fault latency histograms by minor/major and by lock
 * path, system-wide or per process. The fault bracket
 * (fault_bracket.bpf.h) gives the latency and the path of each completed
 * fault; this file only records it.
 */
#include "vmlinux.h"
#include "common.bpf.h"
#include "hist.h"
#include "faultlat.h"

/* Generation BPF writes into; user space flips it (see faultlat.h). */
__u32 fl_gen = 0;
/* Faults closed without a seen entry (no latency), per generation. */
__u64 fl_unbracketed[FL_GENS] = {};
/* Per-process histograms not recorded because the map was full. */
__u64 fl_procs_dropped = 0;

const volatile bool fl_per_process = false;

/* System-wide: index gen * FL_CLASSES + class; per-CPU, so no atomics. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FL_GENS * FL_CLASSES);
	__type(key, __u32);
	__type(value, struct hist);
} fl_hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FL_MAX_PROC_HISTS);
	__type(key, struct fl_proc_key);
	__type(value, struct fl_proc_hist);
} fl_proc_hists SEC(".maps");

/* A zeroed value to create per-process entries from (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fl_proc_hist);
} fl_zero SEC(".maps");

static __always_inline void fl_record_proc(__u64 pid_tgid, __u32 gen,
					   __u32 cls, __u64 lat)
{
	struct fl_proc_key k = { .tgid = pid_tgid >> 32, .gen = gen, .cls = cls };
	struct fl_proc_hist *ph = bpf_map_lookup_elem(&fl_proc_hists, &k);
	__u32 zero = 0;

	if (!ph) {
		struct fl_proc_hist *z = bpf_map_lookup_elem(&fl_zero, &zero);

		if (!z)
			return;
		bpf_get_current_comm(z->comm, sizeof(z->comm));
		bpf_map_update_elem(&fl_proc_hists, &k, z, BPF_NOEXIST);
		ph = bpf_map_lookup_elem(&fl_proc_hists, &k);
		if (!ph) {
			__sync_fetch_and_add(&fl_procs_dropped, 1);
			return;
		}
	}
	HIST_RECORD(&ph->h, lat);
}

static __always_inline void fb_record(__u64 pid_tgid, __u32 path, bool major,
				      __u64 lat_ns)
{
	__u32 gen = fl_gen & 1, cls, idx, slot;
	struct hist *h;

	if (path >= FL_PATHS || !lat_ns) {
		__sync_fetch_and_add(&fl_unbracketed[gen], 1);
		return;
	}
	cls = (major ? FL_PATHS : 0) + path;
	if (fl_per_process) {
		fl_record_proc(pid_tgid, gen, cls, lat_ns);
		return;
	}
	idx = gen * FL_CLASSES + cls;
	h = bpf_map_lookup_elem(&fl_hists, &idx);
	if (!h)
		return;
	/* per-CPU histogram: plain read-modify-write is safe */
	slot = hist_slot(lat_ns);
	if (slot < HIST_SLOTS)
		h->slots[slot]++;
	h->count++;
	h->sum += lat_ns;
	if (lat_ns > h->max)
		h->max = lat_ns;
}

/* Attempt-level events are vmalock's business. */
static __always_inline void fb_event(__u64 pid_tgid, __u32 ev)
{
}

#include "fault_bracket.bpf.h"
