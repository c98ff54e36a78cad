/* SPDX-License-Identifier: GPL-2.0 */
/* How much memory an sga-bench run needs, and whether the host has it. */
#ifndef SGA_ESTIMATE_H
#define SGA_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>

#include "sga/backing.h"

/*
 * Kernel memory per child besides the SGA's tables: kernel stack (16 KiB),
 * task/mm/signal/files structs (~20 KiB), PGD (8 KiB with PTI), upper-level
 * tables and the tables fork copies for the parent's anonymous memory, plus
 * the pages COW gives the child. Measured ~100-150 KiB on 6.18; rounded up.
 */
#define SGA_PROC_OVERHEAD (256ULL * 1024)

struct sga_estimate {
	unsigned long long pt_per_proc;		/* SGA page tables, worst case */
	unsigned long long need;		/* SGA + all page tables + overhead */
	unsigned long long avail;		/* MemAvailable */
	unsigned long long margin;		/* kept free for everyone else */
};

void sga_estimate(enum sga_mode m, size_t sga, double touch_frac, int nprocs,
		  struct sga_estimate *e);
/* Largest SGA (2 MiB multiple, 1 GiB multiple when >= 1 GiB) that fits in
 * share * (MemAvailable - margin); 0 when none does. */
size_t sga_fit_size(enum sga_mode m, double touch_frac, int nprocs, double share);
/* pid_max, threads-max and RLIMIT_NPROC allow nprocs more tasks; else error. */
int sga_check_task_limits(int nprocs);

#endif
