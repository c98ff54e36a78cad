#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sga-bench shmem: 40 processes x 512 MiB SGA, all touched. Checks against the
# kernel's own figures while the children are paused (--hold):
#  - pt_logical_total_bytes == sum of VmPTE that this script reads itself
#    from /proc/PID/status of every child (sga-child-*);
#  - pt_physical_bytes (PageTables delta) and pt_logical_bytes within 5% of
#    the exact 4 KiB-page cost: per process 256 PTE pages (512 MiB / 2 MiB)
#    + 1 PMD page (the SGA sits in one 1 GiB-aligned range). The 5% covers a
#    possible PUD page per process and other processes on the host changing
#    PageTables meanwhile.
#  - where the faultlat tracer loaded (--trace auto), its fault count within
#    1% of perf's;
#  - afterwards: no child left, Shmem back near the baseline;
#  - a small SGA (20 x 64 MiB, three runs: it depends on the address-space
#    layout) gets a PMD table of its own: pt_logical_bytes exactly 20 x (32
#    PTE + 1 PMD) pages for shmem and 20 x 1 PMD page for thp (where shmem
#    THP could be used), not 0 for a table shared with other mappings.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sga_lib.sh"
require_root
require_jq
BIN="$BUILD/sga-bench"
need_bin "$BIN"
N=40 SGA_MIB=512
shmem0=$(awk '/^Shmem:/ {print $2}' /proc/meminfo)

spawn "$TMP/out" "$TMP/err" "$BIN" -n $N --sga ${SGA_MIB}M -m shmem --json --hold 20
pid=$SPAWNED
wait_for_line "$TMP/out" '"tool":"sga-bench"' 50 || fail "no result document: $(cat "$TMP/err")"
json_valid "$TMP/out" || fail "invalid JSON"
sum_kb=0 count=0
for c in $(pgrep -P "$pid" -x "$(sga_comm "$pid")"); do
	kb=$(awk '/^VmPTE:/ {print $2}' /proc/$c/status)
	sum_kb=$((sum_kb + kb)); count=$((count + 1))
done
kill -TERM "$pid"; wait_exit "$pid" 30
[ "$count" -eq $N ] || fail "found $count paused children, expected $N"

logical_total=$(jget "$TMP/out" '.metrics.pt_logical_total_bytes')
[ "$((sum_kb * 1024))" -eq "${logical_total%.*}" ] ||
	fail "pt_logical_total_bytes $logical_total != sum of VmPTE $((sum_kb * 1024))"
log "sum of VmPTE over $count children = $sum_kb kB = pt_logical_total_bytes"

expected=$(( N * (SGA_MIB / 2 + 1) * 4096 ))
phys=$(jget "$TMP/out" '.metrics.pt_physical_bytes')
logical=$(jget "$TMP/out" '.metrics.pt_logical_bytes')
within_pct "$phys" $expected 5 || fail "physical $phys not within 5% of expected $expected"
within_pct "$logical" $expected 5 || fail "logical $logical not within 5% of expected $expected"
log "physical $phys, logical $logical, expected $expected (+-5%)"

per_gib=$(jget "$TMP/out" '.metrics.pt_bytes_per_gib_mapped')
within_pct "$per_gib" $((2 * 1024 * 1024)) 5 || fail "pt_bytes_per_gib_mapped $per_gib is not ~2 MiB"
faults=$(jget "$TMP/out" '.metrics.faults_count')
pages=$(( N * SGA_MIB * 256 ))
# Read faults map a 64 KiB fault-around window: between pages/16 and pages.
awk -v f="$faults" -v p=$pages 'BEGIN { exit !(f >= p / 16 * 0.95 && f <= p * 1.05) }' ||
	fail "faults_count $faults outside [$((pages / 16)), $pages]"
log "faults_count $faults for $pages pages touched"
# Default --trace auto: where the faultlat tracer loaded it counted the same.
if jget "$TMP/out" .fault_lat_source | grep -q '^mmscope-faultlat'; then
	traced=$(jget "$TMP/out" '.metrics.faults_traced_count')
	within_pct "$traced" "$faults" 1 || fail "faultlat counted $traced faults, perf $faults"
	log "faultlat counted $traced faults (perf $faults)"
fi

pgrep -x "$(sga_comm "$pid")" >/dev/null && fail "sga-child processes left behind"
shmem1=$(awk '/^Shmem:/ {print $2}' /proc/meminfo)
[ $((shmem1 - shmem0)) -lt 65536 ] || fail "Shmem grew by $((shmem1 - shmem0)) kB after exit"

for i in 1 2 3; do
	"$BIN" -n 20 --sga 64M -m shmem -m thp --thp-force --trace off --json >"$TMP/small" 2>"$TMP/small.err" ||
		fail "small SGA run $i: $(cat "$TMP/small.err")"
	l=$(jq -r 'select(.mode == "shmem") | .metrics.pt_logical_bytes' "$TMP/small")
	[ "${l%.*}" -eq $((20 * 33 * 4096)) ] || fail "small shmem SGA, run $i: logical $l, want $((20 * 33 * 4096))"
	if [ "$(jq -r 'select(.mode == "thp") | .metrics.sga_shmem_huge_bytes' "$TMP/small")" != 0 ]; then
		l=$(jq -r 'select(.mode == "thp") | .metrics.pt_logical_bytes' "$TMP/small")
		[ "${l%.*}" -eq $((20 * 4096)) ] || fail "small thp SGA, run $i: logical $l, want $((20 * 4096))"
	fi
done
log "20 x 64 MiB, 3 runs: logical exactly one PMD page per process (+ 32 PTE pages for shmem)"
pass
