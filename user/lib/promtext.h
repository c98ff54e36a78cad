/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition of the tracers' interval documents
 * (user/lib/promtext.c): a fixed set of series per tracer, each with its
 * HELP, declared when the tracer starts so the first scrape has them all.
 * The metric list is in docs/prometheus.md.
 */
#ifndef MMSCOPE_PROMTEXT_H
#define MMSCOPE_PROMTEXT_H

#include <stddef.h>
#include <json-c/json.h>

/* faultlat's histogram bounds: le = 2^k - 1 ns for k = 8..34 (255 ns .. 17.2 s) */
#define PROM_LE_FIRST_LOG2	8
#define PROM_LE_N		27

struct prom_state;

struct prom_state *prom_new(void);
void prom_free(struct prom_state *ps);
/*
 * Tracer `tool` runs in `mode` (mode_name()): declare its series, present
 * from now on, and note the mode for mmscope_build_info.
 */
void prom_add_tracer(struct prom_state *ps, const char *tool, const char *mode);
/* Fold one interval document of tracer `tool` into the series. */
void prom_fold(struct prom_state *ps, const char *tool, struct json_object *doc);
/* A collection (of every tracer) ended at unix time `when`. */
void prom_collected(struct prom_state *ps, double when);
/*
 * The exposition text (malloc'd, *len bytes): the series folded so far and
 * the /proc figures read now.
 */
char *prom_render(struct prom_state *ps, size_t *len);

#endif
