// SPDX-License-Identifier: GPL-2.0
/* SQLite results store: schema, migrations, one-transaction run writer. */
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "store.h"

struct store {
	sqlite3 *db;
	char path[PATH_MAX];
	double busy_s;		/* how long a write waits for a locked store */
	bool readonly;
	volatile sig_atomic_t *stop;	/* set: stop waiting for a locked store */
	double busy_end;	/* when the current wait gives up */
};

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Schema 1: the first store (runs + flat metrics, no environment, no documents). */
static const char schema_v1[] =
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, scenario TEXT NOT NULL,"
	" tag TEXT NOT NULL DEFAULT '', kernel TEXT NOT NULL, started REAL NOT NULL,"
	" repeats INTEGER NOT NULL);"
	"CREATE TABLE metrics(run_id INTEGER NOT NULL REFERENCES runs(id),"
	" repeat_idx INTEGER NOT NULL, tool TEXT NOT NULL, mode TEXT NOT NULL,"
	" name TEXT NOT NULL, value REAL NOT NULL);";

/* Schema 2; also 3's tables (3 changed only the sga-bench metric keys). */
static const char schema_v2[] =
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL,"
	" scenario TEXT NOT NULL, scenario_hash TEXT NOT NULL DEFAULT 'unknown',"
	" tag TEXT NOT NULL DEFAULT '', kernel TEXT NOT NULL,"
	" kernel_config_hash TEXT NOT NULL DEFAULT 'unknown', machine TEXT NOT NULL DEFAULT '',"
	" cpu_model TEXT NOT NULL DEFAULT 'unknown', ncpus INTEGER NOT NULL DEFAULT 0,"
	" mem_bytes INTEGER NOT NULL DEFAULT 0, mmscope_commit TEXT NOT NULL DEFAULT 'unknown',"
	" started REAL NOT NULL, finished REAL, repeats INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX runs_uuid ON runs(uuid);"
	"CREATE TABLE repeats(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL, started REAL, wall_s REAL, exit_status INTEGER,"
	" PRIMARY KEY(run_id, idx));"
	"CREATE TABLE docs(id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" repeat_idx INTEGER NOT NULL, source TEXT NOT NULL, tool TEXT NOT NULL,"
	" mode TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);"
	"CREATE TABLE metrics(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" repeat_idx INTEGER NOT NULL, tool TEXT NOT NULL, mode TEXT NOT NULL,"
	" name TEXT NOT NULL, value REAL NOT NULL, doc_id INTEGER REFERENCES docs(id));"
	"CREATE INDEX metrics_run ON metrics(run_id);"
	"CREATE INDEX runs_tag ON runs(tag);"
	"CREATE INDEX runs_kernel ON runs(kernel);";

/*
 * 1 -> 2: environment columns, uuids, per-repeat rows, and the documents
 * table. Schema-1 metrics become one synthesized document per (run, repeat,
 * tool, mode) so exports of old runs look like new ones.
 */
static const char migrate_1_2[] =
	"ALTER TABLE runs ADD COLUMN uuid TEXT NOT NULL DEFAULT '';"
	"UPDATE runs SET uuid = lower(hex(randomblob(16)));"
	"CREATE UNIQUE INDEX runs_uuid ON runs(uuid);"
	"ALTER TABLE runs ADD COLUMN scenario_hash TEXT NOT NULL DEFAULT 'unknown';"
	"ALTER TABLE runs ADD COLUMN kernel_config_hash TEXT NOT NULL DEFAULT 'unknown';"
	"ALTER TABLE runs ADD COLUMN machine TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE runs ADD COLUMN cpu_model TEXT NOT NULL DEFAULT 'unknown';"
	"ALTER TABLE runs ADD COLUMN ncpus INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN mem_bytes INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN mmscope_commit TEXT NOT NULL DEFAULT 'unknown';"
	"ALTER TABLE runs ADD COLUMN finished REAL;"
	"UPDATE runs SET finished = started;"
	"CREATE TABLE repeats(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL, started REAL, wall_s REAL, exit_status INTEGER,"
	" PRIMARY KEY(run_id, idx));"
	"INSERT INTO repeats(run_id, idx, exit_status)"
	" SELECT DISTINCT run_id, repeat_idx, 0 FROM metrics;"
	"CREATE TABLE docs(id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" repeat_idx INTEGER NOT NULL, source TEXT NOT NULL, tool TEXT NOT NULL,"
	" mode TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);"
	"INSERT INTO docs(run_id, repeat_idx, source, tool, mode, kind, json)"
	" SELECT m.run_id, m.repeat_idx, 'workload', m.tool, m.mode, 'result',"
	"  json_object('schema', 'mmscope/1', 'tool', m.tool, 'kind', 'result',"
	"   'mode', m.mode, 'time', r.started, 'metrics', json_group_object(m.name, m.value),"
	"   'migrated_from', 'store schema 1')"
	" FROM metrics m JOIN runs r ON r.id = m.run_id"
	" GROUP BY m.run_id, m.repeat_idx, m.tool, m.mode;"
	"ALTER TABLE metrics ADD COLUMN doc_id INTEGER REFERENCES docs(id);"
	"UPDATE metrics SET doc_id = (SELECT d.id FROM docs d WHERE d.run_id = metrics.run_id"
	" AND d.repeat_idx = metrics.repeat_idx AND d.tool = metrics.tool AND d.mode = metrics.mode);"
	"CREATE INDEX metrics_run ON metrics(run_id);"
	"CREATE INDEX runs_tag ON runs(tag);"
	"CREATE INDEX runs_kernel ON runs(kernel);";

static int migrate_2_3(sqlite3 *db, char *err, size_t errlen);

/*
 * 3 -> 4: a run's status. `mmscope run` records each document as soon as it
 * is complete, so a run can be stored without having finished: "unfinished"
 * while it runs (and forever if its recorder was killed), "partial" when it
 * failed, timed out or was interrupted (status_reason says why), "complete"
 * otherwise. Every run stored before 4 was written whole: complete.
 */
static const char migrate_3_4[] =
	"ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'complete';"
	"ALTER TABLE runs ADD COLUMN status_reason TEXT;"
	"CREATE INDEX runs_scenario ON runs(scenario);";

/*
 * 4 -> 5: what was run. `mmscope run --set` changes a scenario's workload
 * line; the line as run and the overrides given are kept so a run can be
 * read back (and repeated) exactly. Runs before 5 ran their file as written.
 */
static const char migrate_4_5[] =
	"ALTER TABLE runs ADD COLUMN workload TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE runs ADD COLUMN overrides TEXT NOT NULL DEFAULT '';";

/* [v] goes v -> v+1: SQL, then a function for what SQL cannot say. */
static const struct migration {
	const char *sql;
	int (*fn)(sqlite3 *db, char *err, size_t errlen);
} migrations[] = {
	{ NULL, NULL },
	{ migrate_1_2, NULL },
	{ NULL, migrate_2_3 },
	{ migrate_3_4, NULL },
	{ migrate_4_5, NULL },
};

int store_default_path(char *buf, size_t len)
{
	const char *env = getenv("MMSCOPE_DB"), *home = getenv("HOME");

	if (env && *env)
		return snprintf(buf, len, "%s", env) < (int)len ? 0 : -1;
	if (!home || !*home)
		return -1;
	return snprintf(buf, len, "%s/.local/share/mmscope/results.db", home) < (int)len ? 0 : -1;
}

static int mkdir_parents(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int exec_sql(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	fail(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int table_count(sqlite3 *db)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Create or migrate inside one write transaction, so a crash leaves the old schema. */
static int prepare_schema(struct store *st, char *err, size_t errlen)
{
	char buf[64], e2[512];
	int v;

	/*
	 * Already current: nothing to write. (Taking the write lock anyway would
	 * fail an open on a full disk or under another client's lock, before
	 * anything was measured.)
	 */
	if (user_version(st->db) == STORE_SCHEMA_VERSION)
		return 0;
	if (exec_sql(st->db, "BEGIN IMMEDIATE", e2, sizeof(e2)) < 0)
		return fail(err, errlen, "%s: %s", st->path, e2);
	v = user_version(st->db);
	if (v == 0 && table_count(st->db) == 0) {
		/* schema 2's tables are 3's; later versions migrate from there */
		if (exec_sql(st->db, schema_v2, e2, sizeof(e2)) < 0)
			goto bad;
		v = 3;
	} else if (v < 1) {
		exec_sql(st->db, "ROLLBACK", e2, sizeof(e2));
		return fail(err, errlen, "%s: not an mmscope results store (user_version %d, has tables)",
			    st->path, v);
	} else if (v > STORE_SCHEMA_VERSION) {
		exec_sql(st->db, "ROLLBACK", e2, sizeof(e2));
		return fail(err, errlen, "%s: store schema version %d is newer than this mmscope's (%d); upgrade mmscope",
			    st->path, v, STORE_SCHEMA_VERSION);
	}
	for (; v < STORE_SCHEMA_VERSION; v++)
		if ((migrations[v].sql && exec_sql(st->db, migrations[v].sql, e2, sizeof(e2)) < 0) ||
		    (migrations[v].fn && migrations[v].fn(st->db, e2, sizeof(e2)) < 0))
			goto bad;
	snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	if (exec_sql(st->db, buf, e2, sizeof(e2)) < 0 ||
	    exec_sql(st->db, "COMMIT", e2, sizeof(e2)) < 0)
		goto bad;
	return 0;
bad:
	{
		char e3[64];

		exec_sql(st->db, "ROLLBACK", e3, sizeof(e3));
	}
	return fail(err, errlen, "%s: preparing schema version %d: %s", st->path, v + 1, e2);
}

/* Exposed for the migration test: a fresh schema-1 store. */
int store_create_v1(const char *path, char *err, size_t errlen);
int store_create_v1(const char *path, char *err, size_t errlen)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return fail(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
	rc = exec_sql(db, schema_v1, err, errlen);
	if (!rc)
		rc = exec_sql(db, "PRAGMA user_version = 1", err, errlen);
	sqlite3_close(db);
	return rc;
}

static int resolve_path(struct store *st, const char *path, char *err, size_t errlen)
{
	if (path)
		snprintf(st->path, sizeof(st->path), "%s", path);
	else if (store_default_path(st->path, sizeof(st->path)) < 0)
		return fail(err, errlen, "no results store: set $MMSCOPE_DB or $HOME, or pass --db PATH");
	return 0;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	char e2[512];

	if (!st)
		abort();
	st->busy_s = 10;
	if (resolve_path(st, path, err, errlen) < 0) {
		free(st);
		return NULL;
	}
	if (mkdir_parents(st->path) < 0) {
		fail(err, errlen, "%s: cannot create its directory: %s", st->path, strerror(errno));
		free(st);
		return NULL;
	}
	if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
	    != SQLITE_OK) {
		fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto bad;
	}
	sqlite3_busy_timeout(st->db, 10000);
	/* a non-SQLite file fails here with "file is not a database" */
	if (exec_sql(st->db, "PRAGMA foreign_keys = ON", e2, sizeof(e2)) < 0 ||
	    table_count(st->db) < 0) {
		fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto bad;
	}
	if (prepare_schema(st, err, errlen) < 0)
		goto bad;
	return st;
bad:
	sqlite3_close(st->db);
	free(st);
	return NULL;
}

/*
 * Read-only commands must not change the store: no file or directory is
 * created, nothing is migrated in place. A store of an older schema is
 * copied into memory and migrated there, so it reads like a current one.
 */
struct store *store_open_readonly(const char *path, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	sqlite3 *mem = NULL;
	struct stat sb = { 0 };
	int v, tables;

	if (!st)
		abort();
	st->readonly = true;
	st->busy_s = 10;
	if (resolve_path(st, path, err, errlen) < 0) {
		free(st);
		return NULL;
	}
	if (stat(st->path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (sb.st_mode && !S_ISREG(sb.st_mode))
			fail(err, errlen, "no such store: %s (not a regular file)", st->path);
		else if (errno == ENOENT || errno == ENOTDIR)
			fail(err, errlen, "no such store: %s", st->path);
		else
			fail(err, errlen, "%s: %s", st->path, strerror(errno));
		free(st);
		return NULL;
	}
	if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto bad;
	}
	sqlite3_busy_timeout(st->db, 10000);
	tables = table_count(st->db);
	v = user_version(st->db);
	if (tables < 0 || v < 0) {
		fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		goto bad;
	}
	if (v == 0 && tables == 0) {
		fail(err, errlen, "%s: an empty file, not an mmscope results store", st->path);
		goto bad;
	}
	if (v < 1) {
		fail(err, errlen, "%s: not an mmscope results store (user_version %d, has tables)",
		     st->path, v);
		goto bad;
	}
	if (v > STORE_SCHEMA_VERSION) {
		fail(err, errlen, "%s: store schema version %d is newer than this mmscope's (%d); upgrade mmscope",
		     st->path, v, STORE_SCHEMA_VERSION);
		goto bad;
	}
	if (v < STORE_SCHEMA_VERSION) {
		sqlite3_backup *b;

		if (sqlite3_open(":memory:", &mem) != SQLITE_OK)
			goto bad_mem;
		b = sqlite3_backup_init(mem, "main", st->db, "main");
		if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
			sqlite3_backup_finish(b);
			goto bad_mem;
		}
		if (sqlite3_backup_finish(b) != SQLITE_OK)
			goto bad_mem;
		sqlite3_close(st->db);
		st->db = mem;
		mem = NULL;
		if (prepare_schema(st, err, errlen) < 0)
			goto bad;
	}
	return st;
bad_mem:
	fail(err, errlen, "%s: reading an older store into memory: %s", st->path,
	     sqlite3_errmsg(mem ? mem : st->db));
	sqlite3_close(mem);
bad:
	sqlite3_close(st->db);
	free(st);
	return NULL;
}

void store_set_busy_timeout(struct store *st, double secs)
{
	st->busy_s = secs;
	sqlite3_busy_timeout(st->db, (int)(secs * 1000));
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* SQLite's busy wait, cut short when *st->stop is set (a signal arrived). */
static int busy_wait(void *arg, int n)
{
	struct store *st = arg;

	(void)n;
	if ((st->stop && *st->stop) || mono_s() >= st->busy_end)
		return 0;
	usleep(20000);
	return 1;
}

void store_set_stop_flag(struct store *st, volatile sig_atomic_t *stop)
{
	st->stop = stop;
	st->busy_end = mono_s() + st->busy_s;
	sqlite3_busy_handler(st->db, busy_wait, st);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

struct sqlite3 *store_db(struct store *st)
{
	return st->db;
}

/* ---- writing a run ---------------------------------------------------- */

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
static void sga_label(struct json_object *doc, char *out, size_t len)
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

		sga_label(doc, sz, sizeof(sz));
		o += snprintf(out + o, len - o, "%ssga=%s", first ? "[" : ",", sz);
		first = false;
	}
	if (!first && o < len)
		snprintf(out + o, len - o, "]");
}

/*
 * 2 -> 3: sga-bench keys gain the SGA size. Stored metric modes are rewritten
 * from their document ("shmem[procs=1500]" -> "shmem[procs=1500,sga=4G]",
 * a "#2" suffix kept); rows whose document has no size become "sga=unknown"
 * and so never compare with a run that has one.
 */
static void insert_sga(const char *mode, const char *label, char *out, size_t len)
{
	const char *hash = strchr(mode, '#'), *end = hash ? hash : mode + strlen(mode);
	int base = (int)(end - mode);

	if (base > 0 && mode[base - 1] == ']')
		snprintf(out, len, "%.*s,sga=%s]%s", base - 1, mode, label, end);
	else
		snprintf(out, len, "%.*s[sga=%s]%s", base, mode, label, end);
}

static int migrate_2_3(sqlite3 *db, char *err, size_t errlen)
{
	struct row { int64_t doc_id; bool has_doc; char *mode, *new_mode; } *rows = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT DISTINCT m.doc_id, m.mode, d.json FROM metrics m"
			       " LEFT JOIN docs d ON d.id = m.doc_id WHERE m.tool = 'sga-bench'",
			       -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *js = (const char *)sqlite3_column_text(s, 2);
		struct json_object *doc = js ? json_tokener_parse(js) : NULL;
		char label[32], buf[512];

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = realloc(rows, cap * sizeof(*rows));
		}
		rows[n].has_doc = sqlite3_column_type(s, 0) != SQLITE_NULL;
		rows[n].doc_id = sqlite3_column_int64(s, 0);
		rows[n].mode = strdup((const char *)sqlite3_column_text(s, 1));
		sga_label(doc, label, sizeof(label));
		insert_sga(rows[n].mode, label, buf, sizeof(buf));
		rows[n++].new_mode = strdup(buf);
		json_object_put(doc);
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "UPDATE metrics SET mode = ?1 WHERE tool = 'sga-bench'"
			       " AND doc_id IS ?2 AND mode = ?3", -1, &s, NULL) != SQLITE_OK)
		rc = fail(err, errlen, "%s", sqlite3_errmsg(db));
	for (size_t i = 0; i < n && !rc; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, rows[i].new_mode, -1, SQLITE_STATIC);
		if (rows[i].has_doc)
			sqlite3_bind_int64(s, 2, rows[i].doc_id);
		else
			sqlite3_bind_null(s, 2);
		sqlite3_bind_text(s, 3, rows[i].mode, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = fail(err, errlen, "sga-bench keys: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++) {
		free(rows[i].mode);
		free(rows[i].new_mode);
	}
	free(rows);
	return rc;
}

static int insert_doc(sqlite3 *db, int64_t run_id, int rep, const char *source,
		      struct json_object *doc, const char *mode_q, char *err, size_t errlen)
{
	const char *tool = jstr(doc, "tool", NULL), *mode = jstr(doc, "mode", ""),
		   *kind = jstr(doc, "kind", NULL);
	struct json_object *metrics;
	sqlite3_stmt *s;
	int64_t doc_id;

	if (!tool || !kind)
		return fail(err, errlen, "repeat %d: a document has no \"tool\" or \"kind\"", rep);
	if (sqlite3_prepare_v2(db, "INSERT INTO docs(run_id, repeat_idx, source, tool, mode, kind, json)"
			       " VALUES(?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int(s, 2, rep);
	sqlite3_bind_text(s, 3, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, tool, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, mode, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
			  -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(s);
	doc_id = sqlite3_last_insert_rowid(db);

	/* only whole-run figures are samples; interval documents are history */
	if (strcmp(kind, "summary") && strcmp(kind, "result"))
		return 0;
	if (!json_object_object_get_ex(doc, "metrics", &metrics) ||
	    !json_object_is_type(metrics, json_type_object))
		return 0;
	if (sqlite3_prepare_v2(db, "INSERT INTO metrics(run_id, repeat_idx, tool, mode, name, value, doc_id)"
			       " VALUES(?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	json_object_object_foreach(metrics, name, val) {
		double d;

		if (!json_object_is_type(val, json_type_double) &&
		    !json_object_is_type(val, json_type_int))
			continue;
		d = json_object_get_double(val);
		if (!isfinite(d))
			continue;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, run_id);
		sqlite3_bind_int(s, 2, rep);
		sqlite3_bind_text(s, 3, tool, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, mode_q, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(s, 6, d);
		sqlite3_bind_int64(s, 7, doc_id);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return fail(err, errlen, "%s", sqlite3_errmsg(db));
		}
	}
	sqlite3_finalize(s);
	return 0;
}

static const char *run_status(struct json_object *run)
{
	const char *st = jstr(run, "status", "complete");

	return !strcmp(st, "partial") || !strcmp(st, "unfinished") ? st : "complete";
}

/* The runs row of run (export format); nrep repeats counted so far. */
static int insert_run_row(sqlite3 *db, struct json_object *run, size_t nrep, int64_t *id,
			  char *err, size_t errlen)
{
	sqlite3_stmt *s;
	const char *uuid = jstr(run, "uuid", NULL), *scenario = jstr(run, "scenario", NULL),
		   *kernel = jstr(run, "kernel", NULL), *status = run_status(run);
	double started;

	if (!uuid || !*uuid || !scenario || !kernel || jnum(run, "started", &started) < 0)
		return fail(err, errlen, "run lacks uuid, scenario, kernel or started");
	if (sqlite3_prepare_v2(db,
		"INSERT INTO runs(uuid, scenario, scenario_hash, tag, kernel, kernel_config_hash,"
		" machine, cpu_model, ncpus, mem_bytes, mmscope_commit, started, finished, repeats,"
		" status, status_reason, workload, overrides)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, scenario, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, jstr(run, "scenario_hash", "unknown"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, jstr(run, "tag", ""), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, kernel, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, jstr(run, "kernel_config_hash", "unknown"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, jstr(run, "machine", ""), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, jstr(run, "cpu_model", "unknown"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 9, (int64_t)jnum_or(run, "ncpus", 0));
	sqlite3_bind_int64(s, 10, (int64_t)jnum_or(run, "mem_bytes", 0));
	sqlite3_bind_text(s, 11, jstr(run, "mmscope_commit", "unknown"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 12, started);
	if (!strcmp(status, "unfinished"))
		sqlite3_bind_null(s, 13);
	else
		sqlite3_bind_double(s, 13, jnum_or(run, "finished", started));
	sqlite3_bind_int64(s, 14, (int64_t)nrep);
	sqlite3_bind_text(s, 15, status, -1, SQLITE_TRANSIENT);
	if (jstr(run, "status_reason", NULL))
		sqlite3_bind_text(s, 16, jstr(run, "status_reason", NULL), -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 16);
	sqlite3_bind_text(s, 17, jstr(run, "workload", ""), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 18, jstr(run, "overrides", ""), -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(s);
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

static int insert_repeat(sqlite3 *db, int64_t id, int idx, double started, double wall_s,
			 int exit_status, bool replace, char *err, size_t errlen)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, replace
			? "INSERT OR REPLACE INTO repeats(run_id, idx, started, wall_s, exit_status) VALUES(?,?,?,?,?)"
			: "INSERT OR IGNORE INTO repeats(run_id, idx, started, wall_s, exit_status) VALUES(?,?,?,?,?)",
			       -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, idx);
	sqlite3_bind_double(s, 3, started);
	if (isfinite(wall_s))
		sqlite3_bind_double(s, 4, wall_s);
	else
		sqlite3_bind_null(s, 4);
	if (exit_status >= 0)
		sqlite3_bind_int(s, 5, exit_status);
	else
		sqlite3_bind_null(s, 5);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return fail(err, errlen, "repeat %d: %s", idx, sqlite3_errmsg(db));
	}
	sqlite3_finalize(s);
	return 0;
}

/* Is metric key tool.mode_q already used in this repeat? */
static int mode_taken(sqlite3 *db, int64_t id, int idx, const char *tool, const char *mode_q)
{
	sqlite3_stmt *s;
	int taken;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM metrics WHERE run_id = ? AND repeat_idx = ?"
			       " AND tool = ? AND mode = ? LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, idx);
	sqlite3_bind_text(s, 3, tool, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, mode_q, -1, SQLITE_TRANSIENT);
	taken = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return taken;
}

/*
 * One document of repeat idx, keyed by its qualified mode; a key already
 * used in the repeat gets #2, #3... The same code stores a whole imported
 * run and a document `mmscope run` just read, so both key alike.
 */
static int add_doc(sqlite3 *db, int64_t id, int idx, const char *source, struct json_object *doc,
		   char *err, size_t errlen)
{
	char mode_q[256];
	size_t base_len;
	const char *tool = jstr(doc, "tool", "");
	int t;

	store_qualified_mode(doc, mode_q, sizeof(mode_q));
	base_len = strlen(mode_q);
	for (int dup = 2; (t = mode_taken(db, id, idx, tool, mode_q)) == 1 && dup < 10000; dup++)
		snprintf(mode_q + base_len, sizeof(mode_q) - base_len, "#%d", dup);
	if (t < 0)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	return insert_doc(db, id, idx, source, doc, mode_q, err, errlen);
}

/*
 * A repeat's host-noise figures (mmscope run, hostnoise.h): metrics
 * host.noise.NAME of the repeat with no document, replacing any it had.
 * They are samples like any metric, so compare reads them per repeat; the
 * judging rule never gives them a verdict (metric_unjudged).
 */
static int insert_host(sqlite3 *db, int64_t id, int idx, struct json_object *host,
		       char *err, size_t errlen)
{
	sqlite3_stmt *s;

	if (!host || !json_object_is_type(host, json_type_object))
		return 0;
	if (sqlite3_prepare_v2(db, "DELETE FROM metrics WHERE run_id = ? AND repeat_idx = ?"
			       " AND tool = 'host' AND doc_id IS NULL", -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, idx);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "INSERT INTO metrics(run_id, repeat_idx, tool, mode, name, value)"
			       " VALUES(?, ?, 'host', 'noise', ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	json_object_object_foreach(host, name, val) {
		double d;

		if (!json_object_is_type(val, json_type_double) &&
		    !json_object_is_type(val, json_type_int))
			continue;
		d = json_object_get_double(val);
		if (!isfinite(d))
			continue;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int(s, 2, idx);
		sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(s, 4, d);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return fail(err, errlen, "repeat %d host figures: %s", idx, sqlite3_errmsg(db));
		}
	}
	sqlite3_finalize(s);
	return 0;
}

static int write_run(sqlite3 *db, struct json_object *run, int64_t *id, char *err, size_t errlen)
{
	struct json_object *reps;
	const char *uuid = jstr(run, "uuid", "?");
	double started = jnum_or(run, "started", 0);
	size_t nrep;

	if (!json_object_object_get_ex(run, "repeats", &reps) ||
	    !json_object_is_type(reps, json_type_array) || !json_object_array_length(reps))
		return fail(err, errlen, "run %s has no repeats", uuid);
	nrep = json_object_array_length(reps);
	if (insert_run_row(db, run, nrep, id, err, errlen) < 0)
		return -1;

	for (size_t i = 0; i < nrep; i++) {
		struct json_object *rep = json_object_array_get_idx(reps, i), *docs;
		int idx = (int)jnum_or(rep, "index", (double)i);

		if (insert_repeat(db, *id, idx, jnum_or(rep, "started", started),
				  jnum_or(rep, "wall_s", 0), (int)jnum_or(rep, "exit_status", 0),
				  false, err, errlen) < 0)
			return -1;
		if (insert_host(db, *id, idx, json_object_object_get(rep, "host"), err, errlen) < 0)
			return -1;
		if (!json_object_object_get_ex(rep, "docs", &docs) ||
		    !json_object_is_type(docs, json_type_array))
			return fail(err, errlen, "repeat %d has no \"docs\" array", idx);
		for (size_t d = 0; d < json_object_array_length(docs); d++) {
			struct json_object *e = json_object_array_get_idx(docs, d), *doc;

			if (!json_object_object_get_ex(e, "doc", &doc) ||
			    !json_object_is_type(doc, json_type_object))
				return fail(err, errlen, "repeat %d: entry %zu has no \"doc\" object", idx, d);
			if (add_doc(db, *id, idx, jstr(e, "source", "workload"), doc, err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * BEGIN IMMEDIATE, waiting up to the store's busy time: SQLite's busy
 * handler sleeps on a held lock, and a BUSY it gives back early (another
 * writer's deadlock avoidance) is retried here until the same deadline.
 */
static int tx_begin(struct store *st, char *err, size_t errlen)
{
	double end = mono_s() + st->busy_s;
	char e2[256];

	st->busy_end = end;
	for (;;) {
		int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

		if (rc == SQLITE_OK)
			return 0;
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || mono_s() >= end ||
		    (st->stop && *st->stop)) {
			snprintf(e2, sizeof(e2), "%s", sqlite3_errmsg(st->db));
			return fail(err, errlen, "%s: %s", st->path, e2);
		}
		usleep(100000);
	}
}

static int tx_commit(struct store *st, char *err, size_t errlen)
{
	double end = mono_s() + st->busy_s;
	char e2[256];

	st->busy_end = end;
	for (;;) {
		int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);

		if (rc == SQLITE_OK)
			return 0;
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || mono_s() >= end ||
		    (st->stop && *st->stop)) {
			snprintf(e2, sizeof(e2), "%s", sqlite3_errmsg(st->db));
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return fail(err, errlen, "%s: commit: %s", st->path, e2);
		}
		usleep(100000);
	}
}

static void tx_rollback(struct store *st)
{
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The status of the run with that uuid: 1 found (*id, status copied), 0 none, -1 error. */
static int find_uuid_status(sqlite3 *db, const char *uuid, int64_t *id, char *status, size_t len)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, status FROM runs WHERE uuid = ?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		snprintf(status, len, "%s", (const char *)sqlite3_column_text(s, 1));
		rc = 1;
	}
	sqlite3_finalize(s);
	return rc;
}

int store_add_run(struct store *st, struct json_object *run, int64_t *id,
		  char *err, size_t errlen)
{
	const char *uuid = jstr(run, "uuid", "");
	char status[32];
	int64_t have;
	int found;

	if (st->readonly)
		return fail(err, errlen, "%s: opened read-only", st->path);
	if (tx_begin(st, err, errlen) < 0)
		return -1;
	found = find_uuid_status(st->db, uuid, &have, status, sizeof(status));
	if (found < 0) {
		fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		tx_rollback(st);
		return -1;
	}
	/*
	 * An unfinished run of that uuid is what a `mmscope run` whose store
	 * failed it left behind; the run it wrote to its fallback file
	 * replaces it (docs, repeats and metrics go with it: ON DELETE CASCADE).
	 */
	if (found && strcmp(status, "unfinished")) {
		tx_rollback(st);
		*id = have;
		return 1;
	}
	if (found) {
		sqlite3_stmt *s;
		int ok = sqlite3_prepare_v2(st->db, "DELETE FROM runs WHERE id = ?", -1, &s, NULL) == SQLITE_OK;

		if (ok) {
			sqlite3_bind_int64(s, 1, have);
			ok = sqlite3_step(s) == SQLITE_DONE;
			sqlite3_finalize(s);
		}
		if (!ok) {
			fail(err, errlen, "%s: replacing unfinished run %lld: %s", st->path,
			     (long long)have, sqlite3_errmsg(st->db));
			tx_rollback(st);
			return -1;
		}
	}
	if (write_run(st->db, run, id, err, errlen) < 0) {
		tx_rollback(st);
		return -1;
	}
	return tx_commit(st, err, errlen);
}

/* ---- recording a run as it goes (mmscope run) ------------------------- */

int store_run_begin(struct store *st, struct json_object *hdr, int64_t *id,
		    char *err, size_t errlen)
{
	struct json_object *copy = NULL;

	if (tx_begin(st, err, errlen) < 0)
		return -1;
	json_object_deep_copy(hdr, &copy, NULL);
	json_object_object_add(copy, "status", json_object_new_string("unfinished"));
	if (insert_run_row(st->db, copy, 0, id, err, errlen) < 0) {
		json_object_put(copy);
		tx_rollback(st);
		return -1;
	}
	json_object_put(copy);
	return tx_commit(st, err, errlen);
}

static int count_repeats(sqlite3 *db, int64_t id, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int ok;

	if (sqlite3_prepare_v2(db, "UPDATE runs SET repeats = (SELECT count(*) FROM repeats"
			       " WHERE run_id = ?1) WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_bind_int64(s, 1, id);
	ok = sqlite3_step(s) == SQLITE_DONE;
	sqlite3_finalize(s);
	return ok ? 0 : fail(err, errlen, "%s", sqlite3_errmsg(db));
}

int store_run_doc(struct store *st, int64_t id, int rep, double rep_started, const char *source,
		  struct json_object *doc, char *err, size_t errlen)
{
	if (tx_begin(st, err, errlen) < 0)
		return -1;
	if (insert_repeat(st->db, id, rep, rep_started, NAN, -1, false, err, errlen) < 0 ||
	    count_repeats(st->db, id, err, errlen) < 0 ||
	    add_doc(st->db, id, rep, source, doc, err, errlen) < 0) {
		tx_rollback(st);
		return -1;
	}
	return tx_commit(st, err, errlen);
}

int store_run_repeat(struct store *st, int64_t id, int rep, double started, double wall_s,
		     int exit_status, struct json_object *host, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int ok;

	if (tx_begin(st, err, errlen) < 0)
		return -1;
	/* an UPDATE keeps the row the documents hang on (REPLACE would cascade) */
	ok = sqlite3_prepare_v2(st->db, "UPDATE repeats SET started = ?3, wall_s = ?4, exit_status = ?5"
				" WHERE run_id = ?1 AND idx = ?2", -1, &s, NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int(s, 2, rep);
		sqlite3_bind_double(s, 3, started);
		sqlite3_bind_double(s, 4, wall_s);
		sqlite3_bind_int(s, 5, exit_status);
		ok = sqlite3_step(s) == SQLITE_DONE;
		sqlite3_finalize(s);
	}
	if (!ok) {
		fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		tx_rollback(st);
		return -1;
	}
	if (!sqlite3_changes(st->db) &&
	    insert_repeat(st->db, id, rep, started, wall_s, exit_status, false, err, errlen) < 0) {
		tx_rollback(st);
		return -1;
	}
	if (insert_host(st->db, id, rep, host, err, errlen) < 0) {
		tx_rollback(st);
		return -1;
	}
	if (count_repeats(st->db, id, err, errlen) < 0) {
		tx_rollback(st);
		return -1;
	}
	return tx_commit(st, err, errlen);
}

int store_run_finish(struct store *st, int64_t id, const char *status, const char *reason,
		     double finished, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int ok;

	if (tx_begin(st, err, errlen) < 0)
		return -1;
	ok = sqlite3_prepare_v2(st->db, "UPDATE runs SET status = ?2, status_reason = ?3, finished = ?4"
				" WHERE id = ?1", -1, &s, NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, status, -1, SQLITE_TRANSIENT);
		if (reason)
			sqlite3_bind_text(s, 3, reason, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(s, 3);
		sqlite3_bind_double(s, 4, finished);
		ok = sqlite3_step(s) == SQLITE_DONE;
		sqlite3_finalize(s);
	}
	if (!ok || count_repeats(st->db, id, err, errlen) < 0) {
		if (!ok)
			fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
		tx_rollback(st);
		return -1;
	}
	return tx_commit(st, err, errlen);
}

int store_filter_complete(struct store *st, int64_t *ids, int n)
{
	sqlite3_stmt *s;
	int k = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT status = 'complete' FROM runs WHERE id = ?", -1, &s, NULL)
	    != SQLITE_OK)
		return n;
	for (int i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, ids[i]);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0))
			ids[k++] = ids[i];
	}
	sqlite3_finalize(s);
	return k;
}

double store_scenario_repeat_s(struct store *st, const char *scenario, int *n)
{
	sqlite3_stmt *s;
	double v = NAN;

	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT avg(p.wall_s), count(p.wall_s) FROM repeats p"
			       " JOIN runs r ON r.id = p.run_id WHERE r.scenario = ? AND r.status = 'complete'"
			       " AND p.wall_s > 0", -1, &s, NULL) != SQLITE_OK)
		return NAN;
	sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		v = sqlite3_column_double(s, 0);
		*n = sqlite3_column_int(s, 1);
	}
	sqlite3_finalize(s);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double store_scenario_repeat_median_s(struct store *st, const char *scenario, int *n, int *nruns)
{
	sqlite3_stmt *s;
	double *v = NULL, m = NAN;
	int cap = 0;

	*n = *nruns = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT p.wall_s, p.run_id FROM repeats p"
			       " JOIN runs r ON r.id = p.run_id WHERE r.scenario = ? AND r.status = 'complete'"
			       " AND p.wall_s > 0 ORDER BY p.run_id", -1, &s, NULL) != SQLITE_OK)
		return NAN;
	sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
	for (int64_t last = -1; sqlite3_step(s) == SQLITE_ROW;) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[(*n)++] = sqlite3_column_double(s, 0);
		if (sqlite3_column_int64(s, 1) != last)
			(*nruns)++;
		last = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (*n) {
		qsort(v, *n, sizeof(*v), cmp_double);
		m = *n % 2 ? v[*n / 2] : (v[*n / 2 - 1] + v[*n / 2]) / 2;
	}
	free(v);
	return m;
}

/* ---- reading ----------------------------------------------------------- */

static void put_col(struct json_object *o, sqlite3_stmt *s, int col, const char *name)
{
	switch (sqlite3_column_type(s, col)) {
	case SQLITE_INTEGER:
		json_object_object_add(o, name, json_object_new_int64(sqlite3_column_int64(s, col)));
		break;
	case SQLITE_FLOAT:
		json_object_object_add(o, name, json_object_new_double(sqlite3_column_double(s, col)));
		break;
	case SQLITE_NULL:
		json_object_object_add(o, name, NULL);
		break;
	default:
		json_object_object_add(o, name,
			json_object_new_string((const char *)sqlite3_column_text(s, col)));
	}
}

#define RUN_COLS "id, uuid, scenario, scenario_hash, tag, kernel, kernel_config_hash, machine," \
		 " cpu_model, ncpus, mem_bytes, mmscope_commit, started, finished, repeats," \
		 " status, status_reason, workload, overrides"

static struct json_object *run_row(sqlite3_stmt *s, bool with_id)
{
	struct json_object *o = json_object_new_object();

	for (int c = with_id ? 0 : 1; c < sqlite3_column_count(s); c++)
		put_col(o, s, c, sqlite3_column_name(s, c));
	return o;
}

struct json_object *store_get_run(struct store *st, int64_t id)
{
	struct json_object *run, *reps;
	sqlite3_stmt *s, *d, *h;

	if (sqlite3_prepare_v2(st->db, "SELECT " RUN_COLS " FROM runs WHERE id = ?", -1, &s, NULL))
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return NULL;
	}
	run = run_row(s, false);
	json_object_object_del(run, "repeats");
	sqlite3_finalize(s);

	reps = json_object_new_array();
	json_object_object_add(run, "repeats", reps);
	sqlite3_prepare_v2(st->db, "SELECT idx, started, wall_s, exit_status FROM repeats"
			   " WHERE run_id = ? ORDER BY idx", -1, &s, NULL);
	sqlite3_prepare_v2(st->db, "SELECT source, json FROM docs WHERE run_id = ? AND repeat_idx = ?"
			   " ORDER BY id", -1, &d, NULL);
	sqlite3_prepare_v2(st->db, "SELECT name, value FROM metrics WHERE run_id = ? AND repeat_idx = ?"
			   " AND tool = 'host' AND doc_id IS NULL ORDER BY rowid", -1, &h, NULL);
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct json_object *rep = json_object_new_object(), *docs = json_object_new_array();
		struct json_object *host = NULL;

		put_col(rep, s, 0, "index");
		put_col(rep, s, 1, "started");
		put_col(rep, s, 2, "wall_s");
		put_col(rep, s, 3, "exit_status");
		sqlite3_reset(h);
		sqlite3_bind_int64(h, 1, id);
		sqlite3_bind_int(h, 2, sqlite3_column_int(s, 0));
		while (sqlite3_step(h) == SQLITE_ROW) {
			if (!host)
				host = json_object_new_object();
			json_object_object_add(host, (const char *)sqlite3_column_text(h, 0),
					       json_object_new_double(sqlite3_column_double(h, 1)));
		}
		if (host)
			json_object_object_add(rep, "host", host);
		json_object_object_add(rep, "docs", docs);
		sqlite3_reset(d);
		sqlite3_bind_int64(d, 1, id);
		sqlite3_bind_int(d, 2, sqlite3_column_int(s, 0));
		while (sqlite3_step(d) == SQLITE_ROW) {
			struct json_object *e = json_object_new_object();

			put_col(e, d, 0, "source");
			json_object_object_add(e, "doc",
				json_tokener_parse((const char *)sqlite3_column_text(d, 1)));
			json_object_array_add(docs, e);
		}
		json_object_array_add(reps, rep);
	}
	sqlite3_finalize(h);
	sqlite3_finalize(d);
	sqlite3_finalize(s);
	return run;
}

static int collect_ids(sqlite3 *db, const char *sql, const char *arg, int64_t **ids)
{
	sqlite3_stmt *s;
	int n = 0, cap = 0;

	*ids = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = realloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return n;
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

int store_select(struct store *st, const char *sel, int64_t **ids, char *err, size_t errlen)
{
	const char *by_tag = "SELECT id FROM runs WHERE tag = ? ORDER BY started, id";
	const char *by_kernel = "SELECT id FROM runs WHERE kernel = ? ORDER BY started, id";
	const char *by_scn = "SELECT id FROM runs WHERE scenario = ? ORDER BY started, id";
	int n = 0;

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
			k = collect_ids(st->db, "SELECT id FROM runs WHERE id = ?", t, &got);
			free(got);
			if (k <= 0) {
				free(copy);
				free(*ids);
				*ids = NULL;
				return fail(err, errlen, "no run with id %lld in %s", (long long)id, st->path);
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
	if (!strcmp(sel, "latest"))
		n = collect_ids(st->db, "SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT 1", NULL, ids);
	else if (!strcmp(sel, "all"))
		n = collect_ids(st->db, "SELECT id FROM runs ORDER BY started, id", NULL, ids);
	else if (!strncmp(sel, "tag:", 4))
		n = collect_ids(st->db, by_tag, sel + 4, ids);
	else if (!strncmp(sel, "kernel:", 7))
		n = collect_ids(st->db, by_kernel, sel + 7, ids);
	else if (!strncmp(sel, "scenario:", 9))
		n = collect_ids(st->db, by_scn, sel + 9, ids);
	else {
		n = collect_ids(st->db, by_tag, sel, ids);
		if (n == 0) {
			free(*ids);
			n = collect_ids(st->db, by_kernel, sel, ids);
		}
		if (n == 0) {
			free(*ids);
			n = collect_ids(st->db, by_scn, sel, ids);
		}
	}
	if (n < 0)
		return fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(st->db));
	if (n == 0) {
		free(*ids);
		*ids = NULL;
		return fail(err, errlen, "no runs match '%s' in %s (see mmscope runs)", sel, st->path);
	}
	return n;
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
	char *list = id_list(ids, n), *sql;
	sqlite3_stmt *s;

	if (asprintf(&sql, "SELECT " RUN_COLS ", (SELECT count(DISTINCT tool || '.' || mode || '.' || name)"
		     " FROM metrics m WHERE m.run_id = runs.id AND NOT (m.tool = 'host' AND m.doc_id IS NULL))"
		     " AS metrics"
		     " FROM runs WHERE id IN (%s) ORDER BY started, id", list) < 0)
		abort();
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			json_object_array_add(arr, run_row(s, true));
		sqlite3_finalize(s);
	}
	free(sql);
	free(list);
	return arr;
}

/* ---- samples and comparison ------------------------------------------- */

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
	char *list = id_list(ids, n), *sql;
	sqlite3_stmt *s;

	memset(out, 0, sizeof(*out));
	/* each sample with the other-CPU share of its repeat (host noise, if recorded) */
	if (asprintf(&sql, "SELECT m.tool || '.' || m.mode || '.' || m.name AS key, m.value,"
		     " (SELECT h.value FROM metrics h WHERE h.run_id = m.run_id"
		     "  AND h.repeat_idx = m.repeat_idx AND h.tool = 'host' AND h.mode = 'noise'"
		     "  AND h.name = 'other_cpu_pct' AND h.doc_id IS NULL LIMIT 1)"
		     " FROM metrics m WHERE m.run_id IN (%s) ORDER BY key, m.run_id, m.repeat_idx",
		     list) < 0)
		abort();
	free(list);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		free(sql);
		return -1;
	}
	free(sql);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct metric_samples *m = samples_for(out, (const char *)sqlite3_column_text(s, 0));

		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 8;
			m->v = realloc(m->v, m->cap * sizeof(*m->v));
			m->other_cpu = realloc(m->other_cpu, m->cap * sizeof(*m->other_cpu));
			if (!m->v || !m->other_cpu)
				abort();
		}
		m->other_cpu[m->n] = sqlite3_column_type(s, 2) == SQLITE_NULL ? NAN
							: sqlite3_column_double(s, 2);
		m->v[m->n++] = sqlite3_column_double(s, 1);
	}
	sqlite3_finalize(s);
	return out->n;
}

void sample_set_free(struct sample_set *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->m[i].key);
		free(s->m[i].v);
		free(s->m[i].other_cpu);
	}
	free(s->m);
	memset(s, 0, sizeof(*s));
}

/* How many of m's samples have host figures, and the largest other-CPU share. */
static void noise_of(const struct metric_samples *m, int *n, double *max)
{
	*n = 0;
	*max = NAN;
	for (int i = 0; i < m->n; i++) {
		if (isnan(m->other_cpu[i]))
			continue;
		(*n)++;
		if (isnan(*max) || m->other_cpu[i] > *max)
			*max = m->other_cpu[i];
	}
}

static int row_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct cmp_row *)row)->key);
}

/* The row a derived form is listed beneath: its judged base, never a form. */
static int find_parent(struct cmp_row *rows, int n, int i, int depth)
{
	char cand[METRIC_MAX_BASES][256];
	int nc = metric_base_candidates(rows[i].key, cand, METRIC_MAX_BASES);

	for (int c = 0; c < nc && depth < 4; c++) {
		struct cmp_row *p = bsearch(cand[c], rows, n, sizeof(*rows), row_cmp);
		int pi, pp;

		if (!p || p == &rows[i] || p->unjudged)
			continue;
		pi = (int)(p - rows);
		pp = find_parent(rows, n, pi, depth + 1);
		return pp >= 0 ? pp : pi;
	}
	return -1;
}

int compare_build_rule(const struct sample_set *a, const struct sample_set *b,
		       const struct cmp_rule *rule, struct cmp_row **rows)
{
	int n = 0, i = 0, j = 0;

	*rows = calloc(a->n + 1, sizeof(**rows));
	if (!*rows)
		abort();
	/* both sets are sorted by key: merge */
	while (i < a->n && j < b->n) {
		int c = strcmp(a->m[i].key, b->m[j].key);
		struct cmp_row *r;

		if (c < 0) {
			i++;
			continue;
		}
		if (c > 0) {
			j++;
			continue;
		}
		r = &(*rows)[n++];
		r->key = strdup(a->m[i].key);
		stats_describe(a->m[i].v, a->m[i].n, &r->a);
		stats_describe(b->m[j].v, b->m[j].n, &r->b);
		r->dir = metric_direction(r->key);
		stats_judge(&r->a, &r->b, r->dir, rule->k, rule->alpha, &r->j);
		r->unjudged = metric_unjudged(r->key, a->m[i].v, a->m[i].n, b->m[j].v, b->m[j].n);
		noise_of(&a->m[i], &r->noise_a, &r->other_max_a);
		noise_of(&b->m[j], &r->noise_b, &r->other_max_b);
		i++;
		j++;
	}
	/* one measurement, one row: derived forms go beneath their base */
	for (i = 0; i < n; i++)
		(*rows)[i].parent = (*rows)[i].unjudged ? -1 : find_parent(*rows, n, i, 0);
	for (i = 0; i < n; i++) {
		struct cmp_row *r = &(*rows)[i];

		if (!r->unjudged && r->parent < 0)
			stats_withhold(&r->a, &r->b, r->other_max_a, r->other_max_b,
				       rule->busy_pct, &r->j);
	}
	return n;
}

int compare_build(const struct sample_set *a, const struct sample_set *b,
		  double k, double alpha, struct cmp_row **rows)
{
	struct cmp_rule rule = { k, alpha, STATS_BUSY_OTHER_CPU_PCT };

	return compare_build_rule(a, b, &rule, rows);
}

void compare_free(struct cmp_row *rows, int n)
{
	for (int i = 0; i < n; i++)
		free(rows[i].key);
	free(rows);
}

int compare_count(const struct cmp_row *rows, int n, enum verdict v)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += !rows[i].unjudged && rows[i].parent < 0 && rows[i].j.verdict == v;
	return c;
}

static struct json_object *num(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static struct json_object *side_json(const struct sample_stats *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "n", json_object_new_int(s->n));
	json_object_object_add(o, "mean", num(s->mean));
	json_object_object_add(o, "median", num(s->median));
	json_object_object_add(o, "stddev", num(s->sd));
	json_object_object_add(o, "min", num(s->min));
	json_object_object_add(o, "max", num(s->max));
	json_object_object_add(o, "cov", num(s->cov));
	return o;
}

/* The figures of one row; with_verdict false for a derived form. */
static struct json_object *row_json(const struct cmp_row *r, bool judged)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "metric", json_object_new_string(r->key));
	json_object_object_add(e, "direction", json_object_new_string(direction_name(r->dir)));
	json_object_object_add(e, "base", side_json(&r->a));
	json_object_object_add(e, "new", side_json(&r->b));
	json_object_object_add(e, "change_pct", num(r->j.pct));
	json_object_object_add(e, "threshold_pct", num(r->j.threshold_pct));
	json_object_object_add(e, "p", num(r->j.p));
	json_object_object_add(e, "t", num(r->j.t));
	json_object_object_add(e, "df", num(r->j.df));
	json_object_object_add(e, "significant", json_object_new_boolean(r->j.significant));
	if (judged) {
		struct json_object *h = json_object_new_object(), *s;

		json_object_object_add(e, "verdict", json_object_new_string(verdict_name(r->j.verdict)));
		if (r->j.verdict == V_WITHHELD)
			json_object_object_add(e, "withheld_verdict",
				json_object_new_string(verdict_name(r->j.withheld_from)));
		for (int k = 0; k < 2; k++) {
			s = json_object_new_object();
			json_object_object_add(s, "repeats_with_figures",
					       json_object_new_int(k ? r->noise_b : r->noise_a));
			json_object_object_add(s, "other_cpu_pct_max",
					       num(k ? r->other_max_b : r->other_max_a));
			json_object_object_add(h, k ? "new" : "base", s);
		}
		json_object_object_add(e, "host", h);
	}
	return e;
}

struct json_object *compare_json_rule(const struct cmp_row *rows, int n, const struct cmp_rule *cr)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(), *rule;
	struct json_object *unj = json_object_new_array();

	rule = json_object_new_object();
	json_object_object_add(rule, "test", json_object_new_string("welch-t"));
	json_object_object_add(rule, "alpha", json_object_new_double(cr->alpha));
	json_object_object_add(rule, "k", json_object_new_double(cr->k));
	json_object_object_add(rule, "min_change_pct", json_object_new_double(STATS_MIN_CHANGE_PCT));
	json_object_object_add(rule, "min_samples", json_object_new_int(STATS_MIN_SAMPLES));
	json_object_object_add(rule, "stddev", json_object_new_string("sample (n-1)"));
	json_object_object_add(rule, "busy_other_cpu_pct", num(cr->busy_pct >= 0 ? cr->busy_pct : NAN));
	json_object_object_add(o, "rule", rule);
	for (int i = 0; i < n; i++) {
		const struct cmp_row *r = &rows[i];
		struct json_object *e, *forms;

		if (r->unjudged) {
			/* host figures are shown per row ("host"), not listed here */
			if (strcmp(r->unjudged, "host")) {
				e = json_object_new_object();
				json_object_object_add(e, "metric", json_object_new_string(r->key));
				json_object_object_add(e, "reason", json_object_new_string(r->unjudged));
				json_object_array_add(unj, e);
			}
			continue;
		}
		if (r->parent >= 0)
			continue;
		e = row_json(r, true);
		forms = json_object_new_array();
		for (int f = 0; f < n; f++)
			if (rows[f].parent == i && !rows[f].unjudged)
				json_object_array_add(forms, row_json(&rows[f], false));
		json_object_object_add(e, "forms", forms);
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "rows", arr);
	json_object_object_add(o, "not_judged", unj);
	json_object_object_add(o, "regressions", json_object_new_int(compare_count(rows, n, V_REGRESSION)));
	json_object_object_add(o, "withheld", json_object_new_int(compare_count(rows, n, V_WITHHELD)));
	return o;
}

struct json_object *compare_json(const struct cmp_row *rows, int n, double k, double alpha)
{
	struct cmp_rule rule = { k, alpha, STATS_BUSY_OTHER_CPU_PCT };

	return compare_json_rule(rows, n, &rule);
}
