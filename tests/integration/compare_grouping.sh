#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# compare judges one measurement once: a pfbench-style document (one sample
# per repeat, so ops_per_s_total and its _median/_min/_max/_per_task forms
# are the same number) changing by -34.5% gives exactly ONE REGRESSION row,
# the derived forms listed beneath it (text and JSON); metrics that describe
# the spread (_stddev, _cv_pct) or are identical in every sample on both
# sides (tasks_count) get no row and no verdict. Fixture: an export imported
# into an empty store (no host figures: the host-noise rule has its own test).
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
export MMSCOPE_DB="$TMP/results.db"

# run TAG SCALE UUID: 5 repeats, 1% noise around 1e6 ops/s * SCALE
run() {
	jq -n --arg tag "$1" --argjson s "$2" --arg uuid "$3" '
	  [0, 1, -1, 0.5, -0.5] as $d |
	  { uuid: $uuid, scenario: "pf", tag: $tag, kernel: "6.18.0", started: 1.7e9,
	    finished: 1.7e9, status: "complete",
	    repeats: [range(5) | . as $i | (1e6 * $s * (1 + 0.01 * $d[$i])) as $v |
	      { index: $i, started: 1.7e9, wall_s: 10, exit_status: 0,
	        docs: [{ source: "workload", doc: { schema: "mmscope/1", tool: "pfbench",
	          kind: "result", mode: "anon", task_mode: "thread", tasks: 1,
	          metrics: { tasks_count: 1, ops_per_s_total: $v, ops_per_s_total_median: $v,
	            ops_per_s_total_stddev: 0, ops_per_s_total_min: $v, ops_per_s_total_max: $v,
	            ops_per_s_per_task: $v, ops_per_s_per_task_stddev: 0, ops_cv_pct: 0,
	            fault_lat_mean_ns: (1000 * (1 + 0.01 * $d[$i])), fault_lat_p99_ns: 5000 } } }] }] }'
}
{ run A 1 aaaa; run B 0.655 bbbb; } | jq -s '{schema: "mmscope-runs/1", runs: .}' > "$TMP/x.json"
"$MMSCOPE" import "$TMP/x.json" > /dev/null || fail "import"

"$MMSCOPE" compare A B > "$TMP/c.txt"; rc=$?
cat "$TMP/c.txt"
[ $rc -eq 1 ] || fail "a -34.5% throughput change: exit $rc, want 1"
n=$(grep -c 'REGRESSION' "$TMP/c.txt")
[ "$n" = 1 ] || fail "$n REGRESSION rows for one change, want 1"
key='pfbench\.anon\[task_mode=thread,tasks=1\]'
grep -Eq "^$key\.ops_per_s_total .*-34\.50% .*REGRESSION" "$TMP/c.txt" ||
	fail "the base metric is not the one REGRESSION row"
# its forms are listed beneath it, marked as forms, with their own change
for f in ops_per_s_total_max ops_per_s_total_median ops_per_s_total_min ops_per_s_per_task; do
	grep -Eq "^  \+ $f .*-34\.50% .*form of the row above" "$TMP/c.txt" ||
		fail "form $f not listed beneath its metric"
done
# constants and spread figures: no row at all
for m in tasks_count ops_per_s_total_stddev ops_per_s_per_task_stddev ops_cv_pct fault_lat_p99_ns; do
	grep -q "$m " "$TMP/c.txt" && fail "$m has a row"
done
# fault_lat_mean_ns is a measurement of its own, unchanged: judged, no change
grep -Eq "^$key\.fault_lat_mean_ns .*no change" "$TMP/c.txt" || fail "fault_lat_mean_ns row"
grep -q '^2 metrics judged' "$TMP/c.txt" || fail "judged count: $(tail -3 "$TMP/c.txt")"
grep -q '^not judged: 5 metrics' "$TMP/c.txt" || fail "not-judged line: $(tail -3 "$TMP/c.txt")"

"$MMSCOPE" compare --json A B > "$TMP/c.json"; rc=$?
[ $rc -eq 1 ] || fail "--json exit $rc"
[ "$(jq '.regressions' "$TMP/c.json")" = 1 ] || fail "JSON regressions $(jq .regressions "$TMP/c.json")"
[ "$(jq '[.rows[] | select(.verdict == "REGRESSION")] | length' "$TMP/c.json")" = 1 ] ||
	fail "JSON REGRESSION rows"
[ "$(jq -c '[.rows[].metric | sub(".*\\]\\."; "")]' "$TMP/c.json")" = '["fault_lat_mean_ns","ops_per_s_total"]' ] ||
	fail "JSON rows: $(jq -c '[.rows[].metric]' "$TMP/c.json")"
[ "$(jq -c '[.rows[] | select(.metric | endswith("ops_per_s_total")) | .forms[] | .metric | sub(".*\\]\\."; "")]' "$TMP/c.json")" = \
  '["ops_per_s_per_task","ops_per_s_total_max","ops_per_s_total_median","ops_per_s_total_min"]' ] ||
	fail "JSON forms: $(jq -c '.rows[].forms' "$TMP/c.json")"
jq -e '[.rows[].forms[] | has("verdict")] | any | not' "$TMP/c.json" > /dev/null ||
	fail "a form carries a verdict of its own"
jq -e '[.rows[] | select(.metric | endswith("ops_per_s_total")) | .forms[].change_pct | (. + 34.5) | fabs < 1e-9] | all' \
	"$TMP/c.json" > /dev/null || fail "form change_pct"
[ "$(jq -c '[.not_judged[] | [(.metric | sub(".*\\]\\."; "")), .reason]] | sort' "$TMP/c.json")" = \
  '[["fault_lat_p99_ns","constant"],["ops_cv_pct","spread"],["ops_per_s_per_task_stddev","spread"],["ops_per_s_total_stddev","spread"],["tasks_count","constant"]]' ] ||
	fail "not_judged: $(jq -c .not_judged "$TMP/c.json")"
pass "one change, one REGRESSION row with its forms beneath; constants and spread unjudged"
