#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bpftrace one-liners of docs/bpftrace.md agree with the tracers they
# cross-check, on one workload (-p / a pid predicate): completed faults
# (vmalock) and the number of user faults with a latency (faultlat's
# bracket, entry at page_fault_user, close at the minor-faults event).
. "$(dirname "$0")/lib.sh"
require_root
require_jq
require_cmd bpftrace
WL="$BUILD/tests/wl_faultloop"
need_bin "$MMSCOPE"; need_bin "$WL"

start_workload "$TMP/wl" "$WL" --threads 1 --size 32M --loops 3 --wait
start_tracer_json "$TMP/vl" vmalock -p "$WL_PID" --duration "$(slow 30)"
VL=$TRACER_PID
start_tracer_json "$TMP/fl" faultlat -p "$WL_PID" --duration "$(slow 30)"
FL=$TRACER_PID
spawn "$TMP/bt" "$TMP/bt.err" bpftrace -e "
software:minor-faults:1 /pid == $WL_PID/ { @faults = count(); }
tracepoint:exceptions:page_fault_user /pid == $WL_PID/ { @s[tid] = nsecs; }
software:minor-faults:1 /pid == $WL_PID && @s[tid]/ { @lat = hist(nsecs - @s[tid]); @bracketed = count(); delete(@s[tid]); }"
BT=$SPAWNED
wait_for_line "$TMP/bt" '^Attaching' 30 || fail "bpftrace did not start: $(cat "$TMP/bt.err")"
sleep_slow 1
kill -USR1 "$WL_PID"
wait_exit "$WL_PID" 20 || fail "workload failed"
sleep_slow 0.5
kill -INT "$BT"; wait_exit "$BT" 15 >/dev/null
stop_tracer "$VL"; stop_tracer "$FL"
bt_faults=$(sed -n 's/^@faults: //p' "$TMP/bt")
bt_br=$(sed -n 's/^@bracketed: //p' "$TMP/bt")
vl=$(jget_kind "$TMP/vl" summary .totals.minor)
fl=$(jget_kind "$TMP/fl" summary '[.histograms[] | select(.major == false and .path != "kernel") | .hist.count] | add')
log "minor faults: bpftrace $bt_faults, vmalock $vl; user faults with a latency: bpftrace $bt_br, faultlat $fl"
[ -n "$bt_faults" ] && [ -n "$bt_br" ] || fail "no bpftrace counts: $(cat "$TMP/bt")"
[ "$bt_faults" = "$vl" ] || fail "vmalock counted $vl minor faults, bpftrace $bt_faults"
[ "$bt_br" = "$fl" ] || fail "faultlat has $fl user-fault latencies, bpftrace $bt_br"
pass
