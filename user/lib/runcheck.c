// SPDX-License-Identifier: GPL-2.0
/* Type and range checks of imported runs and documents (runcheck.h). */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jsonout.h"
#include "opts.h"
#include "runcheck.h"

/* 2^62 bytes: more than any machine, and below json-c's saturation point */
#define MEM_BYTES_MAX (1LL << 62)

static int bad(char *err, size_t errlen, const char *where, const char *member,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int bad(char *err, size_t errlen, const char *where, const char *member,
	       const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s%s%s: ", where, *where && *member ? "." : "", member);

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The value as the file had it, short, for the message. */
static const char *shown(struct json_object *v)
{
	static char buf[48];
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);

	snprintf(buf, sizeof(buf), "%.40s%s", s, strlen(s) > 40 ? "..." : "");
	return buf;
}

static bool is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* Optional string member; required when need. */
static int want_str(struct json_object *o, const char *k, bool need, bool nonempty,
		    const char *where, char *err, size_t errlen)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return need ? bad(err, errlen, where, k, "missing (a string)") : 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(err, errlen, where, k, "must be a string, not %s", shown(v));
	if (nonempty && !json_object_get_string_len(v))
		return bad(err, errlen, where, k, "must not be empty");
	if (memchr(json_object_get_string(v), '\0', json_object_get_string_len(v)))
		return bad(err, errlen, where, k, "contains a NUL character");
	return 0;
}

/* Optional finite number member in [min, max]. */
static int want_num(struct json_object *o, const char *k, bool need, double min, double max,
		    const char *where, char *err, size_t errlen)
{
	struct json_object *v;
	double d;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return need ? bad(err, errlen, where, k, "missing (a number)") : 0;
	if (!is_number(v))
		return bad(err, errlen, where, k, "must be a number, not %s", shown(v));
	d = json_object_get_double(v);
	if (!isfinite(d))
		return bad(err, errlen, where, k, "must be a finite number, not %s", shown(v));
	if (d < min || d > max)
		return bad(err, errlen, where, k, "%s is out of range (%.17g to %.17g)", shown(v),
			   min, max);
	return 0;
}

/* Optional whole-number member in [min, max] (an int64 in the file). */
static int want_int(struct json_object *o, const char *k, bool need, long long min,
		    long long max, const char *where, char *err, size_t errlen)
{
	struct json_object *v;
	int64_t i;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return need ? bad(err, errlen, where, k, "missing (a whole number)") : 0;
	if (!json_object_is_type(v, json_type_int))
		return bad(err, errlen, where, k, "must be a whole number, not %s", shown(v));
	/*
	 * json-c saturates what does not fit int64 (and a uint64 past it) at
	 * INT64_MAX or INT64_MIN; every max and min here is inside, so a
	 * saturated value is out of range, never clamped.
	 */
	i = json_object_get_int64(v);
	if (i < min || i > max)
		return bad(err, errlen, where, k, "%s is out of range (%lld to %lld)", shown(v),
			   min, max);
	return 0;
}

static int check_host(struct json_object *h, const char *where, char *err, size_t errlen)
{
	char w[256];

	snprintf(w, sizeof(w), "%s%shost", where, *where ? "." : "");
	if (!json_object_is_type(h, json_type_object))
		return bad(err, errlen, where, "host", "must be an object, not %s", shown(h));
	if (want_str(h, "kernel", false, true, w, err, errlen) ||
	    want_str(h, "machine", false, false, w, err, errlen) ||
	    want_str(h, "cpu_model", false, false, w, err, errlen) ||
	    want_int(h, "ncpus", false, 1, 1 << 20, w, err, errlen) ||
	    want_int(h, "mem_bytes", false, 0, MEM_BYTES_MAX, w, err, errlen))
		return -1;
	return 0;
}

int doc_check(struct json_object *doc, const char *where, char *err, size_t errlen)
{
	struct json_object *v;
	char w[256];

	if (!json_object_is_type(doc, json_type_object))
		return bad(err, errlen, where, "", "a document must be a JSON object, not %s",
			   shown(doc));
	if (want_str(doc, "schema", true, true, where, err, errlen))
		return -1;
	json_object_object_get_ex(doc, "schema", &v);
	if (strcmp(json_object_get_string(v), MMSCOPE_SCHEMA))
		return bad(err, errlen, where, "schema", "'%s' is not " MMSCOPE_SCHEMA,
			   json_object_get_string(v));
	if (want_str(doc, "tool", true, true, where, err, errlen) ||
	    want_str(doc, "kind", true, true, where, err, errlen) ||
	    want_str(doc, "mode", false, false, where, err, errlen) ||
	    want_num(doc, "time", false, 0, 1e12, where, err, errlen))
		return -1;
	if (json_object_object_get_ex(doc, "host", &v) && check_host(v, where, err, errlen))
		return -1;
	if (!json_object_object_get_ex(doc, "metrics", &v))
		return 0;
	snprintf(w, sizeof(w), "%s%smetrics", where, *where ? "." : "");
	if (!json_object_is_type(v, json_type_object))
		return bad(err, errlen, where, "metrics", "must be an object, not %s", shown(v));
	json_object_object_foreach(v, name, m) {
		if (!*name)
			return bad(err, errlen, w, "\"\"", "a metric without a name");
		if (want_num(v, name, true, -INFINITY, INFINITY, w, err, errlen))
			return -1;
		(void)m;
	}
	return 0;
}

int run_check(struct json_object *run, const char *where, char *err, size_t errlen)
{
	struct json_object *reps, *v;
	char w[256];
	size_t n;

	if (!json_object_is_type(run, json_type_object))
		return bad(err, errlen, where, "", "a run must be a JSON object, not %s", shown(run));
	if (want_str(run, "uuid", true, true, where, err, errlen) ||
	    want_str(run, "scenario", true, true, where, err, errlen) ||
	    want_str(run, "kernel", true, true, where, err, errlen) ||
	    want_str(run, "tag", false, false, where, err, errlen) ||
	    want_str(run, "machine", false, false, where, err, errlen) ||
	    want_str(run, "hostname", false, false, where, err, errlen) ||
	    want_str(run, "cpu_model", false, false, where, err, errlen) ||
	    want_str(run, "scenario_hash", false, false, where, err, errlen) ||
	    want_str(run, "workload", false, false, where, err, errlen) ||
	    want_str(run, "overrides", false, false, where, err, errlen) ||
	    want_str(run, "kernel_config_hash", false, false, where, err, errlen) ||
	    want_str(run, "mmscope_commit", false, false, where, err, errlen) ||
	    want_num(run, "started", true, 0, 1e12, where, err, errlen) ||
	    want_num(run, "finished", false, 0, 1e12, where, err, errlen) ||
	    want_int(run, "ncpus", false, 0, 1 << 20, where, err, errlen) ||
	    want_int(run, "mem_bytes", false, 0, MEM_BYTES_MAX, where, err, errlen))
		return -1;
	/* the same rule as run --tag: selectors split at ',' and ':' */
	if (json_object_object_get_ex(run, "tag", &v) && json_object_get_string_len(v) &&
	    !tag_is_valid(json_object_get_string(v)))
		return bad(err, errlen, where, "tag", "'%s' must be " TAG_RULE,
			   json_object_get_string(v));
	if (!json_object_object_get_ex(run, "repeats", &reps) ||
	    !json_object_is_type(reps, json_type_array) || !(n = json_object_array_length(reps)))
		return bad(err, errlen, where, "repeats", "must be a non-empty array");
	for (size_t i = 0; i < n; i++) {
		struct json_object *rep = json_object_array_get_idx(reps, i), *docs;
		size_t nd;

		snprintf(w, sizeof(w), "%s%srepeats[%zu]", where, *where ? "." : "", i);
		if (!json_object_is_type(rep, json_type_object))
			return bad(err, errlen, w, "", "a repeat must be an object, not %s", shown(rep));
		if (want_int(rep, "index", false, 0, INT_MAX, w, err, errlen) ||
		    want_num(rep, "started", false, 0, 1e12, w, err, errlen) ||
		    want_num(rep, "wall_s", false, 0, 1e9, w, err, errlen) ||
		    want_int(rep, "exit_status", false, INT_MIN, INT_MAX, w, err, errlen))
			return -1;
		/* the repeat's host-noise figures (mmscope run): numbers only */
		if (json_object_object_get_ex(rep, "host", &v) && v) {
			char wh[300];

			snprintf(wh, sizeof(wh), "%s.host", w);
			if (!json_object_is_type(v, json_type_object))
				return bad(err, errlen, w, "host", "must be an object, not %s", shown(v));
			json_object_object_foreach(v, hname, hval) {
				if (!*hname)
					return bad(err, errlen, wh, "\"\"", "a figure without a name");
				if (want_num(v, hname, true, -INFINITY, INFINITY, wh, err, errlen))
					return -1;
				(void)hval;
			}
		}
		if (!json_object_object_get_ex(rep, "docs", &docs) ||
		    !json_object_is_type(docs, json_type_array))
			return bad(err, errlen, w, "docs", "must be an array");
		nd = json_object_array_length(docs);
		for (size_t d = 0; d < nd; d++) {
			struct json_object *e = json_object_array_get_idx(docs, d), *doc;
			char wd[300];

			snprintf(wd, sizeof(wd), "%s.docs[%zu]", w, d);
			if (!json_object_is_type(e, json_type_object))
				return bad(err, errlen, wd, "", "must be an object, not %s", shown(e));
			if (want_str(e, "source", false, true, wd, err, errlen))
				return -1;
			if (!json_object_object_get_ex(e, "doc", &doc))
				return bad(err, errlen, wd, "doc", "missing (a document)");
			snprintf(wd + strlen(wd), sizeof(wd) - strlen(wd), ".doc");
			if (doc_check(doc, wd, err, errlen))
				return -1;
		}
	}
	return 0;
}
