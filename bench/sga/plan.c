// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "sga/children.h"
#include "sga/plan.h"

/*
 * Floors of the plan. Each process touches 256 MiB at least: below that its
 * own upper-level tables (a PMD page per GiB range, 4 KiB per 2 MiB touched
 * at the limit) weigh on the per-GiB figures, which then no longer compare.
 * hugetlb shares PMD tables only over whole 1 GiB-aligned GiBs: with hugetlb
 * in the run the SGA stays at 1 GiB and the touched fraction shrinks to 1/4
 * instead (sharing does not depend on it). Then the processes, down to 50
 * (fewer would no longer be "many"). Only then, as a last resort, smaller
 * SGAs, to 64 MiB (the figures then carry that overhead, and say so).
 */
#define TOUCH_FLOOR (256 * MiB)
#define SGA_FLOOR_HUGETLB GiB
#define SGA_LAST (64 * MiB)
#define PROCS_FLOOR 50

double sga_plan_mode_time(const struct sga_rate *r, int n, size_t sga, double frac,
			  double pred[PH_NR])
{
	double touched = (double)n * frac * sga, t[PH_NR] = { 0 }, sum = 0;

	t[PH_POPULATE] = r->populate_s_per_byte * sga;
	t[PH_SPAWN] = r->spawn_s_per_proc * n;
	t[PH_MAP_TOUCH] = r->touch_s_per_byte * touched + r->touch_s_per_proc * n;
	t[PH_MEASURE] = r->measure_s_per_proc * n + r->fixed_s;
	t[PH_TEARDOWN] = r->teardown_s_per_byte * touched + r->teardown_s_per_proc * n +
			 r->release_s_per_byte * sga;
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

/*
 * Largest fraction in eighths, down to TOUCH_FLOOR of the SGA, that fits
 * (the time is linear in it: solve, round down); the floor if none does.
 */
static double fit_frac(const struct sga_plan_req *q, int n, size_t sga, double frac)
{
	double floor = (double)TOUCH_FLOOR / sga, t0 = total(q, n, sga, 0, NULL);
	double t1 = total(q, n, sga, 1, NULL) - t0, f;

	if (t1 <= 0)
		return frac;
	f = (q->budget_s - t0) / t1;
	f = (double)(long)(f * 8) / 8;
	if (f > frac)
		f = frac;
	return f < floor ? floor : f;
}

#define SAY(...) (o += snprintf(p->why + o, sizeof(p->why) - o, __VA_ARGS__))

static int fit_procs(const struct sga_plan_req *q, int n, size_t sga, double frac, int floor)
{
	double t0 = total(q, 0, sga, frac, NULL), t1 = total(q, 1, sga, frac, NULL) - t0;
	int nn = t1 > 0 ? (int)((q->budget_s - t0) / t1) : n;

	if (nn > n)
		nn = n;
	if (nn < floor)
		nn = floor < n ? floor : n;
	return nn;
}

void sga_plan_choose(const struct sga_plan_req *q, struct sga_plan *p)
{
	bool huge = q->modes[SGA_HUGETLB] && q->sga >= SGA_FLOOR_HUGETLB;
	size_t floor = huge ? SGA_FLOOR_HUGETLB : TOUCH_FLOOR, s;
	int n = q->nprocs, o = 0, nn;
	double frac = q->touch_frac, t, f;

	memset(p, 0, sizeof(*p));
	if (floor > q->sga)
		floor = q->sga;
	p->nprocs = n;
	p->sga = q->sga;
	p->touch_frac = frac;
	t = total(q, n, q->sga, frac, NULL);
	if (t <= q->budget_s) {
		p->fits = true;
		SAY("the %s fit: %d processes x %s predicted %.0f s of %.0f s available",
		    q->procs_given || q->sga_given ? "sizes given" : "defaults", n,
		    fmt_bytes(q->sga), t, q->budget_s);
		goto done;
	}
	SAY("%d x %s predicted %.0f s > %.0f s available", n, fmt_bytes(q->sga), t, q->budget_s);
	if (!q->sga_given && q->sga > floor) {
		s = fit_sga(q, n, frac, floor, q->sga);
		p->sga = s ? s : floor;
		SAY("; SGA %s -> %s%s", fmt_bytes(q->sga), fmt_bytes(p->sga),
		    s ? "" : huge ? " (hugetlb shares PMD tables from 1 GiB)" :
		    " (each process touches 256 MiB at least)");
		if (s)
			goto check;
	}
	if (!q->touch_given && (double)p->sga * frac > TOUCH_FLOOR) {
		f = fit_frac(q, n, p->sga, frac);
		if (f != frac) {
			SAY("; touch %g -> %g of it per process", frac, f);
			p->touch_frac = frac = f;
		}
		if (total(q, n, p->sga, frac, NULL) <= q->budget_s)
			goto check;
	}
	if (!q->procs_given) {
		nn = fit_procs(q, n, p->sga, frac, PROCS_FLOOR);
		if (nn != n) {
			SAY("; processes %d -> %d%s", n, nn, nn == PROCS_FLOOR ? " (the floor)" : "");
			p->nprocs = n = nn;
		}
		if (total(q, n, p->sga, frac, NULL) <= q->budget_s)
			goto check;
	}
	if (!q->sga_given && p->sga > SGA_LAST) {
		if (!q->touch_given && frac < 1)
			p->touch_frac = frac = 1;
		s = fit_sga(q, n, frac, SGA_LAST, p->sga);
		SAY("; last resort: SGA %s -> %s%s (per-GiB figures then include each process's "
		    "upper-level tables%s)", fmt_bytes(p->sga), fmt_bytes(s ? s : SGA_LAST),
		    frac == 1 && q->touch_frac != 1 ? ", touch all" : "",
		    huge ? "; hugetlb cannot share" : "");
		p->sga = s ? s : SGA_LAST;
	}
check:
	p->fits = total(q, p->nprocs, p->sga, p->touch_frac, NULL) <= q->budget_s;
done:
	p->predicted_s = total(q, p->nprocs, p->sga, p->touch_frac, p->mode_s);
}
