#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope ptmem loses no exit record to a burst of exits within one
# interval: the SGA benchmark's 1500 children exit together, and exit
# records wait in a ring buffer until the next report. wl_pt_exits runs
# BURST children that exit at once, one after another, plus 3 processes of its
# own kinds and the driver (ptmem_exits.sh says which); a tracer with a
# 30 s interval must count every one in its summary, with
# dropped.lost_exit_records 0 (256 KiB held about 1,600 records).
. "$(dirname "$0")/lib.sh"
require_root
require_jq
need_bin "$MMSCOPE"
WL="$BUILD/tests/wl_pt_exits"
need_bin "$WL"
BURST=4000

# one interval for the whole burst: ready (attached) is signalled on fd 5
MMSCOPE_READY_FD=5 spawn "$TMP/t.json" "$TMP/t.json.err" "$MMSCOPE" ptmem --json --interval 60 \
	"${MODE_ARGS[@]}" -c wl_pt_exits --top 0 --exits 10 5>"$TMP/ready"
TRACER_PID=$SPAWNED TRACER_OUT=$TMP/t.json TRACER_TOOL=ptmem
for ((i = 0; i < 300 * SLOW; i++)); do
	[ -s "$TMP/ready" ] && break
	kill -0 "$TRACER_PID" 2>/dev/null || break
	sleep 0.05
done
[ -s "$TMP/ready" ] || fail "mmscope ptmem did not start: $(cat "$TMP/t.json.err")"
"$WL" $BURST 1M >"$TMP/wl.out" 2>"$TMP/wl.err" || fail "workload failed: $(cat "$TMP/wl.err")"
grep -q "^done pid=[0-9]* small=$BURST" "$TMP/wl.out" || fail "workload did not finish: $(cat "$TMP/wl.out")"
stop_tracer "$TRACER_PID"
check_mode "$TMP/t.json" "ptmem"
json_valid "$TMP/t.json" || fail "invalid JSON"
grep '"kind":"summary"' "$TMP/t.json" >"$TMP/t.sum"
[ -s "$TMP/t.sum" ] || fail "no summary: $(tail -n 3 "$TMP/t.json.err")"
want=$((BURST + 4))	# the exec child's pre-exec mm is exec_replaced_count, not an exit
read -r seen lost < <(jq -r '"\(.exited_count) \(.dropped.lost_exit_records)"' "$TMP/t.sum")
log "$want exits made in one interval: ptmem saw $seen, lost $lost"
[ "$lost" = 0 ] || fail "$lost exit records lost to a full ring buffer"
[ "$seen" = "$want" ] || fail "ptmem saw $seen exits, want $want"
pass "a burst of $want exits in one interval: all seen, none lost"
