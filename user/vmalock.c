// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope vmalock: how each process's page faults were served: under the
 * per-VMA lock, or under mmap_lock after a lock miss or retry. It counts
 * through the fault bracket it shares with faultlat (lib/fault_bracket.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "fault_bracket.h"
#include "jsonout.h"
#include "bpfread.h"
#include "tracers.h"
#include "util.h"
#include "fault.skel.h"

/* ------------------------------------------------------------------ */
/* vmalock                                                              */

static const char *const vmstat_names[] = {
	"vma_lock_success", "vma_lock_abort", "vma_lock_retry", "vma_lock_miss",
};
#define NVMSTAT ARRAY_SIZE(vmstat_names)

/* --top N: processes listed (0 = all); -1: not given */
static int vl_top = -1;
enum { OPT_VL_TOP = 0x2100 };

struct vl_proc {
	__u32 tgid;
	char comm[16];
	char first[16];		/* name before its exec(s), "" if none seen */
	__u32 execs;
	struct vl_counts base;	/* final counts of map entries deleted at exit */
	struct vl_counts live;	/* map entries of running processes, this read */
	struct vl_counts cum;	/* since start: base + live */
	struct vl_counts prev;	/* cum at the last interval */
};

struct vl_state {
	struct fb_inst *fi;
	struct fault_bpf *skel;
	struct fb_plan plan;
	int ncpus;
	struct vl_counts cum, prev;
	bool have_vmstat;
	unsigned long long vm_start[NVMSTAT], vm_prev[NVMSTAT], vm_cur[NVMSTAT];
	struct vl_proc *procs;
	size_t nprocs, cap;
	struct vl_counts *percpu;	/* scratch, ncpus values */
	struct vl_slot *slots;		/* scratch, ncpus values */
};

static void counts_add(struct vl_counts *d, const struct vl_counts *s)
{
	for (int i = 0; i < FP_NR; i++)
		d->path[i] += s->path[i];
	d->major += s->major;
	for (int i = 0; i < VL_NR; i++)
		d->ev[i] += s->ev[i];
}

static void counts_sub(struct vl_counts *d, const struct vl_counts *a,
		       const struct vl_counts *b)
{
	for (int i = 0; i < FP_NR; i++)
		d->path[i] = a->path[i] - b->path[i];
	d->major = a->major - b->major;
	for (int i = 0; i < VL_NR; i++)
		d->ev[i] = a->ev[i] - b->ev[i];
}

static __u64 counts_faults(const struct vl_counts *c)
{
	return c->path[FP_VMA] + c->path[FP_MMAP] + c->path[FP_KERNEL] +
	       c->path[FP_UNKNOWN];
}

/* Sum a per-CPU value into *out (comm from the first CPU that has one). */
static int read_percpu(struct vl_state *s, int fd, const void *key,
		       struct vl_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(fd, key, s->percpu))
		return -1;
	for (int c = 0; c < s->ncpus; c++) {
		counts_add(out, &s->percpu[c]);
		if (!out->comm[0] && s->percpu[c].comm[0])
			memcpy(out->comm, s->percpu[c].comm, 16);
	}
	return 0;
}

static struct vl_proc *proc_find(struct vl_state *s, __u32 tgid)
{
	return rows_find_or_add(&s->procs, &s->nprocs, &s->cap, sizeof(*s->procs),
				offsetof(struct vl_proc, tgid), tgid);
}

static void vl_stop(void *p);

static void *vl_start(const struct common_opts *o, enum attach_mode *mode)
{
	struct vl_state *s = calloc(1, sizeof(*s));
	unsigned long long v;

	if (!s) {
		err_msg("vmalock: out of memory");
		return NULL;
	}
	s->ncpus = libbpf_num_possible_cpus();
	s->percpu = calloc(s->ncpus, sizeof(*s->percpu));
	s->slots = calloc(s->ncpus, sizeof(*s->slots));
	if (!s->percpu || !s->slots) {
		err_msg("vmalock: out of memory");
		goto fail;
	}
	s->fi = fb_inst_get("vmalock", o, FB_USE_VL, true);
	if (!s->fi)
		goto fail;
	s->skel = fb_inst_skel(s->fi);
	s->plan = *fb_inst_plan(s->fi);
	s->have_vmstat = vmstat_read(vmstat_names[0], &v) == 0;
	for (size_t i = 0; s->have_vmstat && i < NVMSTAT; i++)
		if (vmstat_read(vmstat_names[i], &s->vm_start[i]))
			s->vm_start[i] = 0;	/* 6.15+ has no abort: shown as 0 delta */
	memcpy(s->vm_prev, s->vm_start, sizeof(s->vm_prev));
	*mode = s->plan.mode;
	return s;
fail:
	vl_stop(s);
	return NULL;
}

/*
 * A process's counts in one map entry: while it runs they are live, and
 * once it has exited (checked before reading, so they are final) they move
 * into p->base and the entry is deleted, which frees the map (and, for
 * vl_owners, the process's slot copies for others).
 */
static void proc_fold(struct vl_proc *p, const struct vl_counts *c, bool exited)
{
	counts_add(exited ? &p->base : &p->live, c);
}

/* vl_procs: attempt events and faults that found no slot copy. */
static int read_procs(struct vl_state *s)
{
	int fd = bpf_map__fd(s->skel->maps.vl_procs);
	__u32 *keys;
	size_t n;

	if (map_keys_all(fd, sizeof(*keys), (void **)&keys, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool exited = proc_exited(keys[i]);
		struct vl_counts c;
		struct vl_proc *p;

		if (read_percpu(s, fd, &keys[i], &c))
			continue;
		p = proc_find(s, keys[i]);
		if (!p) {
			free(keys);
			return -1;
		}
		if (c.comm[0])
			memcpy(p->comm, c.comm, 16);
		proc_fold(p, &c, exited);
		if (exited)
			bpf_map_delete_elem(fd, &keys[i]);
	}
	free(keys);
	return 0;
}

/* vl_owners and their copies of vl_slots: the per-process fast path. */
static int read_slots(struct vl_state *s)
{
	int fd_own = bpf_map__fd(s->skel->maps.vl_owners);
	int fd_slots = bpf_map__fd(s->skel->maps.vl_slots);
	struct vl_owner *keys;
	size_t n;

	if (map_keys_all(fd_own, sizeof(*keys), (void **)&keys, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct vl_owner *o = &keys[i];
		__u32 idx = o->tgid & s->skel->rodata->vl_slot_mask;
		bool exited = proc_exited(o->tgid);
		struct vl_counts c = { 0 };
		struct vl_proc *p;
		char comm[16];

		if (bpf_map_lookup_elem(fd_own, o, comm) ||
		    bpf_map_lookup_elem(fd_slots, &idx, s->slots))
			continue;
		for (int cpu = 0; cpu < s->ncpus; cpu++) {
			const struct vl_slot *v = &s->slots[cpu];

			if (v->tgid != o->tgid || v->start != o->start)
				continue;
			for (int j = 0; j < FP_NR; j++) {
				c.path[j] += v->n[j] + v->n[FP_NR + j];
				c.major += v->n[FP_NR + j];
			}
		}
		p = proc_find(s, o->tgid);
		if (!p) {
			free(keys);
			return -1;
		}
		memcpy(p->comm, comm, 16);
		proc_fold(p, &c, exited);
		if (exited)
			bpf_map_delete_elem(fd_own, o);
	}
	free(keys);
	return 0;
}

/* Read the BPF maps into s->cum and s->procs[].cum. */
static int vl_read(struct vl_state *s)
{
	int fd_tot = bpf_map__fd(s->skel->maps.vl_total);
	__u32 zero = 0;

	if (read_percpu(s, fd_tot, &zero, &s->cum)) {
		err_msg("vmalock: cannot read counters: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < s->nprocs; i++)
		memset(&s->procs[i].live, 0, sizeof(s->procs[i].live));
	if (read_procs(s) || read_slots(s)) {
		err_msg("vmalock: out of memory reading per-process counters");
		return -1;
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		struct vl_proc *p = &s->procs[i];

		fb_exec_name(s->skel, p->tgid, p->comm, p->first, &p->execs);
	}
	fb_execs_gc(s->skel);
	/* completed faults are counted per process; vl_total has only those
	 * no per-process map had room for (and all attempt events) */
	for (size_t i = 0; i < s->nprocs; i++) {
		struct vl_proc *p = &s->procs[i];

		p->cum = p->base;
		counts_add(&p->cum, &p->live);
		for (int j = 0; j < FP_NR; j++)
			s->cum.path[j] += p->cum.path[j];
		s->cum.major += p->cum.major;
	}
	return 0;
}

/* The per-process fast path's slow-path counts, since start. */
static struct json_object *slots_json(const struct vl_state *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "slots", json_object_new_int64(
		(int64_t)s->skel->rodata->vl_slot_mask + 1));
	json_object_object_add(o, "taken_over", json_object_new_int64(
		(int64_t)s->skel->bss->vl_slot_takeovers));
	json_object_object_add(o, "shared_faults", json_object_new_int64(
		(int64_t)s->skel->bss->vl_slot_shared));
	return o;
}

static struct json_object *opt_u64(bool avail, __u64 v)
{
	return avail ? json_object_new_int64((int64_t)v) : NULL;
}

static struct json_object *counts_json(const struct vl_state *s,
				       const struct vl_counts *c, double secs)
{
	struct json_object *o = json_object_new_object();
	bool attempts = s->plan.mode == MODE_PRECISE || s->plan.patch_tp;
	__u64 faults = counts_faults(c);

	json_object_object_add(o, "faults", json_object_new_int64(faults));
	json_object_object_add(o, "minor", json_object_new_int64(faults - c->major));
	json_object_object_add(o, "major", json_object_new_int64(c->major));
	json_object_object_add(o, "vma_lock", json_object_new_int64(c->path[FP_VMA]));
	json_object_object_add(o, "mmap_lock", json_object_new_int64(c->path[FP_MMAP]));
	json_object_object_add(o, "kernel", json_object_new_int64(c->path[FP_KERNEL]));
	json_object_object_add(o, "unbracketed", json_object_new_int64(c->path[FP_UNKNOWN]));
	json_object_object_add(o, "miss", opt_u64(attempts, c->ev[VL_MISS]));
	json_object_object_add(o, "retry", opt_u64(attempts, c->ev[VL_RETRY]));
	json_object_object_add(o, "faults_per_s",
			       json_object_new_double(secs > 0 ? faults / secs : 0));
	json_object_object_add(o, "mmap_lock_per_s",
			       json_object_new_double(secs > 0 ? c->path[FP_MMAP] / secs : 0));
	if (s->plan.patch_tp) {
		struct json_object *r = json_object_new_object();

		/* attached only in tracepoint mode without page_fault_done */
		bool tp = s->plan.mode != MODE_PRECISE && !s->plan.done_tp;

		json_object_object_add(o, "vma_locked", opt_u64(tp, c->ev[VL_LOCKED_TP]));
		json_object_object_add(o, "fallback_tp", opt_u64(tp, c->ev[VL_FALLBACK_TP]));
		json_object_object_add(r, "no_vma", json_object_new_int64(c->ev[VL_MISS_NO_VMA]));
		json_object_object_add(r, "detached", json_object_new_int64(c->ev[VL_MISS_DETACHED]));
		json_object_object_add(r, "write_locked", json_object_new_int64(c->ev[VL_MISS_WRITE_LOCKED]));
		json_object_object_add(r, "other", json_object_new_int64(c->ev[VL_MISS_OTHER]));
		json_object_object_add(o, "miss_reasons", r);
	}
	if (s->plan.mode == MODE_PRECISE || s->plan.done_tp)
		json_object_object_add(o, "errors", json_object_new_int64(c->ev[VL_ERROR]));
	return o;
}

static int proc_cmp(const void *a, const void *b)
{
	const struct json_object *const *x = a, *const *y = b;
	int64_t fx = json_object_get_int64(json_object_object_get((struct json_object *)*x, "faults"));
	int64_t fy = json_object_get_int64(json_object_object_get((struct json_object *)*y, "faults"));

	return fx < fy ? 1 : fx > fy ? -1 : 0;
}

static int vl_collect(void *p, double interval_s, bool final,
		      struct json_object *doc)
{
	struct vl_state *s = p;
	struct vl_counts d, z = { 0 };
	struct json_object *arr, *vm;
	const struct vl_counts *base = final ? &z : &s->prev;
	struct json_object **rows;
	size_t nrows = 0;

	if (vl_read(s))
		return -1;
	counts_sub(&d, &s->cum, base);
	json_object_object_add(doc, "fault_hooks", json_object_new_string(fb_hooks_name(&s->plan)));
	json_object_object_add(doc, "totals", counts_json(s, &d, interval_s));

	/* vmstat vma_lock_* deltas (CONFIG_PER_VMA_LOCK_STATS), else null */
	vm = NULL;
	if (s->have_vmstat) {
		vm = json_object_new_object();
		for (size_t i = 0; i < NVMSTAT; i++) {
			unsigned long long v = 0;

			if (vmstat_read(vmstat_names[i], &v) == 0) {
				s->vm_cur[i] = v;
				json_object_object_add(vm, vmstat_names[i], json_object_new_int64(
					v - (final ? s->vm_start[i] : s->vm_prev[i])));
			} else {
				json_object_object_add(vm, vmstat_names[i], NULL);
			}
		}
		if (!final)
			memcpy(s->vm_prev, s->vm_cur, sizeof(s->vm_prev));
	}
	json_object_object_add(doc, "vmstat", vm);

	rows = calloc(s->nprocs + 1, sizeof(*rows));
	if (!rows)
		return -1;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct vl_proc *pr = &s->procs[i];
		struct vl_counts pd;
		struct json_object *row;

		counts_sub(&pd, &pr->cum, final ? &z : &pr->prev);
		if (!final)
			pr->prev = pr->cum;
		if (!counts_faults(&pd) && !pd.ev[VL_MISS] && !pd.ev[VL_RETRY])
			continue;
		row = counts_json(s, &pd, interval_s);
		json_object_object_add(row, "pid", json_object_new_int(pr->tgid));
		fb_name_json(row, pr->comm, pr->first, pr->execs);
		rows[nrows++] = row;
	}
	qsort(rows, nrows, sizeof(*rows), proc_cmp);
	arr = json_object_new_array();
	for (size_t i = 0; i < nrows; i++) {
		if (vl_top > 0 && i >= (size_t)vl_top)
			json_object_put(rows[i]);	/* --top N: not listed */
		else
			json_object_array_add(arr, rows[i]);
	}
	free(rows);
	json_object_object_add(doc, "processes", arr);
	json_object_object_add(doc, "processes_total", json_object_new_int64(nrows));
	json_object_object_add(doc, "procs_dropped",
			       json_object_new_int64(s->skel->bss->vl_procs_dropped));
	json_object_object_add(doc, "slots", slots_json(s));

	doc_metric(doc, "faults_count", counts_faults(&d));
	doc_metric(doc, "vma_lock_count", d.path[FP_VMA]);
	doc_metric(doc, "mmap_lock_count", d.path[FP_MMAP]);
	doc_metric(doc, "kernel_fault_count", d.path[FP_KERNEL]);
	doc_metric(doc, "faults_per_s", interval_s > 0 ? counts_faults(&d) / interval_s : 0);
	if (counts_faults(&d))
		doc_metric(doc, "mmap_lock_ratio",
			   (double)d.path[FP_MMAP] / counts_faults(&d));
	if (s->plan.mode == MODE_PRECISE || s->plan.patch_tp) {
		doc_metric(doc, "vma_lock_miss_count", d.ev[VL_MISS]);
		doc_metric(doc, "vma_lock_retry_count", d.ev[VL_RETRY]);
	}
	if (!final)
		s->prev = s->cum;
	return 0;
}

/* A count or "n/a" when the mode cannot tell (JSON null). */
static const char *na(struct json_object *o, const char *k, char *buf, size_t n)
{
	struct json_object *v = json_object_object_get(o, k);

	if (!v)
		return "n/a";
	snprintf(buf, n, "%lld", (long long)json_object_get_int64(v));
	return buf;
}

static void vl_print(void *p, struct json_object *doc, bool final, FILE *f)
{
	struct json_object *t = json_object_object_get(doc, "totals");
	struct json_object *vm = json_object_object_get(doc, "vmstat");
	struct json_object *procs = json_object_object_get(doc, "processes");
	double secs = json_object_get_double(json_object_object_get(doc, "interval_s"));
	char b1[32], b2[32];
	size_t n = json_object_array_length(procs);

	fprintf(f, "%s %.2fs: faults %lld (%.0f/s)  vma_lock %lld  mmap_lock %lld  "
		"kernel %lld  unbracketed %lld  miss %s  retry %s\n",
		final ? "SUMMARY" : "interval", secs, (long long)doc_int(t, "faults"),
		json_object_get_double(json_object_object_get(t, "faults_per_s")),
		(long long)doc_int(t, "vma_lock"), (long long)doc_int(t, "mmap_lock"),
		(long long)doc_int(t, "kernel"), (long long)doc_int(t, "unbracketed"),
		na(t, "miss", b1, sizeof(b1)), na(t, "retry", b2, sizeof(b2)));
	if (vm)
		fprintf(f, "  vmstat: success %lld  abort %lld  retry %lld  miss %lld\n",
			(long long)doc_int(vm, "vma_lock_success"),
			(long long)doc_int(vm, "vma_lock_abort"),
			(long long)doc_int(vm, "vma_lock_retry"),
			(long long)doc_int(vm, "vma_lock_miss"));
	if (!n)
		return;
	fprintf(f, "  %7s %-16s %10s %10s %10s %8s %7s %8s %8s\n", "PID", "COMM",
		"FAULTS", "VMA_LOCK", "MMAP_LOCK", "KERNEL", "MAJOR", "MISS", "RETRY");
	for (size_t i = 0; i < n && (vl_top >= 0 || final || i < 20); i++) {
		struct json_object *r = json_object_array_get_idx(procs, i);

		fprintf(f, "  %7lld %-16s %10lld %10lld %10lld %8lld %7lld %8s %8s\n",
			(long long)doc_int(r, "pid"),
			json_object_get_string(json_object_object_get(r, "comm")),
			(long long)doc_int(r, "faults"), (long long)doc_int(r, "vma_lock"),
			(long long)doc_int(r, "mmap_lock"), (long long)doc_int(r, "kernel"),
			(long long)doc_int(r, "major"), na(r, "miss", b1, sizeof(b1)),
			na(r, "retry", b2, sizeof(b2)));
	}
}

static void vl_stop(void *p)
{
	struct vl_state *s = p;

	if (!s)
		return;
	fb_inst_put(s->fi, FB_USE_VL);
	free(s->procs);
	free(s->percpu);
	free(s->slots);
	free(s);
}

static void vl_probe(struct json_object *out)
{
	fb_probe_json(out, true);
}

static const struct extra_opt vl_extra[] = {
	{ { "top", required_argument, NULL, OPT_VL_TOP }, "N",
	  "list the N processes with the most faults (0 = all; default: all in "
	  "the JSON and the summary, 20 in each interval's text)" },
	{ { NULL } }
};

static int vl_parse_extra(int key, const char *arg, void *ctx)
{
	if (key != OPT_VL_TOP)
		return -1;
	vl_top = parse_top("vmalock", arg);
	return vl_top < 0 ? -1 : 0;
}

static struct cmd_desc vl_desc = {
	.extra = vl_extra,
	.parse_extra = vl_parse_extra,
	.name = "vmalock",
	.summary = "per-VMA-lock outcomes of page faults, per process",
	.details =
"Counts completed page faults (the ones perf counts as minor-faults +\n"
"major-faults) by how they were served: under the per-VMA lock, under\n"
"mmap_lock (fallback after a VMA-lock miss or retry), or as kernel-mode\n"
"faults on user memory (always mmap_lock). Lock misses and retries are\n"
"reported in precise mode and on kernels with the mmscope vma_lock\n"
"tracepoints; otherwise they read n/a. /proc/vmstat vma_lock_* deltas are\n"
"shown when the kernel has CONFIG_PER_VMA_LOCK_STATS.\n"
"Fields: docs/schema/vmalock.md.",
};

const struct tracer vmalock_tracer = {
	.name = "vmalock",
	.desc = &vl_desc,
	.start = vl_start,
	.collect = vl_collect,
	.print = vl_print,
	.stop = vl_stop,
	.probe = vl_probe,
};

int cmd_vmalock(int argc, char **argv)
{
	return tracer_main(&vmalock_tracer, argc, argv);
}
