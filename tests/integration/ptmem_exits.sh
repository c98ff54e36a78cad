#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope ptmem's exit records: which ones are kept, and under which name,
# against the workload's own figures (tests/workloads/pt_exits.c).
# wl_pt_exits first runs 200 children that exit at once (small peaks), then
# three that map and write 64 MiB and, after the tracer named their mm,
# change their name before exiting: one renames itself (prctl
# PR_SET_NAME), one execs and renames, one renames its leader, whose thread
# of another name ends the process. Two tracers watch it (-c wl_pt_exits):
# one with the default --exits 1000 (lists every exit: the reference), one
# with --exits 16.
#  - both count every exit: exited_count == the workload's 205 mms; the
#    first keeps and lists all 205, the second keeps 16 (exited_kept,
#    dropped.exits_not_kept == 189, its interval documents likewise) and
#    those 16 are the 16 largest peaks of all exits, largest first: the
#    three late large ones among them (a first-come list of 16 would hold
#    only small ones);
#  - each of the three is reported under the name its /proc/PID/comm had
#    as it exited (for the threaded one the leader's, not the exiting
#    thread's) and with the VmPTE it read just before exiting;
#  - the exec'd process is one exit record: its forked mm, ended by the
#    exec, is not an exit (exec_replaced_count); its pre-exec name
#    ("wl_pt_exits") is the record's comm_at_start.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
need_bin "$MMSCOPE"
WL="$BUILD/tests/wl_pt_exits"
need_bin "$WL"
KEEP=16 SMALL=200 SIZE=64M

start_tracer_json "$TMP/all.json" ptmem -c wl_pt_exits --top 0
ALL_PID=$TRACER_PID
start_tracer_json "$TMP/t.json" ptmem -c wl_pt_exits --exits $KEEP --top 0
"$WL" $SMALL $SIZE >"$TMP/wl.out" 2>"$TMP/wl.err" ||
	fail "workload failed: $(cat "$TMP/wl.err")"
grep -q "^done pid=[0-9]* small=$SMALL" "$TMP/wl.out" || fail "workload did not finish: $(cat "$TMP/wl.out")"
# every exit drained into an interval document: two more after the workload
n0=$(grep -c '"kind":"interval"' "$TMP/t.json")
for ((i = 0; i < 400 * SLOW; i++)); do
	[ "$(grep -c '"kind":"interval"' "$TMP/t.json")" -ge $((n0 + 2)) ] && break
	sleep 0.05
done
[ "$(grep -c '"kind":"interval"' "$TMP/t.json")" -ge $((n0 + 2)) ] ||
	fail "ptmem printed no new interval document: $(tail -n 3 "$TMP/t.json.err")"
stop_tracer "$TRACER_PID"
stop_tracer "$ALL_PID"
check_mode "$TMP/all.json" "ptmem (reference)"
for f in all t; do
	json_valid "$TMP/$f.json" || fail "invalid JSON"
	grep '"kind":"interval"' "$TMP/$f.json" >"$TMP/$f.ivl"
	grep '"kind":"summary"' "$TMP/$f.json" >"$TMP/$f.sum"
	[ -s "$TMP/$f.sum" ] || fail "no summary: $(tail -n 3 "$TMP/$f.json.err")"
done

# 1. counts: seen, kept, listed
want=$((SMALL + 4))	# small ones, rename, exec (its exec'd mm), thread, the driver
# counts FILE: "seen kept listed not_kept lost"
counts() {
	jq -r '[.exited_count, .exited_kept, (.exited | length), .dropped.exits_not_kept,
		.dropped.lost_exit_records] | map(tostring) | join(" ")' "$1"
}
read -r -a A <<<"$(counts "$TMP/all.sum")"
read -r -a T <<<"$(counts "$TMP/t.sum")"
log "$want exits made; summary seen/kept/listed/not kept/lost: --exits 1000: ${A[*]}; --exits $KEEP: ${T[*]}"
[ "${A[4]}" = 0 ] && [ "${T[4]}" = 0 ] || fail "exit records lost to a full ring buffer"
[ "${A[*]}" = "$want $want $want 0 0" ] || fail "--exits 1000: summary ${A[*]}, want $want $want $want 0 0"
[ "${T[*]}" = "$want $KEEP $KEEP $((want - KEEP)) 0" ] ||
	fail "--exits $KEEP: summary ${T[*]}, want $want $KEEP $KEEP $((want - KEEP)) 0"
# interval documents: each lists min(seen, KEEP), says so, and they add up
bad=$(jq -c --argjson k $KEEP '[.exited_count, .exited_kept, (.exited | length), .dropped.exits_not_kept] |
	select(.[1] != ([.[0], $k] | min) or .[2] != .[1] or .[3] != .[0] - .[1])' "$TMP/t.ivl")
[ -z "$bad" ] || fail "--exits $KEEP: interval documents with [seen, kept, listed, not kept] $bad"
ivl_seen=$(jq -s 'map(.exited_count) | add' "$TMP/t.ivl")
[ "$ivl_seen" = "$want" ] || fail "--exits $KEEP: interval documents saw $ivl_seen exits, want $want"

# 2. the kept ones are the largest peaks of all, largest first
top=$(jq '.exited[].peak_bytes' "$TMP/all.sum" | sort -n -r | head -n $KEEP | tr '\n' ' ')
got=$(jq '.exited[].peak_bytes' "$TMP/t.sum" | tr '\n' ' ')
log "largest $KEEP peaks of all: $top"
[ "$got" = "$top" ] || fail "--exits $KEEP: summary peaks $got, the $KEEP largest of all exits are $top"

# 3. names and values at exit, against the workload's own reads
for kind in rename exec thread; do
	line=$(grep "^child kind=$kind " "$TMP/wl.out") || fail "no $kind child line: $(cat "$TMP/wl.out")"
	pid=$(echo "$line" | sed -n 's/.* pid=\([0-9]*\).*/\1/p')
	comm=$(echo "$line" | sed -n 's/.* comm=\([^ ]*\).*/\1/p')
	kb=$(echo "$line" | sed -n 's/.* vmpte_kb=\([0-9]*\).*/\1/p')
	recs=$(jq -c --argjson p "$pid" '.exited[] | select(.pid == $p and .peak_bytes > 131072)' "$TMP/t.sum")
	[ "$(echo "$recs" | grep -c .)" = 1 ] ||
		fail "$kind child $pid: $(echo "$recs" | grep -c .) large exit records in the summary: $(jq -c .exited "$TMP/t.sum")"
	rcomm=$(echo "$recs" | jq -r .comm)
	at_exit=$(echo "$recs" | jq .at_exit_bytes)
	exact=$(echo "$recs" | jq .exit_value_exact)
	log "$kind child $pid: own comm $comm, VmPTE $kb kB; ptmem comm $rcomm, at exit $at_exit B (exact=$exact)"
	[ "$rcomm" = "$comm" ] || fail "$kind child $pid: exit record named '$rcomm', its comm at exit was '$comm'"
	[ "$at_exit" = $((kb * 1024)) ] || fail "$kind child $pid: at exit $at_exit B != self-read VmPTE $((kb * 1024)) B"
	[ "$exact" = true ] || fail "$kind child $pid: exit value not taken at exit_mmap's mmap_lock"
	[ "$kind" = exec ] && EPID=$pid ECOMM=$comm
done
names=$(jq -r --argjson p "$EPID" '.exited[] | select(.pid == $p) | "\(.comm)<\(.comm_at_start)"' "$TMP/all.sum" | tr '\n' ' ')
log "exec child $EPID: exit records named (comm<comm_at_start) $names"
[ "$names" = "$ECOMM<wl_pt_exits " ] || fail "exec child $EPID: exit records '$names', expected '$ECOMM<wl_pt_exits '"
[ "$(jq .exec_replaced_count "$TMP/all.sum")" -ge 1 ] || fail "the mm the exec replaced is not counted"
pass "$want exits seen, the $KEEP largest kept; renamed, exec'd and threaded processes named as at exit"
