// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope top: every tracer at once, refreshed each interval. Each tracer
 * fills its own sub-document; the top document nests them under "tracers"
 * and merges their metrics as "TRACER.NAME" so one line carries everything.
 */
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "jsonout.h"
#include "loop.h"
#include "tracer.h"
#include "util.h"

#define MAX_TRACERS 8

struct top_ctx {
	const struct common_opts *o;
	int n;
	const struct tracer *t[MAX_TRACERS];
	void *st[MAX_TRACERS];
	enum attach_mode mode[MAX_TRACERS];
	bool tty;
};

static char tracer_names[256];

static int parse(int key, const char *arg, void *ctx)
{
	if (key != 't')
		return -1;
	if (strlen(arg) >= sizeof(tracer_names)) {
		err_msg("top: --tracers list too long");
		return -1;
	}
	if (!arg[0]) {	/* "" is not "all": say so, as for a bad name */
		err_msg("top: --tracers needs at least one tracer name");
		return -1;
	}
	strcpy(tracer_names, arg);
	return 0;
}

static struct cmd_desc desc = {
	.interval_args = true,
	.name = "top",
	.summary = "All tracers at once (vmalock, faultlat, ptmem, ptshare), refreshed every\n"
		   "interval like top. The final summary is printed on Ctrl-C or --duration.",
	.extra = (const struct extra_opt[]) {
		{ { "tracers", required_argument, NULL, 't' }, "LIST",
		  "comma-separated subset, e.g. vmalock,ptmem (default: all built in)" },
		{ { NULL } },
	},
	.parse_extra = parse,
};

static int select_tracers(struct top_ctx *c)
{
	char buf[256], *tok, *save;

	if (!tracer_names[0]) {
		for (const struct tracer *const *t = tracer_list(); *t; t++)
			c->t[c->n++] = *t;
		if (!c->n) {
			err_msg("top: no tracers are built into this mmscope");
			return -1;
		}
		return 0;
	}
	strcpy(buf, tracer_names);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct tracer *t = tracer_find(tok);

		if (!t) {
			err_msg("top: unknown tracer '%s' (see mmscope --help)", tok);
			return -1;
		}
		for (int i = 0; i < c->n; i++)
			if (c->t[i] == t) {
				err_msg("top: tracer '%s' named twice in --tracers", tok);
				return -1;
			}
		if (c->n == MAX_TRACERS) {
			err_msg("top: too many tracers");
			return -1;
		}
		c->t[c->n++] = t;
	}
	return 0;
}

static void merge_metrics(struct json_object *top, const char *prefix,
			  struct json_object *sub)
{
	struct json_object *m;

	if (!json_object_object_get_ex(sub, "metrics", &m))
		return;
	json_object_object_foreach(m, k, v) {
		char key[160];

		snprintf(key, sizeof(key), "%s.%s", prefix, k);
		doc_metric(top, key, json_object_get_double(v));
	}
}

static int tick(void *p, double interval_s, bool final)
{
	struct top_ctx *c = p;
	struct json_object *doc = doc_new("top", final ? "summary" : "interval", NULL);
	struct json_object *subs = json_object_new_object();

	json_object_object_add(doc, "interval_s", json_object_new_double(interval_s));
	if (final)
		doc_add_host(doc);
	json_object_object_add(doc, "tracers", subs);
	for (int i = 0; i < c->n; i++) {
		struct json_object *sub = doc_new(c->t[i]->name,
						  final ? "summary" : "interval",
						  mode_name(c->mode[i]));

		json_object_object_add(sub, "interval_s", json_object_new_double(interval_s));
		if (c->t[i]->collect(c->st[i], interval_s, final, sub) < 0) {
			json_object_put(sub);
			json_object_put(doc);
			return -1;
		}
		merge_metrics(doc, c->t[i]->name, sub);
		json_object_object_add(subs, c->t[i]->name, sub);
	}
	if (c->o->json) {
		doc_emit(doc);
		return 0;
	}
	if (c->tty && !final)
		fputs("\033[H\033[2J", stdout);
	printf("mmscope top - %s - interval %.2fs%s\n", final ? "summary" : "live",
	       interval_s, final ? " (whole run)" : "");
	for (int i = 0; i < c->n; i++) {
		struct json_object *sub;

		json_object_object_get_ex(subs, c->t[i]->name, &sub);
		printf("\n== %s (%s mode) ==\n", c->t[i]->name, mode_name(c->mode[i]));
		c->t[i]->print(c->st[i], sub, final, stdout);
	}
	fflush(stdout);
	json_object_put(doc);
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct common_opts o;
	struct top_ctx c = { .o = &o };
	int err, i;

	err = opts_parse(argc, argv, &desc, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (select_tracers(&c))
		return 2;
	if (require_bpf_privileges("top") || require_btf("top"))
		return 1;
	tracer_libbpf_setup(o.verbose);
	loop_install_signals();
	for (i = 0; i < c.n; i++) {
		c.st[i] = c.t[i]->start(&o, &c.mode[i]);
		if (!c.st[i])
			break;
	}
	if (i < c.n) {
		while (i-- > 0)
			c.t[i]->stop(c.st[i]);
		return 1;
	}
	c.tty = isatty(STDOUT_FILENO);
	if (!o.json)
		fprintf(stderr, "mmscope top: tracing with %d tracers... Ctrl-C to stop\n", c.n);
	err = loop_run(&o, tick, &c);
	for (i = 0; i < c.n; i++)
		c.t[i]->stop(c.st[i]);
	return err < 0 ? 1 : 0;
}
