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
	snprintf(s->run_name, sizeof(s->run_name), "%s", s->name);
	return 0;
}

/* ---- mmscope run --set ------------------------------------------------- */

static const char *const settable[] = { "repeats", "timeout", "settle" };

/* Index of the workload word --KEY or --KEY=..., else -1. */
static int find_option(const struct scenario *s, const char *key, bool *inline_value)
{
	size_t k = strlen(key);

	for (int i = 1; i < s->argc; i++) {
		const char *w = s->argv[i];

		if (!strcmp(w, "--"))
			break;
		if (strncmp(w, "--", 2) || strncmp(w + 2, key, k))
			continue;
		if (!w[2 + k] || w[2 + k] == '=') {
			*inline_value = w[2 + k] == '=';
			return i;
		}
	}
	return -1;
}

/* Whether help text lists --KEY as an option (not as a prefix of a longer one). */
static bool help_lists(const char *help, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = help; p && (p = strstr(p, "--")); p += 2) {
		char c = p[2 + k];

		if ((p == help || !isalnum((unsigned char)p[-1])) && !strncmp(p + 2, key, k) &&
		    !isalnum((unsigned char)c) && c != '-' && c != '_')
			return true;
	}
	return false;
}

static char *set_word(struct scenario *s, const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *w = s->set_buf + s->set_used;

	if (s->set_used + n > sizeof(s->set_buf))
		return NULL;
	snprintf(w, n, "%s%s", a, b);
	s->set_used += n;
	return w;
}

/* s->workload from s->argv, quoting what scenario_split would split or unquote. */
static int join_workload(struct scenario *s)
{
	size_t o = 0;

	for (int i = 0; i < s->argc; i++) {
		const char *w = s->argv[i];
		bool q = !*w || strpbrk(w, " \t'\"\\");
		int n;

		if (q && strchr(w, '\''))
			n = snprintf(s->workload + o, sizeof(s->workload) - o, "%s\"%s\"", i ? " " : "", w);
		else
			n = snprintf(s->workload + o, sizeof(s->workload) - o, q ? "%s'%s'" : "%s%s",
				     i ? " " : "", w);
		if (n < 0 || (size_t)n >= sizeof(s->workload) - o)
			return -1;
		o += n;
	}
	return 0;
}

bool scenario_set_needs_help(const struct scenario *s, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[64];
	bool inl;

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key) || !strncmp(kv, "scenario.", 9))
		return false;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	return find_option(s, key, &inl) < 0;
}

int scenario_set(struct scenario *s, const char *kv, const char *help, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '='), *val;
	char key[64], why[1024];
	bool inl = false;
	int i;

	if (!eq || eq == kv) {
		snprintf(err, errlen, "--set '%s' must be KEY=VALUE", kv);
		return -1;
	}
	if ((size_t)(eq - kv) >= sizeof(key)) {
		snprintf(err, errlen, "--set '%.40s...': key too long", kv);
		return -1;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	val = eq + 1;
	for (i = 0; i < s->nsets; i++)
		if (!strcmp(s->set_keys[i], key)) {
			snprintf(err, errlen, "--set %s given twice", key);
			return -1;
		}
	if (s->nsets >= (int)(sizeof(s->set_keys) / sizeof(s->set_keys[0]))) {
		snprintf(err, errlen, "too many --set");
		return -1;
	}
	if (!strncmp(key, "scenario.", 9)) {
		size_t k;

		for (k = 0; k < sizeof(settable) / sizeof(settable[0]); k++)
			if (!strcmp(key + 9, settable[k]))
				break;
		if (k == sizeof(settable) / sizeof(settable[0])) {
			snprintf(err, errlen, "--set %s: unknown key '%s' (scenario keys that can be "
				 "set: scenario.repeats, scenario.timeout, scenario.settle)", kv, key);
			return -1;
		}
		snprintf(why, sizeof(why), "%s", val);
		if (set_key(s, key + 9, why, 0, err, errlen) < 0) {
			/* set_key said "PATH: problem": say which --set instead */
			char *p = strstr(err, ": ");

			snprintf(why, sizeof(why), "--set %s%s", kv, p ? p : "");
			snprintf(err, errlen, "%s", why);
			return -1;
		}
	} else {
		char *w;

		if (!*val) {
			snprintf(err, errlen, "--set %s: the value is empty", kv);
			return -1;
		}
		i = find_option(s, key, &inl);
		if (i < 0 && !help_lists(help, key)) {
			snprintf(err, errlen, "--set %s: unknown key '%s': the workload line has no "
				 "--%s and %s --help does not list it", kv, key, key, s->argv[0]);
			return -1;
		}
		if (i >= 0 && !inl && (i + 1 >= s->argc || !strncmp(s->argv[i + 1], "-", 1))) {
			snprintf(err, errlen, "--set %s: --%s takes no value in the workload line", kv, key);
			return -1;
		}
		if (i < 0 && s->argc + 2 > SCN_MAX_ARGS) {
			snprintf(err, errlen, "--set %s: the workload line has too many words", kv);
			return -1;
		}
		w = i >= 0 && inl ? set_word(s, "--", kv) : set_word(s, "", val);
		if (!w) {
			snprintf(err, errlen, "--set: the overrides are too long");
			return -1;
		}
		if (i >= 0) {
			s->argv[inl ? i : i + 1] = w;
		} else {
			char *o = set_word(s, "--", key);

			if (!o) {
				snprintf(err, errlen, "--set: the overrides are too long");
				return -1;
			}
			s->argv[s->argc++] = o;
			s->argv[s->argc++] = w;
			s->argv[s->argc] = NULL;
		}
		if (join_workload(s) < 0) {
			snprintf(err, errlen, "--set %s: the workload line is too long", kv);
			return -1;
		}
	}
	snprintf(s->set_keys[s->nsets++], sizeof(s->set_keys[0]), "%s", key);

	/* the run's identity: name[KEY=VALUE,...] and sha256(file hash, overrides) */
	{
		size_t o = strlen(s->overrides), r = strlen(s->run_name);
		/* quoted as in a workload line, so a value with blanks reads back whole */
		bool q = strpbrk(kv, " \t'\"\\") != NULL;
		int n = snprintf(s->overrides + o, sizeof(s->overrides) - o,
				 !q ? "%s%s" : strchr(kv, '\'') ? "%s\"%s\"" : "%s'%s'", o ? " " : "", kv);
		struct digest *d;

		if (n < 0 || (size_t)n >= sizeof(s->overrides) - o) {
			snprintf(err, errlen, "--set: the overrides are too long");
			return -1;
		}
		n = s->nsets == 1 ? snprintf(s->run_name + r, sizeof(s->run_name) - r, "[%s]", kv)
				  : snprintf(s->run_name + r - 1, sizeof(s->run_name) - r + 1, ",%s]", kv);
		if (n < 0 || (size_t)n >= sizeof(s->run_name) - r) {
			snprintf(err, errlen, "--set: the overrides are too long");
			return -1;
		}
		d = digest_sha256();
		digest_update(d, s->hash, strlen(s->hash));
		digest_update(d, "\n", 1);
		digest_update(d, kv, strlen(kv));
		if (digest_hex(d, s->hash) < 0) {
			snprintf(err, errlen, "--set: cannot compute the scenario digest");
			return -1;
		}
	}
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
