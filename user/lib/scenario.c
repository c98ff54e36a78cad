// SPDX-License-Identifier: GPL-2.0
/* Scenario file parser and kernel expectation check (docs/scenarios.md). */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "digest.h"
#include "opts.h"
#include "scenario.h"

static const char *const known_tracers[] = { "vmalock", "ptmem", "faultlat", "ptshare" };

static const char *const keys[] = {
	"name", "description", "workload", "tracers", "tracer_args", "repeats",
	"kernel", "timeout", "settle",
};

static int fail(char *err, size_t len, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	int n = line ? snprintf(err, len, "%s:%d: ", path, line)
		     : snprintf(err, len, "%s: ", path);

	if (n < 0 || (size_t)n >= len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, len - n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int scenario_split(const char *line, char *buf, size_t buflen, char **argv,
		   int maxargs, const char **why)
{
	size_t o = 0;
	int argc = 0;
	const char *p = line;

	for (;;) {
		char quote = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (argc >= maxargs) {
			*why = "too many words";
			return -1;
		}
		argv[argc++] = buf + o;
		for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
			char c = *p;

			if (!quote && (c == '\'' || c == '"')) {
				quote = c;
				continue;
			}
			if (quote && c == quote) {
				quote = 0;
				continue;
			}
			if (c == '\\' && quote != '\'') {
				if (!p[1]) {
					*why = "trailing backslash";
					return -1;
				}
				c = *++p;
			}
			if (o + 2 >= buflen) {
				*why = "line too long";
				return -1;
			}
			buf[o++] = c;
		}
		if (quote) {
			*why = "unterminated quote";
			return -1;
		}
		buf[o++] = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

static int parse_tracers(struct scenario *s, char *v, char *err, size_t errlen, int line)
{
	char *save = NULL;

	s->ntracers = 0;
	if (!strcmp(v, "none"))
		return 0;
	for (char *t = strtok_r(v, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		size_t i;

		for (i = 0; i < sizeof(known_tracers) / sizeof(known_tracers[0]); i++)
			if (!strcmp(t, known_tracers[i]))
				break;
		if (i == sizeof(known_tracers) / sizeof(known_tracers[0]))
			return fail(err, errlen, s->path, line,
				    "unknown tracer '%s' (known: vmalock ptmem faultlat ptshare)", t);
		for (int j = 0; j < s->ntracers; j++)
			if (!strcmp(s->tracers[j], t))
				return fail(err, errlen, s->path, line, "tracer '%s' listed twice", t);
		if (s->ntracers >= SCN_MAX_TRACERS)
			return fail(err, errlen, s->path, line, "too many tracers");
		snprintf(s->tracers[s->ntracers++], sizeof(s->tracers[0]), "%s", t);
	}
	return 0;
}

static int set_key(struct scenario *s, const char *key, char *v, int line,
		   char *err, size_t errlen)
{
	const char *why = NULL;

	if (!strcmp(key, "name")) {
		if (!*v || strlen(v) >= sizeof(s->name) || strpbrk(v, " \t/"))
			return fail(err, errlen, s->path, line,
				    "name '%s' must be one word of at most %zu characters",
				    v, sizeof(s->name) - 1);
		strcpy(s->name, v);
	} else if (!strcmp(key, "description")) {
		snprintf(s->description, sizeof(s->description), "%s", v);
	} else if (!strcmp(key, "workload")) {
		if (strlen(v) >= sizeof(s->workload))
			return fail(err, errlen, s->path, line, "workload too long");
		strcpy(s->workload, v);
		s->argc = scenario_split(v, s->argv_buf, sizeof(s->argv_buf), s->argv,
					 SCN_MAX_ARGS, &why);
		if (s->argc < 0)
			return fail(err, errlen, s->path, line, "workload: %s", why);
		if (s->argc == 0)
			return fail(err, errlen, s->path, line, "workload is empty");
	} else if (!strcmp(key, "tracers")) {
		return parse_tracers(s, v, err, errlen, line);
	} else if (!strcmp(key, "tracer_args")) {
		s->tracer_argc = scenario_split(v, s->tracer_args_buf, sizeof(s->tracer_args_buf),
						s->tracer_argv, 16, &why);
		if (s->tracer_argc < 0)
			return fail(err, errlen, s->path, line, "tracer_args: %s", why);
	} else if (!strcmp(key, "repeats")) {
		long n;

		if (parse_long(v, 1, 1000, &n) < 0)
			return fail(err, errlen, s->path, line,
				    "repeats '%s' must be a whole number from 1 to 1000", v);
		s->repeats = (int)n;
	} else if (!strcmp(key, "kernel")) {
		if (!strcmp(v, "host"))
			s->kernel = SCN_KERNEL_HOST;
		else if (!strcmp(v, "patched"))
			s->kernel = SCN_KERNEL_PATCHED;
		else if (!strcmp(v, "pristine"))
			s->kernel = SCN_KERNEL_PRISTINE;
		else
			return fail(err, errlen, s->path, line,
				    "kernel '%s' must be host, patched or pristine", v);
	} else if (!strcmp(key, "timeout") || !strcmp(key, "settle")) {
		/*
		 * The shared parser refuses inf/nan (nan passed --dry-run and
		 * failed later with a wrong cause); the bounds refuse what
		 * cannot be meant: a settle of 1e12 s never starts the workload.
		 */
		double x = parse_seconds(v);
		bool timeout = key[0] == 't';

		if (timeout ? !(x >= 0.001 && x <= SCN_TIMEOUT_MAX) : !(x >= 0 && x <= SCN_SETTLE_MAX))
			return fail(err, errlen, s->path, line,
				    "%s '%s' must be a time from %s (s, ms, m, h accepted)", key, v,
				    timeout ? "1ms to 7 days" : "0 to 1 hour");
		if (timeout)
			s->timeout_s = x;
		else
			s->settle_s = x;
	}
	return 0;
}

int scenario_load(const char *path, struct scenario *s, char *err, size_t errlen)
{
	char line[4096];
	unsigned seen = 0;
	int lineno = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->repeats = 5;
	s->kernel = SCN_KERNEL_HOST;
	s->timeout_s = 600;
	s->settle_s = 1;
	f = fopen(path, "r");
	if (!f)
		return fail(err, errlen, path, 0, "cannot open: %s", strerror(errno));

	while (fgets(line, sizeof(line), f)) {
		char *p, *eq, *key, *val;
		size_t k;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return fail(err, errlen, path, lineno, "line longer than %zu bytes",
				    sizeof(line) - 2);
		}
		p = trim(line);
		if (!*p || *p == '#')
			continue;
		eq = strchr(p, '=');
		if (!eq) {
			fclose(f);
			return fail(err, errlen, path, lineno, "expected 'key = value'");
		}
		*eq = '\0';
		key = trim(p);
		val = trim(eq + 1);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strcmp(key, keys[k]))
				break;
		if (k == sizeof(keys) / sizeof(keys[0])) {
			fclose(f);
			return fail(err, errlen, path, lineno, "unknown key '%s'", key);
		}
		if (seen & (1u << k)) {
			fclose(f);
			return fail(err, errlen, path, lineno, "key '%s' given twice", key);
		}
		seen |= 1u << k;
		if (set_key(s, key, val, lineno, err, errlen) < 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (!s->argc)
		return fail(err, errlen, path, 0, "no 'workload = ...' line");
	if (!s->name[0]) {
		const char *b = strrchr(path, '/');
		char *dot;

		snprintf(s->name, sizeof(s->name), "%s", b ? b + 1 : path);
		dot = strrchr(s->name, '.');
		if (dot && dot != s->name)
			*dot = '\0';
	}
	if (digest_file_sha256(path, s->hash) < 0)
		return fail(err, errlen, path, 0, "cannot read: %s", strerror(errno));
	return 0;
}

const char *scn_kernel_name(enum scn_kernel k)
{
	switch (k) {
	case SCN_KERNEL_PATCHED: return "patched";
	case SCN_KERNEL_PRISTINE: return "pristine";
	default: return "host";
	}
}

/*
 * The patch series (patches/) adds the vma_lock and pgtable tracepoint
 * systems; their presence is what tells the patched kernel apart. The guest
 * kernels are built with IKCONFIG_PROC (scripts/kernel/lib.sh), which Debian
 * kernels are not, so /proc/config.gz without the tracepoints is the
 * pristine guest.
 */
static int has_series_tracepoints(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events",
					     "/sys/kernel/debug/tracing/events" };
	char p[256];

	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/vma_lock/vma_lock_success", roots[i]);
		if (!access(p, F_OK))
			return 1;
	}
	return 0;
}

int scenario_kernel_check(const struct scenario *s, char *why, size_t len)
{
	struct utsname u;
	int patched;

	if (s->kernel == SCN_KERNEL_HOST)
		return 0;
	uname(&u);
	patched = has_series_tracepoints();
	if (s->kernel == SCN_KERNEL_PATCHED && patched)
		return 0;
	if (s->kernel == SCN_KERNEL_PRISTINE && !patched && !access("/proc/config.gz", R_OK))
		return 0;
	snprintf(why, len,
		 "scenario '%s' needs the %s QEMU guest kernel, but this is %s (%s); "
		 "boot it with scripts/kernel/boot.sh --flavor %s and run mmscope inside the guest",
		 s->name, scn_kernel_name(s->kernel), u.release,
		 patched ? "the patched series' tracepoints are present"
			 : "without the series' vma_lock tracepoints",
		 scn_kernel_name(s->kernel));
	return -1;
}
