// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope export: either
 *   --json [SELECTOR...] [-o FILE]   stored runs as one JSON document, for
 *                                    `mmscope import` on another machine; or
 *   --listen [ADDR]                  live figures in the Prometheus text
 *                                    exposition format on GET /metrics.
 * This file is the command: its options, and for --listen the tracers'
 * lifecycle and collection loop. The JSON export is user/export_json.c, the
 * Prometheus text user/lib/promtext.c, the HTTP server user/lib/httpd.c.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "export.h"
#include "httpd.h"
#include "jsonout.h"
#include "opts.h"
#include "promtext.h"
#include "store.h"
#include "tracers.h"
#include "util.h"

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
	{ { "db", required_argument, NULL, OPT_DB }, STORE_DB_ARG, STORE_DB_HELP },
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

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

/* The series, shared by the collection loop and the server thread. */
struct live_series {
	pthread_mutex_t lock;
	struct prom_state *ps;
};

/* Called from the server thread: render under the lock (microseconds). */
static char *metrics_text(void *ctx, size_t *len)
{
	struct live_series *ls = ctx;
	char *text;

	pthread_mutex_lock(&ls->lock);
	text = prom_render(ls->ps, len);
	pthread_mutex_unlock(&ls->lock);
	return text;
}

/* Drain every tracer once and fold its document into the series. */
static void collect_all(struct tracer_set *ts, double secs, struct live_series *ls)
{
	for (int i = 0; i < ts->n; i++) {
		struct json_object *doc = doc_new(ts->t[i]->name, "interval", "live");

		/* the tracer's own work (map reads) outside the lock */
		if (ts->t[i]->collect(ts->st[i], secs, false, doc) == 0) {
			pthread_mutex_lock(&ls->lock);
			prom_fold(ls->ps, ts->t[i]->name, doc);
			pthread_mutex_unlock(&ls->lock);
		}
		json_object_put(doc);
	}
	pthread_mutex_lock(&ls->lock);
	prom_collected(ls->ps, wall_time());
	pthread_mutex_unlock(&ls->lock);
}

static int export_listen(struct export_opts *eo)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	bool loopback;
	struct tracer_set ts = { 0 };
	int rc = 0;
	long served;
	struct live_series ls = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct httpd *srv;
	struct common_opts co = { .interval = eo->interval, .mode = MODE_AUTO };
	struct sigaction sa = { .sa_handler = on_stop };
	const char *addr = eo->listen ? eo->listen : DEFAULT_LISTEN;
	double start, last, next;
	char err[256];

	if (httpd_parse_addr(addr, &ss, &slen, &loopback) < 0) {
		err_msg("export: --listen '%s' is not HOST:PORT (IPv4, [IPv6] or localhost)", addr);
		return 2;
	}
	if (!loopback && !eo->allow_remote) {
		err_msg("export: refusing to listen on non-loopback '%s' without --allow-remote", addr);
		return 2;
	}
	/* tracers: the listed ones, none, or every one */
	if ((!eo->tracers || strcmp(eo->tracers, "none")) &&
	    tracer_set_parse(&ts, "export", eo->tracers))
		return 2;
	if (ts.n && (require_bpf_privileges("export") < 0 || require_btf("export") < 0))
		return 2;
	tracer_libbpf_setup(false);
	if (tracer_set_start(&ts, &co))
		return 2;
	ls.ps = prom_new();
	for (int i = 0; i < ts.n; i++)
		prom_add_tracer(ls.ps, ts.t[i]->name, mode_name(ts.mode[i]));
	/*
	 * One collection before serving: the first scrape then has every
	 * series in the shape the tracers' modes give it (e.g. vmalock's lock
	 * misses only where they are counted), none appearing later.
	 */
	start = last = now_ns() / 1e9;
	collect_all(&ts, 0, &ls);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv = httpd_start(&ss, slen, metrics_text, &ls, eo->max_requests, err, sizeof(err));
	if (!srv) {
		err_msg("export: cannot listen on %s: %s", addr, err);
		rc = 2;
		goto out;
	}
	/* the real port: ADDR may ask for port 0 (any free port) */
	fprintf(stderr, "mmscope: export: serving http://%s/metrics (%d tracer%s)\n",
		httpd_bound(srv), ts.n, ts.n == 1 ? "" : "s");
	/*
	 * The collection schedule: every --interval from the start, whatever
	 * the clients do (they are the server thread's business). Waits on
	 * the server's done pipe so --max-requests ends it at once; signals
	 * interrupt the poll.
	 */
	next = start + eo->interval;
	while (!stop_sig) {
		double now = now_ns() / 1e9, until = next;
		struct pollfd p = { httpd_done_fd(srv), POLLIN, 0 };

		if (eo->duration && now - start >= eo->duration)
			break;
		if (now >= next) {
			collect_all(&ts, now - last, &ls);
			last = now;
			next += eo->interval;
			if (next <= now)	/* a collection overran: skip, do not bunch */
				next = now + eo->interval;
			continue;
		}
		if (eo->duration && start + eo->duration < until)
			until = start + eo->duration;
		if (poll(&p, 1, (int)((until - now) * 1000) + 1) > 0)
			break;
	}
	served = httpd_served(srv);
	httpd_stop(srv);
	fprintf(stderr, "mmscope: export: stopped after %ld request%s\n", served, served == 1 ? "" : "s");
out:
	tracer_set_stop(&ts);
	prom_free(ls.ps);
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
			   "    GET /metrics: the tracers' counts as counters, faultlat's latencies as\n"
			   "    histograms (one fixed le set), PageTables and pgfault from /proc,\n"
			   "    mmscope_build_info. Loopback only unless --allow-remote. Metric list\n"
			   "    and the Grafana dashboard: docs/prometheus.md.",
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
	return export_runs_json(eo.db, eo.out, o.nargs, o.args);
}
