/* SPDX-License-Identifier: GPL-2.0 */
/* Options every mmscope tracer command shares, parsed in one place. */
#ifndef MMSCOPE_OPTS_H
#define MMSCOPE_OPTS_H

#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <sys/types.h>

enum attach_mode { MODE_AUTO, MODE_PRECISE, MODE_TRACEPOINT };

struct common_opts {
	double interval;	/* seconds between reports */
	double duration;	/* total seconds, 0 = until Ctrl-C */
	pid_t pid;		/* 0 = every process */
	char comm[16];		/* "" = every command */
	enum attach_mode mode;
	bool json;		/* one JSON document per interval */
	bool verbose;		/* libbpf debug output */
	bool timestamp;		/* -T: a wall-clock time line before each report */
	int count;		/* [interval [count]]: reports, then stop; 0 = no limit */
	const char *args[8];	/* positional arguments */
	int nargs;
};

/* A command's own options, appended to the common ones. */
struct extra_opt {
	struct option opt;	/* getopt_long entry; .val is the key */
	const char *arg_name;	/* NULL for flags */
	const char *help;
};

struct cmd_desc {
	const char *name;	/* "vmalock" */
	const char *summary;	/* one line */
	const char *details;	/* printed after the option list, may be NULL */
	const struct extra_opt *extra;	/* terminated by an entry with opt.name NULL */
	/* Called for each extra option; return 0 or -1 (error already printed). */
	int (*parse_extra)(int key, const char *arg, void *ctx);
	void *ctx;
	bool no_common;		/* command takes no tracing options (probe...) */
	int min_args, max_args;	/* positional arguments accepted */
	const char *args_usage;	/* e.g. "SCENARIO" */
	/* positional [interval [count]] as libbpf-tools take them (runqlat 1 10) */
	bool interval_args;
};

/*
 * Parse argv. Returns 0 to go on, 1 when --help was printed (exit 0), -1 on
 * a bad argument (a one-line error was printed; exit 2).
 */
int opts_parse(int argc, char **argv, const struct cmd_desc *desc,
	       struct common_opts *o);
void opts_usage(FILE *f, const struct cmd_desc *desc);
const char *mode_name(enum attach_mode m);
/* --top N of a per-process table: 0 (all) .. 1000000; -1 after an error. */
int parse_top(const char *cmd, const char *arg);
/* Parse "1", "0.5", "2s", "500ms", "1m" into seconds; -1 on error. */
double parse_seconds(const char *s);
/* Parse "64M", "2G", "4096", "1.5GiB" into bytes; returns 0 on success. */
int parse_size(const char *s, unsigned long long *bytes);

#endif
