/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel's memory management was doing around a phase of the run:
 * reclaim, refaults and compaction from /proc/vmstat, stall time from
 * /proc/pressure (PSI). Snapshots are cheap (two small files) so the
 * watchdog and the interference check can take them every few seconds.
 */
#ifndef SGA_KSTAT_H
#define SGA_KSTAT_H

#include <stdbool.h>
#include <stddef.h>

struct sga_kstat {
	/* /proc/vmstat, summed over their kswapd/direct/khugepaged/proactive parts */
	unsigned long long pgscan, pgsteal, refault, compact_stall, compact_migrate_scanned,
		pswpout, thp_split_pmd;
	/* /proc/pressure/{memory,cpu}: total stall, us; avg10 at the read, % */
	unsigned long long psi_mem_some_us, psi_mem_full_us, psi_cpu_some_us;
	double psi_mem_some_avg10, psi_mem_full_avg10, psi_cpu_some_avg10;
	bool psi;		/* the pressure files could be read (CONFIG_PSI, psi=1) */
};

void sga_kstat_read(struct sga_kstat *k);
/* d = b - a for the counters; the avg10 values are b's. */
void sga_kstat_delta(const struct sga_kstat *a, const struct sga_kstat *b, struct sga_kstat *d);
/* "pgscan 0, pgsteal 0, ...; PSI memory some 0.00% full 0.00%, cpu some 56.10% (avg10)" */
void sga_kstat_format(const struct sga_kstat *d, char *buf, size_t len);
/* Whether d shows reclaim (pages scanned or stolen, swap-out). */
bool sga_kstat_reclaim(const struct sga_kstat *d);

#endif
