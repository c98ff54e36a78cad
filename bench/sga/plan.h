/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The time model of an sga-bench run and the plan chosen from it under
 * --budget. A short calibration (real runs of a few children over a small
 * SGA, the same code path as the measured run) gives each mode's costs;
 * a mode's time is then linear in what it does:
 *
 *   T = fixed + (populate + release) x SGA
 *       + (spawn + map/touch + measure + teardown) x procs
 *       + (touch + teardown) x procs x touched bytes per process
 *
 * Two calibration runs per mode separate the per-process from the per-byte
 * costs: a few children touching a small SGA (per byte), many children
 * touching one 2 MiB granule each (per process).
 *
 * Page tables scale linearly with the bytes touched, so a plan that
 * shrinks the SGA (first), the touched fraction, then the processes keeps
 * the per-GiB and per-process figures comparable with the defaults.
 */
#ifndef SGA_PLAN_H
#define SGA_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "sga/backing.h"
#include "sga/progress.h"

/* One mode's calibrated costs (seconds per unit). */
struct sga_rate {
	bool ok;		/* calibrated (else the mode is not planned) */
	double fixed_s;		/* per run: tracer load, /proc scans, reservation */
	double populate_s_per_byte;	/* of the SGA, by the parent */
	double spawn_s_per_proc, measure_s_per_proc;
	double touch_s_per_proc, teardown_s_per_proc;	/* mmap+exit, no touching */
	double touch_s_per_byte;	/* map+touch, per byte touched by a child */
	double teardown_s_per_byte;	/* unmap+exit, per byte touched */
	double release_s_per_byte;	/* closing the memfd, per byte of SGA */
	/* what it was measured on */
	int cal_procs, cal_procs2;
	size_t cal_sga;
	double cal_wall_s;
};

struct sga_plan {
	int nprocs;
	size_t sga;
	double touch_frac;	/* of the SGA, from its start */
	double predicted_s;	/* all planned modes, calibration excluded */
	double mode_s[SGA_NR_MODES];
	bool fits;
	char why[400];		/* how and why it differs from the defaults */
};

/* Predicted seconds of one mode, per phase (pred[PH_*]) and in total. */
double sga_plan_mode_time(const struct sga_rate *r, int nprocs, size_t sga, double frac,
			  double pred[PH_NR]);

struct sga_plan_req {
	double budget_s;	/* for the modes themselves (calibration and margin taken off) */
	const bool *modes;	/* SGA_NR_MODES: planned (calibrated) modes */
	const struct sga_rate *rates;
	int nprocs;		/* default or given */
	bool procs_given;
	size_t sga;		/* default (memory) or given */
	bool sga_given;
	double touch_frac;
	bool touch_given;	/* or not a plain prefix: keep it */
};

/* Choose the plan; fits false when even the smallest plan is too slow. */
void sga_plan_choose(const struct sga_plan_req *q, struct sga_plan *p);

#endif
