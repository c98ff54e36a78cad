// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "jsonout.h"
#include "util.h"

struct json_object *doc_new(const char *tool, const char *kind, const char *mode)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "schema", json_object_new_string(MMSCOPE_SCHEMA));
	json_object_object_add(d, "tool", json_object_new_string(tool));
	json_object_object_add(d, "kind", json_object_new_string(kind));
	if (mode)
		json_object_object_add(d, "mode", json_object_new_string(mode));
	json_object_object_add(d, "time", json_object_new_double(wall_time()));
	return d;
}

void doc_add_host(struct json_object *doc)
{
	struct host_info h;
	struct json_object *o = json_object_new_object();

	host_info_get(&h);
	json_object_object_add(o, "kernel", json_object_new_string(h.kernel));
	json_object_object_add(o, "machine", json_object_new_string(h.machine));
	json_object_object_add(o, "cpu_model", json_object_new_string(h.cpu_model));
	json_object_object_add(o, "ncpus", json_object_new_int(h.ncpus));
	json_object_object_add(o, "mem_bytes", json_object_new_uint64(h.mem_bytes));
	json_object_object_add(doc, "host", o);
}

void doc_metric(struct json_object *doc, const char *name, double v)
{
	struct json_object *m;

	if (!json_object_object_get_ex(doc, "metrics", &m)) {
		m = json_object_new_object();
		json_object_object_add(doc, "metrics", m);
	}
	json_object_object_add(m, name, json_object_new_double(v));
}

void doc_emit(struct json_object *doc)
{
	fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
	fputc('\n', stdout);
	fflush(stdout);
	json_object_put(doc);
}

long long doc_int(struct json_object *o, const char *k)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}
