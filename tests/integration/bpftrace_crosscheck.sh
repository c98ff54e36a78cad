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
# The docs' one-liners, with the workload's pid as predicate. "Attaching N
# probes" is printed before bpftrace attaches (and a first run on a cold
# machine can take many seconds to get there), so readiness is proven by
# the same programs seeing a ping process (comm bt-ready) fault: once both
# have said "ready", both are attached.
W="pid == $WL_PID"
R='comm == "bt-ready"'
spawn "$TMP/bt" "$TMP/bt.err" bpftrace -B none -e "
tracepoint:exceptions:page_fault_user /$W || $R/ {
	if ($R) { if (!@tp_ready) { printf(\"ready tracepoint\\n\"); @tp_ready = 1; } }
	else { @s[tid] = nsecs; } }
software:minor-faults:1 /$W || $R/ {
	if ($R) { if (!@sw_ready) { printf(\"ready software\\n\"); @sw_ready = 1; } }
	else {
		@faults = count();
		if (@s[tid]) { @lat = hist(nsecs - @s[tid]); @bracketed = count(); delete(@s[tid]); }
	} }"
BT=$SPAWNED
cp /bin/true "$TMP/bt-ready"
for _ in $(seq $((600 * SLOW))); do
	grep -q "^ready tracepoint" "$TMP/bt" && grep -q "^ready software" "$TMP/bt" && break
	kill -0 "$BT" 2>/dev/null || fail "bpftrace exited: $(cat "$TMP/bt.err")"
	"$TMP/bt-ready"
	sleep 0.1
done
grep -q "^ready software" "$TMP/bt" && grep -q "^ready tracepoint" "$TMP/bt" ||
	fail "bpftrace not attached after $((60 * SLOW)) s: $(cat "$TMP/bt" "$TMP/bt.err")"
kill -USR1 "$WL_PID"
wait_exit "$WL_PID" 20 || fail "workload failed"
sleep_slow 0.5
kill -INT "$BT"
wait_exit "$BT" 30 >/dev/null || fail "bpftrace did not exit within 30 s of SIGINT: $(cat "$TMP/bt.err")"
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
