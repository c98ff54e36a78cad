#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sga-bench hugetlb: 600 processes map a 1 GiB MFD_HUGETLB SGA at one 1 GiB-
# aligned address, so the kernel shares one PMD page between all of them
# (huge_pmd_share). Every sharer's VmPTE counts that page (logical = 600 x
# 4 KiB = 2.3 MiB: one page each, no more, or the children's own start-up
# page tables leaked into it) while PageTables counts it once: physical must
# be well below logical (< 1/2; ideal 4 KiB, but PageTables is system-wide
# and moves by a few 100 KiB on a busy host). The pool is restored afterwards.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
BIN="$BUILD/sga-bench"
need_bin "$BIN"
N=600
nr0=$(cat /proc/sys/vm/nr_hugepages)
rsvd0=$(awk '/^HugePages_Rsvd:/ {print $2}' /proc/meminfo)

"$BIN" -n $N --sga 1G -m hugetlb --json >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -ne 0 ] && grep -q "could reserve only\|cannot grow" "$TMP/err"; then
	skip "cannot reserve 512 hugepages: $(tail -n 1 "$TMP/err")"
fi
[ $rc -eq 0 ] || fail "sga-bench exit $rc: $(cat "$TMP/err")"
json_valid "$TMP/out" || fail "invalid JSON"
phys=$(jget "$TMP/out" '.metrics.pt_physical_bytes')
logical=$(jget "$TMP/out" '.metrics.pt_logical_bytes')
used=$(jget "$TMP/out" '.metrics.hugetlb_pages_used_count')
log "physical $phys, logical $logical, hugetlb pages used $used"
[ "${used%.*}" -eq 512 ] || fail "expected 512 hugetlb pages in use, got $used"
awk -v l="$logical" -v n=$N 'BEGIN { exit !(l >= n * 4096 * 0.95) }' ||
	fail "logical $logical below one shared PMD page per process"
awk -v l="$logical" -v n=$N 'BEGIN { exit !(l <= n * 4096 * 1.05) }' ||
	fail "logical $logical above one PMD page per process: not only the SGA's page tables"
awk -v p="$phys" -v l="$logical" 'BEGIN { exit !(p < l / 2) }' ||
	fail "physical $phys not well below logical $logical: PMD not shared?"
[ "$(cat /proc/sys/vm/nr_hugepages)" -eq "$nr0" ] || fail "nr_hugepages not restored to $nr0"
[ "$(awk '/^HugePages_Rsvd:/ {print $2}' /proc/meminfo)" -eq "$rsvd0" ] ||
	fail "HugePages_Rsvd not back to $rsvd0"
pass
