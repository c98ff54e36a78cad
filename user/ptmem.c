// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope ptmem: page-table memory, system-wide (/proc/meminfo PageTables,
 * SecPageTables), per process (mm->pgtables_bytes = VmPTE, read in BPF),
 * peaks, the value at exit of processes that ended, and (precise mode)
 * page-table pages allocated/freed per level. docs/schema/ptmem.md.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfread.h"
#include "commands.h"
#include "jsonout.h"
#include "perfev.h"
#include "probe.h"
#include "ptmem.h"
#include "ptmem.skel.h"
#include "tpformat.h"
#include "tracers.h"
#include "util.h"

#define DEFAULT_EXITS	1000	/* exited processes listed per document (--exits) */
#define MAX_EXITS	1000000

static const char *const level_names[PTMEM_LEVELS] = { "pte", "pmd", "pud", "p4d" };

/* Functions the precise mode attaches to when the patch tracepoints are absent. */
static const char *const precise_funcs[] = {
	"pmd_install", "pgtable_trans_huge_deposit", "__pmd_alloc", "__pud_alloc",
	"___pte_free_tlb", "___pmd_free_tlb", "___pud_free_tlb", NULL,
};

/*
 * THP's corrections to those (bpf/ptmem.bpf.c), each attached where the
 * kernel lets us (collapse_huge_page is static: a kernel may inline it);
 * sources.levels_unseen lists the ones that were not.
 */
enum { THP_ZAP, THP_FREE_DEFER, THP_MOVE, THP_COLLAPSE, THP_NR };
static const char *const thp_funcs[THP_NR] = {
	"zap_huge_pmd", "pte_free_defer", "move_huge_pmd", "collapse_huge_page",
};
/* what is not counted without each */
static const char *const thp_unseen[THP_NR] = {
	"zap_huge_pmd: deposited PTE tables freed with a THP",
	"pte_free_defer: PTE tables khugepaged retracts",
	"move_huge_pmd: THPs moved by mremap count their deposited table again",
	"collapse_huge_page: collapses count the range's PTE table again",
};

static int top_n = 10;
static bool fault_samples;	/* --fault-samples: sample at every fault too */
static int max_exits = DEFAULT_EXITS;	/* --exits */

/*
 * A process's mms an exec replaced (PTMEM_F_EXEC exit records): not exits
 * of the process, folded into its row instead, so one pid is one row.
 */
struct pt_exec {
	__u32 tgid;
	__u32 execs;
	char first[16];		/* its name before the first exec seen */
	__s64 peak;		/* largest peak of the replaced mms */
	bool gone;		/* process seen exited at a report */
};

struct exit_rec {
	struct ptmem_exit e;
	double t;		/* wall time seen */
	struct pt_exec x;	/* x.execs 0: no exec seen */
};

struct ptmem_state {
	struct ptmem_bpf *skel;
	bool thp_ok[THP_NR];	/* THP correction attached (fentry/kprobe modes) */
	struct perf_links faults_min, faults_maj;
	struct bpf_link *iter;
	struct ring_buffer *rb;
	enum attach_mode mode;
	const char *levels_via;	/* "patch tracepoints", "fentry", "kprobe" or NULL */
	long long pt_start_kb, secpt_start_kb;
	/* exits of the current interval: all of them (unless out of memory) */
	struct exit_rec *ivl;
	int n_ivl, cap_ivl;
	unsigned long long ivl_seen;
	/*
	 * The whole run (summary): the max_exits largest peaks so far, a
	 * min-heap on the peak (all[0] is the smallest kept), so an exit
	 * arriving late is not lost to smaller ones that came first.
	 */
	struct exit_rec *all;
	int n_all;
	unsigned long long exits_total;
	struct pt_exec *execs;	/* live processes that exec'd while traced */
	int n_execs, cap_execs;
	unsigned long long exec_replaced;	/* mms replaced by exec */
};

static struct pt_exec *exec_find(struct ptmem_state *s, __u32 tgid)
{
	for (int i = 0; i < s->n_execs; i++)
		if (s->execs[i].tgid == tgid)
			return &s->execs[i];
	return NULL;
}

/* The pre-exec mm of a live process: remember it under the process. */
static void exec_note(struct ptmem_state *s, const struct ptmem_mm *st)
{
	struct pt_exec *x = exec_find(s, st->tgid);

	s->exec_replaced++;
	if (!x) {
		if (s->n_execs == s->cap_execs) {
			int cap = s->cap_execs ? 2 * s->cap_execs : 32;
			void *p = realloc(s->execs, cap * sizeof(*s->execs));

			if (!p)
				return;
			s->execs = p;
			s->cap_execs = cap;
		}
		x = &s->execs[s->n_execs++];
		memset(x, 0, sizeof(*x));
		x->tgid = st->tgid;
		memcpy(x->first, st->comm, sizeof(x->first));
		x->first[15] = 0;
		x->peak = -1;
	}
	x->execs++;
	if (st->peak > x->peak)
		x->peak = st->peak;
}

static void exec_forget(struct ptmem_state *s, struct pt_exec *x)
{
	*x = s->execs[--s->n_execs];
}

/* Drop processes seen exited at an earlier report (their exit record, if
 * any, was drained before this one). */
static void exec_gc(struct ptmem_state *s)
{
	for (int i = 0; i < s->n_execs; i++) {
		struct pt_exec *x = &s->execs[i];

		if (!(kill((pid_t)x->tgid, 0) && errno == ESRCH))
			continue;
		if (x->gone)
			exec_forget(s, x--);
		else
			x->gone = true;
	}
}

static void exec_json(struct json_object *o, const struct pt_exec *x)
{
	if (!x || !x->execs)
		return;
	json_object_object_add(o, "comm_at_start", json_object_new_string(x->first));
	json_object_object_add(o, "execs", json_object_new_int64(x->execs));
	json_object_object_add(o, "pre_exec_peak_bytes", json_object_new_int64(x->peak));
}

/* ---- probing ---- */

struct ptmem_caps {
	bool tp_ok, patch_tp, precise_ok;
	enum precise_kind fn;
	char tp_why[160], precise_why[200];
};

/*
 * MMSCOPE_PTMEM_KPROBES=1: the kprobe path where fentry works too, so that
 * the tests can check it (tracers scenario: ptmem_levels+kprobe).
 */
static bool kprobes_forced(void)
{
	const char *v = getenv("MMSCOPE_PTMEM_KPROBES");

	return v && *v && strcmp(v, "0");
}

static void ptmem_caps_get(struct ptmem_caps *c)
{
	static const char *const tps[][2] = {
		{ "mmap_lock", "mmap_lock_released" },
		{ "mmap_lock", "mmap_lock_acquire_returned" },
		{ "mmap", "exit_mmap" },
	};

	memset(c, 0, sizeof(*c));
	c->tp_ok = true;
	for (size_t i = 0; i < ARRAY_SIZE(tps) && c->tp_ok; i++)
		if (!probe_tracepoint(tps[i][0], tps[i][1])) {
			c->tp_ok = false;
			snprintf(c->tp_why, sizeof(c->tp_why),
				 "tracepoint %s:%s missing", tps[i][0], tps[i][1]);
		}
	if (c->tp_ok && fault_samples && !probe_perf_sw(PERF_COUNT_SW_PAGE_FAULTS_MIN)) {
		c->tp_ok = false;
		snprintf(c->tp_why, sizeof(c->tp_why),
			 "perf software event minor-faults: %s", probe_last_error());
	}
	c->patch_tp = probe_tracepoint("pgtable", "pgtable_alloc") &&
		      probe_tracepoint("pgtable", "pgtable_free");
	c->fn = c->patch_tp ? PRECISE_NONE : probe_precise(precise_funcs, true);
	if (c->fn == PRECISE_FENTRY && kprobes_forced()) {
		c->fn = PRECISE_KPROBE;
		for (const char *const *f = precise_funcs; *f && c->fn; f++)
			if (!probe_kprobe(*f, false) || !probe_kprobe(*f, true))
				c->fn = PRECISE_NONE;
	}
	c->precise_ok = c->tp_ok && (c->patch_tp || c->fn != PRECISE_NONE);
	if (!c->tp_ok)
		snprintf(c->precise_why, sizeof(c->precise_why),
			 "needs the tracepoint-mode events too: %s", c->tp_why);
	else if (!c->precise_ok)
		snprintf(c->precise_why, sizeof(c->precise_why),
			 "no pgtable:pgtable_alloc tracepoint (kernel patch) and "
			 "neither fentry nor kprobes on pmd_install/__pmd_alloc/"
			 "___pte_free_tlb... (%s)", probe_last_error());
}

static void ptmem_probe(struct json_object *out)
{
	struct json_object *modes = json_object_new_object();
	struct json_object *p = json_object_new_object(), *t = json_object_new_object();
	struct ptmem_caps c;

	ptmem_caps_get(&c);
	json_object_object_add(p, "available", json_object_new_boolean(c.precise_ok));
	json_object_object_add(p, "via", json_object_new_string(
		c.patch_tp ? "tracepoint pgtable:pgtable_alloc/free" :
		precise_kind_name(c.fn)));
	if (!c.precise_ok)
		json_object_object_add(p, "why", json_object_new_string(c.precise_why));
	json_object_object_add(t, "available", json_object_new_boolean(c.tp_ok));
	json_object_object_add(t, "via", json_object_new_string(
		fault_samples ? "perf sw faults + mmap_lock + mmap:exit_mmap, task iterator" :
				"mmap_lock + mmap:exit_mmap, task iterator"));
	if (!c.tp_ok)
		json_object_object_add(t, "why", json_object_new_string(c.tp_why));
	json_object_object_add(modes, "precise", p);
	json_object_object_add(modes, "tracepoint", t);
	json_object_object_add(out, "modes", modes);
	json_object_object_add(out, "auto", json_object_new_string(
		c.precise_ok ? "precise" : c.tp_ok ? "tracepoint" : "none"));
}

/* ---- start / stop ---- */

static bool peak_less(const struct exit_rec *a, const struct exit_rec *b)
{
	return a->e.st.peak < b->e.st.peak;
}

static void rec_swap(struct exit_rec *a, struct exit_rec *b)
{
	struct exit_rec t = *a;

	*a = *b;
	*b = t;
}

static void heap_down(struct exit_rec *h, int n, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && peak_less(&h[l], &h[m]))
			m = l;
		if (r < n && peak_less(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		rec_swap(&h[i], &h[m]);
		i = m;
	}
}

/*
 * Keep r in the min-heap h (n kept, at most cap) if it is among the cap
 * largest peaks seen so far: O(log cap). On a tie with the smallest kept,
 * the one kept first stays.
 */
static void keep_largest(struct exit_rec *h, int *n, int cap, const struct exit_rec *r)
{
	int i;

	if (*n < cap) {
		i = (*n)++;
		h[i] = *r;
		while (i > 0 && peak_less(&h[i], &h[(i - 1) / 2])) {
			rec_swap(&h[i], &h[(i - 1) / 2]);
			i = (i - 1) / 2;
		}
		return;
	}
	if (!cap || !peak_less(&h[0], r))
		return;
	h[0] = *r;
	heap_down(h, *n, 0);
}

static int on_exit_rec(void *ctx, void *data, size_t len)
{
	struct ptmem_state *s = ctx;
	struct exit_rec r = { .t = wall_time() };

	if (len < sizeof(r.e))
		return 0;
	memcpy(&r.e, data, sizeof(r.e));
	if (r.e.st.flags & PTMEM_F_EXEC) {
		exec_note(s, &r.e.st);
		return 0;
	}
	{
		struct pt_exec *x = exec_find(s, r.e.st.tgid);

		if (x) {
			r.x = *x;
			exec_forget(s, x);
		}
	}
	s->exits_total++;
	s->ivl_seen++;
	keep_largest(s->all, &s->n_all, max_exits, &r);
	if (s->n_ivl == s->cap_ivl) {
		int cap = s->cap_ivl ? s->cap_ivl * 2 : 64;
		void *p = realloc(s->ivl, cap * sizeof(*s->ivl));

		if (!p)
			return 0;	/* counted as seen, not kept */
		s->ivl = p;
		s->cap_ivl = cap;
	}
	s->ivl[s->n_ivl++] = r;
	return 0;
}

static void ptmem_stop(void *p)
{
	struct ptmem_state *s = p;

	if (!s)
		return;
	ring_buffer__free(s->rb);
	bpf_link__destroy(s->iter);
	perf_links_destroy(&s->faults_min);
	perf_links_destroy(&s->faults_maj);
	ptmem_bpf__destroy(s->skel);
	free(s->ivl);
	free(s->all);
	free(s->execs);
	free(s);
}

/* Which THP corrections the fn kind can attach (s->thp_ok). */
static void probe_thp(struct ptmem_state *s, enum precise_kind fn)
{
	for (int i = 0; i < THP_NR; i++)
		s->thp_ok[i] = fn == PRECISE_FENTRY ? probe_fentry(thp_funcs[i]) :
			       fn == PRECISE_KPROBE ? probe_kprobe(thp_funcs[i], false) &&
				       (i == THP_FREE_DEFER || probe_kprobe(thp_funcs[i], true)) :
			       false;
}

/* Facts for the program table: how page-table levels are followed. */
enum {
	PM_PATCH = 1 << 0,	/* pgtable:* patch tracepoints (precise mode) */
	PM_FENTRY = 1 << 1,	/* precise through fentry/fexit */
	PM_KPROBE = 1 << 2,	/* precise through kprobes */
};
/* a THP correction that can attach (s->thp_ok[i]) */
#define PM_THP(i)	(1u << (3 + (i)))

/*
 * Every program of bpf/ptmem.bpf.c and when it loads: the patch
 * tracepoints where the kernel has them, else one fentry/fexit or kprobe
 * set per level function plus the THP corrections that can attach; in
 * tracepoint mode none of these (the snapshot and fault programs always).
 */
static int set_autoload_levels(struct ptmem_state *s, bool patch, enum precise_kind fn)
{
	struct ptmem_bpf *k = s->skel;
	const unsigned int fe = PM_FENTRY, kp = PM_KPROBE, off = PM_PATCH;
	const struct prog_rule rules[] = {
		{ k->progs.on_fault, 0, 0 },
		{ k->progs.on_lock_released, 0, 0 },
		{ k->progs.on_lock_acquired, 0, 0 },
		{ k->progs.on_exit_mmap, 0, 0 },
		{ k->progs.snap_tasks, 0, 0 },
		{ k->progs.tp_pgtable_alloc, PM_PATCH, 0 },
		{ k->progs.tp_pgtable_free, PM_PATCH, 0 },
		{ k->progs.fx_pmd_install, fe, off },
		{ k->progs.fe_deposit, fe, off },
		{ k->progs.fx_pmd_alloc, fe, off },
		{ k->progs.fx_pud_alloc, fe, off },
		{ k->progs.fe_pte_free_tlb, fe, off },
		{ k->progs.fe_pmd_free_tlb, fe, off },
		{ k->progs.fe_pud_free_tlb, fe, off },
		{ k->progs.kp_pmd_install, kp, off },
		{ k->progs.kr_pmd_install, kp, off },
		{ k->progs.kp_deposit, kp, off },
		{ k->progs.kp_pmd_alloc, kp, off },
		{ k->progs.kr_pmd_alloc, kp, off },
		{ k->progs.kp_pud_alloc, kp, off },
		{ k->progs.kr_pud_alloc, kp, off },
		{ k->progs.kp_pte_free_tlb, kp, off },
		{ k->progs.kp_pmd_free_tlb, kp, off },
		{ k->progs.kp_pud_free_tlb, kp, off },
		/* the THP corrections */
		{ k->progs.fx_zap_huge_pmd, fe | PM_THP(THP_ZAP), off },
		{ k->progs.fe_pte_free_defer, fe | PM_THP(THP_FREE_DEFER), off },
		{ k->progs.fe_move_huge_pmd, fe | PM_THP(THP_MOVE), off },
		{ k->progs.fx_move_huge_pmd, fe | PM_THP(THP_MOVE), off },
		{ k->progs.fe_collapse_huge_page, fe | PM_THP(THP_COLLAPSE), off },
		{ k->progs.fx_collapse_huge_page, fe | PM_THP(THP_COLLAPSE), off },
		{ k->progs.kp_zap_huge_pmd, kp | PM_THP(THP_ZAP), off },
		{ k->progs.kr_zap_huge_pmd, kp | PM_THP(THP_ZAP), off },
		{ k->progs.kp_pte_free_defer, kp | PM_THP(THP_FREE_DEFER), off },
		{ k->progs.kp_move_huge_pmd, kp | PM_THP(THP_MOVE), off },
		{ k->progs.kr_move_huge_pmd, kp | PM_THP(THP_MOVE), off },
		{ k->progs.kp_collapse_huge_page, kp | PM_THP(THP_COLLAPSE), off },
		{ k->progs.kr_collapse_huge_page, kp | PM_THP(THP_COLLAPSE), off },
	};
	unsigned int facts = (patch ? PM_PATCH : 0) |
			     (fn == PRECISE_FENTRY ? PM_FENTRY : 0) |
			     (fn == PRECISE_KPROBE ? PM_KPROBE : 0);

	for (int i = 0; i < THP_NR; i++)
		if (s->thp_ok[i])
			facts |= PM_THP(i);
	return prog_rules_apply("ptmem", k->obj, rules, ARRAY_SIZE(rules), facts);
}

static void *ptmem_start(const struct common_opts *o, enum attach_mode *mode)
{
	struct ptmem_state *s;
	struct ptmem_caps c;
	int err;

	ptmem_caps_get(&c);
	if (mode_resolve("ptmem", o->mode, c.precise_ok, c.precise_why,
			 c.tp_ok, c.tp_why, mode))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->all = calloc(max_exits, sizeof(*s->all)))) {
		err_msg("ptmem: out of memory");
		free(s);
		return NULL;
	}
	s->mode = *mode;
	s->skel = ptmem_bpf__open();
	if (!s->skel) {
		err_msg("ptmem: cannot open BPF object: %s", strerror(errno));
		goto fail;
	}
	s->skel->rodata->targ_tgid = o->pid;
	s->skel->rodata->targ_filter = o->pid || o->comm[0];
	memcpy((void *)s->skel->rodata->targ_comm, o->comm, sizeof(o->comm));
	if (*mode == MODE_PRECISE) {
		/* the patch tracepoints' record layout must match ours */
		if (c.patch_tp &&
		    (tp_check_offset("ptmem", "pgtable", "pgtable_alloc", "mm", 8) ||
		     tp_check_offset("ptmem", "pgtable", "pgtable_alloc", "level", 24) ||
		     tp_check_offset("ptmem", "pgtable", "pgtable_free", "level", 24)))
			goto fail;
		if (!c.patch_tp)
			probe_thp(s, c.fn);
		if (set_autoload_levels(s, c.patch_tp, c.fn))
			goto fail;
		s->levels_via = c.patch_tp ? "tracepoint pgtable:pgtable_alloc/free" :
				precise_kind_name(c.fn);
	} else if (set_autoload_levels(s, false, PRECISE_NONE)) {
		goto fail;
	}
	err = ptmem_bpf__load(s->skel);
	if (err) {
		err_msg("ptmem: cannot load BPF programs: %s (run with -v for the verifier log)",
			strerror(-err));
		goto fail;
	}
	err = ptmem_bpf__attach(s->skel);
	if (err) {
		err_msg("ptmem: cannot attach BPF programs: %s", strerror(-err));
		goto fail;
	}
	/* per-fault samples only when asked: they cost every fault */
	err = !fault_samples ? 0 :
	      perf_sw_attach_all(s->skel->progs.on_fault, PERF_COUNT_SW_PAGE_FAULTS_MIN,
				 &s->faults_min);
	if (!err && fault_samples)
		err = perf_sw_attach_all(s->skel->progs.on_fault,
					 PERF_COUNT_SW_PAGE_FAULTS_MAJ, &s->faults_maj);
	if (err) {
		err_msg("ptmem: cannot attach to the page-fault software events: %s",
			strerror(-err));
		goto fail;
	}
	s->iter = bpf_program__attach_iter(s->skel->progs.snap_tasks, NULL);
	if (!s->iter) {
		err_msg("ptmem: cannot create the task iterator: %s", strerror(errno));
		goto fail;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.exits), on_exit_rec, s, NULL);
	if (!s->rb) {
		err_msg("ptmem: cannot open the exit ring buffer: %s", strerror(errno));
		goto fail;
	}
	s->pt_start_kb = meminfo_kb("PageTables");
	s->secpt_start_kb = meminfo_kb("SecPageTables");
	return s;
fail:
	ptmem_stop(s);
	return NULL;
}

/* ---- collect ---- */

/* Run the task iterator: every process's (filtered) page-table bytes now. */
static int ptmem_snapshot(struct bpf_link *iter, struct ptmem_snap **out, int *n)
{
	size_t cnt;
	int err = iter_read_all(iter, sizeof(**out), (void **)out, &cnt);

	*n = err ? 0 : (int)cnt;
	return err;
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct ptmem_snap *x = a, *y = b;

	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

static int by_peak_desc(const void *a, const void *b)
{
	const struct exit_rec *x = a, *y = b;

	return (x->e.st.peak < y->e.st.peak) - (x->e.st.peak > y->e.st.peak);
}

static struct json_object *levels_json(const __u64 *alloc, const __u64 *freed)
{
	struct json_object *l = json_object_new_object();

	for (int i = 0; i < 3; i++) {	/* x86-64 4-level: P4D is folded */
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "alloc", json_object_new_uint64(alloc[i]));
		json_object_object_add(o, "free", json_object_new_uint64(freed[i]));
		json_object_object_add(l, level_names[i], o);
	}
	return l;
}

static struct json_object *exit_json(const struct ptmem_state *s, const struct exit_rec *r)
{
	struct json_object *o = json_object_new_object();
	const struct ptmem_mm *st = &r->e.st;

	json_object_object_add(o, "pid", json_object_new_int(st->tgid));
	json_object_object_add(o, "comm", json_object_new_string_len(st->comm,
				strnlen(st->comm, sizeof(st->comm))));
	json_object_object_add(o, "peak_bytes", json_object_new_int64(st->peak));
	json_object_object_add(o, "at_exit_bytes", json_object_new_int64(st->at_exit));
	json_object_object_add(o, "after_teardown_bytes",
			       json_object_new_int64(r->e.after_teardown));
	json_object_object_add(o, "exit_value_exact",
			       json_object_new_boolean(st->flags & PTMEM_F_EXITING));
	json_object_object_add(o, "samples", json_object_new_uint64(st->samples));
	if (s->levels_via)
		json_object_object_add(o, "levels", levels_json(st->alloc, st->freed));
	exec_json(o, &r->x);
	return o;
}

static __u64 counter_sum(struct ptmem_state *s, __u32 idx)
{
	return map_percpu_sum(bpf_map__fd(s->skel->maps.counters), idx);
}

static int ptmem_collect(void *p, double interval_s, bool final,
			 struct json_object *doc)
{
	struct ptmem_state *s = p;
	struct json_object *sys = json_object_new_object(), *procs, *ex, *src, *drop;
	struct ptmem_snap *snap = NULL;
	long long pt_kb, secpt_kb;
	long long sum = 0;
	int n = 0, err, mfd = bpf_map__fd(s->skel->maps.mms);
	struct exit_rec *list;
	int nlist, nkept;
	unsigned long long nseen;

	/* drain exits first, then snapshot: a process is in one or the other */
	ring_buffer__consume(s->rb);
	err = ptmem_snapshot(s->iter, &snap, &n);
	pt_kb = meminfo_kb("PageTables");
	secpt_kb = meminfo_kb("SecPageTables");
	if (err) {
		json_object_put(sys);
		err_msg("ptmem: task iterator failed: %s", strerror(-err));
		return -1;
	}

	json_object_object_add(sys, "pagetables_bytes", json_object_new_int64(pt_kb * 1024));
	json_object_object_add(sys, "pagetables_start_bytes",
			       json_object_new_int64(s->pt_start_kb * 1024));
	json_object_object_add(sys, "pagetables_delta_bytes",
			       json_object_new_int64((pt_kb - s->pt_start_kb) * 1024));
	if (secpt_kb >= 0)
		json_object_object_add(sys, "secpagetables_bytes",
				       json_object_new_int64(secpt_kb * 1024));
	json_object_object_add(sys, "source", json_object_new_string("/proc/meminfo"));
	json_object_object_add(doc, "system", sys);

	qsort(snap, n, sizeof(*snap), by_bytes_desc);
	procs = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct ptmem_mm st;
		bool seen = !bpf_map_lookup_elem(mfd, &snap[i].mm, &st);
		struct json_object *o;

		sum += snap[i].bytes;
		if (top_n && i >= top_n)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "pid", json_object_new_int(snap[i].tgid));
		json_object_object_add(o, "comm", json_object_new_string_len(snap[i].comm,
					strnlen(snap[i].comm, sizeof(snap[i].comm))));
		json_object_object_add(o, "pgtables_bytes", json_object_new_int64(snap[i].bytes));
		json_object_object_add(o, "peak_bytes", json_object_new_int64(
			seen && st.peak > snap[i].bytes ? st.peak : snap[i].bytes));
		json_object_object_add(o, "samples", json_object_new_uint64(seen ? st.samples : 0));
		exec_json(o, exec_find(s, snap[i].tgid));
		if (s->levels_via) {
			__u64 z[PTMEM_LEVELS] = {};

			json_object_object_add(o, "levels", seen ?
				levels_json(st.alloc, st.freed) : levels_json(z, z));
		}
		json_object_array_add(procs, o);
	}
	json_object_object_add(doc, "processes", procs);
	json_object_object_add(doc, "processes_total", json_object_new_int(n));
	json_object_object_add(doc, "processes_sum_bytes", json_object_new_int64(sum));

	/* the summary's are the largest already; an interval's are all of them */
	list = final ? s->all : s->ivl;
	nlist = final ? s->n_all : s->n_ivl;
	nseen = final ? s->exits_total : s->ivl_seen;
	nkept = nlist < max_exits ? nlist : max_exits;
	qsort(list, nlist, sizeof(*list), by_peak_desc);
	ex = json_object_new_array();
	for (int i = 0; i < nkept; i++)
		json_object_array_add(ex, exit_json(s, &list[i]));
	if (final)	/* sorted: the heap again, should a collect follow */
		for (int i = nlist / 2 - 1; i >= 0; i--)
			heap_down(list, nlist, i);
	json_object_object_add(doc, "exited", ex);
	json_object_object_add(doc, "exited_count", json_object_new_uint64(nseen));
	json_object_object_add(doc, "exited_kept", json_object_new_int(nkept));
	json_object_object_add(doc, "exec_replaced_count",
			       json_object_new_uint64(s->exec_replaced));
	exec_gc(s);

	src = json_object_new_object();
	json_object_object_add(src, "current", json_object_new_string(
		"BPF task iterator: mm->pgtables_bytes (VmPTE) at report time"));
	json_object_object_add(src, "peak", json_object_new_string(
		fault_samples ?
		"max of mm->pgtables_bytes samples at fault completion, mmap_lock acquire/release and reports, since tracing started" :
		"max of mm->pgtables_bytes samples at mmap_lock acquire/release and reports, since tracing started"));
	json_object_object_add(src, "at_exit", json_object_new_string(
		"mm->pgtables_bytes when exit_mmap took mmap_lock (before teardown)"));
	json_object_object_add(src, "levels", s->levels_via ?
		json_object_new_string(s->levels_via) : NULL);
	if (s->levels_via && strncmp(s->levels_via, "tracepoint", 10)) {
		struct json_object *u = json_object_new_array();

		for (int i = 0; i < THP_NR; i++)
			if (!s->thp_ok[i])
				json_object_array_add(u, json_object_new_string(thp_unseen[i]));
		json_object_object_add(src, "levels_unseen", u);
	}
	json_object_object_add(doc, "sources", src);

	drop = json_object_new_object();
	json_object_object_add(drop, "untracked_mms", json_object_new_uint64(
		counter_sum(s, PTMEM_C_TABLE_FULL)));
	json_object_object_add(drop, "lost_exit_records", json_object_new_uint64(
		counter_sum(s, PTMEM_C_RB_FULL)));
	json_object_object_add(drop, "exits_not_kept", json_object_new_uint64(nseen - nkept));
	json_object_object_add(doc, "dropped", drop);

	doc_metric(doc, "pagetables_bytes", pt_kb * 1024.0);
	doc_metric(doc, "pagetables_delta_bytes", (pt_kb - s->pt_start_kb) * 1024.0);
	if (secpt_kb >= 0)
		doc_metric(doc, "secpagetables_bytes", secpt_kb * 1024.0);
	doc_metric(doc, "processes_sum_bytes", sum);
	doc_metric(doc, "exited_count", (double)nseen);
	doc_metric(doc, "samples", counter_sum(s, PTMEM_C_SAMPLES));
	s->n_ivl = 0;
	s->ivl_seen = 0;
	free(snap);
	return 0;
}

/* ---- print ---- */

static const char *human(long long b, char *buf, size_t len)
{
	double v = b;
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while ((v >= 1024 || v <= -1024) && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", v, u[i]);
	return buf;
}

static void print_levels(struct json_object *o, FILE *f)
{
	struct json_object *l, *x;

	if (!json_object_object_get_ex(o, "levels", &l))
		return;
	for (int i = 0; i < 3; i++)
		if (json_object_object_get_ex(l, level_names[i], &x))
			fprintf(f, "  %s +%lld/-%lld", level_names[i],
				doc_int(x, "alloc"), doc_int(x, "free"));
}

static void ptmem_print(void *p, struct json_object *doc, bool final, FILE *f)
{
	struct json_object *sys, *procs, *ex;
	char a[32], b[32], c[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	json_object_object_get_ex(doc, "system", &sys);
	fprintf(f, "%s%02d:%02d:%02d  PageTables %s (%s since start)  SecPageTables %s  [/proc/meminfo]\n",
		final ? "== summary ==  " : "", tm.tm_hour, tm.tm_min, tm.tm_sec,
		human(doc_int(sys, "pagetables_bytes"), a, sizeof(a)),
		human(doc_int(sys, "pagetables_delta_bytes"), b, sizeof(b)),
		human(doc_int(sys, "secpagetables_bytes"), c, sizeof(c)));
	fprintf(f, "  %lld processes, VmPTE sum %s  [BPF: mm->pgtables_bytes]\n",
		doc_int(doc, "processes_total"),
		human(doc_int(doc, "processes_sum_bytes"), a, sizeof(a)));
	fprintf(f, "  %8s %-16s %12s %12s\n", "PID", "COMM", "PT-BYTES", "PEAK");
	json_object_object_get_ex(doc, "processes", &procs);
	for (size_t i = 0; i < json_object_array_length(procs); i++) {
		struct json_object *o = json_object_array_get_idx(procs, i), *cm;

		json_object_object_get_ex(o, "comm", &cm);
		fprintf(f, "  %8lld %-16s %12s %12s", doc_int(o, "pid"),
			json_object_get_string(cm),
			human(doc_int(o, "pgtables_bytes"), a, sizeof(a)),
			human(doc_int(o, "peak_bytes"), b, sizeof(b)));
		print_levels(o, f);
		fputc('\n', f);
	}
	json_object_object_get_ex(doc, "exited", &ex);
	fprintf(f, "  exited %s: %lld", final ? "while tracing" : "this interval",
		doc_int(doc, "exited_count"));
	if (doc_int(doc, "exited_kept") < doc_int(doc, "exited_count"))
		fprintf(f, " (kept: the %lld largest peaks, --exits)", doc_int(doc, "exited_kept"));
	fputc('\n', f);
	for (size_t i = 0; i < json_object_array_length(ex) && (!top_n || (int)i < top_n); i++) {
		struct json_object *o = json_object_array_get_idx(ex, i), *cm;

		json_object_object_get_ex(o, "comm", &cm);
		fprintf(f, "  %8lld %-16s peak %s  at exit %s", doc_int(o, "pid"),
			json_object_get_string(cm),
			human(doc_int(o, "peak_bytes"), a, sizeof(a)),
			human(doc_int(o, "at_exit_bytes"), b, sizeof(b)));
		print_levels(o, f);
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* ---- command ---- */

enum { OPT_TOP = 1000, OPT_FAULT_SAMPLES, OPT_EXITS };

static const struct extra_opt ptmem_extra[] = {
	{ { "top", required_argument, NULL, OPT_TOP }, "N",
	  "list the N processes with the most page-table memory (default 10, 0 = all)" },
	{ { "exits", required_argument, NULL, OPT_EXITS }, "N",
	  "list the N exited processes with the largest peaks in each document (default 1000; the summary keeps only those N of the whole run)" },
	{ { "fault-samples", no_argument, NULL, OPT_FAULT_SAMPLES }, NULL,
	  "sample at every fault too (peaks exact also where tables are freed without mmap_lock; costs every fault)" },
	{ { NULL, 0, NULL, 0 }, NULL, NULL },
};

static int ptmem_parse(int key, const char *arg, void *ctx)
{
	char *end;
	long v;

	if (key == OPT_FAULT_SAMPLES) {
		fault_samples = true;
		return 0;
	}
	if (key != OPT_TOP && key != OPT_EXITS)
		return -1;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (key == OPT_EXITS) {
		if (errno || *end || end == arg || v < 1 || v > MAX_EXITS) {
			err_msg("ptmem: --exits '%s' must be a number from 1 to %d", arg, MAX_EXITS);
			return -1;
		}
		max_exits = v;
		return 0;
	}
	if (errno || *end || v < 0 || v > 1000000) {
		err_msg("ptmem: --top '%s' must be a number >= 0", arg);
		return -1;
	}
	top_n = v;
	return 0;
}

static struct cmd_desc ptmem_desc = {
	.name = "ptmem",
	.summary = "page-table memory: system-wide, per process, peaks, value at exit",
	.details =
	"Per-process bytes are mm->pgtables_bytes (VmPTE) read in BPF. Peaks and the\n"
	"value at exit come from samples at mmap_lock acquire/release, exit_mmap and\n"
	"each report (at every fault too with --fault-samples); precise mode adds\n"
	"page-table pages allocated/freed per level. Exited processes: each document\n"
	"lists the --exits N with the largest peaks and counts them all.\n"
	"System figures are /proc/meminfo PageTables and SecPageTables.\n"
	"JSON schema: docs/schema/ptmem.md.\n",
	.extra = ptmem_extra,
	.parse_extra = ptmem_parse,
};

const struct tracer ptmem_tracer = {
	.name = "ptmem",
	.desc = &ptmem_desc,
	.start = ptmem_start,
	.collect = ptmem_collect,
	.print = ptmem_print,
	.stop = ptmem_stop,
	.probe = ptmem_probe,
};

int cmd_ptmem(int argc, char **argv)
{
	return tracer_main(&ptmem_tracer, argc, argv);
}
