#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# compare withholds a verdict the host's noise could explain. Fixture (an
# export imported into an empty store): a +20% latency change, 5 repeats a
# side, 1% noise. When one side's repeats carry busy-host figures (other
# processes took 35% of the CPU): "host was busy: verdict withheld", exit 0.
# The same samples with quiet-host figures (2%): REGRESSION, exit 1; so too
# with --ignore-host-noise or a threshold above 35%. A deterministic figure
# (constant within each side) is judged even on a busy host. The host
# figures survive export and import, and are no metric of their own.
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
export MMSCOPE_DB="$TMP/results.db"

# run TAG SCALE OTHER_CPU_PCT UUID [PT]: fault_ns = 1000 * SCALE * (1 + 1% d)
run() {
	jq -n --arg tag "$1" --argjson s "$2" --argjson other "$3" --arg uuid "$4" --argjson pt "${5:-4096}" '
	  [0, 1, -1, 0.5, -0.5] as $d |
	  { uuid: $uuid, scenario: "lat", tag: $tag, kernel: "6.18.0", started: 1.7e9,
	    finished: 1.7e9, status: "complete",
	    repeats: [range(5) | . as $i |
	      { index: $i, started: 1.7e9, wall_s: 10, exit_status: 0,
	        host: { wall_s: 10, ncpus: 2, loadavg_1m_start: 1, loadavg_1m_end: 1,
	                busy_cpu_s: (20 * $other / 100 + 9), own_cpu_s: 9,
	                other_cpu_s: (20 * $other / 100), other_cpu_pct: $other },
	        docs: [{ source: "workload", doc: { schema: "mmscope/1", tool: "lat",
	          kind: "result", mode: "anon",
	          metrics: { fault_ns: (1000 * $s * (1 + 0.01 * $d[$i])), pt_bytes: $pt } } }] }] }'
}
{
	run base 1 2 b0
	run busy 1.2 35 b1
	run quiet 1.2 2 b2
	run busy-pt 1 35 b3 8192
} | jq -s '{schema: "mmscope-runs/1", runs: .}' > "$TMP/x.json"
"$MMSCOPE" import "$TMP/x.json" > /dev/null || fail "import"

# busy new side: withheld, exit 0
"$MMSCOPE" compare base busy > "$TMP/busy.txt"; rc=$?
cat "$TMP/busy.txt"
[ $rc -eq 0 ] || fail "a busy host's change: exit $rc, want 0 (withheld is no regression)"
grep -Eq '^lat\.anon\.fault_ns .*\+20\.00% .*host was busy: verdict withheld \(would be REGRESSION' "$TMP/busy.txt" ||
	fail "fault_ns not withheld"
grep -q 'REGRESSION <<<' "$TMP/busy.txt" && fail "a REGRESSION on a busy host"
grep -q '^host  new  other processes took 35.0% of the CPU on average, 35.0% at most, over 5 repeats (busy)' \
	"$TMP/busy.txt" || fail "host line of the busy side"
grep -q 'host\.noise\.' "$TMP/busy.txt" && fail "host figures listed as metrics"
"$MMSCOPE" compare --json base busy > "$TMP/busy.json"; rc=$?
[ $rc -eq 0 ] || fail "--json exit $rc"
[ "$(jq -c '[.regressions, .withheld]' "$TMP/busy.json")" = '[0,1]' ] ||
	fail "JSON counts $(jq -c '[.regressions, .withheld]' "$TMP/busy.json")"
row='.rows[] | select(.metric == "lat.anon.fault_ns")'
[ "$(jq -r "$row | .verdict" "$TMP/busy.json")" = "host was busy: verdict withheld" ] || fail "JSON verdict"
[ "$(jq -r "$row | .withheld_verdict" "$TMP/busy.json")" = REGRESSION ] || fail "JSON withheld_verdict"
[ "$(jq -c "$row | [.host.base.other_cpu_pct_max, .host.new.other_cpu_pct_max, .host.new.repeats_with_figures]" "$TMP/busy.json")" = '[2,35,5]' ] ||
	fail "JSON host figures: $(jq -c "$row | .host" "$TMP/busy.json")"
jq -e '[.rows[].metric, .not_judged[].metric, .base_only[], .new_only[]] | map(startswith("host.")) | any | not' \
	"$TMP/busy.json" > /dev/null || fail "host figures in rows or one-sided lists"
# either side busy is enough
"$MMSCOPE" compare busy base > /dev/null; rc=$?
[ $rc -eq 0 ] || fail "busy base side: exit $rc, want 0"

# the same samples on a quiet host: a regression
"$MMSCOPE" compare base quiet > "$TMP/quiet.txt"; rc=$?
cat "$TMP/quiet.txt"
[ $rc -eq 1 ] || fail "a quiet host's change: exit $rc, want 1"
grep -Eq '^lat\.anon\.fault_ns .*\+20\.00% .*REGRESSION <<<' "$TMP/quiet.txt" || fail "quiet: not a REGRESSION"
# and on the busy host when asked, or with a threshold above the noise
"$MMSCOPE" compare --ignore-host-noise base busy > /dev/null; rc=$?
[ $rc -eq 1 ] || fail "--ignore-host-noise: exit $rc, want 1"
"$MMSCOPE" compare --busy-cpu-pct 40 base busy > /dev/null; rc=$?
[ $rc -eq 1 ] || fail "--busy-cpu-pct 40: exit $rc, want 1"

# a deterministic figure (the same in every repeat of each side) is judged even when busy
"$MMSCOPE" compare base busy-pt > "$TMP/pt.txt"; rc=$?
cat "$TMP/pt.txt"
[ $rc -eq 1 ] || fail "deterministic change on a busy host: exit $rc, want 1"
grep -Eq '^lat\.anon\.pt_bytes .*\+100\.00% .*REGRESSION' "$TMP/pt.txt" || fail "pt_bytes not judged"

# the host figures travel with the repeat through export and import
"$MMSCOPE" export --json busy > "$TMP/e.json" || fail "export"
[ "$(jq -c '[.runs[0].repeats[].host.other_cpu_pct]' "$TMP/e.json")" = '[35,35,35,35,35]' ] ||
	fail "exported host figures: $(jq -c '.runs[0].repeats[0]' "$TMP/e.json")"
[ "$(jq -c '[.runs[0].repeats[].docs | length]' "$TMP/e.json")" = '[1,1,1,1,1]' ] || fail "host figures became documents"
MMSCOPE_DB="$TMP/two.db" "$MMSCOPE" import "$TMP/e.json" > /dev/null || fail "re-import"
MMSCOPE_DB="$TMP/two.db" "$MMSCOPE" export --json all > "$TMP/e2.json"
[ "$(jq -c '.runs[0].repeats' "$TMP/e.json")" = "$(jq -c '.runs[0].repeats' "$TMP/e2.json")" ] ||
	fail "host figures changed in an export/import round trip"
# `runs` counts the run's metrics, not the host figures
[ "$("$MMSCOPE" runs --json busy | jq '.[0].metrics')" = 2 ] || fail "runs counts host figures as metrics"
# a bad host member is refused on import
jq '.runs[0].uuid = "zz" | .runs[0].repeats[0].host.other_cpu_pct = "lots"' "$TMP/x.json" > "$TMP/bad.json"
expect_fail_oneline "host figure not a number" "$MMSCOPE" import "$TMP/bad.json"
pass "busy host: withheld (exit 0); quiet host: REGRESSION (exit 1); deterministic figures still judged"
