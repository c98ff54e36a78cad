#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmalock's per-process fast path (a per-CPU slot array indexed by the low
# tgid bits, include/vmalock.h) shrunk to 1 slot with MMSCOPE_VL_SLOTS:
# processes that share a slot, and processes that take over the slot of one
# that exited, must each still get exactly their own faults (perf, plus
# the start-up faults perf does not see), and the per-process rows must add
# up to the totals exactly.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
WL="$BUILD/tests/wl_faultloop"
need_bin "$MMSCOPE"; need_bin "$WL"
export MMSCOPE_VL_SLOTS=1

start_tracer_json "$TMP/t" vmalock -c wl_faultloop --duration "$(slow 90)"
# 1. three processes with two threads each, released together: on one slot
# they share it (each CPU's copy goes to the first, the others' faults to
# the per-process hash)
pids=()
for i in 1 2 3; do
	start_workload "$TMP/wl$i" "$WL" --threads 2 --size 16M --loops 4 --wait
	pids+=("$WL_PID")
done
kill -USR1 "${pids[@]}"
for i in 1 2 3; do
	wait_exit "${pids[$((i - 1))]}" 60 || fail "workload $i failed: $(cat "$TMP/wl$i.err")"
done
# 2. one after another, each after an interval has read out the one before:
# its slot copies are taken over
for i in 4 5 6 7; do
	sleep_slow 0.8
	"$WL" --threads 1 --size 8M --loops 2 > "$TMP/wl$i" 2> "$TMP/wl$i.err" ||
		fail "workload $i failed: $(cat "$TMP/wl$i.err")"
done
sleep_slow 0.5
stop_tracer "$TRACER_PID"
json_valid "$TMP/t" || fail "invalid JSON from vmalock"

for i in 1 2 3 4 5 6 7; do
	pid=$(jget "$TMP/wl$i" .pid)
	truth=$(jget "$TMP/wl$i" .faults)
	got=$(jget_kind "$TMP/t" summary ".processes[] | select(.pid == $pid) | .faults")
	[ -n "$got" ] || fail "no row for workload $i (pid $pid)"
	# vmalock also sees the faults of exec and start-up, before the
	# workload opened its perf counters: ~150 here, never fewer than perf
	log "workload $i (pid $pid): vmalock $got, perf $truth (+$((got - truth)))"
	[ "$got" -ge "$truth" ] && [ "$got" -le $((truth + 400)) ] ||
		fail "workload $i (pid $pid): vmalock $got, perf $truth"
done
rows=$(jget_kind "$TMP/t" summary '[.processes[].faults] | add')
total=$(jget_kind "$TMP/t" summary .totals.faults)
shared=$(jget_kind "$TMP/t" summary .slots.shared_faults)
taken=$(jget_kind "$TMP/t" summary .slots.taken_over)
slots=$(jget_kind "$TMP/t" summary .slots.slots)
log "1 slot: rows $rows = totals $total; shared-slot faults $shared, copies taken over $taken"
[ "$slots" = 1 ] || fail "MMSCOPE_VL_SLOTS=1 gave $slots slots"
[ "$rows" = "$total" ] || fail "per-process rows add up to $rows, totals say $total"
[ "$shared" -gt 0 ] || fail "three processes on one slot never shared it"
[ "$taken" -gt 0 ] || fail "no slot copy was taken over from an exited process"
pass
