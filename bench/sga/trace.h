/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault latency from the mmscope faultlat tracer, linked in-process (its
 * struct tracer from user/faultlat.c): loaded for one mode's run, filtered
 * to the children by their comm, drained at the barriers so the figures cover
 * exactly the map+touch window the perf counters cover.
 */
#ifndef SGA_TRACE_H
#define SGA_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

enum sga_trace_req { TRACE_AUTO, TRACE_ON, TRACE_OFF };

struct sga_trace {
	const void *t;		/* const struct tracer * */
	void *st;		/* its state, NULL when not running */
	int mode;		/* enum attach_mode it resolved */
};

/*
 * Can the tracer load here (built in, root/CAP_BPF+CAP_PERFMON, BTF, a usable
 * attach mode)? Probes once, silently; false with the reason in why.
 */
bool sga_trace_usable(char *why, size_t len);
/* Load and attach, counting only tasks named comm. -1 (tracer's error
 * printed, short reason in why) or 0. */
int sga_trace_start(struct sga_trace *tr, const char *comm, char *why, size_t len);
/* Throw away what was recorded so far. */
int sga_trace_drain(struct sga_trace *tr);
/* The tracer's document for everything since the last drain (its members
 * histograms/all/unbracketed and metrics); NULL on error (printed). */
struct json_object *sga_trace_collect(struct sga_trace *tr);
/* "tracepoint" or "precise". */
const char *sga_trace_mode_name(const struct sga_trace *tr);
/* Detach and free; idempotent. */
void sga_trace_stop(struct sga_trace *tr);

#endif
