#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernel/ab.sh SCENARIO [boot.sh options...]
# Run SCENARIO on the pristine (A) and the patched (B) kernel and put the
# results side by side in build/kernel/ab-SCENARIO/{pristine,patched}.
. "$(dirname "$0")/lib.sh"
scenario=${1:?usage: ab.sh SCENARIO [boot options]}
shift
base=$MMSCOPE_TOP/build/kernel/ab-$scenario
rc=0
for flavor in pristine patched; do
	"$MMSCOPE_TOP/scripts/kernel/boot.sh" -f "$flavor" -s "$scenario" \
		-o "$base/$flavor" "$@" || { klog "$flavor run failed"; rc=1; }
done
for f in "$base"/patched/results/*.json "$base"/pristine/results/*.json; do
	[ -f "$f" ] && basename "$f"
done | sort -u | while read -r j; do
	echo "== $j"
	echo "  A (pristine): $(tr -d '\n' < "$base/pristine/results/$j" 2>/dev/null)"
	echo "  B (patched):  $(tr -d '\n' < "$base/patched/results/$j" 2>/dev/null)"
done
exit $rc
