#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sga-bench leaves nothing behind when interrupted:
#  1. shmem, SIGINT in the middle of map+touch;
#  2. hugetlb, SIGINT while the children are paused (--hold), with the
#     hugepages reserved and in use.
# After each: exit status non-zero, no child (sga-child-*) process, no open memfd
# "mmscope-sga" in any /proc/*/fd, nothing new in /dev/shm, Shmem back to
# the baseline within 64 MiB (other tests may run), nr_hugepages and
# HugePages_Rsvd back to their original values.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sga_lib.sh"
require_root
BIN="$BUILD/sga-bench"
need_bin "$BIN"
nr0=$(cat /proc/sys/vm/nr_hugepages)
rsvd0=$(awk '/^HugePages_Rsvd:/ {print $2}' /proc/meminfo)
shmem0=$(awk '/^Shmem:/ {print $2}' /proc/meminfo)
devshm0=$(ls /dev/shm | wc -l)

check_clean() {
	local what="$1" comm i
	comm=$(sga_comm "$pid")
	for i in $(seq 50); do pgrep -x "$comm" >/dev/null || break; sleep 0.1; done
	pgrep -x "$comm" >/dev/null && fail "$what: $comm processes left: $(pgrep -x "$comm" | head)"
	sga_memfd_left && fail "$what: an SGA memfd is still open"
	[ "$(ls /dev/shm | wc -l)" -le "$devshm0" ] || fail "$what: new files in /dev/shm"
	local shmem1; shmem1=$(awk '/^Shmem:/ {print $2}' /proc/meminfo)
	[ $((shmem1 - shmem0)) -lt 65536 ] || fail "$what: Shmem +$((shmem1 - shmem0)) kB"
	[ "$(cat /proc/sys/vm/nr_hugepages)" -eq "$nr0" ] || fail "$what: nr_hugepages not back to $nr0"
	[ "$(awk '/^HugePages_Rsvd:/ {print $2}' /proc/meminfo)" -eq "$rsvd0" ] ||
		fail "$what: HugePages_Rsvd not back to $rsvd0"
	log "$what: clean (Shmem delta $((shmem1 - shmem0)) kB)"
}

# 1. Interrupt during map+touch: write faults page by page take seconds.
spawn "$TMP/o1" "$TMP/e1" "$BIN" -n 100 --sga 512M -a write -m shmem
pid=$SPAWNED
for i in $(seq 100); do
	[ "$(pgrep -P "$pid" -x "$(sga_comm "$pid")" | wc -l)" -eq 100 ] && break; sleep 0.05
done
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "run 1 ended before the interrupt: $(cat "$TMP/e1")"
kill -INT "$pid"
wait_exit "$pid" 30; rc=$?
[ $rc -ne 0 ] || fail "run 1: exit 0 after SIGINT"
grep -q "interrupted" "$TMP/e1" || fail "run 1: no 'interrupted' message: $(cat "$TMP/e1")"
check_clean "SIGINT during map+touch (exit $rc)"

# 2. Interrupt while paused with hugepages reserved.
spawn "$TMP/o2" "$TMP/e2" "$BIN" -n 20 --sga 64M -m hugetlb --json --hold 30
pid=$SPAWNED
if ! wait_for_line "$TMP/o2" '"tool":"sga-bench"' 30; then
	kill -INT "$pid"; wait_exit "$pid" 30
	grep -q "could reserve only\|cannot grow" "$TMP/e2" &&
		skip "cannot reserve hugepages: $(tail -n 1 "$TMP/e2")"
	fail "run 2 did not pause: $(cat "$TMP/e2")"
fi
[ "$(pgrep -P "$pid" -x "$(sga_comm "$pid")" | wc -l)" -eq 20 ] || fail "run 2: children not all alive"
kill -INT "$pid"
wait_exit "$pid" 30; rc=$?
[ $rc -ne 0 ] || fail "run 2: exit 0 after SIGINT"
check_clean "SIGINT while holding hugetlb (exit $rc)"
pass
