// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "sga/children.h"
#include "sga/plan.h"

/*
 * Floors of the plan. hugetlb shares PMD tables only over whole 1 GiB-aligned
 * GiBs, so with hugetlb in the run the SGA stays at 1 GiB at least; the
 * touched fraction then shrinks to 1/16 (hugetlb's sharing does not depend
 * on it). Fewer than 50 processes would no longer be "many".
 */
#define SGA_FLOOR_HUGETLB GiB
#define SGA_FLOOR (256 * MiB)
#define FRAC_FLOOR (1.0 / 16)
#define PROCS_FLOOR 50

double sga_plan_mode_time(const struct sga_rate *r, int n, size_t sga, double frac,
			  double pred[PH_NR])
{
	double touched = (double)n * frac * sga, t[PH_NR] = { 0 }, sum = 0;

	t[PH_POPULATE] = r->populate_s_per_byte * sga;
	t[PH_SPAWN] = r->spawn_s_per_proc * n;
	t[PH_MAP_TOUCH] = r->touch_s_per_byte * touched;
	t[PH_MEASURE] = r->measure_s_per_proc * n + r->fixed_s;
	t[PH_TEARDOWN] = r->teardown_s_per_byte * touched;
	for (int i = 0; i < PH_NR; i++) {
		sum += t[i];
		if (pred)
			pred[i] = t[i];
	}
	return sum;
}

static double total(const struct sga_plan_req *q, int n, size_t sga, double frac,
		    double *mode_s)
{
	double sum = 0, t;

	for (int m = 0; m < SGA_NR_MODES; m++) {
		if (!q->modes[m] || !q->rates[m].ok)
			continue;
		t = sga_plan_mode_time(&q->rates[m], n, sga, frac, NULL);
		if (mode_s)
			mode_s[m] = t;
		sum += t;
	}
	return sum;
}

/* Largest SGA in [lo, hi] that fits (GiB multiples from 1 GiB, else 64 MiB
 * multiples, else 2 MiB), or 0. Time is linear in the SGA: solve, round down. */
static size_t fit_sga(const struct sga_plan_req *q, int n, double frac, size_t lo, size_t hi)
{
	double t0 = total(q, n, 0, frac, NULL), t1 = total(q, n, GiB, frac, NULL) - t0;
	double s;
	size_t sga;

	if (t1 <= 0)
		return hi;
	s = (q->budget_s - t0) / t1 * GiB;
	if (s < lo)
		return 0;
	sga = s > hi ? hi : (size_t)s;
	if (sga >= GiB)
		sga = sga / GiB * GiB;
	else if (sga >= 64 * MiB)
		sga = sga / (64 * MiB) * (64 * MiB);
	else
		sga = sga / SGA_GRANULE * SGA_GRANULE;
	return sga >= lo ? sga : 0;
}

void sga_plan_choose(const struct sga_plan_req *q, struct sga_plan *p)
{
	size_t floor = q->modes[SGA_HUGETLB] ? SGA_FLOOR_HUGETLB : SGA_FLOOR, s;
	int n = q->nprocs, o = 0;
	double frac = q->touch_frac, t;

	memset(p, 0, sizeof(*p));
	if (floor > q->sga)
		floor = q->sga;
	p->nprocs = n;
	p->sga = q->sga;
	p->touch_frac = frac;
	t = total(q, n, q->sga, frac, NULL);
	if (t <= q->budget_s) {
		p->fits = true;
		snprintf(p->why, sizeof(p->why), "the %s fit: %d processes x %s predicted %.0f s "
			 "of %.0f s available", q->procs_given || q->sga_given ? "sizes given" :
			 "defaults", n, fmt_bytes(q->sga), t, q->budget_s);
		goto done;
	}
	o = snprintf(p->why, sizeof(p->why), "%d x %s predicted %.0f s > %.0f s available",
		     n, fmt_bytes(q->sga), t, q->budget_s);
	if (!q->sga_given) {
		s = fit_sga(q, n, frac, floor, q->sga);
		p->sga = s ? s : floor;
		o += snprintf(p->why + o, sizeof(p->why) - o, "; SGA %s -> %s%s", fmt_bytes(q->sga),
			      fmt_bytes(p->sga), s ? "" : " (its floor)");
		if (s) {
			p->fits = true;
			goto done;
		}
	}
	if (!q->touch_given) {
		double f = frac;

		while (f / 2 >= FRAC_FLOOR - 1e-9 &&
		       total(q, n, p->sga, f, NULL) > q->budget_s)
			f /= 2;
		if (f != frac) {
			o += snprintf(p->why + o, sizeof(p->why) - o,
				      "; touch %g -> %g of it per process", frac, f);
			p->touch_frac = frac = f;
		}
		if (total(q, n, p->sga, frac, NULL) <= q->budget_s) {
			p->fits = true;
			goto done;
		}
	}
	if (!q->procs_given) {
		double t0 = total(q, 0, p->sga, frac, NULL), t1 = total(q, 1, p->sga, frac, NULL) - t0;
		int nn = t1 > 0 ? (int)((q->budget_s - t0) / t1) : n;

		if (nn > n)
			nn = n;
		if (nn < PROCS_FLOOR)
			nn = PROCS_FLOOR < n ? PROCS_FLOOR : n;
		if (nn != n) {
			o += snprintf(p->why + o, sizeof(p->why) - o, "; processes %d -> %d%s", n,
				      nn, nn == PROCS_FLOOR ? " (the floor)" : "");
			p->nprocs = n = nn;
		}
		p->fits = total(q, n, p->sga, frac, NULL) <= q->budget_s;
	}
done:
	p->predicted_s = total(q, p->nprocs, p->sga, p->touch_frac, p->mode_s);
}
