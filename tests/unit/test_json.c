// SPDX-License-Identifier: GPL-2.0
/* user/lib/jsonout.c document envelope and hist_report.c hist_to_json. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hist_report.h"
#include "jsonout.h"
#include "unit.h"

static struct json_object *get(struct json_object *o, const char *k)
{
	return json_object_object_get(o, k);
}

static void test_envelope(void)
{
	struct json_object *d = doc_new("vmalock", "interval", "tracepoint"), *m, *re;
	const char *s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int saved;

	CHECK(!strcmp(json_object_get_string(get(d, "schema")), MMSCOPE_SCHEMA), "schema");
	CHECK(!strcmp(json_object_get_string(get(d, "tool")), "vmalock"), "tool");
	CHECK(!strcmp(json_object_get_string(get(d, "kind")), "interval"), "kind");
	CHECK(!strcmp(json_object_get_string(get(d, "mode")), "tracepoint"), "mode");
	CHECK(json_object_get_double(get(d, "time")) > 1.6e9, "time is unix seconds");
	doc_metric(d, "faults_count", 42);
	doc_metric(d, "faults_per_s", 1.5);
	m = get(d, "metrics");
	CHECK(m && json_object_get_double(get(m, "faults_count")) == 42, "metric 1");
	CHECK(json_object_get_double(get(m, "faults_per_s")) == 1.5, "metric 2");
	doc_add_host(d);
	CHECK(get(get(d, "host"), "kernel") && get(get(d, "host"), "ncpus"), "host");

	/* doc_emit: one line on stdout that parses back to the same document */
	f = open_memstream(&buf, &len);
	fflush(stdout);
	saved = dup(1);
	{
		char path[] = "/tmp/test_json.XXXXXX";
		int fd = mkstemp(path);
		FILE *in;
		char line[65536];

		unlink(path);
		dup2(fd, 1);
		json_object_get(d);
		doc_emit(d);
		fflush(stdout);
		dup2(saved, 1);
		close(saved);
		lseek(fd, 0, SEEK_SET);
		in = fdopen(fd, "r");
		CHECK(fgets(line, sizeof(line), in) != NULL, "emitted a line");
		CHECK(fgets(line + strlen(line), 10, in) == NULL, "only one line");
		fclose(in);
		re = json_tokener_parse(line);
		CHECK(re != NULL, "parses: %s", line);
		s = re ? json_object_get_string(get(re, "tool")) : "";
		CHECK(!strcmp(s, "vmalock"), "round trip tool");
		CHECK(re && json_object_get_double(get(get(re, "metrics"), "faults_count")) == 42,
		      "round trip metric");
		json_object_put(re);
	}
	fclose(f);
	free(buf);
	json_object_put(d);
}

static void test_hist_to_json(void)
{
	struct hist h;
	struct json_object *o, *b;
	__u64 total = 0;

	hist_reset(&h);
	for (int i = 0; i < 100; i++)
		hist_add(&h, 1000 + i);	/* row 512..1023 and 1024..2047 */
	hist_add(&h, 5);
	o = hist_to_json(&h);
	CHECK(json_object_get_int64(get(o, "count")) == 101, "count");
	CHECK(json_object_get_int64(get(o, "max")) == 1099, "max");
	CHECK(json_object_get_int64(get(o, "sum")) == 100 * 1000 + 4950 + 5, "sum");
	CHECK(json_object_get_double(get(o, "p50")) <= json_object_get_double(get(o, "p90")) &&
	      json_object_get_double(get(o, "p90")) <= json_object_get_double(get(o, "p99")) &&
	      json_object_get_double(get(o, "p99")) <= 1099, "percentiles ordered, <= max");
	b = get(o, "buckets");
	CHECK(json_object_array_length(b) == 3, "3 non-empty log2 rows, got %zu",
	      json_object_array_length(b));
	for (size_t i = 0; i < json_object_array_length(b); i++) {
		struct json_object *e = json_object_array_get_idx(b, i);
		__u64 lo = json_object_get_int64(get(e, "low"));
		__u64 hi = json_object_get_int64(get(e, "high"));

		CHECK(lo <= hi && (lo == 0 || (lo & (lo - 1)) == 0), "row %llu..%llu",
		      (unsigned long long)lo, (unsigned long long)hi);
		total += json_object_get_int64(get(e, "count"));
	}
	CHECK(total == 101, "bucket counts add up: %llu", (unsigned long long)total);
	CHECK(json_object_get_int64(get(json_object_array_get_idx(b, 0), "low")) == 4, "first row 4..7");
	json_object_put(o);

	hist_reset(&h);
	o = hist_to_json(&h);
	CHECK(json_object_get_int64(get(o, "count")) == 0 &&
	      json_object_array_length(get(o, "buckets")) == 0, "empty histogram");
	json_object_put(o);
}

int main(void)
{
	RUN(test_envelope);
	RUN(test_hist_to_json);
	return unit_done("test_json");
}
