#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernel/ab.sh [-n ROUNDS] SCENARIO [boot.sh options...]
# Run SCENARIO on the pristine (A) and the patched (B) kernel and put the
# results side by side in build/kernel/ab-SCENARIO/{pristine,patched}.
# -n ROUNDS (make kernel-ab ROUNDS=N): boot each kernel ROUNDS times,
# interleaved in pairs whose order alternates (AB BA AB ...), so a drift of
# the host falls on both kernels alike (docs/kernel.md); round R's results
# go to build/kernel/ab-SCENARIO/round-R/{pristine,patched}.
# AB_BOOT: the boot script (default scripts/kernel/boot.sh; tests use a stub).
. "$(dirname "$0")/lib.sh"
rounds=1
if [ "${1:-}" = -n ]; then
	rounds=${2:-}
	shift 2 || true
	case $rounds in ''|*[!0-9]*) kdie "-n '$rounds' must be a whole number from 1 to 100" ;; esac
	[ "$rounds" -ge 1 ] && [ "$rounds" -le 100 ] || kdie "-n '$rounds' must be a whole number from 1 to 100"
fi
scenario=${1:?usage: ab.sh [-n ROUNDS] SCENARIO [boot options]}
shift
boot=${AB_BOOT:-$MMSCOPE_TOP/scripts/kernel/boot.sh}
base=$MMSCOPE_TOP/build/kernel/ab-$scenario
rc=0
dirs=()
for ((r = 1; r <= rounds; r++)); do
	order=(pristine patched)
	[ $((r % 2)) -eq 0 ] && order=(patched pristine)
	dir=$base
	[ "$rounds" -gt 1 ] && dir=$base/round-$r
	dirs+=("$dir")
	for flavor in "${order[@]}"; do
		[ "$rounds" -gt 1 ] && klog "round $r/$rounds: $flavor"
		"$boot" -f "$flavor" -s "$scenario" -o "$dir/$flavor" "$@" ||
			{ klog "$flavor run failed${dir#"$base"}"; rc=1; }
	done
done
for dir in "${dirs[@]}"; do
	[ "$rounds" -gt 1 ] && echo "== ${dir#"$base"/}"
	for f in "$dir"/patched/results/*.json "$dir"/pristine/results/*.json; do
		[ -f "$f" ] && basename "$f"
	done | sort -u | while read -r j; do
		echo "== $j"
		echo "  A (pristine): $(tr -d '\n' < "$dir/pristine/results/$j" 2>/dev/null)"
		echo "  B (patched):  $(tr -d '\n' < "$dir/patched/results/$j" 2>/dev/null)"
	done
done
exit $rc
