#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job (`make run`): say what this kernel supports, run the headline
# SGA experiment (1500 processes, every backing mode) into the results store,
# and write the dashboard. Needs root (BPF, hugepages).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "mmscope: make run needs root (BPF tracers, hugepage reservations)" >&2
	exit 1
fi
db="${MMSCOPE_DB:-$PWD/build/results.db}"
scenario="${MMSCOPE_SCENARIO:-scenarios/sga-headline.scn}"
out="${MMSCOPE_DASHBOARD:-$PWD/build/dashboard.html}"

build/mmscope probe
echo
echo "== running $scenario (results in $db) =="
build/mmscope run "$scenario" --db "$db" --tag main
build/mmscope runs --db "$db"
build/mmscope dashboard --db "$db" -o "$out"
echo "dashboard written to $out (open it from file://)"
