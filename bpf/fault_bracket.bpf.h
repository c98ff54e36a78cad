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
 * Kernels with the mmscope series (patches/0004): exceptions:page_fault_done
 * fires once per completed fault with the flags of the completing
 * handle_mm_fault() call (FAULT_FLAG_VMA_LOCK: the path), its result and the
 * fault's duration measured by the kernel. One raw tracepoint then replaces
 * entry, close, clock reads and per-thread state in both modes
 * (fb_raw_fault_done); the loader prefers it when the kernel has it.
 *
 * Precise mode: entry as above when the tracepoint exists (x86) else at
 * handle_mm_fault() entry; close and path at handle_mm_fault() return, from
 * its flags (FAULT_FLAG_USER, FAULT_FLAG_VMA_LOCK) and result, counted only
 * when mm_account_fault() would emit the perf event (no RETRY, no ERROR,
 * regs != NULL), so totals match perf in both modes.
 *
 * Per-thread state lives in task local storage (no hash, no key: one
 * pointer walk from the task), created at the first event that needs it and
 * freed with the task. A fault that never completes (SIGSEGV, EFAULT fixups)
 * leaves an entry time the next fault of that thread overwrites.
 *
 * Cost: the close runs on every fault, the entry only when
 * latencies are wanted (fb_use & FB_USE_LAT, faultlat): vmalock alone needs
 * no entry, the user/kernel split comes from the fault's own registers the
 * perf event hands over. Entry and mmap_lock hooks are raw tracepoints when
 * the kernel's BTF shows their arguments (no perf-buffer record copy), else
 * classic tracepoints; the loader picks (user/vmalock.c). bpf_ktime_get_ns()
 * only with latencies on.
 *
 * The includer defines fb_record(pid_tgid, task, path, major, lat_ns) (task
 * current, lat_ns 0 = unknown), fb_event(pid_tgid, enum vl_event), and
 * FB_EMIT(emit, pid_tgid, path, major, lat_ns, address): the per-event
 * stream (faultlat --events). emit is a constant: every closing program
 * has an "_ev" twin with it on, loaded instead of it for --events only, so
 * the programs without the stream compile to what they were before it.
 */
#ifndef MMSCOPE_FAULT_BRACKET_BPF_H
#define MMSCOPE_FAULT_BRACKET_BPF_H

#include "vmalock.h"

struct fb_thread {
	__u64 t_entry;		/* bpf_ktime_get_ns() at fault entry */
	__u32 flags;		/* kprobe mode: handle_mm_fault() flags */
	__u8 mmap_read;		/* holds mmap_lock for read */
	__u8 has_regs;		/* kprobe mode: regs != NULL */
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fb_thread);
} fb_threads SEC(".maps");

/* The includer defines __u32 fb_use: FB_USE_* bits (vmalock.h), set by the
 * loader while running. */

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

static __always_inline struct fb_thread *fb_get(bool create)
{
	return bpf_task_storage_get(&fb_threads, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* A user fault, or a kernel-mode one on user memory, starts: its time. */
static __always_inline void fb_open(void)
{
	struct fb_thread *t;

	if (!task_wanted(bpf_get_current_pid_tgid()))
		return;
	t = fb_get(true);
	if (!t)
		return;
	/* the entry stays attached when faultlat leaves `top`: no clock then */
	t->t_entry = (fb_use & FB_USE_LAT) ? bpf_ktime_get_ns() : 0;
}

SEC("tracepoint/exceptions/page_fault_user")
int fb_fault_user(void *ctx)
{
	fb_open();
	return 0;
}

SEC("tracepoint/exceptions/page_fault_kernel")
int fb_fault_kernel(struct fb_tp_exception *ctx)
{
	/* user half of the address space: top bit clear */
	if ((long)ctx->address < 0)
		return 0;
	fb_open();
	return 0;
}

/* The same as raw tracepoints: (address, regs, error_code). */
SEC("raw_tp/page_fault_user")
int BPF_PROG(fb_raw_fault_user)
{
	fb_open();
	return 0;
}

SEC("raw_tp/page_fault_kernel")
int BPF_PROG(fb_raw_fault_kernel, unsigned long address)
{
	if ((long)address < 0)
		return 0;
	fb_open();
	return 0;
}

static __always_inline bool fb_current_mm(struct mm_struct *mm)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	return mm == BPF_CORE_READ(task, mm);
}

static __always_inline void fb_mmap_acq(struct mm_struct *mm, bool write,
					bool success)
{
	struct fb_thread *t;

	if (write || !success)
		return;
	if (!task_wanted(bpf_get_current_pid_tgid()) || !fb_current_mm(mm))
		return;
	t = fb_get(true);
	if (t)
		t->mmap_read = 1;
}

static __always_inline void fb_mmap_rel(bool write)
{
	struct fb_thread *t;

	if (write)
		return;
	t = fb_get(false);	/* no entry: it never held it */
	if (t)
		t->mmap_read = 0;
}

SEC("tracepoint/mmap_lock/mmap_lock_acquire_returned")
int fb_mmap_acquired(struct trace_event_raw_mmap_lock_acquire_returned *ctx)
{
	fb_mmap_acq(ctx->mm, ctx->write, ctx->success);
	return 0;
}

SEC("tracepoint/mmap_lock/mmap_lock_released")
int fb_mmap_released(struct trace_event_raw_mmap_lock *ctx)
{
	fb_mmap_rel(ctx->write);
	return 0;
}

/* Raw: (mm, write, success) and (mm, write), the 6.x prototypes without
 * memcg_path; the loader checks the BTF prototype before choosing these. */
SEC("raw_tp/mmap_lock_acquire_returned")
int BPF_PROG(fb_raw_mmap_acquired, struct mm_struct *mm, bool write, bool success)
{
	fb_mmap_acq(mm, write, success);
	return 0;
}

SEC("raw_tp/mmap_lock_released")
int BPF_PROG(fb_raw_mmap_released, struct mm_struct *mm, bool write)
{
	fb_mmap_rel(write);
	return 0;
}

/*
 * Tracepoint-mode close: the perf software event of a completed fault, with
 * the fault's registers (mm_account_fault() passes them): kernel-mode
 * faults on user memory are told from user faults by the saved CS, so no
 * entry is needed for the path.
 */
/*
 * Whether anyone holds current->mm's mmap_lock for read: the reader count
 * of the rwsem (bits 8-62 of count). None → this thread does not hold it
 * either, and the close needs no per-thread state to say "vma_lock": direct
 * loads through the task pointer, no helper call, no map.
 */
#define FB_RWSEM_READERS 0x7fffffffffffff00ULL

static __always_inline bool fb_mm_readers(struct task_struct *task)
{
	struct mm_struct *mm = task->mm;

	return !mm || (mm->mmap_lock.count.counter & FB_RWSEM_READERS);
}

static __always_inline void fb_close_perf(struct bpf_perf_event_data *ctx,
					  bool major, const bool emit)
{
	__u64 id = bpf_get_current_pid_tgid(), lat = 0, cs;
	struct task_struct *task = bpf_get_current_task_btf();
	struct fb_thread *t = NULL;
	bool want_lat = fb_use & FB_USE_LAT;
	__u32 path;

	if (!task_wanted(id))
		return;
	if (want_lat)
		t = fb_get(false);
	/* the context allows only 8-byte loads of the registers; the CPL is
	 * the low 2 bits of CS (x86-64 pt_regs, a fixed layout) */
	cs = *(volatile __u64 *)((void *)&ctx->regs +
				 __builtin_offsetof(struct pt_regs, cs));
	if (!(cs & 3)) {
		path = FP_KERNEL;
	} else if (!fb_mm_readers(task)) {
		path = FP_VMA;
	} else {
		if (!want_lat)
			t = fb_get(false);
		path = t && t->mmap_read ? FP_MMAP : FP_VMA;
	}
	if (t && t->t_entry && want_lat) {
		lat = bpf_ktime_get_ns() - t->t_entry;
		t->t_entry = 0;
	}
	fb_record(id, task, path, major, lat);
	/* the perf sample's address: mm_account_fault() passes the fault's */
	FB_EMIT(emit, id, path, major, lat, ctx->addr);
}

SEC("perf_event")
int fb_close_minor(struct bpf_perf_event_data *ctx)
{
	fb_close_perf(ctx, false, false);
	return 0;
}

SEC("perf_event")
int fb_close_major(struct bpf_perf_event_data *ctx)
{
	fb_close_perf(ctx, true, false);
	return 0;
}

SEC("perf_event")
int fb_close_minor_ev(struct bpf_perf_event_data *ctx)
{
	fb_close_perf(ctx, false, true);
	return 0;
}

SEC("perf_event")
int fb_close_major_ev(struct bpf_perf_event_data *ctx)
{
	fb_close_perf(ctx, true, true);
	return 0;
}

/* ---- precise mode: handle_mm_fault() return ---- */

#define FB_VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | \
			   VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE | \
			   VM_FAULT_FALLBACK)

static __always_inline void fb_close_ret(__u32 flags, bool has_regs, __u32 ret,
					__u64 addr, const bool emit)
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
		t = (fb_use & FB_USE_LAT) ? fb_get(false) : NULL;
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
	/* per-thread state only exists for latencies (the entry made it) */
	t = (fb_use & FB_USE_LAT) ? fb_get(false) : NULL;
	if (t && t->t_entry) {
		lat = bpf_ktime_get_ns() - t->t_entry;
		t->t_entry = 0;
	}
	fb_record(id, bpf_get_current_task_btf(), path, major, lat);
	FB_EMIT(emit, id, path, major, lat, addr);
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
	t = fb_get(true);
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
	fb_close_ret(flags, regs != NULL, ret, address, false);
	return 0;
}

SEC("fexit/handle_mm_fault")
int BPF_PROG(fb_hmf_exit_ev, struct vm_area_struct *vma, unsigned long address,
	     unsigned int flags, struct pt_regs *regs, vm_fault_t ret)
{
	fb_close_ret(flags, regs != NULL, ret, address, true);
	return 0;
}

SEC("kprobe/handle_mm_fault")
int BPF_KPROBE(fb_hmf_kprobe, struct vm_area_struct *vma, unsigned long address,
	       unsigned int flags, struct pt_regs *regs)
{
	fb_enter_hmf(flags, regs != NULL, true);
	return 0;
}

/* ---- kernels with patches/0004: one event per completed fault ---- */

static __always_inline void fb_fault_done(unsigned long address, unsigned int flags,
					  vm_fault_t fault, __u64 duration_ns,
					  const bool emit)
{
	/* the task once, not bpf_get_current_pid_tgid() too: the tgid is all
	 * this path uses of the id (every fault, docs/overhead.md) */
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = (__u64)task->tgid << 32;
	__u32 path, major;

	if (!task_wanted(id))
		return;
	/* what mm_account_fault() emits no perf event for (no RETRY here:
	 * the event fires only for the completing call) */
	if (fault & FB_VM_FAULT_ERROR) {
		fb_event(id, VL_ERROR);
		return;
	}
	if (!(flags & FAULT_FLAG_USER))
		path = FP_KERNEL;
	else
		path = (flags & FAULT_FLAG_VMA_LOCK) ? FP_VMA : FP_MMAP;
	/* 0 or 1 without a branch: both flags are single bits */
	major = ((fault / VM_FAULT_MAJOR) | (flags / FAULT_FLAG_TRIED)) & 1;
	fb_record(id, task, path, major, duration_ns);
	FB_EMIT(emit, id, path, major, duration_ns, address);
}

SEC("raw_tp/page_fault_done")
int BPF_PROG(fb_raw_fault_done, unsigned long address, unsigned int flags,
	     vm_fault_t fault, __u64 duration_ns)
{
	fb_fault_done(address, flags, fault, duration_ns, false);
	return 0;
}

SEC("raw_tp/page_fault_done")
int BPF_PROG(fb_raw_fault_done_ev, unsigned long address, unsigned int flags,
	     vm_fault_t fault, __u64 duration_ns)
{
	fb_fault_done(address, flags, fault, duration_ns, true);
	return 0;
}

SEC("kretprobe/handle_mm_fault")
int BPF_KRETPROBE(fb_hmf_kretprobe, vm_fault_t ret)
{
	struct fb_thread *t = fb_get(false);

	if (t)
		fb_close_ret(t->flags, t->has_regs, ret, 0, false);
	return 0;
}

SEC("kretprobe/handle_mm_fault")
int BPF_KRETPROBE(fb_hmf_kretprobe_ev, vm_fault_t ret)
{
	struct fb_thread *t = fb_get(false);

	if (t)		/* no address at return: 0 */
		fb_close_ret(t->flags, t->has_regs, ret, 0, true);
	return 0;
}

#endif
