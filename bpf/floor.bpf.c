// SPDX-License-Identifier: GPL-2.0
/*
 * Empty programs for `overhead --floor`: attached where the fault bracket
 * attaches, they measure what enabling those hooks costs a page fault before
 * any tracer does any work (the floor no tracer can get under).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/exceptions/page_fault_user")
int floor_tp_fault(void *ctx)
{
	return 0;
}

SEC("raw_tp/page_fault_user")
int floor_raw_fault(void *ctx)
{
	return 0;
}

SEC("perf_event")
int floor_perf(void *ctx)
{
	return 0;
}

/* The series' fault-completion event (patches/0004): one per fault, with
 * the kernel's two clock reads for the duration. */
SEC("raw_tp/page_fault_done")
int floor_raw_done(void *ctx)
{
	return 0;
}

/* Precise mode's hooks (loaded only for `overhead --floor --mode precise`:
 * fentry/fexit are refused on some kernels). */
SEC("fexit/handle_mm_fault")
int floor_fexit_handle_mm_fault(void *ctx)
{
	return 0;
}

SEC("fexit/lock_vma_under_rcu")
int floor_fexit_lock_vma(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
