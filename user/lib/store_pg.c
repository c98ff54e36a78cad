// SPDX-License-Identifier: GPL-2.0
/*
 * The PostgreSQL backend of the results store (store_be.h): a lab of
 * machines writing into one database, `--db postgresql://...`.
 *
 * Schema: the SQLite store's tables at version 5 in PostgreSQL types (text
 * columns in the "C" collation, so keys sort byte-wise as in SQLite and
 * compare's merge of two sorted sides holds), then the shared migrations.
 * The version lives in mmscope_schema; creating and migrating take an
 * advisory lock, so writers that start together create it once.
 *
 * Concurrency: each document is one READ COMMITTED transaction; runs are
 * unique by uuid. Two writers of one uuid collide on that key, and the
 * loser's transaction is retried by store.c (with_tx) and then finds the
 * run stored; serialization failures and deadlocks are retried the same
 * way. Values travel as parameters (PQexecParams), never spliced into SQL.
 *
 * Built only where libpq links (not in `make static`: Debian ships no
 * static libraries for libpq's Kerberos and LDAP dependencies).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_be.h"

#ifndef MMSCOPE_HAVE_PG

int store_pg_open(struct store *st, char *err, size_t errlen)
{
	return store_fail(err, errlen, "%s: this mmscope was built without PostgreSQL support"
			  " (the static build); use the dynamically linked mmscope", st->shown);
}

#else

#include <libpq-fe.h>

#define fail store_fail
#define PG(st) ((PGconn *)(st)->conn)

/* pg_advisory_xact_lock key while creating or migrating: "mmsc" in ASCII */
#define SCHEMA_LOCK "1835889507"

#define T "TEXT COLLATE \"C\""
static const char schema_v5[] =
	"CREATE TABLE mmscope_schema(version INTEGER NOT NULL);"
	"CREATE TABLE runs(id BIGSERIAL PRIMARY KEY, uuid " T " NOT NULL UNIQUE,"
	" scenario " T " NOT NULL, scenario_hash " T " NOT NULL DEFAULT 'unknown',"
	" tag " T " NOT NULL DEFAULT '', kernel " T " NOT NULL,"
	" kernel_config_hash " T " NOT NULL DEFAULT 'unknown', machine " T " NOT NULL DEFAULT '',"
	" cpu_model " T " NOT NULL DEFAULT 'unknown', ncpus BIGINT NOT NULL DEFAULT 0,"
	" mem_bytes BIGINT NOT NULL DEFAULT 0, mmscope_commit " T " NOT NULL DEFAULT 'unknown',"
	" started DOUBLE PRECISION NOT NULL, finished DOUBLE PRECISION, repeats BIGINT NOT NULL,"
	" status " T " NOT NULL DEFAULT 'complete', status_reason " T ","
	" workload " T " NOT NULL DEFAULT '', overrides " T " NOT NULL DEFAULT '');"
	"CREATE INDEX runs_tag ON runs(tag);"
	"CREATE INDEX runs_kernel ON runs(kernel);"
	"CREATE INDEX runs_scenario ON runs(scenario);"
	"CREATE TABLE repeats(run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" idx BIGINT NOT NULL, started DOUBLE PRECISION, wall_s DOUBLE PRECISION, exit_status BIGINT,"
	" PRIMARY KEY(run_id, idx));"
	"CREATE TABLE docs(id BIGSERIAL PRIMARY KEY,"
	" run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" repeat_idx BIGINT NOT NULL, source " T " NOT NULL, tool " T " NOT NULL,"
	" mode " T " NOT NULL, kind " T " NOT NULL, json " T " NOT NULL);"
	"CREATE INDEX docs_run ON docs(run_id, repeat_idx);"
	"CREATE INDEX docs_tool ON docs(tool, kind);"
	"CREATE TABLE metrics(id BIGSERIAL PRIMARY KEY,"
	" run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" repeat_idx BIGINT NOT NULL, tool " T " NOT NULL, mode " T " NOT NULL,"
	" name " T " NOT NULL, value DOUBLE PRECISION NOT NULL,"
	" doc_id BIGINT REFERENCES docs(id) ON DELETE CASCADE);"
	"CREATE INDEX metrics_run ON metrics(run_id, repeat_idx);"
	"CREATE INDEX metrics_tool ON metrics(tool);";
#undef T

/* Exposed for the migration test: a schema-5 store (then: SQL run in it), as the first PostgreSQL stores were. */
int store_pg_create_v5(const char *url, const char *then, char *err, size_t errlen);

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

static int pg_error(struct store *st, PGresult *res, char *err, size_t errlen)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	/* serialization failure, deadlock, a unique key another writer took first */
	st->retry = state && (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
			      !strcmp(state, "23505"));
	fail(err, errlen, "%s", msg ? msg : PQerrorMessage(PG(st)));
	trim(err);
	return -1;
}

static int pg_exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(PG(st), sql);
	int rc = 0;

	st->retry = false;
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_error(st, res, err, errlen);
	PQclear(res);
	return rc;
}

struct sql_rows {
	PGresult *res;
	int row, nrows;
};

/* `?` and `?N` placeholders become `$n` and `$N` (not inside '...'). */
static char *pg_sql(const char *sql)
{
	char *out = malloc(strlen(sql) * 4 + 1), *o = out;
	bool quoted = false;
	int k = 0;

	if (!out)
		abort();
	for (const char *p = sql; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		if (*p != '?' || quoted) {
			*o++ = *p;
			continue;
		}
		if (p[1] >= '0' && p[1] <= '9')
			*o++ = '$';
		else
			o += sprintf(o, "$%d", ++k);
	}
	*o = '\0';
	return out;
}

static struct sql_rows *pg_query(struct store *st, const char *sql, const struct sql_arg *a, int na,
				 char *err, size_t errlen)
{
	char *q = pg_sql(sql), (*buf)[32] = calloc(na ? na : 1, sizeof(*buf));
	const char **vals = calloc(na ? na : 1, sizeof(*vals));
	Oid *types = calloc(na ? na : 1, sizeof(*types));
	struct sql_rows *r = NULL;
	PGresult *res;

	if (!buf || !vals || !types)
		abort();
	for (int i = 0; i < na; i++) {
		switch (a[i].t) {
		case SQL_INT:
			snprintf(buf[i], sizeof(buf[i]), "%lld", (long long)a[i].i);
			vals[i] = buf[i];
			types[i] = 20;		/* int8 */
			break;
		case SQL_REAL:
			snprintf(buf[i], sizeof(buf[i]), "%.17g", a[i].d);
			vals[i] = buf[i];
			types[i] = 701;		/* float8 */
			break;
		case SQL_TEXT:
			vals[i] = a[i].s;
			types[i] = 25;		/* text */
			break;
		default:
			vals[i] = NULL;
			types[i] = 0;		/* the server infers it */
		}
	}
	st->retry = false;
	res = PQexecParams(PG(st), q, na, types, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_error(st, res, err, errlen);
		PQclear(res);
	} else {
		r = calloc(1, sizeof(*r));
		if (!r)
			abort();
		r->res = res;
		r->row = -1;
		r->nrows = PQntuples(res);
	}
	free(q);
	free(buf);
	free(vals);
	free(types);
	return r;
}

static bool pg_next(struct sql_rows *r)
{
	return ++r->row < r->nrows;
}

static enum sql_type pg_type(struct sql_rows *r, int col)
{
	if (PQgetisnull(r->res, r->row, col))
		return SQL_NULL;
	switch (PQftype(r->res, col)) {
	case 20: case 21: case 23: case 26:	/* int8, int2, int4, oid */
		return SQL_INT;
	case 700: case 701: case 1700:		/* float4, float8, numeric */
		return SQL_REAL;
	default:
		return SQL_TEXT;
	}
}

static int64_t pg_int(struct sql_rows *r, int col)
{
	return strtoll(PQgetvalue(r->res, r->row, col), NULL, 10);
}

static double pg_real(struct sql_rows *r, int col)
{
	return strtod(PQgetvalue(r->res, r->row, col), NULL);
}

static const char *pg_text(struct sql_rows *r, int col)
{
	return PQgetvalue(r->res, r->row, col);
}

static int pg_ncols(struct sql_rows *r) { return PQnfields(r->res); }
static const char *pg_name(struct sql_rows *r, int col) { return PQfname(r->res, col); }

static void pg_done(struct sql_rows *r)
{
	if (!r)
		return;
	PQclear(r->res);
	free(r);
}

static int pg_begin(struct store *st, char *err, size_t errlen)
{
	char e2[512];

	if (pg_exec(st, "BEGIN", e2, sizeof(e2)) < 0)
		return fail(err, errlen, "%s: %s", st->shown, e2);
	return 0;
}

static int pg_commit(struct store *st, char *err, size_t errlen)
{
	char e2[512];

	if (pg_exec(st, "COMMIT", e2, sizeof(e2)) < 0) {
		bool retry = st->retry;

		pg_exec(st, "ROLLBACK", e2 + 256, 256);
		st->retry = retry;
		return fail(err, errlen, "%s: commit: %s", st->shown, e2);
	}
	return 0;
}

static void pg_rollback(struct store *st)
{
	char e2[256];
	bool retry = st->retry;

	pg_exec(st, "ROLLBACK", e2, sizeof(e2));
	st->retry = retry;
}

/* Other writers never hold a run's rows for long: there is nothing to tune. */
static void pg_set_busy(struct store *st, double secs)
{
	(void)st;
	(void)secs;
}

static void pg_close(struct store *st)
{
	PQfinish(PG(st));
}

static const struct store_backend pg_backend = {
	.name = "postgresql",
	.metric_seq = "id",
	.exec = pg_exec,
	.query = pg_query,
	.next = pg_next,
	.type = pg_type,
	.col_int = pg_int,
	.col_real = pg_real,
	.col_text = pg_text,
	.ncols = pg_ncols,
	.col_name = pg_name,
	.done = pg_done,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.set_busy = pg_set_busy,
	.close = pg_close,
};

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static int connect_url(struct store *st, char *err, size_t errlen)
{
	PGconn *c = PQconnectdb(st->path);
	char msg[512];

	st->be = &pg_backend;
	if (!c)
		abort();
	st->conn = c;
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		trim(msg);
		for (char *p = msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
		return fail(err, errlen, "%s: cannot connect: %s", st->shown, msg);
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	return 0;
}

/* The store's schema version: 0 when the database has none, -1 on error. */
static int schema_version(struct store *st, bool *foreign, char *err, size_t errlen)
{
	int64_t v = 0;
	struct sql_rows *r;

	*foreign = false;
	/*
	 * pg_class read by a query, not to_regclass(): after waiting for the
	 * advisory lock, a name lookup can still answer from a catalog cache
	 * that has not seen the tables another writer just created.
	 */
	r = pg_query(st, "SELECT CASE WHEN EXISTS(SELECT 1 FROM pg_class c JOIN pg_namespace n"
		     " ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
		     " AND c.relname = 'mmscope_schema') THEN 't' ELSE 'f' END,"
		     " CASE WHEN EXISTS(SELECT 1 FROM pg_class c JOIN pg_namespace n"
		     " ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
		     " AND c.relname = 'runs') THEN 't' ELSE 'f' END", NULL, 0, err, errlen);
	if (!r)
		return -1;
	pg_next(r);
	if (strcmp(pg_text(r, 0), "t")) {
		*foreign = !strcmp(pg_text(r, 1), "t");
		pg_done(r);
		return 0;
	}
	pg_done(r);
	r = pg_query(st, "SELECT max(version) FROM mmscope_schema", NULL, 0, err, errlen);
	if (!r)
		return -1;
	if (pg_next(r) && pg_type(r, 0) != SQL_NULL)
		v = pg_int(r, 0);
	pg_done(r);
	return (int)v;
}

/* Within a transaction: create (at 5) or migrate to STORE_SCHEMA_VERSION. */
static int migrate(struct store *st, char *err, size_t errlen)
{
	char e2[512], sql[96];
	bool foreign;
	int v;

	if (pg_exec(st, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")", e2, sizeof(e2)) < 0)
		return fail(err, errlen, "%s: %s", st->shown, e2);
	v = schema_version(st, &foreign, e2, sizeof(e2));
	if (v < 0)
		return fail(err, errlen, "%s: %s", st->shown, e2);
	if (!v && foreign)
		return fail(err, errlen, "%s: not an mmscope results store (has a runs table but no"
			    " mmscope_schema)", st->shown);
	if (v > STORE_SCHEMA_VERSION)
		return fail(err, errlen, "%s: store schema version %d is newer than this mmscope's (%d);"
			    " upgrade mmscope", st->shown, v, STORE_SCHEMA_VERSION);
	if (!v) {
		if (pg_exec(st, schema_v5, e2, sizeof(e2)) < 0 ||
		    pg_exec(st, "INSERT INTO mmscope_schema VALUES(5)", e2, sizeof(e2)) < 0)
			return fail(err, errlen, "%s: creating the store: %s", st->shown, e2);
		v = STORE_SHARED_FROM;
	}
	if (v == STORE_SCHEMA_VERSION)
		return 0;
	snprintf(sql, sizeof(sql), "UPDATE mmscope_schema SET version = %d", STORE_SCHEMA_VERSION);
	if (store_migrate_shared(st, v, e2, sizeof(e2)) < 0 || pg_exec(st, sql, e2, sizeof(e2)) < 0)
		return fail(err, errlen, "%s: migrating from schema version %d: %s", st->shown, v, e2);
	return 0;
}

static int open_rw(struct store *st, char *err, size_t errlen)
{
	char e2[512];
	bool foreign;
	int v = schema_version(st, &foreign, e2, sizeof(e2));

	if (v < 0)
		return fail(err, errlen, "%s: %s", st->shown, e2);
	/* current: nothing to write, no lock to take */
	if (v == STORE_SCHEMA_VERSION)
		return 0;
	if (pg_begin(st, err, errlen) < 0)
		return -1;
	if (migrate(st, err, errlen) < 0) {
		pg_rollback(st);
		return -1;
	}
	return pg_commit(st, err, errlen);
}

/*
 * Read-only commands change nothing: the session is read-only, and a store
 * of an older schema is migrated inside a transaction that is never
 * committed (the reads see the migrated tables; the database keeps its own).
 */
static int open_ro(struct store *st, char *err, size_t errlen)
{
	char e2[512];
	bool foreign;
	int v = schema_version(st, &foreign, e2, sizeof(e2));

	if (v < 0)
		return fail(err, errlen, "%s: %s", st->shown, e2);
	if (!v)
		return fail(err, errlen, foreign ? "%s: not an mmscope results store (has a runs table but"
			    " no mmscope_schema)" : "no such store: %s (the database has no mmscope tables)",
			    st->shown);
	if (v > STORE_SCHEMA_VERSION)
		return fail(err, errlen, "%s: store schema version %d is newer than this mmscope's (%d);"
			    " upgrade mmscope", st->shown, v, STORE_SCHEMA_VERSION);
	if (v == STORE_SCHEMA_VERSION)
		return pg_exec(st, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", e2, sizeof(e2)) < 0 ?
			fail(err, errlen, "%s: %s", st->shown, e2) : 0;
	if (pg_begin(st, err, errlen) < 0)
		return -1;
	return migrate(st, err, errlen);
}

int store_pg_open(struct store *st, char *err, size_t errlen)
{
	if (connect_url(st, err, errlen) < 0)
		return -1;
	return st->readonly ? open_ro(st, err, errlen) : open_rw(st, err, errlen);
}

int store_pg_create_v5(const char *url, const char *then, char *err, size_t errlen)
{
	struct store st = { .readonly = false };
	int rc;

	snprintf(st.path, sizeof(st.path), "%s", url);
	snprintf(st.shown, sizeof(st.shown), "%s", url);
	if (connect_url(&st, err, errlen) < 0) {
		PQfinish(PG(&st));
		return -1;
	}
	rc = pg_exec(&st, schema_v5, err, errlen);
	if (!rc)
		rc = pg_exec(&st, "INSERT INTO mmscope_schema VALUES(5)", err, errlen);
	if (!rc && then)
		rc = pg_exec(&st, then, err, errlen);
	PQfinish(PG(&st));
	return rc;
}

#endif
