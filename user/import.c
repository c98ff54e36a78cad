// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope import FILE...: add results to the store. FILE is either an export
 * of `mmscope export --json` (runs keep their uuid, so importing twice adds
 * nothing) or mmscope/1 documents one per line as a bench driver prints them
 * (one new run; the n-th result of a tool+mode is repeat n).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "digest.h"
#include "jsonout.h"
#include "opts.h"
#include "store.h"
#include "util.h"

struct import_opts {
	const char *db, *tag, *scenario, *kernel;
};

enum { OPT_DB = 0x2300, OPT_TAG, OPT_SCENARIO, OPT_KERNEL };

static const struct extra_opt import_extra[] = {
	{ { "db", required_argument, NULL, OPT_DB }, "PATH",
	  "results store (default $MMSCOPE_DB, else ~/.local/share/mmscope/results.db)" },
	{ { "tag", required_argument, NULL, OPT_TAG }, "TAG", "tag for runs made from raw documents" },
	{ { "scenario", required_argument, NULL, OPT_SCENARIO }, "NAME",
	  "scenario name for runs made from raw documents (default: the file's name)" },
	{ { "kernel", required_argument, NULL, OPT_KERNEL }, "RELEASE",
	  "kernel release for raw documents without a host member" },
	{ { NULL } }
};

static int import_parse(int key, const char *arg, void *ctx)
{
	struct import_opts *o = ctx;

	switch (key) {
	case OPT_DB: o->db = arg; return 0;
	case OPT_TAG: o->tag = arg; return 0;
	case OPT_SCENARIO: o->scenario = arg; return 0;
	case OPT_KERNEL: o->kernel = arg; return 0;
	}
	return -1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (cap - *len < 65536)
			buf = realloc(buf, cap = cap * 2 + 65536);
		n = fread(buf + *len, 1, cap - *len - 1, f);
		*len += n;
	} while (n > 0);
	buf[*len] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
}

static const char *get_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* Raw mmscope/1 documents, one per line, into one run. */
static struct json_object *run_from_docs(const char *path, const char *text, size_t len,
					 const struct import_opts *io, char *err, size_t errlen)
{
	struct json_object *run = json_object_new_object(), *reps = json_object_new_array();
	struct json_object *host = NULL;
	char keys[256][256], uuid[65], hex[65];
	int counts[256] = { 0 }, nkeys = 0, lineno = 0, ndocs = 0;
	double first_time = 0;
	struct digest *d;
	const char *base = strrchr(path, '/');

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, l);
		struct json_object *doc, *v, *rep, *e;
		const char *kind, *tool;
		char key[256];
		int k;

		lineno++;
		p = nl ? nl + 1 : p + l;
		if (!l || strspn(line, " \t\r") == l) {
			free(line);
			continue;
		}
		doc = json_tokener_parse(line);
		free(line);
		if (!doc || !json_object_is_type(doc, json_type_object) ||
		    !get_str(doc, "schema") || strcmp(get_str(doc, "schema"), MMSCOPE_SCHEMA)) {
			snprintf(err, errlen, "%s:%d: not an mmscope/1 document (nor an mmscope export)",
				 path, lineno);
			json_object_put(doc);
			goto bad;
		}
		kind = get_str(doc, "kind");
		tool = get_str(doc, "tool");
		if (!kind || !tool) {
			snprintf(err, errlen, "%s:%d: document without \"tool\" or \"kind\"", path, lineno);
			json_object_put(doc);
			goto bad;
		}
		if (strcmp(kind, "result") && strcmp(kind, "summary")) {
			json_object_put(doc);	/* interval documents are not samples */
			continue;
		}
		if (!host && json_object_object_get_ex(doc, "host", &v))
			host = json_object_get(v);
		if (!first_time && json_object_object_get_ex(doc, "time", &v))
			first_time = json_object_get_double(v);
		{
			char mq[200];

			store_qualified_mode(doc, mq, sizeof(mq));
			snprintf(key, sizeof(key), "%s/%s", tool, mq);
		}
		for (k = 0; k < nkeys && strcmp(keys[k], key); k++)
			;
		if (k == nkeys) {
			if (nkeys == 256) {
				snprintf(err, errlen, "%s: more than 256 tool/mode pairs", path);
				json_object_put(doc);
				goto bad;
			}
			strcpy(keys[nkeys++], key);
		}
		/* the n-th document of a tool/mode belongs to repeat n */
		while ((int)json_object_array_length(reps) <= counts[k]) {
			rep = json_object_new_object();
			json_object_object_add(rep, "index",
				json_object_new_int((int)json_object_array_length(reps)));
			json_object_object_add(rep, "docs", json_object_new_array());
			json_object_array_add(reps, rep);
		}
		rep = json_object_array_get_idx(reps, counts[k]++);
		json_object_object_get_ex(rep, "docs", &v);
		e = json_object_new_object();
		json_object_object_add(e, "source", json_object_new_string("workload"));
		json_object_object_add(e, "doc", doc);
		json_object_array_add(v, e);
		ndocs++;
	}
	if (!ndocs) {
		snprintf(err, errlen, "%s: no result or summary documents", path);
		goto bad;
	}
	if (!io->kernel && !get_str(host, "kernel")) {
		snprintf(err, errlen, "%s: documents carry no host.kernel; pass --kernel RELEASE", path);
		goto bad;
	}
	/* same file + tag imported twice is the same run */
	d = digest_sha256();
	digest_update(d, text, len);
	digest_update(d, io->tag ? io->tag : "", io->tag ? strlen(io->tag) : 0);
	if (digest_hex(d, hex) < 0) {
		snprintf(err, errlen, "%s: cannot compute its SHA-256 (libcrypto)", path);
		goto bad;
	}
	snprintf(uuid, sizeof(uuid), "import-%.32s", hex);
	json_object_object_add(run, "uuid", json_object_new_string(uuid));
	json_object_object_add(run, "scenario", json_object_new_string(
		io->scenario ? io->scenario : (base ? base + 1 : path)));
	json_object_object_add(run, "tag", json_object_new_string(io->tag ? io->tag : ""));
	json_object_object_add(run, "kernel", json_object_new_string(
		io->kernel ? io->kernel : get_str(host, "kernel")));
	if (get_str(host, "machine"))
		json_object_object_add(run, "machine", json_object_new_string(get_str(host, "machine")));
	if (get_str(host, "cpu_model"))
		json_object_object_add(run, "cpu_model", json_object_new_string(get_str(host, "cpu_model")));
	{
		struct json_object *v;

		if (host && json_object_object_get_ex(host, "ncpus", &v))
			json_object_object_add(run, "ncpus", json_object_get(v));
		if (host && json_object_object_get_ex(host, "mem_bytes", &v))
			json_object_object_add(run, "mem_bytes", json_object_get(v));
	}
	json_object_object_add(run, "repeats", reps);
	json_object_object_add(run, "started", json_object_new_double(first_time ? first_time : wall_time()));
	json_object_put(host);
	return run;
bad:
	json_object_put(host);
	json_object_put(reps);
	json_object_put(run);
	return NULL;
}

int cmd_import(int argc, char **argv)
{
	struct import_opts io = { 0 };
	struct cmd_desc desc = {
		.name = "import",
		.summary = "Import results (an mmscope export, or bench documents) into the results store.",
		.details = "FILE (- for stdin) is either what `mmscope export --json` wrote (runs keep\n"
			   "their identity: importing twice adds nothing), or mmscope/1 documents one per\n"
			   "line as a bench driver prints them with --json: that becomes one run, the\n"
			   "n-th result of each tool and mode being repeat n.",
		.extra = import_extra, .parse_extra = import_parse, .ctx = &io,
		.no_common = true, .min_args = 1, .max_args = 8, .args_usage = "FILE...",
	};
	struct common_opts o;
	struct store *st;
	char err[1024];
	int rc;

	rc = opts_parse(argc, argv, &desc, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	st = store_open(io.db, err, sizeof(err));
	if (!st) {
		err_msg("import: %s", err);
		return 2;
	}
	for (int f = 0; f < o.nargs && !rc; f++) {
		size_t len;
		char *text = slurp(o.args[f], &len);
		struct json_object *top, *runs = NULL, *one;
		int added = 0, had = 0;

		if (!text) {
			err_msg("import: %s: %s", o.args[f], strerror(errno));
			rc = 2;
			break;
		}
		top = json_tokener_parse(text);
		if (top && get_str(top, "schema") && !strcmp(get_str(top, "schema"), STORE_EXPORT_SCHEMA)) {
			if (!json_object_object_get_ex(top, "runs", &runs) ||
			    !json_object_is_type(runs, json_type_array)) {
				err_msg("import: %s: export without a \"runs\" array", o.args[f]);
				rc = 2;
			}
		} else if (top && get_str(top, "schema") && strcmp(get_str(top, "schema"), MMSCOPE_SCHEMA)) {
			err_msg("import: %s: unknown schema '%s'", o.args[f], get_str(top, "schema"));
			rc = 2;
		} else {
			json_object_put(top);
			top = json_object_new_object();
			runs = json_object_new_array();
			json_object_object_add(top, "runs", runs);
			one = run_from_docs(o.args[f], text, len, &io, err, sizeof(err));
			if (!one) {
				err_msg("import: %s", err);
				rc = 2;
			} else {
				json_object_array_add(runs, one);
			}
		}
		free(text);
		for (size_t i = 0; !rc && i < json_object_array_length(runs); i++) {
			int64_t id;
			int r = store_add_run(st, json_object_array_get_idx(runs, i), &id, err, sizeof(err));

			if (r < 0) {
				err_msg("import: %s: run %zu: %s", o.args[f], i + 1, err);
				rc = 2;
			} else if (r == 1) {
				had++;
			} else {
				added++;
				printf("imported run %lld from %s\n", (long long)id, o.args[f]);
			}
		}
		if (!rc && had)
			printf("%s: %d run%s already in the store, skipped\n", o.args[f], had,
			       had == 1 ? "" : "s");
		json_object_put(top);
		(void)added;
	}
	store_close(st);
	return rc;
}
