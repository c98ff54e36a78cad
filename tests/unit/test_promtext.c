// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text of the tracers' documents (user/lib/promtext.c): every
 * series declared before the first document, faultlat's log2 buckets onto
 * the fixed le set exactly, counters summed, label values escaped, null
 * ratios as NaN.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "promtext.h"
#include "unit.h"

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

static bool has_line(const char *text, const char *line)
{
	const char *p = strstr(text, line);

	return p && (p == text || p[-1] == '\n') && p[strlen(line)] == '\n';
}

static struct prom_state *declared(void)
{
	struct prom_state *ps = prom_new();

	prom_add_tracer(ps, "faultlat", "tracepoint");
	prom_add_tracer(ps, "vmalock", "tracepoint");
	prom_add_tracer(ps, "ptmem", "tracepoint");
	prom_add_tracer(ps, "ptshare", "tracepoint");
	return ps;
}

/* before any document: every series, 2 x 3 histograms of 27 bounds + Inf, HELP per family */
static void test_declared(void)
{
	struct prom_state *ps = declared();
	size_t len;
	char *t = prom_render(ps, &len);

	CHECK(count_lines(t, "mmscope_faultlat_latency_seconds_bucket{") == 6 * (PROM_LE_N + 1),
	      "%d bucket lines", count_lines(t, "mmscope_faultlat_latency_seconds_bucket{"));
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_bucket{major=\"true\",path=\"kernel\",le=\"2.55e-07\"} 0"),
	      "first bound 255 ns");
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_bucket{major=\"false\",path=\"vma_lock\",le=\"17.179869183\"} 0"),
	      "last bound 2^34-1 ns");
	CHECK(has_line(t, "mmscope_vmalock_faults_total{path=\"mmap_lock\"} 0"), "vmalock declared");
	CHECK(has_line(t, "mmscope_ptshare_sharing_ratio NaN"), "no ratio yet: NaN");
	CHECK(has_line(t, "mmscope_build_info{version=\"dev\",commit=\"unknown\",mode=\"tracepoint\"} 1") ||
	      strstr(t, ",mode=\"tracepoint\"} 1\n"), "build_info mode");
	CHECK(count_lines(t, "# HELP ") == count_lines(t, "# TYPE "), "HELP per TYPE");
	CHECK(!strstr(t, "per_second") && !strstr(t, "p99") && !strstr(t, "latency_total"), "no derived gauges");
	free(t);
	prom_free(ps);
}

static void test_folded(void)
{
	struct prom_state *ps = declared();
	struct json_object *doc;
	size_t len;
	char *t;

	/* two faultlat intervals: rows [512,1023] and [2^40, 2^41-1] */
	for (int i = 0; i < 2; i++) {
		doc = json_tokener_parse("{\"histograms\":[{\"major\":false,\"path\":\"vma_lock\",\"hist\":"
			"{\"count\":8,\"sum\":1000000,\"buckets\":[{\"low\":512,\"high\":1023,\"count\":5},"
			"{\"low\":0,\"high\":1,\"count\":2},"
			"{\"low\":1099511627776,\"high\":2199023255551,\"count\":1}]}},"
			"{\"major\":true,\"path\":\"new_path\",\"hist\":{\"count\":1,\"sum\":300,"
			"\"buckets\":[{\"low\":256,\"high\":511,\"count\":1}]}}],\"unbracketed\":3}");
		prom_fold(ps, "faultlat", doc);
		json_object_put(doc);
	}
	doc = json_tokener_parse("{\"totals\":{\"vma_lock\":7,\"mmap_lock\":2,\"kernel\":1,\"unbracketed\":0,"
		"\"miss\":null,\"retry\":null}}");
	prom_fold(ps, "vmalock", doc);
	json_object_put(doc);
	doc = json_tokener_parse("{\"processes\":[{\"pid\":42,\"comm\":\"a\\\"b\\\\c\\nd\",\"pgtables_bytes\":16384}],"
		"\"processes_sum_bytes\":20480,\"exited_count\":2}");
	prom_fold(ps, "ptmem", doc);
	json_object_put(doc);
	doc = json_tokener_parse("{\"logical\":{\"bytes\":8192},\"sharing_ratio\":2.5,\"attributed_sharing_ratio\":null}");
	prom_fold(ps, "ptshare", doc);
	json_object_put(doc);
	prom_collected(ps, 1234.5);
	t = prom_render(ps, &len);
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_bucket{major=\"false\",path=\"vma_lock\",le=\"2.55e-07\"} 4"),
	      "[0,1] row under the first bound");
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_bucket{major=\"false\",path=\"vma_lock\",le=\"5.11e-07\"} 4"),
	      "nothing in (255, 511]");
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_bucket{major=\"false\",path=\"vma_lock\",le=\"1.023e-06\"} 14"),
	      "[512,1023] at le 1023 ns");
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_bucket{major=\"false\",path=\"vma_lock\",le=\"17.179869183\"} 14"),
	      "beyond the last bound: not counted there");
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_bucket{major=\"false\",path=\"vma_lock\",le=\"+Inf\"} 16"),
	      "+Inf = count");
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_sum{major=\"false\",path=\"vma_lock\"} 0.002"), "sum in s");
	CHECK(has_line(t, "mmscope_faultlat_latency_seconds_bucket{major=\"true\",path=\"new_path\",le=\"5.11e-07\"} 2"),
	      "an unlisted path still exported");
	CHECK(has_line(t, "mmscope_faultlat_unbracketed_faults_total 6"), "unbracketed summed");
	CHECK(has_line(t, "mmscope_vmalock_faults_total{path=\"vma_lock\"} 7"), "vmalock counter");
	CHECK(!strstr(t, "vma_lock_misses_total"), "no miss series when the mode cannot count them");
	CHECK(has_line(t, "mmscope_ptmem_process_pagetables_bytes{pid=\"42\",comm=\"a\\\"b\\\\c\\nd\"} 16384"),
	      "comm escaped");
	CHECK(has_line(t, "mmscope_ptmem_processes_pagetables_bytes 20480"), "VmPTE sum");
	CHECK(has_line(t, "mmscope_ptmem_exited_processes_total 2"), "exits");
	CHECK(has_line(t, "mmscope_ptshare_sharing_ratio 2.5"), "ratio");
	CHECK(has_line(t, "mmscope_ptshare_attributed_sharing_ratio NaN"), "null ratio: NaN");
	CHECK(has_line(t, "mmscope_collections_total 1"), "collections");
	CHECK(has_line(t, "mmscope_last_collection_timestamp_seconds 1234.500000"), "collection time");
	free(t);
	prom_free(ps);
}

int main(void)
{
	RUN(test_declared);
	RUN(test_folded);
	return unit_done("promtext");
}
