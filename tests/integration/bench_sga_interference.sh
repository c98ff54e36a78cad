#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sga-bench names interference in its result: each document
# carries the faults the children took in their touch loops against the
# faults expected for the pages touched, and the kernel's reclaim activity.
#  1. A clean run: faults_sga_count equals faults_expected_count within 5%,
#     no "interference" member, no WARNING in the summary.
#  2. A run in which a helper process (this script) punches the whole SGA
#     out of the memfd (fallocate --punch-hole on /proc/PID/fd/N) in a loop
#     while the children touch: pages the children have not touched yet are
#     gone, each is faulted in alone (no fault-around), so the faults exceed
#     the expected count: the document has "interference" ("the SGA was
#     unmapped under the run: ... (+N%, M extra)") and the summary a WARNING.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
require_cmd fallocate "apt-get install util-linux"
BIN="$BUILD/sga-bench"
need_bin "$BIN"
ARGS=(-n 40 --sga 512M -m shmem --trace off --json)

"$BIN" "${ARGS[@]}" >"$TMP/clean.out" 2>"$TMP/clean.err" || fail "clean run: $(cat "$TMP/clean.err")"
f=$(jget "$TMP/clean.out" .metrics.faults_sga_count)
e=$(jget "$TMP/clean.out" .metrics.faults_expected_count)
[ "$f" != null ] && [ "$e" != null ] || fail "no faults_sga_count/faults_expected_count"
within_pct "$f" "$e" 5 || fail "clean run: $f faults against $e expected"
[ "$(jget "$TMP/clean.out" '.interference // empty')" ] && fail "clean run flagged: $(jget "$TMP/clean.out" .interference)"
grep -q WARNING "$TMP/clean.err" && fail "clean run: a WARNING: $(grep WARNING "$TMP/clean.err")"
for k in reclaim_pgscan_count reclaim_pgsteal_count workingset_refault_count compact_stall_count; do
	[ "$(jget "$TMP/clean.out" ".metrics.$k")" != null ] || fail "clean run: no $k"
done
log "clean: $f faults, $e expected, not flagged"

"$BIN" "${ARGS[@]}" >"$TMP/dist.out" 2>"$TMP/dist.err" &
pid=$!
fd=
for i in $(seq 200); do
	fd=$(ls -l /proc/$pid/fd 2>/dev/null | awk '/memfd:mmscope-sga/ { print $9; exit }')
	[ -n "$fd" ] && break
	sleep 0.02
done
[ -n "$fd" ] || fail "no SGA memfd in sga-bench: $(cat "$TMP/dist.err")"
punches=0
while kill -0 $pid 2>/dev/null; do
	fallocate --punch-hole --offset 0 --length 512MiB /proc/$pid/fd/$fd 2>/dev/null &&
		punches=$((punches + 1))
	sleep 0.05
done
wait $pid; rc=$?
[ $rc -eq 0 ] || fail "disturbed run: exit $rc: $(cat "$TMP/dist.err")"
[ $punches -gt 0 ] || fail "could not punch the memfd"
msg=$(jget "$TMP/dist.out" '.interference // empty')
[ -n "$msg" ] || fail "disturbed run ($punches punches) not flagged: $(grep interference "$TMP/dist.err")"
echo "$msg" | grep -q '^the SGA was unmapped under the run: [0-9]* faults against [0-9]* expected (+[0-9.]*%, [0-9]* extra)' ||
	fail "interference text: $msg"
grep -q '^  WARNING: the SGA was unmapped under the run' "$TMP/dist.err" || fail "no WARNING in the summary"
log "disturbed ($punches punches): $msg"
pass
