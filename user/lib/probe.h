/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel supports, probed the way the loaders need it:
 * each answer comes from trying the real thing (loading and attaching a
 * tiny program, opening the perf event), not from guessing by version.
 * Results are cached per process.
 */
#ifndef MMSCOPE_PROBE_H
#define MMSCOPE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "opts.h"

bool probe_btf(void);
/* fentry/fexit: function in vmlinux BTF and a test program loads + attaches. */
bool probe_fentry(const char *func);
/* kprobe PMU can probe func (perf_event_open succeeds); retprobe likewise. */
bool probe_kprobe(const char *func, bool retprobe);
/* tracefs has events/CAT/NAME. */
bool probe_tracepoint(const char *cat, const char *name);
/* vmlinux BTF has btf_trace_NAME (tp_btf programs possible). */
bool probe_tp_btf(const char *name);
/* PERF_TYPE_SOFTWARE counter opens system-wide (cpu 0). */
bool probe_perf_sw(__u64 config);
/* Why the last failing probe failed, e.g. "EPERM" (static buffer). */
const char *probe_last_error(void);

/* How a tracer attaches its precise probes. */
enum precise_kind { PRECISE_NONE, PRECISE_FENTRY, PRECISE_KPROBE };
/*
 * For each function in funcs (NULL-terminated), fentry if every one has it,
 * else kprobe (with retprobe when need_ret) if every one has it, else NONE.
 */
enum precise_kind probe_precise(const char *const *funcs, bool need_ret);
const char *precise_kind_name(enum precise_kind k);

/*
 * Resolve --mode. precise_ok/tp_ok say whether each mode's needs are met;
 * *_why explains what is missing. Prints a one-line error and returns -1 when
 * the forced (or any) mode is unavailable; otherwise sets *out.
 */
int mode_resolve(const char *cmd, enum attach_mode req,
		 bool precise_ok, const char *precise_why,
		 bool tp_ok, const char *tp_why, enum attach_mode *out);

/*
 * Which programs load in which mode: each tracer has one table over its
 * skeleton's programs (skel->progs.NAME, so a renamed program fails to
 * compile) with the facts each needs, the facts being the tracer's own bits
 * (the resolved mode, the hooks the probe found). A program may have more
 * than one row: it loads when any of its rows holds.
 */
struct bpf_object;
struct bpf_program;

struct prog_rule {
	struct bpf_program *prog;
	unsigned int need;	/* every one of these facts holds */
	unsigned int never;	/* and none of these */
};
/*
 * Set the autoload of every program of obj from rules[0..n-1] under facts.
 * A program of obj without a row is a mistake (it would load in every
 * mode): -1 after a one-line error naming it.
 */
int prog_rules_apply(const char *cmd, struct bpf_object *obj, const struct prog_rule *rules,
		     size_t n, unsigned int facts);

#endif
