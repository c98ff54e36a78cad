#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/main-job.sh (make run) on a small SGA scenario: it records the run,
# writes the dashboard and ends with the headline of the run it just
# recorded. Every figure of the headline is recomputed here from the stored
# metrics: per process per GiB = pt_physical_bytes / (touched_bytes_total /
# GiB), the saving = 1 - mode / shmem, the Oracle case = that x 300 x 1500.
# The dashboard's SGA section carries the same lines.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
require_cmd sqlite3
need_bin "$MMSCOPE"
need_bin "$BUILD/sga-bench"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
[ "$MMSCOPE" = "$ROOT/build/mmscope" ] || skip "main-job.sh runs build/mmscope of this tree"
export MMSCOPE_DB="$TMP/r.db" MMSCOPE_DASHBOARD="$TMP/d.html"
printf 'name = mj\nworkload = sga-bench -n 20 --sga 64M --mode all --thp-force --trace off --json\nrepeats = 1\ntimeout = 5m\n' > "$TMP/mj.scn"
MMSCOPE_SCENARIO="$TMP/mj.scn" bash "$ROOT/scripts/main-job.sh" > "$TMP/out" 2> "$TMP/err" ||
	fail "main-job.sh: exit $?: $(grep '^mmscope' "$TMP/err" | tail -n 5)"
id=$(sqlite3 "$MMSCOPE_DB" "select max(id) from runs")
grep -q "^== the answer (run $id) ==$" "$TMP/out" || fail "no answer section for run $id: $(tail -n 12 "$TMP/out")"
tail -n 1 "$TMP/out" | grep -Eq '^  [a-z]+ +.* x 300 x 1500 = .* of page tables' || fail "the job does not end with the answer: $(tail -n 3 "$TMP/out")"
[ -s "$TMP/d.html" ] || fail "no dashboard"

"$MMSCOPE" runs --headline --json "$id" > "$TMP/h.json" || fail "runs --headline --json"
# same A B: equal to 1 part in 10^6 (the figures may be negative on a busy host)
same() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; m = (a < 0 ? -a : a) + (b < 0 ? -b : b) + 1; exit !((d < 0 ? -d : d) <= 1e-6 * m) }'; }
m() { sqlite3 "$MMSCOPE_DB" "select avg(value) from metrics where run_id = $id and tool = 'sga-bench' and mode glob '$1[[]*' and name = '$2'"; }
shmem=
for mode in $(jq -r '.modes[].mode' "$TMP/h.json"); do
	pt=$(m "$mode" pt_physical_bytes) touched=$(m "$mode" touched_bytes_total)
	want=$(awk -v p="$pt" -v t="$touched" 'BEGIN { printf "%.6f", p / (t / 1073741824) }')
	got=$(jq -r ".modes[] | select(.mode == \"$mode\") | .pt_per_proc_per_gib" "$TMP/h.json")
	same "$got" "$want" || fail "$mode: headline $got, stored metrics give $want"
	oracle=$(jq -r ".modes[] | select(.mode == \"$mode\") | .oracle_pt_bytes" "$TMP/h.json")
	same "$oracle" "$(awk -v v="$want" 'BEGIN { printf "%.6f", v * 300 * 1500 }')" || fail "$mode: Oracle case $oracle"
	if [ "$mode" = shmem ]; then
		shmem=$want
		# (whether pt_physical_bytes itself meets the 2 MiB-per-GiB rule is
		# sga-bench's test: here, on a machine shared with other workloads,
		# PageTables moves under a 2.6 MB measurement)
	else
		[ -n "$shmem" ] || fail "shmem not first"
		sav=$(jq -r ".modes[] | select(.mode == \"$mode\") | .saving_vs_shmem_pct" "$TMP/h.json")
		same "$sav" "$(awk -v v="$want" -v s="$shmem" 'BEGIN { printf "%.9f", 100 * (1 - v / s) }')" ||
			fail "$mode: saving $sav"
	fi
	log "$mode: $got bytes per process per GiB (pt $pt / touched $touched), Oracle case $oracle bytes"
done
[ -n "$shmem" ] || fail "no shmem figure: $(cat "$TMP/h.json")"
# the text shows those figures, and the dashboard the same lines
grep -q "^  shmem .* x 300 x 1500 = .* of page tables$" "$TMP/out" || fail "shmem Oracle line"
jq -r '.lines[]' "$TMP/h.json" > "$TMP/lines"
tail -n "$(wc -l < "$TMP/lines")" "$TMP/out" | diff - "$TMP/lines" >/dev/null || fail "the job's last lines are not the headline"
grep -q "\"headline\":{\"run\":$id,.*$(head -n 1 "$TMP/lines" | sed 's/[][().]/./g')" "$TMP/d.html" || fail "dashboard lacks the headline"
# 64 MiB touched per process: the PMD-table caveat, with its factor
grep -q "^Note: each process touched 64.0 MiB, less than the 1 GiB one PMD table covers: .* up to 16.0x " "$TMP/lines" ||
	fail "no PMD-table note for a 64 MiB SGA: $(cat "$TMP/lines")"
# a fully touched 1 GiB SGA: no such note (shmem: 2 MiB of page tables per
# process stand out of other processes' page-table changes, which a thp
# run's 4 KiB do not)
"$BUILD/sga-bench" -n 4 --sga 1G -m shmem --trace off --json > "$TMP/full.json" 2>"$TMP/full.err" ||
	fail "sga-bench 4 x 1 GiB: $(tail -n 3 "$TMP/full.err")"
"$MMSCOPE" import --db "$TMP/full.db" "$TMP/full.json" >/dev/null || fail "import of the 1 GiB run"
"$MMSCOPE" runs --db "$TMP/full.db" --headline --json 1 > "$TMP/full.h" || fail "headline of the 1 GiB run"
jq -e '.modes | length > 0' "$TMP/full.h" >/dev/null || fail "1 GiB run: no modes: $(cat "$TMP/full.h")"
jq -r '.lines[]' "$TMP/full.h" | grep -q '^Note: each process touched' && fail "1 GiB fully touched: PMD note all the same"
pass "main job ends with the headline of run $id; every figure matches the stored metrics"
