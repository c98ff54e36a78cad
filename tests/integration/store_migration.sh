#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A store written by the first schema (user_version 1: runs + flat metrics,
# docs/store.md) is migrated in place by the first command that writes
# (run, import); read-only commands (runs, compare, export --json,
# dashboard) read an older store through a migrated copy in memory and leave
# the file as it was. Migrated runs keep their samples, get uuids and
# synthesized documents, export, compare, and take new runs. A schema-2
# store's sga-bench keys gain the SGA size from their documents (3): old runs
# compare with new runs of the same size, never with another size, and rows
# without a size become sga=unknown. Schema 4 adds the run status (complete,
# partial, unfinished): every older run is complete. A store from a newer
# mmscope is refused, untouched.
. "$(dirname "$0")/lib.sh"
require_jq
require_cmd sqlite3
need_bin "$MMSCOPE"
DB="$TMP/old.db"
sqlite3 "$DB" <<'SQL'
CREATE TABLE runs(id INTEGER PRIMARY KEY, scenario TEXT NOT NULL, tag TEXT NOT NULL DEFAULT '',
  kernel TEXT NOT NULL, started REAL NOT NULL, repeats INTEGER NOT NULL);
CREATE TABLE metrics(run_id INTEGER NOT NULL REFERENCES runs(id), repeat_idx INTEGER NOT NULL,
  tool TEXT NOT NULL, mode TEXT NOT NULL, name TEXT NOT NULL, value REAL NOT NULL);
INSERT INTO runs VALUES(1, 'pf', 'v1-base', '6.1.0', 1600000000, 3), (2, 'pf', 'v1-new', '6.1.0', 1600000100, 3);
INSERT INTO metrics VALUES
  (1,0,'pfbench','anon','fault_mean_ns',1000), (1,1,'pfbench','anon','fault_mean_ns',1010),
  (1,2,'pfbench','anon','fault_mean_ns',990),  (2,0,'pfbench','anon','fault_mean_ns',1300),
  (2,1,'pfbench','anon','fault_mean_ns',1310), (2,2,'pfbench','anon','fault_mean_ns',1290),
  (1,0,'pfbench','anon','ops_per_s',5), (2,0,'pfbench','anon','ops_per_s',4);
PRAGMA user_version = 1;
SQL
before=$(sha256sum < "$DB")
"$MMSCOPE" runs --db "$DB" | tee "$TMP/runs.txt" || fail "runs on a v1 store"
grep -Eq '^ +1 .* v1-base .* complete ' "$TMP/runs.txt" || fail "v1 runs not shown as complete"
"$MMSCOPE" compare --db "$DB" v1-base v1-new >/dev/null; [ $? -eq 1 ] || fail "compare on a v1 store read-only"
"$MMSCOPE" export --db "$DB" --json v1-base >/dev/null || fail "export --json on a v1 store"
[ "$(sha256sum < "$DB")" = "$before" ] || fail "a read-only command changed the v1 store"
[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 1 ] || fail "a read-only command migrated the store"
# a read-only store file (chmod, as on a shared results share) reads too
chmod 0444 "$DB"
"$MMSCOPE" runs --db "$DB" >/dev/null 2>"$TMP/ro.err" || fail "runs on a read-only v1 store: $(cat "$TMP/ro.err")"
chmod 0644 "$DB"
# the first write migrates in place: import an empty-handed export
printf '{"schema":"mmscope-runs/1","runs":[]}\n' > "$TMP/none.json"
"$MMSCOPE" import --db "$DB" "$TMP/none.json" >/dev/null || fail "import into a v1 store"
[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 6 ] || fail "not migrated to 6"
[ "$(sqlite3 "$DB" "select count(*) from runs where hostname = ''")" = 2 ] || fail "5 -> 6: runs before it have no host"
[ "$(sqlite3 "$DB" "select group_concat(status) from runs")" = "complete,complete" ] || fail "migrated runs not complete"
[ "$(sqlite3 "$DB" 'select count(distinct uuid) from runs')" = 2 ] || fail "uuids"
[ "$(sqlite3 "$DB" 'select count(*) from docs')" = 6 ] || fail "one document per run, repeat, tool, mode"
[ "$(sqlite3 "$DB" 'select count(*) from metrics where doc_id is null')" = 0 ] || fail "metrics not linked"
"$MMSCOPE" compare --db "$DB" --json v1-base v1-new > "$TMP/c.json"; rc=$?
[ $rc -eq 1 ] || fail "compare on migrated data: exit $rc (a +30% latency regression)"
[ "$(jq -r '.rows[] | select(.metric == "pfbench.anon.fault_mean_ns") | .new.mean' "$TMP/c.json")" = 1300 ] ||
	fail "migrated samples changed"
[ "$(jq -r '.rows[] | select(.metric == "pfbench.anon.ops_per_s") | .verdict' "$TMP/c.json")" = "insufficient samples" ] ||
	fail "1-sample metric"
"$MMSCOPE" export --db "$DB" --json v1-base | jq -e '.runs[0].repeats[0].docs[0].doc.metrics.fault_mean_ns == 1000' >/dev/null ||
	fail "export of a migrated run"
cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
printf 'workload = ./fake-bench\nrepeats = 3\n' > "$TMP/s.scn"
"$MMSCOPE" run --db "$DB" "$TMP/s.scn" >/dev/null 2>&1 || fail "new run into a migrated store"
[ "$(sqlite3 "$DB" 'select count(*) from runs')" = 3 ] || fail "run count"
# opening again is a no-op
sum=$(sqlite3 "$DB" 'select count(*) from docs')
"$MMSCOPE" runs --db "$DB" >/dev/null && [ "$(sqlite3 "$DB" 'select count(*) from docs')" = "$sum" ] || fail "re-migrated"

# schema 2 -> 3: sga-bench keys carry the SGA size
sga_docs() {	# FILE SGA_BYTES VALUE...: one sga-bench shmem document per value
	local f=$1 sz=$2 v; shift 2
	for v; do
		printf '{"schema":"mmscope/1","tool":"sga-bench","kind":"result","mode":"shmem","time":1700000000,"host":{"kernel":"6.1.0"},"procs":8,"sga_bytes":%s,"metrics":{"pt_physical_bytes":%s,"sga_bytes":%s}}\n' "$sz" "$v" "$sz"
	done > "$f"
}
DB2="$TMP/v2.db"
sga_docs "$TMP/old2g.jsonl" 2147483648 1000 1010 990
"$MMSCOPE" import --db "$DB2" --tag old2g "$TMP/old2g.jsonl" >/dev/null || fail "import old2g"
# what schema 2 stored: the key without the size, no run status
sqlite3 "$DB2" "UPDATE metrics SET mode = 'shmem[procs=8]' WHERE tool = 'sga-bench';
  DROP INDEX runs_scenario; ALTER TABLE runs DROP COLUMN status; ALTER TABLE runs DROP COLUMN status_reason;
  ALTER TABLE runs DROP COLUMN workload; ALTER TABLE runs DROP COLUMN overrides;
  DROP INDEX runs_hostname; ALTER TABLE runs DROP COLUMN hostname;
  PRAGMA user_version = 2"
# a row no document describes (hand-made; nothing in it tells the size)
sqlite3 "$DB2" "INSERT INTO metrics(run_id, repeat_idx, tool, mode, name, value) VALUES(1, 0, 'sga-bench', 'shmem[procs=8]', 'faults_count', 5)"
"$MMSCOPE" runs --db "$DB2" >/dev/null || fail "runs on a v2 store"
[ "$(sqlite3 "$DB2" 'PRAGMA user_version')" = 2 ] || fail "runs migrated the v2 store"
"$MMSCOPE" import --db "$DB2" "$TMP/none.json" >/dev/null || fail "import into a v2 store"
[ "$(sqlite3 "$DB2" 'PRAGMA user_version')" = 6 ] || fail "v2 not migrated to 6"
[ "$(sqlite3 "$DB2" "select group_concat(distinct mode) from metrics where name = 'pt_physical_bytes'")" = "shmem[procs=8,sga=2G]" ] ||
	fail "migrated key: $(sqlite3 "$DB2" "select group_concat(distinct mode) from metrics")"
[ "$(sqlite3 "$DB2" "select mode from metrics where name = 'faults_count'")" = "shmem[procs=8,sga=unknown]" ] ||
	fail "row without a document: $(sqlite3 "$DB2" "select mode from metrics where name = 'faults_count'")"
# new runs: same size compares with the migrated run, another size does not
sga_docs "$TMP/new2g.jsonl" 2147483648 1300 1310 1290
sga_docs "$TMP/new1g.jsonl" 1073741824 500 505 495
"$MMSCOPE" import --db "$DB2" --tag new2g "$TMP/new2g.jsonl" >/dev/null || fail "import new2g"
"$MMSCOPE" import --db "$DB2" --tag new1g "$TMP/new1g.jsonl" >/dev/null || fail "import new1g"
"$MMSCOPE" compare --db "$DB2" --json old2g new2g > "$TMP/c2.json"; rc=$?
[ $rc -eq 1 ] || fail "old 2G vs new 2G: exit $rc (a +30% page-table regression)"
# (sga_bytes is the same 2 GiB in every sample of both sides: a constant, not judged)
[ "$(jq -r '[.rows[].metric] | join(" ")' "$TMP/c2.json")" = "sga-bench.shmem[procs=8,sga=2G].pt_physical_bytes" ] ||
	fail "compared rows: $(jq -c '[.rows[].metric]' "$TMP/c2.json")"
[ "$(jq -r '[.not_judged[] | .metric + " " + .reason] | join(",")' "$TMP/c2.json")" = "sga-bench.shmem[procs=8,sga=2G].sga_bytes constant" ] ||
	fail "not judged: $(jq -c '.not_judged' "$TMP/c2.json")"
expect_fail_oneline "2G vs 1G" "$MMSCOPE" compare --db "$DB2" old2g new1g
grep -q 'no metric is present on both sides' "$TMP/ef.err" || fail "2G vs 1G compared"
log "schema 2 -> 3: sga-bench keys gained sga=2G (sga=unknown without a document); 2G vs 1G not compared"

# newer schema: refused, file unchanged
sqlite3 "$TMP/new.db" 'CREATE TABLE runs(x); PRAGMA user_version = 7'
before=$(sha256sum < "$TMP/new.db")
expect_fail_oneline "newer store" "$MMSCOPE" runs --db "$TMP/new.db"
grep -q 'newer than this mmscope' "$TMP/ef.err" || fail "message"
[ "$(sha256sum < "$TMP/new.db")" = "$before" ] || fail "newer store modified"
# a SQLite file that is not ours
sqlite3 "$TMP/foreign.db" 'CREATE TABLE t(x)'
expect_fail_oneline "foreign database" "$MMSCOPE" runs --db "$TMP/foreign.db"
# read-only commands never create a store
for c in "runs" "compare a b" "export --json" "dashboard -o $TMP/x.html"; do
	expect_fail_oneline "$c on a missing store" "$MMSCOPE" $c --db "$TMP/nodir/none.db"
	grep -q "no such store: $TMP/nodir/none.db" "$TMP/ef.err" || fail "$c: message"
	[ ! -e "$TMP/nodir" ] || fail "$c created $TMP/nodir"
done
pass "schema 1 -> 6 and 2 -> 6 migrations keep data (on the first write only), sizes keep sga-bench runs apart; newer and foreign stores refused; read-only commands create nothing"
