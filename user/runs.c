// SPDX-License-Identifier: GPL-2.0
/* mmscope runs [SELECTOR...]: list the runs in the results store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "headline.h"
#include "opts.h"
#include "outfile.h"
#include "store.h"
#include "util.h"

struct runs_opts {
	const char *db;
	bool json, headline;
};

enum { OPT_DB = 0x2200, OPT_JSON, OPT_HEADLINE };

static const struct extra_opt runs_extra[] = {
	{ { "db", required_argument, NULL, OPT_DB }, STORE_DB_ARG, STORE_DB_HELP },
	{ { "json", no_argument, NULL, OPT_JSON }, NULL, "one JSON array of runs instead of the table" },
	{ { "headline", no_argument, NULL, OPT_HEADLINE }, NULL,
	  "the SGA answer of the newest selected sga-bench run: page-table bytes "
	  "per process per GiB per mode, saving vs shmem, the 300 GiB x 1500 Oracle case" },
	{ { NULL } }
};

static int runs_parse(int key, const char *arg, void *ctx)
{
	struct runs_opts *o = ctx;

	if (key == OPT_DB)
		o->db = arg;
	else if (key == OPT_JSON)
		o->json = true;
	else if (key == OPT_HEADLINE)
		o->headline = true;
	else
		return -1;
	return 0;
}

static const char *str(struct json_object *r, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(r, k, &v) && v ? json_object_get_string(v) : "";
}

/* one row of the table, also its header: id .. host (width given) .. commit */
#define RUNS_ROW "%5s  %-16s  %-22s  %-12s  %-*s  %-26s  %7s  %-10s  %7s  %s\n"

/*
 * The host column as wide as the longest host name listed (a lab of a few
 * machines; most stores have one), up to a limit past which a name only
 * pushes its row's later columns right.
 */
static int host_width(struct json_object *rows)
{
	int w = 4;	/* "host" */

	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		int n = strlen(str(json_object_array_get_idx(rows, i), "hostname"));

		if (n > w)
			w = n < 24 ? n : 24;
	}
	return w;
}

int cmd_runs(int argc, char **argv)
{
	struct runs_opts ro = { 0 };
	struct cmd_desc desc = {
		.name = "runs",
		.summary = "List the runs in the results store (all, or those the selectors match).",
		.details = "SELECTOR: an id (17), ids (17,18), tag:T, kernel:RELEASE, scenario:NAME,\n"
			   "host:NAME, latest, all, or a bare word tried as a tag, a kernel release,\n"
			   "a scenario.\n"
			   "The host column: the host that recorded the run (- when unknown).\n"
			   "The status column: complete; partial (the run failed, timed out or was\n"
			   "interrupted: what finished is kept, compare leaves it out unless\n"
			   "--include-partial; --json has the reason); unfinished (still running, or\n"
			   "its recorder was killed). The store is opened read-only.",
		.extra = runs_extra, .parse_extra = runs_parse, .ctx = &ro,
		.no_common = true, .min_args = 0, .max_args = 8, .args_usage = "[SELECTOR...]",
	};
	struct common_opts o;
	struct store *st;
	struct json_object *rows;
	int64_t *ids = NULL;
	int n = 0, rc;
	char err[1024];
	struct outfile of;

	rc = opts_parse(argc, argv, &desc, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	st = store_open_readonly(ro.db, err, sizeof(err));
	if (!st) {
		err_msg("runs: %s", err);
		return 2;
	}
	for (int i = 0; i < (o.nargs ? o.nargs : 1); i++) {
		int64_t *more;
		int k = store_select(st, o.nargs ? o.args[i] : "all", &more, err, sizeof(err));

		if (k < 0 && !o.nargs) {	/* an empty store is not an error */
			k = 0;
			more = NULL;
		} else if (k < 0) {
			err_msg("runs: %s", err);
			free(ids);
			store_close(st);
			return 2;
		}
		ids = realloc(ids, (n + k + 1) * sizeof(*ids));
		memcpy(ids + n, more, k * sizeof(*ids));
		n += k;
		free(more);
	}
	if (ro.headline) {
		int64_t run = headline_pick_run(st, ids, o.nargs ? n : 0);
		struct json_object *h = headline_build(st, run), *lines;

		if (!h) {
			err_msg("runs: no sga-bench figures in %s%s%s", o.nargs ? "the selected runs of " : "",
				store_path(st), "");
			free(ids);
			store_close(st);
			return 1;
		}
		if (ro.json) {
			printf("%s\n", json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
		} else {
			json_object_object_get_ex(h, "lines", &lines);
			for (size_t i = 0; i < json_object_array_length(lines); i++)
				printf("%s\n", json_object_get_string(json_object_array_get_idx(lines, i)));
		}
		json_object_put(h);
		free(ids);
		store_close(st);
		return 0;
	}
	rows = store_list(st, ids, n);
	outfile_open(&of, NULL, err, sizeof(err));	/* standard output: cannot fail */
	if (ro.json) {
		printf("%s\n", json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PLAIN));
	} else if (!json_object_array_length(rows)) {
		printf("no runs in %s (record one with mmscope run SCENARIO)\n", store_path(st));
	} else {
		int hw = host_width(rows);

		printf(RUNS_ROW, "id", "started",
		       "scenario", "tag", hw, "host", "kernel", "repeats", "status", "metrics", "mmscope");
		for (size_t i = 0; i < json_object_array_length(rows); i++) {
			struct json_object *r = json_object_array_get_idx(rows, i), *v;
			time_t t;
			char when[32];

			json_object_object_get_ex(r, "started", &v);
			t = (time_t)json_object_get_double(v);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&t));
			printf(RUNS_ROW, str(r, "id"),
			       when, str(r, "scenario"), str(r, "tag"), hw,
			       *str(r, "hostname") ? str(r, "hostname") : "-", str(r, "kernel"),
			       str(r, "repeats"), str(r, "status"), str(r, "metrics"),
			       str(r, "mmscope_commit"));
		}
	}
	if (outfile_close(&of, err, sizeof(err)) < 0) {	/* a full disk is not "listed" */
		err_msg("runs: %s", err);
		rc = 2;
	}
	json_object_put(rows);
	free(ids);
	store_close(st);
	return rc;
}
