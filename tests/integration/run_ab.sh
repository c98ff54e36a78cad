#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/ab-run.sh interleaves two scenarios on one host: 3 pairs run in
# the order A B, B A, A B (each a run of one repeat, each --a-setup/--b-setup
# right before its side), then compare judges tag A against tag B: a +20%
# latency (deterministic here) is a REGRESSION, exit 1. Bad usage: exit 2,
# nothing run.
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
AB="$(cd "$(dirname "$0")/../.." && pwd)/scripts/ab-run.sh"
export MMSCOPE_DB="$TMP/r.db"
cat > "$TMP/wl" <<'EOS'
#!/bin/bash
# wl LOG NAME NS: note that side NAME ran, print one document
echo "run $2" >> "$1"
echo "{\"schema\":\"mmscope/1\",\"tool\":\"wl\",\"kind\":\"result\",\"mode\":\"m\",\"metrics\":{\"lat_ns\":$3}}"
EOS
chmod +x "$TMP/wl"
printf 'workload = ./wl %s A 1000\n' "$TMP/log" > "$TMP/a.scn"
printf 'workload = ./wl %s B 1200\n' "$TMP/log" > "$TMP/b.scn"
"$AB" -n 3 --a-setup "echo setup A >> $TMP/log" --b-setup "echo setup B >> $TMP/log" \
	"$TMP/a.scn" A "$TMP/b.scn" B > "$TMP/out" 2> "$TMP/err"; rc=$?
cat "$TMP/out"
[ $rc -eq 1 ] || fail "a +20% change: exit $rc, want 1: $(tail -3 "$TMP/err")"
[ "$(tr '\n' , < "$TMP/log")" = "setup A,run A,setup B,run B,setup B,run B,setup A,run A,setup A,run A,setup B,run B," ] ||
	fail "order: $(tr '\n' , < "$TMP/log")"
[ "$("$MMSCOPE" runs --json | jq -r '[.[].tag] | join(" ")')" = "A B B A A B" ] || fail "stored runs"
grep -Eq '^wl\.m\.lat_ns .* 3/3 .*REGRESSION' "$TMP/out" || fail "compare of the pooled runs"
grep -q '^base  tag:A: 3 runs' "$TMP/out" || fail "base side"
# usage errors: exit 2, nothing run
n=$("$MMSCOPE" runs --json | jq length)
"$AB" -n 0 "$TMP/a.scn" A "$TMP/b.scn" B 2> "$TMP/e1"; [ $? -eq 2 ] || fail "-n 0"
"$AB" "$TMP/a.scn" A "$TMP/b.scn" A 2> "$TMP/e2"; [ $? -eq 2 ] || fail "same tags"
"$AB" "$TMP/a.scn" A "$TMP/nope.scn" B 2> "$TMP/e3"; [ $? -eq 2 ] || fail "missing scenario"
"$AB" "$TMP/a.scn" A 2> /dev/null; [ $? -eq 2 ] || fail "missing arguments"
grep -q "must differ" "$TMP/e2" || fail "same-tag message: $(cat "$TMP/e2")"
[ "$("$MMSCOPE" runs --json | jq length)" = "$n" ] || fail "a bad invocation ran something"
# a failing setup stops at once: exit 3
"$AB" -n 1 --b-setup false "$TMP/a.scn" C "$TMP/b.scn" D 2> "$TMP/e4"; [ $? -eq 3 ] || fail "failed setup: exit"
grep -q 'setup of D failed' "$TMP/e4" || fail "failed setup message: $(cat "$TMP/e4")"
pass "ABBA pairs with their setups, pooled by compare (exit 1 on the regression); bad usage exit 2"
