/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracers (struct tracer, lib/tracer.h): one object each in
 * user/NAME.c, and the list `top`, `probe`, `export` and `run` choose from.
 * sga-bench links user/faultlat.o for its in-process faultlat.
 */
#ifndef MMSCOPE_TRACERS_H
#define MMSCOPE_TRACERS_H

#include "tracer.h"

extern const struct tracer vmalock_tracer;
extern const struct tracer faultlat_tracer;
extern const struct tracer ptmem_tracer;
extern const struct tracer ptshare_tracer;

/* All of them, NULL-terminated, in a fixed order. */
const struct tracer *const *tracer_list(void);
/* Look one up by name; NULL if unknown. */
const struct tracer *tracer_find(const char *name);

#endif
