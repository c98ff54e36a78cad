#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A lab's store holds runs of several hosts: the dashboard's default compare
# table takes both sides from the latest run's host (a change of machine is
# not a change of kernel), labels name the host, and combined selectors pick
# one host's runs for compare. A store of one machine is grouped as before.
. "$(dirname "$0")/lib.sh"
need_bin "$MMSCOPE"
require_jq
cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
chmod 755 "$TMP/fake-bench"
# box B is a slower machine (scale 2) on both kernels; box A regresses 10%
printf 'workload = ./fake-bench --scale %s\nrepeats = 3\n' 1 > "$TMP/a1.scn"
printf 'workload = ./fake-bench --scale %s\nrepeats = 3\n' 1.1 > "$TMP/a2.scn"
printf 'workload = ./fake-bench --scale %s\nrepeats = 3\n' 2 > "$TMP/b.scn"
DB="$TMP/lab.db"
rec() { MMSCOPE_HOSTNAME=$1 "$MMSCOPE" run --db "$DB" --tag "$2" "$TMP/$3.scn" >"$TMP/run.out" 2>&1 ||
	{ cat "$TMP/run.out"; fail "run $*"; }; }
rec boxA base a1
rec boxB base b
rec boxA new a2
rec boxB new b

# compare picks one host with combined selectors
"$MMSCOPE" compare --db "$DB" --json --ignore-host-noise tag:base,host:boxA tag:new,host:boxA > "$TMP/c.json"; rc=$?
[ $rc = 1 ] || fail "compare boxA base/new: exit $rc"
[ "$(jq -c '[.base_runs.runs, .new_runs.runs]' "$TMP/c.json")" = '[[1],[3]]' ] || fail "sides: $(jq -c '.base_runs, .new_runs' "$TMP/c.json")"

if ! "$MMSCOPE" dashboard --db "$DB" -o "$TMP/d.html" >/dev/null 2>"$TMP/d.err"; then
	grep -q 'without Chart.js' "$TMP/d.err" && skip "built without Chart.js"
	fail "dashboard: $(cat "$TMP/d.err")"
fi
# the latest run is box B's: its base and new runs only, not box A's
grep -o '"base_runs":\[[0-9,]*\],"new_runs":\[[0-9,]*\]' "$TMP/d.html" | grep -qx '"base_runs":\[2\],"new_runs":\[4\]' ||
	fail "default sides: $(grep -o '"base_runs":\[[0-9,]*\],"new_runs":\[[0-9,]*\]' "$TMP/d.html")"
grep -q '"base_label":"kernel [^"]*, tag base, host boxB"' "$TMP/d.html" || fail "base label names the host"
grep -q '"label":"#1 [^"]* base @boxA"' "$TMP/d.html" || fail "run labels name the host"

# one machine (its runs named or not): grouped by kernel and tag as before
sqlite3 "$DB" "update runs set hostname = case when id <= 2 then '' else 'boxA' end" 2>/dev/null ||
	skip "needs sqlite3 (apt-get install sqlite3)"
"$MMSCOPE" dashboard --db "$DB" -o "$TMP/d1.html" >/dev/null || fail "dashboard, one host"
grep -o '"base_runs":\[[0-9,]*\],"new_runs":\[[0-9,]*\]' "$TMP/d1.html" | grep -qx '"base_runs":\[1,2\],"new_runs":\[3,4\]' ||
	fail "one host's sides: $(grep -o '"base_runs":\[[0-9,]*\],"new_runs":\[[0-9,]*\]' "$TMP/d1.html")"
grep -q '@boxA' "$TMP/d1.html" && fail "one host's labels name it"
pass "a lab's dashboard compares the latest host's runs; one machine's as before"
