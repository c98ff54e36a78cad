/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The answer sga-bench's run is for, stated at its end: page-table bytes per
 * process per GiB of SGA touched for each mode, the saving against shmem,
 * and the Oracle case the work started from (a 300 GiB SGA mapped by 1500
 * processes: 879 GiB of PTEs with 4 KiB pages) extrapolated from them with
 * the arithmetic shown.
 */
#ifndef SGA_HEADLINE_H
#define SGA_HEADLINE_H

#include <stddef.h>
#include <stdio.h>

#include "sga/backing.h"

#define ORACLE_SGA_GIB 300
#define ORACLE_PROCS 1500

/* A mode completed: its physical page-table bytes per process per GiB touched. */
void sga_headline_add(enum sga_mode m, double per_gib, int nprocs, size_t sga);
/* Print the headline of the modes added (nothing if none). */
void sga_headline_print(FILE *f);

#endif
