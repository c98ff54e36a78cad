#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope compare on controlled data (tests/fixtures/fake-bench, 5 repeats,
# 1% noise): an injected 20% slowdown is a REGRESSION (exit 1) with the exact
# means; a noise-only change (0.5% shift, reordered noise) is not (exit 0);
# 2 samples a side is "insufficient samples"; bad selectors exit 2. The
# statistics are checked with --ignore-host-noise: the runs are recorded on a
# shared host, and the host-noise rule has its own test (compare_host_noise).
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
export MMSCOPE_DB="$TMP/results.db"
cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
scn() { printf 'workload = ./fake-bench %s\nrepeats = %s\n' "$2" "${3:-5}" > "$TMP/$1.scn"; }
scn base "--scale 1"
scn slow "--scale 1.2"
scn noise "--scale 1.005 --shift 2"
scn few "--scale 1.2" 2
scn wide "--scale 1 --modes 'anon shared'"
for s in base slow noise few wide; do
	"$MMSCOPE" run "$TMP/$s.scn" --tag "$s" > "$TMP/run-$s.out" 2>&1 ||
		fail "run $s: $(cat "$TMP/run-$s.out")"
done

# injected regression
"$MMSCOPE" compare --ignore-host-noise base slow > "$TMP/c1.txt"; rc=$?
cat "$TMP/c1.txt"
[ $rc -eq 1 ] || fail "20% regression: exit $rc, want 1"
grep -E '^fake-bench\.anon\.fault_mean_ns .*\+20\.00% .*REGRESSION' "$TMP/c1.txt" ||
	fail "fault_mean_ns not marked as a +20% REGRESSION"
grep -E '^fake-bench\.anon\.ops_per_s .*-16\.67% .*REGRESSION' "$TMP/c1.txt" ||
	fail "ops_per_s (higher is better) not marked as a REGRESSION"
# the count is 1000 in every repeat of both sides: a constant, no row, no verdict
grep -q '^fake-bench\.anon\.faults ' "$TMP/c1.txt" && fail "constant count has a row"
grep -q '^not judged: 1 metric constant' "$TMP/c1.txt" || fail "constant not said"
"$MMSCOPE" compare --ignore-host-noise --json base slow > "$TMP/c1.json"; rc=$?
[ $rc -eq 1 ] || fail "--json exit $rc"
row='.rows[] | select(.metric == "fake-bench.anon.fault_mean_ns")'
# ground truth from the fixture's formula: means 1000 and 1200, d = 0,1,-1,.5,-.5
[ "$(jq -r "$row | .base.mean" "$TMP/c1.json")" = 1000 ] || fail "base mean"
[ "$(jq -r "$row | .new.mean" "$TMP/c1.json")" = 1200 ] || fail "new mean"
[ "$(jq -r "$row | .base.n" "$TMP/c1.json")" = 5 ] || fail "n"
sd=$(jq -r "$row | .base.stddev" "$TMP/c1.json")
within_pct "$sd" 7.90569 0.01 || fail "sample stddev $sd, want 10*sqrt(0.625)=7.90569"
p=$(jq -r "$row | .p" "$TMP/c1.json")
awk -v p="$p" 'BEGIN { exit !(p < 1e-6) }' || fail "p $p not tiny"
[ "$(jq -r '.regressions' "$TMP/c1.json")" = 3 ] || fail "regressions count"

# noise only: same distribution shape, 0.5% shift, different order
"$MMSCOPE" compare --ignore-host-noise base noise > "$TMP/c2.txt"; rc=$?
cat "$TMP/c2.txt"
[ $rc -eq 0 ] || fail "noise-only change: exit $rc, want 0"
grep -q REGRESSION "$TMP/c2.txt" && fail "noise flagged as regression"
grep -E '^fake-bench\.anon\.fault_mean_ns .*\+0\.50% .*no change' "$TMP/c2.txt" || fail "noise row"

# too few samples: never called, even for a 20% change
"$MMSCOPE" compare --ignore-host-noise base few > "$TMP/c3.txt"; rc=$?
[ $rc -eq 0 ] || fail "insufficient samples: exit $rc"
grep -E '^fake-bench\.anon\.fault_mean_ns .* 5/2 .*insufficient samples' "$TMP/c3.txt" ||
	fail "2 samples not reported as insufficient: $(cat "$TMP/c3.txt")"

# metrics on one side only are not compared, but said (4 in mode "shared");
# of the 4 common ones, pt_physical_bytes and faults are the same constant
# on both sides: not judged
"$MMSCOPE" compare base wide > "$TMP/c4.txt"; rc=$?
[ $rc -eq 0 ] || fail "one-sided metrics: exit $rc"
grep -q '^2 metrics judged' "$TMP/c4.txt" || fail "judged count: $(tail -3 "$TMP/c4.txt")"
grep -q '^not judged: 2 metrics' "$TMP/c4.txt" || fail "not-judged count: $(tail -3 "$TMP/c4.txt")"
grep -q '^not compared: 0 metrics only in base, 4 only in new' "$TMP/c4.txt" ||
	fail "one-sided metrics not reported: $(tail -2 "$TMP/c4.txt")"
"$MMSCOPE" compare --json base wide > "$TMP/c4.json"
[ "$(jq -c '[(.base_only | length), (.new_only | sort)]' "$TMP/c4.json")" = \
  '[0,["fake-bench.shared.fault_mean_ns","fake-bench.shared.faults","fake-bench.shared.ops_per_s","fake-bench.shared.pt_physical_bytes"]]' ] ||
	fail "base_only/new_only: $(jq -c '[.base_only, .new_only]' "$TMP/c4.json")"
"$MMSCOPE" compare base slow | grep -q '^not compared' && fail "one-sided note with none"

# selectors: by id, by kernel, errors
"$MMSCOPE" compare --ignore-host-noise 1 2 > /dev/null; [ $? -eq 1 ] || fail "compare by id"
"$MMSCOPE" compare "kernel:$(uname -r)" slow > /dev/null; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "compare by kernel: exit $rc"
expect_fail_oneline "unknown selector" "$MMSCOPE" compare base nosuchtag
[ "$(bash -c '"$0" compare base nosuchtag 2>/dev/null; echo $?' "$MMSCOPE")" = 2 ] || fail "exit 2 on error"
expect_fail_oneline "missing argument" "$MMSCOPE" compare base
expect_fail_oneline "bad --alpha" "$MMSCOPE" compare --alpha 2 base slow
expect_fail_oneline "bad --busy-cpu-pct" "$MMSCOPE" compare --busy-cpu-pct 101 base slow
pass "regression found (exit 1), noise ignored (exit 0), n<3 not called"
