#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope run does not keep a workload's output in memory:
# a workload printing 300 MB of non-JSON lines between two documents is run
# with bounded memory (max RSS under 40 MB), in seconds, both documents
# stored, 1 MiB of the other lines passed on and the rest counted; and
# SIGTERM during such output stops the run at once (exit 130), keeping the
# document printed before it.
. "$(dirname "$0")/lib.sh"
need_bin "$MMSCOPE"
require_cmd sqlite3
[ -x /usr/bin/time ] || skip "needs /usr/bin/time (apt-get install time)"
export MMSCOPE_DB="$TMP/r.db"
cat > "$TMP/loud-bench" <<'EOS'
#!/bin/bash
echo '{"schema":"mmscope/1","tool":"loud","kind":"result","mode":"a","metrics":{"x":1}}'
yes 'loud-bench: this line is not JSON and there are very many of them...' | head -c ${LOUD_BYTES:-314572800}; echo
echo '{"schema":"mmscope/1","tool":"loud","kind":"result","mode":"b","metrics":{"x":2}}'
EOS
chmod +x "$TMP/loud-bench"
printf 'name = loud\nworkload = ./loud-bench\nrepeats = 1\ntimeout = 2m\n' > "$TMP/s.scn"
t0=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$TMP/rss" "$MMSCOPE" run "$TMP/s.scn" > "$TMP/out" 2> "$TMP/err" || fail "run: $(tail -n 3 "$TMP/err")"
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
rss_kb=$(tail -n 1 "$TMP/rss")
log "300 MB of output: ${secs} s, max RSS ${rss_kb} KiB, stderr $(stat -c %s "$TMP/err") bytes"
[ "$rss_kb" -lt 40960 ] || fail "max RSS ${rss_kb} KiB: the output is kept in memory"
awk -v s="$secs" 'BEGIN { exit !(s < 60) }' || fail "took $secs s"
[ "$(sqlite3 "$MMSCOPE_DB" "select group_concat(mode) from docs")" = "a,b" ] || fail "documents: $(sqlite3 "$MMSCOPE_DB" 'select mode from docs')"
[ "$(stat -c %s "$TMP/err")" -lt 1200000 ] || fail "stderr not capped: $(stat -c %s "$TMP/err") bytes"
grep -q 'run: dropped [0-9]* bytes (.* lines) of the workload.s non-JSON output past the first 1048576 bytes' "$TMP/err" ||
	fail "no note of the dropped output: $(grep '^mmscope' "$TMP/err")"

# SIGTERM while output pours in: endless this time
printf 'name = loud2\nworkload = ./loud-bench\nrepeats = 1\ntimeout = 2m\n' > "$TMP/s2.scn"
LOUD_BYTES=100000000000 spawn "$TMP/out2" "$TMP/err2" "$MMSCOPE" run "$TMP/s2.scn"
pid=$SPAWNED
wait_for_line "$TMP/err2" 'stored loud a document' 10 || fail "did not start: $(head -c 300 "$TMP/err2")"
sleep 1
t0=$SECONDS
kill -TERM $pid
wait_exit $pid 10; rc=$?
[ $rc -eq 130 ] || fail "SIGTERM during output: exit $rc"
[ "$(sqlite3 "$MMSCOPE_DB" "select status from runs where scenario = 'loud2'")" = partial ] || fail "not partial"
pgrep -f "$TMP/loud-bench" >/dev/null && fail "loud-bench left running"
pass "300 MB of output in $secs s with max RSS ${rss_kb} KiB; SIGTERM obeyed within $((SECONDS - t0)) s"
