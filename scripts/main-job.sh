#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job (`make run`): say what this kernel supports, run the headline
# SGA experiment (1500 processes, every backing mode, a 10-minute budget)
# into the results store, write the dashboard, and end with the answer: the
# page-table bytes per process per GiB of each mode, the saving against
# shmem and the Oracle-case extrapolation, from the run just recorded
# (mmscope runs --headline; the dashboard's SGA section leads with the same
# lines). A run that stopped early still shows what it recorded (partial),
# and the job then exits non-zero. Needs root (BPF, hugepages).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "mmscope: make run needs root (BPF tracers, hugepage reservations)" >&2
	exit 1
fi
db="${MMSCOPE_DB:-$PWD/build/results.db}"
scenario="${MMSCOPE_SCENARIO:-scenarios/sga-headline.scn}"
out="${MMSCOPE_DASHBOARD:-$PWD/build/dashboard.html}"
runout=$(mktemp /tmp/mmscope-main-job.XXXXXX)
trap 'rm -f "$runout"' EXIT

build/mmscope probe || exit 1
echo
echo "== running $scenario (results in $db) =="
build/mmscope run "$scenario" --db "$db" --tag main | tee "$runout"
rc=${PIPESTATUS[0]}
# the id of the run just recorded (complete or partial): its headline, not an older run's
id=$(sed -n 's/^recorded \(partial \)\{0,1\}run \([0-9][0-9]*\):.*/\2/p' "$runout" | head -n 1)
if [ -e "$db" ]; then
	build/mmscope runs --db "$db" || rc=1
	build/mmscope dashboard --db "$db" -o "$out" && echo "dashboard written to $out (open it from file://)" || rc=1
fi
echo
if [ -n "$id" ]; then
	echo "== the answer (run $id) =="
	build/mmscope runs --db "$db" --headline "$id" || rc=1
else
	echo "mmscope: make run: nothing was recorded (see the errors above)" >&2
fi
exit "$rc"
