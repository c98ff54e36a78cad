// SPDX-License-Identifier: GPL-2.0
/*
 * Judging a comparison (judge.h): per metric present on both sides, the
 * figures of each side, the verdict of stats_judge(), derived forms listed
 * beneath their base, and the JSON form compare and the dashboard print.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

void sample_set_free(struct sample_set *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->m[i].key);
		free(s->m[i].v);
		free(s->m[i].other_cpu);
	}
	free(s->m);
	memset(s, 0, sizeof(*s));
}

/* How many of m's samples have host figures, and the largest other-CPU share. */
static void noise_of(const struct metric_samples *m, int *n, double *max)
{
	*n = 0;
	*max = NAN;
	for (int i = 0; i < m->n; i++) {
		if (isnan(m->other_cpu[i]))
			continue;
		(*n)++;
		if (isnan(*max) || m->other_cpu[i] > *max)
			*max = m->other_cpu[i];
	}
}

static int row_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct cmp_row *)row)->key);
}

/* The row a derived form is listed beneath: its judged base, never a form. */
static int find_parent(struct cmp_row *rows, int n, int i, int depth)
{
	char cand[METRIC_MAX_BASES][256];
	int nc = metric_base_candidates(rows[i].key, cand, METRIC_MAX_BASES);

	for (int c = 0; c < nc && depth < 4; c++) {
		struct cmp_row *p = bsearch(cand[c], rows, n, sizeof(*rows), row_cmp);
		int pi, pp;

		if (!p || p == &rows[i] || p->unjudged)
			continue;
		pi = (int)(p - rows);
		pp = find_parent(rows, n, pi, depth + 1);
		return pp >= 0 ? pp : pi;
	}
	return -1;
}

int compare_build_rule(const struct sample_set *a, const struct sample_set *b,
		       const struct cmp_rule *rule, struct cmp_row **rows)
{
	int n = 0, i = 0, j = 0;

	*rows = calloc(a->n + 1, sizeof(**rows));
	if (!*rows)
		abort();
	/* both sets are sorted by key: merge */
	while (i < a->n && j < b->n) {
		int c = strcmp(a->m[i].key, b->m[j].key);
		struct cmp_row *r;

		if (c < 0) {
			i++;
			continue;
		}
		if (c > 0) {
			j++;
			continue;
		}
		r = &(*rows)[n++];
		r->key = strdup(a->m[i].key);
		stats_describe(a->m[i].v, a->m[i].n, &r->a);
		stats_describe(b->m[j].v, b->m[j].n, &r->b);
		r->dir = metric_direction(r->key);
		stats_judge(&r->a, &r->b, r->dir, rule->k, rule->alpha, &r->j);
		r->unjudged = metric_unjudged(r->key, a->m[i].v, a->m[i].n, b->m[j].v, b->m[j].n);
		noise_of(&a->m[i], &r->noise_a, &r->other_max_a);
		noise_of(&b->m[j], &r->noise_b, &r->other_max_b);
		i++;
		j++;
	}
	/* one measurement, one row: derived forms go beneath their base */
	for (i = 0; i < n; i++)
		(*rows)[i].parent = (*rows)[i].unjudged ? -1 : find_parent(*rows, n, i, 0);
	for (i = 0; i < n; i++) {
		struct cmp_row *r = &(*rows)[i];

		if (!r->unjudged && r->parent < 0)
			stats_withhold(&r->a, &r->b, r->other_max_a, r->other_max_b,
				       rule->busy_pct, &r->j);
	}
	return n;
}

int compare_build(const struct sample_set *a, const struct sample_set *b,
		  double k, double alpha, struct cmp_row **rows)
{
	struct cmp_rule rule = { k, alpha, STATS_BUSY_OTHER_CPU_PCT };

	return compare_build_rule(a, b, &rule, rows);
}

void compare_free(struct cmp_row *rows, int n)
{
	for (int i = 0; i < n; i++)
		free(rows[i].key);
	free(rows);
}

int compare_count(const struct cmp_row *rows, int n, enum verdict v)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += !rows[i].unjudged && rows[i].parent < 0 && rows[i].j.verdict == v;
	return c;
}

static struct json_object *num(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static struct json_object *side_json(const struct sample_stats *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "n", json_object_new_int(s->n));
	json_object_object_add(o, "mean", num(s->mean));
	json_object_object_add(o, "median", num(s->median));
	json_object_object_add(o, "stddev", num(s->sd));
	json_object_object_add(o, "min", num(s->min));
	json_object_object_add(o, "max", num(s->max));
	json_object_object_add(o, "cov", num(s->cov));
	return o;
}

/* The figures of one row; with_verdict false for a derived form. */
static struct json_object *row_json(const struct cmp_row *r, bool judged)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "metric", json_object_new_string(r->key));
	json_object_object_add(e, "direction", json_object_new_string(direction_name(r->dir)));
	json_object_object_add(e, "base", side_json(&r->a));
	json_object_object_add(e, "new", side_json(&r->b));
	json_object_object_add(e, "change_pct", num(r->j.pct));
	json_object_object_add(e, "threshold_pct", num(r->j.threshold_pct));
	json_object_object_add(e, "p", num(r->j.p));
	json_object_object_add(e, "t", num(r->j.t));
	json_object_object_add(e, "df", num(r->j.df));
	json_object_object_add(e, "significant", json_object_new_boolean(r->j.significant));
	if (judged) {
		struct json_object *h = json_object_new_object(), *s;

		json_object_object_add(e, "verdict", json_object_new_string(verdict_name(r->j.verdict)));
		if (r->j.verdict == V_WITHHELD)
			json_object_object_add(e, "withheld_verdict",
				json_object_new_string(verdict_name(r->j.withheld_from)));
		for (int k = 0; k < 2; k++) {
			s = json_object_new_object();
			json_object_object_add(s, "repeats_with_figures",
					       json_object_new_int(k ? r->noise_b : r->noise_a));
			json_object_object_add(s, "other_cpu_pct_max",
					       num(k ? r->other_max_b : r->other_max_a));
			json_object_object_add(h, k ? "new" : "base", s);
		}
		json_object_object_add(e, "host", h);
	}
	return e;
}

struct json_object *compare_json_rule(const struct cmp_row *rows, int n, const struct cmp_rule *cr)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(), *rule;
	struct json_object *unj = json_object_new_array();

	rule = json_object_new_object();
	json_object_object_add(rule, "test", json_object_new_string("welch-t"));
	json_object_object_add(rule, "alpha", json_object_new_double(cr->alpha));
	json_object_object_add(rule, "k", json_object_new_double(cr->k));
	json_object_object_add(rule, "min_change_pct", json_object_new_double(STATS_MIN_CHANGE_PCT));
	json_object_object_add(rule, "min_samples", json_object_new_int(STATS_MIN_SAMPLES));
	json_object_object_add(rule, "stddev", json_object_new_string("sample (n-1)"));
	json_object_object_add(rule, "busy_other_cpu_pct", num(cr->busy_pct >= 0 ? cr->busy_pct : NAN));
	json_object_object_add(o, "rule", rule);
	for (int i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];
		struct json_object *e, *forms;

		if (r->unjudged) {
			/* host figures are shown per row ("host"), not listed here */
			if (strcmp(r->unjudged, "host")) {
				e = json_object_new_object();
				json_object_object_add(e, "metric", json_object_new_string(r->key));
				json_object_object_add(e, "reason", json_object_new_string(r->unjudged));
				json_object_array_add(unj, e);
			}
			continue;
		}
		if (r->parent >= 0)
			continue;
		e = row_json(r, true);
		forms = json_object_new_array();
		for (int f = 0; f < n; f++)
			if (rows[f].parent == i && !rows[f].unjudged)
				json_object_array_add(forms, row_json(&rows[f], false));
		json_object_object_add(e, "forms", forms);
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "rows", arr);
	json_object_object_add(o, "not_judged", unj);
	json_object_object_add(o, "regressions", json_object_new_int(compare_count(rows, n, V_REGRESSION)));
	json_object_object_add(o, "withheld", json_object_new_int(compare_count(rows, n, V_WITHHELD)));
	return o;
}

struct json_object *compare_json(const struct cmp_row *rows, int n, double k, double alpha)
{
	struct cmp_rule rule = { k, alpha, STATS_BUSY_OTHER_CPU_PCT };

	return compare_json_rule(rows, n, &rule);
}
