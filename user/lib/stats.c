// SPDX-License-Identifier: GPL-2.0
/*
 * Sample statistics, Welch's t-test and the change rule. The Student t CDF
 * comes from the regularized incomplete beta function, evaluated with the
 * continued fraction of Numerical-Recipes fame (modified Lentz), because
 * Debian has no small C library for it that links statically.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void stats_describe(const double *x, int n, struct sample_stats *s)
{
	double *v, sum = 0, ss = 0;

	memset(s, 0, sizeof(*s));
	if (n <= 0)
		return;
	v = malloc(sizeof(*v) * n);
	if (!v)
		abort();
	memcpy(v, x, sizeof(*v) * n);
	qsort(v, n, sizeof(*v), cmp_double);
	for (int i = 0; i < n; i++)
		sum += v[i];
	s->n = n;
	s->mean = sum / n;
	/* two-pass variance: no catastrophic cancellation for large means */
	for (int i = 0; i < n; i++)
		ss += (v[i] - s->mean) * (v[i] - s->mean);
	s->sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
	s->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s->min = v[0];
	s->max = v[n - 1];
	s->cov = s->mean != 0 ? s->sd / fabs(s->mean) : 0;
	free(v);
}

/* Continued fraction for I_x(a,b), valid for x < (a+1)/(a+b+2). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double stats_betai(double a, double b, double x)
{
	double lbt;

	if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

double stats_t_p2(double t, double df)
{
	if (!(df > 0) || isnan(t))
		return NAN;
	if (isinf(t))
		return 0;
	return stats_betai(df / 2, 0.5, df / (df + t * t));
}

int stats_welch(const struct sample_stats *a, const struct sample_stats *b,
		double *t, double *df, double *p)
{
	double va, vb, se2;

	if (a->n < 2 || b->n < 2)
		return -1;
	va = a->sd * a->sd / a->n;
	vb = b->sd * b->sd / b->n;
	se2 = va + vb;
	if (se2 == 0) {
		*t = a->mean == b->mean ? 0 : (b->mean > a->mean ? INFINITY : -INFINITY);
		*df = a->n + b->n - 2;
		*p = a->mean == b->mean ? 1 : 0;
		return 0;
	}
	*t = (b->mean - a->mean) / sqrt(se2);
	/* Welch-Satterthwaite degrees of freedom */
	*df = se2 * se2 / (va * va / (a->n - 1) + vb * vb / (b->n - 1));
	*p = stats_t_p2(*t, *df);
	return 0;
}

/*
 * Which way is worse, by metric name; first match wins. Names carry their
 * unit (docs/json-schema.md), so suffixes decide most of it. Counts of events
 * depend on how much work a run did, so they stay "unknown": a significant
 * change there is reported as "changed", never as a regression.
 */
static const struct {
	const char *glob;
	enum direction dir;
} direction_table[] = {
	{ "*_per_s", DIR_HIGHER_BETTER },
	{ "*_per_sec", DIR_HIGHER_BETTER },
	{ "*_per_s_*", DIR_HIGHER_BETTER },
	{ "*per_thread_ops*", DIR_HIGHER_BETTER },
	{ "*throughput*", DIR_HIGHER_BETTER },
	{ "*saving*", DIR_HIGHER_BETTER },
	{ "*speedup*", DIR_HIGHER_BETTER },
	{ "*overhead*", DIR_LOWER_BETTER },
	{ "*slowdown*", DIR_LOWER_BETTER },
	{ "*_ns", DIR_LOWER_BETTER },
	{ "*_us", DIR_LOWER_BETTER },
	{ "*_ms", DIR_LOWER_BETTER },
	{ "*_seconds", DIR_LOWER_BETTER },
	{ "*_s", DIR_LOWER_BETTER },
	{ "*_cycles", DIR_LOWER_BETTER },
	{ "*_bytes", DIR_LOWER_BETTER },
	{ "*_bytes_per_*", DIR_LOWER_BETTER },
	{ "*_kb", DIR_LOWER_BETTER },
	{ "*_pages", DIR_LOWER_BETTER },
	{ "*retry*", DIR_LOWER_BETTER },
	{ "*retries*", DIR_LOWER_BETTER },
	{ "*fallback*", DIR_LOWER_BETTER },
	{ "*miss*", DIR_LOWER_BETTER },
};

enum direction metric_direction(const char *name)
{
	const char *base = strrchr(name, '.');

	/* compare keys are "tool.mode.metric": judge the metric part */
	base = base ? base + 1 : name;
	for (size_t i = 0; i < sizeof(direction_table) / sizeof(direction_table[0]); i++)
		if (!fnmatch(direction_table[i].glob, base, 0))
			return direction_table[i].dir;
	return DIR_UNKNOWN;
}

const char *direction_name(enum direction d)
{
	switch (d) {
	case DIR_LOWER_BETTER: return "lower-is-better";
	case DIR_HIGHER_BETTER: return "higher-is-better";
	default: return "unknown";
	}
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case V_INSUFFICIENT: return "insufficient samples";
	case V_NO_CHANGE: return "no change";
	case V_CHANGED: return "changed";
	case V_IMPROVEMENT: return "improvement";
	case V_REGRESSION: return "REGRESSION";
	}
	return "?";
}

void stats_judge(const struct sample_stats *a, const struct sample_stats *b,
		 enum direction d, double k, double alpha, struct judgement *j)
{
	double cov = a->cov > b->cov ? a->cov : b->cov;
	bool big;

	memset(j, 0, sizeof(*j));
	j->pct = a->mean != 0 ? 100 * (b->mean - a->mean) / fabs(a->mean) : NAN;
	j->threshold_pct = k * 100 * cov;
	if (j->threshold_pct < STATS_MIN_CHANGE_PCT)
		j->threshold_pct = STATS_MIN_CHANGE_PCT;
	j->p = j->t = j->df = NAN;
	if (a->n < STATS_MIN_SAMPLES || b->n < STATS_MIN_SAMPLES) {
		j->verdict = V_INSUFFICIENT;
		return;
	}
	stats_welch(a, b, &j->t, &j->df, &j->p);
	/* from exactly zero, any change is "large"; the t-test still decides */
	big = isnan(j->pct) ? a->mean != b->mean : fabs(j->pct) >= j->threshold_pct;
	j->significant = j->p < alpha && big;
	if (!j->significant)
		j->verdict = V_NO_CHANGE;
	else if (d == DIR_UNKNOWN)
		j->verdict = V_CHANGED;
	else if ((d == DIR_LOWER_BETTER) == (b->mean > a->mean))
		j->verdict = V_REGRESSION;
	else
		j->verdict = V_IMPROVEMENT;
}
