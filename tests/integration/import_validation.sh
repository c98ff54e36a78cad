#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope import checks what it is given: a wrong type or
# range is refused naming the member (ncpus "two", an index past int, NaN
# and Infinity metrics, a tag run --tag forbids), a truncated file says
# "JSON parse error at byte N", a bad run anywhere in an export stores
# nothing; and an export is read one run at a time: a 50 MB export stays
# far below the 700 MB the whole-file parse took (peak RSS, VmHWM).
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
DB="$TMP/a.db"
FIX="$(dirname "$0")/../fixtures"
"$MMSCOPE" import --db "$DB" --tag fixture "$FIX/sga-faultlat.jsonl" >/dev/null || fail "import the fixture"
"$MMSCOPE" export --db "$DB" --json -o "$TMP/all.json" 2>/dev/null || fail "export"
counts() { sqlite3 "$DB" 'select (select count(*) from runs) || "/" || (select count(*) from docs) || "/" || (select count(*) from metrics)'; }
before=$(counts)

# refused FILE "what" PATTERN [import options]: exit 2, one line matching
# PATTERN (grep -E), nothing stored
refused() {
	local file="$1" what="$2" pat="$3" rc; shift 3
	"$MMSCOPE" import --db "$DB" "$@" "$file" >"$TMP/o" 2>"$TMP/e"; rc=$?
	[ $rc -eq 2 ] || fail "$what: exit $rc, want 2: $(cat "$TMP/e")"
	[ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -Eq -- "$pat" "$TMP/e" ||
		fail "$what: want one line matching '$pat', got: $(cat "$TMP/e")"
	[ "$(counts)" = "$before" ] || fail "$what: the store changed ($before -> $(counts))"
	log "$what: $(cat "$TMP/e")"
}
fresh='.runs[0].uuid = "fresh"'

jq -c "$fresh | .runs[0].ncpus = \"two\"" "$TMP/all.json" >"$TMP/x.json"
refused "$TMP/x.json" "export ncpus \"two\"" 'runs\[0\]\.ncpus: must be a whole number, not "two"'
jq -c "$fresh | .runs[0].repeats[0].index = 99999999999" "$TMP/all.json" >"$TMP/x.json"
refused "$TMP/x.json" "export index 99999999999" 'runs\[0\]\.repeats\[0\]\.index: 99999999999 is out of range'
jq -c "$fresh | .runs[0].tag = \"two words\"" "$TMP/all.json" >"$TMP/x.json"
refused "$TMP/x.json" "export tag with a blank" "runs\[0\]\.tag: 'two words' must be 1-64 characters without blanks"
jq -c "$fresh | .runs[0].repeats[1].docs[0].doc.metrics.pt_physical_bytes = \"12\"" "$TMP/all.json" >"$TMP/x.json"
refused "$TMP/x.json" "export string metric" 'runs\[0\]\.repeats\[1\]\.docs\[0\]\.doc\.metrics\.pt_physical_bytes: must be a number'
# NaN and Infinity are not JSON, but json-c reads them: put them in as text
jq -c "$fresh" "$TMP/all.json" | sed 's/"pt_physical_bytes":[0-9]*/"pt_physical_bytes":NaN/' >"$TMP/x.json"
refused "$TMP/x.json" "export NaN metric" 'metrics\.pt_physical_bytes: must be a finite number, not NaN'
# a bad last run: the runs before it are not stored either
jq -c '.runs += [.runs[0] | .uuid = "last" | .kernel = 5]' "$TMP/all.json" |
	jq -c '.runs[0].uuid = "first"' >"$TMP/x.json"
refused "$TMP/x.json" "bad last run" 'runs\[1\]\.kernel: must be a string, not 5'

doc='{"schema":"mmscope/1","tool":"t","kind":"result","mode":"m","host":{"kernel":"k","ncpus":2},"metrics":{"a":1}}'
printf '%s\n' "$doc" "${doc/\"ncpus\":2/\"ncpus\":\"two\"}" >"$TMP/r.jsonl"
refused "$TMP/r.jsonl" "raw ncpus \"two\"" 'line 2: host\.ncpus: must be a whole number, not "two"'
printf '%s\n' "${doc/\"a\":1/\"a\":NaN}" >"$TMP/r.jsonl"
refused "$TMP/r.jsonl" "raw NaN metric" 'line 1: metrics\.a: must be a finite number, not NaN'
printf '%s\n' "$doc" "$doc" "${doc/\"a\":1/\"a\":-Infinity}" >"$TMP/r.jsonl"
refused "$TMP/r.jsonl" "raw -Infinity metric" 'line 3: metrics\.a: must be a finite number, not -Infinity'
printf '%s\n' "$doc" >"$TMP/r.jsonl"
refused "$TMP/r.jsonl" "--tag with a blank" "--tag 'a b' must be 1-64 characters without blanks" --tag "a b"

# truncated: the byte where it ends (offsets from 0), not "not an mmscope/1 document"
size=$(stat -c %s "$TMP/all.json")
head -c $((size / 2)) "$TMP/all.json" >"$TMP/t.json"
refused "$TMP/t.json" "truncated export" "JSON parse error at byte $((size / 2)) .*truncated"
head -c 60 "$FIX/sga-faultlat.jsonl" >"$TMP/t.jsonl"
refused "$TMP/t.jsonl" "truncated document" "JSON parse error at byte 60 "
printf '%s\n%s\n' "$doc" '{"schema":"mmscope/1",,}' >"$TMP/t.jsonl"
refused "$TMP/t.jsonl" "broken second document" "JSON parse error at byte $(( ${#doc} + 1 + 22 )) \(line 2\)"

# the good paths still work: from a file and from standard input
jq -c "$fresh" "$TMP/all.json" | "$MMSCOPE" import --db "$DB" - >"$TMP/o" 2>"$TMP/e" ||
	fail "import from stdin: $(cat "$TMP/e")"
grep -q "imported run" "$TMP/o" || fail "import from stdin imported nothing: $(cat "$TMP/o")"
before=$(counts)

# peak_rss OUT ERR ARGS...: import ARGS, its exit status in RC and peak RSS (KiB) in HWM
peak_rss() {
	local out=$1 err=$2 pid v; shift 2
	"$MMSCOPE" import "$@" >"$out" 2>"$err" &
	pid=$!
	HWM=0
	while kill -0 $pid 2>/dev/null; do
		v=$(awk '/^VmHWM:/ { print $2 }' /proc/$pid/status 2>/dev/null)
		[ -n "$v" ] && [ "$v" -gt "$HWM" ] && HWM=$v
		sleep 0.05
	done
	wait $pid; RC=$?
}
# memory: a 50 MB export, its last run bad (checked first, so nothing is
# stored and the test stays fast); peak RSS polled from /proc (VmHWM only
# grows, and the whole-file parse grows it for seconds)
awk 'BEGIN {
	d = "{\"source\":\"workload\",\"doc\":{\"schema\":\"mmscope/1\",\"tool\":\"big\",\"kind\":\"result\",\"mode\":\"m\",\"time\":1700000000,\"host\":{\"kernel\":\"k\",\"ncpus\":2},\"metrics\":{"
	for (i = 0; i < 20; i++) d = d (i ? "," : "") "\"metric_" i "\":" (1000.5 + i)
	d = d "}}}"
	rep = "{\"index\":0,\"docs\":[" d
	for (i = 1; i < 10; i++) rep = rep "," d
	rep = rep "]}"
	printf "{\"schema\":\"mmscope-runs/1\",\"exported\":1,\"runs\":["
	for (r = 0; r < 200; r++) {
		printf "%s{\"uuid\":\"big-%d\",\"scenario\":\"big\",\"kernel\":\"%s\",\"started\":1,\"repeats\":[", (r ? "," : ""), r, (r == 199 ? "" : "k")
		for (j = 0; j < 50; j++) printf "%s%s", (j ? "," : ""), rep
		printf "]}"
	}
	print "]}"
}' >"$TMP/big.json"
big=$(stat -c %s "$TMP/big.json")
[ "$big" -gt 50000000 ] || fail "the big export is only $big bytes"
peak_rss "$TMP/o" "$TMP/e" --db "$DB" "$TMP/big.json"
rc=$RC hwm=$HWM
[ $rc -eq 2 ] && grep -q 'runs\[199\]\.kernel: must not be empty' "$TMP/e" ||
	fail "big export: exit $rc: $(cat "$TMP/e")"
[ "$(counts)" = "$before" ] || fail "big export: the store changed"
log "a $((big / 1000000)) MB export read with a peak RSS of $((hwm / 1024)) MiB"
[ "$hwm" -lt $((150 * 1024)) ] || fail "peak RSS $((hwm / 1024)) MiB for a $((big / 1000000)) MB export (bound 150 MiB)"

# raw mmscope/1 documents, N lines over 10 modes, the last one bad when BAD=1
raw_docs() {
	awk -v n="$1" -v bad="$2" 'BEGIN {
		m = ""; for (i = 0; i < 20; i++) m = m (i ? "," : "") "\"metric_" i "\":" (1000.5 + i)
		for (l = 0; l < n; l++)
			printf "{\"schema\":\"mmscope/1\",\"tool\":\"raw\",\"kind\":\"result\",\"mode\":\"m%d\",\"time\":%d,\"host\":{\"kernel\":\"%s\",\"ncpus\":2},\"metrics\":{%s}}\n",
				l % 10, 1700000000 + l, (bad && l == n - 1) ? "" : "k", m
	}'
}
# raw documents are checked in a first pass that keeps none of them: a
# 50 MB file whose last document is bad
raw_docs 100000 1 >"$TMP/raw-big.jsonl"
before=$(counts)
peak_rss "$TMP/o" "$TMP/e" --db "$DB" "$TMP/raw-big.jsonl"
[ $RC -eq 2 ] && grep -q 'line 100000: host.kernel' "$TMP/e" || fail "bad raw file: exit $RC: $(cat "$TMP/e")"
[ "$(counts)" = "$before" ] || fail "bad raw file: the store changed"
log "$(($(stat -c %s "$TMP/raw-big.jsonl") / 1000000)) MB of raw documents checked with a peak RSS of $((HWM / 1024)) MiB"
[ "$HWM" -lt $((150 * 1024)) ] || fail "peak RSS $((HWM / 1024)) MiB checking a 50 MB raw file (bound 150 MiB)"
# and stored one at a time: 10 MB, one run of 2000 repeats
raw_docs 20000 0 >"$TMP/raw.jsonl"
peak_rss "$TMP/o" "$TMP/e" --db "$DB" --tag raw "$TMP/raw.jsonl"
[ $RC -eq 0 ] || fail "raw file: exit $RC: $(cat "$TMP/e")"
id=$(sed -n 's/^imported run \([0-9]*\) .*/\1/p' "$TMP/o")
[ -n "$id" ] || fail "raw file: no run imported: $(cat "$TMP/o")"
[ "$(sqlite3 "$DB" "select count(*) from docs where run_id = $id")" -eq 20000 ] || fail "raw file: not 20000 documents"
[ "$(sqlite3 "$DB" "select repeats from runs where id = $id")" -eq 2000 ] || fail "raw file: not 2000 repeats"
log "$(($(stat -c %s "$TMP/raw.jsonl") / 1000000)) MB of raw documents stored with a peak RSS of $((HWM / 1024)) MiB"
[ "$HWM" -lt $((60 * 1024)) ] || fail "peak RSS $((HWM / 1024)) MiB storing a 10 MB raw file (bound 60 MiB)"
"$MMSCOPE" import --db "$DB" --tag raw "$TMP/raw.jsonl" >"$TMP/o" 2>&1 || fail "raw file again: $(cat "$TMP/o")"
grep -q "1 run already in the store" "$TMP/o" || fail "raw file again: $(cat "$TMP/o")"
pass
