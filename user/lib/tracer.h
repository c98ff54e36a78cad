/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shape every tracer has, so `mmscope NAME`, `mmscope top`, `mmscope
 * probe` and `mmscope export` drive them the same way.
 *
 * A tracer collects each interval into a JSON document (its own members plus
 * flat "metrics"), and prints its human-readable report from that document,
 * so the text and the JSON can never disagree. The tracers themselves and
 * the list of them are user/tracers.h.
 */
#ifndef MMSCOPE_TRACER_H
#define MMSCOPE_TRACER_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "opts.h"

struct tracer {
	const char *name;
	struct cmd_desc *desc;	/* options/help of `mmscope NAME` */
	/*
	 * Probe the kernel, resolve o->mode, load and attach. Returns the
	 * tracer's state, or NULL after printing a one-line error.
	 */
	void *(*start)(const struct common_opts *o, enum attach_mode *mode);
	/*
	 * Add this interval's figures to doc (and reset interval counters).
	 * final: the end-of-run summary (totals since start). Returns 0 or
	 * -1 after printing an error.
	 */
	int (*collect)(void *st, double interval_s, bool final,
		       struct json_object *doc);
	/* Human-readable report of a document collect() filled. */
	void (*print)(void *st, struct json_object *doc, bool final, FILE *f);
	/* Detach and free everything (no pinned maps or links are left). */
	void (*stop)(void *st);
	/*
	 * For `mmscope probe`: what this tracer needs and which mode auto
	 * would pick, as {"modes":{"precise":{"available":b,"via":..,"why":..},
	 * "tracepoint":{...}},"auto":"tracepoint"}. Needs no privileges beyond
	 * what probing itself needs.
	 */
	void (*probe)(struct json_object *out);
};

/* `mmscope NAME ...`: parse, check privileges/BTF, start, loop, stop. */
int tracer_main(const struct tracer *t, int argc, char **argv);

/* Install libbpf's print callback (quiet unless verbose). */
void tracer_libbpf_setup(bool verbose);

#endif
