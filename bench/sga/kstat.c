// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "sga/kstat.h"

static void read_vmstat(struct sga_kstat *k)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char key[128];
	unsigned long long v;

	if (!f)
		return;
	while (fscanf(f, "%127s %llu", key, &v) == 2) {
		/*
		 * pgscan_anon/_file (and pgsteal_) split the same pages by type;
		 * the by-actor counters add up to the total, so take only them.
		 */
		if (!strcmp(key, "pgscan_kswapd") || !strcmp(key, "pgscan_direct") ||
		    !strcmp(key, "pgscan_khugepaged") || !strcmp(key, "pgscan_proactive"))
			k->pgscan += v;
		else if (!strcmp(key, "pgsteal_kswapd") || !strcmp(key, "pgsteal_direct") ||
			 !strcmp(key, "pgsteal_khugepaged") || !strcmp(key, "pgsteal_proactive"))
			k->pgsteal += v;
		else if (!strcmp(key, "workingset_refault_anon") ||
			 !strcmp(key, "workingset_refault_file"))
			k->refault += v;
		else if (!strcmp(key, "compact_stall"))
			k->compact_stall = v;
		else if (!strcmp(key, "compact_migrate_scanned"))
			k->compact_migrate_scanned = v;
		else if (!strcmp(key, "pswpout"))
			k->pswpout = v;
		else if (!strcmp(key, "thp_split_pmd"))
			k->thp_split_pmd = v;
	}
	fclose(f);
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" lines; -1 if unreadable. */
static int read_psi(const char *path, double *some10, unsigned long long *some,
		    double *full10, unsigned long long *full)
{
	FILE *f = fopen(path, "r");
	char kind[8];
	double a10, a60, a300;
	unsigned long long tot;
	int n = 0;

	if (!f)
		return -1;
	while (fscanf(f, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu", kind, &a10, &a60,
		      &a300, &tot) == 5) {
		if (!strcmp(kind, "some")) {
			*some10 = a10;
			*some = tot;
			n++;
		} else if (!strcmp(kind, "full") && full) {
			*full10 = a10;
			*full = tot;
		}
	}
	fclose(f);
	return n ? 0 : -1;
}

void sga_kstat_read(struct sga_kstat *k)
{
	memset(k, 0, sizeof(*k));
	read_vmstat(k);
	k->psi = read_psi("/proc/pressure/memory", &k->psi_mem_some_avg10, &k->psi_mem_some_us,
			  &k->psi_mem_full_avg10, &k->psi_mem_full_us) == 0;
	if (read_psi("/proc/pressure/cpu", &k->psi_cpu_some_avg10, &k->psi_cpu_some_us,
		     NULL, NULL) < 0)
		k->psi = false;
}

static unsigned long long sub(unsigned long long b, unsigned long long a)
{
	return b > a ? b - a : 0;
}

void sga_kstat_delta(const struct sga_kstat *a, const struct sga_kstat *b, struct sga_kstat *d)
{
	*d = *b;
	d->pgscan = sub(b->pgscan, a->pgscan);
	d->pgsteal = sub(b->pgsteal, a->pgsteal);
	d->refault = sub(b->refault, a->refault);
	d->compact_stall = sub(b->compact_stall, a->compact_stall);
	d->compact_migrate_scanned = sub(b->compact_migrate_scanned, a->compact_migrate_scanned);
	d->pswpout = sub(b->pswpout, a->pswpout);
	d->thp_split_pmd = sub(b->thp_split_pmd, a->thp_split_pmd);
	d->psi_mem_some_us = sub(b->psi_mem_some_us, a->psi_mem_some_us);
	d->psi_mem_full_us = sub(b->psi_mem_full_us, a->psi_mem_full_us);
	d->psi_cpu_some_us = sub(b->psi_cpu_some_us, a->psi_cpu_some_us);
	d->psi = a->psi && b->psi;
}

void sga_kstat_format(const struct sga_kstat *d, char *buf, size_t len)
{
	int n = snprintf(buf, len, "pgscan %llu, pgsteal %llu, workingset_refault %llu, "
			 "pswpout %llu, compact_stall %llu, compact_migrate_scanned %llu, "
			 "thp_split_pmd %llu", d->pgscan, d->pgsteal, d->refault, d->pswpout,
			 d->compact_stall, d->compact_migrate_scanned, d->thp_split_pmd);

	if (n < 0 || (size_t)n >= len)
		return;
	if (d->psi)
		snprintf(buf + n, len - n, "; PSI memory some %.2f%% full %.2f%% (avg10; "
			 "%.2f s / %.2f s stalled in the window), cpu some %.2f%%",
			 d->psi_mem_some_avg10, d->psi_mem_full_avg10, d->psi_mem_some_us / 1e6,
			 d->psi_mem_full_us / 1e6, d->psi_cpu_some_avg10);
	else
		snprintf(buf + n, len - n, "; no /proc/pressure (PSI off)");
}

bool sga_kstat_reclaim(const struct sga_kstat *d)
{
	/* Not refaults alone: any process's page cache refaulting counts there. */
	return d->pgscan || d->pgsteal || d->pswpout;
}
