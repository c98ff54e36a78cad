#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pfbench: every fault test's op count matches perf's minor-fault counter
# (ground truth; opened with inherit, so it covers all threads/processes)
# within 0.1%, in thread and process modes; vma-footprint's VMA count
# matches /proc/self/maps and its slab growth is near objsize x K; bad
# arguments give one "pfbench: " line and a non-zero exit.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
BIN="$BUILD/pfbench"
need_bin "$BIN"
common=(-d 0.3 -r 3 -w 0.2 -s 16M --json)

check_ops() {
	local f="$1" what="$2" ops perf n
	json_valid "$f" || fail "$what: invalid JSON"
	n=$(grep -c '^{' "$f")
	[ "$n" -ge 1 ] || fail "$what: no result documents"
	while read -r mode tasks ops perf rate; do
		[ "${ops%.*}" -gt 0 ] || fail "$what $mode x$tasks: no ops"
		within_pct "$ops" "$perf" 0.1 || fail "$what $mode x$tasks: ops $ops vs perf $perf"
		log "$what $mode x$tasks: ops $ops perf $perf ($rate faults/s)"
	done < <(grep '^{' "$f" | jq -r '"\(.mode) \(.tasks) \(.metrics.ops_count) \(.metrics.faults_perf_count) \(.metrics.ops_per_s_total)"')
}

"$BIN" anon shared-file private-cow contention -m thread -t 1,2 "${common[@]}" >"$TMP/t" 2>"$TMP/te" ||
	fail "thread run failed: $(cat "$TMP/te")"
[ "$(grep -c '^{' "$TMP/t")" -eq 8 ] || fail "expected 8 documents (4 tests x 2 task counts)"
check_ops "$TMP/t" thread
"$BIN" all -m process -t 2 "${common[@]}" >"$TMP/p" 2>"$TMP/pe" ||
	fail "process run failed: $(cat "$TMP/pe")"
check_ops "$TMP/p" process

K=20000
"$BIN" vma-footprint -k $K --json >"$TMP/v" 2>"$TMP/ve" || fail "vma-footprint: $(cat "$TMP/ve")"
created=$(jget "$TMP/v" '.metrics.vmas_created_count')
objs=$(jget "$TMP/v" '.metrics.vma_objs_delta_count')
objsize=$(jget "$TMP/v" '.metrics.vma_objsize_bytes')
per1000=$(jget "$TMP/v" '.metrics.kernel_bytes_per_1000_vmas')
[ "${created%.*}" -eq $K ] || fail "vma-footprint: /proc/self/maps grew by $created, not $K"
# Other processes create/free VMAs meanwhile: 20% tolerance on slab figures.
within_pct "$objs" $K 20 || fail "vma-footprint: vm_area_struct objects +$objs for $K VMAs"
awk -v b="$per1000" -v o="$objsize" 'BEGIN { exit !(b >= o * 1000 * 0.8 && b <= o * 1000 * 1.5 + 64 * 1024) }' ||
	fail "vma-footprint: $per1000 bytes per 1000 VMAs vs objsize $objsize"
log "vma-footprint: $created VMAs, +$objs objects of $objsize B, $per1000 B per 1000 VMAs"

bad() {
	local what="$1" rc; shift
	"$BIN" "$@" >"$TMP/o" 2>"$TMP/e"; rc=$?
	[ $rc -ne 0 ] || fail "$what: exit 0"
	[ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -q '^pfbench: ' "$TMP/e" ||
		fail "$what: expected one 'pfbench: ' line: $(cat "$TMP/e")"
	log "$what: exit $rc: $(cat "$TMP/e")"
}
bad "unknown test" frobnicate
bad "tasks 0" anon -t 0
bad "tasks reversed" anon -t 4-2
bad "bad mode" anon -m fiber
bad "contention in process mode" contention -m process
bad "odd size" anon -s 1000
bad "zero repeats" anon -r 0
bad "too many VMAs" vma-footprint -k 99999999
bad "huge size" anon -t 4 -s 10T
pass
