#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SIGKILL of sga-bench does not leak vm.nr_hugepages or the shmem THP policy.
# sga-bench records what it changes under /run/mmscope
# before changing it; a reaper child restores it when sga-bench dies, else
# the next sga-bench start or `sga-bench --cleanup` does.
#  1. hugetlb, sga-bench SIGKILLed while its children hold the pool: the
#     reaper gives the hugepages back within seconds.
#  2. thp --thp-force, sga-bench and its reaper SIGKILLed (a group kill, the
#     OOM killer): shmem_enabled stays advise and the record stays; the next
#     sga-bench run (shmem only) restores it first, with a note.
#  3. hugetlb, both SIGKILLed: `sga-bench --cleanup` gives the pages back.
# Each ends with nr_hugepages and shmem_enabled as they were, no record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sga_lib.sh"
require_root
require_jq
BIN="$BUILD/sga-bench"
need_bin "$BIN"
THP=/sys/kernel/mm/transparent_hugepage/shmem_enabled
thp0=$(cat $THP 2>/dev/null)
nr0=$(cat /proc/sys/vm/nr_hugepages)
# Whatever happens, give the host its settings back.
at_exit "echo $nr0 > /proc/sys/vm/nr_hugepages; [ -n \"$thp0\" ] && echo \"$thp0\" | sed 's/.*\[\(.*\)\].*/\1/' > $THP"

# hold MODE NAME: sga-bench holding its children (settings changed); sets PID, REAPER.
# The SGA is 64 MiB more than the free hugepages someone else may have left
# in the pool, so that hugetlb must grow it.
hold() {
	local free sga
	free=$(awk '/^HugePages_Free:/ {f = $2} /^HugePages_Rsvd:/ {r = $2} END {print f - r}' /proc/meminfo)
	sga=$(( (free > 0 ? free : 0) * 2 + 64 ))
	[ "$1" = thp ] && sga=64
	spawn "$TMP/$2.out" "$TMP/$2.err" "$BIN" -n 4 --sga ${sga}M -m "$1" --thp-force --trace off --json --hold 60
	PID=$SPAWNED
	if ! wait_for_line "$TMP/$2.out" '"tool":"sga-bench"' 30; then
		kill -TERM $PID; wait_exit $PID 30
		grep -q "could reserve only\|cannot grow" "$TMP/$2.err" &&
			skip "cannot reserve hugepages: $(tail -n 1 "$TMP/$2.err")"
		fail "$2: did not reach the hold: $(cat "$TMP/$2.err")"
	fi
	REAPER=$(pgrep -x sga-bench-reap -P $PID)
}
# settled WHAT: nr_hugepages and shmem_enabled back, no record of $PID.
settled() {
	local i
	# a loaded machine takes seconds to kill and unmap the children, and
	# only then does the reaper see its pipe close
	for i in $(seq $((300 * SLOW))); do
		[ "$(cat /proc/sys/vm/nr_hugepages)" -eq "$nr0" ] && [ "$(cat $THP)" = "$thp0" ] &&
			! pgrep -x "$(sga_comm $PID)" >/dev/null && break
		sleep 0.1
	done
	[ "$(cat /proc/sys/vm/nr_hugepages)" -eq "$nr0" ] ||
		fail "$1: nr_hugepages $(cat /proc/sys/vm/nr_hugepages), was $nr0 after $((i / 10)) s" \
		     "(reaper ${REAPER:-none} $(kill -0 ${REAPER:-0} 2>/dev/null && echo alive || echo gone)," \
		     "children left $(pgrep -c -x "$(sga_comm $PID)")," \
		     "record: $(cat /run/mmscope/sga-bench.$PID.state 2>/dev/null | tr '\n' ' ')" \
		     "$(grep -E 'HugePages_(Total|Free|Rsvd|Surp)' /proc/meminfo | tr -s ' \n' ' '))"
	[ "$(cat $THP)" = "$thp0" ] || fail "$1: shmem_enabled '$(cat $THP)', was '$thp0'"
	[ -e /run/mmscope/sga-bench.$PID.state ] && fail "$1: record left"
	pgrep -x "$(sga_comm $PID)" >/dev/null && fail "$1: children left"
	log "$1: restored"
}

# 1. The reaper.
hold hugetlb k1
[ "$(cat /proc/sys/vm/nr_hugepages)" -gt "$nr0" ] || fail "k1: the pool did not grow"
kill -KILL $PID
wait_exit $PID 10
settled "SIGKILL, hugetlb, reaper"
[ -n "$REAPER" ] || fail "k1: no reaper (sga-bench-reap) child"

# 2. Both killed: the next run restores.
hold thp k2
grep -q '\[advise\]' $THP || fail "k2: shmem_enabled not advise under --thp-force"
kill -KILL $PID $REAPER
wait_exit $PID 10
sleep 0.5
grep -q '\[advise\]' $THP || skip "shmem_enabled changed by someone else meanwhile"
[ -e /run/mmscope/sga-bench.$PID.state ] || fail "k2: record gone with nobody to restore"
"$BIN" -n 2 --sga 4M -m shmem --trace off >"$TMP/next.out" 2>"$TMP/next.err" || fail "next run: $(cat "$TMP/next.err")"
grep -q "note: restored what sga-bench pid $PID changed before it died: shmem_enabled advise -> " "$TMP/next.err" ||
	fail "next run: no restore note: $(cat "$TMP/next.err")"
settled "SIGKILL of sga-bench and reaper, thp: next run"

# 3. Both killed: --cleanup restores.
hold hugetlb k3
kill -KILL $PID $REAPER
wait_exit $PID 10
sleep 0.5
[ "$(cat /proc/sys/vm/nr_hugepages)" -gt "$nr0" ] || fail "k3: pool already shrunk with nobody to do it"
"$BIN" --cleanup >"$TMP/c.out" 2>"$TMP/c.err" || fail "--cleanup: $(cat "$TMP/c.err")"
grep -q "restored what sga-bench pid $PID changed before it died: vm.nr_hugepages" "$TMP/c.err" ||
	fail "--cleanup: no restore note: $(cat "$TMP/c.err")"
settled "SIGKILL of sga-bench and reaper, hugetlb: --cleanup"
"$BIN" --cleanup 2>"$TMP/c2.err" || fail "second --cleanup failed"
grep -q "nothing to restore" "$TMP/c2.err" || fail "second --cleanup: $(cat "$TMP/c2.err")"
pass
