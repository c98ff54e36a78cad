/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenario files (docs/scenarios.md): `key = value` lines, # comments.
 *   name = sga-shmem
 *   workload = sga-bench --mode shmem --json
 *   tracers = ptmem ptshare
 *   repeats = 5
 *   kernel = host | patched | pristine
 */
#ifndef MMSCOPE_SCENARIO_H
#define MMSCOPE_SCENARIO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define SCN_MAX_ARGS 64
#define SCN_MAX_TRACERS 8
/* Bounds of timeout (per repeat) and settle, in seconds. */
#define SCN_TIMEOUT_MAX (7 * 24 * 3600.0)
#define SCN_SETTLE_MAX 3600.0

enum scn_kernel { SCN_KERNEL_HOST, SCN_KERNEL_PATCHED, SCN_KERNEL_PRISTINE };

struct scenario {
	char path[PATH_MAX];
	char name[128];
	char description[512];
	char workload[2048];		/* as written */
	char argv_buf[2048];		/* storage for argv */
	char *argv[SCN_MAX_ARGS + 1];	/* workload split into words, NULL-terminated */
	int argc;
	char tracers[SCN_MAX_TRACERS][32];
	int ntracers;
	char tracer_args_buf[512];
	char *tracer_argv[17];		/* extra arguments for every tracer */
	int tracer_argc;
	int repeats;			/* default 5 */
	enum scn_kernel kernel;		/* default host */
	double timeout_s;		/* per repeat, default 600 */
	double settle_s;		/* tracers' attach time before the workload, default 1 */
	char hash[65];			/* sha256 of the file (and the overrides, if any) */
	/* mmscope run --set (scenario_set): */
	char run_name[1280];		/* name, or name[KEY=VALUE,...] when overridden */
	char overrides[1024];		/* "KEY=VALUE KEY=VALUE" as given, or "" */
	char set_buf[2048];		/* storage for the words --set added */
	size_t set_used;
	char set_keys[32][64];
	int nsets;
};

/*
 * Parse a scenario file. On error returns -1 with err = "FILE:LINE: problem"
 * (or "FILE: problem").
 */
int scenario_load(const char *path, struct scenario *s, char *err, size_t errlen);

/*
 * Split a command line into words: blanks separate, '...' and "..." quote,
 * backslash escapes the next character; nothing is expanded. Words are
 * stored in buf. Returns the word count or -1 (with *why set).
 */
int scenario_split(const char *line, char *buf, size_t buflen, char **argv,
		   int maxargs, const char **why);

/*
 * Apply one `--set KEY=VALUE` (docs/scenarios.md): KEY names a long option of
 * the workload, whose value in the workload line is replaced (`--KEY V` or
 * `--KEY=V`), or which is appended as `--KEY VALUE` when the line lacks it
 * and help (the workload's --help text, may be NULL) lists `--KEY`;
 * `scenario.KEY` sets the scenario key repeats, timeout or settle. Then
 * s->workload is the effective line, and s->run_name, s->overrides and
 * s->hash the run's identity. Returns -1 with err = one line on a bad KEY.
 */
int scenario_set(struct scenario *s, const char *kv, const char *help, char *err, size_t errlen);
/* Whether KEY=VALUE names a workload option not in the workload line (help is needed). */
bool scenario_set_needs_help(const struct scenario *s, const char *kv);

const char *scn_kernel_name(enum scn_kernel k);
/*
 * Whether the running kernel is the one s expects. Returns 0 when it is,
 * else -1 with why = a one-line explanation naming how to boot it.
 */
int scenario_kernel_check(const struct scenario *s, char *why, size_t len);

#endif
