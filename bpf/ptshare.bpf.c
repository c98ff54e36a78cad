// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope ptshare: shared page tables.
 *
 * Precise mode follows hugetlb PMD sharing at huge_pmd_share() (an mm
 * attaches to another mm's PMD table, or allocates its own) and
 * huge_pmd_unshare() (returns 1 when a shared table was detached), and reads
 * the kernel's own sharer count of each table:
 *   - since 6.13 (and 6.12.y stable backports): ptdesc->pt_share_count, the
 *     number of sharers besides the first (0 = not shared);
 *   - before: the PMD table page's refcount (get_page per extra sharer).
 * The ptshare:* tracepoints of the kernel patch series report the refcount
 * of each shared region directly. The task iterator gives every selected
 * process's mm->pgtables_bytes (VmPTE) for the logical/physical ratio.
 */
#include "vmlinux.h"
#include "common.bpf.h"
#include "patch_tp.bpf.h"
#include "ptshare.h"

/* Addresses of x86's page_offset_base/vmemmap_base variables (kallsyms). */
const volatile __u64 sym_page_offset_base = 0;
const volatile __u64 sym_vmemmap_base = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PTSHARE_MAX_TABLES);
	__type(key, __u64);
	__type(value, struct ptshare_table);
} tables SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PTSHARE_C_NR);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* kprobe mode: arguments from entry to return, per thread. */
struct call_args {
	__u64 vma, addr, ptep;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct call_args);
} args SEC(".maps");

#define PUD_BYTES (1ULL << 30)

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		(*c)++;
}

/* The kernel's sharer count of the PMD table page at kva; -1 if unknown. */
static __always_inline int table_sharers(__u64 kva)
{
	__u64 pob = 0, vmb = 0, page;

	if (!sym_page_offset_base || !sym_vmemmap_base)
		return -1;
	if (bpf_probe_read_kernel(&pob, sizeof(pob), (void *)sym_page_offset_base) ||
	    bpf_probe_read_kernel(&vmb, sizeof(vmb), (void *)sym_vmemmap_base))
		return -1;
	page = vmb + ((kva - pob) >> 12) * bpf_core_type_size(struct page);
	if (bpf_core_field_exists(struct ptdesc, pt_share_count))
		return BPF_CORE_READ((struct ptdesc *)page, pt_share_count.counter) + 1;
	return BPF_CORE_READ((struct page *)page, _refcount.counter);
}

static __always_inline void hugetlb_event(struct vm_area_struct *vma,
					  __u64 addr, __u64 kva, bool share)
{
	struct ptshare_table *t, init = {};
	int n = table_sharers(kva);

	t = bpf_map_lookup_elem(&tables, &kva);
	if (!t) {
		if (!share)
			return;
		init.ino = BPF_CORE_READ(vma, vm_file, f_inode, i_ino);
		init.start = addr & ~(PUD_BYTES - 1);
		init.size = PUD_BYTES;
		init.src = PTSHARE_SRC_HUGETLB;
		if (bpf_map_update_elem(&tables, &kva, &init, BPF_NOEXIST))
			count(PTSHARE_C_TABLE_FULL);
		t = bpf_map_lookup_elem(&tables, &kva);
		if (!t)
			return;
	}
	t->sharers = n;
	if (share && n > 1) {	/* attached to a table another mm built */
		__sync_fetch_and_add(&t->attaches, 1);
		count(PTSHARE_C_SHARE);
	} else if (!share) {
		__sync_fetch_and_add(&t->detaches, 1);
		count(PTSHARE_C_UNSHARE);
	}
}

SEC("fexit/huge_pmd_share")
int BPF_PROG(fx_huge_pmd_share, struct mm_struct *mm, struct vm_area_struct *vma,
	     unsigned long addr, pud_t *pud, pte_t *ret)
{
	if (ret)
		hugetlb_event(vma, addr, ptr_bits(ret) & ~4095ULL, true);
	return 0;
}

/* First argument is mm before the 2025 mmu_gather rework, tlb after. */
SEC("fexit/huge_pmd_unshare")
int BPF_PROG(fx_huge_pmd_unshare, void *mm_or_tlb, struct vm_area_struct *vma,
	     unsigned long addr, pte_t *ptep, int ret)
{
	if (ret == 1)
		hugetlb_event(vma, addr, ptr_bits(ptep) & ~4095ULL, false);
	return 0;
}

/* A PMD table freed by free_pgtables(): forget it. */
SEC("fentry/___pmd_free_tlb")
int BPF_PROG(fe_pmd_free_tlb, struct mmu_gather *tlb, pmd_t *pmd)
{
	__u64 kva = ptr_bits(pmd) & ~4095ULL;

	bpf_map_delete_elem(&tables, &kva);
	return 0;
}

SEC("kprobe/huge_pmd_share")
int BPF_KPROBE(kp_huge_pmd_share, struct mm_struct *mm, struct vm_area_struct *vma,
	       unsigned long addr)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_args a = { .vma = (__u64)vma, .addr = addr };

	bpf_map_update_elem(&args, &id, &a, BPF_ANY);
	return 0;
}

SEC("kretprobe/huge_pmd_share")
int BPF_KRETPROBE(kr_huge_pmd_share, pte_t *ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_args *a = bpf_map_lookup_elem(&args, &id);

	if (!a)
		return 0;
	if (ret)
		hugetlb_event((void *)a->vma, a->addr, (__u64)ret & ~4095ULL, true);
	bpf_map_delete_elem(&args, &id);
	return 0;
}

SEC("kprobe/huge_pmd_unshare")
int BPF_KPROBE(kp_huge_pmd_unshare, void *mm_or_tlb, struct vm_area_struct *vma,
	       unsigned long addr, pte_t *ptep)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_args a = { .vma = (__u64)vma, .addr = addr, .ptep = (__u64)ptep };

	bpf_map_update_elem(&args, &id, &a, BPF_ANY);
	return 0;
}

SEC("kretprobe/huge_pmd_unshare")
int BPF_KRETPROBE(kr_huge_pmd_unshare, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_args *a = bpf_map_lookup_elem(&args, &id);

	if (!a)
		return 0;
	if (ret == 1)
		hugetlb_event((void *)a->vma, a->addr, a->ptep & ~4095ULL, false);
	bpf_map_delete_elem(&args, &id);
	return 0;
}

SEC("kprobe/___pmd_free_tlb")
int BPF_KPROBE(kp_pmd_free_tlb, struct mmu_gather *tlb, pmd_t *pmd)
{
	__u64 kva = (__u64)pmd & ~4095ULL;

	bpf_map_delete_elem(&tables, &kva);
	return 0;
}

/* ---- kernel patch series: MAP_SHARED_PT regions (exact refcounts) ---- */

static __always_inline void patch_event(struct mm_struct *host_or_mm, __u64 ino,
					__u64 start, __u64 size, int refcount,
					bool attach)
{
	__u64 key = ino ^ (start << 1);	/* one shared region per (file, start) */
	struct ptshare_table *t, init = {};

	t = bpf_map_lookup_elem(&tables, &key);
	if (!t) {
		init.ino = ino;
		init.start = start;
		init.size = size;
		init.src = PTSHARE_SRC_PATCH;
		if (bpf_map_update_elem(&tables, &key, &init, BPF_NOEXIST))
			count(PTSHARE_C_TABLE_FULL);
		t = bpf_map_lookup_elem(&tables, &key);
		if (!t)
			return;
	}
	t->sharers = refcount;
	if (attach) {
		__sync_fetch_and_add(&t->attaches, 1);
		count(PTSHARE_C_SHARE);
	} else {
		__sync_fetch_and_add(&t->detaches, 1);
		count(PTSHARE_C_UNSHARE);
	}
}

SEC("tracepoint/ptshare/ptshare_attach")
int tp_ptshare_attach(struct mmscope_tp_ptshare_attach *ctx)
{
	patch_event(ctx->mm, ctx->ino, ctx->start, ctx->size, ctx->refcount, true);
	return 0;
}

SEC("tracepoint/ptshare/ptshare_detach")
int tp_ptshare_detach(struct mmscope_tp_ptshare_attach *ctx)
{
	patch_event(ctx->mm, ctx->ino, ctx->start, ctx->size, ctx->refcount, false);
	return 0;
}

SEC("tracepoint/ptshare/ptshare_create")
int tp_ptshare_create(struct mmscope_tp_ptshare_host *ctx)
{
	count(PTSHARE_C_CREATE);
	return 0;
}

SEC("tracepoint/ptshare/ptshare_destroy")
int tp_ptshare_destroy(struct mmscope_tp_ptshare_host *ctx)
{
	__u64 key = ctx->ino ^ (ctx->start << 1);

	count(PTSHARE_C_DESTROY);
	bpf_map_delete_elem(&tables, &key);
	return 0;
}

/*
 * Every process's page-table bytes, read at each report: the selected ones
 * (-p/-c) make the logical sum, the others let user space take their
 * growth out of PageTables.
 */
SEC("iter/task")
int snap_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct ptshare_snap rec = {};
	struct mm_struct *mm;

	if (!task || task->pid != task->tgid)
		return 0;
	mm = task->mm;
	if (!mm)
		return 0;
	bpf_probe_read_kernel(rec.comm, sizeof(rec.comm), task->comm);
	rec.selected = (!targ_tgid || task->tgid == targ_tgid) &&
		       (!(targ_comm[0] || targ_comm[1]) ||
			(((__u64 *)rec.comm)[0] == targ_comm[0] &&
			 ((__u64 *)rec.comm)[1] == targ_comm[1]));
	rec.mm = (__u64)mm;
	rec.bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
	rec.tgid = task->tgid;
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}
