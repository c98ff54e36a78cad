/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the results store: what store.c (the schema-level logic, one copy
 * for every engine) asks of a backend (store_sqlite.c, store_pg.c). Only
 * user/lib/store*.c include this; commands see store.h.
 *
 * SQL passed through here is the dialect both engines speak: `?` or `?N`
 * placeholders, INSERT ... ON CONFLICT, RETURNING, no engine functions
 * (json_extract, GLOB, instr). Column types come back as one of four kinds,
 * so a row reads the same from either engine.
 */
#ifndef MMSCOPE_STORE_BE_H
#define MMSCOPE_STORE_BE_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

enum sql_type { SQL_NULL, SQL_INT, SQL_REAL, SQL_TEXT };

struct sql_arg {
	enum sql_type t;
	int64_t i;
	double d;
	const char *s;
};
#define A_INT(x)  ((struct sql_arg){ .t = SQL_INT, .i = (x) })
#define A_REAL(x) ((struct sql_arg){ .t = SQL_REAL, .d = (x) })
#define A_TEXT(x) ((struct sql_arg){ .t = SQL_TEXT, .s = (x) })
#define A_NULL    ((struct sql_arg){ .t = SQL_NULL })

struct sql_rows;
struct store;

struct store_backend {
	const char *name;
	/* the column that orders metrics rows as they were inserted */
	const char *metric_seq;
	/* several statements, no parameters, no rows wanted */
	int (*exec)(struct store *st, const char *sql, char *err, size_t errlen);
	/* NULL with err set (and st->retry when retrying the transaction may succeed) */
	struct sql_rows *(*query)(struct store *st, const char *sql, const struct sql_arg *a,
				  int na, char *err, size_t errlen);
	bool (*next)(struct sql_rows *r);
	enum sql_type (*type)(struct sql_rows *r, int col);
	int64_t (*col_int)(struct sql_rows *r, int col);
	double (*col_real)(struct sql_rows *r, int col);
	const char *(*col_text)(struct sql_rows *r, int col);
	int (*ncols)(struct sql_rows *r);
	const char *(*col_name)(struct sql_rows *r, int col);
	void (*done)(struct sql_rows *r);
	/* a write transaction, waiting for other writers as the engine needs */
	int (*begin)(struct store *st, char *err, size_t errlen);
	int (*commit)(struct store *st, char *err, size_t errlen);
	void (*rollback)(struct store *st);
	void (*set_busy)(struct store *st, double secs);
	void (*close)(struct store *st);
};

struct store {
	const struct store_backend *be;
	void *conn;			/* sqlite3 * or PGconn * */
	char path[PATH_MAX];		/* as given: a file or a postgresql:// URL */
	char shown[PATH_MAX];		/* path for messages: a URL's password masked */
	double busy_s;			/* how long a write waits for other writers */
	bool readonly;
	bool retry;			/* the last failure may pass when the transaction is retried */
	volatile sig_atomic_t *stop;	/* set: stop waiting */
	double busy_end;		/* when the current wait gives up */
};

int store_fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
double store_mono_s(void);

/* Migrations written in the common dialect, from SHARED_FROM up; run by both backends. */
#define STORE_SHARED_FROM 5
int store_migrate_shared(struct store *st, int from, char *err, size_t errlen);

/* For the SQLite backend's 2 -> 3 migration (store.c owns the key rules). */
struct json_object;
void store_sga_label(struct json_object *doc, char *out, size_t len);

int store_sqlite_open(struct store *st, char *err, size_t errlen);
int store_pg_open(struct store *st, char *err, size_t errlen);

#endif
