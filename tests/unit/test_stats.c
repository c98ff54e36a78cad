// SPDX-License-Identifier: GPL-2.0
/* Statistics: descriptive figures, the t distribution, Welch, the change rule. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "stats.h"
#include "unit.h"

/* Independent check of the t tail: Simpson integration of the t density. */
static double t_p2_by_integration(double t, double df)
{
	const int n = 200000;
	double c = exp(lgamma((df + 1) / 2) - lgamma(df / 2)) / sqrt(df * M_PI);
	double h = fabs(t) / n, sum = 0;

	for (int i = 0; i <= n; i++) {
		double x = i * h, w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);

		sum += w * c * pow(1 + x * x / df, -(df + 1) / 2);
	}
	return 1 - 2 * sum * h / 3;	/* 1 - P(|T| < |t|) */
}

/* mean, sample sd, median of odd and even counts; input left in order */
static void test_describe(void)
{
	struct sample_stats s;
	double x[] = { 4, 1, 3, 2, 5 };

	stats_describe(x, 5, &s);
	CHECK(s.n == 5, "n %d", s.n);
	CHECK_NEAR(s.mean, 3, 1e-12);
	CHECK_NEAR(s.sd, sqrt(2.5), 1e-12);	/* sample, not population (sqrt 2) */
	CHECK_NEAR(s.median, 3, 0);
	CHECK_NEAR(s.min, 1, 0);
	CHECK_NEAR(s.max, 5, 0);
	CHECK_NEAR(s.cov, sqrt(2.5) / 3, 1e-12);
	CHECK(x[0] == 4, "input was reordered");
	double even[] = { 10, 2, 8, 4 };
	stats_describe(even, 4, &s);
	CHECK_NEAR(s.median, 6, 0);
	stats_describe(x, 1, &s);
	CHECK(s.sd == 0 && s.mean == 4, "single sample");
	stats_describe(x, 0, &s);
	CHECK(s.n == 0 && s.mean == 0 && s.median == 0, "no samples: all zeros");
}

/* stats_sort: ascending, in place, negatives and repeats kept */
static void test_sort(void)
{
	double v[] = { 3, -1, 2, 3, 0.5 }, want[] = { -1, 0.5, 2, 3, 3 };

	stats_sort(v, 5);
	for (int i = 0; i < 5; i++)
		CHECK(v[i] == want[i], "v[%d] %g, want %g", i, v[i], want[i]);
	stats_sort(v, 0);	/* nothing to do, no crash */
}

/* the incomplete beta and the two-sided t tail, against closed forms and integration */
static void test_t_distribution(void)
{
	/* I_x(1,1) = x; I_x(a,1) = x^a */
	CHECK_NEAR(stats_betai(1, 1, 0.3), 0.3, 1e-12);
	CHECK_NEAR(stats_betai(2.5, 1, 0.4), pow(0.4, 2.5), 1e-12);
	CHECK(isnan(stats_betai(-1, 1, 0.5)), "bad a accepted");

	/* closed forms: df=1 Cauchy, df=2 */
	CHECK_NEAR(stats_t_p2(1, 1), 0.5, 1e-12);
	CHECK_NEAR(stats_t_p2(3, 1), 1 - 2 * atan(3) / M_PI, 1e-12);
	CHECK_NEAR(stats_t_p2(2, 2), 1 - 2 / sqrt(6), 1e-12);
	/* printed t tables: two-sided 5% critical values */
	CHECK_NEAR(stats_t_p2(2.228, 10), 0.05, 5e-4);
	CHECK_NEAR(stats_t_p2(2.776, 4), 0.05, 5e-4);
	CHECK_NEAR(stats_t_p2(1.960, 1e6), 0.05, 5e-4);
	/* against numerical integration, fractional df as Welch produces */
	double ts[] = { 0.3, 1.1, 2.5, 4.0 }, dfs[] = { 2.7, 5.88, 13.2, 40 };
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 4; k++)
			CHECK_NEAR(stats_t_p2(ts[i], dfs[k]),
				   t_p2_by_integration(ts[i], dfs[k]), 1e-7);
	CHECK_NEAR(stats_t_p2(-2.5, 7), stats_t_p2(2.5, 7), 1e-15);
}

static void test_welch(void)
{
	struct sample_stats a, b;
	double t, df, p;

	/* Welch: {1..5} vs {2,4,..,10}: t = -3/sqrt(2.5), df = 6.25/1.0625 */
	double A[] = { 1, 2, 3, 4, 5 }, B[] = { 2, 4, 6, 8, 10 };
	stats_describe(A, 5, &a);
	stats_describe(B, 5, &b);
	CHECK(stats_welch(&a, &b, &t, &df, &p) == 0, "welch failed");
	CHECK_NEAR(t, 3 / sqrt(2.5), 1e-12);
	CHECK_NEAR(df, 6.25 / 1.0625, 1e-12);
	CHECK_NEAR(p, t_p2_by_integration(t, df), 1e-7);
	CHECK_NEAR(p, 0.1075, 5e-4);	/* R: t.test(A, B)$p.value */
}

/* the change rule: significance, the 2% floor, k x CoV, too few samples, zero variance */
static void test_judge(void)
{
	struct sample_stats a, b;
	struct judgement j;

	/* rule: 20% slower latency, 1% noise, n=5 -> regression */
	double base[] = { 100, 101, 99, 100.5, 99.5 }, slow[] = { 120, 121, 119, 120.5, 119.5 };
	stats_describe(base, 5, &a);
	stats_describe(slow, 5, &b);
	stats_judge(&a, &b, metric_direction("pfbench.anon.fault_mean_ns"), 2, 0.05, &j);
	CHECK(j.verdict == V_REGRESSION, "verdict %s", verdict_name(j.verdict));
	CHECK_NEAR(j.pct, 20, 1e-9);
	/* same data as throughput: improvement; unknown metric: changed */
	stats_judge(&a, &b, metric_direction("ops_per_s_total"), 2, 0.05, &j);
	CHECK(j.verdict == V_IMPROVEMENT, "verdict %s", verdict_name(j.verdict));
	stats_judge(&a, &b, metric_direction("vmalock.precise.success"), 2, 0.05, &j);
	CHECK(j.verdict == V_CHANGED, "verdict %s", verdict_name(j.verdict));
	/* significant p but below the 2% floor -> no change */
	double tiny[] = { 101.5, 102.5, 100.5, 102, 101 };
	stats_describe(tiny, 5, &b);
	stats_judge(&a, &b, DIR_LOWER_BETTER, 2, 0.05, &j);
	CHECK(j.p < 0.05 && j.verdict == V_NO_CHANGE, "p %g verdict %s", j.p, verdict_name(j.verdict));
	/* big but noisy (CoV 30%): threshold is k*CoV = 60% */
	double noisy[] = { 70, 130, 100, 60, 140 }, noisy2[] = { 95, 155, 125, 85, 165 };
	stats_describe(noisy, 5, &a);
	stats_describe(noisy2, 5, &b);
	stats_judge(&a, &b, DIR_LOWER_BETTER, 2, 0.05, &j);
	CHECK(j.verdict == V_NO_CHANGE && j.threshold_pct > 50, "verdict %s thr %g",
	      verdict_name(j.verdict), j.threshold_pct);
	/* two samples a side: never called */
	stats_describe(base, 2, &a);
	stats_describe(slow, 2, &b);
	stats_judge(&a, &b, DIR_LOWER_BETTER, 2, 0.05, &j);
	CHECK(j.verdict == V_INSUFFICIENT, "verdict %s", verdict_name(j.verdict));
	/* zero variance, different means: deterministic difference */
	double c1[] = { 4096, 4096, 4096 }, c2[] = { 8192, 8192, 8192 };
	stats_describe(c1, 3, &a);
	stats_describe(c2, 3, &b);
	stats_judge(&a, &b, metric_direction("pt_physical_bytes"), 2, 0.05, &j);
	CHECK(j.verdict == V_REGRESSION && j.p == 0, "verdict %s", verdict_name(j.verdict));
	stats_judge(&a, &a, DIR_LOWER_BETTER, 2, 0.05, &j);
	CHECK(j.verdict == V_NO_CHANGE && j.p == 1, "verdict %s", verdict_name(j.verdict));
}

static void test_direction(void)
{
	CHECK(metric_direction("sga-bench.ptshare.saving_vs_shmem_pct") == DIR_HIGHER_BETTER, "saving");
	CHECK(metric_direction("overhead.x.overhead_ratio") == DIR_LOWER_BETTER, "overhead");
	CHECK(metric_direction("pt_bytes_per_gib_mapped") == DIR_LOWER_BETTER, "per gib");
}

/* what gets a row: constants, spread figures and host figures do not */
static void test_unjudged(void)
{
	double a[] = { 1, 1, 1 }, b[] = { 1, 1, 1 }, c[] = { 1, 2, 1 };
	const char *r;

	r = metric_unjudged("pfbench.anon.tasks_count", a, 3, b, 3);
	CHECK(r && !strcmp(r, "constant"), "constant: %s", r ? r : "judged");
	CHECK(!metric_unjudged("pfbench.anon.tasks_count", a, 3, c, 3), "a change is judged");
	r = metric_unjudged("pfbench.anon.ops_per_s_total_stddev", a, 3, c, 3);
	CHECK(r && !strcmp(r, "spread"), "stddev: %s", r ? r : "judged");
	r = metric_unjudged("pfbench.anon.ops_cv_pct", a, 3, c, 3);
	CHECK(r && !strcmp(r, "spread"), "cv_pct: %s", r ? r : "judged");
	r = metric_unjudged("x.y.latency_stddev_ns", a, 3, c, 3);
	CHECK(r && !strcmp(r, "spread"), "stddev with a unit: %s", r ? r : "judged");
	r = metric_unjudged("host.noise.other_cpu_pct", a, 3, c, 3);
	CHECK(r && !strcmp(r, "host"), "host: %s", r ? r : "judged");
	CHECK(!metric_unjudged("x.y.ops_per_s", a, 3, c, 3), "plain metric judged");
	CHECK(!metric_unjudged("x.y.sd_card_bytes", a, 3, c, 3), "a first word is no statistic");
	/* one set (the dashboard's series): constant in itself */
	r = metric_unjudged("x.y.faults", a, 3, NULL, 0);
	CHECK(r && !strcmp(r, "constant"), "one set: %s", r ? r : "judged");
}

static bool has_cand(const char *key, const char *want)
{
	char c[METRIC_MAX_BASES][256];
	int n = metric_base_candidates(key, c, METRIC_MAX_BASES);

	for (int i = 0; i < n; i++)
		if (!strcmp(c[i], want))
			return true;
	return false;
}

/* derived forms and the metric they are listed beneath */
static void test_forms(void)
{
	char c[METRIC_MAX_BASES][256];
	int n;

	n = metric_base_candidates("p.anon[tasks=1].ops_per_s_total_min", c, METRIC_MAX_BASES);
	CHECK(n == 5 && !strcmp(c[0], "p.anon[tasks=1].ops_per_s_total"), "min: %d %s", n, n ? c[0] : "");
	n = metric_base_candidates("p.anon.ops_per_s_total_median", c, METRIC_MAX_BASES);
	CHECK(n == 3 && !strcmp(c[0], "p.anon.ops_per_s_total"), "median: %d", n);
	n = metric_base_candidates("p.anon.ops_per_s_per_task", c, METRIC_MAX_BASES);
	CHECK(n >= 1 && !strcmp(c[0], "p.anon.ops_per_s_total"), "per task: %s", n ? c[0] : "");
	CHECK(has_cand("s.shmem.fault_lat_p50_ns", "s.shmem.fault_lat_mean_ns"), "p50 under mean, unit kept");
	CHECK(has_cand("s.shmem.vmpte_per_proc_max_bytes", "s.shmem.vmpte_per_proc_median_bytes"),
	      "max under median");
	CHECK(has_cand("s.shmem.faults_per_proc", "s.shmem.faults_count"), "per proc under count");
	CHECK(metric_base_candidates("s.shmem.fault_lat_p99_ns", c, METRIC_MAX_BASES) == 0,
	      "a tail quantile is a measurement of its own");
	CHECK(metric_base_candidates("p.anon.ops_per_s_total", c, METRIC_MAX_BASES) == 0, "base");
	CHECK(metric_base_candidates("p.anon.max", c, METRIC_MAX_BASES) == 0, "one word");
	/* a mean is a form only of the plain name, never of a median (no cycles) */
	n = metric_base_candidates("x.y.lat_mean_ns", c, METRIC_MAX_BASES);
	CHECK(n == 1 && !strcmp(c[0], "x.y.lat_ns"), "mean: %d", n);
}

/* the host-noise rule */
static void test_withhold(void)
{
	struct sample_stats a, b;
	struct judgement j;
	double x[] = { 100, 101, 99, 100.5, 99.5 }, y[] = { 120, 121, 119, 120.5, 119.5 };
	double k1[] = { 4, 4, 4 }, k2[] = { 8, 8, 8 };

	stats_describe(x, 5, &a);
	stats_describe(y, 5, &b);
	stats_judge(&a, &b, DIR_LOWER_BETTER, 2, 0.05, &j);
	CHECK(!stats_withhold(&a, &b, 2, 9.9, 10, &j) && j.verdict == V_REGRESSION, "quiet: judged");
	CHECK(!stats_withhold(&a, &b, 50, 50, -1, &j) && j.verdict == V_REGRESSION, "rule off");
	CHECK(!stats_withhold(&a, &b, NAN, NAN, 10, &j) && j.verdict == V_REGRESSION, "not recorded");
	CHECK(stats_withhold(&a, &b, NAN, 10.1, 10, &j) && j.verdict == V_WITHHELD &&
	      j.withheld_from == V_REGRESSION, "busy new side: withheld");
	stats_judge(&a, &b, DIR_LOWER_BETTER, 2, 0.05, &j);
	CHECK(stats_withhold(&a, &b, 35, 0, 10, &j) && j.verdict == V_WITHHELD, "busy base side");
	/* not significant: nothing to withhold */
	stats_judge(&a, &a, DIR_LOWER_BETTER, 2, 0.05, &j);
	CHECK(!stats_withhold(&a, &a, 90, 90, 10, &j) && j.verdict == V_NO_CHANGE, "no change stays");
	/* deterministic on both sides: noise cannot have moved it */
	stats_describe(k1, 3, &a);
	stats_describe(k2, 3, &b);
	stats_judge(&a, &b, DIR_LOWER_BETTER, 2, 0.05, &j);
	CHECK(!stats_withhold(&a, &b, 90, 90, 10, &j) && j.verdict == V_REGRESSION, "deterministic");
}

int main(void)
{
	RUN(test_describe);
	RUN(test_sort);
	RUN(test_t_distribution);
	RUN(test_welch);
	RUN(test_judge);
	RUN(test_direction);
	RUN(test_unjudged);
	RUN(test_forms);
	RUN(test_withhold);
	return unit_done("test_stats");
}
