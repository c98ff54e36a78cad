#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Moving results between machines: export --json from one store, import into
# a fresh one: same runs, same documents, same compare verdicts; importing
# again adds nothing; raw bench documents import as one run; bad files fail
# on one line without touching the store.
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
FIX="$(cd "$(dirname "$0")/../fixtures" && pwd)"
cp "$FIX/fake-bench" "$TMP/"
printf 'workload = ./fake-bench --modes "anon file"\nrepeats = 3\n' > "$TMP/a.scn"
printf 'workload = ./fake-bench --scale 1.1 --modes "anon file"\nrepeats = 3\n' > "$TMP/b.scn"
A="$TMP/a.db" B="$TMP/b.db"

[ ! -e "$A" ] || fail "store exists before first use"
MMSCOPE_HOSTNAME=lab-a "$MMSCOPE" run --db "$A" "$TMP/a.scn" --tag one >/dev/null 2>&1 || fail "run a"
[ -s "$A" ] || fail "store not created on first use"
[ "$(sqlite3 "$A" 'PRAGMA user_version')" = 7 ] || fail "schema version"
MMSCOPE_HOSTNAME=lab-b "$MMSCOPE" run --db "$A" "$TMP/b.scn" --tag two >/dev/null 2>&1 || fail "run b"
"$MMSCOPE" import --db "$A" --tag fixture "$FIX/sga-faultlat.jsonl" >/dev/null || fail "import raw docs"
"$MMSCOPE" runs --db "$A" | tee "$TMP/runs.txt"
[ "$(grep -c '^ *[0-9]' "$TMP/runs.txt")" = 3 ] || fail "runs lists 3 runs"
# the table names the host that recorded each run, as --json does ("-":
# the raw import has none)
head -n 1 "$TMP/runs.txt" | grep -q ' host ' || fail "runs has no host column"
grep -Eq '^ +1 .* one +lab-a ' "$TMP/runs.txt" && grep -Eq '^ +2 .* two +lab-b ' "$TMP/runs.txt" &&
	grep -Eq '^ +3 .* fixture +- ' "$TMP/runs.txt" || fail "runs does not show the hosts"
# the raw import: 3 repeats (the n-th document of each tool+mode is repeat n)
[ "$("$MMSCOPE" runs --db "$A" --json fixture | jq '.[0].repeats')" = 3 ] || fail "raw import repeats"
[ "$("$MMSCOPE" runs --db "$A" --json fixture | jq -r '.[0].kernel')" = 6.12.0-mmscope-patched ] ||
	fail "raw import kernel from host.kernel"

"$MMSCOPE" export --db "$A" --json -o "$TMP/all.json" || fail "export"
[ "$(jq -r .schema "$TMP/all.json")" = mmscope-runs/1 ] || fail "export schema"
[ "$(jq '.runs | length' "$TMP/all.json")" = 3 ] || fail "export has 3 runs"
"$MMSCOPE" import --db "$B" "$TMP/all.json" || fail "import export"
"$MMSCOPE" import --db "$B" "$TMP/all.json" | grep -q '3 runs already in the store' || fail "re-import added runs"
[ "$(sqlite3 "$B" 'select count(*) from runs')" = 3 ] || fail "re-import duplicated"
"$MMSCOPE" export --db "$B" --json -o "$TMP/again.json" || fail "export b"
# identical runs (ids and the export time aside)
jq -S '.runs' "$TMP/all.json" > "$TMP/x" && jq -S '.runs' "$TMP/again.json" > "$TMP/y"
cmp -s "$TMP/x" "$TMP/y" || { diff "$TMP/x" "$TMP/y" | head; fail "round trip changed the runs"; }
for db in "$A" "$B"; do
	"$MMSCOPE" compare --db "$db" --json one two | jq -c '[.rows[] | [.metric, .verdict, .p]]'
done > "$TMP/verdicts"
[ "$(sort -u "$TMP/verdicts" | wc -l)" = 1 ] || fail "compare differs after the round trip"
# selecting: by tag, by id list, by kernel
"$MMSCOPE" export --db "$A" --json two > "$TMP/two.json" || fail "export by tag"
[ "$(jq -r '.runs[0].tag' "$TMP/two.json")" = two ] || fail "export by tag picked the wrong run"
[ "$("$MMSCOPE" runs --db "$A" --json 1,2 | jq length)" = 2 ] || fail "id list"
[ "$("$MMSCOPE" runs --db "$A" --json "kernel:$(uname -r)" | jq length)" = 2 ] || fail "by kernel"

# bad input: one line, non-zero, store untouched
before=$(sqlite3 "$A" 'select count(*) from docs')
echo '{"schema":"mmscope/1","tool":"x","kind":"result"' > "$TMP/broken.json"
expect_fail_oneline "truncated document" "$MMSCOPE" import --db "$A" "$TMP/broken.json"
echo '{"schema":"other/9"}' > "$TMP/other.json"
expect_fail_oneline "unknown schema" "$MMSCOPE" import --db "$A" "$TMP/other.json"
expect_fail_oneline "missing file" "$MMSCOPE" import --db "$A" "$TMP/nope.json"
jq '.runs[0].repeats[1].docs[0].doc |= del(.tool) | .runs[0].uuid = "fresh"' "$TMP/all.json" > "$TMP/bad-run.json"
expect_fail_oneline "run with a bad document" "$MMSCOPE" import --db "$A" "$TMP/bad-run.json"
[ "$(sqlite3 "$A" 'select count(*) from docs')" = "$before" ] || fail "a failed import left documents"
[ "$(sqlite3 "$A" "select count(*) from runs where uuid = 'fresh'")" = 0 ] || fail "half run left"
echo "not sqlite at all, but long enough to look like a header of one" > "$TMP/junk.db"
expect_fail_oneline "not a database" "$MMSCOPE" runs --db "$TMP/junk.db"
expect_fail_oneline "export without mode" "$MMSCOPE" export --db "$A"
expect_fail_oneline "export unknown run" "$MMSCOPE" export --db "$A" --json 99
[ ! -e "$TMP/none.json" ] || fail "stray file"
# default location: $MMSCOPE_DB, else ~/.local/share/mmscope/results.db
# (a writing command creates it; runs, a reader, then finds it)
printf '{"schema":"mmscope-runs/1","runs":[]}\n' > "$TMP/none.json"
MMSCOPE_DB="$TMP/env.db" "$MMSCOPE" import "$TMP/none.json" >/dev/null && [ -s "$TMP/env.db" ] &&
	MMSCOPE_DB="$TMP/env.db" "$MMSCOPE" runs >/dev/null || fail "\$MMSCOPE_DB ignored"
HOME="$TMP/home" MMSCOPE_DB= "$MMSCOPE" import "$TMP/none.json" >/dev/null &&
	[ -s "$TMP/home/.local/share/mmscope/results.db" ] && HOME="$TMP/home" MMSCOPE_DB= "$MMSCOPE" runs >/dev/null ||
	fail "default ~/.local/share path"
pass "export/import round trip identical, idempotent, bad input refused atomically"
