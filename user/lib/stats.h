/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one statistics module: every mean, sample stddev, median, min and max
 * in mmscope and its bench drivers comes from stats_describe(). Here too is
 * the change rule `mmscope compare` and the dashboard use (docs/store.md
 * "How compare judges a change"):
 *   significant  = Welch's t-test p < alpha (0.05)
 *                  AND |%change| >= max(2%, k * CoV)   (k = 2 by default)
 *   CoV          = the larger of the two sides' sample stddev / |mean|
 *   fewer than 3 samples on either side -> "insufficient samples".
 * All standard deviations are sample (n - 1) standard deviations.
 */
#ifndef MMSCOPE_STATS_H
#define MMSCOPE_STATS_H

#include <stdbool.h>

#define STATS_MIN_SAMPLES 3
#define STATS_MIN_CHANGE_PCT 2.0

struct sample_stats {
	int n;
	double mean, sd, median, min, max;
	double cov;		/* sd / |mean|; 0 when mean is 0 */
};

/* Describe x[0..n-1] (x is not modified). n == 0 gives all zeros. */
void stats_describe(const double *x, int n, struct sample_stats *s);
/* Sort v[0..n-1] ascending (the order stats_describe's median uses). */
void stats_sort(double *v, int n);

/* Regularized incomplete beta function I_x(a, b); NaN on bad input. */
double stats_betai(double a, double b, double x);
/* Two-sided p-value of Student's t distribution: P(|T| >= |t|), df > 0. */
double stats_t_p2(double t, double df);
/*
 * Welch's unequal-variance t-test of b against a. Needs n >= 2 a side.
 * Returns 0 and fills t, df, p; -1 when undefined (n < 2). Both variances
 * zero: p is 1 for equal means, 0 otherwise (a deterministic difference).
 */
int stats_welch(const struct sample_stats *a, const struct sample_stats *b,
		double *t, double *df, double *p);

enum direction { DIR_UNKNOWN, DIR_LOWER_BETTER, DIR_HIGHER_BETTER };
/* Direction of a metric from its name (table in stats.c, docs/store.md). */
enum direction metric_direction(const char *name);
const char *direction_name(enum direction d);

enum verdict {
	V_INSUFFICIENT,		/* < 3 samples on a side */
	V_NO_CHANGE,		/* not significant */
	V_CHANGED,		/* significant, direction unknown */
	V_IMPROVEMENT,
	V_REGRESSION,
	V_WITHHELD,		/* significant, but the host was busy (stats_withhold) */
};
const char *verdict_name(enum verdict v);

struct judgement {
	double pct;		/* 100 * (b.mean - a.mean) / |a.mean|; NaN if a.mean == 0 */
	double threshold_pct;	/* max(2, k * 100 * CoV) */
	double t, df, p;	/* Welch; p NaN when not computable */
	bool significant;
	enum verdict verdict;
	enum verdict withheld_from;	/* V_WITHHELD: what it would have been */
};

/* Judge b (new) against a (base) for a metric with direction d. */
void stats_judge(const struct sample_stats *a, const struct sample_stats *b,
		 enum direction d, double k, double alpha, struct judgement *j);

/*
 * What compare judges (docs/store.md "One change, one row"). A metric gets
 * no row, no verdict and no dashboard chart when it describes the host
 * ("host.noise.*", recorded by mmscope run), the spread of another figure
 * (a last word stddev, sd, cv, cov, variance, before an optional unit), or
 * is identical in every sample of a and b (a constant: tasks_count).
 * Returns why ("host", "spread", "constant") or NULL: judged. key is
 * "tool.mode.name" or a bare name; b may be NULL (nb 0): one set of samples.
 */
const char *metric_unjudged(const char *key, const double *a, int na,
			    const double *b, int nb);
/*
 * A derived form of one measurement (a _min, _max, _median, _p50 or _mean
 * of it, or its per-task/per-thread/per-proc form) is listed beneath the
 * metric it derives from and not judged apart. Fills out[] with the keys
 * that metric may have, most preferred first (same tool.mode prefix), and
 * returns how many (0: key is no derived form). Tail quantiles (p90, p99...)
 * are measurements of their own.
 */
#define METRIC_MAX_BASES 6
int metric_base_candidates(const char *key, char out[][256], int max);

/*
 * The host-noise rule: a side's repeat was busy when other processes
 * (everything but the workload, the tracers and mmscope run) took more than
 * busy_pct percent of the machine's CPU time (ncpus x wall) during it.
 * A significant verdict is withheld when any repeat of either side was busy,
 * unless both sides are exactly constant (a deterministic figure noise
 * cannot move). other_max_a/b: the largest such share over each side's
 * repeats (NaN: not recorded). Returns true and sets j->verdict =
 * V_WITHHELD (j->withheld_from keeps the verdict it had) when withheld.
 */
#define STATS_BUSY_OTHER_CPU_PCT 10.0
bool stats_withhold(const struct sample_stats *a, const struct sample_stats *b,
		    double other_max_a, double other_max_b, double busy_pct,
		    struct judgement *j);

#endif
