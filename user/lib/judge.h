/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Judging two sides of metric samples (docs/store.md, "mmscope compare"):
 * the rule is stats.c's; this builds the rows compare and the dashboard
 * show. The samples come from the store (store_samples).
 */
#ifndef MMSCOPE_JUDGE_H
#define MMSCOPE_JUDGE_H

#include <json-c/json.h>

#include "stats.h"

/*
 * Samples of each metric ("tool.mode.name") over the given runs' repeats;
 * other_cpu[i]: the host.noise.other_cpu_pct of sample i's repeat (NaN when
 * the repeat has none: runs recorded before it was, imports).
 */
struct metric_samples {
	char *key;
	double *v, *other_cpu;
	int n, cap;
};
struct sample_set {
	struct metric_samples *m;
	int n, cap;
};
void sample_set_free(struct sample_set *s);
/*
 * One compared metric; rows come sorted by key. Only rows with parent < 0
 * and unjudged NULL are judged (one row each); a row with parent >= 0 is a
 * derived form listed beneath rows[parent] (metric_base_candidates); one
 * with unjudged set gets no row (metric_unjudged says why).
 */
struct cmp_row {
	char *key;
	struct sample_stats a, b;
	enum direction dir;
	struct judgement j;
	int parent;
	const char *unjudged;
	int noise_a, noise_b;		/* samples whose repeat has host figures */
	double other_max_a, other_max_b;	/* largest other_cpu_pct; NaN: none */
};
struct cmp_rule {
	double k, alpha;
	double busy_pct;	/* stats_withhold's threshold; < 0: never withhold */
};
/* Compare every metric present on both sides. Returns the row count. */
int compare_build_rule(const struct sample_set *a, const struct sample_set *b,
		       const struct cmp_rule *rule, struct cmp_row **rows);
/* The same with the default host-noise threshold (STATS_BUSY_OTHER_CPU_PCT). */
int compare_build(const struct sample_set *a, const struct sample_set *b,
		  double k, double alpha, struct cmp_row **rows);
void compare_free(struct cmp_row *rows, int n);
/* Judged rows (parent < 0, unjudged NULL) with the given verdict. */
int compare_count(const struct cmp_row *rows, int n, enum verdict v);
/*
 * {"rule":{...},"rows":[{metric,direction,base,new,change_pct,p,verdict,
 * forms:[...],host:{...}}],"not_judged":[{metric,reason}],"regressions":N,
 * "withheld":N}
 */
struct json_object *compare_json_rule(const struct cmp_row *rows, int n, const struct cmp_rule *rule);
struct json_object *compare_json(const struct cmp_row *rows, int n, double k, double alpha);

#endif
