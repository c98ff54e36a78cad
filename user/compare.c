// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope compare A B: per metric, base (A) against new (B), with the
 * significance rule of stats.h. Exit 0: no significant regression, 1: at
 * least one, 2: error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "opts.h"
#include "outfile.h"
#include "store.h"
#include "util.h"

struct compare_opts {
	const char *db;
	bool json, changed_only, include_partial, ignore_noise;
	double k, alpha, busy_pct;
};

enum { OPT_DB = 0x2100, OPT_JSON, OPT_K, OPT_ALPHA, OPT_CHANGED, OPT_PARTIAL, OPT_BUSY,
       OPT_IGNORE_NOISE };

static const struct extra_opt compare_extra[] = {
	{ { "db", required_argument, NULL, OPT_DB }, STORE_DB_ARG, STORE_DB_HELP },
	{ { "json", no_argument, NULL, OPT_JSON }, NULL, "one JSON document instead of the table" },
	{ { "k", required_argument, NULL, OPT_K }, "K",
	  "noise multiplier: a change must be >= max(2%, K x CoV) (default 2)" },
	{ { "alpha", required_argument, NULL, OPT_ALPHA }, "P",
	  "significance level of Welch's t-test (default 0.05)" },
	{ { "changed", no_argument, NULL, OPT_CHANGED }, NULL,
	  "list only metrics with a significant change" },
	{ { "include-partial", no_argument, NULL, OPT_PARTIAL }, NULL,
	  "also use partial and unfinished runs (left out by default: they stopped early)" },
	{ { "busy-cpu-pct", required_argument, NULL, OPT_BUSY }, "PCT",
	  "a repeat is busy when other processes took more than PCT% of the CPU (default 10)" },
	{ { "ignore-host-noise", no_argument, NULL, OPT_IGNORE_NOISE }, NULL,
	  "judge even when the host was busy (never withhold a verdict)" },
	{ { NULL } }
};

static int compare_parse(int key, const char *arg, void *ctx)
{
	struct compare_opts *o = ctx;
	char *end;

	switch (key) {
	case OPT_DB: o->db = arg; return 0;
	case OPT_JSON: o->json = true; return 0;
	case OPT_CHANGED: o->changed_only = true; return 0;
	case OPT_PARTIAL: o->include_partial = true; return 0;
	case OPT_IGNORE_NOISE: o->ignore_noise = true; return 0;
	case OPT_BUSY:
		o->busy_pct = strtod(arg, &end);
		if (*end || end == arg || !(o->busy_pct >= 0) || o->busy_pct > 100) {
			err_msg("compare: --busy-cpu-pct '%s' must be a number from 0 to 100", arg);
			return -1;
		}
		return 0;
	case OPT_K:
		o->k = strtod(arg, &end);
		if (*end || end == arg || !(o->k >= 0) || o->k > 100) {
			err_msg("compare: --k '%s' must be a number from 0 to 100", arg);
			return -1;
		}
		return 0;
	case OPT_ALPHA:
		o->alpha = strtod(arg, &end);
		if (*end || end == arg || !(o->alpha > 0) || !(o->alpha < 1)) {
			err_msg("compare: --alpha '%s' must be between 0 and 1", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

static void fmt_pct(char *buf, size_t len, double v)
{
	if (isfinite(v))
		snprintf(buf, len, "%+.2f%%", v);
	else
		snprintf(buf, len, "n/a");
}

/*
 * Keys of the metrics present in x only (both sets are sorted by key): not
 * compared, but said, so a renamed metric or a run of a different size (its
 * key carries it) is not dropped silently. A new JSON array.
 */
static struct json_object *one_sided(const struct sample_set *x,
				     const struct sample_set *y)
{
	struct json_object *only = json_object_new_array();
	int i = 0, j = 0;

	while (i < x->n) {
		int c = j < y->n ? strcmp(x->m[i].key, y->m[j].key) : -1;

		if (c > 0) {
			j++;
			continue;
		}
		/* host figures: runs recorded before them have none; not metrics */
		if (c < 0 && !strncmp(x->m[i].key, "host.noise.", 11))
			;
		else if (c < 0)
			json_object_array_add(only, json_object_new_string(x->m[i].key));
		else
			j++;
		i++;
	}
	return only;
}

/* One line of the table: a judged metric, or (form) one derived from the row above. */
static void print_row(const struct cmp_row *r, bool form)
{
	char pct[32], nn[16], p[16], name[300];

	fmt_pct(pct, sizeof(pct), r->j.pct);
	snprintf(nn, sizeof(nn), "%d/%d", r->a.n, r->b.n);
	if (isfinite(r->j.p))
		snprintf(p, sizeof(p), "%.3g", r->j.p);
	else
		snprintf(p, sizeof(p), "-");
	if (form) {
		const char *dot = strrchr(r->key, '.');

		snprintf(name, sizeof(name), "  + %s", dot ? dot + 1 : r->key);
	} else {
		snprintf(name, sizeof(name), "%s", r->key);
	}
	printf("%-44s %12.6g %12.6g %12.6g %12.6g %9s %10.4g %10.4g %7s %8s  ", name,
	       r->a.mean, r->b.mean, r->a.median, r->b.median, pct, r->a.sd, r->b.sd, nn, p);
	if (form)
		printf("form of the row above\n");
	else if (r->j.verdict == V_WITHHELD)
		printf("%s (would be %s; other processes took up to %.0f%% / %.0f%% of the CPU)\n",
		       verdict_name(r->j.verdict), verdict_name(r->j.withheld_from),
		       isnan(r->other_max_a) ? 0 : r->other_max_a,
		       isnan(r->other_max_b) ? 0 : r->other_max_b);
	else
		printf("%s%s\n", verdict_name(r->j.verdict), r->j.verdict == V_REGRESSION ? " <<<" : "");
}

/* The host-noise figures of one side: the share other processes took, over its repeats. */
static void print_noise(const char *label, const struct sample_set *set, double busy_pct)
{
	const struct metric_samples *m = NULL;
	struct sample_stats s;

	for (int i = 0; i < set->n && !m; i++)
		if (!strcmp(set->m[i].key, "host.noise.other_cpu_pct"))
			m = &set->m[i];
	if (!m) {
		printf("host  %-4s not recorded (runs from before mmscope recorded host noise, or imported)\n", label);
		return;
	}
	stats_describe(m->v, m->n, &s);
	printf("host  %-4s other processes took %.1f%% of the CPU on average, %.1f%% at most, over %d repeat%s%s\n",
	       label, s.mean, s.max, s.n, s.n == 1 ? "" : "s",
	       busy_pct >= 0 && s.max > busy_pct ? " (busy)" : "");
}

static void print_side(const char *label, const char *sel, struct store *st,
		       const int64_t *ids, int n)
{
	struct json_object *rows = store_list(st, ids, n);
	char kernels[512] = "", tags[256] = "";
	int partial = 0;

	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i), *v;
		const char *k, *t;

		json_object_object_get_ex(r, "kernel", &v);
		k = json_object_get_string(v);
		json_object_object_get_ex(r, "tag", &v);
		t = json_object_get_string(v);
		json_object_object_get_ex(r, "status", &v);
		partial += v && strcmp(json_object_get_string(v), "complete");
		if (!strstr(kernels, k) && strlen(kernels) + strlen(k) + 3 < sizeof(kernels))
			strcat(strcat(kernels, *kernels ? ", " : ""), k);
		if (*t && !strstr(tags, t) && strlen(tags) + strlen(t) + 3 < sizeof(tags))
			strcat(strcat(tags, *tags ? ", " : ""), t);
	}
	printf("%-5s %s: %d run%s%s, kernel %s%s%s\n", label, sel, n, n == 1 ? "" : "s",
	       partial ? " (some partial)" : "", kernels, *tags ? ", tag " : "", tags);
	json_object_put(rows);
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts co = { .k = 2, .alpha = 0.05, .busy_pct = STATS_BUSY_OTHER_CPU_PCT };
	struct cmd_desc desc = {
		.name = "compare",
		.summary = "Compare two runs, kernels or tags metric by metric with a significance test.",
		.details = "A and B select runs: an id (17), ids (17,18), tag:T, kernel:RELEASE,\n"
			   "scenario:NAME, latest, or a bare word tried as a tag, then a kernel\n"
			   "release, then a scenario. Every repeat of every selected run is one sample.\n"
			   "A change is significant when Welch's t-test gives p < alpha AND\n"
			   "|%change| >= max(2%, K x CoV) (CoV = larger sample stddev / mean of the\n"
			   "two sides); fewer than 3 samples a side is \"insufficient samples\".\n"
			   "Significant changes in a metric's bad direction are REGRESSIONs; metrics\n"
			   "of unknown direction are \"changed\" (docs/store.md has the table).\n"
			   "One measurement, one row: a metric's _mean/_median/_p50/_min/_max and\n"
			   "per-task/thread/proc forms are listed beneath it, not judged apart;\n"
			   "metrics describing a spread (_stddev, _cv_pct) or constant in every\n"
			   "sample of both sides get no row. A significant change is withheld\n"
			   "(\"host was busy\") when other processes took more than --busy-cpu-pct\n"
			   "of the CPU in any repeat of either side (recorded by mmscope run),\n"
			   "unless the metric is constant within each side.\n"
			   "Partial and unfinished runs (mmscope runs shows the status) are left out\n"
			   "unless --include-partial. The store is opened read-only.\n"
			   "Exit: 0 no significant regression (withheld included), 1 regression\n"
			   "found, 2 error.",
		.extra = compare_extra, .parse_extra = compare_parse, .ctx = &co,
		.no_common = true, .min_args = 2, .max_args = 2, .args_usage = "A B",
	};
	struct common_opts o;
	struct store *st;
	struct sample_set sa, sb;
	struct cmp_row *rows;
	int64_t *ia = NULL, *ib = NULL;
	int na, nb, n = 0, rc, regressions = 0, shown = 0, a_only, b_only, partial = 0;
	int judged = 0, forms = 0, unjudged = 0, withheld = 0;
	struct cmp_rule rule;
	struct json_object *base_only = NULL, *new_only = NULL;
	char err[1024];
	struct outfile of;

	rc = opts_parse(argc, argv, &desc, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	st = store_open_readonly(co.db, err, sizeof(err));
	if (!st) {
		err_msg("compare: %s", err);
		return 2;
	}
	na = store_select(st, o.args[0], &ia, err, sizeof(err));
	nb = na < 0 ? -1 : store_select(st, o.args[1], &ib, err, sizeof(err));
	if (na < 0 || nb < 0) {
		err_msg("compare: %s", err);
		store_close(st);
		free(ia);
		return 2;
	}
	if (!co.include_partial) {
		int ka = store_filter_complete(st, ia, na), kb = store_filter_complete(st, ib, nb);

		if (!ka || !kb) {
			err_msg("compare: '%s' selects only partial or unfinished runs "
				"(mmscope runs shows them; --include-partial uses them)", o.args[ka ? 1 : 0]);
			store_close(st);
			free(ia);
			free(ib);
			return 2;
		}
		partial = (na - ka) + (nb - kb);
		na = ka;
		nb = kb;
	}
	store_samples(st, ia, na, &sa);
	store_samples(st, ib, nb, &sb);
	rule = (struct cmp_rule){ co.k, co.alpha, co.ignore_noise ? -1 : co.busy_pct };
	n = compare_build_rule(&sa, &sb, &rule, &rows);
	base_only = one_sided(&sa, &sb);
	new_only = one_sided(&sb, &sa);
	a_only = json_object_array_length(base_only);
	b_only = json_object_array_length(new_only);
	for (int i = 0; i < n; i++) {
		judged += !rows[i].unjudged && rows[i].parent < 0;
		forms += !rows[i].unjudged && rows[i].parent >= 0;
		unjudged += rows[i].unjudged && strcmp(rows[i].unjudged, "host");
	}
	if (judged + forms + unjudged == 0) {
		err_msg("compare: no metric is present on both sides ('%s' and '%s')",
			o.args[0], o.args[1]);
		rc = 2;
		goto out;
	}
	regressions = compare_count(rows, n, V_REGRESSION);
	withheld = compare_count(rows, n, V_WITHHELD);
	outfile_open(&of, NULL, err, sizeof(err));	/* standard output: cannot fail */
	if (co.json) {
		struct json_object *doc = compare_json_rule(rows, n, &rule), *side;
		struct json_object *ids;

		json_object_object_add(doc, "schema", json_object_new_string("mmscope/1"));
		json_object_object_add(doc, "tool", json_object_new_string("compare"));
		json_object_object_add(doc, "kind", json_object_new_string("result"));
		for (int s = 0; s < 2; s++) {
			side = json_object_new_object();
			ids = json_object_new_array();
			for (int i = 0; i < (s ? nb : na); i++)
				json_object_array_add(ids, json_object_new_int64(s ? ib[i] : ia[i]));
			json_object_object_add(side, "selector", json_object_new_string(o.args[s]));
			json_object_object_add(side, "runs", ids);
			json_object_object_add(doc, s ? "new_runs" : "base_runs", side);
		}
		json_object_object_add(doc, "partial_runs_left_out", json_object_new_int(partial));
		json_object_object_add(doc, "base_only", json_object_get(base_only));
		json_object_object_add(doc, "new_only", json_object_get(new_only));
		printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
		json_object_put(doc);
	} else {
		print_side("base", o.args[0], st, ia, na);
		print_side("new", o.args[1], st, ib, nb);
		print_noise("base", &sa, rule.busy_pct);
		print_noise("new", &sb, rule.busy_pct);
		if (partial)
			printf("left out: %d partial or unfinished run%s (--include-partial uses them)\n",
			       partial, partial == 1 ? "" : "s");
		printf("rule: Welch p < %g and |change| >= max(%g%%, %g x CoV); sample (n-1) stddev; n >= %d a side\n",
		       co.alpha, STATS_MIN_CHANGE_PCT, co.k, STATS_MIN_SAMPLES);
		if (rule.busy_pct >= 0)
			printf("host noise: a significant change is withheld when other processes took more than %g%% of the CPU\n"
			       "  in any repeat of either side (--busy-cpu-pct, --ignore-host-noise)\n\n", rule.busy_pct);
		else
			printf("host noise: ignored (--ignore-host-noise)\n\n");
		printf("%-44s %12s %12s %12s %12s %9s %10s %10s %7s %8s  %s\n", "metric",
		       "base mean", "new mean", "base median", "new median", "%change",
		       "base sd", "new sd", "n b/n", "p", "verdict");
		for (int i = 0; i < n; i++) {
			const struct cmp_row *r = &rows[i];

			if (r->unjudged || r->parent >= 0)
				continue;
			if (co.changed_only && !r->j.significant)
				continue;
			shown++;
			print_row(r, false);
			for (int f = 0; f < n; f++)
				if (rows[f].parent == i && !rows[f].unjudged)
					print_row(&rows[f], true);
		}
		if (co.changed_only && !shown)
			printf("(no significant changes)\n");
		printf("\n%d metric%s judged (%d derived form%s listed beneath them), %d regression%s",
		       judged, judged == 1 ? "" : "s", forms, forms == 1 ? "" : "s",
		       regressions, regressions == 1 ? "" : "s");
		if (withheld)
			printf(", %d verdict%s withheld (host busy)", withheld, withheld == 1 ? "" : "s");
		printf("\n");
		if (unjudged)
			printf("not judged: %d metric%s constant on both sides or describing a spread (--json lists them)\n",
			       unjudged, unjudged == 1 ? "" : "s");
		if (a_only || b_only)
			printf("not compared: %d metric%s only in base, %d only in new (--json lists them)\n",
			       a_only, a_only == 1 ? "" : "s", b_only);
	}
	rc = regressions ? 1 : 0;
	/* a table lost to a full disk must not pass for "no regressions" (exit 0) */
	if (outfile_close(&of, err, sizeof(err)) < 0) {
		err_msg("compare: %s", err);
		rc = 2;
	}
out:
	json_object_put(base_only);
	json_object_put(new_only);
	compare_free(rows, n);
	sample_set_free(&sa);
	sample_set_free(&sb);
	free(ia);
	free(ib);
	store_close(st);
	return rc;
}
