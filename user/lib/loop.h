/* SPDX-License-Identifier: GPL-2.0 */
/* The interval loop every live command runs: tick, Ctrl-C, --duration. */
#ifndef MMSCOPE_LOOP_H
#define MMSCOPE_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include "opts.h"

/* Set by SIGINT/SIGTERM (installed by loop_run or loop_install_signals). */
extern volatile int loop_stop;
void loop_install_signals(void);

/*
 * Calls tick(ctx, elapsed_s, false) every o->interval seconds until
 * --duration passes (the last, shorter interval reported too), o->count
 * reports were made, or SIGINT/SIGTERM arrives, then tick(ctx, total_s,
 * true) once for the final summary. A tick returning < 0 ends the loop with that
 * error. Returns 0 or the error.
 */
typedef int (*tick_fn)(void *ctx, double interval_s, bool final);
int loop_run(const struct common_opts *o, tick_fn tick, void *ctx);
/*
 * The same, waiting between reports with wait(ctx, deadline_ns) instead of
 * sleeping (mmscope top: keys and terminal resizes); wait returns at the
 * deadline (CLOCK_MONOTONIC ns) or once loop_stop is set.
 */
typedef void (*wait_fn)(void *ctx, uint64_t deadline_ns);
int loop_run_wait(const struct common_opts *o, tick_fn tick, wait_fn wait, void *ctx);

#endif
