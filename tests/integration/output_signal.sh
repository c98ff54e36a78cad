#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A signal while a result file is being written leaves nothing behind:
# outfile.c writes PATH.tmp.PID and renames it at the end; INT, TERM or
# HUP in between (Ctrl-C, a CI timeout, a closed terminal) must remove the
# temporary file and still end the command by that signal. The export of a
# store of 200 runs writes for about a second, long enough to be caught in
# the act.
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
FIX="$(cd "$(dirname "$0")/.." && pwd)/fixtures/sga-faultlat.jsonl"
DB="$TMP/s.db"
for i in $(seq 200); do
	"$MMSCOPE" import --db "$DB" --tag "t$i" "$FIX" >/dev/null || fail "import $i"
done

# caught SIG: export, signal it once its temporary file exists
caught() {
	local sig=$1 pid rc i
	rm -f "$TMP"/out.json*
	# a background job of a script starts with SIGINT ignored: give it back
	env --default-signal=INT "$MMSCOPE" export --json --db "$DB" -o "$TMP/out.json" \
		>/dev/null 2>"$TMP/err" &
	pid=$!
	for i in $(seq 2000); do
		compgen -G "$TMP/out.json.tmp.*" >/dev/null && break
		sleep 0.002
	done
	compgen -G "$TMP/out.json.tmp.*" >/dev/null ||
		{ wait $pid; skip "export finished before it could be signalled"; }
	kill -"$sig" $pid
	wait $pid
	rc=$?
	[ $rc -eq $((128 + $(kill -l "$sig"))) ] ||
		fail "SIG$sig: exit $rc, expected death by the signal: $(cat "$TMP/err")"
	compgen -G "$TMP/out.json*" >/dev/null &&
		fail "SIG$sig: left $(ls "$TMP"/out.json*)"
	log "SIG$sig during the write: exit $rc, nothing left"
}
caught INT
caught TERM
caught HUP

# and a finished export still lands whole
"$MMSCOPE" export --json --db "$DB" -o "$TMP/out.json" >/dev/null 2>&1 || fail "plain export"
[ "$(jq '.runs | length' "$TMP/out.json")" -eq 200 ] || fail "plain export: not 200 runs"
pass
