// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope export: either
 *   --json [SELECTOR...] [-o FILE]   stored runs as one JSON document, for
 *                                    `mmscope import` on another machine; or
 *   --listen [ADDR]                  live figures in the Prometheus text
 *                                    exposition format on GET /metrics.
 * The server is single-threaded HTTP/1.0 over poll(), one request per
 * connection, bounded by --duration / --max-requests when asked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "jsonout.h"
#include "outfile.h"
#include "opts.h"
#include "store.h"
#include "tracer.h"
#include "util.h"

#ifndef MMSCOPE_COMMIT
#define MMSCOPE_COMMIT "unknown"
#endif

#define DEFAULT_LISTEN "127.0.0.1:9477"

struct export_opts {
	const char *db, *out, *listen, *tracers;
	const char *listen_opt;	/* the last --listen-only option given, for --json's error */
	bool json, listen_set, allow_remote;
	double duration, interval;
	long max_requests;
};

enum { OPT_DB = 0x2400, OPT_JSON, OPT_LISTEN, OPT_TRACERS, OPT_REMOTE, OPT_DURATION,
       OPT_MAXREQ, OPT_INTERVAL };

static const struct extra_opt export_extra[] = {
	{ { "json", no_argument, NULL, OPT_JSON }, NULL,
	  "write the selected runs (default all) as one JSON document" },
	{ { "output", required_argument, NULL, 'o' }, "FILE", "with --json: write to FILE, not stdout" },
	{ { "db", required_argument, NULL, OPT_DB }, "PATH",
	  "results store (default $MMSCOPE_DB, else ~/.local/share/mmscope/results.db)" },
	{ { "listen", optional_argument, NULL, OPT_LISTEN }, "[ADDR]",
	  "serve Prometheus metrics on ADDR (default " DEFAULT_LISTEN ")" },
	{ { "tracers", required_argument, NULL, OPT_TRACERS }, "LIST",
	  "with --listen: tracers to run, comma-separated, or none (default: all built)" },
	{ { "allow-remote", no_argument, NULL, OPT_REMOTE }, NULL,
	  "with --listen: allow a non-loopback address" },
	{ { "interval", required_argument, NULL, OPT_INTERVAL }, "SECS",
	  "with --listen: collect from the tracers every SECS (default 1)" },
	{ { "duration", required_argument, NULL, OPT_DURATION }, "SECS",
	  "with --listen: stop after SECS (default: until SIGINT/SIGTERM)" },
	{ { "max-requests", required_argument, NULL, OPT_MAXREQ }, "N",
	  "with --listen: stop after answering N requests" },
	{ { NULL } }
};

static int export_parse(int key, const char *arg, void *ctx)
{
	struct export_opts *o = ctx;

	if (key == OPT_TRACERS || key == OPT_REMOTE || key == OPT_INTERVAL ||
	    key == OPT_DURATION || key == OPT_MAXREQ)
		for (const struct extra_opt *e = export_extra; e->opt.name; e++)
			if (e->opt.val == key)
				o->listen_opt = e->opt.name;
	switch (key) {
	case OPT_JSON: o->json = true; return 0;
	case 'o': o->out = arg; return 0;
	case OPT_DB: o->db = arg; return 0;
	case OPT_LISTEN: o->listen_set = true; o->listen = arg; return 0;
	case OPT_TRACERS: o->tracers = arg; return 0;
	case OPT_REMOTE: o->allow_remote = true; return 0;
	case OPT_INTERVAL:
	case OPT_DURATION: {
		double v = parse_seconds(arg);

		if (v <= 0 || (key == OPT_INTERVAL && v < 0.05)) {
			err_msg("export: --%s '%s' must be a positive time%s",
				key == OPT_INTERVAL ? "interval" : "duration", arg,
				key == OPT_INTERVAL ? " >= 50ms" : "");
			return -1;
		}
		*(key == OPT_INTERVAL ? &o->interval : &o->duration) = v;
		return 0;
	}
	case OPT_MAXREQ:
		if (parse_long(arg, 1, 1000000000, &o->max_requests) < 0) {
			err_msg("export: --max-requests '%s' must be a positive number", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* ---- --json ---------------------------------------------------------------- */

static int export_json(struct export_opts *eo, struct common_opts *o)
{
	struct store *st;
	struct json_object *doc, *runs;
	int64_t *ids = NULL;
	int n = 0, rc = 0;
	char err[1024];
	struct outfile of;

	st = store_open(eo->db, err, sizeof(err));
	if (!st) {
		err_msg("export: %s", err);
		return 2;
	}
	for (int i = 0; i < (o->nargs ? o->nargs : 1); i++) {
		int64_t *more;
		int k = store_select(st, o->nargs ? o->args[i] : "all", &more, err, sizeof(err));

		if (k < 0) {
			err_msg("export: %s", err);
			free(ids);
			store_close(st);
			return 2;
		}
		ids = realloc(ids, (n + k) * sizeof(*ids));
		memcpy(ids + n, more, k * sizeof(*ids));
		n += k;
		free(more);
	}
	doc = json_object_new_object();
	runs = json_object_new_array();
	json_object_object_add(doc, "schema", json_object_new_string(STORE_EXPORT_SCHEMA));
	json_object_object_add(doc, "exported", json_object_new_double(wall_time()));
	json_object_object_add(doc, "mmscope_commit", json_object_new_string(MMSCOPE_COMMIT));
	for (int i = 0; i < n; i++) {
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup |= ids[j] == ids[i];
		if (!dup)
			json_object_array_add(runs, store_get_run(st, ids[i]));
	}
	json_object_object_add(doc, "runs", runs);
	/* beside and renamed, checked: a failed export leaves no partial file */
	if (outfile_open(&of, eo->out, err, sizeof(err)) < 0) {
		err_msg("export: %s", err);
		rc = 2;
		goto out;
	}
	fprintf(of.f, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
	if (outfile_close(&of, err, sizeof(err)) < 0) {
		err_msg("export: %s", err);
		rc = 2;
	} else if (eo->out) {
		fprintf(stderr, "mmscope: export: %zu run%s written to %s\n",
			json_object_array_length(runs),
			json_object_array_length(runs) == 1 ? "" : "s", eo->out);
	}
out:
	json_object_put(doc);
	free(ids);
	store_close(st);
	return rc;
}

/* ---- --listen: accumulated Prometheus series ------------------------------- */

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
};

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
static void fold_doc(struct prom_state *ps, const char *tool, struct json_object *doc)
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
static char *render(struct prom_state *ps, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	long long pt = meminfo_kb("PageTables");
	unsigned long long pgfault;

	fprintf(f, "# HELP mmscope_up 1 while the exporter runs.\n# TYPE mmscope_up gauge\nmmscope_up 1\n");
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

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len, bool *loopback)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!colon) {		/* bare port */
		snprintf(host, sizeof(host), "127.0.0.1");
		colon = s - 1;
	} else {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	}
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	if (!*host || !strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		memset(a, 0, sizeof(*a));
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -1;
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		memset(a, 0, sizeof(*a));
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
		*len = sizeof(*a);
	}
	return 0;
}

/* Read one request (bounded: 2 s, 8 KiB) and answer it. */
static void serve_one(int fd, struct prom_state *ps)
{
	char req[8192] = "", method[16] = "", path[256] = "";
	size_t got = 0;
	double end = now_ns() / 1e9 + 2;
	char *body = NULL, head[256];
	size_t blen = 0;
	int code = 200;
	const char *type = "text/plain; version=0.0.4; charset=utf-8", *reason = "OK";

	while (got < sizeof(req) - 1 && !strstr(req, "\r\n\r\n") && !strstr(req, "\n\n")) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left = (int)((end - now_ns() / 1e9) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = read(fd, req + got, sizeof(req) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		req[got] = '\0';
	}
	req[got] = '\0';
	if (sscanf(req, "%15s %255s", method, path) != 2) {
		code = 400, reason = "Bad Request";
		body = strdup("bad request\n");
	} else if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		code = 405, reason = "Method Not Allowed";
		body = strdup("only GET\n");
	} else if (!strcmp(path, "/metrics") || !strncmp(path, "/metrics?", 9)) {
		body = render(ps, &blen);
	} else if (!strcmp(path, "/")) {
		body = strdup("mmscope exporter: metrics at /metrics\n");
	} else {
		code = 404, reason = "Not Found";
		body = strdup("not found; metrics are at /metrics\n");
	}
	if (!blen)
		blen = strlen(body);
	snprintf(head, sizeof(head), "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n", code, reason, type, blen);
	if (write(fd, head, strlen(head)) > 0 && strcmp(method, "HEAD"))
		for (size_t off = 0; off < blen;) {
			ssize_t n = write(fd, body + off, blen - off);

			if (n <= 0)
				break;
			off += n;
		}
	free(body);
}

struct live_tracer {
	const struct tracer *t;
	void *st;
};

static int export_listen(struct export_opts *eo)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	bool loopback;
	struct live_tracer lt[8];
	int nlt = 0, fd, one = 1, rc = 0;
	long served = 0;
	struct prom_state ps = { 0 };
	struct common_opts co = { .interval = eo->interval, .mode = MODE_AUTO };
	struct sigaction sa = { .sa_handler = on_stop };
	const char *addr = eo->listen ? eo->listen : DEFAULT_LISTEN;
	double start = now_ns() / 1e9, last = start;

	if (parse_addr(addr, &ss, &slen, &loopback) < 0) {
		err_msg("export: --listen '%s' is not HOST:PORT (IPv4, [IPv6] or localhost)", addr);
		return 2;
	}
	if (!loopback && !eo->allow_remote) {
		err_msg("export: refusing to listen on non-loopback '%s' without --allow-remote", addr);
		return 2;
	}
	/* tracers: the listed ones, or every one built in */
	if (!eo->tracers || strcmp(eo->tracers, "none")) {
		const struct tracer *const *all = tracer_list();
		char *list = eo->tracers ? strdup(eo->tracers) : NULL, *save = NULL;

		if (list) {
			for (char *n = strtok_r(list, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
				const struct tracer *t = tracer_find(n);

				if (!t) {
					err_msg("export: unknown or unbuilt tracer '%s'", n);
					free(list);
					return 2;
				}
				if (nlt < 8)
					lt[nlt++].t = t;
			}
			free(list);
		} else {
			for (int i = 0; all && all[i] && nlt < 8; i++)
				lt[nlt++].t = all[i];
		}
	}
	if (nlt && (require_bpf_privileges("export") < 0 || require_btf("export") < 0))
		return 2;
	tracer_libbpf_setup(false);
	for (int i = 0; i < nlt; i++) {
		enum attach_mode m = MODE_AUTO;

		lt[i].st = lt[i].t->start(&co, &m);
		if (!lt[i].st) {
			for (int j = 0; j < i; j++)
				lt[j].t->stop(lt[j].st);
			return 2;
		}
	}

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, slen) || listen(fd, 16)) {
		err_msg("export: cannot listen on %s: %s", addr, strerror(errno));
		rc = 2;
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	{
		/* say the real port (ADDR may ask for port 0: any free port) */
		struct sockaddr_storage got;
		socklen_t gl = sizeof(got);
		char host[INET6_ADDRSTRLEN] = "?";
		int port = 0;

		getsockname(fd, (struct sockaddr *)&got, &gl);
		if (got.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&got)->sin6_addr, host, sizeof(host));
			port = ntohs(((struct sockaddr_in6 *)&got)->sin6_port);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&got)->sin_addr, host, sizeof(host));
			port = ntohs(((struct sockaddr_in *)&got)->sin_port);
		}
		fprintf(stderr, "mmscope: export: serving http://%s%s%s:%d/metrics (%d tracer%s)\n",
			got.ss_family == AF_INET6 ? "[" : "", host, got.ss_family == AF_INET6 ? "]" : "",
			port, nlt, nlt == 1 ? "" : "s");
	}
	while (!stop_sig) {
		double now = now_ns() / 1e9;
		struct pollfd p = { fd, POLLIN, 0 };
		int wait_ms;

		if (eo->duration && now - start >= eo->duration)
			break;
		if (eo->max_requests && served >= eo->max_requests)
			break;
		if (now - last >= eo->interval) {
			for (int i = 0; i < nlt; i++) {
				struct json_object *doc = doc_new(lt[i].t->name, "interval", "live");

				if (lt[i].t->collect(lt[i].st, now - last, false, doc) == 0)
					fold_doc(&ps, lt[i].t->name, doc);
				json_object_put(doc);
			}
			last = now;
		}
		wait_ms = (int)((last + eo->interval - now) * 1000) + 1;
		if (eo->duration && (start + eo->duration - now) * 1000 < wait_ms)
			wait_ms = (int)((start + eo->duration - now) * 1000) + 1;
		if (poll(&p, 1, wait_ms > 0 ? wait_ms : 1) > 0) {
			int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0) {
				fcntl(c, F_SETFL, fcntl(c, F_GETFL) & ~O_NONBLOCK);
				serve_one(c, &ps);
				close(c);
				served++;
			}
		}
	}
	fprintf(stderr, "mmscope: export: stopped after %ld request%s\n", served, served == 1 ? "" : "s");
out:
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < nlt; i++)
		lt[i].t->stop(lt[i].st);
	free(ps.sc);
	free(ps.h);
	return rc;
}

int cmd_export(int argc, char **argv)
{
	struct export_opts eo = { .interval = 1 };
	struct cmd_desc desc = {
		.name = "export",
		.summary = "Export stored runs as JSON, or serve live figures to Prometheus.",
		.details = "mmscope export --json [SELECTOR...] [-o FILE]   runs for mmscope import\n"
			   "mmscope export --listen [ADDR] [--tracers LIST]  Prometheus text format on\n"
			   "    GET /metrics: tracer *_count metrics as counters (NAME_total), other\n"
			   "    metrics as gauges, histograms as _bucket{le}/_sum/_count, and\n"
			   "    mmscope_pagetables_bytes / mmscope_vmstat_pgfault_total from /proc.\n"
			   "    Loopback only unless --allow-remote. See docs/dashboard.md.",
		.extra = export_extra, .parse_extra = export_parse, .ctx = &eo,
		.no_common = true, .min_args = 0, .max_args = 8, .args_usage = "[SELECTOR...]",
	};
	struct common_opts o;
	int rc = opts_parse(argc, argv, &desc, &o);

	if (rc)
		return rc > 0 ? 0 : 2;
	if (eo.json == eo.listen_set) {
		err_msg("export: give exactly one of --json or --listen (see --help)");
		return 2;
	}
	if (eo.listen_set) {
		/* `--listen ADDR` with a space arrives as a positional argument */
		if (!eo.listen && o.nargs == 1 && strchr(o.args[0], ':'))
			eo.listen = o.args[0];
		else if (o.nargs) {
			err_msg("export: --listen takes no run selectors");
			return 2;
		}
		if (eo.out) {
			err_msg("export: --output goes with --json, not --listen");
			return 2;
		}
		return export_listen(&eo);
	}
	if (eo.listen_opt) {	/* would be ignored: say so rather than do less than asked */
		err_msg("export: --%s goes with --listen, not --json", eo.listen_opt);
		return 2;
	}
	if (eo.out && !*eo.out) {
		err_msg("export: --output needs a file name");
		return 2;
	}
	return export_json(&eo, &o);
}
