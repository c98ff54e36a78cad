// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope dashboard: one static HTML page (web/dashboard.html with Chart.js
 * and the data inlined) showing a trend chart per metric over runs, the
 * compare table, fault-latency histograms and the SGA page-table chart.
 * Opens from file:// without any network.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "headline.h"
#include "opts.h"
#include "outfile.h"
#include "store.h"
#include "util.h"

#ifndef MMSCOPE_COMMIT
#define MMSCOPE_COMMIT "unknown"
#endif

/* Linked in by mk/dashboard.mk (.incbin); chartjs is empty when built without it. */
extern const char mmscope_web_template[], mmscope_web_template_end[];
extern const char mmscope_chartjs[], mmscope_chartjs_end[];

struct dash_opts {
	const char *db, *out, *base, *new_sel;
	double k, alpha;
	bool include_partial;
};

enum { OPT_DB = 0x2500, OPT_BASE, OPT_NEW, OPT_K, OPT_ALPHA, OPT_PARTIAL };

static const struct extra_opt dash_extra[] = {
	{ { "output", required_argument, NULL, 'o' }, "FILE",
	  "write the page to FILE (default mmscope-dashboard.html)" },
	{ { "db", required_argument, NULL, OPT_DB }, STORE_DB_ARG, STORE_DB_HELP },
	{ { "base", required_argument, NULL, OPT_BASE }, "SEL",
	  "compare table base (default: the kernel+tag before the latest)" },
	{ { "new", required_argument, NULL, OPT_NEW }, "SEL",
	  "compare table new side (default: the latest run's kernel+tag)" },
	{ { "k", required_argument, NULL, OPT_K }, "K", "noise multiplier of the change rule (default 2)" },
	{ { "alpha", required_argument, NULL, OPT_ALPHA }, "P", "significance level (default 0.05)" },
	{ { "include-partial", no_argument, NULL, OPT_PARTIAL }, NULL,
	  "let partial and unfinished runs into the compare table (left out by default)" },
	{ { NULL } }
};

static int dash_parse(int key, const char *arg, void *ctx)
{
	struct dash_opts *o = ctx;
	char *end;

	switch (key) {
	case 'o': o->out = arg; return 0;
	case OPT_DB: o->db = arg; return 0;
	case OPT_BASE: o->base = arg; return 0;
	case OPT_NEW: o->new_sel = arg; return 0;
	case OPT_PARTIAL: o->include_partial = true; return 0;
	case OPT_K:
	case OPT_ALPHA: {
		double v = strtod(arg, &end);

		if (*end || end == arg || !(v >= 0) || !(v <= 100) ||	/* inf was taken */
		    (key == OPT_ALPHA && !(v > 0 && v < 1))) {
			err_msg("dashboard: --%s '%s' is out of range", key == OPT_K ? "k" : "alpha", arg);
			return -1;
		}
		*(key == OPT_K ? &o->k : &o->alpha) = v;
		return 0;
	}
	}
	return -1;
}

static const char *jget_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && v ? json_object_get_string(v) : "";
}

static int64_t jget_int(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static struct json_object *drop_unjudged(struct json_object *series);

/*
 * Per scenario and metric (the page groups charts by scenario: runs of
 * different scenarios measure different things under the same key), per
 * run: mean, stddev, n and the raw repeat values. Values arrive ordered
 * by scenario, key, run (store_each_metric_value).
 */
struct series_acc {
	struct json_object *series, *points;
	char key[512], scn[1400];
	int64_t run;
	double vals[4096];
	int nv;
};

/* The point of the current (scenario, key, run), from its values. */
static void series_flush(struct series_acc *a)
{
	struct json_object *p, *va;
	struct sample_stats st;

	if (!a->nv)
		return;
	p = json_object_new_object();
	va = json_object_new_array();
	stats_describe(a->vals, a->nv, &st);
	json_object_object_add(p, "run", json_object_new_int64(a->run));
	json_object_object_add(p, "mean", json_object_new_double(st.mean));
	json_object_object_add(p, "sd", json_object_new_double(st.sd));
	json_object_object_add(p, "n", json_object_new_int(st.n));
	for (int i = 0; i < a->nv; i++)
		json_object_array_add(va, json_object_new_double(a->vals[i]));
	json_object_object_add(p, "values", va);
	json_object_array_add(a->points, p);
	a->nv = 0;
}

static void series_add(void *ctx, const char *scn, const char *key, int64_t run, double v)
{
	struct series_acc *a = ctx;
	bool new_series = !a->points || strcmp(key, a->key) || strcmp(scn, a->scn);

	if (new_series || run != a->run)
		series_flush(a);
	if (new_series) {
		struct json_object *cur = json_object_new_object();

		a->points = json_object_new_array();
		json_object_object_add(cur, "metric", json_object_new_string(key));
		json_object_object_add(cur, "scenario", json_object_new_string(scn));
		json_object_object_add(cur, "direction",
			json_object_new_string(direction_name(metric_direction(key))));
		json_object_object_add(cur, "points", a->points);
		json_object_array_add(a->series, cur);
		snprintf(a->key, sizeof(a->key), "%s", key);
		snprintf(a->scn, sizeof(a->scn), "%s", scn);
	}
	a->run = run;
	if (a->nv < (int)(sizeof(a->vals) / sizeof(a->vals[0])))
		a->vals[a->nv++] = v;
}

static struct json_object *build_series(struct store *st)
{
	struct series_acc *a = calloc(1, sizeof(*a));
	struct json_object *series;

	if (!a)
		abort();
	a->series = json_object_new_array();
	store_each_metric_value(st, series_add, a);
	series_flush(a);
	series = a->series;
	free(a);
	return drop_unjudged(series);
}

/*
 * No chart for what compare does not judge (metric_unjudged, the one rule):
 * host figures, spread figures, and metrics with one value in every repeat
 * of every run.
 */
static struct json_object *drop_unjudged(struct json_object *series)
{
	struct json_object *kept = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(series); i++) {
		struct json_object *s = json_object_array_get_idx(series, i), *pts, *vals;
		double *v = NULL;
		int n = 0;

		json_object_object_get_ex(s, "points", &pts);
		for (size_t p = 0; p < json_object_array_length(pts); p++) {
			json_object_object_get_ex(json_object_array_get_idx(pts, p), "values", &vals);
			v = realloc(v, (n + json_object_array_length(vals) + 1) * sizeof(*v));
			if (!v)
				abort();
			for (size_t k = 0; k < json_object_array_length(vals); k++)
				v[n++] = json_object_get_double(json_object_array_get_idx(vals, k));
		}
		if (!metric_unjudged(jget_str(s, "metric"), v, n, NULL, 0))
			json_object_array_add(kept, json_object_get(s));
		free(v);
	}
	json_object_put(series);
	return kept;
}

static void add_ids(struct json_object *o, const char *name, const int64_t *ids, int n)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_int64(ids[i]));
	json_object_object_add(o, name, a);
}

/*
 * Default sides: new = every run with the latest run's kernel and tag; base =
 * every run with the kernel and tag of the newest run that differs in either.
 * In a lab's store (runs of more than one named host) both sides are runs of
 * the latest run's host: a change of machine is not a change of kernel.
 */
static bool usable(struct json_object *r, bool include_partial)
{
	return include_partial || !strcmp(jget_str(r, "status"), "complete");
}

/* More than one host named among the runs. */
static bool several_hosts(struct json_object *runs)
{
	const char *first = NULL;

	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		const char *h = jget_str(json_object_array_get_idx(runs, i), "hostname");

		if (!*h)
			continue;
		if (first && strcmp(first, h))
			return true;
		first = h;
	}
	return false;
}

static bool same_host(struct json_object *a, struct json_object *b, bool by_host)
{
	return !by_host || !strcmp(jget_str(a, "hostname"), jget_str(b, "hostname"));
}

static bool same_group(struct json_object *a, struct json_object *b, bool by_host)
{
	return !strcmp(jget_str(a, "kernel"), jget_str(b, "kernel")) &&
	       !strcmp(jget_str(a, "tag"), jget_str(b, "tag")) && same_host(a, b, by_host);
}

static void group_label(struct json_object *r, bool by_host, char *out, size_t len)
{
	snprintf(out, len, "kernel %s%s%s%s%s", jget_str(r, "kernel"),
		 *jget_str(r, "tag") ? ", tag " : "", jget_str(r, "tag"),
		 by_host ? ", host " : "", by_host ? jget_str(r, "hostname") : "");
}

static int default_groups(struct json_object *runs, int64_t **ia, int *na, int64_t **ib, int *nb,
			  char *base_label, char *new_label, size_t len, bool include_partial)
{
	int n = (int)json_object_array_length(runs), last = n - 1;
	struct json_object *latest, *other = NULL;
	bool by_host = several_hosts(runs);

	while (last >= 0 && !usable(json_object_array_get_idx(runs, last), include_partial))
		last--;
	if (last < 0)
		return -1;
	latest = json_object_array_get_idx(runs, last);
	for (int i = last - 1; i >= 0 && !other; i--) {
		struct json_object *r = json_object_array_get_idx(runs, i);

		if (!usable(r, include_partial) || !same_host(r, latest, by_host))
			continue;
		if (!same_group(r, latest, false))
			other = r;
	}
	if (!other)
		return -1;
	*ia = calloc(n, sizeof(**ia));
	*ib = calloc(n, sizeof(**ib));
	*na = *nb = 0;
	for (int i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(runs, i);

		if (!usable(r, include_partial))
			continue;
		if (same_group(r, latest, by_host))
			(*ib)[(*nb)++] = jget_int(r, "id");
		else if (same_group(r, other, by_host))
			(*ia)[(*na)++] = jget_int(r, "id");
	}
	group_label(other, by_host, base_label, len);
	group_label(latest, by_host, new_label, len);
	return 0;
}

/* Whether series s has a point of one of the runs ids. */
static bool series_has_run(struct json_object *s, const int64_t *ids, int n)
{
	struct json_object *points;

	if (!json_object_object_get_ex(s, "points", &points))
		return false;
	for (size_t i = 0; i < json_object_array_length(points); i++)
		for (int k = 0; k < n; k++)
			if (jget_int(json_object_array_get_idx(points, i), "run") == ids[k])
				return true;
	return false;
}

/*
 * Mark regressed metrics in the series so their charts are flagged: the
 * series of that metric in the scenarios the new side's runs belong to.
 */
static void mark_regressions(struct json_object *series, struct json_object *cmp,
			     const int64_t *ib, int nb)
{
	struct json_object *rows;

	json_object_object_get_ex(cmp, "rows", &rows);
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i), *pct;
		char change[32];

		if (strcmp(jget_str(r, "verdict"), "REGRESSION"))
			continue;
		json_object_object_get_ex(r, "change_pct", &pct);
		if (pct)
			snprintf(change, sizeof(change), "%+.1f%%", json_object_get_double(pct));
		else
			snprintf(change, sizeof(change), "from 0");
		for (size_t k = 0; k < json_object_array_length(series); k++) {
			struct json_object *s = json_object_array_get_idx(series, k);

			if (strcmp(jget_str(s, "metric"), jget_str(r, "metric")) ||
			    !series_has_run(s, ib, nb))
				continue;
			json_object_object_add(s, "regression", json_object_new_boolean(1));
			json_object_object_add(s, "change", json_object_new_string(change));
			add_ids(s, "regressed_runs", ib, nb);
		}
	}
}

static struct json_object *build_compare(struct store *st, struct dash_opts *d,
					 struct json_object *runs, struct json_object *series,
					 struct json_object *out, char *err, size_t errlen)
{
	int64_t *ia = NULL, *ib = NULL;
	int na = 0, nb = 0, n;
	char bl[300], nl[300];
	struct sample_set sa, sb;
	struct cmp_row *rows;
	struct json_object *cmp;

	if (d->base || d->new_sel) {
		if (!d->base || !d->new_sel) {
			snprintf(err, errlen, "--base and --new go together");
			return NULL;
		}
		na = store_select(st, d->base, &ia, err, errlen);
		nb = na < 0 ? -1 : store_select(st, d->new_sel, &ib, err, errlen);
		if (na < 0 || nb < 0) {
			free(ia);
			return NULL;
		}
		if (!d->include_partial) {
			int ka = store_filter_complete(st, ia, na), kb = store_filter_complete(st, ib, nb);

			if (!ka || !kb) {
				snprintf(err, errlen, "--%s '%s' selects only partial or unfinished runs"
					 " (--include-partial uses them)", ka ? "new" : "base",
					 ka ? d->new_sel : d->base);
				free(ia);
				free(ib);
				return NULL;
			}
			na = ka;
			nb = kb;
		}
		snprintf(bl, sizeof(bl), "%s", d->base);
		snprintf(nl, sizeof(nl), "%s", d->new_sel);
	} else if (default_groups(runs, &ia, &na, &ib, &nb, bl, nl, sizeof(bl), d->include_partial) < 0) {
		json_object_object_add(out, "compare_note", json_object_new_string(
			"nothing to compare: the store has complete runs of only one kernel and tag "
			"(pass --base and --new to choose; partial runs count with --include-partial)"));
		return out;
	}
	store_samples(st, ia, na, &sa);
	store_samples(st, ib, nb, &sb);
	n = compare_build(&sa, &sb, d->k, d->alpha, &rows);
	cmp = compare_json(rows, n, d->k, d->alpha);
	json_object_object_add(cmp, "base_label", json_object_new_string(bl));
	json_object_object_add(cmp, "new_label", json_object_new_string(nl));
	add_ids(cmp, "base_runs", ia, na);
	add_ids(cmp, "new_runs", ib, nb);
	mark_regressions(series, cmp, ib, nb);
	if (n)
		json_object_object_add(out, "compare", cmp);
	else {
		json_object_put(cmp);
		json_object_object_add(out, "compare_note",
			json_object_new_string("the compared sides share no metric"));
	}
	compare_free(rows, n);
	sample_set_free(&sa);
	sample_set_free(&sb);
	free(ia);
	free(ib);
	return out;
}

static int bucket_cmp(const void *a, const void *b)
{
	int64_t x = jget_int(*(struct json_object *const *)a, "high");
	int64_t y = jget_int(*(struct json_object *const *)b, "high");

	return x < y ? -1 : x > y;
}

/* Merge histogram h into acc ({count,sum,buckets:[{low,high,count}]}). */
static void hist_merge_json(struct json_object *acc, struct json_object *h)
{
	struct json_object *ab, *hb, *v;

	json_object_object_get_ex(acc, "buckets", &ab);
	if (!json_object_object_get_ex(h, "buckets", &hb))
		return;
	for (size_t i = 0; i < json_object_array_length(hb); i++) {
		struct json_object *b = json_object_array_get_idx(hb, i), *mine = NULL;
		int64_t high = jget_int(b, "high");
		size_t k;

		for (k = 0; k < json_object_array_length(ab) && !mine; k++)
			if (jget_int(json_object_array_get_idx(ab, k), "high") == high)
				mine = json_object_array_get_idx(ab, k);
		if (!mine) {
			mine = json_object_new_object();
			json_object_object_add(mine, "low", json_object_new_int64(jget_int(b, "low")));
			json_object_object_add(mine, "high", json_object_new_int64(high));
			json_object_object_add(mine, "count", json_object_new_int64(0));
			json_object_array_add(ab, mine);
			json_object_array_sort(ab, bucket_cmp);	/* keep bounds in order */
		}
		json_object_object_add(mine, "count",
			json_object_new_int64(jget_int(mine, "count") + jget_int(b, "count")));
	}
	json_object_object_add(acc, "count",
		json_object_new_int64(jget_int(acc, "count") + jget_int(h, "count")));
	json_object_object_get_ex(acc, "sum", &v);
	{
		double sum = v ? json_object_get_double(v) : 0;
		struct json_object *hs;

		if (json_object_object_get_ex(h, "sum", &hs))
			sum += json_object_get_double(hs);
		json_object_object_add(acc, "sum", json_object_new_double(sum));
	}
}

static struct json_object *hist_acc(struct json_object *list, const char *label)
{
	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (!strcmp(jget_str(json_object_array_get_idx(list, i), "label"), label))
			return json_object_array_get_idx(list, i);
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, "label", json_object_new_string(label));
	json_object_object_add(a, "count", json_object_new_int64(0));
	json_object_object_add(a, "sum", json_object_new_double(0));
	json_object_object_add(a, "buckets", json_object_new_array());
	json_object_array_add(list, a);
	return a;
}

/* The newest run's faultlat summaries, merged over its repeats. */
static struct json_object *build_histograms(struct store *st)
{
	struct json_object *list = json_object_new_array();
	struct json_object *docs = store_newest_docs(st, "faultlat", "summary");

	for (size_t k = 0; k < json_object_array_length(docs); k++) {
		struct json_object *e = json_object_array_get_idx(docs, k), *doc, *v, *arr;
		char label[256];
		int64_t run = jget_int(e, "run");

		json_object_object_get_ex(e, "doc", &doc);
		if (json_object_object_get_ex(doc, "all", &v) && v) {
			snprintf(label, sizeof(label), "run %lld, all faults", (long long)run);
			hist_merge_json(hist_acc(list, label), v);
		}
		if (json_object_object_get_ex(doc, "histograms", &arr) &&
		    json_object_is_type(arr, json_type_array))
			for (size_t i = 0; i < json_object_array_length(arr); i++) {
				struct json_object *he = json_object_array_get_idx(arr, i), *h, *maj;

				if (!json_object_object_get_ex(he, "hist", &h))
					continue;
				json_object_object_get_ex(he, "major", &maj);
				snprintf(label, sizeof(label), "run %lld, %s %s faults", (long long)run,
					 maj && json_object_get_boolean(maj) ? "major" : "minor",
					 jget_str(he, "path"));
				hist_merge_json(hist_acc(list, label), h);
			}
	}
	json_object_put(docs);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *a = json_object_array_get_idx(list, i), *sum;
		int64_t c = jget_int(a, "count");

		json_object_object_get_ex(a, "sum", &sum);
		json_object_object_add(a, "mean", c ? json_object_new_double(json_object_get_double(sum) / c)
						    : NULL);
	}
	return list;
}

/*
 * The modes sga-bench --mode all could not run in that run, with the reason
 * (its "skipped" documents, docs/store.md): shown beside the chart, so a
 * missing bar does not read as a mode that was never asked for.
 */
static int skip_cmp(const void *a, const void *b)
{
	return strcmp(jget_str(*(struct json_object *const *)a, "mode"),
		      jget_str(*(struct json_object *const *)b, "mode"));
}

static struct json_object *sga_skipped(struct store *st, int64_t run)
{
	struct json_object *arr = json_object_new_array(), *docs;

	if (!run)
		return arr;
	/* one line per mode, by mode */
	docs = store_docs_member(st, run, "sga-bench", "skipped");
	for (size_t i = 0; i < json_object_array_length(docs); i++) {
		struct json_object *e = json_object_array_get_idx(docs, i), *m;
		bool seen = false;

		for (size_t k = 0; k < json_object_array_length(arr) && !seen; k++)
			seen = !strcmp(jget_str(json_object_array_get_idx(arr, k), "mode"),
				       jget_str(e, "mode"));
		if (seen)
			continue;
		m = json_object_new_object();
		json_object_object_add(m, "mode", json_object_new_string(jget_str(e, "mode")));
		json_object_object_add(m, "why", json_object_new_string(jget_str(e, "value")));
		json_object_array_add(arr, m);
	}
	json_object_put(docs);
	json_object_array_sort(arr, skip_cmp);
	return arr;
}

/* The newest sga-bench run: mean page-table bytes per backing mode. */
static struct json_object *build_sga(struct store *st, struct json_object *runs)
{
	struct json_object *o = json_object_new_object();
	int64_t run = 0;

	json_object_object_add(o, "modes", store_sga_modes(st, &run));
	json_object_object_add(o, "run", json_object_new_int64(run));
	json_object_object_add(o, "skipped", sga_skipped(st, run));
	for (size_t i = 0; i < json_object_array_length(runs); i++) {
		struct json_object *r = json_object_array_get_idx(runs, i);

		if (jget_int(r, "id") == run)
			json_object_object_add(o, "label", json_object_new_string(jget_str(r, "label")));
	}
	return o;
}

/*
 * The data sits in a <script> element: the HTML parser looks inside it for
 * "</script" and, after "<!--", for "<script" (the double-escaped state in
 * which a later "</script>" no longer ends the element). A tag such as
 * "<!--<script>" would swallow the rest of the page. '<', '>' and '&' occur
 * in JSON only inside strings, where \u003c, \u003e and \u0026 mean the same
 * characters, so the parser never sees markup. (json-c also escapes '/'.)
 */
static void put_script_json(FILE *f, const char *json)
{
	for (const char *p = json; *p; p++) {
		size_t k = strcspn(p, "<>&");

		fwrite(p, 1, k, f);
		p += k;
		if (!*p)
			break;
		fputs(*p == '<' ? "\\u003c" : *p == '>' ? "\\u003e" : "\\u0026", f);
	}
}

static int write_page(const char *path, const char *json, char *err, size_t errlen)
{
	const char *tpl = mmscope_web_template, *end = mmscope_web_template_end;
	const char *mark_js = "@@MMSCOPE_CHARTJS@@", *mark_data = "@@MMSCOPE_DATA@@";
	const char *pj = memmem(tpl, end - tpl, mark_js, strlen(mark_js));
	const char *pd = memmem(tpl, end - tpl, mark_data, strlen(mark_data));
	struct outfile of;
	FILE *f;

	if (!pj || !pd || pd < pj) {
		snprintf(err, errlen, "the built-in page template lacks its markers (rebuild mmscope)");
		return -1;
	}
	/* beside and renamed, every write checked (outfile.h) */
	if (outfile_open(&of, path, err, errlen) < 0)
		return -1;
	f = of.f;
	fwrite(tpl, 1, pj - tpl, f);
	fwrite(mmscope_chartjs, 1, mmscope_chartjs_end - mmscope_chartjs, f);
	pj += strlen(mark_js);
	fwrite(pj, 1, pd - pj, f);
	put_script_json(f, json);
	pd += strlen(mark_data);
	fwrite(pd, 1, end - pd, f);
	if (outfile_close(&of, err, errlen) < 0)
		return -1;
	return 0;
}

int cmd_dashboard(int argc, char **argv)
{
	struct dash_opts d = { .out = "mmscope-dashboard.html", .k = 2, .alpha = 0.05 };
	struct cmd_desc desc = {
		.name = "dashboard",
		.summary = "Write a static HTML dashboard of the results store (works offline, from file://).",
		.details = "The page has a trend chart per metric over runs (regressed metrics flagged),\n"
			   "the compare table (latest kernel+tag against the one before, on the latest run's\n"
			   "host when the store holds several, or --base/--new, judged as by mmscope\n"
			   "compare), fault-latency histograms of the newest faultlat\n"
			   "summaries, and the SGA page-table chart (physical vs logical per mode).",
		.extra = dash_extra, .parse_extra = dash_parse, .ctx = &d,
		.no_common = true, .min_args = 0, .max_args = 0,
	};
	struct common_opts o;
	struct store *st;
	struct json_object *data, *runs, *list, *series;
	int64_t *ids = NULL;
	int n, rc;
	char err[1024];
	bool lab;

	rc = opts_parse(argc, argv, &desc, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (&mmscope_chartjs_end[0] == &mmscope_chartjs[0]) {
		err_msg("dashboard: this mmscope was built without Chart.js "
			"(apt-get install libjs-chart.js, or make setup, then rebuild)");
		return 2;
	}
	st = store_open_readonly(d.db, err, sizeof(err));
	if (!st) {
		err_msg("dashboard: %s", err);
		return 2;
	}
	n = store_select(st, "all", &ids, err, sizeof(err));
	list = store_list(st, ids, n > 0 ? n : 0);
	free(ids);
	runs = json_object_new_array();
	lab = several_hosts(list);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *r = json_object_array_get_idx(list, i), *e = json_object_new_object();
		char label[600];
		/* in a lab's store, which machine: "#7 6.18.0 main @box1" */
		bool at = lab && *jget_str(r, "hostname");

		snprintf(label, sizeof(label), "#%lld %s%s%s%s%s%s%s", (long long)jget_int(r, "id"),
			 jget_str(r, "kernel"), *jget_str(r, "tag") ? " " : "", jget_str(r, "tag"),
			 at ? " @" : "", at ? jget_str(r, "hostname") : "",
			 strcmp(jget_str(r, "status"), "complete") ? " " : "",
			 strcmp(jget_str(r, "status"), "complete") ? jget_str(r, "status") : "");
		json_object_object_add(e, "id", json_object_new_int64(jget_int(r, "id")));
		json_object_object_add(e, "label", json_object_new_string(label));
		json_object_object_add(e, "scenario", json_object_new_string(jget_str(r, "scenario")));
		{
			struct json_object *v;

			if (json_object_object_get_ex(r, "started", &v))
				json_object_object_add(e, "started", json_object_get(v));
		}
		json_object_object_add(e, "kernel", json_object_new_string(jget_str(r, "kernel")));
		json_object_object_add(e, "tag", json_object_new_string(jget_str(r, "tag")));
		json_object_object_add(e, "hostname", json_object_new_string(jget_str(r, "hostname")));
		json_object_object_add(e, "status", json_object_new_string(jget_str(r, "status")));
		json_object_object_add(e, "status_reason", json_object_new_string(jget_str(r, "status_reason")));
		json_object_array_add(runs, e);
	}
	data = json_object_new_object();
	json_object_object_add(data, "generated", json_object_new_double(wall_time()));
	json_object_object_add(data, "store", json_object_new_string(store_path(st)));
	json_object_object_add(data, "mmscope_commit", json_object_new_string(MMSCOPE_COMMIT));
	json_object_object_add(data, "runs", runs);
	series = build_series(st);
	json_object_object_add(data, "series", series);
	if (!build_compare(st, &d, list, series, data, err, sizeof(err))) {
		err_msg("dashboard: %s", err);
		rc = 2;
		goto out;
	}
	json_object_object_add(data, "histograms", build_histograms(st));
	{
		struct json_object *sga = build_sga(st, runs), *v;
		struct json_object *h = NULL;

		/* the headline leads the SGA section: the same text as runs --headline */
		if (json_object_object_get_ex(sga, "run", &v) && json_object_get_int64(v))
			h = headline_build(st, json_object_get_int64(v));
		if (h)
			json_object_object_add(sga, "headline", h);
		json_object_object_add(data, "sga", sga);
	}
	if (write_page(d.out, json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN),
		       err, sizeof(err)) < 0) {
		err_msg("dashboard: %s", err);
		rc = 2;
		goto out;
	}
	{
		/* series come ordered by scenario: count the changes */
		int ngroups = 0;

		for (size_t i = 0; i < json_object_array_length(series); i++)
			if (!i || strcmp(jget_str(json_object_array_get_idx(series, i), "scenario"),
					 jget_str(json_object_array_get_idx(series, i - 1), "scenario")))
				ngroups++;
		printf("wrote %s: %zu runs, %zu trend charts in %d scenarios%s\n", d.out,
		       json_object_array_length(runs), json_object_array_length(series), ngroups,
		       json_object_object_get_ex(data, "compare", NULL) ? ", compare table" : "");
	}
out:
	json_object_put(data);
	json_object_put(list);
	store_close(st);
	return rc;
}
