/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results store (docs/store.md): one SQLite file holding every run of
 * `mmscope run` / `mmscope import`, with its environment, the JSON documents
 * each repeat produced, and their flat metrics for compare and dashboards.
 *
 * Runs travel as JSON objects (the export format), so run, import and
 * export share one writer and one reader:
 *   {"uuid","scenario","scenario_hash","tag","kernel","kernel_config_hash",
 *    "machine","cpu_model","ncpus","mem_bytes","mmscope_commit","started",
 *    "finished","status","status_reason","repeats":[{"index","started","wall_s","exit_status",
 *                           "docs":[{"source":"workload"|"tracer","doc":{...}}]}]}
 */
#ifndef MMSCOPE_STORE_H
#define MMSCOPE_STORE_H

#include <signal.h>
#include <stdint.h>
#include <json-c/json.h>

#include "stats.h"

#define STORE_SCHEMA_VERSION 5
#define STORE_EXPORT_SCHEMA "mmscope-runs/1"

struct store;

/* path NULL: $MMSCOPE_DB, else ~/.local/share/mmscope/results.db. */
int store_default_path(char *buf, size_t len);
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
const char *store_path(const struct store *st);

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
 *   17 | 17,18 | run:17 | tag:T | kernel:K | scenario:S | latest | all
 * A bare word is tried as a tag, then a kernel release, then a scenario.
 * Returns the count (> 0) or -1 with err set (including "no runs match").
 */
int store_select(struct store *st, const char *sel, int64_t **ids, char *err, size_t errlen);

/* Rows for `mmscope runs`: every run's summary, oldest first. */
struct json_object *store_list(struct store *st, const int64_t *ids, int n);

/*
 * Samples of each metric ("tool.mode.name") over the given runs' repeats;
 * other_cpu[i]: the host.noise.other_cpu_pct of sample i's repeat (NaN when
 * the repeat has none: runs recorded before it was, imports).
 */
struct metric_samples {
	char *key;
	double *v, *other_cpu;
	int n, cap;
};
struct sample_set {
	struct metric_samples *m;
	int n, cap;
};
int store_samples(struct store *st, const int64_t *ids, int n, struct sample_set *out);
void sample_set_free(struct sample_set *s);

/*
 * One compared metric; rows come sorted by key. Only rows with parent < 0
 * and unjudged NULL are judged (one row each); a row with parent >= 0 is a
 * derived form listed beneath rows[parent] (metric_base_candidates); one
 * with unjudged set gets no row (metric_unjudged says why).
 */
struct cmp_row {
	char *key;
	struct sample_stats a, b;
	enum direction dir;
	struct judgement j;
	int parent;
	const char *unjudged;
	int noise_a, noise_b;		/* samples whose repeat has host figures */
	double other_max_a, other_max_b;	/* largest other_cpu_pct; NaN: none */
};
struct cmp_rule {
	double k, alpha;
	double busy_pct;	/* stats_withhold's threshold; < 0: never withhold */
};
/* Compare every metric present on both sides. Returns the row count. */
int compare_build_rule(const struct sample_set *a, const struct sample_set *b,
		       const struct cmp_rule *rule, struct cmp_row **rows);
/* The same with the default host-noise threshold (STATS_BUSY_OTHER_CPU_PCT). */
int compare_build(const struct sample_set *a, const struct sample_set *b,
		  double k, double alpha, struct cmp_row **rows);
void compare_free(struct cmp_row *rows, int n);
/* Judged rows (parent < 0, unjudged NULL) with the given verdict. */
int compare_count(const struct cmp_row *rows, int n, enum verdict v);
/*
 * {"rule":{...},"rows":[{metric,direction,base,new,change_pct,p,verdict,
 * forms:[...],host:{...}}],"not_judged":[{metric,reason}],"regressions":N,
 * "withheld":N}
 */
struct json_object *compare_json_rule(const struct cmp_row *rows, int n, const struct cmp_rule *rule);
struct json_object *compare_json(const struct cmp_row *rows, int n, double k, double alpha);

/* Raw access for the dashboard. */
struct sqlite3 *store_db(struct store *st);

#endif
