#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nothing finished is lost, nothing is left behind:
# - SIGINT or SIGTERM after two of five repeats -> exit 130, the two
#   repeats' documents stay in the store as a partial run with the reason;
#   SIGKILL -> the documents stay, the run "unfinished"; the workload does
#   not outlive mmscope either way. compare leaves the partial runs out.
# - a main-job-style run (one workload printing one document per mode)
#   killed after its first document keeps that document, marked partial.
# - the workload's death signal is SIGTERM (it can clean up), and a
#   workload that ignores SIGTERM is SIGKILLed after the grace period.
. "$(dirname "$0")/lib.sh"
need_bin "$MMSCOPE"
require_cmd sqlite3
export MMSCOPE_DB="$TMP/r.db"
cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
printf 'workload = ./fake-bench --sleep 0.7\nrepeats = 5\n' > "$TMP/slow.scn"
printf 'workload = ./fake-bench\nrepeats = 3\n' > "$TMP/quick.scn"
"$MMSCOPE" run "$TMP/quick.scn" --tag keep > /dev/null 2>&1 || fail "baseline run"
"$MMSCOPE" run "$TMP/quick.scn" --tag keep2 > /dev/null 2> "$TMP/keep2.err" || fail "baseline run 2"
# progress: repeat i/N with an ETA from the scenario's earlier complete run, then from this run's repeats
grep -Eq '^mmscope: run: quick: repeat 1/3 \(ETA [0-9]+ s, from earlier runs in the store\)$' "$TMP/keep2.err" ||
	fail "no ETA from the store: $(cat "$TMP/keep2.err")"
grep -Eq '^mmscope: run: quick: repeat 3/3 \(ETA [0-9]+ s, from this run.s repeats\)$' "$TMP/keep2.err" ||
	fail "no ETA from this run: $(cat "$TMP/keep2.err")"
q() { sqlite3 "$MMSCOPE_DB" "$1"; }
workloads() { pgrep -f "$TMP/.*(fake-bench|mode-bench|deaf-bench|term-bench)" | wc -l; }
gone() {	# wait up to 2 s for no workload
	for _ in $(seq 20); do [ "$(workloads)" -eq 0 ] && return 0; sleep 0.1; done
	return 1
}

for sig in INT TERM KILL; do
	spawn "$TMP/$sig.out" "$TMP/$sig.err" "$MMSCOPE" run "$TMP/slow.scn" --tag "cut-$sig"
	pid=$SPAWNED
	wait_for_line "$TMP/$sig.err" 'repeat 2/5 done' 20 || fail "$sig: run did not progress: $(cat "$TMP/$sig.err")"
	sleep 0.2	# inside repeat 3: the workload is running
	[ "$(workloads)" -ge 1 ] || fail "$sig: no workload running at the kill"
	kill -$sig $pid
	wait_exit $pid 10; rc=$?
	row=$(q "select status || '|' || coalesce(status_reason, '') || '|' || repeats || '|' ||
		(select count(*) from docs where run_id = runs.id) from runs where tag = 'cut-$sig'")
	case $sig in
	KILL) [ $rc -eq 137 ] || fail "KILL: exit $rc"
	      [ "$row" = "unfinished||2|2" ] || fail "KILL: stored run $row" ;;
	*) [ $rc -eq 130 ] || fail "$sig: exit $rc, want 130"
	   n=$([ $sig = INT ] && echo 2 || echo 15)
	   grep -q "what finished is recorded as partial run" "$TMP/$sig.err" || fail "$sig: message: $(cat "$TMP/$sig.err")"
	   [ "$row" = "partial|interrupted by signal $n after 2 of 5 repeats|2|2" ] || fail "$sig: stored run $row" ;;
	esac
	gone || fail "$sig: workload outlived mmscope"
	log "$sig after 2 of 5 repeats: exit $rc, stored $row, no stray workload"
done
"$MMSCOPE" runs > "$TMP/runs.txt"
grep -Eq ' cut-INT .* partial ' "$TMP/runs.txt" || fail "runs does not show partial: $(cat "$TMP/runs.txt")"
grep -Eq ' cut-KILL .* unfinished ' "$TMP/runs.txt" || fail "runs does not show unfinished"
[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity"
# verdicts leave them out unless asked
"$MMSCOPE" compare keep cut-TERM > "$TMP/c.out" 2> "$TMP/c.err"; rc=$?
[ $rc -eq 2 ] && grep -q 'selects only partial or unfinished runs' "$TMP/c.err" || fail "compare used a partial run: $rc $(cat "$TMP/c.err")"
"$MMSCOPE" compare --include-partial keep cut-TERM > /dev/null || fail "--include-partial"
"$MMSCOPE" compare keep all > "$TMP/c2.out" 2>&1; rc=$?
[ $rc -le 1 ] && grep -q 'left out: 3 partial or unfinished runs' "$TMP/c2.out" || fail "compare does not say what it left out: $(cat "$TMP/c2.out")"

# main-job style: one workload, one document per mode, killed during the second mode
cat > "$TMP/mode-bench" <<'EOF'
#!/bin/bash
echo '{"schema":"mmscope/1","tool":"sga-bench","kind":"result","mode":"shmem","procs":4,"sga_bytes":1048576,"metrics":{"pt_physical_bytes":8192,"touched_bytes_total":4194304,"procs_count":4}}'
echo "mode-bench: thp: mapping" >&2
sleep 30
echo '{"schema":"mmscope/1","tool":"sga-bench","kind":"result","mode":"thp","metrics":{"pt_physical_bytes":8}}'
EOF
chmod +x "$TMP/mode-bench"
printf 'name = mainjob\nworkload = ./mode-bench\nrepeats = 1\ntimeout = 1m\n' > "$TMP/main.scn"
spawn "$TMP/m.out" "$TMP/m.err" "$MMSCOPE" run "$TMP/main.scn" --tag main
pid=$SPAWNED
wait_for_line "$TMP/m.err" 'stored sga-bench shmem document' 10 || fail "first document not stored at once: $(cat "$TMP/m.err")"
# stored before the workload finished: visible to another reader now
[ "$(q "select count(*) from docs d join runs r on r.id = d.run_id where r.tag = 'main' and d.mode = 'shmem'")" = 1 ] ||
	fail "the shmem document is not in the store while the run goes on"
wait_for_line "$TMP/m.err" 'thp: mapping' 5 || fail "workload's stderr not passed on live"
kill -TERM $pid
wait_exit $pid 10; rc=$?
[ $rc -eq 130 ] || fail "main-job-style run: exit $rc"
[ "$(q "select status from runs where tag = 'main'")" = partial ] || fail "not marked partial"
[ "$(q "select group_concat(mode) from docs d join runs r on r.id = d.run_id where r.tag = 'main'")" = shmem ] ||
	fail "documents kept: $(q "select mode from docs")"
"$MMSCOPE" runs --headline main > "$TMP/h.txt" || fail "headline of the partial run"
grep -q '\[partial run: interrupted by signal 15' "$TMP/h.txt" || fail "headline does not say partial: $(cat "$TMP/h.txt")"
gone || fail "main-job workload outlived mmscope"
log "main-job-style run killed after its first mode: shmem kept, run partial"

# the death signal is SIGTERM: a workload sees it when mmscope is SIGKILLed
cat > "$TMP/term-bench" <<EOF
#!/bin/bash
trap 'echo term > "$TMP/term-mark"; exit 0' TERM
echo '{"schema":"mmscope/1","tool":"t","kind":"result","mode":"a","metrics":{"x":1}}'
while :; do sleep 0.1; done
EOF
chmod +x "$TMP/term-bench"
printf 'workload = ./term-bench\nrepeats = 1\n' > "$TMP/term.scn"
spawn "$TMP/t.out" "$TMP/t.err" "$MMSCOPE" run "$TMP/term.scn"
pid=$SPAWNED
wait_for_line "$TMP/t.err" 'stored t a document' 10 || fail "term-bench did not start: $(cat "$TMP/t.err")"
kill -KILL $pid
wait_exit $pid 5
for _ in $(seq 30); do [ -e "$TMP/term-mark" ] && break; sleep 0.1; done
[ -e "$TMP/term-mark" ] || fail "the workload did not get SIGTERM when mmscope was SIGKILLed (death signal)"
gone || fail "term-bench outlived mmscope"

# a workload that ignores SIGTERM is SIGKILLed after the grace period
cat > "$TMP/deaf-bench" <<'EOF'
#!/bin/bash
trap '' TERM
echo '{"schema":"mmscope/1","tool":"d","kind":"result","mode":"a","metrics":{"x":1}}'
while :; do sleep 0.1; done
EOF
chmod +x "$TMP/deaf-bench"
printf 'workload = ./deaf-bench\nrepeats = 1\n' > "$TMP/deaf.scn"
spawn "$TMP/d.out" "$TMP/d.err" "$MMSCOPE" run "$TMP/deaf.scn"
pid=$SPAWNED
wait_for_line "$TMP/d.err" 'stored d a document' 10 || fail "deaf-bench did not start: $(cat "$TMP/d.err")"
t0=$SECONDS
kill -INT $pid
wait_exit $pid 15; rc=$?
[ $rc -eq 130 ] || fail "run with a SIGTERM-deaf workload: exit $rc"
[ "$(workloads)" -eq 0 ] || fail "the workload ignoring SIGTERM survived"
log "SIGTERM-deaf workload killed $((SECONDS - t0)) s after the interrupt"
"$MMSCOPE" runs | grep -q ' keep ' || fail "store unusable after the kills"
pass "interrupted runs keep what finished (partial/unfinished), compare leaves them out, death signal SIGTERM, deaf workloads SIGKILLed"
