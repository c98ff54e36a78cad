#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tracers listed in a scenario run as `mmscope NAME --json` beside every
# repeat; their summaries are stored with the workload's documents and their
# metrics become samples; none is left running afterwards. A tracer that
# cannot start fails the run and records nothing.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
need_bin "$MMSCOPE"
[ -r /sys/kernel/btf/vmlinux ] || skip "needs kernel BTF (/sys/kernel/btf/vmlinux)"
for t in ptmem faultlat; do
	"$MMSCOPE" --help | grep -q "^  $t " || skip "tracer $t not built"
done
export MMSCOPE_DB="$TMP/r.db"
cp "$(dirname "$0")/../fixtures/fake-bench" "$TMP/"
printf 'workload = ./fake-bench --sleep 0.3\ntracers = ptmem, faultlat\nrepeats = 3\nsettle = 1.5\n' > "$TMP/t.scn"
"$MMSCOPE" run "$TMP/t.scn" > "$TMP/out" 2> "$TMP/err" || fail "run with tracers: $(cat "$TMP/err")"
cat "$TMP/out"
"$MMSCOPE" export --json > "$TMP/e.json"
# per repeat: 1 workload document + 1 summary per tracer
[ "$(jq -c '[.runs[0].repeats[] | [.docs[] | .source + ":" + .doc.tool + ":" + .doc.kind] | sort]| unique' "$TMP/e.json")" = \
  '[["tracer:faultlat:summary","tracer:ptmem:summary","workload:fake-bench:result"]]' ] ||
	fail "documents per repeat: $(jq -c '[.runs[0].repeats[] | [.docs[] | .source + ":" + .doc.tool]]' "$TMP/e.json")"
jq -e '[.runs[0].repeats[].docs[] | select(.doc.tool == "faultlat") | .doc.all.count > 0] | all' "$TMP/e.json" >/dev/null ||
	fail "faultlat summaries saw no faults"
jq -e '[.runs[0].repeats[].docs[] | select(.doc.tool == "ptmem") | .doc.metrics.pagetables_bytes > 0] | all' "$TMP/e.json" >/dev/null ||
	fail "ptmem summaries without page-table bytes"
grep -Eq '^ptmem\.[a-z]+\.pagetables_bytes +[0-9.e+]+ +[0-9.e+]+ +3$' "$TMP/out" || fail "ptmem samples not stored"
sleep 0.5
pgrep -f "$MMSCOPE (ptmem|faultlat) --json" && fail "a tracer is still running"

# a tracer that dies at start (bad tracer_args) fails the run, nothing recorded
printf 'workload = ./fake-bench\ntracers = ptmem\ntracer_args = --pid 999999999\nrepeats = 2\n' > "$TMP/bad.scn"
"$MMSCOPE" run "$TMP/bad.scn" > /dev/null 2> "$TMP/berr"; rc=$?
[ $rc -eq 1 ] || fail "bad tracer: exit $rc"
grep -q 'tracer ptmem exited before the workload started' "$TMP/berr" || fail "message: $(cat "$TMP/berr")"
[ "$(sqlite3 "$MMSCOPE_DB" 'select count(*) from runs')" = 1 ] || fail "failed run recorded"
pass "tracer summaries stored per repeat, samples extracted, no tracer left behind"
