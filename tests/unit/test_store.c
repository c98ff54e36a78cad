// SPDX-License-Identifier: GPL-2.0
/* Results store: create, write/read a run, selectors, atomicity, migration. */
#include <sqlite3.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "unit.h"

int store_create_v1(const char *path, char *err, size_t errlen);
int store_pg_create_v5(const char *url, const char *then, char *err, size_t errlen);

/*
 * The engine-independent checks run on SQLite, and on PostgreSQL when
 * $MMSCOPE_TEST_PG is a URL template with one %s for the database name
 * (tests/integration/store_pg.sh starts a throwaway cluster and creates
 * the databases main, copy, inc, v5 and ro).
 */
static const char *pg_tpl;

static char dir[] = "/tmp/mmscope-test-store.XXXXXX";

static struct json_object *make_run(const char *uuid, const char *tag, const char *kernel,
				    double started, const double *lat, int nrep)
{
	char buf[4096];
	int o = snprintf(buf, sizeof(buf),
		"{\"uuid\":\"%s\",\"scenario\":\"pf\",\"tag\":\"%s\",\"kernel\":\"%s\","
		"\"started\":%g,\"cpu_model\":\"cpu\",\"ncpus\":2,\"repeats\":[", uuid, tag, kernel, started);

	for (int i = 0; i < nrep; i++)
		o += snprintf(buf + o, sizeof(buf) - o,
			"%s{\"index\":%d,\"wall_s\":1.5,\"docs\":["
			"{\"source\":\"workload\",\"doc\":{\"schema\":\"mmscope/1\",\"tool\":\"pfbench\","
			"\"kind\":\"result\",\"mode\":\"anon\",\"metrics\":{\"fault_mean_ns\":%g,\"ok\":true}}},"
			"{\"source\":\"tracer\",\"doc\":{\"tool\":\"ptmem\",\"kind\":\"interval\",\"mode\":\"tp\","
			"\"metrics\":{\"x\":1}}}]}", i ? "," : "", i, lat[i]);
	snprintf(buf + o, sizeof(buf) - o, "]}");
	return json_tokener_parse(buf);
}

static int count(struct store *st, const char *sql)
{
	return (int)store_sql_int(st, sql);
}

static int version(struct store *st)
{
	return count(st, strcmp(store_engine(st), "sqlite") ? "SELECT version FROM mmscope_schema"
							    : "PRAGMA user_version");
}

static void exec(struct store *st, const char *sql)
{
	CHECK(store_sql_exec(st, sql) == 0, "%s", sql);
}

/* The store named name: a file in dir, or a database of the PostgreSQL test cluster. */
static const char *where(bool pg, const char *name, char *buf, size_t len)
{
	if (pg)
		snprintf(buf, len, pg_tpl, name);
	else
		snprintf(buf, len, "%s/%s.db", dir, name);
	return buf;
}

static double lat[] = { 100, 101, 99 };

/* Write, read back, select, sample, compare; a bad run writes nothing. */
static void core(bool pg)
{
	char path[512], err[512];
	struct store *st;
	struct json_object *run, *back;
	int64_t id, id2, *ids;
	int n;

	if (pg)
		where(pg, "main", path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s/sub/dir/results.db", dir);
	st = store_open(path, err, sizeof(err));
	CHECK(st != NULL, "open: %s", err);
	if (!st)
		return;
	CHECK(!strcmp(store_engine(st), pg ? "postgresql" : "sqlite"), "engine %s", store_engine(st));
	CHECK(version(st) == STORE_SCHEMA_VERSION, "version");

	run = make_run("u-1", "base", "6.1.0", 1000, lat, 3);
	CHECK(run && store_add_run(st, run, &id, err, sizeof(err)) == 0, "add: %s", err);
	CHECK(store_add_run(st, run, &id2, err, sizeof(err)) == 1 && id2 == id, "duplicate uuid stored");
	CHECK(count(st, "SELECT count(*) FROM runs") == 1, "runs");
	CHECK(count(st, "SELECT count(*) FROM docs") == 6, "docs");
	/* interval documents and non-numbers are not samples */
	CHECK(count(st, "SELECT count(*) FROM metrics") == 3, "metrics %d",
	      count(st, "SELECT count(*) FROM metrics"));

	back = store_get_run(st, id);
	CHECK(back != NULL, "get");
	if (back) {
		struct json_object *reps, *v;

		json_object_object_get_ex(back, "repeats", &reps);
		CHECK(json_object_array_length(reps) == 3, "repeats back");
		json_object_object_get_ex(back, "tag", &v);
		CHECK(!strcmp(json_object_get_string(v), "base"), "tag back");
		/* round trip into a second store gives the same export */
		where(pg, "copy", path, sizeof(path));
		struct store *st2 = store_open(path, err, sizeof(err));
		CHECK(st2 && store_add_run(st2, back, &id2, err, sizeof(err)) == 0, "copy: %s", err);
		struct json_object *back2 = st2 ? store_get_run(st2, id2) : NULL;
		CHECK(back2 && !strcmp(json_object_to_json_string(back), json_object_to_json_string(back2)),
		      "round trip differs");
		json_object_put(back2);
		store_close(st2);
		json_object_put(back);
	}
	json_object_put(run);

	double lat2[] = { 120, 121, 119 };
	run = make_run("u-2", "new", "6.2.0", 2000, lat2, 3);
	json_object_object_add(run, "hostname", json_object_new_string("lab1"));
	CHECK(store_add_run(st, run, &id2, err, sizeof(err)) == 0, "add 2: %s", err);
	json_object_put(run);

	/* run --dry-run's prediction: the median repeat of the complete runs, not the mean */
	{
		char sql[256];
		double med;
		int nrep, nruns;

		snprintf(sql, sizeof(sql), "UPDATE repeats SET wall_s = CASE WHEN run_id = %lld AND idx = 2"
			 " THEN 100 ELSE 1 + idx END", (long long)id2);
		exec(st, sql);
		med = store_scenario_repeat_median_s(st, "pf", &nrep, &nruns);
		CHECK(med == 2 && nrep == 6 && nruns == 2, "median %g of %d repeats, %d runs", med, nrep, nruns);
		exec(st, "UPDATE runs SET status = 'partial' WHERE id = 2");
		med = store_scenario_repeat_median_s(st, "pf", &nrep, &nruns);
		CHECK(med == 2 && nrep == 3 && nruns == 1, "partial run counted: %g %d %d", med, nrep, nruns);
		med = store_scenario_repeat_median_s(st, "pf[x=1]", &nrep, &nruns);
		CHECK(isnan(med) && nrep == 0, "overridden scenario predicted from the plain one");
		exec(st, "UPDATE runs SET status = 'complete'");
		exec(st, "UPDATE repeats SET wall_s = 1.5");
	}

	n = store_select(st, "base", &ids, err, sizeof(err));
	CHECK(n == 1 && ids[0] == id, "tag select");
	free(ids);
	n = store_select(st, "6.2.0", &ids, err, sizeof(err));
	CHECK(n == 1 && ids[0] == id2, "kernel select");
	free(ids);
	n = store_select(st, "host:lab1", &ids, err, sizeof(err));
	CHECK(n == 1 && ids[0] == id2, "host select");
	free(ids);
	/* prefixed terms combine: alternatives within a prefix, all prefixes at once */
	n = store_select(st, "kernel:6.1.0,kernel:6.2.0", &ids, err, sizeof(err));
	CHECK(n == 2 && ids[0] == id && ids[1] == id2, "two kernels: %d %s", n, err);
	free(ids);
	n = store_select(st, "kernel:6.2.0,host:lab1,tag:new", &ids, err, sizeof(err));
	CHECK(n == 1 && ids[0] == id2, "kernel, host and tag: %d %s", n, err);
	free(ids);
	CHECK(store_select(st, "kernel:6.1.0,host:lab1", &ids, err, sizeof(err)) == -1 &&
	      strstr(err, "no runs match"), "%s", err);
	CHECK(store_select(st, "base,host:lab1", &ids, err, sizeof(err)) == -1 &&
	      strstr(err, "a prefix each"), "%s", err);
	/* a scenario run with --set has ',' in its name: one term, not two */
	CHECK(store_select(st, "scenario:pf[a=1,b=2]", &ids, err, sizeof(err)) == -1 &&
	      strstr(err, "no runs match"), "%s", err);
	exec(st, "UPDATE runs SET scenario = 'pf[a=1,b=2]' WHERE tag = 'new'");
	n = store_select(st, "scenario:pf[a=1,b=2],host:lab1", &ids, err, sizeof(err));
	CHECK(n == 1 && ids[0] == id2, "bracketed scenario and host: %d %s", n, err);
	free(ids);
	exec(st, "UPDATE runs SET scenario = 'pf'");
	back = store_get_run(st, id2);
	CHECK(back && !strcmp(json_object_get_string(json_object_object_get(back, "hostname")), "lab1"),
	      "hostname read back");
	json_object_put(back);
	n = store_select(st, "all", &ids, err, sizeof(err));
	CHECK(n == 2 && ids[0] == id && ids[1] == id2, "all, oldest first");
	free(ids);
	n = store_select(st, "latest", &ids, err, sizeof(err));
	CHECK(n == 1 && ids[0] == id2, "latest");
	free(ids);
	n = store_select(st, "1,2", &ids, err, sizeof(err));
	CHECK(n == 2, "id list");
	free(ids);
	CHECK(store_select(st, "99", &ids, err, sizeof(err)) == -1 && strstr(err, "no run with id 99"), "%s", err);
	CHECK(store_select(st, "nothing", &ids, err, sizeof(err)) == -1 && strstr(err, "no runs match 'nothing'"),
	      "%s", err);

	int64_t one = id, two = id2;
	struct sample_set sa, sb;
	struct cmp_row *rows;
	store_samples(st, &one, 1, &sa);
	store_samples(st, &two, 1, &sb);
	CHECK(sa.n == 1 && !strcmp(sa.m[0].key, "pfbench.anon.fault_mean_ns") && sa.m[0].n == 3, "samples");
	n = compare_build(&sa, &sb, 2, 0.05, &rows);
	CHECK(n == 1 && rows[0].j.verdict == V_REGRESSION, "compare verdict");
	CHECK(n == 1 && fabs(rows[0].j.pct - 20) < 1e-9, "pct");
	compare_free(rows, n);
	sample_set_free(&sa);
	sample_set_free(&sb);

	/* a bad document mid-run: nothing of the run is written */
	run = json_tokener_parse("{\"uuid\":\"u-3\",\"scenario\":\"s\",\"kernel\":\"k\",\"started\":1,"
		"\"repeats\":[{\"docs\":[{\"doc\":{\"tool\":\"a\",\"kind\":\"result\",\"metrics\":{\"m\":1}}}]},"
		"{\"docs\":[{\"doc\":{\"kind\":\"result\"}}]}]}");
	CHECK(store_add_run(st, run, &id, err, sizeof(err)) == -1, "bad run accepted");
	CHECK(count(st, "SELECT count(*) FROM runs WHERE uuid = 'u-3'") == 0, "half run left");
	CHECK(count(st, "SELECT count(*) FROM docs WHERE tool = 'a'") == 0, "half docs left");
	json_object_put(run);
	store_close(st);
}

/* Stores older than the PostgreSQL backend: SQLite's own migrations. */
static void sqlite_migrations(void)
{
	char path[512], err[512];
	struct store *st;
	struct json_object *run, *back;
	struct sample_set set;
	int64_t id;

	/* migration from schema 1 */
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	CHECK(store_create_v1(path, err, sizeof(err)) == 0, "v1: %s", err);
	{
		sqlite3 *db;
		sqlite3_open(path, &db);
		sqlite3_exec(db, "INSERT INTO runs VALUES(1,'pf','old','5.10',500,2);"
			     "INSERT INTO metrics VALUES(1,0,'pfbench','anon','fault_mean_ns',90);"
			     "INSERT INTO metrics VALUES(1,0,'pfbench','anon','ops_per_s',7);"
			     "INSERT INTO metrics VALUES(1,1,'pfbench','anon','fault_mean_ns',91);",
			     NULL, NULL, NULL);
		sqlite3_close(db);
	}
	st = store_open(path, err, sizeof(err));
	CHECK(st != NULL, "open v1: %s", err);
	if (st) {
		CHECK(version(st) == STORE_SCHEMA_VERSION, "migrated version");
		CHECK(count(st, "SELECT count(*) FROM docs") == 2, "synthesized docs");
		CHECK(count(st, "SELECT count(*) FROM repeats") == 2, "repeats");
		CHECK(count(st, "SELECT count(*) FROM metrics WHERE doc_id IS NULL") == 0, "doc ids");
		CHECK(count(st, "SELECT length(uuid) FROM runs") == 32, "uuid");
		CHECK(count(st, "SELECT count(*) FROM runs WHERE hostname = ''") == 1, "5 -> 6: no host");
		store_samples(st, &(int64_t){1}, 1, &set);
		CHECK(set.n == 2 && set.m[0].n == 2 && set.m[0].v[1] == 91, "v1 samples");
		sample_set_free(&set);
		back = store_get_run(st, 1);
		CHECK(back && strstr(json_object_to_json_string_ext(back, JSON_C_TO_STRING_PLAIN), "\"ops_per_s\":7"), "v1 export");
		json_object_put(back);
		/* the migrated store takes new runs */
		run = make_run("u-9", "t", "k", 3, lat, 3);
		CHECK(store_add_run(st, run, &id, err, sizeof(err)) == 0, "add after migration: %s", err);
		json_object_put(run);
		store_close(st);
	}
}

static void metric_keys(void)
{
	/* metric keys: sga-bench's carry the SGA size, other tools' do not change */
	{
		static const struct { const char *doc, *key; } k[] = {
			{ "{\"tool\":\"sga-bench\",\"mode\":\"shmem\",\"procs\":1500,"
			  "\"sga_bytes\":4294967296}", "shmem[procs=1500,sga=4G]" },
			{ "{\"tool\":\"sga-bench\",\"mode\":\"thp\",\"procs\":20,"
			  "\"sga_bytes\":67108864}", "thp[procs=20,sga=64M]" },
			{ "{\"tool\":\"sga-bench\",\"mode\":\"hugetlb\","
			  "\"metrics\":{\"sga_bytes\":3221225472.0}}", "hugetlb[sga=3G]" },
			{ "{\"tool\":\"sga-bench\",\"mode\":\"shmem\",\"procs\":2}",
			  "shmem[procs=2,sga=unknown]" },
			{ "{\"tool\":\"pfbench\",\"mode\":\"anon\",\"task_mode\":\"thread\","
			  "\"tasks\":2,\"sga_bytes\":4096}", "anon[task_mode=thread,tasks=2]" },
			{ "{\"tool\":\"ptmem\",\"mode\":\"precise\"}", "precise" },
		};
		char q[256];

		for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
			struct json_object *d = json_tokener_parse(k[i].doc);

			store_qualified_mode(d, q, sizeof(q));
			CHECK(!strcmp(q, k[i].key), "key of %s: %s, want %s", k[i].doc, q, k[i].key);
			json_object_put(d);
		}
	}
}

static void sqlite_migration_2_3(void)
{
	char path[512], err[512];
	struct store *st;
	struct json_object *run;
	int64_t id;

	/* migration from schema 2: stored sga-bench keys gain the size */
	snprintf(path, sizeof(path), "%s/v2.db", dir);
	st = store_open(path, err, sizeof(err));
	CHECK(st != NULL, "open v2: %s", err);
	if (st) {

		run = json_tokener_parse("{\"uuid\":\"u-sga\",\"scenario\":\"s\",\"kernel\":\"k\","
			"\"started\":1,\"repeats\":[{\"docs\":["
			"{\"doc\":{\"tool\":\"sga-bench\",\"kind\":\"result\",\"mode\":\"shmem\","
			"\"procs\":8,\"sga_bytes\":2147483648,\"metrics\":{\"pt_physical_bytes\":1}}},"
			"{\"doc\":{\"tool\":\"sga-bench\",\"kind\":\"result\",\"mode\":\"thp\","
			"\"metrics\":{\"pt_physical_bytes\":2}}},"
			"{\"doc\":{\"tool\":\"pfbench\",\"kind\":\"result\",\"mode\":\"anon\","
			"\"tasks\":2,\"metrics\":{\"ops\":3}}}]}]}");
		CHECK(store_add_run(st, run, &id, err, sizeof(err)) == 0, "add sga: %s", err);
		json_object_put(run);
		/* back to what schema 2 wrote */
		exec(st, "UPDATE metrics SET mode = 'shmem[procs=8]' WHERE mode GLOB 'shmem*';"
			     "UPDATE metrics SET mode = 'thp#2' WHERE mode GLOB 'thp*';"
			     "INSERT INTO metrics(run_id, repeat_idx, tool, mode, name, value)"
			     " VALUES(1, 0, 'sga-bench', 'hugetlb', 'pt_physical_bytes', 4);"
			     /* and without what 4 added */
			     "DROP INDEX runs_scenario; ALTER TABLE runs DROP COLUMN status;"
			     "ALTER TABLE runs DROP COLUMN status_reason;"
			     "ALTER TABLE runs DROP COLUMN workload; ALTER TABLE runs DROP COLUMN overrides;"
			     "DROP INDEX runs_hostname; ALTER TABLE runs DROP COLUMN hostname;"
			     "PRAGMA user_version = 2;");
		store_close(st);
		st = store_open(path, err, sizeof(err));
		CHECK(st != NULL, "reopen v2: %s", err);
	}
	if (st) {
		CHECK(version(st) == STORE_SCHEMA_VERSION, "v2 migrated");
		CHECK(count(st, "SELECT count(*) FROM metrics WHERE mode = 'shmem[procs=8,sga=2G]'") == 1,
		      "shmem key from sga_bytes");
		CHECK(count(st, "SELECT count(*) FROM metrics WHERE mode = 'thp[sga=unknown]#2'") == 1,
		      "thp key without a size, suffix kept");
		CHECK(count(st, "SELECT count(*) FROM metrics WHERE mode = 'hugetlb[sga=unknown]'") == 1,
		      "row without a document");
		CHECK(count(st, "SELECT count(*) FROM metrics WHERE mode = 'anon[tasks=2]'") == 1,
		      "pfbench key changed");
		store_close(st);
	}
}

/* recording as it goes: each document lands at once; status says how it ended */
static void incremental(bool pg)
{
	char path[512], err[512];
	struct store *st;
	struct json_object *back;
	int64_t id2;

	st = store_open(where(pg, "inc", path, sizeof(path)), err, sizeof(err));
	CHECK(st != NULL, "open inc: %s", err);
	if (st) {
		struct json_object *hdr = json_tokener_parse("{\"uuid\":\"u-inc\",\"scenario\":\"s\","
			"\"kernel\":\"k\",\"started\":5}");
		struct json_object *doc = json_tokener_parse("{\"tool\":\"sga-bench\",\"kind\":\"result\","
			"\"mode\":\"shmem\",\"metrics\":{\"pt_physical_bytes\":7}}");
		int64_t rid, all[4];

		CHECK(store_run_begin(st, hdr, &rid, err, sizeof(err)) == 0, "begin: %s", err);
		CHECK(count(st, "SELECT count(*) FROM runs WHERE status = 'unfinished' AND finished IS NULL") == 1,
		      "begun run is unfinished");
		CHECK(store_run_doc(st, rid, 0, 5, "workload", doc, err, sizeof(err)) == 0, "doc: %s", err);
		CHECK(store_run_doc(st, rid, 0, 5, "workload", doc, err, sizeof(err)) == 0, "doc 2: %s", err);
		CHECK(count(st, "SELECT count(*) FROM metrics WHERE mode = 'shmem[sga=unknown]#2'") == 1,
		      "second document of a mode in a repeat numbered #2");
		CHECK(count(st, "SELECT repeats FROM runs") == 1, "repeat counted");
		struct json_object *host = json_tokener_parse("{\"other_cpu_pct\":12.5,\"loadavg_1m_start\":0.5}");

		CHECK(store_run_repeat(st, rid, 0, 5, 1.5, 0, host, err, sizeof(err)) == 0, "repeat: %s", err);
		CHECK(store_run_repeat(st, rid, 0, 5, 1.5, 0, host, err, sizeof(err)) == 0, "again: %s", err);
		json_object_put(host);
		CHECK(count(st, "SELECT count(*) FROM docs") == 2, "repeat row update kept the documents");
		CHECK(count(st, "SELECT count(*) FROM metrics WHERE tool = 'host' AND mode = 'noise'"
			    " AND doc_id IS NULL AND repeat_idx = 0") == 2, "host figures stored once, as metrics");
		all[0] = rid;
		CHECK(store_filter_complete(st, all, 1) == 0, "unfinished run counted as complete");
		CHECK(store_run_finish(st, rid, "partial", "interrupted by signal 15", 9, err, sizeof(err)) == 0,
		      "finish: %s", err);
		back = store_get_run(st, rid);
		CHECK(back && !strcmp(json_object_get_string(json_object_object_get(back, "status")), "partial"),
		      "status exported");
		/* the export of an unfinished run replaces it on import; a finished one is kept */
		json_object_object_add(back, "status", json_object_new_string("complete"));
		CHECK(store_add_run(st, back, &id2, err, sizeof(err)) == 1, "partial run replaced");
		exec(st, "UPDATE runs SET status = 'unfinished'");
		CHECK(store_add_run(st, back, &id2, err, sizeof(err)) == 0, "unfinished not replaced: %s", err);
		CHECK(count(st, "SELECT count(*) FROM runs WHERE status = 'complete'") == 1 &&
		      count(st, "SELECT count(*) FROM runs") == 1 && count(st, "SELECT count(*) FROM docs") == 2,
		      "replacement");
		all[0] = id2;
		CHECK(store_filter_complete(st, all, 1) == 1, "complete run filtered out");
		json_object_put(back);
		json_object_put(hdr);
		json_object_put(doc);
		store_close(st);
	}
}

static void sqlite_readonly(void)
{
	char path[512], err[512];
	struct store *st;

	/* read-only: nothing created, an old schema read through a copy in memory */
	{
		struct stat sb;

		snprintf(path, sizeof(path), "%s/nodir/none.db", dir);
		CHECK(!store_open_readonly(path, err, sizeof(err)) && strstr(err, "no such store"), "%s", err);
		snprintf(path, sizeof(path), "%s/nodir", dir);
		CHECK(stat(path, &sb) < 0, "read-only open created %s", path);
		snprintf(path, sizeof(path), "%s/ro1.db", dir);
		CHECK(store_create_v1(path, err, sizeof(err)) == 0, "v1: %s", err);
		st = store_open_readonly(path, err, sizeof(err));
		CHECK(st != NULL, "ro open of v1: %s", err);
		if (st) {
			CHECK(count(st, "SELECT count(*) FROM runs WHERE status = 'complete'") == 0, "migrated view");
			store_close(st);
		}
		{
			sqlite3 *db;

			sqlite3_open(path, &db);
			sqlite3_stmt *q;
			sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL);
			CHECK(sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1,
			      "read-only open migrated the file");
			sqlite3_finalize(q);
			sqlite3_close(db);
		}
	}

	/* newer schema and non-databases are refused */
	{
		char path[512], err[512];
		sqlite3 *db;
		snprintf(path, sizeof(path), "%s/v9.db", dir);
		sqlite3_open(path, &db);
		sqlite3_exec(db, "CREATE TABLE x(y); PRAGMA user_version = 9", NULL, NULL, NULL);
		sqlite3_close(db);
		CHECK(!store_open(path, err, sizeof(err)) && strstr(err, "newer than this mmscope"), "%s", err);
		snprintf(path, sizeof(path), "%s/junk.db", dir);
		FILE *f = fopen(path, "w");
		fputs("this is not sqlite, just text long enough to be a header.............\n", f);
		fclose(f);
		CHECK(!store_open(path, err, sizeof(err)) && strstr(err, "not a database"), "%s", err);
	}
}

static void pg_core(void) { core(true); }
static void pg_incremental(void) { incremental(true); }

/* 5 -> 6 on PostgreSQL: a store as the first PostgreSQL stores were */
static void pg_migration_5_6(void)
{
	char url[512], err[512];
	struct store *st;
	struct json_object *run;
	int64_t id, *ids;

	where(true, "v5", url, sizeof(url));
	CHECK(store_pg_create_v5(url, "INSERT INTO runs(uuid, scenario, kernel, started, repeats)"
				 " VALUES('old', 'pf', '5.10', 1, 0)", err, sizeof(err)) == 0, "v5: %s", err);
	st = store_open_readonly(url, err, sizeof(err));
	CHECK(st != NULL, "read-only open of v5: %s", err);
	if (st) {
		CHECK(count(st, "SELECT count(*) FROM runs WHERE hostname = ''") == 1, "migrated view");
		store_close(st);
	}
	st = store_open(url, err, sizeof(err));
	CHECK(st != NULL, "open v5: %s", err);
	if (!st)
		return;
	CHECK(version(st) == STORE_SCHEMA_VERSION, "migrated version %d", version(st));
	CHECK(count(st, "SELECT count(*) FROM runs WHERE hostname = ''") == 1, "old run: no host");
	run = make_run("u-new", "t", "k", 3, lat, 3);
	json_object_object_add(run, "hostname", json_object_new_string("lab2"));
	CHECK(store_add_run(st, run, &id, err, sizeof(err)) == 0, "add after migration: %s", err);
	CHECK(store_select(st, "host:lab2", &ids, err, sizeof(err)) == 1 && ids[0] == id, "host select");
	free(ids);
	json_object_put(run);
	store_close(st);
}

/* Read-only: an empty database is no store; a store opened read-only takes no write */
static void pg_readonly(void)
{
	char url[512], err[512];
	struct store *st;
	struct json_object *run;
	int64_t id;

	CHECK(!store_open_readonly(where(true, "ro", url, sizeof(url)), err, sizeof(err)) &&
	      strstr(err, "no such store"), "%s", err);
	st = store_open_readonly(where(true, "main", url, sizeof(url)), err, sizeof(err));
	CHECK(st != NULL, "read-only open: %s", err);
	if (!st)
		return;
	CHECK(strstr(store_path(st), "postgresql://") == store_path(st), "path %s", store_path(st));
	run = make_run("u-ro", "t", "k", 3, lat, 3);
	CHECK(store_add_run(st, run, &id, err, sizeof(err)) == -1, "read-only store took a run");
	CHECK(store_sql_exec(st, "DELETE FROM runs") < 0, "read-only session deleted");
	json_object_put(run);
	store_close(st);
	CHECK(!store_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", err, sizeof(err)) &&
	      strstr(err, "cannot connect"), "%s", err);
}

static void sqlite_core(void) { core(false); }
static void sqlite_incremental(void) { incremental(false); }

int main(void)
{
	char cmd[600];

	if (!mkdtemp(dir))
		return 1;
	pg_tpl = getenv("MMSCOPE_TEST_PG");
	if (pg_tpl && *pg_tpl) {
		RUN(pg_core);
		RUN(pg_incremental);
		RUN(pg_migration_5_6);
		RUN(pg_readonly);
	} else {
		RUN(sqlite_core);
		RUN(sqlite_migrations);
		RUN(metric_keys);
		RUN(sqlite_migration_2_3);
		RUN(sqlite_incremental);
		RUN(sqlite_readonly);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cleanup failed\n");
	return unit_done("test_store");
}
