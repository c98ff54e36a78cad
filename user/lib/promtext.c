// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition of the tracers' interval documents: fold
 * each document into cumulative series, render them on demand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promtext.h"
#include "util.h"

struct prom_hist {
	char name[128], labels[256];
	double le[64];
	unsigned long long counts[64];
	int nb;
	double sum;
	unsigned long long count;
};

struct prom_scalar {
	char name[160];
	double value;
	bool counter;
};

struct prom_state {
	struct prom_scalar *sc;
	int nsc;
	struct prom_hist *h;
	int nh;
	unsigned long long collections;
	double last_collection;
};

struct prom_state *prom_new(void)
{
	return calloc(1, sizeof(struct prom_state));
}

void prom_collected(struct prom_state *ps, double when)
{
	ps->collections++;
	ps->last_collection = when;
}

void prom_free(struct prom_state *ps)
{
	if (!ps)
		return;
	free(ps->sc);
	free(ps->h);
	free(ps);
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			*s = '_';
}

static struct prom_scalar *scalar(struct prom_state *ps, const char *name, bool counter)
{
	for (int i = 0; i < ps->nsc; i++)
		if (!strcmp(ps->sc[i].name, name))
			return &ps->sc[i];
	ps->sc = realloc(ps->sc, (ps->nsc + 1) * sizeof(*ps->sc));
	memset(&ps->sc[ps->nsc], 0, sizeof(ps->sc[0]));
	snprintf(ps->sc[ps->nsc].name, sizeof(ps->sc[0].name), "%s", name);
	ps->sc[ps->nsc].counter = counter;
	return &ps->sc[ps->nsc++];
}

static bool is_hist(struct json_object *o)
{
	struct json_object *b;

	return o && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, "buckets", &b) && json_object_is_type(b, json_type_array);
}

/* Add an interval histogram's buckets to the running cumulative series. */
static void hist_add(struct prom_state *ps, const char *name, const char *labels,
		     struct json_object *h, double scale)
{
	struct prom_hist *p = NULL;
	struct json_object *b, *v;

	for (int i = 0; i < ps->nh; i++)
		if (!strcmp(ps->h[i].name, name) && !strcmp(ps->h[i].labels, labels))
			p = &ps->h[i];
	if (!p) {
		ps->h = realloc(ps->h, (ps->nh + 1) * sizeof(*ps->h));
		p = &ps->h[ps->nh++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", name);
		snprintf(p->labels, sizeof(p->labels), "%s", labels);
	}
	json_object_object_get_ex(h, "buckets", &b);
	for (size_t i = 0; i < json_object_array_length(b); i++) {
		struct json_object *e = json_object_array_get_idx(b, i);
		double high;
		int k;

		if (!json_object_object_get_ex(e, "high", &v))
			continue;
		high = json_object_get_double(v) * scale;
		for (k = 0; k < p->nb && p->le[k] != high; k++)
			;
		if (k == p->nb) {
			if (p->nb == 64)
				continue;
			/* keep bounds sorted */
			for (k = p->nb; k > 0 && p->le[k - 1] > high; k--) {
				p->le[k] = p->le[k - 1];
				p->counts[k] = p->counts[k - 1];
			}
			p->le[k] = high;
			p->counts[k] = 0;
			p->nb++;
		}
		if (json_object_object_get_ex(e, "count", &v))
			p->counts[k] += (unsigned long long)json_object_get_int64(v);
	}
	if (json_object_object_get_ex(h, "sum", &v))
		p->sum += json_object_get_double(v) * scale;
	if (json_object_object_get_ex(h, "count", &v))
		p->count += (unsigned long long)json_object_get_int64(v);
}

/*
 * Fold one interval document of tracer `tool` into the series:
 *   metrics *_count    -> counter mmscope_TOOL_NAME_total (summed over intervals)
 *   other metrics      -> gauge mmscope_TOOL_NAME (latest interval)
 *   histogram members  -> histogram mmscope_TOOL_MEMBER, and arrays of
 *                         {..., "hist": {...}} as labelled histograms.
 */
void prom_fold(struct prom_state *ps, const char *tool, struct json_object *doc)
{
	struct json_object *metrics;
	char name[160];

	if (json_object_object_get_ex(doc, "metrics", &metrics)) {
		json_object_object_foreach(metrics, k, v) {
			size_t l = strlen(k);
			bool counter = l > 6 && !strcmp(k + l - 6, "_count");

			if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
				continue;
			double scale = 1;

			if (counter)
				snprintf(name, sizeof(name), "mmscope_%s_%.*s_total", tool, (int)(l - 6), k);
			else if (l > 3 && !strcmp(k + l - 3, "_ns")) {
				/* Prometheus wants base units: nanoseconds become seconds */
				snprintf(name, sizeof(name), "mmscope_%s_%.*s_seconds", tool, (int)(l - 3), k);
				scale = 1e-9;
			} else if (l > 6 && !strcmp(k + l - 6, "_per_s")) {
				snprintf(name, sizeof(name), "mmscope_%s_%.*s_per_second", tool, (int)(l - 6), k);
			} else {
				snprintf(name, sizeof(name), "mmscope_%s_%s", tool, k);
			}
			sanitize(name);
			if (counter)
				scalar(ps, name, true)->value += json_object_get_double(v);
			else
				scalar(ps, name, false)->value = json_object_get_double(v) * scale;
		}
	}
	json_object_object_foreach(doc, key, val) {
		double scale = 1;

		/* faultlat's histograms are latencies in ns: export them in seconds */
		if (!strcmp(tool, "faultlat") && !strcmp(key, "all")) {
			snprintf(name, sizeof(name), "mmscope_faultlat_latency_seconds");
			scale = 1e-9;
		} else if (!strcmp(tool, "faultlat") && !strcmp(key, "histograms")) {
			snprintf(name, sizeof(name), "mmscope_faultlat_latency_by_path_seconds");
			scale = 1e-9;
		} else {
			snprintf(name, sizeof(name), "mmscope_%s_%s", tool, key);
		}
		sanitize(name);
		if (is_hist(val)) {
			hist_add(ps, name, "", val, scale);
			continue;
		}
		if (!json_object_is_type(val, json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(val); i++) {
			struct json_object *e = json_object_array_get_idx(val, i), *h;
			char labels[256] = "";
			size_t o = 0;

			if (!json_object_is_type(e, json_type_object) ||
			    !json_object_object_get_ex(e, "hist", &h) || !is_hist(h))
				continue;
			json_object_object_foreach(e, lk, lv) {
				char lab[64];

				if (!json_object_is_type(lv, json_type_string) &&
				    !json_object_is_type(lv, json_type_boolean))
					continue;
				snprintf(lab, sizeof(lab), "%s", lk);
				sanitize(lab);
				o += snprintf(labels + o, sizeof(labels) - o, "%s%s=\"%s\"", o ? "," : "",
					      lab, json_object_get_string(lv));
				if (o >= sizeof(labels))
					break;
			}
			hist_add(ps, name, labels, h, scale);
		}
	}
}

static int hist_cmp(const void *a, const void *b)
{
	const struct prom_hist *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->labels, y->labels);
}

static void emit_le(char *buf, size_t len, double le)
{
	snprintf(buf, len, "%.9g", le);
}

/* The exposition text of everything collected so far, plus the /proc gauges. */
char *prom_render(struct prom_state *ps, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	long long pt = meminfo_kb("PageTables");
	unsigned long long pgfault;

	fprintf(f, "# HELP mmscope_up 1 while the exporter runs.\n# TYPE mmscope_up gauge\nmmscope_up 1\n");
	fprintf(f, "# HELP mmscope_collections_total Times the exporter drained its tracers.\n"
		   "# TYPE mmscope_collections_total counter\nmmscope_collections_total %llu\n",
		ps->collections);
	fprintf(f, "# HELP mmscope_last_collection_timestamp_seconds Unix time the tracers were last drained.\n"
		   "# TYPE mmscope_last_collection_timestamp_seconds gauge\n"
		   "mmscope_last_collection_timestamp_seconds %.6f\n", ps->last_collection);
	if (pt >= 0)
		fprintf(f, "# HELP mmscope_pagetables_bytes Page-table memory, /proc/meminfo PageTables.\n"
			   "# TYPE mmscope_pagetables_bytes gauge\nmmscope_pagetables_bytes %lld\n", pt * 1024);
	if (!vmstat_read("pgfault", &pgfault))
		fprintf(f, "# HELP mmscope_vmstat_pgfault_total Page faults since boot, /proc/vmstat pgfault.\n"
			   "# TYPE mmscope_vmstat_pgfault_total counter\nmmscope_vmstat_pgfault_total %llu\n",
			pgfault);
	for (int i = 0; i < ps->nsc; i++) {
		struct prom_scalar *s = &ps->sc[i];

		fprintf(f, "# HELP %s mmscope tracer metric (docs/dashboard.md).\n# TYPE %s %s\n%s %.17g\n",
			s->name, s->name, s->counter ? "counter" : "gauge", s->name, s->value);
	}
	/* a family's series must be adjacent, under one HELP/TYPE */
	qsort(ps->h, ps->nh, sizeof(*ps->h), hist_cmp);
	for (int i = 0; i < ps->nh; i++) {
		struct prom_hist *h = &ps->h[i];
		unsigned long long cum = 0;
		char le[64];
		const char *sep = h->labels[0] ? "," : "";

		/* HELP/TYPE once per family: labelled series of one name are adjacent */
		if (i == 0 || strcmp(ps->h[i - 1].name, h->name))
			fprintf(f, "# HELP %s mmscope tracer histogram (docs/dashboard.md).\n# TYPE %s histogram\n",
				h->name, h->name);
		for (int b = 0; b < h->nb; b++) {
			cum += h->counts[b];
			emit_le(le, sizeof(le), h->le[b]);
			fprintf(f, "%s_bucket{%s%sle=\"%s\"} %llu\n", h->name, h->labels, sep, le, cum);
		}
		fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", h->name, h->labels, sep, h->count);
		fprintf(f, "%s_sum%s%s%s %.17g\n", h->name, h->labels[0] ? "{" : "", h->labels,
			h->labels[0] ? "}" : "", h->sum);
		fprintf(f, "%s_count%s%s%s %llu\n", h->name, h->labels[0] ? "{" : "", h->labels,
			h->labels[0] ? "}" : "", h->count);
	}
	fclose(f);
	return text;
}
