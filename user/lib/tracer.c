// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "jsonout.h"
#include "loop.h"
#include "ready.h"
#include "tracer.h"
#include "util.h"

static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	if (!libbpf_verbose)	/* warnings are followed by our own one-line error */
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void tracer_libbpf_setup(bool verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}

struct run_ctx {
	const struct tracer *t;
	const struct common_opts *o;
	enum attach_mode mode;
	void *st;
};

static int tick(void *p, double interval_s, bool final)
{
	struct run_ctx *c = p;
	struct json_object *doc;

	doc = doc_new(c->t->name, final ? "summary" : "interval", mode_name(c->mode));
	json_object_object_add(doc, "interval_s", json_object_new_double(interval_s));
	if (final)
		doc_add_host(doc);
	if (c->t->collect(c->st, interval_s, final, doc) < 0) {
		json_object_put(doc);
		return -1;
	}
	/* one document at a time: faultlat --events prints from a thread */
	flockfile(stdout);
	if (c->o->json) {
		doc_emit(doc);
		funlockfile(stdout);
		return 0;
	}
	if (c->o->timestamp) {
		char ts[16];
		time_t now = time(NULL);

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
		printf("%s\n", ts);
	}
	c->t->print(c->st, doc, final, stdout);
	fflush(stdout);
	funlockfile(stdout);
	json_object_put(doc);
	return 0;
}

int tracer_main(const struct tracer *t, int argc, char **argv)
{
	struct common_opts o;
	struct run_ctx c = { .t = t, .o = &o };
	int err;

	t->desc->interval_args = true;
	err = opts_parse(argc, argv, t->desc, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (require_bpf_privileges(t->name) || require_btf(t->name))
		return 1;
	tracer_libbpf_setup(o.verbose);
	loop_install_signals();
	c.st = t->start(&o, &c.mode);
	if (!c.st)
		return 1;
	/* the starter (mmscope run, bench/overhead) may go on */
	ready_signal(mode_name(c.mode));
	if (!o.json)
		fprintf(stderr, "mmscope %s: tracing in %s mode%s... Ctrl-C to stop\n",
			t->name, mode_name(c.mode),
			o.duration > 0 ? " for the given duration" : "");
	err = loop_run(&o, tick, &c);
	t->stop(c.st);
	return err < 0 ? 1 : 0;
}
