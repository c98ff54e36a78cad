// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope ptshare: shared page tables. Always reports the sharing ratio
 * from ground truth both sides of the accounting: logical bytes (the sum of
 * the sharers' VmPTE, each counting a shared table in full; read in BPF as
 * mm->pgtables_bytes) against physical bytes (/proc/meminfo PageTables,
 * which counts a shared table once), as deltas since tracing started.
 * Where the kernel allows, it adds per-table sharer counts: hugetlb PMD
 * sharing (fexit/kprobe, precise mode) and the ptshare:* tracepoints of the
 * kernel patch series. docs/schema/ptshare.md.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfread.h"
#include "commands.h"
#include "jsonout.h"
#include "probe.h"
#include "ptshare.h"
#include "ptshare.skel.h"
#include "tpformat.h"
#include "tracers.h"
#include "util.h"

#define MAX_SHARERS 4096
/* Logical growth below which a sharing ratio is noise (16 pages): n/a. */
#define RATIO_NOISE_BYTES (64 * 1024)
#define MAX_TABLES_LISTED 64

static const char *const hugetlb_funcs[] = {
	"huge_pmd_share", "huge_pmd_unshare", "___pmd_free_tlb", NULL,
};

/* --sharers PID,PID,...: restrict the logical sum to these processes. */
static pid_t sharer_pids[MAX_SHARERS];
static int n_sharer_pids;

struct ptshare_state {
	struct ptshare_bpf *skel;
	struct bpf_link *iter;
	bool hugetlb_events, patch_events;
	const char *hugetlb_via;
	bool sharers_known;	/* kernel sharer count readable */
	long long pt_start_kb;
	long long base_sum;	/* sharers' bytes summed when tracing started */
	long long others_base;	/* every other process's bytes, then */
};

struct ptshare_caps {
	enum precise_kind fn;
	bool patch;
	char why[200];
};

static void caps_get(struct ptshare_caps *c)
{
	memset(c, 0, sizeof(*c));
	c->patch = probe_tracepoint("ptshare", "ptshare_attach") &&
		   probe_tracepoint("ptshare", "ptshare_detach");
	c->fn = probe_precise(hugetlb_funcs, true);
	if (c->fn == PRECISE_NONE)
		snprintf(c->why, sizeof(c->why),
			 "neither fentry nor kprobes on huge_pmd_share/huge_pmd_unshare (%s)",
			 probe_last_error());
}

static void ptshare_probe(struct json_object *out)
{
	struct json_object *modes = json_object_new_object();
	struct json_object *p = json_object_new_object(), *t = json_object_new_object();
	struct ptshare_caps c;

	caps_get(&c);
	json_object_object_add(p, "available", json_object_new_boolean(c.fn != PRECISE_NONE));
	json_object_object_add(p, "via", json_object_new_string(precise_kind_name(c.fn)));
	if (c.fn == PRECISE_NONE)
		json_object_object_add(p, "why", json_object_new_string(c.why));
	json_object_object_add(t, "available", json_object_new_boolean(true));
	json_object_object_add(t, "via", json_object_new_string(c.patch ?
		"task iterator + /proc/meminfo + ptshare:* tracepoints" :
		"task iterator + /proc/meminfo (no ptshare:* tracepoints: kernel lacks the patch)"));
	json_object_object_add(modes, "precise", p);
	json_object_object_add(modes, "tracepoint", t);
	json_object_object_add(out, "modes", modes);
	json_object_object_add(out, "auto", json_object_new_string(
		c.fn != PRECISE_NONE ? "precise" : "tracepoint"));
	json_object_object_add(out, "patch_tracepoints", json_object_new_boolean(c.patch));
}

/* Address of a kernel symbol from /proc/kallsyms (0 if hidden or absent). */
static __u64 kallsyms_addr(const char *name)
{
	char line[256], sym[128], type;
	unsigned long long a;
	__u64 found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %127s", &a, &type, sym) == 3 &&
		    !strcmp(sym, name)) {
			found = a;
			break;
		}
	fclose(f);
	return found;
}

static void ptshare_stop(void *p)
{
	struct ptshare_state *s = p;

	if (!s)
		return;
	bpf_link__destroy(s->iter);
	ptshare_bpf__destroy(s->skel);
	free(s);
}

static bool is_sharer(__u32 tgid)
{
	if (!n_sharer_pids)
		return true;
	for (int i = 0; i < n_sharer_pids; i++)
		if (sharer_pids[i] == (pid_t)tgid)
			return true;
	return false;
}

/* The sharers' records in *out; the other processes' bytes summed in *others. */
static int snapshot(struct ptshare_state *s, struct ptshare_snap **out, int *n,
		    long long *others)
{
	struct ptshare_snap *v = NULL;
	size_t len = 0;
	int m = 0, err = iter_read_all(s->iter, sizeof(*v), (void **)&v, &len);

	if (err)
		return err;
	*others = 0;
	for (size_t i = 0; i < len; i++) {
		if (v[i].selected && is_sharer(v[i].tgid))
			v[m++] = v[i];
		else
			*others += v[i].bytes;
	}
	*out = v;
	*n = m;
	return 0;
}

/* Facts for the program table. */
enum {
	PS_FENTRY = 1 << 0,	/* hugetlb PMD sharing through fentry/fexit */
	PS_KPROBE = 1 << 1,	/* ... through kprobes */
	PS_PATCH = 1 << 2,	/* ptshare:* patch tracepoints */
	PS_CREATE_TP = 1 << 3,	/* ptshare:ptshare_create */
	PS_DESTROY_TP = 1 << 4,	/* ptshare:ptshare_destroy */
};

/*
 * Every program of bpf/ptshare.bpf.c and when it loads: hugetlb PMD sharing
 * in precise mode (fentry/fexit or kprobes), the patch tracepoints where the
 * kernel has them, the snapshot always.
 */
static int set_autoload(struct ptshare_state *s, const struct ptshare_caps *c)
{
	struct ptshare_bpf *k = s->skel;
	const struct prog_rule rules[] = {
		{ k->progs.snap_tasks, 0, 0 },
		{ k->progs.fx_huge_pmd_share, PS_FENTRY, 0 },
		{ k->progs.fx_huge_pmd_unshare, PS_FENTRY, 0 },
		{ k->progs.fe_pmd_free_tlb, PS_FENTRY, 0 },
		{ k->progs.kp_huge_pmd_share, PS_KPROBE, 0 },
		{ k->progs.kr_huge_pmd_share, PS_KPROBE, 0 },
		{ k->progs.kp_huge_pmd_unshare, PS_KPROBE, 0 },
		{ k->progs.kr_huge_pmd_unshare, PS_KPROBE, 0 },
		{ k->progs.kp_pmd_free_tlb, PS_KPROBE, 0 },
		{ k->progs.tp_ptshare_attach, PS_PATCH, 0 },
		{ k->progs.tp_ptshare_detach, PS_PATCH, 0 },
		{ k->progs.tp_ptshare_create, PS_PATCH | PS_CREATE_TP, 0 },
		{ k->progs.tp_ptshare_destroy, PS_PATCH | PS_DESTROY_TP, 0 },
	};
	unsigned int facts = 0;

	if (s->hugetlb_events && c->fn == PRECISE_FENTRY)
		facts |= PS_FENTRY;
	if (s->hugetlb_events && c->fn == PRECISE_KPROBE)
		facts |= PS_KPROBE;
	if (c->patch)
		facts |= PS_PATCH |
			 (probe_tracepoint("ptshare", "ptshare_create") ? PS_CREATE_TP : 0) |
			 (probe_tracepoint("ptshare", "ptshare_destroy") ? PS_DESTROY_TP : 0);
	return prog_rules_apply("ptshare", k->obj, rules, ARRAY_SIZE(rules), facts);
}

static void *ptshare_start(const struct common_opts *o, enum attach_mode *mode)
{
	struct ptshare_state *s;
	struct ptshare_caps c;
	struct ptshare_snap *snap = NULL;
	int err, n = 0;

	caps_get(&c);
	if (mode_resolve("ptshare", o->mode, c.fn != PRECISE_NONE, c.why, true, "", mode))
		return NULL;
	if (!(s = calloc(1, sizeof(*s)))) {
		err_msg("ptshare: out of memory");
		return NULL;
	}
	s->skel = ptshare_bpf__open();
	if (!s->skel) {
		err_msg("ptshare: cannot open BPF object: %s", strerror(errno));
		goto fail;
	}
	s->skel->rodata->targ_tgid = o->pid;
	s->skel->rodata->targ_filter = o->pid || o->comm[0];
	memcpy((void *)s->skel->rodata->targ_comm, o->comm, sizeof(o->comm));
	s->hugetlb_events = *mode == MODE_PRECISE;
	s->patch_events = c.patch;
	if (s->hugetlb_events) {
		s->skel->rodata->sym_page_offset_base = kallsyms_addr("page_offset_base");
		s->skel->rodata->sym_vmemmap_base = kallsyms_addr("vmemmap_base");
		s->sharers_known = s->skel->rodata->sym_page_offset_base &&
				   s->skel->rodata->sym_vmemmap_base;
		s->hugetlb_via = precise_kind_name(c.fn);
	}
	if (c.patch &&
	    (tp_check_offset("ptshare", "ptshare", "ptshare_attach", "ino", 16) ||
	     tp_check_offset("ptshare", "ptshare", "ptshare_attach", "refcount", 40) ||
	     tp_check_offset("ptshare", "ptshare", "ptshare_detach", "refcount", 40)))
		goto fail;
	if (set_autoload(s, &c))
		goto fail;
	err = ptshare_bpf__load(s->skel);
	if (err) {
		err_msg("ptshare: cannot load BPF programs: %s (run with -v for the verifier log)",
			strerror(-err));
		goto fail;
	}
	err = ptshare_bpf__attach(s->skel);
	if (err) {
		err_msg("ptshare: cannot attach BPF programs: %s", strerror(-err));
		goto fail;
	}
	s->iter = bpf_program__attach_iter(s->skel->progs.snap_tasks, NULL);
	if (!s->iter) {
		err_msg("ptshare: cannot create the task iterator: %s", strerror(errno));
		goto fail;
	}
	/* baseline: PageTables and each sharer's VmPTE, read back to back */
	s->pt_start_kb = meminfo_kb("PageTables");
	err = snapshot(s, &snap, &n, &s->others_base);
	if (err) {
		err_msg("ptshare: task iterator failed: %s", strerror(-err));
		goto fail;
	}
	for (int i = 0; i < n; i++)
		s->base_sum += snap[i].bytes;
	free(snap);
	return s;
fail:
	ptshare_stop(s);
	return NULL;
}

static __u64 counter_sum(struct ptshare_state *s, __u32 idx)
{
	return map_percpu_sum(bpf_map__fd(s->skel->maps.counters), idx);
}

static struct json_object *tables_json(struct ptshare_state *s, long long *shared,
				       long long *saved)
{
	struct json_object *arr = json_object_new_array();
	int fd = bpf_map__fd(s->skel->maps.tables);
	__u64 key, next, *prev = NULL;
	struct ptshare_table t;

	*shared = *saved = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &t) || t.sharers < 2)
			continue;
		(*shared)++;
		/* hugetlb: every sharer beyond the first would own a PMD page */
		if (t.src == PTSHARE_SRC_HUGETLB)
			*saved += (long long)(t.sharers - 1) * 4096;
		if (json_object_array_length(arr) < MAX_TABLES_LISTED) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "source", json_object_new_string(
				t.src == PTSHARE_SRC_PATCH ? "ptshare tracepoints" : "hugetlb PMD share"));
			json_object_object_add(o, "ino", json_object_new_uint64(t.ino));
			json_object_object_add(o, "start", json_object_new_uint64(t.start));
			json_object_object_add(o, "size", json_object_new_uint64(t.size));
			json_object_object_add(o, "sharers", json_object_new_int(t.sharers));
			json_object_object_add(o, "attaches", json_object_new_uint64(t.attaches));
			json_object_object_add(o, "detaches", json_object_new_uint64(t.detaches));
			json_object_array_add(arr, o);
		}
	}
	return arr;
}

static int ptshare_collect(void *p, double interval_s, bool final,
			   struct json_object *doc)
{
	struct ptshare_state *s = p;
	struct json_object *lg = json_object_new_object(), *ph = json_object_new_object();
	struct json_object *pids = json_object_new_array(), *ev;
	struct ptshare_snap *snap = NULL;
	long long logical = 0, logical_delta = 0, pt_kb, phys_delta, others, attributed;
	bool ratio_ok;
	int n = 0, err;

	err = snapshot(s, &snap, &n, &others);
	pt_kb = meminfo_kb("PageTables");
	if (err) {
		json_object_put(lg);
		json_object_put(ph);
		json_object_put(pids);
		err_msg("ptshare: task iterator failed: %s", strerror(-err));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		logical += snap[i].bytes;
		if (json_object_array_length(pids) < MAX_SHARERS)
			json_object_array_add(pids, json_object_new_int(snap[i].tgid));
	}
	free(snap);
	/*
	 * Growth of the sum, not the sum of growths: a sharer that exited took
	 * its tables out of PageTables too, so it must leave the logical side.
	 */
	logical_delta = logical - s->base_sum;
	phys_delta = (pt_kb - s->pt_start_kb) * 1024;
	/*
	 * PageTables moves with every process on the machine. Take out the
	 * growth of everyone else's VmPTE (processes that came or went
	 * included) to leave what the sharers added; exact but for processes
	 * mid-exec/exit and PGDs (not in VmPTE).
	 */
	attributed = phys_delta - (others - s->others_base);

	json_object_object_add(lg, "processes", json_object_new_int(n));
	json_object_object_add(lg, "pids", pids);
	json_object_object_add(lg, "bytes", json_object_new_int64(logical));
	json_object_object_add(lg, "delta_bytes", json_object_new_int64(logical_delta));
	json_object_object_add(lg, "source", json_object_new_string(
		"sum of the sharers' mm->pgtables_bytes (VmPTE), BPF task iterator"));
	json_object_object_add(doc, "logical", lg);
	json_object_object_add(ph, "pagetables_bytes", json_object_new_int64(pt_kb * 1024));
	json_object_object_add(ph, "delta_bytes", json_object_new_int64(phys_delta));
	json_object_object_add(ph, "source", json_object_new_string(
		"/proc/meminfo PageTables (whole system; includes other processes' changes)"));
	json_object_object_add(ph, "others_delta_bytes", json_object_new_int64(others - s->others_base));
	json_object_object_add(ph, "attributed_delta_bytes", json_object_new_int64(attributed));
	json_object_object_add(doc, "physical", ph);
	/*
	 * A ratio needs sharers whose tables grew: below RATIO_NOISE_BYTES
	 * of logical growth (a process that shares nothing and barely
	 * faults) both sides are other processes' churn and PGDs, and a
	 * ratio of two noises (1.44 for no sharing at all) would read as
	 * sharing. Below one page of physical growth there is no divisor.
	 */
	ratio_ok = logical_delta >= RATIO_NOISE_BYTES;
	json_object_object_add(doc, "ratio_noise_threshold_bytes",
			       json_object_new_int64(RATIO_NOISE_BYTES));
	json_object_object_add(doc, "attributed_sharing_ratio", ratio_ok && attributed >= 4096 ?
		json_object_new_double((double)logical_delta / attributed) : NULL);
	if (ratio_ok && attributed >= 4096)
		doc_metric(doc, "attributed_sharing_ratio", (double)logical_delta / attributed);
	doc_metric(doc, "physical_attributed_delta_bytes", attributed);
	json_object_object_add(doc, "excess_bytes", json_object_new_int64(logical_delta - phys_delta));
	doc_metric(doc, "excess_bytes", logical_delta - phys_delta);
	/* below one page of change the ratio is noise, not sharing */
	json_object_object_add(doc, "sharing_ratio", ratio_ok && phys_delta >= 4096 ?
		json_object_new_double((double)logical_delta / phys_delta) : NULL);
	if (ratio_ok && phys_delta >= 4096)
		doc_metric(doc, "sharing_ratio", (double)logical_delta / phys_delta);
	doc_metric(doc, "logical_bytes", logical);
	doc_metric(doc, "logical_delta_bytes", logical_delta);
	doc_metric(doc, "physical_bytes", pt_kb * 1024.0);
	doc_metric(doc, "physical_delta_bytes", phys_delta);

	if (s->hugetlb_events || s->patch_events) {
		long long shared, saved;

		ev = json_object_new_object();
		json_object_object_add(ev, "hugetlb", s->hugetlb_events ?
			json_object_new_string(s->hugetlb_via) : NULL);
		json_object_object_add(ev, "patch_tracepoints",
				       json_object_new_boolean(s->patch_events));
		json_object_object_add(ev, "sharer_counts", json_object_new_string(
			s->patch_events || s->sharers_known ? "kernel" :
			"unknown (page_offset_base/vmemmap_base not in kallsyms)"));
		json_object_object_add(ev, "shares", json_object_new_uint64(counter_sum(s, PTSHARE_C_SHARE)));
		json_object_object_add(ev, "unshares", json_object_new_uint64(counter_sum(s, PTSHARE_C_UNSHARE)));
		json_object_object_add(ev, "hosts_created", json_object_new_uint64(counter_sum(s, PTSHARE_C_CREATE)));
		json_object_object_add(ev, "hosts_destroyed", json_object_new_uint64(counter_sum(s, PTSHARE_C_DESTROY)));
		json_object_object_add(ev, "untracked_tables", json_object_new_uint64(counter_sum(s, PTSHARE_C_TABLE_FULL)));
		json_object_object_add(ev, "tables", tables_json(s, &shared, &saved));
		json_object_object_add(ev, "shared_tables", json_object_new_int64(shared));
		json_object_object_add(ev, "hugetlb_saved_bytes", json_object_new_int64(saved));
		json_object_object_add(doc, "events", ev);
		doc_metric(doc, "shared_tables", shared);
		doc_metric(doc, "shares", counter_sum(s, PTSHARE_C_SHARE));
		doc_metric(doc, "unshares", counter_sum(s, PTSHARE_C_UNSHARE));
	} else {
		json_object_object_add(doc, "events", NULL);
		json_object_object_add(doc, "events_unavailable", json_object_new_string(
			"no share/unshare events: tracepoint mode and the kernel has no ptshare:* "
			"tracepoints; ratio from VmPTE vs PageTables only"));
	}
	return 0;
}

static void ptshare_print(void *p, struct json_object *doc, bool final, FILE *f)
{
	struct json_object *lg, *ph, *r, *ev, *tabs;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	json_object_object_get_ex(doc, "logical", &lg);
	json_object_object_get_ex(doc, "physical", &ph);
	fprintf(f, "%s%02d:%02d:%02d  sharers %lld\n", final ? "== summary ==  " : "",
		tm.tm_hour, tm.tm_min, tm.tm_sec, doc_int(lg, "processes"));
	fprintf(f, "  logical  %10.1f KiB  (%+.1f KiB since start)  [sum of sharers' VmPTE, BPF]\n",
		doc_int(lg, "bytes") / 1024.0, doc_int(lg, "delta_bytes") / 1024.0);
	fprintf(f, "  physical %10.1f KiB  (%+.1f KiB since start)  [/proc/meminfo PageTables, system-wide]\n",
		doc_int(ph, "pagetables_bytes") / 1024.0, doc_int(ph, "delta_bytes") / 1024.0);
	fprintf(f, "           %10s      (%+.1f KiB of it the sharers', the rest other processes' VmPTE)\n",
		"", doc_int(ph, "attributed_delta_bytes") / 1024.0);
	if (json_object_object_get_ex(doc, "sharing_ratio", &r) && r)
		fprintf(f, "  sharing ratio (logical/physical growth) %.2f\n",
			json_object_get_double(r));
	else if (doc_int(lg, "delta_bytes") < doc_int(doc, "ratio_noise_threshold_bytes"))
		fprintf(f, "  sharing ratio: n/a (the sharers' page tables grew by less than %lld KiB, the noise threshold)\n",
			doc_int(doc, "ratio_noise_threshold_bytes") / 1024);
	else
		fprintf(f, "  sharing ratio: n/a (PageTables grew by less than a page)\n");
	if (json_object_object_get_ex(doc, "attributed_sharing_ratio", &r) && r)
		fprintf(f, "  sharing ratio, other processes' growth taken out %.2f\n",
			json_object_get_double(r));
	fprintf(f, "  excess (logical - physical growth) %.1f KiB: tables counted by more than one sharer\n",
		doc_int(doc, "excess_bytes") / 1024.0);
	if (json_object_object_get_ex(doc, "events", &ev) && ev) {
		fprintf(f, "  events: %lld shares, %lld unshares, %lld shared tables, %.1f KiB saved (hugetlb)\n",
			doc_int(ev, "shares"), doc_int(ev, "unshares"), doc_int(ev, "shared_tables"),
			doc_int(ev, "hugetlb_saved_bytes") / 1024.0);
		json_object_object_get_ex(ev, "tables", &tabs);
		for (size_t i = 0; i < json_object_array_length(tabs); i++) {
			struct json_object *t = json_object_array_get_idx(tabs, i);

			fprintf(f, "    ino %lld  0x%llx +%lld MiB  sharers %lld\n",
				doc_int(t, "ino"), (unsigned long long)doc_int(t, "start"),
				doc_int(t, "size") >> 20, doc_int(t, "sharers"));
		}
	} else {
		fprintf(f, "  events: none (no precise probes, no ptshare:* tracepoints on this kernel)\n");
	}
	fputc('\n', f);
}

enum { OPT_SHARERS = 1000 };

static const struct extra_opt ptshare_extra[] = {
	{ { "sharers", required_argument, NULL, OPT_SHARERS }, "PID,...",
	  "the processes whose VmPTE make the logical sum (default: all selected by -p/-c)" },
	{ { NULL, 0, NULL, 0 }, NULL, NULL },
};

static int ptshare_parse(int key, const char *arg, void *ctx)
{
	char *copy, *tok, *save = NULL, *end;

	if (key != OPT_SHARERS)
		return -1;
	copy = strdup(arg);
	if (!copy)
		return -1;
	n_sharer_pids = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v;

		errno = 0;
		v = strtol(tok, &end, 10);
		if (errno || *end || v <= 0 || v > 4194304 || n_sharer_pids >= MAX_SHARERS) {
			err_msg("ptshare: --sharers '%s': '%s' is not a process id (or more than %d)",
				arg, tok, MAX_SHARERS);
			free(copy);
			return -1;
		}
		if (kill((pid_t)v, 0) && errno == ESRCH) {
			err_msg("ptshare: --sharers: process %ld: no such process", v);
			free(copy);
			return -1;
		}
		sharer_pids[n_sharer_pids++] = v;
	}
	free(copy);
	if (!n_sharer_pids) {
		err_msg("ptshare: --sharers needs at least one process id");
		return -1;
	}
	return 0;
}

static struct cmd_desc ptshare_desc = {
	.name = "ptshare",
	.summary = "shared page tables: sharing ratio, hugetlb PMD sharing, MAP_SHARED_PT",
	.details =
	"Logical bytes are the sharers' VmPTE summed (each counts a shared table in\n"
	"full); physical bytes are /proc/meminfo PageTables (a shared table once).\n"
	"The sharing ratio is their growth since tracing started: start ptshare,\n"
	"then let the sharers map and touch. The ratio is n/a while the sharers'\n"
	"page tables grew by less than 64 KiB (the noise threshold: below it other\n"
	"processes' churn and PGDs move PageTables as much). Precise mode adds hugetlb PMD share/\n"
	"unshare events with the kernel's sharer count per table; the kernel patch's\n"
	"ptshare:* tracepoints are used whenever the running kernel has them.\n"
	"JSON schema: docs/schema/ptshare.md.\n",
	.extra = ptshare_extra,
	.parse_extra = ptshare_parse,
};

const struct tracer ptshare_tracer = {
	.name = "ptshare",
	.desc = &ptshare_desc,
	.start = ptshare_start,
	.collect = ptshare_collect,
	.print = ptshare_print,
	.stop = ptshare_stop,
	.probe = ptshare_probe,
};

int cmd_ptshare(int argc, char **argv)
{
	return tracer_main(&ptshare_tracer, argc, argv);
}
