#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Interleaved A/B runs on one host (docs/scenarios.md "A/B on one host"):
# run scenario A (tag TAG_A) and scenario B (tag TAG_B) one repeat at a time,
# in pairs whose order alternates (AB BA AB ...), as bench/overhead pairs its
# runs, so a drift of the host (a build starting, the machine warming up)
# falls on both sides alike instead of on whichever ran second; then
# `mmscope compare TAG_A TAG_B`. Every repeat is a run of its own (its host
# noise recorded with it); compare pools them.
#
# Usage: scripts/ab-run.sh [-n PAIRS] [--db PATH] [--a-setup CMD] [--b-setup CMD]
#                          SCENARIO_A TAG_A SCENARIO_B TAG_B [-- compare options]
#   -n PAIRS        how many A+B pairs (default 5; compare needs 3 a side)
#   --a-setup CMD   run (sh -c) before every A repeat, e.g. to switch a sysctl
#   --b-setup CMD   the same before every B repeat
# Exit: compare's status (0 no regression, 1 regression, 2 error); 2 on a
# usage error; 3 when a run failed (the runs recorded so far stay).
set -u
usage() {
	sed -n 's/^# \{0,1\}//; /^Usage:/,/^Exit/p' "$0" | sed '$d' >&2
	exit 2
}
die() { echo "ab-run: $*" >&2; exit 2; }
MMSCOPE=${MMSCOPE:-$(cd "$(dirname "$0")/.." && pwd)/build/mmscope}
pairs=5 db=() a_setup="" b_setup=""
while [ $# -gt 0 ]; do
	case $1 in
	-n) [ $# -ge 2 ] || die "-n needs a number"; pairs=$2; shift 2 ;;
	--db) [ $# -ge 2 ] || die "--db needs a path"; db=(--db "$2"); shift 2 ;;
	--a-setup) [ $# -ge 2 ] || die "--a-setup needs a command"; a_setup=$2; shift 2 ;;
	--b-setup) [ $# -ge 2 ] || die "--b-setup needs a command"; b_setup=$2; shift 2 ;;
	-h|--help) usage ;;
	--) break ;;
	-*) die "unknown option '$1' (--help)" ;;
	*) break ;;
	esac
done
[ $# -ge 4 ] || usage
scn=("$1" "$3") tag=("$2" "$4") setup=("$a_setup" "$b_setup")
shift 4
[ "${1:-}" = -- ] && shift
case $pairs in ''|*[!0-9]*) die "-n '$pairs' must be a whole number from 1 to 1000" ;; esac
[ "$pairs" -ge 1 ] && [ "$pairs" -le 1000 ] || die "-n '$pairs' must be a whole number from 1 to 1000"
[ "${tag[0]}" != "${tag[1]}" ] || die "the two tags must differ ('${tag[0]}')"
[ -x "$MMSCOPE" ] || die "$MMSCOPE not built (run make)"
for i in 0 1; do
	[ -r "${scn[$i]}" ] || die "no such scenario: ${scn[$i]}"
	# check each scenario (and its tag) before running anything
	"$MMSCOPE" run --dry-run "${db[@]}" --tag "${tag[$i]}" "${scn[$i]}" > /dev/null || exit 2
done

for ((p = 0; p < pairs; p++)); do
	# AB, then BA: a linear drift weighs the same on both sides
	for k in 0 1; do
		i=$(( (p + k) % 2 ))
		echo "ab-run: pair $((p + 1))/$pairs: ${tag[$i]} (${scn[$i]})" >&2
		if [ -n "${setup[$i]}" ] && ! sh -c "${setup[$i]}"; then
			echo "ab-run: setup of ${tag[$i]} failed: ${setup[$i]}" >&2
			exit 3
		fi
		"$MMSCOPE" run "${db[@]}" --repeats 1 --tag "${tag[$i]}" "${scn[$i]}" > /dev/null ||
			{ echo "ab-run: the ${tag[$i]} run of pair $((p + 1)) failed" >&2; exit 3; }
	done
done
"$MMSCOPE" compare "${db[@]}" "$@" "tag:${tag[0]}" "tag:${tag[1]}"
