#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope ptmem against the kernel's own figures:
#  - a paused process that touched 256 MiB: reported page-table bytes ==
#    its /proc/PID/status VmPTE (exact: the process is stopped in sigwait,
#    nothing can change its page tables between the two reads);
#  - system-wide PageTables == /proc/meminfo read just before and after
#    (bracketed; other processes on the machine move it, so the slack is
#    what it moved between our two reads plus 1 MiB);
#  - a short-lived process is reported at exit with the VmPTE it read for
#    itself just before exiting, and peak >= value at exit.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
need_bin "$MMSCOPE"
WL="$BUILD/tests/wl_pt_touch"
need_bin "$WL"

# 1. per process, paused workload
spawn "$TMP/wl.out" "$TMP/wl.err" "$WL" 256M
WP=$SPAWNED
wait_for_line "$TMP/wl.out" '^ready' 20 || fail "workload did not get ready: $(cat "$TMP/wl.err")"
"$MMSCOPE" ptmem "${MODE_ARGS[@]}" -p "$WP" --json --interval 1 --duration 1 >"$TMP/p.json" 2>"$TMP/p.err" ||
	fail "ptmem -p failed: $(cat "$TMP/p.err")"
json_valid "$TMP/p.json" || fail "invalid JSON"
check_mode "$TMP/p.json" "ptmem -p"
vm_kb=$(awk '/^VmPTE/ {print $2}' "/proc/$WP/status")
self_kb=$(sed -n 's/.*vmpte_kb=\([0-9]*\).*/\1/p' "$TMP/wl.out")
got=$(jget_kind "$TMP/p.json" summary '.processes[0].pgtables_bytes')
pid=$(jget_kind "$TMP/p.json" summary '.processes[0].pid')
peak=$(jget_kind "$TMP/p.json" summary '.processes[0].peak_bytes')
n=$(jget_kind "$TMP/p.json" summary '.processes_total')
[ "$n" = 1 ] && [ "$pid" = "$WP" ] || fail "-p $WP listed $n processes, first pid $pid"
log "pid $WP: ptmem $got B, VmPTE now $vm_kb kB, VmPTE self-read $self_kb kB, peak $peak B"
[ "$vm_kb" -ge 512 ] || fail "VmPTE $vm_kb kB too small for 256 MiB touched (expect >= 512 kB)"
[ "$got" = $((vm_kb * 1024)) ] || fail "ptmem $got B != VmPTE $((vm_kb * 1024)) B"
[ "$peak" -ge "$got" ] || fail "peak $peak < current $got"

# 2. system-wide, bracketed by our own reads of /proc/meminfo
before=$(awk '/^PageTables:/ {printf "%.0f\n", $2 * 1024}' /proc/meminfo)
"$MMSCOPE" ptmem "${MODE_ARGS[@]}" --json --top 3 --duration 1 --interval 1 >"$TMP/s.json" 2>"$TMP/s.err" ||
	fail "ptmem failed: $(cat "$TMP/s.err")"
after=$(awk '/^PageTables:/ {printf "%.0f\n", $2 * 1024}' /proc/meminfo)
sys=$(jget_kind "$TMP/s.json" summary '.system.pagetables_bytes')
check_mode "$TMP/s.json" "ptmem system-wide"
lo=$(( (before < after ? before : after) - 1048576 ))
hi=$(( (before > after ? before : after) + 1048576 ))
log "PageTables before $before, ptmem $sys, after $after"
[ "$sys" -ge "$lo" ] && [ "$sys" -le "$hi" ] || fail "system PageTables $sys outside [$lo, $hi]"
top=$(jget_kind "$TMP/s.json" summary '.processes | length')
[ "$top" -le 3 ] || fail "--top 3 listed $top processes"

# 3. a short-lived process: value at exit and peak
spawn "$TMP/e.json" "$TMP/e.err" "$MMSCOPE" ptmem "${MODE_ARGS[@]}" -c wl_pt_touch --json --interval 1 \
	--duration "$(slow 4)"
TP=$SPAWNED
# the first interval document proves the programs are attached
wait_for_line "$TMP/e.json" '^\{' 10 || fail "ptmem printed nothing: $(cat "$TMP/e.err")"
"$WL" 64M exit >"$TMP/e.out" 2>&1 || fail "short-lived workload failed: $(cat "$TMP/e.out")"
epid=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' "$TMP/e.out")
ekb=$(sed -n 's/.*vmpte_kb=\([0-9]*\).*/\1/p' "$TMP/e.out")
wait_exit "$TP" 15 || fail "ptmem did not finish: $(cat "$TMP/e.err")"
check_mode "$TMP/e.json" "ptmem -c"
rec=$(grep '^{' "$TMP/e.json" | jq -c ".exited[] | select(.pid == $epid)" | head -n 1)
[ -n "$rec" ] || fail "exited pid $epid not reported: $(cat "$TMP/e.json")"
at_exit=$(echo "$rec" | jq .at_exit_bytes)
epeak=$(echo "$rec" | jq .peak_bytes)
exact=$(echo "$rec" | jq .exit_value_exact)
log "exited pid $epid: self-read VmPTE $ekb kB, ptmem at exit $at_exit B (exact=$exact), peak $epeak B"
# The process reads VmPTE, prints and exits: printing touches pages it has
# already used (stdout buffer, stack), so no page table changes after the read.
[ "$at_exit" = $((ekb * 1024)) ] || fail "at exit $at_exit B != self-read VmPTE $((ekb * 1024)) B"
[ "$epeak" -ge "$at_exit" ] || fail "peak $epeak < at exit $at_exit"
[ "$exact" = true ] || fail "exit value not taken at exit_mmap's mmap_lock"
grep '^{' "$TMP/e.json" | jq -e "select(.kind == \"summary\") | .exited[] | select(.pid == $epid)" \
	>/dev/null || fail "summary lacks the exited process"
pass "VmPTE $vm_kb kB matched; exit value $ekb kB matched"
