// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope ptmem: page-table memory per mm.
 *
 * Tracepoint mode samples mm->pgtables_bytes (VmPTE) in O(1) where it
 * changes or just changed, none of it on the page-fault path by default:
 *   - with --fault-samples only, perf software events minor/major-faults:
 *     emitted by mm_account_fault() at the end of a completed fault, in the
 *     faulting task (current->mm); they cost every fault;
 *   - mmap_lock_acquire_returned: before munmap/mremap/exit free tables;
 *   - the task iterator at each report folds the current value in;
 *   - mmap_lock_released: munmap, mremap, populate/GUP, fork (the child mm),
 *     khugepaged and MADV_DONTNEED (PT_RECLAIM) all change page tables under
 *     mmap_lock, so the release sees the result;
 *   - mmap_lock_acquire_returned with mm_users == 0: exit_mmap() takes
 *     mmap_lock for read before unmap_vmas()/free_pgtables(), so this is the
 *     value at exit;
 *   - mmap:exit_mmap: emitted after free_pgtables(); the record is handed to
 *     user space through a ring buffer and deleted.
 * Precise mode adds per-level allocation/free counts (patch tracepoints
 * pgtable:*, else fentry/fexit, else kprobes). See docs/schema/ptmem.md.
 *
 * An mm's tables are not all built by its owner: fork's copy_page_range()
 * fills the child's in the parent, exec's copy_strings() the new mm's stack
 * tables while current->mm is still the old mm, GUP/userfaultfd can fault in
 * another process's mm. A per-level event for an mm nobody tracks yet
 * creates its state unowned (PTMEM_F_UNOWNED, no filter applied); the first
 * event in the owner's context (or the task iterator, or exit_mmap's lock)
 * names it, or drops it if the owner does not pass -p/-c.
 *
 * The name (comm) is the one the owner had when its state was created; a
 * process renames itself (prctl PR_SET_NAME, exec of a forked child) after
 * that, so the task iterator refreshes it at each report and the exit
 * record takes the name at exit when exit_mmap runs in the owner (see
 * owner_comm()).
 */
#include "vmlinux.h"
#include "common.bpf.h"
#include "patch_tp.bpf.h"
#include "ptmem.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PTMEM_MAX_MMS);
	__type(key, __u64);
	__type(value, struct ptmem_mm);
} mms SEC(".maps");

/* Exit records wait here until the next report: 4 MiB holds ~26,000 of
 * them, a burst of every SGA child exiting at once with room to spare
 * (256 KiB held ~1,600; tests/integration/ptmem_exit_burst.sh). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} exits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PTMEM_C_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* kprobe mode: a function's arguments, from entry to return, per thread. */
enum { KP_PMD_INSTALL, KP_PMD_ALLOC, KP_PUD_ALLOC, KP_ZAP_HUGE_PMD };

struct kp_key {
	__u64 id;		/* bpf_get_current_pid_tgid() */
	__u32 fn;		/* KP_* */
	__u32 pad;
};

struct kp_args {
	__u64 mm;
	__u64 arg;		/* pmd_install: pgtable_t *; zap_huge_pmd: vma anonymous */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kp_key);
	__type(value, struct kp_args);
} kp_args SEC(".maps");

/*
 * Threads inside move_huge_pmd() or collapse_huge_page() (fentry/kprobe
 * modes): the PTE table they deposit is one the mm already had (moved with
 * its huge PMD, or the collapsed range's own), not a new one. (A kretprobe
 * lost to maxactive would leave the thread marked: move_huge_pmd runs under
 * spinlocks, collapses are khugepaged's and MADV_COLLAPSE's, far fewer than
 * the default maxactive.)
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} redeposit SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		(*c)++;
}

static __always_inline long pt_bytes(struct mm_struct *mm)
{
	return BPF_CORE_READ(mm, pgtables_bytes.counter);
}

/* Name an unowned state after the current task, the mm's owner. */
static __always_inline void adopt(struct ptmem_mm *st, __u64 id)
{
	st->tgid = id >> 32;
	bpf_get_current_comm(st->comm, sizeof(st->comm));
	st->flags &= ~PTMEM_F_UNOWNED;
}

/*
 * The exit record's name: when the current task belongs to the mm's owner
 * (same tgid), the name the process has now, its thread-group leader's comm
 * (what /proc/PID/comm and the task iterator show; the last thread out may
 * carry a thread name of its own). The final mmput() normally runs in the
 * owner: exit_mm() in the exiting task, exec_mmap() in the exec'ing one for
 * the pre-exec mm (the new name is set after it). An mm whose last user was
 * another task (a /proc reader, process_vm_readv, mmput_async's worker)
 * keeps the stored name, as of the last report.
 */
static __always_inline void owner_comm(struct ptmem_mm *st)
{
	struct task_struct *task;
	char comm[16] = {};

	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != st->tgid)
		return;
	task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ_STR_INTO(&comm, task, group_leader, comm) > 0)
		__builtin_memcpy(st->comm, comm, sizeof(st->comm));
}

/*
 * The state of mm. Created (may_create) when the current task owns mm and
 * passes the -p/-c filter (so tgid and comm are right), or, with foreign,
 * unowned when the current task does not own mm (see the top). An unowned
 * state met in its owner's context is named, or deleted if the owner is
 * filtered out. NULL when not tracked.
 */
static __always_inline struct ptmem_mm *mm_state(struct mm_struct *mm,
						 bool may_create, bool foreign)
{
	struct task_struct *task;
	struct ptmem_mm *st, init = {};
	__u64 key = (__u64)mm, id;
	bool own;

	st = bpf_map_lookup_elem(&mms, &key);
	if ((st && !(st->flags & PTMEM_F_UNOWNED)) || !mm || (!st && !may_create))
		return st;
	task = (struct task_struct *)bpf_get_current_task();
	own = BPF_CORE_READ(task, mm) == mm;
	id = bpf_get_current_pid_tgid();
	if (st) {		/* unowned */
		if (!own)
			return st;
		if (!task_wanted(id)) {
			bpf_map_delete_elem(&mms, &key);
			return NULL;
		}
		adopt(st, id);
		return st;
	}
	if (own) {
		if (!task_wanted(id))
			return NULL;
		init.tgid = id >> 32;
		bpf_get_current_comm(init.comm, sizeof(init.comm));
	} else if (foreign) {
		init.flags = PTMEM_F_UNOWNED;
	} else {
		return NULL;
	}
	init.first_ns = bpf_ktime_get_ns();
	init.peak = -1;
	if (bpf_map_update_elem(&mms, &key, &init, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&mms, &key)) {
		count(PTMEM_C_TABLE_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&mms, &key);
}

static __always_inline void sample(struct mm_struct *mm, bool may_create)
{
	struct ptmem_mm *st = mm_state(mm, may_create, false);
	long v;

	if (!st)
		return;
	v = pt_bytes(mm);
	st->cur = v;
	if (v > st->peak)
		st->peak = v;	/* racy max between CPUs: one sample late at worst */
	st->samples++;
	st->last_ns = bpf_ktime_get_ns();
	count(PTMEM_C_SAMPLES);
}

/* Only with --fault-samples: it runs on every completed fault. */
SEC("perf_event")
int on_fault(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	sample(BPF_CORE_READ(task, mm), true);
	return 0;
}

SEC("raw_tp/mmap_lock_released")
int BPF_PROG(on_lock_released, struct mm_struct *mm)
{
	sample(mm, true);
	return 0;
}

/*
 * exit_mmap() runs once mm_users dropped to 0; its first act under the lock
 * is mmap_read_lock(), before any table is freed: the value at exit. The
 * exiting task has already cleared current->mm (exit_mm), so an mm first
 * seen here is created on behalf of the current task when it has no mm left.
 */
SEC("raw_tp/mmap_lock_acquire_returned")
int BPF_PROG(on_lock_acquired, struct mm_struct *mm)
{
	struct task_struct *task;
	struct ptmem_mm *st;
	__u64 key = (__u64)mm, id;
	long v;

	if (BPF_CORE_READ(mm, mm_users.counter) != 0) {
		sample(mm, true);
		return 0;
	}
	st = bpf_map_lookup_elem(&mms, &key);
	if (!st) {
		struct ptmem_mm init = {};

		task = (struct task_struct *)bpf_get_current_task();
		id = bpf_get_current_pid_tgid();
		if (BPF_CORE_READ(task, mm) || !task_wanted(id))
			return 0;
		init.tgid = id >> 32;
		bpf_get_current_comm(init.comm, sizeof(init.comm));
		init.first_ns = bpf_ktime_get_ns();
		init.peak = -1;
		if (bpf_map_update_elem(&mms, &key, &init, BPF_NOEXIST))
			count(PTMEM_C_TABLE_FULL);
		st = bpf_map_lookup_elem(&mms, &key);
		if (!st)
			return 0;
	}
	if (st->flags & PTMEM_F_EXITING)
		return 0;	/* exit_mmap's later write lock: tables already going */
	if (st->flags & PTMEM_F_UNOWNED) {
		/* its owner never ran an event of ours: the last user, exiting */
		id = bpf_get_current_pid_tgid();
		if (!task_wanted(id)) {
			bpf_map_delete_elem(&mms, &key);
			return 0;
		}
		adopt(st, id);
	}
	v = pt_bytes(mm);
	st->flags |= PTMEM_F_EXITING;
	st->at_exit = v;
	st->cur = v;
	if (v > st->peak)
		st->peak = v;
	st->samples++;
	st->last_ns = bpf_ktime_get_ns();
	count(PTMEM_C_SAMPLES);
	return 0;
}

/*
 * The pre-exec mm: exec_mmap() installs the new mm in the owner and drops
 * the old one, so its exit_mmap runs in the owner (same tgid) while
 * current->mm is another, live mm. A real exit has cleared current->mm
 * (exit_mm) first; another task's final mmput has another tgid.
 */
static __always_inline bool exec_replaced(__u32 tgid, struct mm_struct *mm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *cur = BPF_CORE_READ(task, mm);

	return (__u32)(bpf_get_current_pid_tgid() >> 32) == tgid && cur && cur != mm;
}

SEC("raw_tp/exit_mmap")
int BPF_PROG(on_exit_mmap, struct mm_struct *mm)
{
	__u64 key = (__u64)mm;
	struct ptmem_mm *st = bpf_map_lookup_elem(&mms, &key);
	struct ptmem_exit *e;

	if (!st)
		return 0;
	if (st->flags & PTMEM_F_UNOWNED) {	/* never named: nobody to report */
		bpf_map_delete_elem(&mms, &key);
		return 0;
	}
	count(PTMEM_C_EXITS);
	e = bpf_ringbuf_reserve(&exits, sizeof(*e), 0);
	if (e) {
		e->mm = key;
		e->after_teardown = pt_bytes(mm);
		e->st = *st;
		owner_comm(&e->st);
		e->st.flags &= ~PTMEM_F_EXEC;
		if (exec_replaced(e->st.tgid, mm))
			e->st.flags |= PTMEM_F_EXEC;
		if (!(st->flags & PTMEM_F_EXITING))
			e->st.at_exit = st->cur;	/* no exit lock seen */
		bpf_ringbuf_submit(e, 0);
	} else {
		count(PTMEM_C_RB_FULL);
	}
	bpf_map_delete_elem(&mms, &key);
	return 0;
}

/* ---- precise mode: per-level page-table pages allocated and freed ---- */

static __always_inline void level_event(struct mm_struct *mm, int level,
					bool alloc)
{
	struct ptmem_mm *st;
	__u64 *slot;

	if (level < 1 || level > PTMEM_LEVELS)
		return;
	st = mm_state(mm, true, true);
	if (!st)
		return;
	/* constant indices: a variable one loses its bounds in the verifier */
	switch (level) {
	case 1: slot = alloc ? &st->alloc[0] : &st->freed[0]; break;
	case 2: slot = alloc ? &st->alloc[1] : &st->freed[1]; break;
	case 3: slot = alloc ? &st->alloc[2] : &st->freed[2]; break;
	default: slot = alloc ? &st->alloc[3] : &st->freed[3]; break;
	}
	__sync_fetch_and_add(slot, 1);
	count(PTMEM_C_LEVEL_EVENTS);
}

/* Kernel patch series: exact, one event per table installed/freed. */
SEC("tracepoint/pgtable/pgtable_alloc")
int tp_pgtable_alloc(struct mmscope_tp_pgtable *ctx)
{
	level_event(ctx->mm, ctx->level, true);
	return 0;
}

SEC("tracepoint/pgtable/pgtable_free")
int tp_pgtable_free(struct mmscope_tp_pgtable *ctx)
{
	level_event(ctx->mm, ctx->level, false);
	return 0;
}

/*
 * pmd_install() is where every PTE table is installed (__pte_alloc, fault
 * prealloc, fault-around). It leaves *pte NULL when it consumed the table;
 * a table a racing thread beat us to stays in *pte and the caller frees it,
 * so only NULL counts.
 */
SEC("fexit/pmd_install")
int BPF_PROG(fx_pmd_install, struct mm_struct *mm)
{
	void *left = NULL;
	__u64 pte = 0;

	/*
	 * pte is a pgtable_t * (a pointer to a pointer): the verifier refuses
	 * to load such an argument from the context ("arg2 type PTR is not a
	 * struct", 6.12), so it comes through bpf_get_func_arg() as a number.
	 */
	if (bpf_get_func_arg(ctx, 2, &pte))
		return 0;
	bpf_probe_read_kernel(&left, sizeof(left), (void *)pte);
	if (!left)
		level_event(mm, 1, true);
	return 0;
}

/*
 * THP: a PTE table deposited behind a huge PMD is counted in nr_ptes: a new
 * one at a huge fault, a huge zero PMD and fork (copy_huge_pmd); the mm's
 * own one when move_huge_pmd() moves a deposit and when collapse_huge_page()
 * deposits the table of the range it collapsed (nr_ptes unchanged: not
 * counted, see redeposit).
 */
static __always_inline void deposit(struct mm_struct *mm)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!bpf_map_lookup_elem(&redeposit, &id))
		level_event(mm, 1, true);
}

static __always_inline void redeposit_enter(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 one = 1;

	bpf_map_update_elem(&redeposit, &id, &one, BPF_ANY);
}

static __always_inline void redeposit_exit(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&redeposit, &id);
}

SEC("fentry/pgtable_trans_huge_deposit")
int BPF_PROG(fe_deposit, struct mm_struct *mm)
{
	deposit(mm);
	return 0;
}

SEC("fentry/move_huge_pmd")
int BPF_PROG(fe_move_huge_pmd)
{
	redeposit_enter();
	return 0;
}

SEC("fexit/move_huge_pmd")
int BPF_PROG(fx_move_huge_pmd)
{
	redeposit_exit();
	return 0;
}

SEC("fentry/collapse_huge_page")
int BPF_PROG(fe_collapse_huge_page)
{
	redeposit_enter();
	return 0;
}

SEC("fexit/collapse_huge_page")
int BPF_PROG(fx_collapse_huge_page)
{
	redeposit_exit();
	return 0;
}

/*
 * A huge PMD zapped (munmap, exit, MADV_DONTNEED): zap_huge_pmd() returns 1
 * and, where the architecture needs no deposit for file/DAX PMDs (x86-64,
 * arm64: arch_needs_pgtable_deposit() false), frees the deposited table,
 * with pte_free() (inline), exactly for anonymous VMAs (anonymous THP and
 * huge zero PMDs).
 */
SEC("fexit/zap_huge_pmd")
int BPF_PROG(fx_zap_huge_pmd, struct mmu_gather *tlb, struct vm_area_struct *vma,
	     pmd_t *pmd, unsigned long addr, int ret)
{
	if (ret == 1 && !BPF_CORE_READ(vma, vm_ops))
		level_event(BPF_CORE_READ(tlb, mm), 1, false);
	return 0;
}

/* khugepaged retracting the PTE table of a range now mapped by a file THP. */
SEC("fentry/pte_free_defer")
int BPF_PROG(fe_pte_free_defer, struct mm_struct *mm)
{
	level_event(mm, 1, false);
	return 0;
}

/*
 * __pmd_alloc/__pud_alloc return 0 both when they installed the table and
 * when another thread had (they free theirs): the rare lost race counts as
 * an allocation here. Only the patch tracepoints are exact.
 */
SEC("fexit/__pmd_alloc")
int BPF_PROG(fx_pmd_alloc, struct mm_struct *mm, pud_t *pud,
	     unsigned long address, int ret)
{
	if (!ret)
		level_event(mm, 2, true);
	return 0;
}

SEC("fexit/__pud_alloc")
int BPF_PROG(fx_pud_alloc, struct mm_struct *mm, p4d_t *p4d,
	     unsigned long address, int ret)
{
	if (!ret)
		level_event(mm, 3, true);
	return 0;
}

/* free_pgtables() → free_{pte,pmd,pud}_range() → pte/pmd/pud_free_tlb. */
SEC("fentry/___pte_free_tlb")
int BPF_PROG(fe_pte_free_tlb, struct mmu_gather *tlb)
{
	level_event(BPF_CORE_READ(tlb, mm), 1, false);
	return 0;
}

SEC("fentry/___pmd_free_tlb")
int BPF_PROG(fe_pmd_free_tlb, struct mmu_gather *tlb)
{
	level_event(BPF_CORE_READ(tlb, mm), 2, false);
	return 0;
}

SEC("fentry/___pud_free_tlb")
int BPF_PROG(fe_pud_free_tlb, struct mmu_gather *tlb)
{
	level_event(BPF_CORE_READ(tlb, mm), 3, false);
	return 0;
}

/*
 * The same with kprobes, for kernels without fentry. A kretprobe sees only
 * the return value: the entry saves the arguments (per thread and function).
 * The mm is the argument, never current->mm: fork builds the child's tables
 * in the parent.
 */
static __always_inline void kp_save(__u32 fn, __u64 mm, __u64 arg)
{
	struct kp_key k = { .id = bpf_get_current_pid_tgid(), .fn = fn };
	struct kp_args a = { .mm = mm, .arg = arg };

	bpf_map_update_elem(&kp_args, &k, &a, BPF_ANY);
}

/* The saved arguments of fn in a; false if none were saved. */
static __always_inline bool kp_take(__u32 fn, struct kp_args *a)
{
	struct kp_key k = { .id = bpf_get_current_pid_tgid(), .fn = fn };
	struct kp_args *p = bpf_map_lookup_elem(&kp_args, &k);

	if (!p)
		return false;
	*a = *p;
	bpf_map_delete_elem(&kp_args, &k);
	return true;
}

SEC("kprobe/pmd_install")
int BPF_KPROBE(kp_pmd_install, struct mm_struct *mm, pmd_t *pmd, pgtable_t *pte)
{
	kp_save(KP_PMD_INSTALL, (__u64)mm, (__u64)pte);
	return 0;
}

SEC("kretprobe/pmd_install")
int BPF_KRETPROBE(kr_pmd_install)
{
	struct kp_args a;
	void *left = NULL;

	if (!kp_take(KP_PMD_INSTALL, &a))
		return 0;
	bpf_probe_read_kernel(&left, sizeof(left), (void *)a.arg);
	if (!left)
		level_event((struct mm_struct *)a.mm, 1, true);
	return 0;
}

SEC("kprobe/pgtable_trans_huge_deposit")
int BPF_KPROBE(kp_deposit, struct mm_struct *mm)
{
	deposit(mm);
	return 0;
}

SEC("kprobe/move_huge_pmd")
int BPF_KPROBE(kp_move_huge_pmd)
{
	redeposit_enter();
	return 0;
}

SEC("kretprobe/move_huge_pmd")
int BPF_KRETPROBE(kr_move_huge_pmd)
{
	redeposit_exit();
	return 0;
}

SEC("kprobe/collapse_huge_page")
int BPF_KPROBE(kp_collapse_huge_page)
{
	redeposit_enter();
	return 0;
}

SEC("kretprobe/collapse_huge_page")
int BPF_KRETPROBE(kr_collapse_huge_page)
{
	redeposit_exit();
	return 0;
}

SEC("kprobe/zap_huge_pmd")
int BPF_KPROBE(kp_zap_huge_pmd, struct mmu_gather *tlb, struct vm_area_struct *vma)
{
	/* only anonymous VMAs free a deposited table (see fx_zap_huge_pmd) */
	kp_save(KP_ZAP_HUGE_PMD, (__u64)BPF_CORE_READ(tlb, mm),
		!BPF_CORE_READ(vma, vm_ops));
	return 0;
}

SEC("kretprobe/zap_huge_pmd")
int BPF_KRETPROBE(kr_zap_huge_pmd, int ret)
{
	struct kp_args a;

	if (kp_take(KP_ZAP_HUGE_PMD, &a) && a.arg && ret == 1)
		level_event((struct mm_struct *)a.mm, 1, false);
	return 0;
}

SEC("kprobe/pte_free_defer")
int BPF_KPROBE(kp_pte_free_defer, struct mm_struct *mm)
{
	level_event(mm, 1, false);
	return 0;
}

/* __pmd_alloc/__pud_alloc: counted on success, as with fexit. */
SEC("kprobe/__pmd_alloc")
int BPF_KPROBE(kp_pmd_alloc, struct mm_struct *mm)
{
	kp_save(KP_PMD_ALLOC, (__u64)mm, 0);
	return 0;
}

SEC("kretprobe/__pmd_alloc")
int BPF_KRETPROBE(kr_pmd_alloc, int ret)
{
	struct kp_args a;

	if (kp_take(KP_PMD_ALLOC, &a) && !ret)
		level_event((struct mm_struct *)a.mm, 2, true);
	return 0;
}

SEC("kprobe/__pud_alloc")
int BPF_KPROBE(kp_pud_alloc, struct mm_struct *mm)
{
	kp_save(KP_PUD_ALLOC, (__u64)mm, 0);
	return 0;
}

SEC("kretprobe/__pud_alloc")
int BPF_KRETPROBE(kr_pud_alloc, int ret)
{
	struct kp_args a;

	if (kp_take(KP_PUD_ALLOC, &a) && !ret)
		level_event((struct mm_struct *)a.mm, 3, true);
	return 0;
}

SEC("kprobe/___pte_free_tlb")
int BPF_KPROBE(kp_pte_free_tlb, struct mmu_gather *tlb)
{
	level_event(BPF_CORE_READ(tlb, mm), 1, false);
	return 0;
}

SEC("kprobe/___pmd_free_tlb")
int BPF_KPROBE(kp_pmd_free_tlb, struct mmu_gather *tlb)
{
	level_event(BPF_CORE_READ(tlb, mm), 2, false);
	return 0;
}

SEC("kprobe/___pud_free_tlb")
int BPF_KPROBE(kp_pud_free_tlb, struct mmu_gather *tlb)
{
	level_event(BPF_CORE_READ(tlb, mm), 3, false);
	return 0;
}

/* Snapshot of every process's page-table bytes, read at each report. */
SEC("iter/task")
int snap_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct ptmem_snap rec = {};
	struct ptmem_mm *st, init = {};
	struct mm_struct *mm;
	__u64 key;

	if (!task || task->pid != task->tgid)
		return 0;
	mm = task->mm;
	if (!mm)
		return 0;	/* kernel thread or exiting */
	if (targ_tgid && task->tgid != targ_tgid)
		return 0;
	bpf_probe_read_kernel(rec.comm, sizeof(rec.comm), task->comm);
	if ((targ_comm[0] || targ_comm[1]) &&
	    (((__u64 *)rec.comm)[0] != targ_comm[0] ||
	     ((__u64 *)rec.comm)[1] != targ_comm[1]))
		return 0;
	rec.mm = (__u64)mm;
	rec.bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
	rec.tgid = task->tgid;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	/*
	 * A report is a sample too: without per-fault samples, tables a
	 * process faulted in and later freed without mmap_lock would
	 * otherwise be missing from its peak (and from its exit record).
	 */
	key = rec.mm;
	st = bpf_map_lookup_elem(&mms, &key);
	if (!st) {
		init.tgid = rec.tgid;
		__builtin_memcpy(init.comm, rec.comm, sizeof(init.comm));
		init.first_ns = bpf_ktime_get_ns();
		init.peak = -1;
		init.cur = rec.bytes;
		if (bpf_map_update_elem(&mms, &key, &init, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&mms, &key)) {
			count(PTMEM_C_TABLE_FULL);
			return 0;
		}
		st = bpf_map_lookup_elem(&mms, &key);
		if (!st)
			return 0;
	}
	if (st->flags & PTMEM_F_UNOWNED) {	/* this is its owner */
		st->tgid = rec.tgid;
		__builtin_memcpy(st->comm, rec.comm, sizeof(st->comm));
		st->flags &= ~PTMEM_F_UNOWNED;
	} else if (st->tgid == rec.tgid) {
		/* the owner's name now (not a CLONE_VM sharer's, e.g. vfork) */
		__builtin_memcpy(st->comm, rec.comm, sizeof(st->comm));
	}
	if (rec.bytes > st->peak)
		st->peak = rec.bytes;
	if (!(st->flags & PTMEM_F_EXITING))
		st->cur = rec.bytes;
	return 0;
}
