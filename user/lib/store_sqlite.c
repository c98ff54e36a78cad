// SPDX-License-Identifier: GPL-2.0
/*
 * The SQLite backend of the results store (store_be.h): one file, schema
 * version in PRAGMA user_version, the migrations from schema 1 (SQLite
 * stores predate the PostgreSQL backend), writers serialized by SQLite's
 * lock with a busy wait a signal can cut short.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "store.h"
#include "store_be.h"

#define fail store_fail
#define DB(st) ((sqlite3 *)(st)->conn)

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
		store_sga_label(doc, label, sizeof(label));
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
	if (user_version(DB(st)) == STORE_SCHEMA_VERSION)
		return 0;
	if (exec_sql(DB(st), "BEGIN IMMEDIATE", e2, sizeof(e2)) < 0)
		return fail(err, errlen, "%s: %s", st->shown, e2);
	v = user_version(DB(st));
	if (v == 0 && table_count(DB(st)) == 0) {
		/* schema 2's tables are 3's; later versions migrate from there */
		if (exec_sql(DB(st), schema_v2, e2, sizeof(e2)) < 0)
			goto bad;
		v = 3;
	} else if (v < 1) {
		exec_sql(DB(st), "ROLLBACK", e2, sizeof(e2));
		return fail(err, errlen, "%s: not an mmscope results store (user_version %d, has tables)",
			    st->shown, v);
	} else if (v > STORE_SCHEMA_VERSION) {
		exec_sql(DB(st), "ROLLBACK", e2, sizeof(e2));
		return fail(err, errlen, "%s: store schema version %d is newer than this mmscope's (%d); upgrade mmscope",
			    st->shown, v, STORE_SCHEMA_VERSION);
	}
	for (; v < STORE_SHARED_FROM; v++)
		if ((migrations[v].sql && exec_sql(DB(st), migrations[v].sql, e2, sizeof(e2)) < 0) ||
		    (migrations[v].fn && migrations[v].fn(DB(st), e2, sizeof(e2)) < 0))
			goto bad;
	if (store_migrate_shared(st, v, e2, sizeof(e2)) < 0)
		goto bad;
	v = STORE_SCHEMA_VERSION - 1;
	snprintf(buf, sizeof(buf), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	if (exec_sql(DB(st), buf, e2, sizeof(e2)) < 0 ||
	    exec_sql(DB(st), "COMMIT", e2, sizeof(e2)) < 0)
		goto bad;
	return 0;
bad:
	{
		char e3[64];

		exec_sql(DB(st), "ROLLBACK", e3, sizeof(e3));
	}
	return fail(err, errlen, "%s: preparing schema version %d: %s", st->shown, v + 1, e2);
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

static int open_rw(struct store *st, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char e2[512];

	if (mkdir_parents(st->path) < 0)
		return fail(err, errlen, "%s: cannot create its directory: %s", st->path, strerror(errno));
	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	st->conn = db;
	sqlite3_busy_timeout(db, 10000);
	/* a non-SQLite file fails here with "file is not a database" */
	if (exec_sql(db, "PRAGMA foreign_keys = ON", e2, sizeof(e2)) < 0 || table_count(db) < 0)
		return fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(db));
	return prepare_schema(st, err, errlen);
}

/*
 * Read-only commands must not change the store: no file or directory is
 * created, nothing is migrated in place. A store of an older schema is
 * copied into memory and migrated there, so it reads like a current one.
 */
static int open_ro(struct store *st, char *err, size_t errlen)
{
	sqlite3 *db = NULL, *mem = NULL;
	struct stat sb = { 0 };
	int v, tables;

	if (stat(st->path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (sb.st_mode && !S_ISREG(sb.st_mode))
			return fail(err, errlen, "no such store: %s (not a regular file)", st->path);
		if (errno == ENOENT || errno == ENOTDIR)
			return fail(err, errlen, "no such store: %s", st->path);
		return fail(err, errlen, "%s: %s", st->path, strerror(errno));
	}
	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	st->conn = db;
	sqlite3_busy_timeout(db, 10000);
	tables = table_count(db);
	v = user_version(db);
	if (tables < 0 || v < 0)
		return fail(err, errlen, "%s: %s", st->path, sqlite3_errmsg(db));
	if (v == 0 && tables == 0)
		return fail(err, errlen, "%s: an empty file, not an mmscope results store", st->path);
	if (v < 1)
		return fail(err, errlen, "%s: not an mmscope results store (user_version %d, has tables)",
			    st->path, v);
	if (v > STORE_SCHEMA_VERSION)
		return fail(err, errlen, "%s: store schema version %d is newer than this mmscope's (%d); upgrade mmscope",
			    st->path, v, STORE_SCHEMA_VERSION);
	if (v < STORE_SCHEMA_VERSION) {
		sqlite3_backup *b;

		if (sqlite3_open(":memory:", &mem) != SQLITE_OK)
			goto bad_mem;
		b = sqlite3_backup_init(mem, "main", db, "main");
		if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) {
			sqlite3_backup_finish(b);
			goto bad_mem;
		}
		if (sqlite3_backup_finish(b) != SQLITE_OK)
			goto bad_mem;
		sqlite3_close(db);
		st->conn = mem;
		return prepare_schema(st, err, errlen);
	}
	return 0;
bad_mem:
	fail(err, errlen, "%s: reading an older store into memory: %s", st->path,
	     sqlite3_errmsg(mem ? mem : db));
	sqlite3_close(mem);
	return -1;
}

/* SQLite's busy wait, cut short when *st->stop is set (a signal arrived). */
static int busy_wait(void *arg, int n)
{
	struct store *st = arg;

	(void)n;
	if ((st->stop && *st->stop) || store_mono_s() >= st->busy_end)
		return 0;
	usleep(20000);
	return 1;
}

static void sl_set_busy(struct store *st, double secs)
{
	if (st->stop)
		sqlite3_busy_handler(DB(st), busy_wait, st);
	else
		sqlite3_busy_timeout(DB(st), (int)(secs * 1000));
}

/*
 * BEGIN IMMEDIATE (or COMMIT), waiting up to the store's busy time: SQLite's
 * busy handler sleeps on a held lock, and a BUSY it gives back early
 * (another writer's deadlock avoidance) is retried here until the same
 * deadline.
 */
static int tx_step(struct store *st, const char *sql, const char *what, char *err, size_t errlen)
{
	double end = store_mono_s() + st->busy_s;
	char e2[256];

	st->busy_end = end;
	for (;;) {
		int rc = sqlite3_exec(DB(st), sql, NULL, NULL, NULL);

		if (rc == SQLITE_OK)
			return 0;
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || store_mono_s() >= end ||
		    (st->stop && *st->stop)) {
			snprintf(e2, sizeof(e2), "%s", sqlite3_errmsg(DB(st)));
			if (*what)
				sqlite3_exec(DB(st), "ROLLBACK", NULL, NULL, NULL);
			return fail(err, errlen, "%s: %s%s", st->path, what, e2);
		}
		usleep(100000);
	}
}

static int sl_begin(struct store *st, char *err, size_t errlen)
{
	return tx_step(st, "BEGIN IMMEDIATE", "", err, errlen);
}

static int sl_commit(struct store *st, char *err, size_t errlen)
{
	return tx_step(st, "COMMIT", "commit: ", err, errlen);
}

static void sl_rollback(struct store *st)
{
	sqlite3_exec(DB(st), "ROLLBACK", NULL, NULL, NULL);
}

static int sl_exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	return exec_sql(DB(st), sql, err, errlen);
}

/* A statement stepped once already, so its error (a constraint) shows at query time. */
struct sql_rows {
	sqlite3_stmt *s;
	int rc;		/* of the last step */
	bool fresh;	/* the first row has not been handed out */
};

static struct sql_rows *sl_query(struct store *st, const char *sql, const struct sql_arg *a, int na,
				 char *err, size_t errlen)
{
	struct sql_rows *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	st->retry = false;
	if (sqlite3_prepare_v2(DB(st), sql, -1, &r->s, NULL) != SQLITE_OK) {
		fail(err, errlen, "%s", sqlite3_errmsg(DB(st)));
		free(r);
		return NULL;
	}
	for (int i = 0; i < na; i++) {
		switch (a[i].t) {
		case SQL_INT: sqlite3_bind_int64(r->s, i + 1, a[i].i); break;
		case SQL_REAL: sqlite3_bind_double(r->s, i + 1, a[i].d); break;
		case SQL_TEXT: sqlite3_bind_text(r->s, i + 1, a[i].s, -1, SQLITE_TRANSIENT); break;
		default: sqlite3_bind_null(r->s, i + 1);
		}
	}
	r->rc = sqlite3_step(r->s);
	if (r->rc != SQLITE_ROW && r->rc != SQLITE_DONE) {
		fail(err, errlen, "%s", sqlite3_errmsg(DB(st)));
		sqlite3_finalize(r->s);
		free(r);
		return NULL;
	}
	r->fresh = true;
	return r;
}

static bool sl_next(struct sql_rows *r)
{
	if (r->fresh)
		r->fresh = false;
	else if (r->rc == SQLITE_ROW)
		r->rc = sqlite3_step(r->s);
	return r->rc == SQLITE_ROW;
}

static enum sql_type sl_type(struct sql_rows *r, int col)
{
	switch (sqlite3_column_type(r->s, col)) {
	case SQLITE_INTEGER: return SQL_INT;
	case SQLITE_FLOAT: return SQL_REAL;
	case SQLITE_NULL: return SQL_NULL;
	default: return SQL_TEXT;
	}
}

static int64_t sl_int(struct sql_rows *r, int col) { return sqlite3_column_int64(r->s, col); }
static double sl_real(struct sql_rows *r, int col) { return sqlite3_column_double(r->s, col); }
static const char *sl_text(struct sql_rows *r, int col)
{
	const char *t = (const char *)sqlite3_column_text(r->s, col);

	return t ? t : "";
}
static int sl_ncols(struct sql_rows *r) { return sqlite3_column_count(r->s); }
static const char *sl_name(struct sql_rows *r, int col) { return sqlite3_column_name(r->s, col); }

static void sl_done(struct sql_rows *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->s);
	free(r);
}

static void sl_close(struct store *st)
{
	sqlite3_close(DB(st));
}

static const struct store_backend sqlite_backend = {
	.name = "sqlite",
	.metric_seq = "rowid",
	.exec = sl_exec,
	.query = sl_query,
	.next = sl_next,
	.type = sl_type,
	.col_int = sl_int,
	.col_real = sl_real,
	.col_text = sl_text,
	.ncols = sl_ncols,
	.col_name = sl_name,
	.done = sl_done,
	.begin = sl_begin,
	.commit = sl_commit,
	.rollback = sl_rollback,
	.set_busy = sl_set_busy,
	.close = sl_close,
};

int store_sqlite_open(struct store *st, char *err, size_t errlen)
{
	st->be = &sqlite_backend;
	snprintf(st->shown, sizeof(st->shown), "%s", st->path);
	return st->readonly ? open_ro(st, err, errlen) : open_rw(st, err, errlen);
}
