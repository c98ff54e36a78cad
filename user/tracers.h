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

/* Several tracers run in one process (`mmscope top`, `export --listen`). */
#define TRACER_SET_MAX 8
struct tracer_set {
	int n;
	const struct tracer *t[TRACER_SET_MAX];
	void *st[TRACER_SET_MAX];		/* start()'s state, NULL before */
	enum attach_mode mode[TRACER_SET_MAX];	/* as start() resolved it */
};
/*
 * The tracers named in list (comma-separated: no empty name, none twice),
 * or every one when list is NULL. 0, or -1 after a one-line error that
 * starts with "cmd: ".
 */
int tracer_set_parse(struct tracer_set *s, const char *cmd, const char *list);
/* Start each with o; when one fails, stop those started and return -1. */
int tracer_set_start(struct tracer_set *s, const struct common_opts *o);
/* Stop every started tracer. */
void tracer_set_stop(struct tracer_set *s);

#endif
