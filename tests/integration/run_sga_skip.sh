#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The headline scenario's shape (sga-bench --mode all under mmscope run) on a
# host that cannot give one mode what it needs: the repeat is recorded with
# the other modes' metrics, keyed with the SGA size, and the skipped mode's
# document (its reason) is stored without samples. A genuine failure of one
# mode still fails the run, but the modes that finished before it are kept:
# the run is recorded as partial with the reason (compare leaves it out),
# nothing left behind. SGA_BENCH_INJECT (docs/bench.md)
# makes hugetlb's pool grow one page short / a thp child die of SIGBUS.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
require_cmd sqlite3
need_bin "$MMSCOPE"
need_bin "$BUILD/sga-bench"
export MMSCOPE_DB="$TMP/r.db"
nr0=$(cat /proc/sys/vm/nr_hugepages)
THP=/sys/kernel/mm/transparent_hugepage/shmem_enabled
thp0=$(cat $THP 2>/dev/null)
printf 'name = sga-all\nworkload = sga-bench -n 20 --sga 64M --mode all --thp-force --trace off --json\nrepeats = 2\ntimeout = 5m\n' \
	> "$TMP/all.scn"
orphans() {	# sga-child processes whose parent is no sga-bench (other runs' are fine)
	local c
	for c in $(pgrep '^sga-child'); do
		[ "$(ps -o comm= -p "$(ps -o ppid= -p "$c" | tr -d ' ')" 2>/dev/null)" = sga-bench ] || echo "$c"
	done
}
left() {
	local i
	for i in $(seq 50); do [ -z "$(orphans)" ] && break; sleep 0.1; done
	[ -z "$(orphans)" ] || fail "$1: sga-child processes left: $(orphans)"
	[ "$(cat /proc/sys/vm/nr_hugepages)" -eq "$nr0" ] || fail "$1: nr_hugepages not back to $nr0"
	[ "$(cat $THP 2>/dev/null)" = "$thp0" ] || fail "$1: shmem_enabled not restored"
}

SGA_BENCH_INJECT=hugetlb:reserve "$MMSCOPE" run "$TMP/all.scn" --tag skip > "$TMP/out" 2> "$TMP/err" ||
	fail "run with hugetlb skipped: exit $?: $(grep -v '^  ' "$TMP/err" | tail -n 5)"
grep -q '^recorded run 1: scenario sga-all, 2 repeats' "$TMP/out" || fail "not recorded: $(cat "$TMP/out")"
grep -q '^sga-bench: note: skipping hugetlb: could reserve only' "$TMP/err" || fail "no skip note passed on"
q() { sqlite3 "$MMSCOPE_DB" "$1"; }
# every repeat: one document per mode, hugetlb's says why, only the run modes have samples
[ "$(q "select count(*) from docs where tool = 'sga-bench'")" = 8 ] || fail "documents: $(q "select repeat_idx, mode from docs")"
[ "$(q "select count(*) from docs where mode = 'hugetlb' and json_extract(json, '\$.skipped') like 'could reserve only%'")" = 2 ] ||
	fail "skipped hugetlb documents: $(q "select json from docs where mode = 'hugetlb'")"
[ "$(q "select count(*) from metrics where mode glob 'hugetlb*'")" = 0 ] || fail "samples for the skipped mode"
for m in shmem thp; do
	[ "$(q "select count(*) from metrics where tool = 'sga-bench' and mode = '$m[procs=20,sga=64M]' and name = 'pt_physical_bytes'")" = 2 ] ||
		fail "$m samples keyed with the size: $(q "select distinct mode from metrics")"
done
"$MMSCOPE" export --json 1 | jq -e '[.runs[0].repeats[].docs[].doc | select(.mode == "hugetlb") | .skipped | test("could reserve only")] == [true, true]' >/dev/null ||
	fail "export lacks the skipped documents"
"$MMSCOPE" compare skip skip --json > "$TMP/c.json" 2>&1 || true
# every metric is accounted for: judged, a form beneath one, or not judged (constants)
jq -e '[.rows[].metric, .rows[].forms[].metric, .not_judged[].metric | select(startswith("sga-bench.shmem[procs=20,sga=64M]."))] | length > 10' "$TMP/c.json" >/dev/null ||
	fail "compare rows: $(head -c 400 "$TMP/c.json")"
# the dashboard says which mode is missing from the chart, and why
"$MMSCOPE" dashboard -o "$TMP/d.html" > /dev/null 2>&1 || fail "dashboard failed"
grep -q '"skipped":\[{"mode":"hugetlb","why":"could reserve only' "$TMP/d.html" ||
	fail "dashboard data lacks the skipped hugetlb mode: $(grep -o '"sga":{[^}]*}[^]]*]' "$TMP/d.html" | head -c 400)"
left "skip"
log "hugetlb skipped in both repeats: run recorded, shmem/thp samples keyed [procs=20,sga=64M], reasons stored"

before=$(q "select count(*) from runs")
SGA_BENCH_INJECT=thp:crash "$MMSCOPE" run "$TMP/all.scn" --tag crash > "$TMP/out2" 2> "$TMP/err2"; rc=$?
[ $rc -eq 1 ] || fail "run with a crashing thp child: exit $rc"
grep -q '^sga-bench: 1 of 4 modes failed (thp)' "$TMP/err2" || fail "sga-bench's summary not passed on: $(cat "$TMP/err2")"
grep -Eq '^mmscope: run: repeat 1: workload sga-bench exited with status 1 after printing [23] result documents \(kept\)$' "$TMP/err2" ||
	fail "no count of kept documents: $(grep '^mmscope' "$TMP/err2")"
grep -q '^mmscope: run: sga-all: what finished is recorded as partial run' "$TMP/err2" || fail "no 'recorded as partial run'"
[ "$(q "select count(*) from runs")" = $((before + 1)) ] || fail "the finished modes were not kept"
[ "$(q "select status from runs where tag = 'crash'")" = partial ] || fail "crashed run not partial"
q "select status_reason from runs where tag = 'crash'" | grep -q 'exited with status 1' || fail "reason: $(q "select status_reason from runs where tag = 'crash'")"
[ "$(q "select count(*) from docs d join runs r on r.id = d.run_id where r.tag = 'crash' and d.mode = 'shmem'")" = 1 ] ||
	fail "shmem (finished before thp crashed) not kept"
left "crash"
pass "a skipped mode keeps the repeat (reason stored, others keyed by size); a failed mode keeps the finished ones as a partial run"
