#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernel/checkpatch.sh
# Check that the series applies to the pristine Debian 6.12 tree, patch by
# patch, and run checkpatch.pl --strict on every patch. Fails on any
# checkpatch error or warning (CHECKs are reported, and counted).
. "$(dirname "$0")/lib.sh"
src=$(ksrc_ensure pristine) || exit 1
patches=$(kseries_list)
[ -n "$patches" ] || kdie "no patches in $KPATCHES"
idx=$(mktemp)
trap 'rm -f "$idx"' EXIT
rc=0
(cd "$src" && GIT_INDEX_FILE=$idx kgit read-tree pristine) || kdie "read-tree"
for p in $patches; do
	name=$(basename "$p")
	if ! (cd "$src" && GIT_INDEX_FILE=$idx kgit apply --cached --check "$p" &&
	      GIT_INDEX_FILE=$idx kgit apply --cached "$p"); then
		klog "FAIL $name does not apply on top of its predecessors"
		rc=1
		continue
	fi
	out=$(cd "$src" && perl scripts/checkpatch.pl --strict "$p" 2>&1)
	total=$(echo "$out" | grep '^total:')
	klog "$name: $total"
	if echo "$total" | grep -qv 'total: 0 errors, 0 warnings'; then
		echo "$out" >&2
		rc=1
	fi
done
exit $rc
