// SPDX-License-Identifier: GPL-2.0
/*
 * The fault bracket's user-space half (fault_bracket.h): probe the kernel,
 * pick the mode, choose which programs of bpf/fault.bpf.c load, attach them,
 * and keep the one fault object a process shares between vmalock and
 * faultlat (mmscope top, sga-bench's in-process faultlat).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "fault_bracket.h"
#include "bpfread.h"
#include "perfev.h"
#include "probe.h"
#include "tpformat.h"
#include "util.h"
#include "fault.skel.h"

static const char *const funcs_fault_only[] = { "handle_mm_fault", NULL };
static const char *const funcs_with_lock_vma[] = { "handle_mm_fault",
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

void fb_plan_probe(struct fb_plan *p, bool need_lock_vma_under_rcu)
{
	bool pf_user, ml_acq, ml_rel, sw_min, sw_maj;

	memset(p, 0, sizeof(*p));
	p->need_lock_vma_under_rcu = need_lock_vma_under_rcu;
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

	p->precise = probe_precise(need_lock_vma_under_rcu ? funcs_with_lock_vma : funcs_fault_only, true);
	p->precise_ok = p->precise != PRECISE_NONE;
	if (!p->precise_ok)
		snprintf(p->precise_why, sizeof(p->precise_why),
			 "neither fentry/fexit nor kprobes work on %s (%s)",
			 need_lock_vma_under_rcu ? "handle_mm_fault+lock_vma_under_rcu" :
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

/* Resolve --mode; prints the one-line error and returns -1 when unusable. */
static int fb_plan_resolve(const char *cmd, enum attach_mode req, struct fb_plan *p)
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

/* What the plan says, as facts for the program table. */
enum {
	FB_DONE = 1 << 0,	/* page_fault_done closes each fault */
	FB_PRECISE = 1 << 1,	/* precise mode */
	FB_FENTRY = 1 << 2,	/* precise through fentry/fexit */
	FB_KPROBE = 1 << 3,	/* precise through kprobes */
	FB_ENTRY_TP = 1 << 4,	/* exceptions:page_fault_user */
	FB_RAW_ENTRY = 1 << 5,	/* ... as raw tracepoints */
	FB_KERNEL_TP = 1 << 6,	/* exceptions:page_fault_kernel */
	FB_RAW_MMAP = 1 << 7,	/* mmap_lock:* as raw tracepoints */
	FB_PATCH = 1 << 8,	/* vma_lock:* patch tracepoints */
	FB_LOCK_VMA_UNDER_RCU = 1 << 9,	/* vmalock wants lock_vma_under_rcu */
	FB_EVENTS = 1 << 10,	/* faultlat --events: the _ev closing programs */
};

static unsigned int fb_plan_facts(const struct fb_plan *p)
{
	bool precise = p->mode == MODE_PRECISE;

	return (p->done_tp ? FB_DONE : 0) | (precise ? FB_PRECISE : 0) |
	       (precise && p->precise == PRECISE_FENTRY ? FB_FENTRY : 0) |
	       (precise && p->precise == PRECISE_KPROBE ? FB_KPROBE : 0) |
	       (p->entry_tp ? FB_ENTRY_TP : 0) | (p->raw_entry ? FB_RAW_ENTRY : 0) |
	       (p->kernel_tp ? FB_KERNEL_TP : 0) | (p->raw_mmap ? FB_RAW_MMAP : 0) |
	       (p->patch_tp ? FB_PATCH : 0) | (p->need_lock_vma_under_rcu ? FB_LOCK_VMA_UNDER_RCU : 0) |
	       (p->events ? FB_EVENTS : 0);
}

/*
 * Every program of bpf/fault.bpf.c and when it loads. With page_fault_done
 * (FB_DONE) that one program closes each fault, and of the rest only the
 * names across exec and the rare vma_lock events load. The closing
 * programs come in pairs, NAME and NAME_ev (the same with the --events
 * stream): one of each pair loads. Precise mode counts retries and misses
 * itself and derives lock-taken and fallback from how faults completed; of
 * the patch tracepoints it needs only the miss reasons (rare), not
 * vma_lock_success on every fault.
 */
static int fb_plan_autoload(const char *cmd, struct fault_bpf *k, const struct fb_plan *p)
{
	const struct prog_rule rules[] = {
		{ k->progs.fb_exec, 0, 0 },	/* names across exec: every mode */
		{ k->progs.fb_raw_fault_done, FB_DONE, FB_EVENTS },
		{ k->progs.fb_raw_fault_done_ev, FB_DONE | FB_EVENTS, 0 },
		{ k->progs.vl_tp_miss, FB_PATCH, 0 },	/* FB_DONE implies FB_PATCH */
		{ k->progs.vl_tp_retry, FB_DONE, 0 },
		{ k->progs.vl_tp_retry, FB_PATCH, FB_PRECISE | FB_DONE },
		{ k->progs.vl_tp_success, FB_PATCH, FB_PRECISE | FB_DONE },
		{ k->progs.vl_tp_fallback, FB_PATCH, FB_PRECISE | FB_DONE },
		/* the fault entry */
		{ k->progs.fb_fault_user, FB_ENTRY_TP, FB_RAW_ENTRY | FB_DONE },
		{ k->progs.fb_fault_kernel, FB_ENTRY_TP | FB_KERNEL_TP, FB_RAW_ENTRY | FB_DONE },
		{ k->progs.fb_raw_fault_user, FB_ENTRY_TP | FB_RAW_ENTRY, FB_DONE },
		{ k->progs.fb_raw_fault_kernel, FB_ENTRY_TP | FB_KERNEL_TP | FB_RAW_ENTRY, FB_DONE },
		/* tracepoint mode: mmap_lock, closed by the perf fault events */
		{ k->progs.fb_mmap_acquired, 0, FB_PRECISE | FB_RAW_MMAP | FB_DONE },
		{ k->progs.fb_mmap_released, 0, FB_PRECISE | FB_RAW_MMAP | FB_DONE },
		{ k->progs.fb_raw_mmap_acquired, FB_RAW_MMAP, FB_PRECISE | FB_DONE },
		{ k->progs.fb_raw_mmap_released, FB_RAW_MMAP, FB_PRECISE | FB_DONE },
		{ k->progs.fb_close_minor, 0, FB_PRECISE | FB_DONE | FB_EVENTS },
		{ k->progs.fb_close_major, 0, FB_PRECISE | FB_DONE | FB_EVENTS },
		{ k->progs.fb_close_minor_ev, FB_EVENTS, FB_PRECISE | FB_DONE },
		{ k->progs.fb_close_major_ev, FB_EVENTS, FB_PRECISE | FB_DONE },
		/* precise: fentry only for the entry time */
		{ k->progs.fb_hmf_entry, FB_FENTRY, FB_ENTRY_TP | FB_DONE },
		{ k->progs.fb_hmf_exit, FB_FENTRY, FB_DONE | FB_EVENTS },
		{ k->progs.fb_hmf_exit_ev, FB_FENTRY | FB_EVENTS, FB_DONE },
		{ k->progs.vl_lvur_exit, FB_FENTRY | FB_LOCK_VMA_UNDER_RCU, FB_DONE },
		{ k->progs.fb_hmf_kprobe, FB_KPROBE, FB_DONE },
		{ k->progs.fb_hmf_kretprobe, FB_KPROBE, FB_DONE | FB_EVENTS },
		{ k->progs.fb_hmf_kretprobe_ev, FB_KPROBE | FB_EVENTS, FB_DONE },
		{ k->progs.vl_lvur_kretprobe, FB_KPROBE | FB_LOCK_VMA_UNDER_RCU, FB_DONE },
	};

	return prog_rules_apply(cmd, k->obj, rules, ARRAY_SIZE(rules), fb_plan_facts(p));
}

/* The fault entry programs, attached only once latencies are wanted. */
static bool is_entry_prog(const struct fault_bpf *k, const struct bpf_program *prog)
{
	return prog == k->progs.fb_fault_user || prog == k->progs.fb_fault_kernel ||
	       prog == k->progs.fb_raw_fault_user || prog == k->progs.fb_raw_fault_kernel;
}

static void fb_detach(struct fb_links *l);

/*
 * Attach the loaded programs: all but the fault entry, or (entry_only) just
 * the fault entry. Appends to l; -1 after a one-line error.
 */
static int fb_attach(const char *cmd, struct fault_bpf *k, struct fb_links *l,
		     bool entry_only)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, k->obj) {
		const char *name = bpf_program__name(prog);
		bool minor = prog == k->progs.fb_close_minor || prog == k->progs.fb_close_minor_ev;
		bool major = prog == k->progs.fb_close_major || prog == k->progs.fb_close_major_ev;
		struct perf_links *pl;

		if (!bpf_program__autoload(prog))
			continue;
		if (is_entry_prog(k, prog) != entry_only)
			continue;
		/* the perf fault events, one link per CPU each */
		if (minor || major) {
			pl = calloc(1, sizeof(*pl));
			if (!pl)
				goto nomem;
			l->pl[major] = pl;
			err = perf_sw_attach_all(prog, major ? PERF_COUNT_SW_PAGE_FAULTS_MAJ :
						 PERF_COUNT_SW_PAGE_FAULTS_MIN, pl);
			if (err) {
				err_msg("%s: cannot attach to perf %s-faults events: %s",
					cmd, major ? "major" : "minor", strerror(-err));
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

/* comm/pid filters into the two rodata words (common.bpf.h). */
static void fb_comm_words(const char *comm, unsigned long long words[2])
{
	char buf[16] = { 0 };

	memcpy(buf, comm, strnlen(comm, 15));
	memcpy(words, buf, 16);
}

static struct fb_inst *fb_inst_load(const char *cmd, const struct common_opts *o,
				    bool need_lock_vma_under_rcu, bool events)
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
	fb_plan_probe(&fi->plan, need_lock_vma_under_rcu);
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
	if (fb_plan_autoload(cmd, fi->skel, &fi->plan))
		goto fail;
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
	if (fb_attach(cmd, fi->skel, &fi->links, false))
		goto fail;
	return fi;
fail:
	fb_inst_free(fi);
	return NULL;
}

struct fb_inst *fb_inst_get(const char *cmd, const struct common_opts *o,
			    unsigned use, bool need_lock_vma_under_rcu)
{
	struct fb_inst *fi = fb_shared;

	if (!fi || fi->tgid != (__u32)o->pid || strncmp(fi->comm, o->comm, 15) ||
	    fi->req != o->mode || fi->events != !!(use & FB_USE_EVENTS) ||
	    (need_lock_vma_under_rcu && !fi->plan.need_lock_vma_under_rcu && fi->plan.mode == MODE_PRECISE)) {
		fi = fb_inst_load(cmd, o, need_lock_vma_under_rcu, use & FB_USE_EVENTS);
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
		if (fb_attach(cmd, fi->skel, &fi->links, true))
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

void fb_probe_json(struct json_object *out, bool need_lock_vma_under_rcu)
{
	struct fb_plan p;
	struct json_object *modes = json_object_new_object(), *m;
	enum attach_mode resolved;

	fb_plan_probe(&p, need_lock_vma_under_rcu);
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

/* ------------------------------------------------------------------ */
/* Names across exec (struct fb_exec), for both tracers' rows.         */

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

	if (map_keys_all(fd, sizeof(*keys), (void **)&keys, &n))
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
