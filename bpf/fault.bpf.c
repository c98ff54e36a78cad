// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope vmalock + faultlat: one object for the fault bracket
 * (fault_bracket.bpf.h) and both recorders, so `mmscope top` (and anything
 * else running both) pays for one set of per-fault programs, not two.
 * fb_use says which recorders are on; the loader flips it at run time.
 *
 * vmalock: per-VMA-lock outcomes of page faults, per process, plus the
 * attempt-level events (misses, retries) that precise mode or the mmscope
 * patch tracepoints provide.
 * faultlat: page-fault latency histograms by minor/major and by lock path,
 * system-wide or per process.
 */
#include "vmlinux.h"
#include "common.bpf.h"
#include "hist.h"
#include "vmalock.h"
#include "faultlat.h"

/* FB_USE_* (vmalock.h): which recorders are on, set by the loader. */
__u32 fb_use = 0;

/* ---- vmalock ---- */

/* [0]: attempt events of every wanted task, and the completed faults that
 * found room in no per-process map (vl_record) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vl_counts);
} vl_total SEC(".maps");

/* Per-process attempt events (rare), and completed faults that found no
 * slot copy of their own (vl_slot() below). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VL_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct vl_counts);
} vl_procs SEC(".maps");

/* Processes not counted per process because vl_procs was full. */
__u64 vl_procs_dropped = 0;

/* A zeroed value to create per-process entries from: a struct on the stack
 * would be zeroed on every fault, before the lookup that nearly always hits
 * (the compiler hoists the initialisation). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vl_counts);
} vl_zero SEC(".maps");

static __always_inline struct vl_counts *vl_proc(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32, zero_key = 0;
	struct vl_counts *c = bpf_map_lookup_elem(&vl_procs, &tgid), *zero;

	if (c)
		return c;
	zero = bpf_map_lookup_elem(&vl_zero, &zero_key);
	if (!zero)
		return NULL;
	bpf_get_current_comm(zero->comm, sizeof(zero->comm));
	if (bpf_map_update_elem(&vl_procs, &tgid, zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&vl_procs, &tgid)) {
		__sync_fetch_and_add(&vl_procs_dropped, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&vl_procs, &tgid);
}

/*
 * The per-process fast path (include/vmalock.h): this CPU's copy of the
 * process's slot, a few inlined instructions where a hash lookup costs ~90
 * per fault (docs/overhead.md). Per-CPU copies: plain increments.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VL_SLOTS);
	__type(key, __u32);
	__type(value, struct vl_slot);
} vl_slots SEC(".maps");

/*
 * The processes that own slot copies, with their comm. User space deletes
 * an owner only once the process has exited and its final counts were read,
 * so a copy whose owner is not here can be taken over without losing counts.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VL_MAX_PROCS);
	__type(key, struct vl_owner);
	__type(value, char[16]);
} vl_owners SEC(".maps");

/* Slow-path counts for the JSON (docs/schema/vmalock.md): copies taken
 * over from a process that was read out after exit; faults counted in
 * vl_procs because the copy belonged to another live process. */
__u64 vl_slot_takeovers = 0;
__u64 vl_slot_shared = 0;

/*
 * Slow path: this CPU's copy is not the process's own. Take it over when it
 * is free or its owner has been read out; 0 when taken. When another live
 * process with the same low tgid bits faulted on this CPU first, or
 * vl_owners is full, -1: the caller counts in vl_procs instead. Not inlined,
 * so the fast path does not set up its stack.
 */
static __noinline int vl_slot_claim(struct vl_slot *s, __u32 tgid, __u64 start)
{
	struct vl_owner k = { .tgid = tgid, .start = start };
	struct vl_owner old = { .tgid = s->tgid, .start = s->start };
	char comm[16];

	if (old.tgid && bpf_map_lookup_elem(&vl_owners, &old)) {
		__sync_fetch_and_add(&vl_slot_shared, 1);
		return -1;
	}
	if (!bpf_map_lookup_elem(&vl_owners, &k)) {
		bpf_get_current_comm(comm, sizeof(comm));
		if (bpf_map_update_elem(&vl_owners, &k, comm, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&vl_owners, &k))
			return -1;
	}
	if (old.tgid)
		__sync_fetch_and_add(&vl_slot_takeovers, 1);
	__builtin_memset(s->n, 0, sizeof(s->n));
	s->tgid = tgid;
	s->start = start;
	return 0;
}

/* slots - 1; fewer than VL_SLOTS only in tests (MMSCOPE_VL_SLOTS) */
const volatile __u32 vl_slot_mask = VL_SLOTS - 1;

static __always_inline struct vl_slot *vl_slot(struct task_struct *task,
					       __u32 tgid)
{
	__u32 idx = tgid & vl_slot_mask;
	struct vl_slot *s = bpf_map_lookup_elem(&vl_slots, &idx);
	__u64 start;

	if (!s)
		return NULL;
	start = task->group_leader->start_time;
	if (s->tgid == tgid && s->start == start)
		return s;
	return vl_slot_claim(s, tgid, start) ? NULL : s;
}

/*
 * A completed fault: the process's slot copy; else its vl_procs entry;
 * else (both maps full) vl_total alone, so the totals, which user space
 * sums from the processes plus vl_total, still count it.
 */
static __always_inline void vl_record(__u64 pid_tgid, struct task_struct *task,
				      __u32 path, __u32 major)
{
	__u32 zero = 0;
	struct vl_counts *c;
	struct vl_slot *s;

	if (path >= FP_NR)
		return;
	s = vl_slot(task, pid_tgid >> 32);
	if (s) {
		/* per-CPU values: plain increments, no atomics needed */
		s->n[path + major * FP_NR]++;
		return;
	}
	c = vl_proc(pid_tgid);
	if (!c)
		c = bpf_map_lookup_elem(&vl_total, &zero);
	if (c) {
		c->path[path]++;
		c->major += major;
	}
}

/* ---- faultlat ---- */

/* Generation BPF writes into; user space flips it (see faultlat.h). */
__u32 fl_gen = 0;
/* Faults closed without a seen entry (no latency), per generation. */
__u64 fl_unbracketed[FL_GENS] = {};
/* Per-process histograms not recorded because the map was full. */
__u64 fl_procs_dropped = 0;

/* Set by faultlat --per-process (a variable: the object is shared). */
bool fl_per_process = false;

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

static __always_inline void fl_record(__u64 pid_tgid, __u32 path, __u32 major,
				      __u64 lat_ns)
{
	__u32 gen = fl_gen & 1, cls, idx, slot;
	struct hist *h;

	if (path >= FL_PATHS || !lat_ns) {
		__sync_fetch_and_add(&fl_unbracketed[gen], 1);
		return;
	}
	cls = major * FL_PATHS + path;
	if (fl_per_process) {
		fl_record_proc(pid_tgid, gen, cls, lat_ns);
		return;
	}
	idx = gen * FL_CLASSES + cls;
	h = bpf_map_lookup_elem(&fl_hists, &idx);
	if (!h)
		return;
	/* per-CPU histogram: plain read-modify-write is safe */
	slot = hist_slot_checked(lat_ns);
	if (slot < HIST_SLOTS)
		h->slots[slot]++;
	h->count++;
	h->sum += lat_ns;
	if (lat_ns > h->max)
		h->max = lat_ns;
}

static __always_inline void fb_record(__u64 pid_tgid, struct task_struct *task,
				      __u32 path, __u32 major, __u64 lat_ns)
{
	__u32 use = fb_use;

	if (use & FB_USE_VL)
		vl_record(pid_tgid, task, path, major);
	if (use & FB_USE_LAT)
		fl_record(pid_tgid, path, major, lat_ns);
}

static __always_inline void fb_event(__u64 pid_tgid, __u32 ev)
{
	__u32 zero = 0;
	struct vl_counts *c = bpf_map_lookup_elem(&vl_total, &zero);

	if (ev >= VL_NR || !(fb_use & FB_USE_VL))
		return;
	if (c)
		c->ev[ev]++;
	c = vl_proc(pid_tgid);
	if (c)
		c->ev[ev]++;
}

/* ---- faultlat --events: one record per completed fault ---- */

/* Completed faults whose record found the ring buffer full. */
__u64 fl_events_dropped = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FL_EVENTS_RB_BYTES);
} fl_events_rb SEC(".maps");

static __noinline void fl_emit(__u64 pid_tgid, __u32 path, __u32 major,
			       __u64 lat_ns, __u64 addr)
{
	struct fl_event *e = bpf_ringbuf_reserve(&fl_events_rb, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&fl_events_dropped, 1);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->addr = addr;
	e->lat_ns = lat_ns;
	e->tgid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->path = path;
	e->major = major;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* emit: a constant (the "_ev" programs, fault_bracket.bpf.h) */
#define FB_EMIT(emit, id, path, major, lat, addr) do {			\
	if (emit)							\
		fl_emit(id, path, major, lat, addr);			\
} while (0)

#include "fault_bracket.bpf.h"

/* ---- names across exec (include/vmalock.h struct fb_exec) ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FB_MAX_EXECS);
	__type(key, __u32);
	__type(value, struct fb_exec);
} fb_execs SEC(".maps");

/* Execs not recorded because fb_execs was full. */
__u64 fb_execs_dropped = 0;

/*
 * After an exec the process's rows still carry the name they were created
 * under (a fork's child faults as its parent before it execs). Here, once
 * per exec and never on the fault path: note the old and new names, and
 * rename the rows this CPU can reach (vl_owners; this CPU's vl_procs copy;
 * the per-process latency histograms). current->comm is already the new
 * name when sched_process_exec fires.
 */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(fb_exec)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct vl_owner k = { .tgid = tgid };
	struct fb_exec *e, init = {};
	struct vl_counts *c;
	char comm[16] = {}, *own;

	if (targ_tgid && tgid != targ_tgid)
		return 0;
	k.start = BPF_CORE_READ(task, group_leader, start_time);
	bpf_get_current_comm(comm, sizeof(comm));
	/* the name the rows had, from whichever recorder has one */
	own = bpf_map_lookup_elem(&vl_owners, &k);
	c = bpf_map_lookup_elem(&vl_procs, &tgid);
	if (own)
		__builtin_memcpy(init.first, own, sizeof(init.first));
	else if (c)
		__builtin_memcpy(init.first, c->comm, sizeof(init.first));
	if (fl_per_process) {
		for (__u32 i = 0; i < FL_GENS * FL_CLASSES; i++) {
			struct fl_proc_key pk = { .tgid = tgid, .gen = i / FL_CLASSES,
						  .cls = i % FL_CLASSES };
			struct fl_proc_hist *ph = bpf_map_lookup_elem(&fl_proc_hists, &pk);

			if (!ph)
				continue;
			if (!init.first[0])
				__builtin_memcpy(init.first, ph->comm, sizeof(init.first));
			__builtin_memcpy(ph->comm, comm, sizeof(comm));
		}
	}
	if (own)
		__builtin_memcpy(own, comm, sizeof(comm));
	if (c)
		__builtin_memcpy(c->comm, comm, sizeof(comm));

	e = bpf_map_lookup_elem(&fb_execs, &tgid);
	if (e && e->start == k.start) {
		e->execs++;
		__builtin_memcpy(e->comm, comm, sizeof(comm));
		return 0;
	}
	__builtin_memcpy(init.comm, comm, sizeof(comm));
	init.start = k.start;
	init.execs = 1;
	if (bpf_map_update_elem(&fb_execs, &tgid, &init, BPF_ANY))
		__sync_fetch_and_add(&fb_execs_dropped, 1);
	return 0;
}

/* ---- precise mode: lock_vma_under_rcu() returning NULL = miss ---- */

static __always_inline void vl_lock_vma_ret(void *vma)
{
	__u64 id = bpf_get_current_pid_tgid();

	/*
	 * Every NULL return counts, also from the non-fault callers newer
	 * kernels have (userfaultfd, madvise): exactly what vmstat's
	 * vma_lock_abort counts, and no per-fault entry hook is needed to
	 * tell the callers apart.
	 */
	if (!vma && task_wanted(id))
		fb_event(id, VL_MISS);
}

SEC("fexit/lock_vma_under_rcu")
int BPF_PROG(vl_lvur_exit, struct mm_struct *mm, unsigned long address,
	     struct vm_area_struct *ret)
{
	vl_lock_vma_ret(ret);
	return 0;
}

SEC("kretprobe/lock_vma_under_rcu")
int BPF_KRETPROBE(vl_lvur_kretprobe, void *ret)
{
	vl_lock_vma_ret(ret);
	return 0;
}

/* ---- mmscope patch tracepoints (patched kernels only) ----
 *
 * Raw tracepoints: vma_lock_success fires on every fault, and a classic
 * tracepoint would first copy its record into the perf trace buffer. The
 * prototypes are the series' own (patches/0001): (mm, address[, reason]).
 */

static __always_inline void vl_patch_event(__u32 ev)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (task_wanted(id))
		fb_event(id, ev);
}

SEC("raw_tp/vma_lock_success")
int BPF_PROG(vl_tp_success, struct mm_struct *mm, unsigned long address)
{
	vl_patch_event(VL_LOCKED_TP);
	return 0;
}

/*
 * Misses and retries: precise mode with fexit already counts them at
 * lock_vma_under_rcu() and handle_mm_fault() return; taking them from the
 * patch tracepoints too would count each one twice. There the tracepoints
 * add only what precise mode cannot see (lock taken, fallback, reasons).
 * With page_fault_done (fb_done) no fexit runs: they come from here.
 */
const volatile bool fb_done = false;

SEC("raw_tp/vma_lock_retry")
int BPF_PROG(vl_tp_retry, struct mm_struct *mm, unsigned long address)
{
	if (!fb_precise || fb_done)
		vl_patch_event(VL_RETRY);
	return 0;
}

SEC("raw_tp/vma_lock_fallback")
int BPF_PROG(vl_tp_fallback, struct mm_struct *mm, unsigned long address)
{
	vl_patch_event(VL_FALLBACK_TP);
	return 0;
}

SEC("raw_tp/vma_lock_miss")
int BPF_PROG(vl_tp_miss, struct mm_struct *mm, unsigned long address, int reason)
{
	/* a miss is a NULL return, as vmstat's abort counts: a detached
	 * VMA (reason 1) is followed by another lookup in the same call */
	if ((!fb_precise || fb_done) && reason != 1)
		vl_patch_event(VL_MISS);
	/* a switch: from a raw argument the verifier keeps no bounds on
	 * VL_MISS_NO_VMA + reason through the inlined array index */
	switch (reason) {
	case 0: vl_patch_event(VL_MISS_NO_VMA); break;
	case 1: vl_patch_event(VL_MISS_DETACHED); break;
	case 2: vl_patch_event(VL_MISS_WRITE_LOCKED); break;
	case 3: vl_patch_event(VL_MISS_OTHER); break;
	}
	return 0;
}
