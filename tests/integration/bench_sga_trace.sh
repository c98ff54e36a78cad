#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sga-bench fault latency from the in-process faultlat tracer (--trace):
#  1. --trace off: clock_gettime-timed first touches, trace_fallback
#     "--trace off", no tracer figures;
#  2. tracer unavailable (CAP_BPF and CAP_SYS_ADMIN dropped from the bounding
#     set, CAP_PERFMON kept for the perf counters): auto falls back with a
#     note and the reason in the JSON, exit 0; --trace on is a one-line
#     error, exit 1; no child left;
#  3. traced (20 processes x 64 MiB, read and write), while a second
#     sga-bench and a pfbench fault elsewhere: the tracer's fault count
#     (filtered to this run's children by comm) equal to perf's (tracepoint
#     mode; within 1% in precise mode), the
#     per-lock-path classes add up, p50 <= p90 <= p99 <= max.
# Children are named sga-child-<parent pid in base 36>.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sga_lib.sh"
require_root
require_jq
BIN="$BUILD/sga-bench"
need_bin "$BIN"
ARGS=(-n 20 --sga 64M -m shmem --json)

# run NAME [PREFIX...] -- ARGS...: sga-bench in the foreground; sets RC, and
# checks that none of its children outlived it.
run() {
	local name="$1" pre=() p; shift
	while [ "$1" != "--" ]; do pre+=("$1"); shift; done; shift
	"${pre[@]}" "$BIN" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	p=$!
	wait $p; RC=$?
	pgrep -x "$(sga_comm $p)" >/dev/null && fail "$name: children of $p left behind"
	return 0
}

# 1. --trace off
run off -- "${ARGS[@]}" --trace off
[ $RC -eq 0 ] || fail "--trace off: exit $RC: $(cat "$TMP/off.err")"
[ "$(jget "$TMP/off.out" .fault_lat_source)" = clock_gettime ] || fail "--trace off: source $(jget "$TMP/off.out" .fault_lat_source)"
[ "$(jget "$TMP/off.out" .trace_fallback)" = "--trace off" ] || fail "--trace off: no trace_fallback"
[ "$(jget "$TMP/off.out" .metrics.fault_lat_samples_count)" -gt 0 ] || fail "--trace off: no timed touches"
[ "$(jget "$TMP/off.out" .metrics.faults_traced_count)" = null ] || fail "--trace off: tracer figures present"
grep -q "not from the faultlat tracer: --trace off" "$TMP/off.err" || fail "--trace off: human output does not say so"
log "--trace off: $(jget "$TMP/off.out" .metrics.fault_lat_samples_count) timed touches, p50 $(jget "$TMP/off.out" .metrics.fault_lat_p50_ns) ns"

# 2. unavailable: no CAP_BPF/CAP_SYS_ADMIN (root keeps CAP_PERFMON for perf)
if command -v setpriv >/dev/null; then
	DROP=(setpriv --bounding-set -bpf,-sys_admin)
	run unav "${DROP[@]}" -- "${ARGS[@]}"
	[ $RC -eq 0 ] || fail "unavailable, auto: exit $RC: $(cat "$TMP/unav.err")"
	[ "$(jget "$TMP/unav.out" .fault_lat_source)" = clock_gettime ] || fail "unavailable: source $(jget "$TMP/unav.out" .fault_lat_source)"
	jget "$TMP/unav.out" .trace_fallback | grep -q CAP_BPF || fail "unavailable: trace_fallback '$(jget "$TMP/unav.out" .trace_fallback)'"
	grep -q "^sga-bench: note: shmem: fault latency from clock_gettime" "$TMP/unav.err" || fail "unavailable: no note: $(cat "$TMP/unav.err")"
	[ "$(jget "$TMP/unav.out" .metrics.fault_lat_samples_count)" -gt 0 ] || fail "unavailable: no timed touches"
	log "unavailable, auto: $(jget "$TMP/unav.out" .trace_fallback)"
	run unav_on "${DROP[@]}" -- "${ARGS[@]}" --trace on
	[ $RC -eq 1 ] || fail "unavailable, --trace on: exit $RC, expected 1"
	[ "$(wc -l <"$TMP/unav_on.err")" -eq 1 ] && grep -q '^sga-bench: shmem: --trace on, but' "$TMP/unav_on.err" ||
		fail "unavailable, --trace on: $(cat "$TMP/unav_on.err")"
	[ -s "$TMP/unav_on.out" ] && fail "unavailable, --trace on: printed a result"
	log "unavailable, --trace on: $(cat "$TMP/unav_on.err")"
else
	log "no setpriv: unavailable case not run"
fi

# 3. traced, with other faulting processes around
if ! "$BIN" "${ARGS[@]}" -n 2 --sga 4M --trace on >/dev/null 2>"$TMP/probe.err"; then
	skip "the faultlat tracer cannot load here: $(tail -n 1 "$TMP/probe.err")"
fi
spawn "$TMP/noise.out" "$TMP/noise.err" "$BUILD/pfbench" anon -t 1 -r 30 -d 1 -w 0
noise=$SPAWNED
check_traced() {
	local f="$TMP/$1.out" perf traced sum
	[ "$(jget "$f" .fault_lat_source)" = "mmscope-faultlat (tracepoint)" ] ||
		[ "$(jget "$f" .fault_lat_source)" = "mmscope-faultlat (precise)" ] ||
		fail "$1: source '$(jget "$f" .fault_lat_source)': $(cat "$TMP/$1.err")"
	perf=$(jget "$f" .metrics.faults_count)
	traced=$(jget "$f" .metrics.faults_traced_count)
	# tracepoint mode closes each bracket at the same software event perf
	# counts: equal, once the parent's own faults are off perf's figure
	if [ "$(jget "$f" .fault_lat_source)" = "mmscope-faultlat (tracepoint)" ]; then
		[ "$traced" = "$perf" ] || fail "$1: tracer counted $traced faults, perf $perf"
	else
		within_pct "$traced" "$perf" 1 || fail "$1: tracer counted $traced faults, perf $perf (> 1% apart)"
	fi
	sum=$(jget "$f" '[.fault_lat_classes[].hist.count] | add + 0')
	[ $((sum + $(jget "$f" .metrics.faults_unbracketed_count))) -eq "$traced" ] ||
		fail "$1: classes add up to $sum (+ unbracketed) != $traced"
	[ "$(jget "$f" .metrics.fault_lat_samples_count)" -eq "$sum" ] || fail "$1: samples != classes"
	jget "$f" '.metrics | .fault_lat_p50_ns <= .fault_lat_p90_ns and .fault_lat_p90_ns <= .fault_lat_p99_ns
		and .fault_lat_p99_ns <= .fault_lat_max_ns and .fault_lat_p50_ns > 0' | grep -q true ||
		fail "$1: percentiles out of order: $(jget "$f" .metrics)"
	[ "$(jget "$f" '.fault_lat_classes | map(select(.path == "vma_lock" or .path == "mmap_lock")) | length')" -gt 0 ] ||
		fail "$1: no lock-path class"
	jget "$f" '.metrics | has("faults_vma_lock_count") or has("faults_mmap_lock_count")' | grep -q true ||
		fail "$1: no per-path metrics"
	grep -q "faultlat counted" "$TMP/$1.err" || fail "$1: human output lacks the tracer count"
	log "$1: perf $perf, tracer $traced, p50/p99 $(jget "$f" '.metrics | "\(.fault_lat_p50_ns|floor)/\(.fault_lat_p99_ns|floor)"') ns," \
		"classes $(jget "$f" '[.fault_lat_classes[] | "\(.path)\(if .major then "+major" else "" end)=\(.hist.count)"] | join(",")')"
}
# Two runs at once: each must count only its own children.
"$BIN" "${ARGS[@]}" -a write >"$TMP/w.out" 2>"$TMP/w.err" &
w=$!
run read -- "${ARGS[@]}"
wait $w; wrc=$?
[ $RC -eq 0 ] || fail "traced read run: exit $RC: $(cat "$TMP/read.err")"
[ $wrc -eq 0 ] || fail "traced write run: exit $wrc: $(cat "$TMP/w.err")"
check_traced read
check_traced w
[ "$(jget "$TMP/read.out" .child_comm)" != "$(jget "$TMP/w.out" .child_comm)" ] || fail "both runs used one comm"
# thp: few faults per child, so one fault of sga-bench's own thread counted
# as the children's would show
if [ -w /sys/kernel/mm/transparent_hugepage/shmem_enabled ]; then
	run thp -- -n 20 --sga 64M -m thp --thp-force --json
	[ $RC -eq 0 ] || fail "traced thp run: exit $RC: $(cat "$TMP/thp.err")"
	check_traced thp
fi
kill -0 "$noise" 2>/dev/null || log "(pfbench noise ended early: $(tail -n 1 "$TMP/noise.err"))"
pass
