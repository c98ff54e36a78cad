#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sga-bench --budget: the headline run finishes on any machine.
#  1. --budget 20s --mode all (1500 processes, SGA from free memory: the
#     defaults the plan starts from) finishes within 1.5 x 20 s, with a
#     document for every mode (measured, or skipped with the host's reason:
#     hugepages, no MAP_SHARED_PT); every measured one carries the plan, its
#     predicted and actual time; shmem's page tables are 2 MiB per GiB
#     touched within 5%, physical (PageTables) and logical (sum of the
#     children's VmPTE), against the exact 4 KiB-page cost of the plan's
#     size; plain progress lines (not a terminal) name the mode and phase.
#  2. The prediction of a small run with explicit sizes is within 2x of its
#     actual time.
#  3. Explicit sizes the budget cannot hold are refused in one line with the
#     prediction, nothing started.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
BIN="$BUILD/sga-bench"
need_bin "$BIN"
THP=/sys/kernel/mm/transparent_hugepage/shmem_enabled
thp0=$(cat $THP 2>/dev/null)
nr0=$(cat /proc/sys/vm/nr_hugepages)

t0=$(date +%s.%N)
"$BIN" --budget 20s --mode all --thp-force --json --progress 2s >"$TMP/all.out" 2>"$TMP/all.err"
rc=$?
t1=$(date +%s.%N)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
[ $rc -eq 0 ] || fail "--budget 20s --mode all: exit $rc: $(grep -v '^  ' "$TMP/all.err")"
json_valid "$TMP/all.out" || fail "invalid JSON"
awk -v w="$wall" 'BEGIN { exit !(w <= 30) }' || fail "--budget 20s took $wall s (> 30 s)"
grep '^sga-bench: plan for --budget' "$TMP/all.err" || fail "no plan printed: $(cat "$TMP/all.err")"
grep -q '^sga-bench: calibration' "$TMP/all.err" || fail "no calibration printed"
log "--budget 20s --mode all: $wall s"

for m in shmem thp hugetlb ptshare; do
	d=$(grep '^{' "$TMP/all.out" | jq -c "select(.mode == \"$m\")")
	[ -n "$d" ] || fail "no document for $m"
	if [ "$(jq -r '.skipped // empty' <<<"$d")" ]; then
		case $m in
		shmem|thp) fail "$m skipped: $(jq -r .skipped <<<"$d")" ;;
		esac
		log "$m skipped: $(jq -r .skipped <<<"$d")"
		continue
	fi
	pred=$(jq -r .metrics.mode_predicted_s <<<"$d")
	act=$(jq -r .metrics.mode_wall_s <<<"$d")
	[ "$pred" != null ] && [ "$act" != null ] || fail "$m: no predicted/actual time"
	[ "$(jq -r .plan.budget_s <<<"$d")" = 20 ] || fail "$m: no plan in the document"
	log "$m: $(jq -r '"\(.procs) x \(.sga_bytes) B, touch \(.touch)"' <<<"$d"): predicted $pred s, took $act s"
done

d=$(grep '^{' "$TMP/all.out" | jq -c 'select(.mode == "shmem")')
n=$(jq -r .procs <<<"$d")
sga=$(jq -r .sga_bytes <<<"$d")
touched=$(jq -r .metrics.touched_bytes_total <<<"$d")
per_gib=$(jq -r .metrics.pt_bytes_per_gib_mapped <<<"$d")
within_pct "$per_gib" $((2 * 1024 * 1024)) 5 || fail "shmem: $per_gib B of page tables per GiB, not 2 MiB +-5%"
# Exact cost: per process one PTE page per 2 MiB touched + one PMD page per
# GiB range of the SGA (it sits 1 GiB-aligned).
pmd=$(( (sga + (1 << 30) - 1) >> 30 ))
expected=$(( (touched / (2 * 1024 * 1024) + n * pmd) * 4096 ))
phys=$(jq -r .metrics.pt_physical_bytes <<<"$d")
logical=$(jq -r .metrics.pt_logical_bytes <<<"$d")
within_pct "$phys" $expected 5 || fail "shmem: physical $phys not within 5% of $expected"
within_pct "$logical" $expected 5 || fail "shmem: logical $logical not within 5% of $expected"
log "shmem: $per_gib B per GiB; physical $phys, logical $logical, expected $expected (+-5%)"
[ "$(jq -r .metrics.pt_bytes_per_proc_per_gib <<<"$d")" = "$per_gib" ] ||
	fail "pt_bytes_per_proc_per_gib differs from pt_bytes_per_gib_mapped"
grep -q '^sga-bench headline' "$TMP/all.err" || fail "no headline"
grep -q 'x 300 GiB x 1500 processes = ' "$TMP/all.err" || fail "no Oracle extrapolation"

# Progress: plain lines (stderr is a file), mode and phase named.
grep -Eq '^sga-bench: progress: (calibrating [a-z]+|[a-z]+ [0-9]/[0-9]) [a-z+]+: ' "$TMP/all.err" ||
	fail "no progress line: $(grep -v '^  ' "$TMP/all.err")"
log "progress: $(grep -m1 '^sga-bench: progress: [a-z]* [0-9]' "$TMP/all.err")"
[ "$(cat $THP 2>/dev/null)" = "$thp0" ] || fail "shmem_enabled not restored"
[ "$(cat /proc/sys/vm/nr_hugepages)" -eq "$nr0" ] || fail "nr_hugepages not restored"

# 2. A small run: explicit sizes that fit; prediction within 2x of the time.
"$BIN" --budget 60s -n 100 --sga 256M -m shmem --json >"$TMP/small.out" 2>"$TMP/small.err" ||
	fail "small run: $(cat "$TMP/small.err")"
pred=$(jget "$TMP/small.out" .metrics.mode_predicted_s)
act=$(jget "$TMP/small.out" .metrics.mode_wall_s)
awk -v p="$pred" -v a="$act" 'BEGIN { exit !(p > 0 && a <= 2 * p && p <= 2 * a) }' ||
	fail "small run: predicted $pred s, took $act s (not within 2x)"
grep -q 'the sizes given fit' "$TMP/small.err" || fail "small run: the given sizes should fit: $(cat "$TMP/small.err")"
log "100 x 256 MiB shmem: predicted $pred s, took $act s"

# 3. Explicit sizes too slow for the budget: refused, with the prediction.
"$BIN" --budget 3s -n 1500 --sga 1G --touch all -m shmem --progress off >"$TMP/ref.out" 2>"$TMP/ref.err"
rc=$?
[ $rc -eq 1 ] || fail "refusal: exit $rc: $(cat "$TMP/ref.err")"
grep -q '^sga-bench: --budget 3s: 1500 processes x 1.00 GiB, touch 1, predict [0-9]* s' "$TMP/ref.err" ||
	fail "refusal: no prediction: $(cat "$TMP/ref.err")"
[ -s "$TMP/ref.out" ] && fail "refusal: printed a result"
[ "$(wc -l <"$TMP/ref.err")" -eq 1 ] || fail "refusal: more than one line: $(cat "$TMP/ref.err")"
log "refused: $(grep -- '--budget 3s' "$TMP/ref.err")"
pass
