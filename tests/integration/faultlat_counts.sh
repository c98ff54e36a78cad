#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope faultlat: the histograms hold every fault perf counts (within 1%),
# system-wide-filtered (-p) and --per-process (-c); percentiles are ordered.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
WL="$BUILD/tests/wl_faultloop"
need_bin "$MMSCOPE"; need_bin "$WL"

check_hist() {	# FILE JQPATH-of-a-histogram WHAT
	local ok
	ok=$(jget_kind "$1" summary "$2 | (.p50 <= .p90 and .p90 <= .p99 and .p99 <= .max and .count > 0)")
	[ "$ok" = true ] || fail "$3: percentiles not ordered or empty: $(jget_kind "$1" summary "$2 | del(.buckets)")"
	local sum
	sum=$(jget_kind "$1" summary "[$2.buckets[].count] | add")
	[ "$sum" = "$(jget_kind "$1" summary "$2.count")" ] || fail "$3: bucket counts do not add up to count"
}

# 1. -p PID, two threads.
start_workload "$TMP/wl1" "$WL" --threads 2 --size 32M --loops 3 --wait
start_tracer_json "$TMP/t1" faultlat -p "$WL_PID" --duration "$(slow 25)"
kill -USR1 "$WL_PID"
wait_exit "$WL_PID" 20 || fail "workload failed: $(cat "$TMP/wl1.err")"
sleep_slow 0.3
stop_tracer "$TRACER_PID"
json_valid "$TMP/t1" || fail "invalid JSON from faultlat"
truth=$(jget "$TMP/wl1" .faults)
got=$(jget_kind "$TMP/t1" summary .all.count)
unbr=$(jget_kind "$TMP/t1" summary .unbracketed)
log "-p: perf $truth, histogram count $got, unbracketed $unbr"
within_pct "$got" "$truth" 1 || fail "faultlat -p histogram count $got, perf $truth"
check_hist "$TMP/t1" .all "-p all"
# the per-class histograms add up to "all"
sumc=$(jget_kind "$TMP/t1" summary '[.histograms[].hist.count] | add')
[ "$sumc" = "$got" ] || fail "class histograms add up to $sumc, all = $got"
# interval documents add up to the summary
sumi=$(grep '"kind":"interval"' "$TMP/t1" | jq -s '[.[].all.count] | add')
[ "$sumi" = "$got" ] || fail "interval counts add up to $sumi, summary $got"

# 2. --per-process -c COMM.
start_tracer_json "$TMP/t2" faultlat --per-process -c wl_faultloop --duration "$(slow 25)"
"$WL" --threads 1 --size 64M --loops 2 >"$TMP/wl2" 2>"$TMP/wl2.err" ||
	fail "workload failed: $(cat "$TMP/wl2.err")"
sleep_slow 0.3
stop_tracer "$TRACER_PID"
truth=$(jget "$TMP/wl2" .faults)
wpid=$(jget "$TMP/wl2" .pid)
got=$(jget_kind "$TMP/t2" summary ".processes[] | select(.pid == $wpid) | .all.count")
log "--per-process -c: perf $truth, histogram count $got"
within_pct "$got" "$truth" 1 || fail "faultlat --per-process count $got, perf $truth"
check_hist "$TMP/t2" ".processes[] | select(.pid == $wpid) | .all" "per-process"
pass
