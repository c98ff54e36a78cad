/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What else the host did during one repeat of `mmscope run`, so compare can
 * tell a slower kernel from a busy machine (docs/scenarios.md "Host noise").
 * Taken just before the workload starts and just after it is reaped:
 *   loadavg_1m_start/_end       /proc/loadavg
 *   psi_cpu_some_avg10_start/_end, psi_memory_some_avg10_start/_end
 *   psi_cpu_some_us, psi_memory_some_us   growth of the `some total` (us)
 *   psi_cpu_some_pct, psi_memory_some_pct that growth / wall time
 *                               (/proc/pressure/cpu and memory; left out without PSI)
 *   busy_cpu_s                  /proc/stat: all CPUs' non-idle time
 *   own_cpu_s                   the workload (its rusage, reaped children
 *                               included), the tracers (/proc/PID/stat) and
 *                               mmscope run itself
 *   other_cpu_s = busy - own (clamped to 0 .. ncpus x wall_s)
 *   other_cpu_pct = 100 x other_cpu_s / (ncpus x wall_s)
 *   ncpus, wall_s
 */
#ifndef MMSCOPE_HOSTNOISE_H
#define MMSCOPE_HOSTNOISE_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>

#define HOSTNOISE_MAX_PIDS 16

struct hostnoise {
	double t0, load1;
	double psi_avg10[2];		/* cpu, memory; NaN: no PSI */
	double psi_total_us[2];
	double busy_s;			/* /proc/stat, all CPUs */
	double self_s, children_s;	/* getrusage of mmscope run */
	pid_t pids[HOSTNOISE_MAX_PIDS];	/* tracers */
	double pid_s[HOSTNOISE_MAX_PIDS];
	int npids;
	bool ok;
};

/* Before the workload starts; pids: the tracers running beside it. */
void hostnoise_begin(struct hostnoise *h, const pid_t *pids, int npids);
/*
 * After the workload was reaped (its CPU time is then in mmscope run's
 * RUSAGE_CHILDREN) and before the tracers stop. A new object of the figures
 * above, or NULL when /proc/stat could not be read.
 */
struct json_object *hostnoise_end(struct hostnoise *h);

#endif
