#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A process that execs keeps one row, under its new name: the
# child of `timeout` faults as "timeout" before it execs the fault workload.
# vmalock, faultlat -P and ptmem must name its row after the workload, with
# the earlier name in comm_at_start, and ptmem must not list the pid twice
# (the mm the exec replaced is not an exit).
. "$(dirname "$0")/lib.sh"
require_root
require_jq
WL="$BUILD/tests/wl_faultloop"
need_bin "$MMSCOPE"; need_bin "$WL"

for tool in vmalock "faultlat -P" ptmem; do
	out="$TMP/${tool%% *}"
	# shellcheck disable=SC2086 # "faultlat -P": two words on purpose
	start_tracer_json "$out" $tool --duration "$(slow 20)"
	timeout 20 "$WL" --threads 1 --size 16M --loops 2 >"$TMP/wl" 2>"$TMP/wl.err" ||
		fail "workload failed: $(cat "$TMP/wl.err")"
	sleep_slow 0.5
	stop_tracer "$TRACER_PID"
	json_valid "$out" || fail "$tool: invalid JSON"
	wpid=$(jget "$TMP/wl" .pid)
	rows=$(jget_kind "$out" summary "[(.processes // [])[], (.exited // [])[] | select(.pid == $wpid)]")
	log "$tool: rows of pid $wpid: $(echo "$rows" | jq -c '[.[] | {comm, comm_at_start, execs}]')"
	[ "$(echo "$rows" | jq length)" -eq 1 ] ||
		fail "$tool: pid $wpid has $(echo "$rows" | jq length) rows, want 1"
	[ "$(echo "$rows" | jq -r '.[0].comm')" = wl_faultloop ] ||
		fail "$tool: pid $wpid named '$(echo "$rows" | jq -r '.[0].comm')', not wl_faultloop"
	# The row was first counted before the exec, as timeout's child.
	[ "$(echo "$rows" | jq -r '.[0].comm_at_start')" = timeout ] ||
		fail "$tool: comm_at_start '$(echo "$rows" | jq -r '.[0].comm_at_start')', want timeout"
	[ "$(echo "$rows" | jq -r '.[0].execs')" -ge 1 ] || fail "$tool: execs not counted"
done
# ptmem's replaced mm is counted apart, not as an exit.
[ "$(jget_kind "$TMP/ptmem" summary .exec_replaced_count)" -ge 1 ] ||
	fail "ptmem: exec_replaced_count not counted"
pass
