/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fault bracket shared by vmalock and faultlat: find where a page fault
 * starts, where it completes and whether it completed under the per-VMA lock
 * or under mmap_lock, in two modes.
 *
 * Tracepoint mode (no kprobes/fentry needed):
 *   entry  exceptions:page_fault_user (user mode) / page_fault_kernel with a
 *          user address (kernel-mode access to user memory, e.g. read() into
 *          an untouched buffer; perf counts those faults too)
 *   close  perf software event minor-faults / major-faults: the kernel emits
 *          it in mm_account_fault() at the end of a completed fault, in the
 *          faulting task (not for retried attempts, errors or GUP)
 *   path   the thread holds mmap_lock for read when the fault closes
 *          (mmap_lock_acquire_returned success && !write on current->mm sets
 *          it, mmap_lock_released !write clears it) → served under
 *          mmap_lock; else under the VMA lock. "mmap_lock_start_locking
 *          inside the bracket" is wrong: under the VMA lock,
 *          __vmf_anon_prepare() (first anon fault in a VMA without an
 *          anon_vma) does mmap_read_trylock()+mmap_read_unlock() and the
 *          fault still completes under the VMA lock. The fallback path
 *          (lock_mm_and_find_vma) releases mmap_lock only after
 *          handle_mm_fault() returned, i.e. after the close event.
 *
 * Precise mode: entry as above when the tracepoint exists (x86) else at
 * handle_mm_fault() entry; close and path at handle_mm_fault() return, from
 * its flags (FAULT_FLAG_USER, FAULT_FLAG_VMA_LOCK) and result, counted only
 * when mm_account_fault() would emit the perf event (no RETRY, no ERROR,
 * regs != NULL), so totals match perf in both modes.
 *
 * Per-thread state lives in an LRU hash keyed by tid: faults that never
 * complete (SIGSEGV, EFAULT fixups) leave an entry the next fault of that
 * thread overwrites, and the LRU drops entries of dead threads.
 *
 * The includer defines fb_record(pid_tgid, path, major, lat_ns) (lat_ns 0 =
 * unknown) and fb_event(pid_tgid, enum vl_event).
 */
#ifndef MMSCOPE_FAULT_BRACKET_BPF_H
#define MMSCOPE_FAULT_BRACKET_BPF_H

#include "vmalock.h"

enum fb_kind { FB_NONE = 0, FB_USER = 1, FB_KERNEL = 2 };

struct fb_thread {
	__u64 t_entry;		/* bpf_ktime_get_ns() at fault entry */
	__u32 flags;		/* kprobe mode: handle_mm_fault() flags */
	__u8 kind;		/* enum fb_kind of the open fault */
	__u8 mmap_read;		/* holds mmap_lock for read */
	__u8 has_regs;		/* kprobe mode: regs != NULL */
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct fb_thread);
} fb_threads SEC(".maps");

/* Record layout of exceptions:page_fault_{user,kernel}; the loader checks
 * the address offset against tracefs (its BTF struct name is changing). */
struct fb_tp_exception {
	struct trace_entry ent;
	unsigned long address;
	unsigned long ip;
	unsigned long error_code;
};

/* Mode switch set by the loader: precise mode closes faults in
 * handle_mm_fault() return, the tracepoint mode at the perf event. */
const volatile bool fb_precise = false;

static __always_inline struct fb_thread *fb_get(__u32 tid, bool create)
{
	struct fb_thread *t = bpf_map_lookup_elem(&fb_threads, &tid);
	struct fb_thread zero = {};

	if (t || !create)
		return t;
	bpf_map_update_elem(&fb_threads, &tid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&fb_threads, &tid);
}

static __always_inline void fb_open(enum fb_kind kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fb_thread *t;

	if (!task_wanted(id))
		return;
	t = fb_get((__u32)id, true);
	if (!t)
		return;
	t->t_entry = bpf_ktime_get_ns();
	t->kind = kind;
}

SEC("tracepoint/exceptions/page_fault_user")
int fb_fault_user(void *ctx)
{
	fb_open(FB_USER);
	return 0;
}

SEC("tracepoint/exceptions/page_fault_kernel")
int fb_fault_kernel(struct fb_tp_exception *ctx)
{
	/* user half of the address space: top bit clear */
	if ((long)ctx->address < 0)
		return 0;
	fb_open(FB_KERNEL);
	return 0;
}

static __always_inline bool fb_current_mm(struct mm_struct *mm)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	return mm == BPF_CORE_READ(task, mm);
}

SEC("tracepoint/mmap_lock/mmap_lock_acquire_returned")
int fb_mmap_acquired(struct trace_event_raw_mmap_lock_acquire_returned *ctx)
{
	__u64 id;
	struct fb_thread *t;

	if (ctx->write || !ctx->success)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!task_wanted(id) || !fb_current_mm(ctx->mm))
		return 0;
	t = fb_get((__u32)id, true);
	if (t)
		t->mmap_read = 1;
	return 0;
}

SEC("tracepoint/mmap_lock/mmap_lock_released")
int fb_mmap_released(struct trace_event_raw_mmap_lock *ctx)
{
	__u64 id;
	struct fb_thread *t;

	if (ctx->write)
		return 0;
	id = bpf_get_current_pid_tgid();
	t = fb_get((__u32)id, false);	/* no entry: it never held it */
	if (t)
		t->mmap_read = 0;
	return 0;
}

/* Tracepoint-mode close: the perf software event of a completed fault. */
static __always_inline void fb_close_perf(bool major)
{
	__u64 id = bpf_get_current_pid_tgid(), lat = 0;
	struct fb_thread *t;
	__u32 path = FP_UNKNOWN;

	if (!task_wanted(id))
		return;
	t = fb_get((__u32)id, false);
	if (t && t->kind != FB_NONE) {
		if (t->kind == FB_KERNEL)
			path = FP_KERNEL;
		else
			path = t->mmap_read ? FP_MMAP : FP_VMA;
		lat = bpf_ktime_get_ns() - t->t_entry;
		t->kind = FB_NONE;
	}
	fb_record(id, path, major, lat);
}

SEC("perf_event")
int fb_close_minor(void *ctx)
{
	fb_close_perf(false);
	return 0;
}

SEC("perf_event")
int fb_close_major(void *ctx)
{
	fb_close_perf(true);
	return 0;
}

/* ---- precise mode: handle_mm_fault() return ---- */

#define FB_VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | \
			   VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE | \
			   VM_FAULT_FALLBACK)

static __always_inline void fb_close_ret(__u32 flags, bool has_regs, __u32 ret)
{
	__u64 id = bpf_get_current_pid_tgid(), lat = 0;
	struct fb_thread *t;
	__u32 path;
	bool major;

	if (!task_wanted(id))
		return;
	if ((ret & VM_FAULT_RETRY) && (flags & FAULT_FLAG_VMA_LOCK) &&
	    (flags & FAULT_FLAG_USER))
		fb_event(id, VL_RETRY);
	/* what mm_account_fault() does not emit a perf event for */
	if (ret & VM_FAULT_RETRY)
		return;
	if (ret & FB_VM_FAULT_ERROR) {
		if (has_regs)
			fb_event(id, VL_ERROR);
		t = fb_get((__u32)id, false);
		if (t)		/* this fault never closes */
			t->t_entry = 0;
		return;
	}
	if (!has_regs)		/* GUP */
		return;
	if (!(flags & FAULT_FLAG_USER))
		path = FP_KERNEL;
	else
		path = (flags & FAULT_FLAG_VMA_LOCK) ? FP_VMA : FP_MMAP;
	major = (ret & VM_FAULT_MAJOR) || (flags & FAULT_FLAG_TRIED);
	t = fb_get((__u32)id, false);
	if (t && t->t_entry) {
		lat = bpf_ktime_get_ns() - t->t_entry;
		t->t_entry = 0;
		t->kind = FB_NONE;
	}
	fb_record(id, path, major, lat);
}

/* Entry when exceptions:page_fault_user is missing (not x86): the start of
 * the first handle_mm_fault() call of the fault. */
const volatile bool fb_entry_at_hmf = false;

static __always_inline void fb_enter_hmf(__u32 flags, bool has_regs, bool save)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fb_thread *t;

	if (!task_wanted(id))
		return;
	if (!save && !fb_entry_at_hmf)
		return;
	t = fb_get((__u32)id, true);
	if (!t)
		return;
	if (fb_entry_at_hmf && !t->t_entry)
		t->t_entry = bpf_ktime_get_ns();
	t->flags = flags;
	t->has_regs = has_regs;
}

SEC("fentry/handle_mm_fault")
int BPF_PROG(fb_hmf_entry, struct vm_area_struct *vma, unsigned long address,
	     unsigned int flags, struct pt_regs *regs)
{
	fb_enter_hmf(flags, regs != NULL, false);
	return 0;
}

SEC("fexit/handle_mm_fault")
int BPF_PROG(fb_hmf_exit, struct vm_area_struct *vma, unsigned long address,
	     unsigned int flags, struct pt_regs *regs, vm_fault_t ret)
{
	fb_close_ret(flags, regs != NULL, ret);
	return 0;
}

SEC("kprobe/handle_mm_fault")
int BPF_KPROBE(fb_hmf_kprobe, struct vm_area_struct *vma, unsigned long address,
	       unsigned int flags, struct pt_regs *regs)
{
	fb_enter_hmf(flags, regs != NULL, true);
	return 0;
}

SEC("kretprobe/handle_mm_fault")
int BPF_KRETPROBE(fb_hmf_kretprobe, vm_fault_t ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct fb_thread *t = fb_get(tid, false);

	if (t)
		fb_close_ret(t->flags, t->has_regs, ret);
	return 0;
}

#endif
