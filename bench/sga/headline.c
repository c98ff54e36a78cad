// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>

#include "common.h"
#include "sga/headline.h"

static struct {
	bool ok;
	double per_gib;
	int nprocs;
	size_t sga;
} headline[SGA_NR_MODES];

void sga_headline_add(enum sga_mode m, double per_gib, int nprocs, size_t sga)
{
	headline[m].ok = true;
	headline[m].per_gib = per_gib;
	headline[m].nprocs = nprocs;
	headline[m].sga = sga;
}

void sga_headline_print(FILE *f)
{
	double sh = headline[SGA_SHMEM].ok ? headline[SGA_SHMEM].per_gib : -1;
	int any = 0;

	for (int m = 0; m < SGA_NR_MODES; m++)
		any += headline[m].ok;
	if (!any)
		return;
	fprintf(f, "\nsga-bench headline: page tables per process per GiB of SGA touched "
		"(physical: PageTables, net of other processes)\n");
	for (int m = 0; m < SGA_NR_MODES; m++) {
		if (!headline[m].ok)
			continue;
		fprintf(f, "  %-7s %10s per process per GiB (%d processes x %s)", sga_mode_names[m],
			fmt_bytes(headline[m].per_gib), headline[m].nprocs,
			fmt_bytes(headline[m].sga));
		if (m != SGA_SHMEM && sh > 0)
			fprintf(f, ", saving %.4g%% vs shmem", 100.0 * (1 - headline[m].per_gib / sh));
		fputc('\n', f);
	}
	fprintf(f, "  Oracle case, a %d GiB SGA mapped by %d processes (4 KiB pages: "
		"%d GiB / 2 MiB x 4 KiB = 600 MiB of PTEs per process, x %d = 879 GiB):\n",
		ORACLE_SGA_GIB, ORACLE_PROCS, ORACLE_SGA_GIB, ORACLE_PROCS);
	for (int m = 0; m < SGA_NR_MODES; m++) {
		double tot = headline[m].per_gib * ORACLE_SGA_GIB * ORACLE_PROCS;

		if (!headline[m].ok)
			continue;
		fprintf(f, "  %-7s %s x %d GiB x %d processes = %s of page tables", sga_mode_names[m],
			fmt_bytes(headline[m].per_gib), ORACLE_SGA_GIB, ORACLE_PROCS, fmt_bytes(tot));
		if (m != SGA_SHMEM && sh > 0)
			fprintf(f, " (%s less than shmem)",
				fmt_bytes((sh - headline[m].per_gib) * ORACLE_SGA_GIB * ORACLE_PROCS));
		fputc('\n', f);
	}
	fflush(f);
}

