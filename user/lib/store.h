/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results store (docs/store.md): every run of `mmscope run` / `mmscope
 * import`, with its environment, the JSON documents each repeat produced,
 * and their flat metrics for compare and dashboards. One SQLite file, or a
 * PostgreSQL database (a postgresql:// URL) that many machines write into;
 * the same schema and functions either way, and no SQL outside the store.
 *
 * Runs travel as JSON objects (the export format), so run, import and
 * export share one writer and one reader:
 *   {"uuid","scenario","scenario_hash","tag","kernel","kernel_config_hash",
 *    "machine","cpu_model","ncpus","mem_bytes","mmscope_commit","started",
 *    "finished","status","status_reason","hostname","repeats":[{"index","started","wall_s","exit_status",
 *                           "docs":[{"source":"workload"|"tracer","doc":{...}}]}]}
 */
#ifndef MMSCOPE_STORE_H
#define MMSCOPE_STORE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "judge.h"

#define STORE_SCHEMA_VERSION 6
#define STORE_EXPORT_SCHEMA "mmscope-runs/1"

/* --db's help: a PostgreSQL store needs libpq, which `make static` leaves out. */
#ifdef MMSCOPE_HAVE_PG
#define STORE_DB_ARG "PATH|URL"
#define STORE_DB_HELP "results store: a file, or a postgresql://USER@HOST/DB URL shared by many" \
	" machines (default $MMSCOPE_DB, else ~/.local/share/mmscope/results.db)"
#else
#define STORE_DB_ARG "PATH"
#define STORE_DB_HELP "results store file (default $MMSCOPE_DB, else ~/.local/share/mmscope/results.db;" \
	" this static build has no PostgreSQL stores)"
#endif

struct store;

/* path NULL: $MMSCOPE_DB, else ~/.local/share/mmscope/results.db. */
int store_default_path(char *buf, size_t len);
/* A postgresql:// (or postgres://) URL rather than a file. */
bool store_is_url(const char *path);
/*
 * Open (creating the file and its directory on first use) and migrate to
 * STORE_SCHEMA_VERSION. NULL with err set on failure.
 */
struct store *store_open(const char *path, char *err, size_t errlen);
/*
 * For commands that only read (runs, compare, dashboard, export --json):
 * never creates, never migrates the file ("no such store: PATH" when it
 * does not exist); an older schema is migrated in a copy in memory.
 */
struct store *store_open_readonly(const char *path, char *err, size_t errlen);
void store_close(struct store *st);
/* How long a write waits for a store another process holds (default 10 s). */
void store_set_busy_timeout(struct store *st, double secs);
/*
 * Stop waiting for a locked store as soon as *stop is non-zero (mmscope run:
 * its signal flag), so an interrupt is not held up by another client's lock.
 */
void store_set_stop_flag(struct store *st, volatile sig_atomic_t *stop);
/* The path or URL for messages (a URL's password masked). */
const char *store_path(const struct store *st);
/* "sqlite" or "postgresql". */
const char *store_engine(const struct store *st);

/*
 * Add one run (export-format object) in a single transaction. Returns 0 and
 * sets *id; 1 when a run with that uuid is already stored (*id = its id);
 * -1 with err set (nothing written). A stored run of that uuid whose status
 * is "unfinished" (its recorder could not finish it) is replaced.
 */
int store_add_run(struct store *st, struct json_object *run, int64_t *id,
		  char *err, size_t errlen);

/*
 * Recording a run as it goes (mmscope run), each call its own transaction,
 * so whatever finished is kept if the run dies. A run's status
 * (docs/store.md): "unfinished" from store_run_begin until
 * store_run_finish sets "complete" or "partial" (with a reason).
 */
int store_run_begin(struct store *st, struct json_object *hdr, int64_t *id,
		    char *err, size_t errlen);
int store_run_doc(struct store *st, int64_t id, int rep, double rep_started, const char *source,
		  struct json_object *doc, char *err, size_t errlen);
/*
 * host: the repeat's host-noise figures (hostnoise.h), an object of numbers
 * stored as metrics "host.noise.NAME" of the repeat (no document), exported
 * as the repeat's "host" member; NULL: none.
 */
int store_run_repeat(struct store *st, int64_t id, int rep, double started, double wall_s,
		     int exit_status, struct json_object *host, char *err, size_t errlen);
int store_run_finish(struct store *st, int64_t id, const char *status, const char *reason,
		     double finished, char *err, size_t errlen);
/* Keep only complete runs in ids (in place); returns how many are left. */
int store_filter_complete(struct store *st, int64_t *ids, int n);
/* Mean seconds of one repeat of scenario over its complete runs (NAN, *n = 0: none). */
double store_scenario_repeat_s(struct store *st, const char *scenario, int *n);
/*
 * Median seconds of one repeat of scenario over its complete runs, with *n
 * repeats from *nruns runs (NAN, *n = 0: none): run --dry-run's prediction.
 */
double store_scenario_repeat_median_s(struct store *st, const char *scenario, int *n, int *nruns);
/*
 * The mode part of a document's metric keys: its "mode" qualified by the
 * members that tell apart one driver's documents for one mode, e.g.
 * "anon[task_mode=thread,tasks=2]" (docs/store.md).
 */
void store_qualified_mode(struct json_object *doc, char *out, size_t len);
/* One stored run in the export format (caller puts it); NULL if absent. */
struct json_object *store_get_run(struct store *st, int64_t id);

/*
 * Resolve a selector to run ids, oldest first:
 *   17 | 17,18 | run:17 | tag:T | kernel:K | scenario:S | host:H | latest | all
 * A bare word is tried as a tag, then a kernel release, then a scenario.
 * Prefixed terms joined by ',' combine: kernel:K1,kernel:K2,host:H is the
 * runs of host H on kernel K1 or K2.
 * Returns the count (> 0) or -1 with err set (including "no runs match").
 */
int store_select(struct store *st, const char *sel, int64_t **ids, char *err, size_t errlen);

/* Rows for `mmscope runs`: every run's summary, oldest first. */
struct json_object *store_list(struct store *st, const int64_t *ids, int n);

/* The samples of each metric over the given runs' repeats (judge.h). */
int store_samples(struct store *st, const int64_t *ids, int n, struct sample_set *out);

/* ---- what the dashboard and the SGA headline read --------------------- */

/*
 * Every metric value of every repeat, ordered by scenario, key
 * ("tool.mode.name"), run start, run id, repeat: the dashboard's trends.
 * Returns the number of values or -1.
 */
typedef void (*store_value_fn)(void *ctx, const char *scenario, const char *key, int64_t run,
			       double v);
int store_each_metric_value(struct store *st, store_value_fn fn, void *ctx);
/*
 * The documents of tool and kind of the newest run that has any, by repeat:
 * [{"run","repeat","doc"}].
 */
struct json_object *store_newest_docs(struct store *st, const char *tool, const char *kind);
/*
 * The documents of tool in run that have member: [{"mode","value"}] in the
 * order stored, value the member's string (a non-string as JSON text).
 */
struct json_object *store_docs_member(struct store *st, int64_t run, const char *tool,
				      const char *member);
/*
 * The newest run with sga-bench metrics (*run, 0: none): per mode, the mean
 * pt_physical_bytes and pt_logical_bytes, shmem, thp, hugetlb, ptshare first.
 */
struct json_object *store_sga_modes(struct store *st, int64_t *run);
/* The newest run with metrics of tool, among ids (n = 0: all runs); 0: none. */
int64_t store_newest_with_tool(struct store *st, const char *tool, const int64_t *ids, int n);
/* Every metric of tool in run, ordered by mode, name, then as stored. */
typedef void (*store_metric_fn)(void *ctx, const char *mode, const char *name, double v);
int store_each_run_metric(struct store *st, int64_t run, const char *tool, store_metric_fn fn,
			  void *ctx);

/*
 * For tests: one statement in the store's engine (the schema is the same on
 * both), an integer result (-1: error or no row), or no result (0 / -1).
 */
int64_t store_sql_int(struct store *st, const char *sql);
int store_sql_exec(struct store *st, const char *sql);

#endif
