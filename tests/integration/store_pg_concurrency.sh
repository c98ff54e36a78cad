#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A lab writing into one PostgreSQL store (docs/store.md "PostgreSQL"):
# 8 `mmscope run` processes, as 8 hosts, each recording 50 documents (one
# transaction each) into a database none of them has created yet: every
# document lands exactly once. 8 imports of one export at once store each
# run once. A writer killed while its transaction waits leaves no part of
# that document behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg_lib.sh"
require_root
need_bin "$MMSCOPE"
pg_start
pg_createdb lab dup kill
PG=$(pg_url lab)

cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
chmod 755 "$TMP/fake-bench"
modes=$(seq -f 'm%02g' 1 50 | tr '\n' ' ')
printf 'name = lab\nworkload = ./fake-bench --modes "%s"\nrepeats = 1\n' "$modes" > "$TMP/lab.scn"

pids=()
for w in 1 2 3 4 5 6 7 8; do
	MMSCOPE_HOSTNAME=host$w "$MMSCOPE" run --db "$PG" --tag w$w "$TMP/lab.scn" >"$TMP/w$w.out" 2>&1 &
	pids+=($!)
done
for w in 1 2 3 4 5 6 7 8; do
	wait "${pids[$((w - 1))]}" || { cat "$TMP/w$w.out"; fail "writer $w failed"; }
done
q() { pg_sql lab "$1"; }
[ "$(q "select count(*) from runs where status = 'complete'")" = 8 ] || fail "runs: $(q 'select id, status, hostname from runs')"
[ "$(q 'select count(distinct hostname) from runs')" = 8 ] || fail "hosts: $(q 'select hostname from runs')"
[ "$(q 'select count(*) from docs')" = 400 ] || fail "documents: $(q 'select count(*) from docs')"
# each writer's 50 documents exactly once: 50 distinct modes per run, none numbered #2
[ "$(q "select count(*) from (select run_id from docs group by run_id having count(*) = 50 and count(distinct mode) = 50) x")" = 8 ] ||
	fail "documents per run: $(q 'select run_id, count(*), count(distinct mode) from docs group by run_id')"
[ "$(q "select count(*) from metrics where doc_id is not null and position('#' in mode) > 0")" = 0 ] || fail "a document stored twice"
[ "$(q 'select count(*) from metrics where doc_id is not null')" = 1600 ] || fail "metrics: $(q 'select count(*) from metrics')"
"$MMSCOPE" compare --db "$PG" host:host1 host:host2 >/dev/null; [ $? -le 1 ] || fail "compare by host"
log "8 writers x 50 documents: $(q 'select count(*) from docs') documents in $(q 'select count(*) from runs') runs"

# 8 imports of the same runs at once: each run once (the uuid key, retried transactions)
"$MMSCOPE" export --db "$PG" --json -o "$TMP/all.json" >/dev/null 2>&1 || fail "export"
pids=()
for w in 1 2 3 4 5 6 7 8; do
	"$MMSCOPE" import --db "$(pg_url dup)" "$TMP/all.json" >"$TMP/i$w.out" 2>&1 &
	pids+=($!)
done
for w in 1 2 3 4 5 6 7 8; do
	wait "${pids[$((w - 1))]}" || { cat "$TMP/i$w.out"; fail "import $w failed"; }
done
[ "$(pg_sql dup 'select count(*) || chr(47) || count(distinct uuid) from runs')" = 8/8 ] ||
	fail "concurrent imports: $(pg_sql dup 'select id, uuid from runs')"
[ "$(pg_sql dup 'select count(*) from docs')" = 400 ] || fail "concurrent imports: documents"
[ "$(cat "$TMP"/i*.out | grep -c '^imported run')" = 8 ] || fail "imports report $(cat "$TMP"/i*.out)"

# killed mid-transaction: another session holds the metrics table, so the
# writer's first document waits after inserting its docs row; kill -9 it there
KILL=$(pg_url kill)
"$MMSCOPE" runs --db "$KILL" >/dev/null 2>&1
"$MMSCOPE" import --db "$KILL" /dev/null >/dev/null 2>&1	# creates the schema
[ "$(pg_sql kill 'select version from mmscope_schema')" = 6 ] || fail "schema in kill"
("$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d kill -AtqX \
	-c 'BEGIN' -c 'LOCK TABLE metrics IN EXCLUSIVE MODE' -c 'SELECT pg_sleep(120)' >/dev/null 2>&1) &
locker=$!
at_exit "kill $locker"
for _ in $(seq 50); do
	[ "$(pg_sql kill "select count(*) from pg_locks where relation = 'metrics'::regclass and mode = 'ExclusiveLock' and granted")" = 1 ] && break
	sleep 0.1
done
setsid "$MMSCOPE" run --db "$KILL" --tag killed "$TMP/lab.scn" >"$TMP/k.out" 2>&1 &
victim=$!
waiting=0
for _ in $(seq 150); do
	waiting=$(pg_sql kill "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query like 'INSERT INTO metrics%'")
	[ "$waiting" = 1 ] && break
	sleep 0.1
done
[ "$waiting" = 1 ] || { cat "$TMP/k.out"; fail "the writer never waited inside its transaction"; }
[ "$(pg_sql kill "select count(*) from pg_stat_activity where state = 'active' and wait_event_type = 'Lock'")" = 1 ] ||
	fail "not one waiting writer"
kill -KILL -- -"$victim"
wait "$victim" 2>/dev/null
pg_sql kill "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep%' and pid <> pg_backend_pid()" >/dev/null
for _ in $(seq 100); do
	[ "$(pg_sql kill "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")" = 0 ] && break
	sleep 0.1
done
[ "$(pg_sql kill "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")" = 0 ] ||
	fail "the killed writer's session is still there"
[ "$(pg_sql kill "select status from runs where tag = 'killed'")" = unfinished ] || fail "run: $(pg_sql kill 'select * from runs')"
n=$(pg_sql kill "select (select count(*) from docs) || chr(47) || (select count(*) from metrics) || chr(47) || (select count(*) from repeats)")
[ "$n" = 0/0/0 ] || fail "partial document left (docs/metrics/repeats): $n"
pass "8 writers x 50 documents each once; 8 concurrent imports store each run once; a writer killed mid-transaction leaves nothing"
