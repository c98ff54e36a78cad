#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope run --set KEY=VALUE: a workload option's value is replaced (or the
# option added) in the effective workload line, scenario.KEY sets a scenario
# key; an unknown key is refused (rc 2, one line); a stored run records the
# effective line and the overrides under its own scenario identity; --dry-run
# predicts the time from the earlier runs' median repeat.
. "$(dirname "$0")/lib.sh"
require_jq
require_cmd sqlite3 "apt-get install -y sqlite3"
need_bin "$MMSCOPE"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export MMSCOPE_DB="$TMP/r.db"
cp "$ROOT/tests/fixtures/fake-bench" "$TMP/"
S="$TMP/set.scn"
printf 'name = settest\nworkload = ./fake-bench --scale 1 --json\nrepeats = 2\n' > "$S"

# replace --scale, add --sleep; scenario.repeats sets the repeat count
"$MMSCOPE" run "$S" --dry-run --set scale=2 --set sleep=0.2 --set scenario.repeats=3 \
	> "$TMP/dry" 2> "$TMP/dry.err" || fail "dry-run: $(cat "$TMP/dry.err")"
cat "$TMP/dry"
grep -q '^workload: .*/fake-bench --scale 2 --json --sleep 0.2$' "$TMP/dry" || fail "effective workload line"
grep -q '^repeats: 3,' "$TMP/dry" || fail "scenario.repeats"
grep -q '^overrides: scale=2 sleep=0.2 scenario.repeats=3$' "$TMP/dry" || fail "overrides line"
grep -q '^predicted time: no earlier runs: no prediction$' "$TMP/dry" || fail "no-history prediction"
[ ! -e "$MMSCOPE_DB" ] || fail "--dry-run created the store"

# bad keys: rc 2, one line, nothing recorded
for bad in nosuch=1 scale noscale=2 =3 scenario.name=x scenario.repeats=0 scale=1\ --set\ scale=2; do
	# shellcheck disable=SC2086
	expect_fail_oneline "--set $bad" "$MMSCOPE" run "$S" --dry-run --set $bad
	"$MMSCOPE" run "$S" --dry-run --set $bad >/dev/null 2>&1; rc=$?
	[ $rc = 2 ] || fail "--set $bad: rc $rc, want 2"
done
grep -q "unknown key 'nosuch'" <("$MMSCOPE" run "$S" --set nosuch=1 2>&1) || fail "unknown key message"
# --KEY=VALUE in the line is replaced in place; a flag takes no value; a value with blanks is quoted
printf 'workload = ./fake-bench --scale=1 --fail --json\n' > "$TMP/inline.scn"
"$MMSCOPE" run "$TMP/inline.scn" --dry-run --set scale=2 --set 'modes=a b' > "$TMP/dry3" || fail "inline dry-run"
grep -q "^workload: .*/fake-bench --scale=2 --fail --json --modes a b\$" "$TMP/dry3" || fail "inline: $(grep workload: "$TMP/dry3")"
# sga-bench with --budget: the budget bounds the time even without history
cp "$TMP/fake-bench" "$TMP/sga-bench"
printf 'workload = ./sga-bench --budget 1m --json\nrepeats = 3\n' > "$TMP/budget.scn"
"$MMSCOPE" run "$TMP/budget.scn" --dry-run --set budget=2m > "$TMP/dry4" || fail "budget dry-run"
grep -q "^bound: sga-bench --budget 2m bounds each repeat's measurement: at most about 6 min 00 s for 3 repeats" "$TMP/dry4" ||
	fail "budget bound: $(cat "$TMP/dry4")"
expect_fail_oneline "--set on a flag" "$MMSCOPE" run "$TMP/inline.scn" --dry-run --set fail=1
grep -q "takes no value" "$TMP/ef.err" || fail "flag message"

# a stored run records the overrides, the effective line and its own identity
"$MMSCOPE" run "$S" --set sleep=0.2 --set scenario.repeats=3 > "$TMP/out" 2> "$TMP/err" ||
	fail "run: $(cat "$TMP/err")"
"$MMSCOPE" export --json 1 > "$TMP/e.json"
j() { jq -r ".runs[0].$1" "$TMP/e.json"; }
[ "$(j overrides)" = "sleep=0.2 scenario.repeats=3" ] || fail "stored overrides '$(j overrides)'"
[ "$(j workload)" = "./fake-bench --scale 1 --json --sleep 0.2" ] || fail "stored workload '$(j workload)'"
[ "$(j scenario)" = "settest[sleep=0.2,scenario.repeats=3]" ] || fail "stored scenario '$(j scenario)'"
[ "$(j scenario_hash)" != "$(sha256sum < "$S" | cut -d' ' -f1)" ] || fail "overridden run has the file's hash"
[ "$(jq '.runs[0].repeats | length' "$TMP/e.json")" = 3 ] || fail "3 repeats"
# the unmodified scenario does not select the overridden run
"$MMSCOPE" runs scenario:settest > /dev/null 2>&1 && fail "scenario:settest selected the overridden run"
"$MMSCOPE" runs "scenario:settest[sleep=0.2,scenario.repeats=3]" > /dev/null || fail "explicit selection"
# an unmodified run keeps the file's hash and no overrides
"$MMSCOPE" run "$S" > /dev/null 2>&1 || fail "plain run"
"$MMSCOPE" export --json 2 > "$TMP/e2.json"
[ "$(jq -r '.runs[0].scenario_hash' "$TMP/e2.json")" = "$(sha256sum < "$S" | cut -d' ' -f1)" ] || fail "plain hash"
[ "$(jq -r '.runs[0].overrides' "$TMP/e2.json")" = "" ] || fail "plain overrides"

# the prediction: median repeat wall time x repeats (+ settle, no tracers here)
want=$(jq -r '[.runs[0].repeats[].wall_s] | sort | .[1] * 3' "$TMP/e.json" | awk '{ printf "%.2f", $1 }')
"$MMSCOPE" run "$S" --dry-run --set sleep=0.2 --set scenario.repeats=3 > "$TMP/dry2" || fail "dry-run 2"
cat "$TMP/dry2"
grep -q "^predicted time: $want s (median repeat " "$TMP/dry2" ||
	fail "prediction $(grep predicted "$TMP/dry2"), want $want s"
pass
