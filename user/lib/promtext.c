// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition of the tracers' documents. Each tracer has
 * a fixed set of series, declared when it starts (prom_add_tracer) so that
 * the first scrape already has every one and none appears later: counters
 * are the interval counts summed, gauges the latest interval's value,
 * faultlat's latency histograms use one fixed `le` set for every path so
 * histogram_quantile() works across them. Rates, means and quantiles are
 * left to PromQL. Series read from /proc (PageTables, pgfault, vma_lock_*)
 * are read at scrape time: the kernel's own figure, exact when scraped.
 * The list with each series' meaning: docs/prometheus.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promtext.h"
#include "util.h"

#ifndef MMSCOPE_COMMIT
#define MMSCOPE_COMMIT "unknown"
#endif
#ifndef MMSCOPE_VERSION
#define MMSCOPE_VERSION "dev"
#endif

/* vmalock's fault outcomes (its "totals" object) */
static const char *const vl_paths[] = { "vma_lock", "mmap_lock", "kernel", "unbracketed" };
#define VL_NPATHS (sizeof(vl_paths) / sizeof(vl_paths[0]))

/*
 * faultlat's lock paths (user/faultlat.c path_names), declared up front for
 * minor and major faults; a path not listed here still gets its series,
 * from the first document that has it.
 */
static const char *const fl_paths[] = { "vma_lock", "mmap_lock", "kernel" };
#define FL_NPATHS (sizeof(fl_paths) / sizeof(fl_paths[0]))

/* /proc/vmstat counters of CONFIG_PER_VMA_LOCK_STATS, read at scrape time */
static const char *const vl_vmstat[] = { "success", "abort", "retry", "miss" };
#define VL_NVMSTAT (sizeof(vl_vmstat) / sizeof(vl_vmstat[0]))

struct fl_hist {
	bool major;
	char path[32];
	unsigned long long counts[PROM_LE_N];	/* per bound, not cumulative */
	unsigned long long count;		/* all samples, +Inf included */
	double sum_ns;
};

struct proc_pte {
	long long pid, bytes;
	char comm[64];
};

struct prom_state {
	bool vmalock, faultlat, ptmem, ptshare;
	char modes[64];
	unsigned long long collections;
	double last_collection;

	unsigned long long vl_faults[VL_NPATHS];
	bool vl_attempts;			/* the mode counts misses/retries */
	unsigned long long vl_miss, vl_retry;

	struct fl_hist *fl;
	int nfl;
	unsigned long long fl_unbracketed;

	struct proc_pte *procs;
	int nprocs;
	double pm_sum;
	unsigned long long pm_exited;

	double sh_logical, sh_ratio, sh_attr_ratio;
};

struct prom_state *prom_new(void)
{
	struct prom_state *ps = calloc(1, sizeof(*ps));

	if (ps)
		ps->pm_sum = ps->sh_logical = ps->sh_ratio = ps->sh_attr_ratio = NAN;
	return ps;
}

void prom_free(struct prom_state *ps)
{
	if (!ps)
		return;
	free(ps->fl);
	free(ps->procs);
	free(ps);
}

static struct fl_hist *fl_series(struct prom_state *ps, bool major, const char *path)
{
	struct fl_hist *h;

	for (int i = 0; i < ps->nfl; i++)
		if (ps->fl[i].major == major && !strcmp(ps->fl[i].path, path))
			return &ps->fl[i];
	h = realloc(ps->fl, (ps->nfl + 1) * sizeof(*ps->fl));
	if (!h)
		return NULL;
	ps->fl = h;
	h = &ps->fl[ps->nfl++];
	memset(h, 0, sizeof(*h));
	h->major = major;
	snprintf(h->path, sizeof(h->path), "%s", path);
	return h;
}

void prom_add_tracer(struct prom_state *ps, const char *tool, const char *mode)
{
	size_t l = strlen(ps->modes);

	if (!strcmp(tool, "vmalock"))
		ps->vmalock = true;
	else if (!strcmp(tool, "faultlat")) {
		ps->faultlat = true;
		for (int major = 0; major < 2; major++)
			for (size_t p = 0; p < FL_NPATHS; p++)
				fl_series(ps, major, fl_paths[p]);
	} else if (!strcmp(tool, "ptmem"))
		ps->ptmem = true;
	else if (!strcmp(tool, "ptshare"))
		ps->ptshare = true;
	/* build_info's mode: each distinct mode once, "+"-joined */
	if (mode && !strstr(ps->modes, mode))
		snprintf(ps->modes + l, sizeof(ps->modes) - l, "%s%s", l ? "+" : "", mode);
}

void prom_collected(struct prom_state *ps, double when)
{
	ps->collections++;
	ps->last_collection = when;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static bool is_num(struct json_object *v)
{
	return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double));
}

/* A count member: 0 when absent or not a non-negative number. */
static unsigned long long count_of(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return is_num(v) && json_object_get_int64(v) > 0 ? (unsigned long long)json_object_get_int64(v) : 0;
}

/* A gauge member: NaN when absent or null (the tracer has no value). */
static double gauge_of(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return is_num(v) ? json_object_get_double(v) : NAN;
}

static void fold_vmalock(struct prom_state *ps, struct json_object *doc)
{
	struct json_object *t = get(doc, "totals");

	for (size_t i = 0; i < VL_NPATHS; i++)
		ps->vl_faults[i] += count_of(t, vl_paths[i]);
	/* null in modes that cannot see lock attempts */
	if (is_num(get(t, "miss")) || is_num(get(t, "retry"))) {
		ps->vl_attempts = true;
		ps->vl_miss += count_of(t, "miss");
		ps->vl_retry += count_of(t, "retry");
	}
}

/* Add a faultlat hist object ({"count","sum","buckets":[{"high","count"}]}). */
static void fl_add(struct fl_hist *h, struct json_object *hist)
{
	struct json_object *b = get(hist, "buckets");

	for (size_t i = 0; b && i < json_object_array_length(b); i++) {
		struct json_object *e = json_object_array_get_idx(b, i);
		unsigned long long high = count_of(e, "high"), le;

		/* the first bound >= the bucket's high: exact for log2 rows (high = 2^k - 1) */
		for (int k = 0; k < PROM_LE_N; k++) {
			le = (1ULL << (PROM_LE_FIRST_LOG2 + k)) - 1;
			if (le >= high) {
				h->counts[k] += count_of(e, "count");
				break;
			}
		}
	}
	h->count += count_of(hist, "count");
	h->sum_ns += is_num(get(hist, "sum")) ? json_object_get_double(get(hist, "sum")) : 0;
}

static void fold_faultlat(struct prom_state *ps, struct json_object *doc)
{
	struct json_object *cls = get(doc, "histograms");

	for (size_t i = 0; cls && i < json_object_array_length(cls); i++) {
		struct json_object *c = json_object_array_get_idx(cls, i);
		const char *path = json_object_get_string(get(c, "path"));
		struct fl_hist *h;

		if (!path || !get(c, "hist"))
			continue;
		h = fl_series(ps, json_object_get_boolean(get(c, "major")), path);
		if (h)
			fl_add(h, get(c, "hist"));
	}
	ps->fl_unbracketed += count_of(doc, "unbracketed");
}

static void fold_ptmem(struct prom_state *ps, struct json_object *doc)
{
	struct json_object *procs = get(doc, "processes");
	size_t n = procs ? json_object_array_length(procs) : 0;
	struct proc_pte *p = n ? calloc(n, sizeof(*p)) : NULL;

	/* the latest top list replaces the previous one */
	free(ps->procs);
	ps->procs = p;
	ps->nprocs = p ? (int)n : 0;
	for (int i = 0; i < ps->nprocs; i++) {
		struct json_object *e = json_object_array_get_idx(procs, i);
		const char *comm = json_object_get_string(get(e, "comm"));

		p[i].pid = (long long)count_of(e, "pid");
		p[i].bytes = (long long)count_of(e, "pgtables_bytes");
		snprintf(p[i].comm, sizeof(p[i].comm), "%s", comm ? comm : "");
	}
	ps->pm_sum = gauge_of(doc, "processes_sum_bytes");
	ps->pm_exited += count_of(doc, "exited_count");
}

static void fold_ptshare(struct prom_state *ps, struct json_object *doc)
{
	ps->sh_logical = gauge_of(get(doc, "logical"), "bytes");
	ps->sh_ratio = gauge_of(doc, "sharing_ratio");
	ps->sh_attr_ratio = gauge_of(doc, "attributed_sharing_ratio");
}

void prom_fold(struct prom_state *ps, const char *tool, struct json_object *doc)
{
	if (!strcmp(tool, "vmalock"))
		fold_vmalock(ps, doc);
	else if (!strcmp(tool, "faultlat"))
		fold_faultlat(ps, doc);
	else if (!strcmp(tool, "ptmem"))
		fold_ptmem(ps, doc);
	else if (!strcmp(tool, "ptshare"))
		fold_ptshare(ps, doc);
}

/* ---- rendering ---------------------------------------------------------- */

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the exposition format wants it: \\, \" and \n escaped. */
static void label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void value(FILE *f, double v)
{
	if (isnan(v))
		fputs(" NaN\n", f);
	else
		fprintf(f, " %.17g\n", v);
}

static void render_fl(FILE *f, const struct prom_state *ps)
{
	const char *n = "mmscope_faultlat_latency_seconds";

	family(f, n, "histogram", "Page-fault latency (fault entry to completion) by minor/major and "
	       "lock path, since the exporter started.");
	for (int i = 0; i < ps->nfl; i++) {
		const struct fl_hist *h = &ps->fl[i];
		unsigned long long cum = 0;

		for (int k = 0; k < PROM_LE_N; k++) {
			cum += h->counts[k];
			fprintf(f, "%s_bucket{major=\"%s\",path=", n, h->major ? "true" : "false");
			label_value(f, h->path);
			fprintf(f, ",le=\"%.12g\"} %llu\n",
				((1ULL << (PROM_LE_FIRST_LOG2 + k)) - 1) * 1e-9, cum);
		}
		fprintf(f, "%s_bucket{major=\"%s\",path=", n, h->major ? "true" : "false");
		label_value(f, h->path);
		fprintf(f, ",le=\"+Inf\"} %llu\n", h->count);
		fprintf(f, "%s_sum{major=\"%s\",path=", n, h->major ? "true" : "false");
		label_value(f, h->path);
		fprintf(f, "} %.17g\n", h->sum_ns * 1e-9);
		fprintf(f, "%s_count{major=\"%s\",path=", n, h->major ? "true" : "false");
		label_value(f, h->path);
		fprintf(f, "} %llu\n", h->count);
	}
	family(f, "mmscope_faultlat_unbracketed_faults_total", "counter",
	       "Faults whose start the tracer missed (not in the latency histograms).");
	fprintf(f, "mmscope_faultlat_unbracketed_faults_total %llu\n", ps->fl_unbracketed);
}

char *prom_render(struct prom_state *ps, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	long long pt = meminfo_kb("PageTables");
	unsigned long long v, vs[VL_NVMSTAT];
	bool have_vs = true;

	if (!f)
		return NULL;
	family(f, "mmscope_build_info", "gauge",
	       "1, labelled with the exporter's version, git commit and the tracers' attach mode(s).");
	fprintf(f, "mmscope_build_info{version=\"%s\",commit=\"%s\",mode=\"%s\"} 1\n",
		MMSCOPE_VERSION, MMSCOPE_COMMIT, ps->modes[0] ? ps->modes : "none");
	family(f, "mmscope_collections_total", "counter", "Times the exporter drained its tracers.");
	fprintf(f, "mmscope_collections_total %llu\n", ps->collections);
	family(f, "mmscope_last_collection_timestamp_seconds", "gauge",
	       "Unix time the exporter last drained its tracers.");
	fprintf(f, "mmscope_last_collection_timestamp_seconds %.6f\n", ps->last_collection);
	if (pt >= 0) {
		family(f, "mmscope_pagetables_bytes", "gauge",
		       "Page-table memory of the whole system, /proc/meminfo PageTables at scrape time.");
		fprintf(f, "mmscope_pagetables_bytes %lld\n", pt * 1024);
	}
	if (!vmstat_read("pgfault", &v)) {
		family(f, "mmscope_vmstat_pgfault_total", "counter",
		       "Page faults since boot, /proc/vmstat pgfault at scrape time.");
		fprintf(f, "mmscope_vmstat_pgfault_total %llu\n", v);
	}
	for (size_t i = 0; i < VL_NVMSTAT && have_vs; i++) {
		char name[64];

		snprintf(name, sizeof(name), "vma_lock_%s", vl_vmstat[i]);
		have_vs = !vmstat_read(name, &vs[i]);
	}
	if (have_vs) {	/* CONFIG_PER_VMA_LOCK_STATS kernels only */
		family(f, "mmscope_vmstat_vma_lock_total", "counter",
		       "Per-VMA lock attempts since boot by outcome, /proc/vmstat vma_lock_* at scrape time.");
		for (size_t i = 0; i < VL_NVMSTAT; i++)
			fprintf(f, "mmscope_vmstat_vma_lock_total{outcome=\"%s\"} %llu\n", vl_vmstat[i], vs[i]);
	}
	if (ps->vmalock) {
		family(f, "mmscope_vmalock_faults_total", "counter",
		       "User page faults by the lock they completed under: vma_lock (per-VMA lock), "
		       "mmap_lock (fallback), kernel (kernel-mode access to user memory), unbracketed "
		       "(start missed).");
		for (size_t i = 0; i < VL_NPATHS; i++)
			fprintf(f, "mmscope_vmalock_faults_total{path=\"%s\"} %llu\n", vl_paths[i],
				ps->vl_faults[i]);
		if (ps->vl_attempts) {
			family(f, "mmscope_vmalock_vma_lock_misses_total", "counter",
			       "Per-VMA lock attempts that found no lockable VMA (then mmap_lock).");
			fprintf(f, "mmscope_vmalock_vma_lock_misses_total %llu\n", ps->vl_miss);
			family(f, "mmscope_vmalock_vma_lock_retries_total", "counter",
			       "Faults under the per-VMA lock that returned VM_FAULT_RETRY.");
			fprintf(f, "mmscope_vmalock_vma_lock_retries_total %llu\n", ps->vl_retry);
		}
	}
	if (ps->faultlat)
		render_fl(f, ps);
	if (ps->ptmem) {
		family(f, "mmscope_ptmem_process_pagetables_bytes", "gauge",
		       "Page-table bytes (VmPTE) of the processes with the most, latest collection.");
		for (int i = 0; i < ps->nprocs; i++) {
			fprintf(f, "mmscope_ptmem_process_pagetables_bytes{pid=\"%lld\",comm=", ps->procs[i].pid);
			label_value(f, ps->procs[i].comm);
			fprintf(f, "} %lld\n", ps->procs[i].bytes);
		}
		family(f, "mmscope_ptmem_processes_pagetables_bytes", "gauge",
		       "Sum of VmPTE over all live processes, latest collection.");
		fputs("mmscope_ptmem_processes_pagetables_bytes", f);
		value(f, ps->pm_sum);
		family(f, "mmscope_ptmem_exited_processes_total", "counter",
		       "Processes whose exit ptmem recorded (peak and at-exit VmPTE).");
		fprintf(f, "mmscope_ptmem_exited_processes_total %llu\n", ps->pm_exited);
	}
	if (ps->ptshare) {
		family(f, "mmscope_ptshare_logical_pagetables_bytes", "gauge",
		       "Sum of the sharers' VmPTE (a shared table counted once per sharer), latest collection.");
		fputs("mmscope_ptshare_logical_pagetables_bytes", f);
		value(f, ps->sh_logical);
		family(f, "mmscope_ptshare_sharing_ratio", "gauge",
		       "Logical (sum of VmPTE) over physical (PageTables) page-table growth since start; "
		       "NaN while too small to tell.");
		fputs("mmscope_ptshare_sharing_ratio", f);
		value(f, ps->sh_ratio);
		family(f, "mmscope_ptshare_attributed_sharing_ratio", "gauge",
		       "The sharing ratio with other processes' page-table changes taken out; NaN while "
		       "too small to tell.");
		fputs("mmscope_ptshare_attributed_sharing_ratio", f);
		value(f, ps->sh_attr_ratio);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
