// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opts.h"
#include "util.h"

enum { OPT_INTERVAL = 0x1000, OPT_DURATION, OPT_MODE, OPT_JSON, OPT_VERBOSE };

static const struct extra_opt common[] = {
	{ { "interval", required_argument, NULL, OPT_INTERVAL }, "SECS",
	  "report every SECS seconds (default 1; units s, ms, m accepted)" },
	{ { "duration", required_argument, NULL, OPT_DURATION }, "SECS",
	  "stop after SECS seconds (default: until Ctrl-C)" },
	{ { "pid", required_argument, NULL, 'p' }, "PID",
	  "trace only process PID" },
	{ { "comm", required_argument, NULL, 'c' }, "COMM",
	  "trace only processes whose command is COMM (max 15 chars)" },
	{ { "mode", required_argument, NULL, OPT_MODE }, "MODE",
	  "auto|precise|tracepoint: precise = fentry/fexit, else kprobes; "
	  "tracepoint = tracepoints + perf software events (default auto)" },
	{ { "json", no_argument, NULL, OPT_JSON }, NULL,
	  "one JSON document per interval on stdout (docs/json-schema.md)" },
	{ { "timestamp", no_argument, NULL, 'T' }, NULL,
	  "print the wall-clock time (HH:MM:SS) before each report" },
	{ { "verbose", no_argument, NULL, OPT_VERBOSE }, NULL,
	  "print libbpf debug messages" },
	{ { NULL } }
};

const char *mode_name(enum attach_mode m)
{
	switch (m) {
	case MODE_PRECISE: return "precise";
	case MODE_TRACEPOINT: return "tracepoint";
	default: return "auto";
	}
}

/*
 * The number at the start of s, as written by a person: digits with an
 * optional fraction and exponent. strtod alone would also take "inf",
 * "nan", hex, a sign and leading blanks; none of those is a time or a size
 * anyone means, and inf/nan turned into endless loops.
 * Returns 0 and sets *v and *end, or -1.
 */
static int plain_number(const char *s, double *v, char **end)
{
	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	errno = 0;
	*v = strtod(s, end);
	if (errno || *end == s || !isfinite(*v))
		return -1;
	for (const char *p = s; p < *end; p++)
		if (!strchr("0123456789.eE+-", *p))
			return -1;	/* "0x10", "0x1p3" */
	return 0;
}

double parse_seconds(const char *s)
{
	char *end;
	double v;

	if (plain_number(s, &v, &end) < 0)
		return -1;
	if (*end == '\0' || !strcmp(end, "s"))
		;
	else if (!strcmp(end, "ms"))
		v /= 1000.0;
	else if (!strcmp(end, "m"))
		v *= 60.0;
	else if (!strcmp(end, "h"))
		v *= 3600.0;
	else
		return -1;
	/* past a year is a typo, and 1e19 s would overflow the ns clocks */
	if (!isfinite(v) || v < 0 || v > PARSE_SECONDS_MAX)
		return -1;
	return v;
}

int parse_size(const char *s, unsigned long long *bytes)
{
	char *end;
	double v;
	double mult = 1;

	if (plain_number(s, &v, &end) < 0)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': mult = 1024.0; end++; break;
	case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
	case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
	case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
	default: return -1;
	}
	if (*end && strcasecmp(end, "B") && strcasecmp(end, "iB"))
		return -1;
	v *= mult;
	/* the bound keeps the conversion defined; a fraction of a byte is a typo */
	if (!isfinite(v) || v < 0 || v > (double)PARSE_SIZE_MAX || v != floor(v))
		return -1;
	*bytes = (unsigned long long)v;
	return 0;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* digits only, with a '-' where negatives are allowed: no blanks, no '+' */
	if (!((*s >= '0' && *s <= '9') || (*s == '-' && min < 0)))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (plain_number(s, &v, &end) < 0 || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

double parse_fraction(const char *s)
{
	char buf[64];
	size_t n = strlen(s);
	bool pct;
	double v;

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	pct = buf[n - 1] == '%';
	if (pct)
		buf[n - 1] = '\0';
	if (parse_double(buf, 0, pct ? 100 : 1, &v) < 0)
		return -1;
	if (pct)
		v /= 100;
	return v > 0 ? v : -1;
}

/* One entry of parse_int_list: "A", "A-B" or "A-B:STEP", in place. */
static int int_range(char *e, long *a, long *b, long *step)
{
	char *dash = strchr(e, '-'), *colon = strchr(e, ':');

	*step = 1;
	if (colon && (!dash || colon < dash))
		return -1;	/* a step needs a range */
	if (dash)
		*dash = '\0';
	if (colon)
		*colon = '\0';
	if (parse_long(e, 1, 1000000, a) < 0)
		return -1;
	*b = *a;
	if (dash && (parse_long(dash + 1, *a, 1000000, b) < 0))
		return -1;
	if (colon && parse_long(colon + 1, 1, 1000000, step) < 0)
		return -1;
	return 0;
}

int parse_int_list(const char *s, int *out, int max)
{
	char buf[256], *e, *next;
	int n = 0;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (e = buf; *e; e = next) {
		long a, b, step;

		next = strchr(e, ',');
		if (next)
			*next++ = '\0';
		else
			next = e + strlen(e);
		if (int_range(e, &a, &b, &step))
			return -1;
		for (; a <= b; a += step) {
			if (n >= max)
				return -1;
			out[n++] = (int)a;
		}
	}
	return n;
}

int parse_name_list(const char *list, char *buf, size_t buflen, char **names, int max,
		    char *why, size_t whylen)
{
	size_t len = strlen(list);
	int n = 0;
	char *p;

	if (!len) {
		snprintf(why, whylen, "the list is empty");
		return -1;
	}
	if (len >= buflen) {
		snprintf(why, whylen, "the list is too long");
		return -1;
	}
	memcpy(buf, list, len + 1);
	/* strtok would skip empty fields: "a,,b" and "a," are typos, say so */
	for (p = buf;;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (!*p) {
			snprintf(why, whylen, "an empty name in the list");
			return -1;
		}
		for (int i = 0; i < n; i++)
			if (!strcmp(names[i], p)) {
				snprintf(why, whylen, "'%s' is listed twice", p);
				return -1;
			}
		if (n == max) {
			snprintf(why, whylen, "more than %d names", max);
			return -1;
		}
		names[n++] = p;
		if (!comma)
			break;
		p = comma + 1;
	}
	return n;
}

bool tag_is_valid(const char *tag)
{
	size_t n = strlen(tag);

	if (n < 1 || n > 64)
		return false;
	for (const char *p = tag; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ',' || *p == ':')
			return false;
	return true;
}

static void print_opt(FILE *f, const struct extra_opt *e)
{
	char left[64];
	int n = 0;

	if (e->opt.val > 0 && e->opt.val < 128)
		n = snprintf(left, sizeof(left), "  -%c, --%s", e->opt.val,
			     e->opt.name);
	else
		n = snprintf(left, sizeof(left), "      --%s", e->opt.name);
	if (e->arg_name && n < (int)sizeof(left))
		snprintf(left + n, sizeof(left) - n, " %s", e->arg_name);
	fprintf(f, "%-28s %s\n", left, e->help);
}

static void opts_usage(FILE *f, const struct cmd_desc *d)
{
	const struct extra_opt *e;

	fprintf(f, "Usage: mmscope %s [OPTIONS]%s%s%s\n%s\n\nOptions:\n", d->name,
		d->args_usage ? " " : "", d->args_usage ? d->args_usage : "",
		d->interval_args ? " [interval [count]]" : "", d->summary);
	if (!d->no_common)
		for (e = common; e->opt.name; e++)
			print_opt(f, e);
	for (e = d->extra; e && e->opt.name; e++)
		print_opt(f, e);
	fprintf(f, "  -h, --help                 show this help\n");
	if (d->interval_args)
		fprintf(f, "\n  interval                   same as --interval (seconds)\n"
			   "  count                      stop after count reports (then the summary)\n");
	if (d->details)
		fprintf(f, "\n%s\n", d->details);
}

int parse_top(const char *cmd, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 0 || v > 1000000) {
		err_msg("%s: --top '%s' must be a number of processes (0 = all)", cmd, arg);
		return -1;
	}
	return (int)v;
}

/* libbpf-tools' positional [interval [count]], after the options. */
static int interval_args(int argc, char **argv, const struct cmd_desc *d,
			 struct common_opts *o)
{
	char *end;
	long v;

	if (argc - optind > 2) {
		err_msg("%s: unexpected argument '%s' (usage: [interval [count]])",
			d->name, argv[optind + 2]);
		return -1;
	}
	if (optind < argc) {
		o->interval = parse_seconds(argv[optind]);
		if (o->interval < 0.01) {
			err_msg("%s: interval '%s' must be a time >= 10ms",
				d->name, argv[optind]);
			return -1;
		}
		optind++;
	}
	if (optind < argc) {
		errno = 0;
		v = strtol(argv[optind], &end, 10);
		if (errno || *end || end == argv[optind] || v <= 0 || v > 1000000000) {
			err_msg("%s: count '%s' must be a positive number of reports",
				d->name, argv[optind]);
			return -1;
		}
		o->count = (int)v;
	}
	return 0;
}

static void add_short(char *shorts, size_t *n, const struct option *o)
{
	if (o->val <= 0 || o->val >= 128)
		return;
	shorts[(*n)++] = (char)o->val;
	if (o->has_arg == required_argument)
		shorts[(*n)++] = ':';
}

int opts_parse(int argc, char **argv, const struct cmd_desc *d,
	       struct common_opts *o)
{
	struct option longs[64];
	char shorts[128] = "h";
	size_t ns = 1, nl = 0;
	const struct extra_opt *e;
	int c;

	memset(o, 0, sizeof(*o));
	o->interval = 1.0;
	o->mode = MODE_AUTO;

	if (!d->no_common)
		for (e = common; e->opt.name; e++) {
			longs[nl++] = e->opt;
			add_short(shorts, &ns, &e->opt);
		}
	for (e = d->extra; e && e->opt.name && nl < 62; e++) {
		longs[nl++] = e->opt;
		add_short(shorts, &ns, &e->opt);
	}
	longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	longs[nl] = (struct option){ NULL };
	shorts[ns] = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const char *arg = optarg;

		switch (c) {
		case 'h':
			opts_usage(stdout, d);
			return 1;
		case '?':
			if (optopt)
				err_msg("%s: unknown option '-%c' (see --help)",
					d->name, optopt);
			else
				err_msg("%s: unknown or incomplete option '%s' (see --help)",
					d->name, argv[optind - 1]);
			return -1;
		case ':':
			err_msg("%s: option '%s' needs a value", d->name,
				argv[optind - 1]);
			return -1;
		}
		if (d->no_common)
			goto extra;
		switch (c) {
		case OPT_INTERVAL:
			o->interval = parse_seconds(arg);
			if (o->interval < 0.01) {
				err_msg("%s: --interval '%s' must be a time from 10ms to a year (e.g. 1, 500ms, 2m)",
					d->name, arg);
				return -1;
			}
			continue;
		case OPT_DURATION:
			o->duration = parse_seconds(arg);
			if (o->duration <= 0) {
				err_msg("%s: --duration '%s' must be a positive time of at most a year (e.g. 10, 2m, 1h)",
					d->name, arg);
				return -1;
			}
			continue;
		case 'p': {
			char *end;
			long v;

			errno = 0;
			v = strtol(arg, &end, 10);
			if (errno || *end || v <= 0 || v > 4194304) {
				err_msg("%s: --pid '%s' is not a process id", d->name, arg);
				return -1;
			}
			/* a pid that is not there would only give an empty report */
			if (kill((pid_t)v, 0) && errno == ESRCH) {
				err_msg("%s: --pid %ld: no such process", d->name, v);
				return -1;
			}
			o->pid = (pid_t)v;
			continue;
		}
		case 'c':
			if (strlen(arg) == 0 || strlen(arg) > 15) {
				err_msg("%s: --comm '%s' must be 1 to 15 characters (the kernel's TASK_COMM_LEN)",
					d->name, arg);
				return -1;
			}
			strncpy(o->comm, arg, sizeof(o->comm) - 1);
			continue;
		case OPT_MODE:
			if (!strcmp(arg, "auto"))
				o->mode = MODE_AUTO;
			else if (!strcmp(arg, "precise"))
				o->mode = MODE_PRECISE;
			else if (!strcmp(arg, "tracepoint") || !strcmp(arg, "tp"))
				o->mode = MODE_TRACEPOINT;
			else {
				err_msg("%s: --mode '%s' must be auto, precise or tracepoint",
					d->name, arg);
				return -1;
			}
			continue;
		case OPT_JSON:
			o->json = true;
			continue;
		case OPT_VERBOSE:
			o->verbose = true;
			continue;
		case 'T':
			o->timestamp = true;
			continue;
		}
extra:
		if (!d->parse_extra || d->parse_extra(c, arg, d->ctx) < 0) {
			if (!d->parse_extra)
				err_msg("%s: unexpected option", d->name);
			return -1;
		}
	}
	if (d->interval_args && !d->no_common)
		return interval_args(argc, argv, d, o);
	for (; optind < argc; optind++) {
		if (o->nargs >= d->max_args || o->nargs >= 8) {
			err_msg("%s: unexpected argument '%s' (see --help)",
				d->name, argv[optind]);
			return -1;
		}
		o->args[o->nargs++] = argv[optind];
	}
	if (o->nargs < d->min_args) {
		err_msg("%s: missing argument %s (see --help)", d->name,
			d->args_usage ? d->args_usage : "");
		return -1;
	}
	return 0;
}
