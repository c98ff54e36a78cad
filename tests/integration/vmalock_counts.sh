#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope vmalock counts every fault perf counts (within 1%), filtered by -p
# and by -c; a single-threaded fault loop has no mmap_lock fallbacks; a
# workload churning mappings beside faulting threads has some.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
WL="$BUILD/tests/wl_faultloop"
need_bin "$MMSCOPE"; need_bin "$WL"

# 1. -p PID, single thread: counts match perf, 0 fallbacks.
start_workload "$TMP/wl1" "$WL" --threads 1 --size 64M --loops 3 --wait
start_tracer_json "$TMP/t1" vmalock -p "$WL_PID" --duration "$(slow 25)"
kill -USR1 "$WL_PID"
wait_exit "$WL_PID" 20 || fail "workload failed: $(cat "$TMP/wl1.err")"
sleep_slow 0.3
stop_tracer "$TRACER_PID"
json_valid "$TMP/t1" || fail "invalid JSON from vmalock"
truth=$(jget "$TMP/wl1" .faults)
got=$(jget_kind "$TMP/t1" summary .totals.faults)
fb=$(jget_kind "$TMP/t1" summary .totals.mmap_lock)
vma=$(jget_kind "$TMP/t1" summary .totals.vma_lock)
log "single thread: perf $truth, vmalock $got (vma_lock $vma, mmap_lock $fb)"
within_pct "$got" "$truth" 1 || fail "vmalock -p counted $got faults, perf $truth"
[ "$fb" -eq 0 ] || fail "single-threaded fault loop shows $fb mmap_lock fallbacks"
# The per-process row is the same process.
pid_row=$(jget_kind "$TMP/t1" summary ".processes[] | select(.pid == $WL_PID) | .faults")
[ "$pid_row" = "$got" ] || fail "per-process row $pid_row != total $got"
# Tracepoint mode on a stock kernel cannot see misses/retries: null, never 0.
if [ "$(jget_kind "$TMP/t1" summary .mode)" = tracepoint ] &&
   ! grep -q . /sys/kernel/tracing/events/vma_lock/vma_lock_miss/format 2>/dev/null; then
	[ "$(jget_kind "$TMP/t1" summary .totals.miss)" = null ] || fail "miss must be null"
	[ "$(jget_kind "$TMP/t1" summary .totals.retry)" = null ] || fail "retry must be null"
fi

# 2. -c COMM, mapping churn beside 2 faulting threads: fallbacks > 0.
start_tracer_json "$TMP/t2" vmalock -c wl_faultloop --duration "$(slow 25)"
"$WL" --threads 2 --size 1M --loops 512 --churn >"$TMP/wl2" 2>"$TMP/wl2.err" ||
	fail "churn workload failed: $(cat "$TMP/wl2.err")"
sleep_slow 0.3
stop_tracer "$TRACER_PID"
truth=$(jget "$TMP/wl2" .faults)
wpid=$(jget "$TMP/wl2" .pid)
got=$(jget_kind "$TMP/t2" summary ".processes[] | select(.pid == $wpid) | .faults")
fb=$(jget_kind "$TMP/t2" summary ".processes[] | select(.pid == $wpid) | .mmap_lock")
log "churn: perf $truth, vmalock $got, mmap_lock fallbacks $fb"
# -c also sees the exec-time faults perf (opened in main) does not: 1% slack.
within_pct "$got" "$truth" 1 || fail "vmalock -c counted $got faults, perf $truth"
[ "$fb" -gt 0 ] || fail "churn workload shows no mmap_lock fallbacks"
# Only wl_faultloop was traced.
others=$(jget_kind "$TMP/t2" summary '[.processes[] | select(.comm != "wl_faultloop")] | length')
[ "$others" -eq 0 ] || fail "-c wl_faultloop reported $others other processes"
pass
