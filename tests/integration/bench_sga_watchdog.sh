#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sga-bench's stall watchdog: a child that stops in the middle of
# its touches (SGA_BENCH_INJECT=thp:stall: child 0 of the thp run raises
# SIGSTOP half-way) stops the whole run after --watchdog 3s:
#  - exit 1, within seconds, with a message naming the mode and phase
#    ("in thp 2/2 map+touch"), the children's states (the stopped one
#    counted), and the kernel's reclaim/compaction/PSI figures;
#  - the mode that finished before (shmem) has its document on stdout;
#  - nothing left: no child, no SGA memfd, shmem_enabled as before, no record
#    under /run/mmscope.
# Then the same stall with the watchdog off (--watchdog 0) is not stopped by
# it: the test sends SIGCONT to the stopped child and the run completes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sga_lib.sh"
require_root
require_jq
BIN="$BUILD/sga-bench"
need_bin "$BIN"
THP=/sys/kernel/mm/transparent_hugepage/shmem_enabled
thp0=$(cat $THP 2>/dev/null)

SGA_BENCH_INJECT=thp:stall "$BIN" -n 20 --sga 64M -m shmem -m thp --thp-force --trace off \
	--watchdog 3s --json >"$TMP/w.out" 2>"$TMP/w.err" &
pid=$!
wait_exit $pid 60; rc=$?
[ $rc -eq 1 ] || fail "exit $rc (want 1): $(cat "$TMP/w.err")"
grep -q '^sga-bench: watchdog: no progress for [0-9]* s in thp 2/2 map+touch' "$TMP/w.err" ||
	fail "no watchdog message naming the phase: $(cat "$TMP/w.err")"
grep -q '^sga-bench: watchdog: children: [0-9]* in D state .*, 1 stopped' "$TMP/w.err" ||
	fail "the stopped child is not counted: $(grep watchdog "$TMP/w.err")"
grep -q '^sga-bench: watchdog: kernel over the last .*pgscan [0-9]*, pgsteal [0-9]*.*compact_stall' "$TMP/w.err" ||
	fail "no kernel activity in the report: $(grep watchdog "$TMP/w.err")"
grep -q 'stopped by the watchdog in thp 2/2 map+touch; results printed for shmem' "$TMP/w.err" ||
	fail "no last line naming what finished: $(tail -n 3 "$TMP/w.err")"
json_valid "$TMP/w.out" || fail "invalid JSON"
[ "$(grep -c '^{' "$TMP/w.out")" -eq 1 ] && [ "$(jget "$TMP/w.out" .mode)" = shmem ] ||
	fail "want exactly the shmem document on stdout: $(cat "$TMP/w.out")"
log "$(grep '^sga-bench: watchdog' "$TMP/w.err" | head -n 2 | tr '\n' ' ')"
for i in $(seq 50); do pgrep -x "$(sga_comm $pid)" >/dev/null || break; sleep 0.1; done
pgrep -x "$(sga_comm $pid)" >/dev/null && fail "children left behind"
sga_memfd_left && fail "an SGA memfd is still open"
[ "$(cat $THP 2>/dev/null)" = "$thp0" ] || fail "shmem_enabled not restored"
[ -e /run/mmscope/sga-bench.$pid.state ] && fail "record of pid $pid left"

# Watchdog off: the same stall is waited out; SIGCONT lets it finish.
SGA_BENCH_INJECT=shmem:stall "$BIN" -n 4 --sga 16M -m shmem --trace off --watchdog 0 \
	--json >"$TMP/o.out" 2>"$TMP/o.err" &
pid=$!
stopped=
for i in $(seq 100); do
	for c in $(pgrep -x "$(sga_comm $pid)"); do
		[ "$(awk '{print $3}' /proc/$c/stat 2>/dev/null)" = T ] && stopped=$c
	done
	[ -n "$stopped" ] && break
	sleep 0.1
done
[ -n "$stopped" ] || fail "watchdog 0: no child stopped itself: $(cat "$TMP/o.err")"
sleep 4
kill -0 $pid 2>/dev/null || fail "watchdog 0: the run ended while a child was stopped: $(cat "$TMP/o.err")"
kill -CONT "$stopped"
wait_exit $pid 30; rc=$?
[ $rc -eq 0 ] || fail "watchdog 0: exit $rc after SIGCONT: $(cat "$TMP/o.err")"
grep -q watchdog "$TMP/o.err" && fail "watchdog 0 still tripped: $(cat "$TMP/o.err")"
log "--watchdog 0: a child stopped for 4 s, continued, run finished"
pass
