/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SGA experiment's answer, stated: page-table bytes per
 * process per GiB for each backing mode of one stored sga-bench run, the
 * saving against shmem, and the extrapolation to the Oracle case the work
 * started from (300 GiB SGA x 1500 processes), with the arithmetic shown.
 * One implementation for `mmscope runs --headline` (the main job's last
 * lines) and the dashboard's SGA section.
 */
#ifndef MMSCOPE_HEADLINE_H
#define MMSCOPE_HEADLINE_H

#include <stdint.h>
#include <json-c/json.h>

#include "store.h"

#define HEADLINE_ORACLE_SGA_GIB 300.0
#define HEADLINE_ORACLE_PROCS 1500.0

/* The newest run among ids (all runs if n == 0) that has sga-bench metrics; 0 if none. */
int64_t headline_pick_run(struct store *st, const int64_t *ids, int n);
/*
 * {"run","status","status_reason","kernel","modes":[{"mode","procs","sga_bytes",
 * *  "touched_bytes","pt_physical_bytes","pt_per_proc_per_gib",
 *  "saving_vs_shmem_pct","oracle_pt_bytes"}],"oracle":{...},"lines":["..."]}
 * "lines" is the text both the terminal and the dashboard show. NULL when
 * the run has no sga-bench figures.
 */
struct json_object *headline_build(struct store *st, int64_t run);

#endif
