// SPDX-License-Identifier: GPL-2.0
/*
 * The results store (store.h): what a run is, how its documents become
 * metric rows, how runs are selected and read back. One copy for both
 * engines; the engine behind the store is a backend (store_be.h): SQLite
 * (store_sqlite.c) for a file, PostgreSQL (store_pg.c) for a
 * postgresql:// URL.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"
#include "store.h"
#include "store_be.h"

#define fail store_fail

int store_fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

double store_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int store_default_path(char *buf, size_t len)
{
	const char *env = getenv("MMSCOPE_DB"), *home = getenv("HOME");

	if (env && *env)
		return snprintf(buf, len, "%s", env) < (int)len ? 0 : -1;
	if (!home || !*home)
		return -1;
	return snprintf(buf, len, "%s/.local/share/mmscope/results.db", home) < (int)len ? 0 : -1;
}

bool store_is_url(const char *path)
{
	return path && (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

/* postgresql://user:secret@host/db -> postgresql://user:***@host/db (messages, the dashboard) */
static void mask_password(const char *url, char *out, size_t len)
{
	const char *auth = strstr(url, "://"), *at, *colon;

	snprintf(out, len, "%s", url);
	if (!auth)
		return;
	auth += 3;
	at = strchr(auth, '@');
	colon = strchr(auth, ':');
	if (at && colon && colon < at && (size_t)(colon + 1 - url) < len)
		snprintf(out + (colon + 1 - url), len - (colon + 1 - url), "***%s", at);
}

static struct store *open_any(const char *path, bool readonly, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		abort();
	st->busy_s = 10;
	st->readonly = readonly;
	if (path)
		snprintf(st->path, sizeof(st->path), "%s", path);
	else if (store_default_path(st->path, sizeof(st->path)) < 0) {
		fail(err, errlen, "no results store: set $MMSCOPE_DB or $HOME, or pass --db PATH");
		free(st);
		return NULL;
	}
	if (store_is_url(st->path)) {
		mask_password(st->path, st->shown, sizeof(st->shown));
		rc = store_pg_open(st, err, errlen);
	} else {
		rc = store_sqlite_open(st, err, errlen);
	}
	if (rc < 0) {
		if (st->conn)
			st->be->close(st);
		free(st);
		return NULL;
	}
	return st;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	return open_any(path, false, err, errlen);
}

struct store *store_open_readonly(const char *path, char *err, size_t errlen)
{
	return open_any(path, true, err, errlen);
}

void store_set_busy_timeout(struct store *st, double secs)
{
	st->busy_s = secs;
	st->be->set_busy(st, secs);
}

void store_set_stop_flag(struct store *st, volatile sig_atomic_t *stop)
{
	st->stop = stop;
	st->busy_end = store_mono_s() + st->busy_s;
	st->be->set_busy(st, st->busy_s);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	st->be->close(st);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->shown;
}

const char *store_engine(const struct store *st)
{
	return st->be->name;
}

/* ---- statements in the common dialect ---------------------------------- */

/* A statement whose rows are not wanted: 0, or -1 with err set. */
static int sql_run(struct store *st, const char *sql, const struct sql_arg *a, int na,
		   char *err, size_t errlen)
{
	struct sql_rows *r = st->be->query(st, sql, a, na, err, errlen);

	if (!r)
		return -1;
	while (st->be->next(r))
		;
	st->be->done(r);
	return 0;
}

/* The first column of the first row as an integer: 1 found, 0 no row, -1 error. */
static int sql_int(struct store *st, const char *sql, const struct sql_arg *a, int na,
		   int64_t *v, char *err, size_t errlen)
{
	struct sql_rows *r = st->be->query(st, sql, a, na, err, errlen);
	int found;

	if (!r)
		return -1;
	found = st->be->next(r);
	if (found)
		*v = st->be->col_int(r, 0);
	st->be->done(r);
	return found;
}

int64_t store_sql_int(struct store *st, const char *sql)
{
	char err[256];
	int64_t v = -1;

	return sql_int(st, sql, NULL, 0, &v, err, sizeof(err)) == 1 ? v : -1;
}

int store_sql_exec(struct store *st, const char *sql)
{
	char err[256];

	return st->be->exec(st, sql, err, sizeof(err));
}

/*
 * Run fn in one write transaction. A failure the engine calls transient
 * (PostgreSQL: a serialization failure, a deadlock, a unique key another
 * writer took first) rolls back and runs fn again, a little later each
 * time, so concurrent writers from many machines all land. fn returns 0
 * (commit), 1 (roll back, nothing to do) or -1 (roll back, error).
 */
typedef int (*tx_fn)(struct store *st, void *ctx, char *err, size_t errlen);

static int with_tx(struct store *st, tx_fn fn, void *ctx, char *err, size_t errlen)
{
	if (st->readonly)
		return fail(err, errlen, "%s: opened read-only", st->shown);
	for (int attempt = 1;; attempt++) {
		int rc;

		st->retry = false;
		if (st->be->begin(st, err, errlen) < 0)
			rc = -1;
		else if ((rc = fn(st, ctx, err, errlen)) == 0)
			rc = st->be->commit(st, err, errlen);
		else
			st->be->rollback(st);
		if (rc >= 0 || !st->retry || attempt >= 30 || (st->stop && *st->stop))
			return rc;
		/* back off with jitter, so the writers that collided do not collide again */
		usleep((useconds_t)(1000 * (attempt < 10 ? attempt : 10) * (1 + rand() % 20)));
	}
}

/*
 * Migrations written in the common dialect, [v] going v -> v+1 from
 * STORE_SHARED_FROM; both backends run them inside their schema
 * transaction. Each is tested on both engines (tests/unit/test_store.c).
 *
 * 5 -> 6: the host that recorded a run. A lab of machines writes into one
 * store; compare and the dashboard select by host. Runs before 6: ''.
 * 6 -> 7: metrics and documents indexed down to the repeat (and metrics to
 * the key): storing a document asks whether its key is taken in its
 * repeat, which scanned the whole run's metrics (quadratic in a run's
 * documents: 8000 took 103 s). PostgreSQL had docs_run already.
 */
static const char *const shared_migrations[] = {
	[5] = "ALTER TABLE runs ADD COLUMN hostname TEXT NOT NULL DEFAULT '';"
	      "CREATE INDEX runs_hostname ON runs(hostname);",
	[6] = "CREATE INDEX IF NOT EXISTS metrics_key ON metrics(run_id, repeat_idx, tool, mode);"
	      "CREATE INDEX IF NOT EXISTS docs_run ON docs(run_id, repeat_idx);",
};

int store_migrate_shared(struct store *st, int from, char *err, size_t errlen)
{
	for (int v = from; v < STORE_SCHEMA_VERSION; v++)
		if (v < STORE_SHARED_FROM || !shared_migrations[v] ||
		    st->be->exec(st, shared_migrations[v], err, errlen) < 0)
			return v < STORE_SHARED_FROM ? fail(err, errlen, "no migration from %d", v) : -1;
	return 0;
}

/* ---- documents and their metric keys ----------------------------------- */

static const char *jstr(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return dflt;
}

static int jnum(struct json_object *o, const char *key, double *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return -1;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_double(v);
	return isfinite(*out) ? 0 : -1;
}

static double jnum_or(struct json_object *o, const char *key, double dflt)
{
	double v;

	return jnum(o, key, &v) < 0 ? dflt : v;
}

/*
 * Members that tell apart the documents one driver run prints for one mode
 * (pfbench: one per task count). They qualify the metric's mode:
 * "pfbench.anon[task_mode=thread,tasks=2].ops_per_s_total".
 */
static const char *const qualifiers[] = { "task_mode", "tasks", "threads", "procs", "variant" };

/* "4G", "512M", "6K" or plain bytes: a size as --sga takes it, without a '.'. */
static void size_label(double b, char *out, size_t len)
{
	unsigned long long v;

	/* checked before the conversion: NaN or past 2^64 converts undefined */
	if (!isfinite(b) || b <= 0 || b >= 18446744073709551616.0 ||
	    (double)(v = (unsigned long long)b) != b)
		snprintf(out, len, "unknown");
	else if (v % (1ULL << 30) == 0)
		snprintf(out, len, "%lluG", v >> 30);
	else if (v % (1ULL << 20) == 0)
		snprintf(out, len, "%lluM", v >> 20);
	else if (v % (1ULL << 10) == 0)
		snprintf(out, len, "%lluK", v >> 10);
	else
		snprintf(out, len, "%llu", v);
}

/*
 * sga-bench sizes its SGA from the host's free memory unless told, and every
 * figure scales with it: the size is part of the key ("sga=4G"), so a run on
 * a busier host that chose a smaller SGA is not compared with a larger one.
 * From the "sga_bytes" member, else the metric of that name (documents
 * synthesized from a schema-1 store), else "sga=unknown".
 */
void store_sga_label(struct json_object *doc, char *out, size_t len)
{
	struct json_object *m;
	double b = NAN;

	if (doc && jnum(doc, "sga_bytes", &b) < 0 &&
	    (!json_object_object_get_ex(doc, "metrics", &m) || jnum(m, "sga_bytes", &b) < 0))
		b = NAN;
	size_label(b, out, len);
}

void store_qualified_mode(struct json_object *doc, char *out, size_t len)
{
	size_t o = snprintf(out, len, "%s", jstr(doc, "mode", ""));
	bool first = true;

	for (size_t i = 0; i < sizeof(qualifiers) / sizeof(qualifiers[0]) && o < len; i++) {
		struct json_object *v;

		if (!json_object_object_get_ex(doc, qualifiers[i], &v) ||
		    (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int)))
			continue;
		o += snprintf(out + o, len - o, "%s%s=%s", first ? "[" : ",", qualifiers[i],
			      json_object_get_string(v));
		first = false;
	}
	if (!strcmp(jstr(doc, "tool", ""), "sga-bench") && o < len) {
		char sz[32];

		store_sga_label(doc, sz, sizeof(sz));
		o += snprintf(out + o, len - o, "%ssga=%s", first ? "[" : ",", sz);
		first = false;
	}
	if (!first && o < len)
		snprintf(out + o, len - o, "]");
}

/* A metric value: a JSON number that is finite (booleans and strings are not metrics). */
static bool finite_number(struct json_object *v, double *d)
{
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return false;
	*d = json_object_get_double(v);
	return isfinite(*d);
}

/* ---- writing a run ---------------------------------------------------- */

static int insert_doc(struct store *st, int64_t run_id, int rep, const char *source,
		      struct json_object *doc, const char *mode_q, char *err, size_t errlen)
{
	const char *tool = jstr(doc, "tool", NULL), *mode = jstr(doc, "mode", ""),
		   *kind = jstr(doc, "kind", NULL);
	struct json_object *metrics;
	int64_t doc_id = 0;

	if (!tool || !kind)
		return fail(err, errlen, "repeat %d: a document has no \"tool\" or \"kind\"", rep);
	{
		struct sql_arg a[] = { A_INT(run_id), A_INT(rep), A_TEXT(source), A_TEXT(tool),
				       A_TEXT(mode), A_TEXT(kind),
				       A_TEXT(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN)) };

		if (sql_int(st, "INSERT INTO docs(run_id, repeat_idx, source, tool, mode, kind, json)"
			    " VALUES(?,?,?,?,?,?,?) RETURNING id", a, 7, &doc_id, err, errlen) < 0)
			return -1;
	}

	/* only whole-run figures are samples; interval documents are history */
	if (strcmp(kind, "summary") && strcmp(kind, "result"))
		return 0;
	if (!json_object_object_get_ex(doc, "metrics", &metrics) ||
	    !json_object_is_type(metrics, json_type_object))
		return 0;
	json_object_object_foreach(metrics, name, val) {
		double d;

		if (!finite_number(val, &d))
			continue;
		struct sql_arg a[] = { A_INT(run_id), A_INT(rep), A_TEXT(tool), A_TEXT(mode_q),
				       A_TEXT(name), A_REAL(d), A_INT(doc_id) };

		if (sql_run(st, "INSERT INTO metrics(run_id, repeat_idx, tool, mode, name, value, doc_id)"
			    " VALUES(?,?,?,?,?,?,?)", a, 7, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static const char *run_status(struct json_object *run)
{
	const char *st = jstr(run, "status", "complete");

	return !strcmp(st, "partial") || !strcmp(st, "unfinished") ? st : "complete";
}

/* The runs row of run (export format); nrep repeats counted so far. */
static int insert_run_row(struct store *st, struct json_object *run, size_t nrep, int64_t *id,
			  char *err, size_t errlen)
{
	const char *uuid = jstr(run, "uuid", NULL), *scenario = jstr(run, "scenario", NULL),
		   *kernel = jstr(run, "kernel", NULL), *status = run_status(run);
	double started;

	if (!uuid || !*uuid || !scenario || !kernel || jnum(run, "started", &started) < 0)
		return fail(err, errlen, "run lacks uuid, scenario, kernel or started");
	struct sql_arg a[] = {
		A_TEXT(uuid), A_TEXT(scenario), A_TEXT(jstr(run, "scenario_hash", "unknown")),
		A_TEXT(jstr(run, "tag", "")), A_TEXT(kernel),
		A_TEXT(jstr(run, "kernel_config_hash", "unknown")), A_TEXT(jstr(run, "machine", "")),
		A_TEXT(jstr(run, "cpu_model", "unknown")), A_INT((int64_t)jnum_or(run, "ncpus", 0)),
		A_INT((int64_t)jnum_or(run, "mem_bytes", 0)),
		A_TEXT(jstr(run, "mmscope_commit", "unknown")), A_REAL(started),
		!strcmp(status, "unfinished") ? A_NULL : A_REAL(jnum_or(run, "finished", started)),
		A_INT((int64_t)nrep), A_TEXT(status),
		jstr(run, "status_reason", NULL) ? A_TEXT(jstr(run, "status_reason", NULL)) : A_NULL,
		A_TEXT(jstr(run, "workload", "")), A_TEXT(jstr(run, "overrides", "")),
		A_TEXT(jstr(run, "hostname", "")),
	};

	return sql_int(st, "INSERT INTO runs(uuid, scenario, scenario_hash, tag, kernel, kernel_config_hash,"
		       " machine, cpu_model, ncpus, mem_bytes, mmscope_commit, started, finished, repeats,"
		       " status, status_reason, workload, overrides, hostname)"
		       " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
		       a, 19, id, err, errlen) < 0 ? -1 : 0;
}

static int insert_repeat(struct store *st, int64_t id, int idx, double started, double wall_s,
			 int exit_status, char *err, size_t errlen)
{
	struct sql_arg a[] = { A_INT(id), A_INT(idx), A_REAL(started),
			       isfinite(wall_s) ? A_REAL(wall_s) : A_NULL,
			       exit_status >= 0 ? A_INT(exit_status) : A_NULL };

	if (sql_run(st, "INSERT INTO repeats(run_id, idx, started, wall_s, exit_status) VALUES(?,?,?,?,?)"
		    " ON CONFLICT(run_id, idx) DO NOTHING", a, 5, err, errlen) < 0) {
		char e2[512];

		snprintf(e2, sizeof(e2), "%s", err);
		return fail(err, errlen, "repeat %d: %s", idx, e2);
	}
	return 0;
}

/* Is metric key tool.mode_q already used in this repeat? */
static int mode_taken(struct store *st, int64_t id, int idx, const char *tool, const char *mode_q,
		      char *err, size_t errlen)
{
	struct sql_arg a[] = { A_INT(id), A_INT(idx), A_TEXT(tool), A_TEXT(mode_q) };
	int64_t one;

	return sql_int(st, "SELECT 1 FROM metrics WHERE run_id = ? AND repeat_idx = ?"
		       " AND tool = ? AND mode = ? LIMIT 1", a, 4, &one, err, errlen);
}

/*
 * One document of repeat idx, keyed by its qualified mode; a key already
 * used in the repeat gets #2, #3... The same code stores a whole imported
 * run and a document `mmscope run` just read, so both key alike.
 */
static int add_doc(struct store *st, int64_t id, int idx, const char *source, struct json_object *doc,
		   char *err, size_t errlen)
{
	char mode_q[256];
	size_t base_len;
	const char *tool = jstr(doc, "tool", "");
	int t;

	store_qualified_mode(doc, mode_q, sizeof(mode_q));
	base_len = strlen(mode_q);
	for (int dup = 2; (t = mode_taken(st, id, idx, tool, mode_q, err, errlen)) == 1 && dup < 10000; dup++)
		snprintf(mode_q + base_len, sizeof(mode_q) - base_len, "#%d", dup);
	if (t < 0)
		return -1;
	return insert_doc(st, id, idx, source, doc, mode_q, err, errlen);
}

/*
 * A repeat's host-noise figures (mmscope run, hostnoise.h): metrics
 * host.noise.NAME of the repeat with no document, replacing any it had.
 * They are samples like any metric, so compare reads them per repeat; the
 * judging rule never gives them a verdict (metric_unjudged).
 */
static int insert_host(struct store *st, int64_t id, int idx, struct json_object *host,
		       char *err, size_t errlen)
{
	struct sql_arg k[] = { A_INT(id), A_INT(idx) };

	if (!host || !json_object_is_type(host, json_type_object))
		return 0;
	if (sql_run(st, "DELETE FROM metrics WHERE run_id = ? AND repeat_idx = ?"
		    " AND tool = 'host' AND doc_id IS NULL", k, 2, err, errlen) < 0)
		return -1;
	json_object_object_foreach(host, name, val) {
		double d;

		if (!finite_number(val, &d))
			continue;
		struct sql_arg a[] = { A_INT(id), A_INT(idx), A_TEXT(name), A_REAL(d) };

		if (sql_run(st, "INSERT INTO metrics(run_id, repeat_idx, tool, mode, name, value)"
			    " VALUES(?, ?, 'host', 'noise', ?, ?)", a, 4, err, errlen) < 0) {
			char e2[512];

			snprintf(e2, sizeof(e2), "%s", err);
			return fail(err, errlen, "repeat %d host figures: %s", idx, e2);
		}
	}
	return 0;
}

/* Documents of a run that come from a feed (store_add_run_fed) instead of the run object. */
static int write_fed_docs(struct store *st, int64_t id, store_doc_feed feed, void *ctx,
			  char *err, size_t errlen)
{
	struct json_object *doc;
	const char *source;
	int rep, r;

	if (feed(ctx, true, &rep, &source, &doc, err, errlen) < 0)
		return -1;
	while ((r = feed(ctx, false, &rep, &source, &doc, err, errlen)) > 0) {
		r = add_doc(st, id, rep, source, doc, err, errlen);
		json_object_put(doc);
		if (r < 0)
			return -1;
	}
	return r;
}

static int write_run(struct store *st, struct json_object *run, store_doc_feed feed, void *ctx,
		     int64_t *id, char *err, size_t errlen)
{
	struct json_object *reps;
	const char *uuid = jstr(run, "uuid", "?");
	double started = jnum_or(run, "started", 0);
	size_t nrep;

	if (!json_object_object_get_ex(run, "repeats", &reps) ||
	    !json_object_is_type(reps, json_type_array) || !json_object_array_length(reps))
		return fail(err, errlen, "run %s has no repeats", uuid);
	nrep = json_object_array_length(reps);
	if (insert_run_row(st, run, nrep, id, err, errlen) < 0)
		return -1;

	for (size_t i = 0; i < nrep; i++) {
		struct json_object *rep = json_object_array_get_idx(reps, i), *docs;
		int idx = (int)jnum_or(rep, "index", (double)i);

		if (insert_repeat(st, *id, idx, jnum_or(rep, "started", started),
				  jnum_or(rep, "wall_s", 0), (int)jnum_or(rep, "exit_status", 0),
				  err, errlen) < 0)
			return -1;
		if (insert_host(st, *id, idx, json_object_object_get(rep, "host"), err, errlen) < 0)
			return -1;
		if (feed && !json_object_object_get_ex(rep, "docs", &docs))
			continue;
		if (!json_object_object_get_ex(rep, "docs", &docs) ||
		    !json_object_is_type(docs, json_type_array))
			return fail(err, errlen, "repeat %d has no \"docs\" array", idx);
		for (size_t d = 0; d < json_object_array_length(docs); d++) {
			struct json_object *e = json_object_array_get_idx(docs, d), *doc;

			if (!json_object_object_get_ex(e, "doc", &doc) ||
			    !json_object_is_type(doc, json_type_object))
				return fail(err, errlen, "repeat %d: entry %zu has no \"doc\" object", idx, d);
			if (add_doc(st, *id, idx, jstr(e, "source", "workload"), doc, err, errlen) < 0)
				return -1;
		}
	}
	return feed ? write_fed_docs(st, *id, feed, ctx, err, errlen) : 0;
}

struct add_ctx {
	struct json_object *run;
	int64_t *id;
	store_doc_feed feed;
	void *feed_ctx;
};

static int add_run_tx(struct store *st, void *p, char *err, size_t errlen)
{
	struct add_ctx *c = p;
	const char *uuid = jstr(c->run, "uuid", "");
	struct sql_arg a[] = { A_TEXT(uuid) };
	struct sql_rows *r;
	char status[32] = "";
	int64_t have = 0;
	bool found;

	r = st->be->query(st, "SELECT id, status FROM runs WHERE uuid = ?", a, 1, err, errlen);
	if (!r) {
		char e2[512];

		snprintf(e2, sizeof(e2), "%s", err);
		return fail(err, errlen, "%s: %s", st->shown, e2);
	}
	found = st->be->next(r);
	if (found) {
		have = st->be->col_int(r, 0);
		snprintf(status, sizeof(status), "%s", st->be->col_text(r, 1));
	}
	st->be->done(r);
	/*
	 * An unfinished run of that uuid is what a `mmscope run` whose store
	 * failed it left behind; the run it wrote to its fallback file
	 * replaces it (docs, repeats and metrics go with it: ON DELETE CASCADE).
	 */
	if (found && strcmp(status, "unfinished")) {
		*c->id = have;
		return 1;
	}
	if (found) {
		struct sql_arg d[] = { A_INT(have) };

		if (sql_run(st, "DELETE FROM runs WHERE id = ?", d, 1, err, errlen) < 0) {
			char e2[512];

			snprintf(e2, sizeof(e2), "%s", err);
			return fail(err, errlen, "%s: replacing unfinished run %lld: %s", st->shown,
				    (long long)have, e2);
		}
	}
	return write_run(st, c->run, c->feed, c->feed_ctx, c->id, err, errlen);
}

int store_add_run(struct store *st, struct json_object *run, int64_t *id,
		  char *err, size_t errlen)
{
	struct add_ctx c = { run, id };

	return with_tx(st, add_run_tx, &c, err, errlen);
}

int store_add_run_fed(struct store *st, struct json_object *run, store_doc_feed feed, void *ctx,
		      int64_t *id, char *err, size_t errlen)
{
	struct add_ctx c = { run, id, feed, ctx };

	return with_tx(st, add_run_tx, &c, err, errlen);
}

/* ---- recording a run as it goes (mmscope run) ------------------------- */

static int begin_tx(struct store *st, void *p, char *err, size_t errlen)
{
	struct add_ctx *c = p;

	return insert_run_row(st, c->run, 0, c->id, err, errlen);
}

int store_run_begin(struct store *st, struct json_object *hdr, int64_t *id,
		    char *err, size_t errlen)
{
	struct json_object *copy = NULL;
	struct add_ctx c = { NULL, id, NULL, NULL };
	int rc;

	json_object_deep_copy(hdr, &copy, NULL);
	json_object_object_add(copy, "status", json_object_new_string("unfinished"));
	c.run = copy;
	rc = with_tx(st, begin_tx, &c, err, errlen);
	json_object_put(copy);
	return rc;
}

static int count_repeats(struct store *st, int64_t id, char *err, size_t errlen)
{
	struct sql_arg a[] = { A_INT(id) };

	return sql_run(st, "UPDATE runs SET repeats = (SELECT count(*) FROM repeats"
		       " WHERE run_id = ?1) WHERE id = ?1", a, 1, err, errlen);
}

struct rep_ctx {
	int64_t id;
	int rep;
	double started, wall_s;
	int exit_status;
	const char *source;
	struct json_object *doc, *host;
	const char *status, *reason;
};

static int doc_tx(struct store *st, void *p, char *err, size_t errlen)
{
	struct rep_ctx *c = p;

	if (insert_repeat(st, c->id, c->rep, c->started, NAN, -1, err, errlen) < 0 ||
	    count_repeats(st, c->id, err, errlen) < 0 ||
	    add_doc(st, c->id, c->rep, c->source, c->doc, err, errlen) < 0)
		return -1;
	return 0;
}

int store_run_doc(struct store *st, int64_t id, int rep, double rep_started, const char *source,
		  struct json_object *doc, char *err, size_t errlen)
{
	struct rep_ctx c = { .id = id, .rep = rep, .started = rep_started, .source = source, .doc = doc };

	return with_tx(st, doc_tx, &c, err, errlen);
}

static int repeat_tx(struct store *st, void *p, char *err, size_t errlen)
{
	struct rep_ctx *c = p;
	/* an upsert keeps the row the documents hang on (a delete would cascade) */
	struct sql_arg a[] = { A_INT(c->id), A_INT(c->rep), A_REAL(c->started), A_REAL(c->wall_s),
			       A_INT(c->exit_status) };

	if (sql_run(st, "INSERT INTO repeats(run_id, idx, started, wall_s, exit_status) VALUES(?,?,?,?,?)"
		    " ON CONFLICT(run_id, idx) DO UPDATE SET started = excluded.started,"
		    " wall_s = excluded.wall_s, exit_status = excluded.exit_status", a, 5, err, errlen) < 0) {
		char e2[512];

		snprintf(e2, sizeof(e2), "%s", err);
		return fail(err, errlen, "%s: %s", st->shown, e2);
	}
	if (insert_host(st, c->id, c->rep, c->host, err, errlen) < 0 ||
	    count_repeats(st, c->id, err, errlen) < 0)
		return -1;
	return 0;
}

int store_run_repeat(struct store *st, int64_t id, int rep, double started, double wall_s,
		     int exit_status, struct json_object *host, char *err, size_t errlen)
{
	struct rep_ctx c = { .id = id, .rep = rep, .started = started, .wall_s = wall_s,
			     .exit_status = exit_status, .host = host };

	return with_tx(st, repeat_tx, &c, err, errlen);
}

static int finish_tx(struct store *st, void *p, char *err, size_t errlen)
{
	struct rep_ctx *c = p;
	struct sql_arg a[] = { A_INT(c->id), A_TEXT(c->status), c->reason ? A_TEXT(c->reason) : A_NULL,
			       A_REAL(c->started) };

	if (sql_run(st, "UPDATE runs SET status = ?2, status_reason = ?3, finished = ?4"
		    " WHERE id = ?1", a, 4, err, errlen) < 0) {
		char e2[512];

		snprintf(e2, sizeof(e2), "%s", err);
		return fail(err, errlen, "%s: %s", st->shown, e2);
	}
	return count_repeats(st, c->id, err, errlen);
}

int store_run_finish(struct store *st, int64_t id, const char *status, const char *reason,
		     double finished, char *err, size_t errlen)
{
	struct rep_ctx c = { .id = id, .status = status, .reason = reason, .started = finished };

	return with_tx(st, finish_tx, &c, err, errlen);
}

int store_filter_complete(struct store *st, int64_t *ids, int n)
{
	char err[256];
	int k = 0;

	for (int i = 0; i < n; i++) {
		struct sql_arg a[] = { A_INT(ids[i]) };
		int64_t one;

		if (sql_int(st, "SELECT 1 FROM runs WHERE id = ? AND status = 'complete'", a, 1,
			    &one, err, sizeof(err)) == 1)
			ids[k++] = ids[i];
	}
	return k;
}

double store_scenario_repeat_s(struct store *st, const char *scenario, int *n)
{
	struct sql_arg a[] = { A_TEXT(scenario) };
	struct sql_rows *r;
	char err[256];
	double v = NAN;

	*n = 0;
	r = st->be->query(st, "SELECT avg(p.wall_s), count(p.wall_s) FROM repeats p"
			  " JOIN runs r ON r.id = p.run_id WHERE r.scenario = ? AND r.status = 'complete'"
			  " AND p.wall_s > 0", a, 1, err, sizeof(err));
	if (!r)
		return NAN;
	if (st->be->next(r) && st->be->type(r, 0) != SQL_NULL) {
		v = st->be->col_real(r, 0);
		*n = (int)st->be->col_int(r, 1);
	}
	st->be->done(r);
	return v;
}

double store_scenario_repeat_median_s(struct store *st, const char *scenario, int *n, int *nruns)
{
	struct sql_arg a[] = { A_TEXT(scenario) };
	struct sql_rows *r;
	double *v = NULL, m = NAN;
	char err[256];
	int cap = 0;

	*n = *nruns = 0;
	r = st->be->query(st, "SELECT p.wall_s, p.run_id FROM repeats p"
			  " JOIN runs r ON r.id = p.run_id WHERE r.scenario = ? AND r.status = 'complete'"
			  " AND p.wall_s > 0 ORDER BY p.run_id", a, 1, err, sizeof(err));
	if (!r)
		return NAN;
	for (int64_t last = -1; st->be->next(r);) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[(*n)++] = st->be->col_real(r, 0);
		if (st->be->col_int(r, 1) != last)
			(*nruns)++;
		last = st->be->col_int(r, 1);
	}
	st->be->done(r);
	if (*n) {
		struct sample_stats s;

		stats_describe(v, *n, &s);
		m = s.median;
	}
	free(v);
	return m;
}

/* ---- reading ----------------------------------------------------------- */

static void put_col(struct store *st, struct json_object *o, struct sql_rows *r, int col,
		    const char *name)
{
	switch (st->be->type(r, col)) {
	case SQL_INT:
		json_object_object_add(o, name, json_object_new_int64(st->be->col_int(r, col)));
		break;
	case SQL_REAL:
		json_object_object_add(o, name, json_object_new_double(st->be->col_real(r, col)));
		break;
	case SQL_NULL:
		json_object_object_add(o, name, NULL);
		break;
	default:
		json_object_object_add(o, name, json_object_new_string(st->be->col_text(r, col)));
	}
}

#define RUN_COLS "id, uuid, scenario, scenario_hash, tag, kernel, kernel_config_hash, machine," \
		 " cpu_model, ncpus, mem_bytes, mmscope_commit, started, finished, repeats," \
		 " status, status_reason, workload, overrides, hostname"

static struct json_object *run_row(struct store *st, struct sql_rows *r, bool with_id)
{
	struct json_object *o = json_object_new_object();

	for (int c = with_id ? 0 : 1; c < st->be->ncols(r); c++)
		put_col(st, o, r, c, st->be->col_name(r, c));
	return o;
}

struct json_object *store_get_run(struct store *st, int64_t id)
{
	struct json_object *run, *reps;
	struct sql_arg a[] = { A_INT(id) };
	struct sql_rows *s, *d, *h;
	char err[512], *hsql;

	s = st->be->query(st, "SELECT " RUN_COLS " FROM runs WHERE id = ?", a, 1, err, sizeof(err));
	if (!s)
		return NULL;
	if (!st->be->next(s)) {
		st->be->done(s);
		return NULL;
	}
	run = run_row(st, s, false);
	json_object_object_del(run, "repeats");
	st->be->done(s);

	reps = json_object_new_array();
	json_object_object_add(run, "repeats", reps);
	s = st->be->query(st, "SELECT idx, started, wall_s, exit_status FROM repeats"
			  " WHERE run_id = ? ORDER BY idx", a, 1, err, sizeof(err));
	if (asprintf(&hsql, "SELECT name, value FROM metrics WHERE run_id = ? AND repeat_idx = ?"
		     " AND tool = 'host' AND doc_id IS NULL ORDER BY %s", st->be->metric_seq) < 0)
		abort();
	while (s && st->be->next(s)) {
		struct json_object *rep = json_object_new_object(), *docs = json_object_new_array();
		struct json_object *host = NULL;
		struct sql_arg k[] = { A_INT(id), A_INT(st->be->col_int(s, 0)) };

		put_col(st, rep, s, 0, "index");
		put_col(st, rep, s, 1, "started");
		put_col(st, rep, s, 2, "wall_s");
		put_col(st, rep, s, 3, "exit_status");
		h = st->be->query(st, hsql, k, 2, err, sizeof(err));
		while (h && st->be->next(h)) {
			if (!host)
				host = json_object_new_object();
			json_object_object_add(host, st->be->col_text(h, 0),
					       json_object_new_double(st->be->col_real(h, 1)));
		}
		st->be->done(h);
		if (host)
			json_object_object_add(rep, "host", host);
		json_object_object_add(rep, "docs", docs);
		d = st->be->query(st, "SELECT source, json FROM docs WHERE run_id = ? AND repeat_idx = ?"
				  " ORDER BY id", k, 2, err, sizeof(err));
		while (d && st->be->next(d)) {
			struct json_object *e = json_object_new_object();

			put_col(st, e, d, 0, "source");
			json_object_object_add(e, "doc", json_tokener_parse(st->be->col_text(d, 1)));
			json_object_array_add(docs, e);
		}
		st->be->done(d);
		json_object_array_add(reps, rep);
	}
	st->be->done(s);
	free(hsql);
	return run;
}

static int collect_ids(struct store *st, const char *sql, const struct sql_arg *a, int na,
		       int64_t **ids)
{
	struct sql_rows *r;
	char err[256];
	int n = 0, cap = 0;

	*ids = NULL;
	r = st->be->query(st, sql, a, na, err, sizeof(err));
	if (!r)
		return -1;
	while (st->be->next(r)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = realloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[n++] = st->be->col_int(r, 0);
	}
	st->be->done(r);
	return n;
}

static int ids_where(struct store *st, const char *col, const char *val, int64_t **ids)
{
	struct sql_arg a[] = { A_TEXT(val) };
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT id FROM runs WHERE %s = ? ORDER BY started, id", col);
	return collect_ids(st, sql, a, 1, ids);
}

static bool all_digits_commas(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((*s < '0' || *s > '9') && *s != ',')
			return false;
	return true;
}

static const struct { const char *prefix, *col; } by[] = {
	{ "tag:", "tag" }, { "kernel:", "kernel" }, { "scenario:", "scenario" },
	{ "host:", "hostname" },
};
#define NBY (sizeof(by) / sizeof(by[0]))

/*
 * The terms of sel split at ',' outside brackets (a scenario run with
 * --set is named "s[a=1,b=2]"): their count, -1 when there are too many.
 */
#define MAX_TERMS 32
static int split_terms(const char *sel, char **terms)
{
	int n = 0, depth = 0;
	const char *start = sel;

	for (const char *p = sel;; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']' && depth)
			depth--;
		if (*p && (*p != ',' || depth))
			continue;
		if (n == MAX_TERMS) {
			while (n)
				free(terms[--n]);
			return -1;
		}
		terms[n++] = strndup(start, p - start);
		if (!*p)
			return n;
		start = p + 1;
	}
}

/* What a selection found: n ids, or the error for none (-1) or a failed read. */
static int selected(struct store *st, const char *sel, int n, int64_t **ids, char *err, size_t errlen)
{
	if (n < 0)
		return fail(err, errlen, "%s: cannot read the runs", st->shown);
	if (n == 0) {
		free(*ids);
		*ids = NULL;
		return fail(err, errlen, "no runs match '%s' in %s (see mmscope runs)", sel, st->shown);
	}
	return n;
}

/*
 * "kernel:6.1,kernel:6.2,host:lab1": the runs that match a term of every
 * prefix given (terms of one prefix are alternatives), so one machine's
 * runs of two kernels can be picked out of a lab's store.
 */
static int select_terms(struct store *st, const char *sel, char **terms, int nt, int64_t **ids,
			char *err, size_t errlen)
{
	struct sql_arg a[MAX_TERMS];
	size_t len = 256 + 40 * (size_t)nt, o;
	char *sql = malloc(len);
	int na = 0, n;

	if (!sql)
		abort();
	o = snprintf(sql, len, "SELECT id FROM runs WHERE 1 = 1");
	for (size_t b = 0; b < NBY; b++) {
		bool first = true;

		for (int t = 0; t < nt; t++) {
			if (strncmp(terms[t], by[b].prefix, strlen(by[b].prefix)))
				continue;
			o += snprintf(sql + o, len - o, "%s%s = ?", first ? " AND (" : " OR ", by[b].col);
			a[na++] = A_TEXT(terms[t] + strlen(by[b].prefix));
			first = false;
		}
		if (!first)
			o += snprintf(sql + o, len - o, ")");
	}
	/* every term must have a known prefix: a bare word here is a typo, not a guess */
	if (na != nt) {
		free(sql);
		return fail(err, errlen, "selector '%s': combine terms with a prefix each "
			    "(tag:, kernel:, scenario:, host:), joined by ','", sel);
	}
	snprintf(sql + o, len - o, " ORDER BY started, id");
	n = collect_ids(st, sql, a, na, ids);
	free(sql);
	return selected(st, sel, n, ids, err, errlen);
}

int store_select(struct store *st, const char *sel, int64_t **ids, char *err, size_t errlen)
{
	int n = 0;
	bool done = false;

	*ids = NULL;
	if (!strncmp(sel, "run:", 4))
		sel += 4;
	if (all_digits_commas(sel)) {
		char *copy = strdup(sel), *save = NULL;
		int cap = 0;

		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			int64_t id, *got;
			int k;

			errno = 0;
			id = strtoll(t, NULL, 10);
			if (errno) {	/* not clamped to INT64_MAX: no such run can exist */
				fail(err, errlen, "run id '%s' is out of range", t);
				free(copy);
				free(*ids);
				*ids = NULL;
				return -1;
			}
			struct sql_arg a[] = { A_INT(id) };

			k = collect_ids(st, "SELECT id FROM runs WHERE id = ?", a, 1, &got);
			free(got);
			if (k <= 0) {
				free(copy);
				free(*ids);
				*ids = NULL;
				return fail(err, errlen, "no run with id %lld in %s", (long long)id, st->shown);
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				*ids = realloc(*ids, cap * sizeof(**ids));
			}
			(*ids)[n++] = id;
		}
		free(copy);
		if (!n)
			return fail(err, errlen, "empty run list '%s'", sel);
		return n;
	}
	{
		char *terms[MAX_TERMS];
		int nt = split_terms(sel, terms);

		if (nt < 0)
			return fail(err, errlen, "selector '%s' has more than %d terms", sel, MAX_TERMS);
		n = nt > 1 ? select_terms(st, sel, terms, nt, ids, err, errlen) : 0;
		for (int t = 0; t < nt; t++)
			free(terms[t]);
		if (nt > 1)
			return n;
	}
	if (!strcmp(sel, "latest"))
		n = collect_ids(st, "SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT 1", NULL, 0, ids);
	else if (!strcmp(sel, "all"))
		n = collect_ids(st, "SELECT id FROM runs ORDER BY started, id", NULL, 0, ids);
	else {
		for (size_t i = 0; i < NBY && !done; i++)
			if (!strncmp(sel, by[i].prefix, strlen(by[i].prefix))) {
				n = ids_where(st, by[i].col, sel + strlen(by[i].prefix), ids);
				done = true;
			}
		/* a bare word: a tag, else a kernel release, else a scenario */
		for (size_t i = 0; i < 3 && !done; i++) {
			free(*ids);
			n = ids_where(st, by[i].col, sel, ids);
			done = n != 0;
		}
	}
	return selected(st, sel, n, ids, err, errlen);
}

static char *id_list(const int64_t *ids, int n)
{
	size_t len = 16 + 24 * (size_t)n;
	char *s = malloc(len);
	size_t o = 0;

	s[0] = '\0';
	for (int i = 0; i < n; i++)
		o += snprintf(s + o, len - o, "%s%lld", i ? "," : "", (long long)ids[i]);
	return s;
}

struct json_object *store_list(struct store *st, const int64_t *ids, int n)
{
	struct json_object *arr = json_object_new_array();
	char *list = id_list(ids, n), *sql, err[256];
	struct sql_rows *r;

	if (!n) {
		free(list);
		return arr;
	}
	if (asprintf(&sql, "SELECT " RUN_COLS ", (SELECT count(DISTINCT tool || '.' || mode || '.' || name)"
		     " FROM metrics m WHERE m.run_id = runs.id AND NOT (m.tool = 'host' AND m.doc_id IS NULL))"
		     " AS metrics"
		     " FROM runs WHERE id IN (%s) ORDER BY started, id", list) < 0)
		abort();
	r = st->be->query(st, sql, NULL, 0, err, sizeof(err));
	while (r && st->be->next(r))
		json_object_array_add(arr, run_row(st, r, true));
	st->be->done(r);
	free(sql);
	free(list);
	return arr;
}

/* ---- samples ----------------------------------------------------------- */

static struct metric_samples *samples_for(struct sample_set *set, const char *key)
{
	/* rows arrive ordered by key: the match is the last entry if any */
	if (set->n && !strcmp(set->m[set->n - 1].key, key))
		return &set->m[set->n - 1];
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 64;
		set->m = realloc(set->m, set->cap * sizeof(*set->m));
	}
	memset(&set->m[set->n], 0, sizeof(set->m[0]));
	set->m[set->n].key = strdup(key);
	return &set->m[set->n++];
}

int store_samples(struct store *st, const int64_t *ids, int n, struct sample_set *out)
{
	char *list = id_list(ids, n), *sql, err[256];
	struct sql_rows *r;

	memset(out, 0, sizeof(*out));
	if (!n) {
		free(list);
		return 0;
	}
	/* each sample with the other-CPU share of its repeat (host noise, if recorded) */
	if (asprintf(&sql, "SELECT m.tool || '.' || m.mode || '.' || m.name AS key, m.value,"
		     " (SELECT h.value FROM metrics h WHERE h.run_id = m.run_id"
		     "  AND h.repeat_idx = m.repeat_idx AND h.tool = 'host' AND h.mode = 'noise'"
		     "  AND h.name = 'other_cpu_pct' AND h.doc_id IS NULL LIMIT 1)"
		     " FROM metrics m WHERE m.run_id IN (%s) ORDER BY key, m.run_id, m.repeat_idx",
		     list) < 0)
		abort();
	free(list);
	r = st->be->query(st, sql, NULL, 0, err, sizeof(err));
	free(sql);
	if (!r)
		return -1;
	while (st->be->next(r)) {
		struct metric_samples *m = samples_for(out, st->be->col_text(r, 0));

		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 8;
			m->v = realloc(m->v, m->cap * sizeof(*m->v));
			m->other_cpu = realloc(m->other_cpu, m->cap * sizeof(*m->other_cpu));
			if (!m->v || !m->other_cpu)
				abort();
		}
		m->other_cpu[m->n] = st->be->type(r, 2) == SQL_NULL ? NAN : st->be->col_real(r, 2);
		m->v[m->n++] = st->be->col_real(r, 1);
	}
	st->be->done(r);
	return out->n;
}

/* ---- what the dashboard and the headline read -------------------------- */

int store_each_metric_value(struct store *st, store_value_fn fn, void *ctx)
{
	struct sql_rows *r;
	char err[256];
	int n = 0;

	r = st->be->query(st, "SELECT m.tool || '.' || m.mode || '.' || m.name AS key, m.run_id, m.value,"
			  " r.scenario FROM metrics m JOIN runs r ON r.id = m.run_id"
			  " ORDER BY r.scenario, key, r.started, r.id, m.repeat_idx", NULL, 0, err, sizeof(err));
	if (!r)
		return -1;
	while (st->be->next(r)) {
		fn(ctx, st->be->col_text(r, 3), st->be->col_text(r, 0), st->be->col_int(r, 1),
		   st->be->col_real(r, 2));
		n++;
	}
	st->be->done(r);
	return n;
}

struct json_object *store_newest_docs(struct store *st, const char *tool, const char *kind)
{
	struct json_object *arr = json_object_new_array();
	struct sql_arg a[] = { A_TEXT(tool), A_TEXT(kind), A_TEXT(tool), A_TEXT(kind) };
	struct sql_rows *r;
	char err[256];

	r = st->be->query(st, "SELECT run_id, repeat_idx, json FROM docs WHERE tool = ? AND kind = ?"
			  " AND run_id = (SELECT d.run_id FROM docs d JOIN runs r ON r.id = d.run_id"
			  "  WHERE d.tool = ? AND d.kind = ? ORDER BY r.started DESC, r.id DESC LIMIT 1)"
			  " ORDER BY repeat_idx, id", a, 4, err, sizeof(err));
	while (r && st->be->next(r)) {
		struct json_object *doc = json_tokener_parse(st->be->col_text(r, 2)), *e;

		if (!doc)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "run", json_object_new_int64(st->be->col_int(r, 0)));
		json_object_object_add(e, "repeat", json_object_new_int64(st->be->col_int(r, 1)));
		json_object_object_add(e, "doc", doc);
		json_object_array_add(arr, e);
	}
	st->be->done(r);
	return arr;
}

struct json_object *store_docs_member(struct store *st, int64_t run, const char *tool,
				      const char *member)
{
	struct json_object *arr = json_object_new_array();
	struct sql_arg a[] = { A_INT(run), A_TEXT(tool) };
	struct sql_rows *r;
	char err[256];

	r = st->be->query(st, "SELECT mode, json FROM docs WHERE run_id = ? AND tool = ? ORDER BY id",
			  a, 2, err, sizeof(err));
	while (r && st->be->next(r)) {
		struct json_object *doc = json_tokener_parse(st->be->col_text(r, 1)), *v, *e;

		if (doc && json_object_object_get_ex(doc, member, &v) && v) {
			e = json_object_new_object();
			json_object_object_add(e, "mode", json_object_new_string(st->be->col_text(r, 0)));
			json_object_object_add(e, "value", json_object_new_string(
				json_object_is_type(v, json_type_string) ? json_object_get_string(v)
					: json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)));
			json_object_array_add(arr, e);
		}
		json_object_put(doc);
	}
	st->be->done(r);
	return arr;
}

struct json_object *store_sga_modes(struct store *st, int64_t *run)
{
	struct json_object *modes = json_object_new_array();
	struct sql_rows *r;
	char err[256];

	*run = 0;
	r = st->be->query(st,
		"SELECT m.run_id, m.mode, avg(CASE WHEN m.name = 'pt_physical_bytes' THEN m.value END),"
		" avg(CASE WHEN m.name = 'pt_logical_bytes' THEN m.value END)"
		" FROM metrics m WHERE m.tool = 'sga-bench' AND m.run_id = (SELECT mm.run_id FROM metrics mm"
		"  JOIN runs r ON r.id = mm.run_id WHERE mm.tool = 'sga-bench'"
		"  ORDER BY r.started DESC, r.id DESC LIMIT 1)"
		/* modes may be qualified ("hugetlb[procs=500]"): order by the base name */
		" GROUP BY m.run_id, m.mode ORDER BY CASE WHEN substr(m.mode, 1, 5) = 'shmem' THEN 0"
		"  WHEN substr(m.mode, 1, 3) = 'thp' THEN 1 WHEN substr(m.mode, 1, 7) = 'hugetlb' THEN 2"
		"  WHEN substr(m.mode, 1, 7) = 'ptshare' THEN 3 ELSE 4 END, m.mode", NULL, 0, err, sizeof(err));
	while (r && st->be->next(r)) {
		struct json_object *m = json_object_new_object();

		*run = st->be->col_int(r, 0);
		json_object_object_add(m, "mode", json_object_new_string(st->be->col_text(r, 1)));
		for (int c = 2; c <= 3; c++)
			json_object_object_add(m, c == 2 ? "pt_physical_bytes" : "pt_logical_bytes",
				st->be->type(r, c) == SQL_NULL ? NULL
					: json_object_new_double(st->be->col_real(r, c)));
		json_object_array_add(modes, m);
	}
	st->be->done(r);
	return modes;
}

int64_t store_newest_with_tool(struct store *st, const char *tool, const int64_t *ids, int n)
{
	char err[256];
	int64_t best = 0;

	for (int i = 0; i < (n ? n : 1) && !best; i++) {
		/* ids come oldest first: look from the newest */
		struct sql_arg a[] = { A_TEXT(tool), A_INT(n ? 1 : 0), A_INT(n ? ids[n - 1 - i] : 0) };

		if (sql_int(st, "SELECT r.id FROM runs r WHERE EXISTS (SELECT 1 FROM metrics m"
			    " WHERE m.run_id = r.id AND m.tool = ?1) AND (?2 = 0 OR r.id = ?3)"
			    " ORDER BY r.started DESC, r.id DESC LIMIT 1", a, 3, &best, err, sizeof(err)) != 1)
			best = 0;
	}
	return best;
}

int store_each_run_metric(struct store *st, int64_t run, const char *tool, store_metric_fn fn,
			  void *ctx)
{
	struct sql_arg a[] = { A_INT(run), A_TEXT(tool) };
	struct sql_rows *r;
	char err[256], *sql;
	int n = 0;

	if (asprintf(&sql, "SELECT mode, name, value FROM metrics WHERE run_id = ? AND tool = ?"
		     " ORDER BY mode, name, %s", st->be->metric_seq) < 0)
		abort();
	r = st->be->query(st, sql, a, 2, err, sizeof(err));
	free(sql);
	if (!r)
		return -1;
	while (st->be->next(r)) {
		fn(ctx, st->be->col_text(r, 0), st->be->col_text(r, 1), st->be->col_real(r, 2));
		n++;
	}
	st->be->done(r);
	return n;
}
