/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus text exposition of the tracers' documents (user/lib/promtext.c). */
#ifndef MMSCOPE_PROMTEXT_H
#define MMSCOPE_PROMTEXT_H

#include <stddef.h>
#include <json-c/json.h>

struct prom_state;

struct prom_state *prom_new(void);
void prom_free(struct prom_state *ps);
/* Fold one interval document of tracer `tool` into the cumulative series. */
void prom_fold(struct prom_state *ps, const char *tool, struct json_object *doc);
/* A collection (of every tracer) ended at unix time `when`. */
void prom_collected(struct prom_state *ps, double when);
/* The exposition text of everything folded so far (malloc'd, *len bytes). */
char *prom_render(struct prom_state *ps, size_t *len);

#endif
