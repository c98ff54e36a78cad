#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope ptshare: the sharing ratio of hugetlb PMD sharing against the
# kernel's own figures, and a non-shared control.
#   shared:  N processes map the same GIB GiB MAP_SHARED hugetlb memfd at the
#            same 1 GiB-aligned address and touch one hugepage per GiB: each
#            VmPTE grows by GIB PMD pages, PageTables by GIB PMD pages once,
#            so the ratio is ~N.
#   control: the same with a 4 KiB shmem memfd (never shared): ratio ~1.
# Exact check: ptshare's logical growth == the sum of the sharers' VmPTE
# growth read by this script (the sharers are paused).
# Against PageTables, two ways, both corrected for the rest of the machine
# (PageTables moves with every process; on a busy box by more than the
# signal within a second):
#  - ptshare's attributed ratio: the sharers' VmPTE growth over PageTables
#    growth minus every other process's VmPTE growth: ~N hugetlb, ~1 control;
#  - a second ptshare selecting every process, whose "excess" (logical -
#    physical growth) must be the PMD pages sharing saved, (N-1) * GIB *
#    4 KiB, and ~0 for the control.
# Left out of both: processes between exit_mm() and the end of exit_mmap()
# (gone from the task list, still in PageTables) and PGDs; hence the
# tolerances. The raw ratio and PageTables' drift are logged, not judged.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
need_bin "$MMSCOPE"
WL="$BUILD/tests/wl_pt_share"
need_bin "$WL"
[ -w /proc/sys/vm/nr_hugepages ] || skip "no hugetlb (/proc/sys/vm/nr_hugepages)"
grep -q '^Hugepagesize: *2048 kB' /proc/meminfo || skip "default hugepage size is not 2 MiB"

GIB=${PTSHARE_GIB:-512}
N=${PTSHARE_N:-8}
NCTL=4
PAGE=4096

pt_bytes() { awk '/^PageTables:/ {printf "%.0f\n", $2 * 1024}' /proc/meminfo; }
vmpte_sum() {	# PIDS (comma separated) -> sum of VmPTE in bytes
	local s=0 p kb
	for p in ${1//,/ }; do
		kb=$(awk '/^VmPTE/ {print $2}' "/proc/$p/status" 2>/dev/null) || return 1
		s=$((s + kb * 1024))
	done
	echo $s
}

# Hugepages: one per GiB, shared by all. Estimate first, refuse if short.
need_kb=$((GIB * 2048))
avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
[ "$avail_kb" -gt $((need_kb * 4)) ] ||
	skip "needs $need_kb kB of hugepages, MemAvailable is only $avail_kb kB"
# Give back what this test added, not an absolute count read before: a
# second test run growing the pool meanwhile would otherwise be left with
# our pages (two suites at once left vm.nr_hugepages at 512).
old_nr=$(cat /proc/sys/vm/nr_hugepages)
free_before=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
echo $((old_nr + GIB)) > /proc/sys/vm/nr_hugepages
added=$(( $(cat /proc/sys/vm/nr_hugepages) - old_nr ))
at_exit "n=\$(( \$(cat /proc/sys/vm/nr_hugepages) - $added )); echo \$(( n > 0 ? n : 0 )) > /proc/sys/vm/nr_hugepages"
free_now=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
[ "$free_now" -ge $((free_before + GIB)) ] ||
	skip "could not reserve $GIB hugepages (free $free_before -> $free_now)"

# run_case KIND NPROC: sets RATIO, LOGICAL, PHYS, DRIFT
run_case() {
	local kind=$1 n=$2 wpid tpid apid pids base after got drift expect_phys
	spawn "$TMP/$kind.wl" "$TMP/$kind.wlerr" "$WL" "$kind" "$GIB" "$n"
	wpid=$SPAWNED
	# the line is written pid by pid as the children fork: wait for its end
	wait_for_line "$TMP/$kind.wl" '^forked pids=.* addr=' 10 || fail "$kind: workload did not fork"
	pids=$(sed -n 's/.*pids=\([0-9,]*\).*/\1/p' "$TMP/$kind.wl")
	# drift of PageTables with nothing of ours happening, over one second
	drift=$(pt_bytes); sleep 1; drift=$(( $(pt_bytes) - drift )); DRIFT=${drift#-}
	base=$(vmpte_sum "$pids") || fail "$kind: sharer gone"
	spawn_ready "$TMP/$kind.json" "$TMP/$kind.err" "$TMP/$kind.ready" "$MMSCOPE" ptshare \
		"${MODE_ARGS[@]}" --sharers "$pids" --json --interval 10 --duration "$(slow 30)"
	tpid=$SPAWNED
	spawn_ready "$TMP/$kind.all.json" "$TMP/$kind.all.err" "$TMP/$kind.all.ready" "$MMSCOPE" \
		ptshare "${MODE_ARGS[@]}" --json --interval 10 --duration "$(slow 30)"
	apid=$SPAWNED
	# both attached, their baselines taken, before the sharers grow
	wait_for_line "$TMP/$kind.ready" '^ready' 30 ||
		fail "$kind: ptshare --sharers not attached: $(cat "$TMP/$kind.err")"
	wait_for_line "$TMP/$kind.all.ready" '^ready' 30 ||
		fail "$kind: ptshare (all) not attached: $(cat "$TMP/$kind.all.err")"
	kill -USR1 "$wpid"
	wait_for_line "$TMP/$kind.wl" '^ready' 20 ||
		fail "$kind: workload not ready: $(cat "$TMP/$kind.wlerr")"
	after=$(vmpte_sum "$pids") || fail "$kind: sharer gone"
	sleep_slow 0.5
	kill -INT "$tpid" "$apid"
	wait_exit "$tpid" 10 || fail "$kind: ptshare did not stop on SIGINT: $(cat "$TMP/$kind.err")"
	wait_exit "$apid" 10 || fail "$kind: ptshare (all) did not stop: $(cat "$TMP/$kind.all.err")"
	EXCESS=$(jget_kind "$TMP/$kind.all.json" summary '.excess_bytes')
	# drift again, the workload still paused
	local d2
	d2=$(pt_bytes); sleep 1; d2=$(( $(pt_bytes) - d2 )); d2=${d2#-}
	[ "$d2" -gt "$DRIFT" ] && DRIFT=$d2
	json_valid "$TMP/$kind.json" || fail "$kind: invalid JSON"
	check_mode "$TMP/$kind.json" "$kind: ptshare --sharers"
	check_mode "$TMP/$kind.all.json" "$kind: ptshare (all)"
	LOGICAL=$(jget_kind "$TMP/$kind.json" summary '.logical.delta_bytes')
	PHYS=$(jget_kind "$TMP/$kind.json" summary '.physical.delta_bytes')
	RATIO=$(jget_kind "$TMP/$kind.json" summary '.sharing_ratio')
	ATTR=$(jget_kind "$TMP/$kind.json" summary '.attributed_sharing_ratio')
	ATTR_PHYS=$(jget_kind "$TMP/$kind.json" summary '.physical.attributed_delta_bytes')
	got=$(jget_kind "$TMP/$kind.json" summary '.logical.processes')
	log "$kind: $n sharers ($got seen), VmPTE sum +$((after - base)) B (script), ptshare logical +$LOGICAL B, physical $PHYS B (ours $ATTR_PHYS B), ratio $RATIO (ours $ATTR), all-process excess $EXCESS B, drift $DRIFT B/s"
	[ "$got" = "$n" ] || fail "$kind: ptshare saw $got sharers, expected $n"
	[ "$LOGICAL" = $((after - base)) ] ||
		fail "$kind: logical growth $LOGICAL != VmPTE growth $((after - base))"
	# each sharer: one PMD page per GiB (+ one PTE page per GiB for shmem)
	local per=$((GIB * PAGE))
	[ "$kind" = shmem ] && per=$((2 * GIB * PAGE))
	[ "$LOGICAL" -ge $((n * per)) ] ||
		fail "$kind: logical growth $LOGICAL < $n x $per"
	expect_phys=$per
	[ "$kind" = shmem ] && expect_phys=$((n * per))
	[ -n "$ATTR" ] || fail "$kind: no attributed sharing ratio (attributed growth $ATTR_PHYS B)"
	kill -TERM "$wpid"
	wait_exit "$wpid" 10 >/dev/null
}

# judge_* KIND: the problem, or nothing
saved=$(( (N - 1) * GIB * PAGE ))
ctl=$((NCTL * 2 * GIB * PAGE))
judge_hugetlb() {
	awk -v r="${ATTR:-0}" -v n="$N" 'BEGIN { exit !(r >= n * 0.7 && r <= n * 1.3) }' ||
		echo "attributed sharing ratio ${ATTR:-null}, expected about $N"
	[ "$EXCESS" -ge $((saved * 3 / 4)) ] && [ "$EXCESS" -le $((saved * 5 / 4)) ] ||
		echo "excess $EXCESS B, expected the $saved B sharing saved (+-25%)"
}
judge_shmem() {
	[ "${EXCESS#-}" -le $((ctl / 4)) ] ||
		echo "excess $EXCESS B, expected ~0 (|x| <= $((ctl / 4)))"
	awk -v r="${ATTR:-0}" 'BEGIN { exit !(r >= 0.8 && r <= 1.25) }' ||
		echo "attributed sharing ratio ${ATTR:-null}, expected about 1"
}
# A mass exit elsewhere (hundreds of processes between exit_mm() and
# exit_mmap(): out of the task list, tables still in PageTables) can swamp
# one measurement; a wrong tracer fails all three.
for kind in hugetlb shmem; do
	n=$N; [ $kind = shmem ] && n=$NCTL
	for attempt in 1 2 3; do
		run_case $kind $n
		why=$(judge_$kind)
		[ -z "$why" ] && break
		log "$kind attempt $attempt: $why"
	done
	[ -z "$why" ] || fail "$kind: $why (3 attempts)"
done
free_end=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
[ "$free_end" -ge "$free_now" ] || fail "hugepages still in use after the workload ended ($free_end < $free_now)"
pass "hugetlb: attributed ratio ~$N, excess = the PMD pages saved; shmem control ~1, excess ~0"
