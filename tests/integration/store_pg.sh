#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The results store on PostgreSQL (docs/store.md): the store unit tests on a
# throwaway cluster; run, runs, import, export, compare and dashboard against
# a postgresql:// URL; an SQLite store imported into PostgreSQL (twice: the
# second adds nothing); and the dashboard built from the PostgreSQL store is
# the one built from the SQLite store holding the same runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg_lib.sh"
require_jq
need_bin "$MMSCOPE"
need_bin "$BUILD/tests/test_store"
pg_start
pg_createdb main copy inc v5 ro lab moved empty

MMSCOPE_TEST_PG="$(pg_url %s)" "$BUILD/tests/test_store" > "$TMP/unit.out" 2>&1 ||
	{ cat "$TMP/unit.out"; fail "store unit tests on PostgreSQL"; }
grep -c '^ok' "$TMP/unit.out" | grep -qx 4 || { cat "$TMP/unit.out"; fail "unit tests did not all run"; }
log "unit tests on PostgreSQL: $(tail -n 1 "$TMP/unit.out")"

FIX="$(cd "$(dirname "$0")/../fixtures" && pwd)"
cp "$FIX/fake-bench" "$TMP/"
chmod 755 "$TMP/fake-bench"
printf 'workload = ./fake-bench --modes "anon file"\nrepeats = 3\n' > "$TMP/a.scn"
printf 'workload = ./fake-bench --scale 1.1 --modes "anon file"\nrepeats = 3\n' > "$TMP/b.scn"
SQ="$TMP/lab.db" PG=$(pg_url lab)

# the same runs recorded into both engines, by the commands as users run them
for db in "$SQ" "$PG"; do
	MMSCOPE_HOSTNAME=lab1 "$MMSCOPE" run --db "$db" "$TMP/a.scn" --tag one >"$TMP/run.out" 2>&1 ||
		{ cat "$TMP/run.out"; fail "run a into $db"; }
	MMSCOPE_HOSTNAME=lab2 "$MMSCOPE" run --db "$db" "$TMP/b.scn" --tag two >"$TMP/run.out" 2>&1 ||
		{ cat "$TMP/run.out"; fail "run b into $db"; }
	"$MMSCOPE" import --db "$db" --tag fixture "$FIX/sga-faultlat.jsonl" >/dev/null || fail "import raw docs into $db"
done
[ "$(pg_sql lab 'select version from mmscope_schema')" = 6 ] || fail "schema version"
[ "$(pg_sql lab "select string_agg(hostname, ',' order by id) from runs")" = "lab1,lab2," ] ||
	fail "hosts: $(pg_sql lab 'select id, hostname from runs')"
"$MMSCOPE" runs --db "$PG" > "$TMP/runs.txt" || fail "runs"
[ "$(grep -c '^ *[0-9]' "$TMP/runs.txt")" = 3 ] || { cat "$TMP/runs.txt"; fail "runs lists 3 runs"; }
[ "$("$MMSCOPE" runs --db "$PG" --json host:lab2 | jq -r '.[0].tag')" = two ] || fail "host selector"
MMSCOPE_DB="$PG" "$MMSCOPE" runs --json fixture | jq -e '.[0].repeats == 3' >/dev/null || fail "MMSCOPE_DB URL"

"$MMSCOPE" compare --db "$PG" --json one two | jq -e '.rows | length > 0' >/dev/null || fail "compare on PostgreSQL"
"$MMSCOPE" compare --db "$PG" host:lab1 host:lab2 >/dev/null; [ $? -le 1 ] || fail "compare by host"

# export: identical runs from either engine
"$MMSCOPE" export --db "$SQ" --json -o "$TMP/sq.json" || fail "export sqlite"
"$MMSCOPE" export --db "$PG" --json -o "$TMP/pg.json" || fail "export postgresql"
jq -S '.runs | map(del(.uuid, .started, .finished, .repeats[].started, .repeats[].wall_s, .repeats[].host, .repeats[].docs[].doc.time))' "$TMP/sq.json" > "$TMP/x"
jq -S '.runs | map(del(.uuid, .started, .finished, .repeats[].started, .repeats[].wall_s, .repeats[].host, .repeats[].docs[].doc.time))' "$TMP/pg.json" > "$TMP/y"
cmp -s "$TMP/x" "$TMP/y" || { diff "$TMP/x" "$TMP/y" | head -20; fail "exports differ"; }

# an SQLite store moved into PostgreSQL: everything, once
"$MMSCOPE" import --db "$(pg_url moved)" "$SQ" > "$TMP/imp.out" || { cat "$TMP/imp.out"; fail "import of an SQLite store"; }
"$MMSCOPE" import --db "$(pg_url moved)" "$SQ" | grep -q '3 runs already in the store' || fail "second import added runs"
n=$(pg_sql moved "select count(*) from runs"); [ "$n" = 3 ] || { cat "$TMP/imp.out"; fail "runs after import: $n"; }
"$MMSCOPE" export --db "$(pg_url moved)" --json -o "$TMP/copy.json" || fail "export copy"
jq -S '.runs' "$TMP/sq.json" > "$TMP/x" && jq -S '.runs' "$TMP/copy.json" > "$TMP/y"
cmp -s "$TMP/x" "$TMP/y" || { diff "$TMP/x" "$TMP/y" | head; fail "the moved store differs from the SQLite one"; }
# compare: the same figures and verdicts from either engine holding the same runs
"$MMSCOPE" compare --db "$SQ" --json one two > "$TMP/c_sq.json"
"$MMSCOPE" compare --db "$(pg_url moved)" --json one two > "$TMP/c_pg.json"
jq -e '.rows | length > 0' "$TMP/c_pg.json" >/dev/null || fail "compare on PostgreSQL has no rows"
cmp -s "$TMP/c_sq.json" "$TMP/c_pg.json" || { diff "$TMP/c_sq.json" "$TMP/c_pg.json" | head; fail "compare differs"; }

# the dashboard of the moved store is the SQLite store's (the time and the store's name aside)
if "$MMSCOPE" dashboard --db "$SQ" -o "$TMP/d_sq.html" >/dev/null 2>"$TMP/d.err"; then
	"$MMSCOPE" dashboard --db "$(pg_url moved)" -o "$TMP/d_pg.html" >/dev/null || fail "dashboard from PostgreSQL"
	for f in d_sq d_pg; do
		sed -e 's/"generated":[0-9.e+]*/"generated":0/' -e 's/"store":"[^"]*"/"store":""/' "$TMP/$f.html" > "$TMP/$f.norm"
	done
	grep -q '"series":\[{' "$TMP/d_pg.norm" || fail "dashboard from PostgreSQL has no trend series"
	cmp -s "$TMP/d_sq.norm" "$TMP/d_pg.norm" || fail "dashboards differ: $(cmp "$TMP/d_sq.norm" "$TMP/d_pg.norm")"
else
	grep -q 'without Chart.js' "$TMP/d.err" || fail "dashboard: $(cat "$TMP/d.err")"
	log "dashboard not compared: built without Chart.js"
fi

# the Grafana dashboard for stored runs: its variable and panel queries, as
# Grafana expands them (all values of each variable, the whole time range),
# run against this store
G="$(dirname "$0")/../../contrib/grafana/mmscope-runs.json"
jq -e '.panels | length >= 3' "$G" >/dev/null || fail "no Grafana dashboard at $G"
declare -A gv
for v in scenario kernel host tag metric; do
	q=$(jq -r --arg v "$v" '.templating.list[] | select(.name == $v) | .query' "$G")
	[ -n "$q" ] || fail "Grafana variable $v missing"
	gv[$v]=$(pg_sql lab "$q" | sed "s/'/''/g; s/.*/'&'/" | paste -sd, -)
	[ -n "${gv[$v]}" ] || fail "Grafana variable $v has no values"
done
[ "${gv[host]}" = "'(unknown)','lab1','lab2'" ] || fail "Grafana host values: ${gv[host]}"
grafana_sql() {	# SQL with Grafana's macros and variables expanded ($metric: $1)
	local sql=$2 v
	sql=$(sed -E 's/\$__unixEpochFilter\(([^)]*)\)/\1 >= 0 AND \1 <= 4102444800/g' <<< "$sql")
	for v in scenario kernel host tag; do sql=${sql//\$$v/${gv[$v]}}; done
	echo "${sql//\$metric/$1}"
}
n=0
while IFS= read -r raw; do
	sql=$(grafana_sql "${gv[metric]}" "$raw")
	rows=$(pg_sql lab "$sql") || fail "Grafana query fails: $sql"
	[ -n "$rows" ] || fail "Grafana query returns no rows: $sql"
	n=$((n + 1))
done < <(jq -r '.panels[].targets[].rawSql' "$G")
# the trend: one line per kernel and host, each point the run's mean over its repeats
trend=$(jq -r '.panels[] | select(.type == "timeseries") | .targets[0].rawSql' "$G")
sql=$(grafana_sql "'fake-bench.anon.fault_mean_ns'" "$trend")
"$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d lab -AX -F'|' -P footer=off -c "$sql" > "$TMP/trend"
[ "$(head -n 1 "$TMP/trend")" = "time|metric|value" ] || fail "trend columns: $(head -n 1 "$TMP/trend")"
k=$(uname -r)
cut -d'|' -f2- "$TMP/trend" | tail -n +2 > "$TMP/trend.v"
printf '%s\n' "$k on lab1|1000" "$k on lab2|1100" | cmp -s - "$TMP/trend.v" ||
	fail "trend points: $(cat "$TMP/trend.v")"
log "Grafana: $n panel queries return rows; the trend has one line per kernel and host"

# read-only commands create nothing; a database that is not a store is refused
"$MMSCOPE" runs --db "$(pg_url empty)" 2>"$TMP/err"; [ $? = 2 ] && grep -q 'no such store' "$TMP/err" ||
	fail "runs on an empty database: $(cat "$TMP/err")"
[ "$(pg_sql empty "select count(*) from pg_tables where schemaname = 'public'")" = 0 ] || fail "runs created tables"
pg_sql empty 'create table runs(x int)'
"$MMSCOPE" import --db "$(pg_url empty)" "$SQ" >/dev/null 2>"$TMP/err"; [ $? = 2 ] &&
	grep -q 'not an mmscope results store' "$TMP/err" || fail "foreign database: $(cat "$TMP/err")"
"$MMSCOPE" runs --db "postgresql://x:secret@127.0.0.1:1/none?connect_timeout=2" 2>"$TMP/err"; [ $? = 2 ] ||
	fail "unreachable server"
grep -q 'cannot connect' "$TMP/err" && ! grep -q secret "$TMP/err" || fail "connect error: $(cat "$TMP/err")"
pass "store unit tests, run/runs/import/export/compare/dashboard on PostgreSQL; SQLite store moved in; same dashboard; Grafana SQL"
