// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope import FILE...: add results to the store. FILE is either an export
 * of `mmscope export --json` (runs keep their uuid, so importing twice adds
 * nothing) or mmscope/1 documents one per line as a bench driver prints them
 * (one new run; the n-th result of a tool+mode is repeat n).
 *
 * The file is read one JSON value at a time (jsonstream.h): an export's runs
 * are checked one by one in a first pass and stored in a second, so memory
 * is that of one run and a bad run anywhere stores nothing; raw documents
 * keep only the result and summary documents they become.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "digest.h"
#include "jsonout.h"
#include "jsonstream.h"
#include "opts.h"
#include "runcheck.h"
#include "store.h"
#include "util.h"

struct import_opts {
	const char *db, *tag, *scenario, *kernel;
};

enum { OPT_DB = 0x2300, OPT_TAG, OPT_SCENARIO, OPT_KERNEL };

static const struct extra_opt import_extra[] = {
	{ { "db", required_argument, NULL, OPT_DB }, STORE_DB_ARG, STORE_DB_HELP },
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
	case OPT_TAG:
		if (!tag_is_valid(arg)) {	/* the rule of run --tag */
			err_msg("import: --tag '%s' must be " TAG_RULE, arg);
			return -1;
		}
		o->tag = arg;
		return 0;
	case OPT_SCENARIO:
	case OPT_KERNEL:
		if (!*arg || strlen(arg) > 128 || strpbrk(arg, " \t\n\r")) {
			err_msg("import: --%s '%s' must be 1-128 characters without blanks",
				key == OPT_SCENARIO ? "scenario" : "kernel", arg);
			return -1;
		}
		*(key == OPT_SCENARIO ? &o->scenario : &o->kernel) = arg;
		return 0;
	}
	return -1;
}

static const char *get_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* Raw mmscope/1 documents, one run: the n-th document of a tool/mode is repeat n. */
struct docs_run {
	struct json_object *reps, *host;
	char keys[256][256];
	int counts[256], nkeys, ndocs;
	double first_time;
};

static int docs_add(struct docs_run *r, struct json_object *doc, const char *path, long line,
		    char *err, size_t errlen)
{
	struct json_object *v, *rep, *e;
	char msg[512], key[256], mq[200];
	const char *kind;
	int k;

	if (doc_check(doc, "", msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s: line %ld: %s", path, line, msg);
		json_object_put(doc);
		return -1;
	}
	kind = get_str(doc, "kind");
	if (strcmp(kind, "result") && strcmp(kind, "summary")) {
		json_object_put(doc);	/* interval documents are not samples */
		return 0;
	}
	if (!r->host && json_object_object_get_ex(doc, "host", &v))
		r->host = json_object_get(v);
	if (!r->first_time && json_object_object_get_ex(doc, "time", &v))
		r->first_time = json_object_get_double(v);
	store_qualified_mode(doc, mq, sizeof(mq));
	snprintf(key, sizeof(key), "%s/%s", get_str(doc, "tool"), mq);
	for (k = 0; k < r->nkeys && strcmp(r->keys[k], key); k++)
		;
	if (k == r->nkeys) {
		if (r->nkeys == 256) {
			snprintf(err, errlen, "%s: line %ld: more than 256 tool/mode pairs", path, line);
			json_object_put(doc);
			return -1;
		}
		strcpy(r->keys[r->nkeys++], key);
	}
	while ((int)json_object_array_length(r->reps) <= r->counts[k]) {
		rep = json_object_new_object();
		json_object_object_add(rep, "index",
			json_object_new_int((int)json_object_array_length(r->reps)));
		json_object_object_add(rep, "docs", json_object_new_array());
		json_object_array_add(r->reps, rep);
	}
	rep = json_object_array_get_idx(r->reps, r->counts[k]++);
	json_object_object_get_ex(rep, "docs", &v);
	e = json_object_new_object();
	json_object_object_add(e, "source", json_object_new_string("workload"));
	json_object_object_add(e, "doc", doc);
	json_object_array_add(v, e);
	r->ndocs++;
	return 0;
}

/* The run of the documents; takes the digest (of the whole file). */
static struct json_object *docs_finish(struct docs_run *r, const char *path, struct digest *d,
				       const struct import_opts *io, char *err, size_t errlen)
{
	struct json_object *run, *v;
	const char *base = strrchr(path, '/');
	char uuid[65], hex[65];

	if (!r->ndocs) {
		snprintf(err, errlen, "%s: no result or summary documents", path);
		digest_hex(d, hex);
		return NULL;
	}
	if (!io->kernel && !get_str(r->host, "kernel")) {
		snprintf(err, errlen, "%s: documents carry no host.kernel; pass --kernel RELEASE", path);
		digest_hex(d, hex);
		return NULL;
	}
	/* same file + tag imported twice is the same run */
	digest_update(d, io->tag ? io->tag : "", io->tag ? strlen(io->tag) : 0);
	if (digest_hex(d, hex) < 0) {
		snprintf(err, errlen, "%s: cannot compute its SHA-256 (libcrypto)", path);
		return NULL;
	}
	run = json_object_new_object();
	snprintf(uuid, sizeof(uuid), "import-%.32s", hex);
	json_object_object_add(run, "uuid", json_object_new_string(uuid));
	json_object_object_add(run, "scenario", json_object_new_string(
		io->scenario ? io->scenario : (base ? base + 1 : path)));
	json_object_object_add(run, "tag", json_object_new_string(io->tag ? io->tag : ""));
	json_object_object_add(run, "kernel", json_object_new_string(
		io->kernel ? io->kernel : get_str(r->host, "kernel")));
	if (get_str(r->host, "machine"))
		json_object_object_add(run, "machine", json_object_new_string(get_str(r->host, "machine")));
	if (get_str(r->host, "cpu_model"))
		json_object_object_add(run, "cpu_model",
				       json_object_new_string(get_str(r->host, "cpu_model")));
	if (r->host && json_object_object_get_ex(r->host, "ncpus", &v))
		json_object_object_add(run, "ncpus", json_object_get(v));
	if (r->host && json_object_object_get_ex(r->host, "mem_bytes", &v))
		json_object_object_add(run, "mem_bytes", json_object_get(v));
	json_object_object_add(run, "repeats", json_object_get(r->reps));
	json_object_object_add(run, "started",
			       json_object_new_double(r->first_time ? r->first_time : wall_time()));
	return run;
}

enum pass { PASS_CHECK, PASS_STORE };

struct import_file {
	const char *path;
	const struct import_opts *io;
	struct store *st;
	enum pass pass;
	int nruns, added, had;
};

/* One run of an export: checked (first pass) or stored (second). */
static int export_run(struct import_file *fi, struct json_object *run, char *err, size_t errlen)
{
	char where[32], msg[900];
	int64_t id;
	int r;

	snprintf(where, sizeof(where), "runs[%d]", fi->nruns++);
	if (fi->pass == PASS_CHECK) {
		if (run_check(run, where, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s: %s", fi->path, msg);
			return -1;
		}
		return 0;
	}
	r = store_add_run(fi->st, run, &id, msg, sizeof(msg));
	if (r < 0) {
		snprintf(err, errlen, "%s: run %d: %s", fi->path, fi->nruns, msg);
		return -1;
	}
	if (r == 1) {
		fi->had++;
	} else {
		fi->added++;
		printf("imported run %lld from %s\n", (long long)id, fi->path);
	}
	return 0;
}

/* The "runs" array of an export, one run at a time. */
static int export_runs(struct import_file *fi, struct jstream *js, char *err, size_t errlen)
{
	char msg[512];
	int c;

	if (js_peek(js) != '[') {
		js_error(js, msg, sizeof(msg), "\"runs\" must be an array");
		goto bad;
	}
	js_skip(js);
	if (js_peek(js) == ']') {
		js_skip(js);
		return 0;
	}
	for (;;) {
		struct json_object *run = js_value(js, msg, sizeof(msg));
		int r;

		if (!run) {
			if (!*msg)
				js_error(js, msg, sizeof(msg), "the file ends inside \"runs\" (truncated?)");
			goto bad;
		}
		r = export_run(fi, run, err, errlen);
		json_object_put(run);
		if (r < 0)
			return -1;
		c = js_peek(js);
		js_skip(js);
		if (c == ']')
			return 0;
		if (c != ',') {
			js_error(js, msg, sizeof(msg), c == EOF ? "the file ends inside \"runs\" (truncated?)"
							     : "expected ',' or ']' after a run");
			goto bad;
		}
	}
bad:
	snprintf(err, errlen, "%s: %s", fi->path, msg);
	return -1;
}

/*
 * The first value of the file, an object read member by member: an export
 * ({"schema":"mmscope-runs/1",...,"runs":[...]}) has its runs handled one
 * at a time as they are read; anything else comes back whole in *first.
 * Returns 1 for an export (done), 0 with *first set, -1 on an error.
 */
static int first_object(struct import_file *fi, struct jstream *js, struct json_object **first,
			long *first_line, char *err, size_t errlen)
{
	struct json_object *obj;
	bool export = false, runs_seen = false;
	char msg[512];
	int c;

	*first = NULL;
	c = js_peek(js);
	*first_line = js->line;
	if (c == EOF) {
		snprintf(err, errlen, "%s: %s", fi->path, js->read_errno ? strerror(js->read_errno)
							       : "the file is empty");
		return -1;
	}
	if (c != '{') {
		js_error(js, msg, sizeof(msg), "expected a JSON object (an mmscope export or mmscope/1 documents)");
		snprintf(err, errlen, "%s: %s", fi->path, msg);
		return -1;
	}
	js_skip(js);
	obj = json_object_new_object();
	for (c = js_peek(js); c != '}';) {
		struct json_object *k, *v;
		char key[128];

		if (c != '"') {
			js_error(js, msg, sizeof(msg), c == EOF ? "the file ends inside an object (truncated?)"
							     : "expected a member name");
			goto bad;
		}
		k = js_value(js, msg, sizeof(msg));
		if (!k)
			goto bad;
		snprintf(key, sizeof(key), "%s", json_object_get_string(k));
		json_object_put(k);
		if (js_peek(js) != ':') {
			js_error(js, msg, sizeof(msg), "expected ':' after a member name");
			goto bad;
		}
		js_skip(js);
		if (export && !strcmp(key, "runs")) {
			if (export_runs(fi, js, err, errlen) < 0) {
				json_object_put(obj);
				return -1;
			}
			runs_seen = true;
		} else {
			v = js_value(js, msg, sizeof(msg));
			if (!v) {
				if (!*msg)
					js_error(js, msg, sizeof(msg), "the file ends inside an object (truncated?)");
				goto bad;
			}
			json_object_object_add(obj, key, v);
			if (!strcmp(key, "schema") && json_object_is_type(v, json_type_string) &&
			    !strcmp(json_object_get_string(v), STORE_EXPORT_SCHEMA))
				export = true;
		}
		c = js_peek(js);
		if (c == ',') {
			js_skip(js);
			c = js_peek(js);
			if (c == '}') {
				js_error(js, msg, sizeof(msg), "a ',' before '}'");
				goto bad;
			}
		} else if (c != '}') {
			js_error(js, msg, sizeof(msg), c == EOF ? "the file ends inside an object (truncated?)"
							     : "expected ',' or '}'");
			goto bad;
		}
	}
	js_skip(js);
	if (!export) {
		*first = obj;
		return 0;
	}
	if (!runs_seen) {	/* "runs" before "schema" (not as we write them): whole */
		struct json_object *runs;

		if (!json_object_object_get_ex(obj, "runs", &runs) ||
		    !json_object_is_type(runs, json_type_array)) {
			snprintf(err, errlen, "%s: export without a \"runs\" array", fi->path);
			json_object_put(obj);
			return -1;
		}
		for (size_t i = 0; i < json_object_array_length(runs); i++)
			if (export_run(fi, json_object_array_get_idx(runs, i), err, errlen) < 0) {
				json_object_put(obj);
				return -1;
			}
	}
	json_object_put(obj);
	if (js_peek(js) != EOF) {
		js_error(js, msg, sizeof(msg), "more data after the export");
		snprintf(err, errlen, "%s: %s", fi->path, msg);
		return -1;
	}
	return 1;
bad:
	snprintf(err, errlen, "%s: %s", fi->path, msg);
	json_object_put(obj);
	return -1;
}

/* One pass over the file. Raw documents are stored in the first pass. */
static int import_pass(struct import_file *fi, FILE *f, char *err, size_t errlen)
{
	struct jstream js;
	struct json_object *doc, *run;
	struct docs_run *dr;
	struct digest *d = digest_sha256();
	char msg[512];
	long line;
	int r;

	fi->nruns = 0;
	if (js_begin(&js, f, d) < 0) {
		snprintf(err, errlen, "%s: out of memory", fi->path);
		digest_hex(d, msg);
		return -1;
	}
	r = first_object(fi, &js, &doc, &line, err, errlen);
	if (r != 0) {
		js_end(&js);
		digest_hex(d, msg);
		return r < 0 ? -1 : 1;
	}
	if (!get_str(doc, "schema") || strcmp(get_str(doc, "schema"), MMSCOPE_SCHEMA)) {
		if (get_str(doc, "schema"))
			snprintf(err, errlen, "%s: unknown schema '%s' (neither an mmscope export nor "
				 "mmscope/1 documents)", fi->path, get_str(doc, "schema"));
		else
			snprintf(err, errlen, "%s: line %ld: not an mmscope/1 document (nor an mmscope "
				 "export): no \"schema\"", fi->path, line);
		json_object_put(doc);
		js_end(&js);
		digest_hex(d, msg);
		return -1;
	}
	dr = calloc(1, sizeof(*dr));
	dr->reps = json_object_new_array();
	while (doc) {
		if (docs_add(dr, doc, fi->path, line, err, errlen) < 0)
			goto bad;
		js_peek(&js);
		line = js.line;
		doc = js_value(&js, msg, sizeof(msg));
		if (!doc && *msg) {
			snprintf(err, errlen, "%s: %s", fi->path, msg);
			goto bad;
		}
	}
	js_end(&js);
	run = docs_finish(dr, fi->path, d, fi->io, err, errlen);
	json_object_put(dr->host);
	json_object_put(dr->reps);
	free(dr);
	if (!run)
		return -1;
	fi->pass = PASS_STORE;
	r = export_run(fi, run, err, errlen);
	json_object_put(run);
	return r < 0 ? -1 : 0;
bad:
	js_end(&js);
	digest_hex(d, msg);
	json_object_put(dr->host);
	json_object_put(dr->reps);
	free(dr);
	return -1;
}

/* A seekable copy of standard input, for the second pass. */
static FILE *spool_stdin(char *err, size_t errlen)
{
	FILE *t = tmpfile();
	char buf[65536];
	size_t n;

	if (!t) {
		snprintf(err, errlen, "-: cannot make a temporary file: %s", strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (fwrite(buf, 1, n, t) != n) {
			snprintf(err, errlen, "-: spooling standard input: %s", strerror(errno));
			fclose(t);
			return NULL;
		}
	if (ferror(stdin) || fflush(t)) {
		snprintf(err, errlen, "-: %s", strerror(errno ? errno : EIO));
		fclose(t);
		return NULL;
	}
	rewind(t);
	return t;
}

/* An SQLite store (its header) or a PostgreSQL URL: a whole store to move. */
static bool is_store(const char *path)
{
	char head[16];
	FILE *f;
	bool yes;

	if (store_is_url(path))
		return true;
	if (!strcmp(path, "-") || !(f = fopen(path, "r")))
		return false;
	yes = fread(head, 1, sizeof(head), f) == sizeof(head) && !memcmp(head, "SQLite format 3", 16);
	fclose(f);
	return yes;
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every run of another store, each in its own transaction, keeping its
 * uuid: moving a machine's SQLite store into the lab's PostgreSQL store,
 * and again later, adds each run once. The source is only read.
 */
static int import_store(const char *path, struct store *st, char *err, size_t errlen)
{
	struct import_file fi = { .path = path, .st = st, .pass = PASS_STORE };
	struct store *src = store_open_readonly(path, err, errlen);
	int64_t *ids = NULL;
	int n, r = 0;
	char e2[512];

	if (!src)
		return -1;
	n = store_select(src, "all", &ids, e2, sizeof(e2));
	/* in the source's id order: moved into an empty store, runs keep their ids */
	if (n > 0)
		qsort(ids, n, sizeof(*ids), id_cmp);
	for (int i = 0; i < n && r >= 0; i++) {
		struct json_object *run = store_get_run(src, ids[i]);

		if (!run) {
			snprintf(err, errlen, "%s: run %lld cannot be read", path, (long long)ids[i]);
			r = -1;
			break;
		}
		fi.pass = PASS_CHECK;
		fi.nruns = i;
		r = export_run(&fi, run, err, errlen);
		if (r >= 0) {
			fi.pass = PASS_STORE;
			fi.nruns = i;
			r = export_run(&fi, run, err, errlen);
		}
		json_object_put(run);
	}
	free(ids);
	store_close(src);
	if (r >= 0 && fi.had)
		printf("%s: %d run%s already in the store, skipped\n", path, fi.had,
		       fi.had == 1 ? "" : "s");
	if (r >= 0 && n <= 0)
		printf("%s: no runs\n", path);
	return r < 0 ? -1 : 0;
}

static int import_file(const char *path, const struct import_opts *io, struct store *st,
		       char *err, size_t errlen)
{
	struct import_file fi = { .path = path, .io = io, .st = st, .pass = PASS_CHECK };
	FILE *f;
	int r;

	if (is_store(path))
		return import_store(path, st, err, errlen);
	f = strcmp(path, "-") ? fopen(path, "r") : spool_stdin(err, errlen);

	if (!f) {
		if (strcmp(path, "-"))
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	r = import_pass(&fi, f, err, errlen);
	if (r == 1) {	/* an export, every run checked: now store them */
		rewind(f);
		fi.pass = PASS_STORE;
		r = import_pass(&fi, f, err, errlen);
	}
	fclose(f);
	if (r >= 0 && fi.had)
		printf("%s: %d run%s already in the store, skipped\n", path, fi.had,
		       fi.had == 1 ? "" : "s");
	return r < 0 ? -1 : 0;
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
			   "n-th result of each tool and mode being repeat n. Every member is checked\n"
			   "(type and range) before anything is stored; an error names it. FILE may\n"
			   "also be another results store (an SQLite file or a postgresql:// URL):\n"
			   "its runs are copied, each once, e.g. a machine's store into the lab's.",
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
	for (int f = 0; f < o.nargs && !rc; f++)
		if (import_file(o.args[f], &io, st, err, sizeof(err)) < 0) {
			err_msg("import: %s", err);
			rc = 2;
		}
	store_close(st);
	return rc;
}
