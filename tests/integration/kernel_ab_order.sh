#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/kernel/ab.sh -n 3 boots the two kernels in alternating pairs
# (pristine patched, patched pristine, pristine patched), each round's
# results in its own directory and listed side by side; without -n it is
# one pair, in the old layout. A stub stands in for boot.sh (AB_BOOT): the
# QEMU boots themselves are tested by make kernel-ci.
. "$(dirname "$0")/lib.sh"
AB="$(cd "$(dirname "$0")/../.." && pwd)/scripts/kernel/ab.sh"
cat > "$TMP/boot" <<'EOS'
#!/bin/bash
# stub boot.sh: -f FLAVOR -s SCENARIO -o DIR [...]: note the boot, write a result
while [ $# -gt 0 ]; do
	case $1 in -f) f=$2; shift ;; -s) s=$2; shift ;; -o) o=$2; shift ;; esac
	shift
done
echo "$f" >> "$AB_LOG"
mkdir -p "$o/results"
echo "{\"flavor\":\"$f\",\"scenario\":\"$s\"}" > "$o/results/$s.json"
EOS
chmod +x "$TMP/boot"
export AB_BOOT="$TMP/boot" AB_LOG="$TMP/log" MMSCOPE_TOP="$TMP"
"$AB" -n 3 smoke -t 60 > "$TMP/out" 2> "$TMP/err" || fail "ab.sh -n 3: $(cat "$TMP/err")"
cat "$TMP/out"
[ "$(tr '\n' ' ' < "$TMP/log")" = "pristine patched patched pristine pristine patched " ] ||
	fail "boot order: $(tr '\n' ' ' < "$TMP/log")"
for r in 1 2 3; do
	for f in pristine patched; do
		grep -q "\"flavor\":\"$f\"" "$TMP/build/kernel/ab-smoke/round-$r/$f/results/smoke.json" ||
			fail "round $r $f results"
	done
done
[ "$(grep -c '^== round-' "$TMP/out")" = 3 ] || fail "rounds listed"
[ "$(grep -c '^  A (pristine): {"flavor":"pristine"' "$TMP/out")" = 3 ] || fail "A lines"
[ "$(grep -c '^  B (patched):  {"flavor":"patched"' "$TMP/out")" = 3 ] || fail "B lines"
# default: one pair, results where they always were
: > "$TMP/log"
"$AB" smoke > "$TMP/out1" 2>&1 || fail "ab.sh: $(cat "$TMP/out1")"
[ "$(tr '\n' ' ' < "$TMP/log")" = "pristine patched " ] || fail "default order"
[ -f "$TMP/build/kernel/ab-smoke/patched/results/smoke.json" ] || fail "default layout"
# bad -n: an error, nothing booted
: > "$TMP/log"
"$AB" -n 0 smoke > /dev/null 2>&1 && fail "-n 0 accepted"
"$AB" -n x smoke > /dev/null 2>&1 && fail "-n x accepted"
[ ! -s "$TMP/log" ] || fail "booted on a bad -n"
pass "ab.sh -n 3: pairs AB BA AB, per-round results side by side"
