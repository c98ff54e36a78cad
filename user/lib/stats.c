// SPDX-License-Identifier: GPL-2.0
/*
 * Sample statistics, Welch's t-test and the change rule. The Student t CDF
 * comes from the regularized incomplete beta function, evaluated with the
 * continued fraction of Numerical-Recipes fame (modified Lentz), because
 * Debian has no small C library for it that links statically.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void stats_sort(double *v, int n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_double);
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
	stats_sort(v, n);
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
	case V_WITHHELD: return "host was busy: verdict withheld";
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

/* ---- what is judged ---------------------------------------------------- */

/* The metric part of "tool.mode.name": after the last '.'. */
static const char *metric_name(const char *key)
{
	const char *dot = strrchr(key, '.');

	return dot ? dot + 1 : key;
}

/* Words a metric name may end with after the statistic: its unit. */
static bool is_unit(const char *w, size_t len)
{
	static const char *const units[] = {
		"ns", "us", "ms", "s", "sec", "seconds", "cycles", "bytes", "kb", "pages", "pct", "count",
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i]) == len && !strncmp(w, units[i], len))
			return true;
	return false;
}

/*
 * Split name at its last word, or the word before a unit: *w, *wlen the
 * word, *unit the rest ("" or "_ns"). False when the name has one word.
 */
static bool last_word(const char *name, const char **w, size_t *wlen, const char **unit)
{
	const char *end = name + strlen(name), *u = strrchr(name, '_');

	if (u && u > name && is_unit(u + 1, end - u - 1)) {
		end = u;
		*unit = u;
	} else {
		*unit = name + strlen(name);
	}
	for (*w = end; *w > name && (*w)[-1] != '_'; (*w)--)
		;
	*wlen = end - *w;
	return *w > name;
}

static bool word_in(const char *w, size_t len, const char *const *set)
{
	for (; *set; set++)
		if (strlen(*set) == len && !strncmp(w, *set, len))
			return true;
	return false;
}

const char *metric_unjudged(const char *key, const double *a, int na,
			    const double *b, int nb)
{
	static const char *const spread[] = { "stddev", "sd", "cv", "cov", "variance", NULL };
	const char *name = metric_name(key), *w, *unit;
	size_t wl;
	double first;
	bool same = na + nb > 0;

	if (!strncmp(key, "host.noise.", 11))
		return "host";
	if (last_word(name, &w, &wl, &unit) && word_in(w, wl, spread))
		return "spread";
	first = na ? a[0] : nb ? b[0] : 0;
	for (int i = 0; i < na && same; i++)
		same = a[i] == first;
	for (int i = 0; i < nb && same; i++)
		same = b[i] == first;
	return same ? "constant" : NULL;
}

int metric_base_candidates(const char *key, char out[][256], int max)
{
	/* location statistics, in the order a base is preferred */
	static const char *const rank1[] = { "mean", "avg", NULL };
	static const char *const rank2[] = { "median", "p50", NULL };
	static const char *const rank3[] = { "min", "max", NULL };
	static const char *const *ranks[] = { rank1, rank2, rank3 };
	static const char *const bases[] = { "", "_mean", "_avg", "_median", "_p50" };
	static const char *const per[] = { "_per_task", "_per_thread", "_per_proc" };
	const char *name = metric_name(key), *w, *unit;
	int pre = (int)(name - key), n = 0, rank = 0;
	size_t wl, stem;

	if (!last_word(name, &w, &wl, &unit))
		return 0;
	stem = w - 1 - name;	/* the name before "_stat" */
	for (int r = 0; r < 3 && !rank; r++)
		if (word_in(w, wl, ranks[r]))
			rank = r + 1;
	if (rank) {
		/* bases[0] is rank 0, [1..2] rank 1, [3..4] rank 2 */
		int nb = rank == 1 ? 1 : rank == 2 ? 3 : 5;

		for (int i = 0; i < nb && n < max; i++)
			snprintf(out[n++], 256, "%.*s%.*s%s%s", pre, key, (int)stem, name, bases[i], unit);
		return n;
	}
	/* a per-entity form: STEM_per_task[_unit] -> STEM_total, STEM, STEM_count */
	for (size_t i = 0; i < sizeof(per) / sizeof(per[0]); i++) {
		size_t pl = strlen(per[i]);
		const char *p = unit - pl;

		if (p <= name || strncmp(p, per[i], pl))
			continue;
		stem = p - name;
		if (n < max)
			snprintf(out[n++], 256, "%.*s%.*s_total%s", pre, key, (int)stem, name, unit);
		if (n < max)
			snprintf(out[n++], 256, "%.*s%.*s%s", pre, key, (int)stem, name, unit);
		if (n < max && !*unit)
			snprintf(out[n++], 256, "%.*s%.*s_count", pre, key, (int)stem, name);
		return n;
	}
	return 0;
}

bool stats_withhold(const struct sample_stats *a, const struct sample_stats *b,
		    double other_max_a, double other_max_b, double busy_pct,
		    struct judgement *j)
{
	if (!j->significant || !(busy_pct >= 0))
		return false;
	/* both sides exactly constant: a deterministic figure, noise did not move it */
	if (a->sd == 0 && b->sd == 0)
		return false;
	if (!(other_max_a > busy_pct) && !(other_max_b > busy_pct))
		return false;
	j->withheld_from = j->verdict;
	j->verdict = V_WITHHELD;
	return true;
}
