#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An interrupted run leaves no half record: SIGINT or SIGTERM after two of
# five repeats -> exit 130, no run, no documents; SIGKILL -> the same, and
# the workload does not outlive mmscope. The store stays usable.
. "$(dirname "$0")/lib.sh"
need_bin "$MMSCOPE"
require_cmd sqlite3
export MMSCOPE_DB="$TMP/r.db"
cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
printf 'workload = ./fake-bench --sleep 0.7\nrepeats = 5\n' > "$TMP/slow.scn"
printf 'workload = ./fake-bench\nrepeats = 3\n' > "$TMP/quick.scn"
"$MMSCOPE" run "$TMP/quick.scn" --tag keep > /dev/null 2>&1 || fail "baseline run"
count() { sqlite3 "$MMSCOPE_DB" "select (select count(*) from runs) || '/' || (select count(*) from docs) || '/' || (select count(*) from metrics) || '/' || (select count(*) from repeats)"; }
before=$(count)
workloads() { pgrep -f "$TMP/.*fake-bench" | wc -l; }

for sig in INT TERM KILL; do
	spawn "$TMP/$sig.out" "$TMP/$sig.err" "$MMSCOPE" run "$TMP/slow.scn" --tag "cut-$sig"
	pid=$SPAWNED
	wait_for_line "$TMP/$sig.err" 'repeat 2/5 done' 20 || fail "$sig: run did not progress: $(cat "$TMP/$sig.err")"
	sleep 0.2	# inside repeat 3: the workload is running
	[ "$(workloads)" -ge 1 ] || fail "$sig: no workload running at the kill"
	kill -$sig $pid
	wait_exit $pid 10; rc=$?
	case $sig in
	KILL) [ $rc -eq 137 ] || fail "KILL: exit $rc" ;;
	*) [ $rc -eq 130 ] || fail "$sig: exit $rc, want 130"
	   grep -q 'interrupted by signal .*; nothing recorded' "$TMP/$sig.err" || fail "$sig: message" ;;
	esac
	[ "$(count)" = "$before" ] || fail "$sig: store changed from $before to $(count)"
	for _ in $(seq 20); do [ "$(workloads)" -eq 0 ] && break; sleep 0.1; done
	[ "$(workloads)" -eq 0 ] || fail "$sig: workload outlived mmscope"
	log "$sig after 2 of 5 repeats: exit $rc, store unchanged ($before), no stray workload"
done
"$MMSCOPE" runs | grep -q ' keep ' || fail "store unusable after the kills"
[ "$(sqlite3 "$MMSCOPE_DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
pass "SIGINT/SIGTERM/SIGKILL mid-run leave no half record and no stray process"
