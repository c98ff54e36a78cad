#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The store's disk is full: mmscope run cannot write its
# documents there, nor its fallback file beside the store, so the run goes
# to $TMPDIR, named in the error (exit 1); once there is room again the
# file imports. Nothing measured is lost.
. "$(dirname "$0")/lib.sh"
require_root
need_bin "$MMSCOPE"
require_cmd sqlite3
require_jq
mkdir -p "$TMP/mnt" "$TMP/alt"
mount -t tmpfs -o size=512k mmscope-test-full "$TMP/mnt" || skip "cannot mount a tmpfs"
at_exit "umount '$TMP/mnt'"
DB="$TMP/mnt/r.db"
cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
printf 'name = full\nworkload = ./fake-bench --modes "a b"\nrepeats = 2\n' > "$TMP/s.scn"
"$MMSCOPE" run --db "$DB" "$TMP/s.scn" > /dev/null 2>&1 || fail "first run"
dd if=/dev/zero of="$TMP/mnt/fill" bs=4k 2>/dev/null	# until the disk is full
TMPDIR="$TMP/alt" "$MMSCOPE" run --db "$DB" --db-timeout 1 "$TMP/s.scn" > "$TMP/out" 2> "$TMP/err"; rc=$?
[ $rc -eq 1 ] || fail "run on a full disk: exit $rc: $(cat "$TMP/err")"
grep -q 'cannot take documents' "$TMP/err" || fail "no store error: $(cat "$TMP/err")"
file=$(sed -n 's/.*its 4 documents are in \([^:]*\): record it with mmscope import.*/\1/p' "$TMP/err")
case $file in "$TMP/alt/mmscope-run-"*.json) ;; *) fail "fallback file not in \$TMPDIR: '$file': $(cat "$TMP/err")" ;; esac
log "$(grep 'could not take the run' "$TMP/err")"
ls "$TMP/mnt" | grep -q 'mmscope-run-' && fail "partial file left on the full disk"
rm -f "$TMP/mnt/fill"
"$MMSCOPE" import --db "$DB" "$file" > /dev/null || fail "import after freeing space"
[ "$(sqlite3 "$DB" "select count(*) || '/' || group_concat(status) from runs")" = "2/complete,complete" ] ||
	fail "runs after import: $(sqlite3 "$DB" 'select id, status, repeats from runs')"
[ "$(sqlite3 "$DB" "select count(*) from docs where run_id = 2")" = 4 ] || fail "documents of the imported run"
pass "disk full: the run went to \$TMPDIR and imported once there was room"
