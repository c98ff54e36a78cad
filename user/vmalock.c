// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope vmalock: how each process's page faults were served: under the
 * per-VMA lock, or under mmap_lock after a lock miss or retry. Also the
 * user-space half of the fault bracket shared with faultlat.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "jsonout.h"
#include "perfev.h"
#include "probe.h"
#include "tpformat.h"
#include "tracer.h"
#include "util.h"
#include "vmalock.h"
#include "fault.skel.h"

/* ------------------------------------------------------------------ */
/* Fault bracket: probing, program selection, attach (shared).         */

static const char *const hmf_funcs[] = { "handle_mm_fault", NULL };
static const char *const hmf_lvur_funcs[] = { "handle_mm_fault",
					      "lock_vma_under_rcu", NULL };

/*
 * Arguments of tracepoint tp as the kernel's BTF declares them
 * (btf_trace_TP: a pointer to a prototype whose first argument is the
 * context), -1 when unknown. Decides raw_tp versus classic tracepoint.
 */
static int tp_btf_nargs(const char *tp)
{
	static struct btf *btf;
	const struct btf_type *t;
	char name[128];
	int id;

	if (!probe_tp_btf(tp))
		return -1;
	if (!btf)
		btf = btf__load_vmlinux_btf();
	if (!btf)
		return -1;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -1;
	return btf_vlen(t) - 1;
}

void fb_plan_probe(struct fb_plan *p, bool need_lvur)
{
	bool pf_user, ml_acq, ml_rel, sw_min, sw_maj;

	memset(p, 0, sizeof(*p));
	p->need_lvur = need_lvur;
	p->entry_tp = pf_user = probe_tracepoint("exceptions", "page_fault_user");
	p->kernel_tp = probe_tracepoint("exceptions", "page_fault_kernel");
	p->patch_tp = probe_tracepoint("vma_lock", "vma_lock_success") &&
		      probe_tracepoint("vma_lock", "vma_lock_miss") &&
		      probe_tracepoint("vma_lock", "vma_lock_retry") &&
		      probe_tracepoint("vma_lock", "vma_lock_fallback");
	ml_acq = probe_tracepoint("mmap_lock", "mmap_lock_acquire_returned");
	ml_rel = probe_tracepoint("mmap_lock", "mmap_lock_released");
	sw_min = probe_perf_sw(PERF_COUNT_SW_PAGE_FAULTS_MIN);
	sw_maj = probe_perf_sw(PERF_COUNT_SW_PAGE_FAULTS_MAJ);
	/* (address, regs, error_code); mmap_lock without memcg_path (6.x) */
	p->raw_entry = tp_btf_nargs("page_fault_user") == 3 &&
		       (!p->kernel_tp || tp_btf_nargs("page_fault_kernel") == 3);
	p->raw_mmap = tp_btf_nargs("mmap_lock_acquire_returned") == 3 &&
		      tp_btf_nargs("mmap_lock_released") == 2;
	/* (address, flags, fault, duration_ns); misses and retries then come
	 * from the vma_lock tracepoints */
	p->done_tp = p->patch_tp &&
		     probe_tracepoint("exceptions", "page_fault_done") &&
		     tp_btf_nargs("page_fault_done") == 4;

	p->precise = probe_precise(need_lvur ? hmf_lvur_funcs : hmf_funcs, true);
	p->precise_ok = p->precise != PRECISE_NONE;
	if (!p->precise_ok)
		snprintf(p->precise_why, sizeof(p->precise_why),
			 "neither fentry/fexit nor kprobes work on %s (%s)",
			 need_lvur ? "handle_mm_fault+lock_vma_under_rcu" :
				     "handle_mm_fault",
			 probe_last_error());

	p->tp_ok = pf_user && ml_acq && ml_rel && sw_min && sw_maj;
	if (!pf_user)
		snprintf(p->tp_why, sizeof(p->tp_why),
			 "no tracepoint exceptions:page_fault_user (x86 only)");
	else if (!ml_acq || !ml_rel)
		snprintf(p->tp_why, sizeof(p->tp_why),
			 "no mmap_lock:* tracepoints");
	else if (!sw_min || !sw_maj)
		snprintf(p->tp_why, sizeof(p->tp_why),
			 "perf software events minor/major-faults cannot be opened (perf_event_paranoid?)");
	/*
	 * page_fault_done serves both modes: it is a tracepoint, and exact
	 * (the kernel says how each fault completed, as fexit would), at
	 * one raw tracepoint per fault instead of two to three probes.
	 */
	if (p->done_tp) {
		p->precise = PRECISE_NONE;
		p->precise_ok = p->tp_ok = true;
	}
}

int fb_plan_resolve(const char *cmd, enum attach_mode req, struct fb_plan *p)
{
	if (mode_resolve(cmd, req, p->precise_ok, p->precise_why, p->tp_ok,
			 p->tp_why, &p->mode))
		return -1;
	/* the tracepoint mode needs tp_format offsets to match our layout */
	if (p->kernel_tp && tp_field_offset("exceptions", "page_fault_kernel",
					    "address") != 8)
		p->kernel_tp = false;
	return 0;
}

/*
 * vmalock's per-process slots (include/vmalock.h): VL_SLOTS, or for tests
 * MMSCOPE_VL_SLOTS (a power of two), so few that processes share slots and
 * take over those of exited ones, which the fast path must get right.
 */
static int vl_slots_setup(const char *cmd, struct fault_bpf *skel)
{
	const char *env = getenv("MMSCOPE_VL_SLOTS");
	unsigned long n = VL_SLOTS;
	char *end;

	if (env && *env) {
		n = strtoul(env, &end, 10);
		if (*end || !n || n > VL_SLOTS || (n & (n - 1))) {
			err_msg("%s: MMSCOPE_VL_SLOTS must be a power of two from 1 to %d",
				cmd, VL_SLOTS);
			return -1;
		}
	}
	skel->rodata->vl_slot_mask = n - 1;
	return bpf_map__set_max_entries(skel->maps.vl_slots, n);
}

static bool is_entry_prog(const char *name)
{
	return !strcmp(name, "fb_fault_user") || !strcmp(name, "fb_fault_kernel") ||
	       !strcmp(name, "fb_raw_fault_user") || !strcmp(name, "fb_raw_fault_kernel");
}

static bool prog_wanted_base(const char *name, const struct fb_plan *p);

/*
 * The closing programs come in pairs, NAME and NAME_ev (the same with the
 * --events stream): one of each pair loads.
 */
static bool prog_wanted(const char *name, const struct fb_plan *p)
{
	size_t n = strlen(name);

	if (n > 3 && !strcmp(name + n - 3, "_ev")) {
		char base[64];

		if (!p->events || n - 3 >= sizeof(base))
			return false;
		memcpy(base, name, n - 3);
		base[n - 3] = 0;
		return prog_wanted_base(base, p);
	}
	if (p->events && (!strcmp(name, "fb_close_minor") || !strcmp(name, "fb_close_major") ||
			  !strcmp(name, "fb_hmf_exit") || !strcmp(name, "fb_hmf_kretprobe") ||
			  !strcmp(name, "fb_raw_fault_done")))
		return false;
	return prog_wanted_base(name, p);
}

static bool prog_wanted_base(const char *name, const struct fb_plan *p)
{
	bool precise = p->mode == MODE_PRECISE;
	bool fentry = precise && p->precise == PRECISE_FENTRY;
	bool kprobe = precise && p->precise == PRECISE_KPROBE;

	if (!strcmp(name, "fb_exec"))	/* names across exec: every mode */
		return true;
	if (!strcmp(name, "fb_raw_fault_done"))
		return p->done_tp;
	if (p->done_tp)		/* that and the rare vma_lock events only */
		return !strcmp(name, "vl_tp_miss") || !strcmp(name, "vl_tp_retry");

	if (!strcmp(name, "fb_fault_user"))
		return p->entry_tp && !p->raw_entry;
	if (!strcmp(name, "fb_fault_kernel"))
		return p->entry_tp && p->kernel_tp && !p->raw_entry;
	if (!strcmp(name, "fb_raw_fault_user"))
		return p->entry_tp && p->raw_entry;
	if (!strcmp(name, "fb_raw_fault_kernel"))
		return p->entry_tp && p->kernel_tp && p->raw_entry;
	if (!strcmp(name, "fb_mmap_acquired") || !strcmp(name, "fb_mmap_released"))
		return !precise && !p->raw_mmap;
	if (!strcmp(name, "fb_raw_mmap_acquired") || !strcmp(name, "fb_raw_mmap_released"))
		return !precise && p->raw_mmap;
	if (!strcmp(name, "fb_close_minor") || !strcmp(name, "fb_close_major"))
		return !precise;
	if (!strcmp(name, "fb_hmf_entry"))
		return fentry && !p->entry_tp;	/* fentry only for the entry time */
	if (!strcmp(name, "fb_hmf_exit") || !strcmp(name, "vl_lvur_exit"))
		return fentry && (p->need_lvur || strcmp(name, "vl_lvur_exit"));
	if (!strcmp(name, "fb_hmf_kprobe") || !strcmp(name, "fb_hmf_kretprobe"))
		return kprobe;
	if (!strcmp(name, "vl_lvur_kretprobe"))
		return kprobe && p->need_lvur;
	/*
	 * Patch tracepoints. Precise mode counts retries and misses itself
	 * and derives lock-taken and fallback from how faults completed; of
	 * these it needs only the miss reasons (rare), not vma_lock_success
	 * on every fault.
	 */
	if (!strcmp(name, "vl_tp_miss"))
		return p->patch_tp;
	if (!strncmp(name, "vl_tp_", 6))
		return p->patch_tp && !precise;
	return true;	/* tracer-specific programs decide for themselves */
}

static void fb_plan_autoload(struct bpf_object *obj, const struct fb_plan *p)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, prog_wanted(bpf_program__name(prog), p));
}

static void fb_detach(struct fb_links *l);

/*
 * Attach the loaded programs: all but the fault entry, or (entry_only) just
 * the fault entry. Appends to l; -1 after a one-line error.
 */
static int fb_attach(const char *cmd, struct bpf_object *obj, struct fb_links *l,
		     bool entry_only)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		struct perf_links *pl;
		int i;

		if (!bpf_program__autoload(prog))
			continue;
		if (is_entry_prog(name) != entry_only)
			continue;
		if (!strncmp(name, "fb_close_minor", 14) || !strncmp(name, "fb_close_major", 14)) {
			i = !strncmp(name, "fb_close_major", 14);
			pl = calloc(1, sizeof(*pl));
			if (!pl)
				goto nomem;
			l->pl[i] = pl;
			err = perf_sw_attach_all(prog, i ? PERF_COUNT_SW_PAGE_FAULTS_MAJ :
						 PERF_COUNT_SW_PAGE_FAULTS_MIN, pl);
			if (err) {
				err_msg("%s: cannot attach to perf %s-faults events: %s",
					cmd, i ? "major" : "minor", strerror(-err));
				return -1;
			}
			continue;
		}
		if (l->n >= (int)ARRAY_SIZE(l->links))
			goto nomem;
		l->links[l->n] = bpf_program__attach(prog);
		if (!l->links[l->n]) {
			err_msg("%s: cannot attach %s (%s): %s", cmd, name,
				bpf_program__section_name(prog), strerror(errno));
			return -1;
		}
		l->n++;
	}
	return 0;
nomem:
	err_msg("%s: out of memory attaching programs", cmd);
	return -1;
}

static void fb_detach(struct fb_links *l)
{
	for (int i = 0; i < l->n; i++)
		bpf_link__destroy(l->links[i]);
	l->n = 0;
	for (int i = 0; i < 2; i++) {
		if (l->pl[i]) {
			perf_links_destroy(l->pl[i]);
			free(l->pl[i]);
			l->pl[i] = NULL;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The fault object, shared by vmalock and faultlat in one process.    */

struct fb_inst {
	struct fault_bpf *skel;
	struct fb_plan plan;
	struct fb_links links;
	int refs;
	unsigned use;		/* FB_USE_* */
	bool entry_attached;
	/* what it was loaded for: joiners must match */
	__u32 tgid;
	char comm[16];
	enum attach_mode req;
	bool events;		/* loaded with faultlat --events on */
};

static struct fb_inst *fb_shared;

static void fb_inst_free(struct fb_inst *fi)
{
	if (!fi)
		return;
	fb_detach(&fi->links);
	fault_bpf__destroy(fi->skel);
	if (fb_shared == fi)
		fb_shared = NULL;
	free(fi);
}

static struct fb_inst *fb_inst_load(const char *cmd, const struct common_opts *o,
				    bool need_lvur, bool events)
{
	struct fb_inst *fi = calloc(1, sizeof(*fi));
	int err;

	if (!fi) {
		err_msg("%s: out of memory", cmd);
		return NULL;
	}
	fi->tgid = o->pid;
	snprintf(fi->comm, sizeof(fi->comm), "%s", o->comm);
	fi->req = o->mode;
	fb_plan_probe(&fi->plan, need_lvur);
	if (fb_plan_resolve(cmd, o->mode, &fi->plan))
		goto fail;
	fi->skel = fault_bpf__open();
	if (!fi->skel) {
		err_msg("%s: cannot open BPF object: %s", cmd, strerror(errno));
		goto fail;
	}
	fi->skel->rodata->targ_tgid = o->pid;
	fi->skel->rodata->targ_filter = o->pid || o->comm[0];
	fb_comm_words(o->comm, (unsigned long long *)fi->skel->rodata->targ_comm);
	fi->skel->rodata->fb_precise = fi->plan.mode == MODE_PRECISE;
	fi->skel->rodata->fb_entry_at_hmf = !fi->plan.entry_tp;
	fi->skel->rodata->fb_done = fi->plan.done_tp;
	fi->events = events;
	fi->plan.events = events;
	/*
	 * The stream's buffer only when it is on (else a page: the map must
	 * exist). MMSCOPE_FL_EVENTS_RB_BYTES (a power of two, tests only)
	 * shrinks it so that the drop counter can be checked.
	 */
	{
		long rb = sysconf(_SC_PAGESIZE);
		const char *env = getenv("MMSCOPE_FL_EVENTS_RB_BYTES");

		if (events)
			rb = env ? atol(env) :	/* as compiled: FL_EVENTS_RB_BYTES */
			     (long)bpf_map__max_entries(fi->skel->maps.fl_events_rb);
		if (rb < sysconf(_SC_PAGESIZE) || (rb & (rb - 1)) ||
		    bpf_map__set_max_entries(fi->skel->maps.fl_events_rb, rb)) {
			err_msg("%s: cannot size the event ring buffer to %ld bytes "
				"(a power of two, at least a page)", cmd, rb);
			goto fail;
		}
	}
	if (vl_slots_setup(cmd, fi->skel))
		goto fail;
	fb_plan_autoload(fi->skel->obj, &fi->plan);
	err = fault_bpf__load(fi->skel);
	if (err) {
		err_msg("%s: cannot load BPF programs in %s mode: %s (try --verbose)",
			cmd, mode_name(fi->plan.mode), strerror(-err));
		goto fail;
	}
	if (fi->plan.patch_tp &&
	    tp_check_offset(cmd, "vma_lock", "vma_lock_miss", "reason", 24))
		goto fail;
	/* the fault entry only matters for latencies: attached when
	 * faultlat joins (fb_inst_use) */
	if (fb_attach(cmd, fi->skel->obj, &fi->links, false))
		goto fail;
	return fi;
fail:
	fb_inst_free(fi);
	return NULL;
}

struct fb_inst *fb_inst_get(const char *cmd, const struct common_opts *o,
			    unsigned use, bool need_lvur)
{
	struct fb_inst *fi = fb_shared;

	if (!fi || fi->tgid != (__u32)o->pid || strncmp(fi->comm, o->comm, 15) ||
	    fi->req != o->mode || fi->events != !!(use & FB_USE_EVENTS) ||
	    (need_lvur && !fi->plan.need_lvur && fi->plan.mode == MODE_PRECISE)) {
		fi = fb_inst_load(cmd, o, need_lvur, use & FB_USE_EVENTS);
		if (!fi)
			return NULL;
		if (!fb_shared)
			fb_shared = fi;
	}
	fi->refs++;
	if (fb_inst_use(cmd, fi, use)) {
		fb_inst_put(fi, 0);
		return NULL;
	}
	return fi;
}

int fb_inst_use(const char *cmd, struct fb_inst *fi, unsigned use)
{
	if ((use & FB_USE_LAT) && !fi->entry_attached) {
		if (fb_attach(cmd, fi->skel->obj, &fi->links, true))
			return -1;
		fi->entry_attached = true;
	}
	fi->use |= use;
	__atomic_store_n(&fi->skel->bss->fb_use, fi->use, __ATOMIC_SEQ_CST);
	return 0;
}

void fb_inst_put(struct fb_inst *fi, unsigned use)
{
	if (!fi)
		return;
	fi->use &= ~use;
	__atomic_store_n(&fi->skel->bss->fb_use, fi->use, __ATOMIC_SEQ_CST);
	if (--fi->refs <= 0)
		fb_inst_free(fi);
}

struct fault_bpf *fb_inst_skel(struct fb_inst *fi)
{
	return fi->skel;
}

const struct fb_plan *fb_inst_plan(struct fb_inst *fi)
{
	return &fi->plan;
}

const char *fb_hooks_name(const struct fb_plan *p)
{
	if (p->done_tp)
		return "page_fault_done";
	if (p->mode == MODE_PRECISE)
		return p->precise == PRECISE_KPROBE ? "kprobe" : "fexit";
	return "page_fault_user+perf";
}

void fb_probe_json(struct json_object *out, bool need_lvur)
{
	struct fb_plan p;
	struct json_object *modes = json_object_new_object(), *m;
	enum attach_mode resolved;

	fb_plan_probe(&p, need_lvur);
	m = json_object_new_object();
	json_object_object_add(m, "available", json_object_new_boolean(p.precise_ok));
	json_object_object_add(m, "via", p.done_tp ?
		json_object_new_string("page_fault_done+vma_lock patch tracepoints") :
		p.precise_ok ? json_object_new_string(precise_kind_name(p.precise)) : NULL);
	json_object_object_add(m, "why", p.precise_ok ? NULL :
			       json_object_new_string(p.precise_why));
	json_object_object_add(modes, "precise", m);
	m = json_object_new_object();
	json_object_object_add(m, "available", json_object_new_boolean(p.tp_ok));
	json_object_object_add(m, "via", p.tp_ok ? json_object_new_string(
		p.done_tp ? "page_fault_done+vma_lock patch tracepoints" :
		p.patch_tp ? "page_fault_user+perf sw events+mmap_lock+vma_lock patch tracepoints"
			   : "page_fault_user+perf sw events+mmap_lock tracepoints") : NULL);
	json_object_object_add(m, "why", p.tp_ok ? NULL :
			       json_object_new_string(p.tp_why));
	json_object_object_add(modes, "tracepoint", m);
	json_object_object_add(out, "modes", modes);
	resolved = p.precise_ok ? MODE_PRECISE : MODE_TRACEPOINT;
	json_object_object_add(out, "auto", (p.precise_ok || p.tp_ok) ?
			       json_object_new_string(mode_name(resolved)) : NULL);
	json_object_object_add(out, "patch_tracepoints",
			       json_object_new_boolean(p.patch_tp));
	json_object_object_add(out, "fault_done_tracepoint",
			       json_object_new_boolean(p.done_tp));
}

void fb_comm_words(const char *comm, unsigned long long words[2])
{
	char buf[16] = { 0 };

	memcpy(buf, comm, strnlen(comm, 15));
	memcpy(words, buf, 16);
}

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
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].tgid == tgid)
			return &s->procs[i];
	if (s->nprocs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct vl_proc *n = realloc(s->procs, cap * sizeof(*n));

		if (!n)
			return NULL;
		s->procs = n;
		s->cap = cap;
	}
	memset(&s->procs[s->nprocs], 0, sizeof(s->procs[0]));
	s->procs[s->nprocs].tgid = tgid;
	return &s->procs[s->nprocs++];
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
 * All keys of a hash map, collected before any is deleted: get_next_key on
 * a deleted key starts over from the first one. *out is malloc'ed (or NULL
 * when the map is empty); -1 when out of memory.
 */
static int map_keys(int fd, size_t key_size, void **out, size_t *n)
{
	size_t cap = 0;
	char *keys = NULL, *prev = NULL;

	*n = 0;
	for (;;) {
		if (*n == cap) {
			char *k = realloc(keys, (cap = cap ? 2 * cap : 256) * key_size);

			if (!k) {
				free(keys);
				return -1;
			}
			keys = k;
			prev = *n ? keys + (*n - 1) * key_size : NULL;
		}
		if (bpf_map_get_next_key(fd, prev, keys + *n * key_size))
			break;
		prev = keys + (*n)++ * key_size;
	}
	*out = keys;
	return 0;
}

static bool proc_exited(__u32 tgid)
{
	return kill((pid_t)tgid, 0) && errno == ESRCH;
}

int fb_exec_name(struct fault_bpf *skel, __u32 tgid, char comm[16],
		 char first[16], __u32 *execs)
{
	struct fb_exec e;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fb_execs), &tgid, &e))
		return -1;
	memcpy(comm, e.comm, 16);
	comm[15] = 0;
	/* the first name only when it differs: `sh -c exec x` keeps "x" */
	if (e.first[0] && strncmp(e.first, e.comm, 16))
		memcpy(first, e.first, 16);
	first[15] = 0;
	*execs = e.execs;
	return 0;
}

/*
 * Two steps, so that both users of a shared object (mmscope top) read a
 * process's names after it exited: mark at the first read that finds it
 * gone, delete at a later one.
 */
void fb_execs_gc(struct fault_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.fb_execs);
	__u32 *keys;
	size_t n;

	if (map_keys(fd, sizeof(*keys), (void **)&keys, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct fb_exec e;

		if (!proc_exited(keys[i]) || bpf_map_lookup_elem(fd, &keys[i], &e))
			continue;
		if (e.gone) {
			bpf_map_delete_elem(fd, &keys[i]);
		} else {
			e.gone = 1;
			bpf_map_update_elem(fd, &keys[i], &e, BPF_EXIST);
		}
	}
	free(keys);
}

void fb_name_json(struct json_object *row, const char *comm,
		  const char *first, __u32 execs)
{
	json_object_object_add(row, "comm", json_object_new_string(comm));
	if (first && first[0])
		json_object_object_add(row, "comm_at_start", json_object_new_string(first));
	if (execs)
		json_object_object_add(row, "execs", json_object_new_int64(execs));
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

	if (map_keys(fd, sizeof(*keys), (void **)&keys, &n))
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

	if (map_keys(fd_own, sizeof(*keys), (void **)&keys, &n))
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

static __s64 jint(struct json_object *o, const char *k)
{
	return json_object_get_int64(json_object_object_get(o, k));
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
		final ? "SUMMARY" : "interval", secs, (long long)jint(t, "faults"),
		json_object_get_double(json_object_object_get(t, "faults_per_s")),
		(long long)jint(t, "vma_lock"), (long long)jint(t, "mmap_lock"),
		(long long)jint(t, "kernel"), (long long)jint(t, "unbracketed"),
		na(t, "miss", b1, sizeof(b1)), na(t, "retry", b2, sizeof(b2)));
	if (vm)
		fprintf(f, "  vmstat: success %lld  abort %lld  retry %lld  miss %lld\n",
			(long long)jint(vm, "vma_lock_success"),
			(long long)jint(vm, "vma_lock_abort"),
			(long long)jint(vm, "vma_lock_retry"),
			(long long)jint(vm, "vma_lock_miss"));
	if (!n)
		return;
	fprintf(f, "  %7s %-16s %10s %10s %10s %8s %7s %8s %8s\n", "PID", "COMM",
		"FAULTS", "VMA_LOCK", "MMAP_LOCK", "KERNEL", "MAJOR", "MISS", "RETRY");
	for (size_t i = 0; i < n && (vl_top >= 0 || final || i < 20); i++) {
		struct json_object *r = json_object_array_get_idx(procs, i);

		fprintf(f, "  %7lld %-16s %10lld %10lld %10lld %8lld %7lld %8s %8s\n",
			(long long)jint(r, "pid"),
			json_object_get_string(json_object_object_get(r, "comm")),
			(long long)jint(r, "faults"), (long long)jint(r, "vma_lock"),
			(long long)jint(r, "mmap_lock"), (long long)jint(r, "kernel"),
			(long long)jint(r, "major"), na(r, "miss", b1, sizeof(b1)),
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
