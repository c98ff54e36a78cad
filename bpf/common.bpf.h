/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers every mmscope BPF program shares. Include after vmlinux.h. */
#ifndef MMSCOPE_COMMON_BPF_H
#define MMSCOPE_COMMON_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "hist.h"

/*
 * Filters, set by the loader before load (rodata): targ_tgid 0 = all;
 * targ_comm all-zero = all. The comm is compared as two u64 words, so the
 * fault path does no string work.
 */
const volatile __u32 targ_tgid = 0;
const volatile __u64 targ_comm[2] = { 0, 0 };
/* Either filter set (the loader): unfiltered, the check is one load. */
const volatile bool targ_filter = false;

/*
 * The address a typed kernel pointer holds, as a number. fentry/fexit
 * arguments are BTF pointers and the verifier refuses bitwise operations on
 * them ("bitwise operator &= on pointer prohibited"); a copy of the bits
 * through the stack is a plain scalar. Not for hot paths (a helper call).
 */
static __always_inline __u64 ptr_bits(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

static __always_inline bool task_wanted(__u64 pid_tgid)
{
	if (!targ_filter)
		return true;
	if (targ_tgid && (__u32)(pid_tgid >> 32) != targ_tgid)
		return false;
	if (targ_comm[0] || targ_comm[1]) {
		__u64 comm[2] = { 0, 0 };

		bpf_get_current_comm(comm, sizeof(comm));
		return comm[0] == targ_comm[0] && comm[1] == targ_comm[1];
	}
	return true;
}

/*
 * A histogram slot the verifier can bound: the log2 table byte is known to
 * it only as "at most 255", and without the barrier clang tests the slot's
 * upper bits alone against HIST_SLOTS and indexes with the whole value.
 */
static __always_inline __u32 hist_slot_checked(__u64 v)
{
	__u32 s = hist_slot_fast(v);

	barrier_var(s);
	return s;
}

/* Fold a value into a log-linear histogram slot array (include/hist.h). */
#define HIST_RECORD(h, v) do {						\
	__u32 __s = hist_slot_checked(v);				\
	if (__s < HIST_SLOTS)						\
		__sync_fetch_and_add(&(h)->slots[__s], 1);		\
	__sync_fetch_and_add(&(h)->count, 1);				\
	__sync_fetch_and_add(&(h)->sum, (v));				\
	if ((v) > (h)->max)						\
		(h)->max = (v);	/* racy max: off by one event at worst */ \
} while (0)

char LICENSE[] SEC("license") = "GPL";

#endif
