#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A finished run is not thrown away when the store cannot take it: another client holds the store (BEGIN EXCLUSIVE) for longer than
# run's --db-timeout while the workload prints its second document. run
# keeps going, then writes the whole run to an importable file named in the
# error (exit 1); `mmscope import` of that file records the run, replacing
# the unfinished one its first document started.
. "$(dirname "$0")/lib.sh"
need_bin "$MMSCOPE"
require_cmd sqlite3
require_jq
DB="$TMP/r.db"
cat > "$TMP/two-bench" <<'EOS'
#!/bin/bash
echo '{"schema":"mmscope/1","tool":"two","kind":"result","mode":"a","metrics":{"x":1}}'
sleep 2
echo '{"schema":"mmscope/1","tool":"two","kind":"result","mode":"b","metrics":{"x":2}}'
EOS
chmod +x "$TMP/two-bench"
printf 'name = locked\nworkload = ./two-bench\nrepeats = 1\n' > "$TMP/s.scn"
spawn "$TMP/out" "$TMP/err" "$MMSCOPE" run --db "$DB" --db-timeout 1 "$TMP/s.scn"
pid=$SPAWNED
wait_for_line "$TMP/err" 'stored two a document' 10 || fail "first document not stored: $(cat "$TMP/err")"
# hold the store for 4 s, past the second document (at 2 s) and its 1 s timeout
(echo 'BEGIN EXCLUSIVE; SELECT count(*) FROM runs;'; sleep 4; echo 'COMMIT;') | sqlite3 "$DB" > "$TMP/lock.out" &
locker=$!
_LIB_PIDS+=("$locker")
wait_exit $pid 30; rc=$?
[ $rc -eq 1 ] || fail "run with a locked store: exit $rc: $(cat "$TMP/err")"
grep -q 'cannot take documents (.*database is locked' "$TMP/err" || fail "no lock message: $(cat "$TMP/err")"
file=$(sed -n 's/.*its 2 documents are in \([^:]*\): record it with mmscope import.*/\1/p' "$TMP/err")
[ -n "$file" ] && [ -s "$file" ] || fail "no fallback file named: $(cat "$TMP/err")"
log "fallback: $file"
jq -e '.schema == "mmscope-runs/1" and (.runs[0].repeats[0].docs | length) == 2 and .runs[0].status == "complete"' "$file" >/dev/null ||
	fail "fallback file: $(head -c 600 "$file")"
wait "$locker"
[ "$(sqlite3 "$DB" "select status || '/' || (select count(*) from docs) from runs")" = "unfinished/1" ] ||
	fail "store before import: $(sqlite3 "$DB" 'select * from runs')"
"$MMSCOPE" import --db "$DB" "$file" > "$TMP/imp" || fail "import of the fallback file"
# the documents' 2 metrics, and the repeat's host-noise figures (no document) came along
[ "$(sqlite3 "$DB" "select count(*) || '/' || group_concat(status) || '/' || (select count(*) from docs) || '/' || (select count(*) from metrics where doc_id is not null) || '/' || (select count(*) > 0 from metrics where tool = 'host' and doc_id is null) from runs")" = "1/complete/2/2/1" ] ||
	fail "after import: $(sqlite3 "$DB" 'select id, status from runs')"
"$MMSCOPE" import --db "$DB" "$file" | grep -q 'already in the store' || fail "second import not idempotent"
rm -f "$file"
first=$file

# an interrupt is not held up by the lock: SIGTERM while run waits (--db-timeout 60) for the store
spawn "$TMP/out3" "$TMP/err3" "$MMSCOPE" run --db "$DB" --db-timeout 60 "$TMP/s.scn"
pid=$SPAWNED
wait_for_line "$TMP/err3" 'stored two a document' 10 || fail "first document not stored: $(cat "$TMP/err3")"
(echo 'BEGIN EXCLUSIVE; SELECT count(*) FROM runs;'; sleep 5; echo 'COMMIT;') | sqlite3 "$DB" > "$TMP/lock.out" &
locker=$!
_LIB_PIDS+=("$locker")
sleep 3.5	# the second document (at 2 s) is waiting for the store
t0=$SECONDS
kill -TERM $pid
wait_exit $pid 5; rc=$?
[ $rc -eq 130 ] || fail "SIGTERM while waiting for the store: exit $rc (want 130 within 5 s)"
file=$(sed -n 's/.*its 2 documents are in \([^:]*\): record it with mmscope import.*/\1/p' "$TMP/err3")
[ -n "$file" ] && [ -s "$file" ] || fail "interrupted run with a locked store: no file: $(cat "$TMP/err3")"
jq -e '.runs[0].status == "partial"' "$file" >/dev/null || fail "file does not say partial"
log "SIGTERM while the store was locked: exit 130 after $((SECONDS - t0)) s, run in $file"
wait "$locker"
rm -f "$file"
pass "a store locked past --db-timeout: the run went to $(basename "$first"), which imports; SIGTERM is not held up by the lock"
