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
const char *mode_name(enum attach_mode m);
/* --top N of a per-process table: 0 (all) .. 1000000; -1 after an error. */
int parse_top(const char *cmd, const char *arg);
/* The longest time parse_seconds takes: a year (8760h). */
#define PARSE_SECONDS_MAX (8760.0 * 3600)
/* The largest size parse_size takes: 1 PiB. */
#define PARSE_SIZE_MAX (1ULL << 50)
/*
 * Parse "1", "0.5", "2s", "500ms", "1m", "1h" into seconds; -1 on error:
 * not a plain decimal number (inf, nan, hex, a sign, blanks), an unknown
 * unit, or more than PARSE_SECONDS_MAX.
 */
double parse_seconds(const char *s);
/*
 * Parse "64M", "2G", "4096", "1.5GiB" into bytes; returns 0 on success, -1
 * for anything but a plain decimal number with an optional k/M/G/T (B, iB)
 * suffix that comes to a whole number of bytes up to PARSE_SIZE_MAX.
 */
int parse_size(const char *s, unsigned long long *bytes);
/* A decimal integer in [min, max], the whole string; 0 or -1. */
int parse_long(const char *s, long min, long max, long *out);
/* A plain decimal number (no inf/nan/hex) in [min, max]; 0 or -1. */
int parse_double(const char *s, double min, double max, double *out);
/* A fraction in (0, 1]: "0.25" or "25%" (parse_double's numbers); -1 if not. */
double parse_fraction(const char *s);
/*
 * Counts from 1 to 1000000 as "1,2,4", "1-8" or "1-8:2" (a step), combined
 * with commas (a trailing one is allowed), into out[]: how many, or -1 on
 * anything else or more than max.
 */
int parse_int_list(const char *s, int *out, int max);
/*
 * Split a comma-separated list ("vmalock,ptmem") into at most max names,
 * copied into buf (names[i] point into it). An empty list, an empty name
 * ("a,,b", "a,") and a name given twice are refused: returns the count, or
 * -1 with the reason in why.
 */
int parse_name_list(const char *list, char *buf, size_t buflen, char **names, int max,
		    char *why, size_t whylen);

/*
 * A run tag as `run --tag` and `import` take it (selectors split at ',' and
 * ':', the tables at blanks): 1 to 64 characters, none of them a blank,
 * control character, ',' or ':'.
 */
#define TAG_RULE "1-64 characters without blanks, ',' or ':'"
bool tag_is_valid(const char *tag);

#endif
