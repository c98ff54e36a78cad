#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every command that writes a result checks the write:
# export --json, runs (table and --json), compare (table and --json) and
# dashboard, to a full device (/dev/full on stdout, a /dev/full node of our
# own for -o) and to a nearly full filesystem (a 16 KiB tmpfs), exit
# non-zero with one "mmscope: CMD: " line; -o never leaves a partial file,
# keeps an older file intact, and leaves no temporary file behind; -o to a
# device writes to the device rather than renaming a file over it.
. "$(dirname "$0")/lib.sh"
require_root
need_bin "$MMSCOPE"
export MMSCOPE_DB="$TMP/results.db"
cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
for s in base slow; do
	printf 'workload = ./fake-bench --scale %s --modes "anon shared file cow a b c d"\nrepeats = 5\n' \
		"$([ $s = base ] && echo 1 || echo 1.2)" >"$TMP/$s.scn"
	"$MMSCOPE" run "$TMP/$s.scn" --tag "$s" >"$TMP/run-$s.out" 2>&1 ||
		fail "run $s: $(cat "$TMP/run-$s.out")"
done

# out_fails "what" CMD-PREFIX STDOUT CMD...: with its standard output on
# STDOUT, CMD exits neither 0 nor (compare) 1, with one stderr line
# "mmscope: CMD-PREFIX: ..."
out_fails() {
	local what="$1" prefix="$2" out="$3" rc; shift 3
	"$@" >"$out" 2>"$TMP/e"; rc=$?
	[ $rc -ne 0 ] || fail "$what: exit 0 although the output could not be written"
	[ "$prefix" != compare ] || [ $rc -eq 2 ] || fail "$what: exit $rc, want 2 (1 means regressions)"
	[ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -q "^mmscope: $prefix: " "$TMP/e" ||
		fail "$what: expected one 'mmscope: $prefix: ' line: $(cat "$TMP/e")"
	log "$what: exit $rc: $(cat "$TMP/e")"
}

# standard output on a full device
out_fails "export --json >/dev/full" export /dev/full "$MMSCOPE" export --json
out_fails "runs --json >/dev/full" runs /dev/full "$MMSCOPE" runs --json
out_fails "runs >/dev/full" runs /dev/full "$MMSCOPE" runs
out_fails "compare >/dev/full" compare /dev/full "$MMSCOPE" compare tag:base tag:slow
out_fails "compare --json >/dev/full" compare /dev/full "$MMSCOPE" compare --json tag:base tag:slow

# -o to a full device: our own node, so the old code's rename could not
# replace the system's /dev/full
mknod "$TMP/full" c 1 7 || skip "cannot mknod a /dev/full node in $TMP"
out_fails "export --json -o FULLDEV" export /dev/null "$MMSCOPE" export --json -o "$TMP/full"
[ -c "$TMP/full" ] || fail "export -o replaced the device node with a file"
out_fails "dashboard -o FULLDEV" dashboard /dev/null "$MMSCOPE" dashboard -o "$TMP/full"
[ -c "$TMP/full" ] || fail "dashboard -o replaced the device node with a file"
ls "$TMP"/full.tmp.* >/dev/null 2>&1 && fail "temporary file left beside the device: $(ls "$TMP")"

# the good path still works, and -o to a null device writes to it in place
"$MMSCOPE" export --json -o "$TMP/all.json" 2>"$TMP/e" || fail "export -o: $(cat "$TMP/e")"
size=$(stat -c %s "$TMP/all.json")
[ "$size" -gt 16384 ] || fail "the export is $size bytes, too small to overflow the 16 KiB tmpfs"
# (a node of our own again: the old code renamed its file over /dev/null)
mknod "$TMP/null" c 1 3 || fail "cannot mknod a /dev/null node"
"$MMSCOPE" export --json -o "$TMP/null" 2>"$TMP/e" || fail "export -o NULLDEV: $(cat "$TMP/e")"
[ -c "$TMP/null" ] || fail "export -o replaced a /dev/null node with a file"

# a link is followed (the file it names is replaced, even when it does not
# exist yet), and a replaced file keeps its permissions
ln -s target.json "$TMP/link.json"
"$MMSCOPE" export --json -o "$TMP/link.json" 2>"$TMP/e" || fail "export -o LINK: $(cat "$TMP/e")"
[ -L "$TMP/link.json" ] && grep -q '"schema":"mmscope-runs' "$TMP/target.json" ||
	fail "export -o through a dangling link: $(ls -l "$TMP" | grep json)"
chmod 600 "$TMP/target.json"
"$MMSCOPE" export --json -o "$TMP/link.json" 2>"$TMP/e" || fail "export -o LINK again: $(cat "$TMP/e")"
[ "$(stat -c %a "$TMP/target.json")" = 600 ] || fail "replacing changed the mode to $(stat -c %a "$TMP/target.json")"

# a nearly full filesystem
MNT="$TMP/small"
mkdir "$MNT"
mount -t tmpfs -o size=16k tmpfs "$MNT" || skip "cannot mount a tmpfs"
at_exit "umount '$MNT'"
echo old >"$MNT/x.json"
out_fails "export --json -o SMALLFS/x.json" export /dev/null "$MMSCOPE" export --json -o "$MNT/x.json"
[ "$(cat "$MNT/x.json")" = old ] || fail "the old x.json was replaced or damaged on failure"
out_fails "export --json -o SMALLFS/new.json" export /dev/null "$MMSCOPE" export --json -o "$MNT/new.json"
[ ! -e "$MNT/new.json" ] || fail "partial file left: $(stat -c %s "$MNT/new.json") bytes"
out_fails "export --json >SMALLFS/y" export "$MNT/y" "$MMSCOPE" export --json
out_fails "runs --json >SMALLFS/r" runs "$MNT/r" "$MMSCOPE" runs --json
rm -f "$MNT/y" "$MNT/r"
out_fails "dashboard -o SMALLFS/d.html" dashboard /dev/null "$MMSCOPE" dashboard -o "$MNT/d.html"
[ ! -e "$MNT/d.html" ] || fail "partial dashboard left: $(stat -c %s "$MNT/d.html") bytes"
left=$(ls -A "$MNT" | grep -v '^x.json$' || true)
[ -z "$left" ] || fail "left behind on the small filesystem: $left"
pass
