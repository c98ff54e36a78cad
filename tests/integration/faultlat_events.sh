#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope faultlat --events: one record per completed fault, like
# perf trace --pf. Against the workload's own perf count of its faults:
# events + drops == perf's count (the -p filter, attached before the
# workload faults), every event of the pid, with a page-aligned user
# address in the workload's mappings, minor, a lock path and a latency; the
# summary says how many were printed and dropped. Text form: a header and
# one line per fault. Without --events the per-fault program is the one
# without the stream (fb_close_minor, not its fb_close_minor_ev twin): smaller.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
WL="$BUILD/tests/wl_faultloop"
need_bin "$MMSCOPE"; need_bin "$WL"

start_workload "$TMP/wl" "$WL" --threads 2 --size 32M --loops 2 --wait
start_tracer_json "$TMP/ev" faultlat --events -p "$WL_PID" --duration "$(slow 25)"
kill -USR1 "$WL_PID"
wait_exit "$WL_PID" 20 || fail "workload failed: $(cat "$TMP/wl.err")"
sleep_slow 0.5
stop_tracer "$TRACER_PID"
json_valid "$TMP/ev" || fail "invalid JSON"
perf=$(jget "$TMP/wl" .faults)
n=$(grep -c '"kind":"event"' "$TMP/ev")
cnt=$(jget_kind "$TMP/ev" summary .events.count)
drop=$(jget_kind "$TMP/ev" summary .events.dropped)
log "perf counted $perf faults; events $n (summary $cnt), dropped $drop"
[ "$n" = "$cnt" ] || fail "summary says $cnt events, $n printed"
# perf's counters open before {"ready"}; a few faults of the workload's own
# between that and our attach (its printf) are perf's alone: 0.5% slack
within_pct $((n + drop)) "$perf" 0.5 || fail "events + drops $((n + drop)) != perf's $perf"
# kprobe mode has no address at handle_mm_fault()'s return: 0 there
noaddr=false
[ "$(jget "$TMP/ev" .fault_hooks)" = kprobe ] && noaddr=true
bad=$(grep '"kind":"event"' "$TMP/ev" | jq -c --argjson p "$WL_PID" --argjson na $noaddr \
	'select(.pid != $p or (.address == 0 and ($na | not)) or .address >= 140737488355328 or
		(.path | IN("vma_lock","mmap_lock","kernel","unknown") | not) or .comm != "wl_faultloop")' | head -n 3)
[ -z "$bad" ] || fail "bad event records: $bad"
tids=$(grep '"kind":"event"' "$TMP/ev" | jq -r .tid | sort -u | wc -l)
[ "$tids" -ge 2 ] || fail "events from $tids threads, the workload faulted in 2"
lat=$(grep '"kind":"event"' "$TMP/ev" | jq -s '[.[] | select(.latency_ns != null)] | length')
log "events from $tids threads, $lat with a latency"
within_pct "$lat" "$n" 1 || fail "only $lat of $n events have a latency"

# A ring buffer of one page (MMSCOPE_FL_EVENTS_RB_BYTES, a test hook): the
# reader cannot keep up, records are dropped and counted, and events +
# drops still equal perf's count.
start_workload "$TMP/wl2" "$WL" --threads 2 --size 32M --loops 2 --wait
MMSCOPE_FL_EVENTS_RB_BYTES=4096 start_tracer_json "$TMP/ev2" faultlat --events -p "$WL_PID" --duration "$(slow 25)"
kill -USR1 "$WL_PID"
wait_exit "$WL_PID" 20 || fail "workload failed: $(cat "$TMP/wl2.err")"
sleep_slow 0.5
stop_tracer "$TRACER_PID"
perf=$(jget "$TMP/wl2" .faults)
n=$(grep -c '"kind":"event"' "$TMP/ev2")
drop=$(jget_kind "$TMP/ev2" summary .events.dropped)
rb=$(jget_kind "$TMP/ev2" summary .events.ring_buffer_bytes)
log "4 KiB ring buffer: perf $perf faults; events $n + dropped $drop = $((n + drop))"
[ "$rb" = 4096 ] || fail "ring_buffer_bytes $rb, want 4096"
[ "$drop" -gt 0 ] || fail "a one-page ring buffer dropped nothing"
within_pct $((n + drop)) "$perf" 0.5 || fail "events + drops $((n + drop)) != perf's $perf"

# text form
timeout "$(slow 20)" "$MMSCOPE" faultlat --events -u "${MODE_ARGS[@]}" --duration 1 >"$TMP/ev.txt" 2>/dev/null ||
	fail "faultlat --events (text) failed"
head -n 1 "$TMP/ev.txt" | grep -q 'TIME(s) *COMM *PID/TID *ADDRESS *TYPE *PATH *usecs' ||
	fail "no header: $(head -n 1 "$TMP/ev.txt")"
grep -qE '^ *[0-9]+\.[0-9]{6} .* [0-9]+/[0-9]+ +0x[0-9a-f]{16} (minor|major) ' "$TMP/ev.txt" ||
	fail "no event lines: $(head -n 3 "$TMP/ev.txt")"
tail -n 1 "$TMP/ev.txt" | grep -q '^SUMMARY .* events printed, [0-9]* dropped' ||
	fail "the summary is not the last line: $(tail -n 2 "$TMP/ev.txt")"

# The fault path without --events: the stream is not in the loaded
# program (its twin with the stream is loaded for --events only). Each tracer's per-fault program is the one that appeared when it
# started (bpftool here lists no owner pids).
newprog() {	# newprog OUT ARGS...: xlated bytes of the fb_close_minor it loads
	local before after
	before=$(bpftool prog show -j | jq -c '[.[] | select(.name | startswith("fb_close_minor")) | .id]')
	spawn "$1" "$1.err" "$MMSCOPE" faultlat --interval 10 "${MODE_ARGS[@]}" "${@:2}"
	wait_for_line "$1.err" 'tracing in' 15 || { kill -KILL "$SPAWNED"; fail "faultlat $* did not start: $(cat "$1.err")"; }
	after=$(bpftool prog show -j | jq -c --argjson b "$before" '[.[] | select((.name | startswith("fb_close_minor")) and (.id | IN($b[]) | not))]')
	# stopped here, not by lib.sh: this runs in a $(...) subshell
	if [ "$(echo "$after" | jq length)" = 1 ]; then
		echo "$after" | jq '.[0].bytes_xlated'
	else
		echo skip
	fi
	kill -INT "$SPAWNED"; wait_exit "$SPAWNED" 10 >/dev/null
}
if [ "$(jget "$TMP/ev" .fault_hooks)" = "page_fault_user+perf" ] && command -v bpftool >/dev/null; then
	plain=$(newprog "$TMP/plain")
	evs=$(newprog "$TMP/evs" --events -p $$)
	log "per-fault program (fb_close_minor): $plain bytes without --events, $evs with"
	if [ "$plain" = skip ] || [ "$evs" = skip ]; then
		log "another faultlat started meanwhile: size comparison not made"
	else
		[ "$plain" -lt "$evs" ] ||
			fail "without --events the per-fault program is not smaller ($plain >= $evs): the stream is not pruned"
	fi
fi
pass
