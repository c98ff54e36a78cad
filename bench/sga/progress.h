/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live progress on stderr and the stall watchdog, run by a thread of the
 * parent. The children count what they did in their shared slots (stage,
 * pages touched, bytes unmapped); the parent counts forks, reaps and bytes
 * populated. The thread sums them every 200 ms: redraws one line in place on
 * a terminal (1 s), prints a plain line every few seconds otherwise (logs,
 * `mmscope run`). When the sum has not moved for the watchdog's time in a
 * phase that should move, it says where and what the kernel is doing, and
 * stops the run (bench_stop = SGA_STOP_WATCHDOG) so every path cleans up.
 */
#ifndef SGA_PROGRESS_H
#define SGA_PROGRESS_H

#include <stdbool.h>

struct sga_group;

enum sga_phase {
	PH_IDLE, PH_POPULATE, PH_SPAWN, PH_READY, PH_MAP_TOUCH, PH_MEASURE, PH_HOLD,
	PH_TEARDOWN, PH_NR
};
extern const char *const sga_phase_names[PH_NR];

/* bench_stop's value when the watchdog stopped the run (no signal has it). */
#define SGA_STOP_WATCHDOG 1000

struct sga_progress_cfg {
	double line_s;		/* plain line every line_s (not a terminal); 0: no progress */
	bool tty;		/* redraw in place every second instead */
	double watchdog_s;	/* 0: no watchdog */
};

int sga_progress_start(const struct sga_progress_cfg *cfg);
/* Change the watchdog's time (after the calibration scaled it). */
void sga_progress_watchdog(double seconds);
void sga_progress_stop(void);
/* A new mode run (or calibration run): its label ("shmem 1/3", "calibrating
 * thp"), the plan's prediction per phase (NULL: none) and for what follows. */
void sga_progress_mode(const char *label, int nprocs, const double *pred_phase,
		       double pred_after_s);
/* Entering a phase; total: pages to touch (map+touch), bytes (populate). */
void sga_progress_phase(enum sga_phase ph, long long total);
/* The inherited perf page-fault counter (faults/s); -1: none. */
void sga_progress_perf(int fd);
/* Called by the group code: the slots the thread may read (NULL: none). */
void sga_progress_attach(struct sga_group *g);
/* Parent-side work done in the current phase (bytes populated, ...). */
void sga_progress_add(long long units);
/* Where the watchdog tripped ("shmem 1/3 map+touch"), or NULL. */
const char *sga_watchdog_where(void);
/* Why the run stops: "interrupted by signal 2" or "stopped by the watchdog". */
const char *sga_stop_reason(void);
/* Erase a progress line drawn in place (before other stderr output). */
void sga_progress_clear(void);

#endif
