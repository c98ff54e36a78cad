#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope ptmem's per-level page-table counts (precise mode) against the
# kernel's own figures. The tracer (-c wl_pt_levels) runs before the
# workload is forked and exec'd, so it sees every table of the workload's
# mm from its creation (the exec'd mm's first tables are allocated by
# copy_strings() in the context of the old mm, a fork's by the parent).
# wl_pt_levels pauses (sigwait: nothing changes its tables) after each step:
#   1. started:  for every process, sum over levels of (alloc - free) pages
#                x 4 KiB == pgtables_bytes == /proc/PID/status VmPTE
#                (the kernel's nr_ptes + nr_pmds + nr_puds; the PGD is in
#                neither);
#   2. built tables in a region of its own (wl_pt_levels.c: 4 KiB pages
#                spread over two 512 GiB slots; THPs by fault, by anonymous
#                and shmem MADV_COLLAPSE, moved by mremap): the same, and the
#                per-level allocations and frees since step 1 == what its
#                layout makes (PTE +29/-1, PMD +11/-1, PUD +2/-0); VmPTE
#                changed by as much (the layout's premise, kernel only);
#   3. munmap'ed part of it: the same, and per level since step 2 ==
#                the layout's (PTE +0/-21, PMD +0/-8, PUD +0/-1);
#   4. forked: the child's tables (copy_page_range, in the parent's
#                context) are the child's: the sum == VmPTE for both;
#   5. both exited: each exit record has alloc == free on every level (the
#                kernel frees every table; check_mm() complains otherwise)
#                and pgtables_bytes 0 after teardown.
# Precise mode only: tracepoint mode has no per-level counts, so the test
# skips where precise mode is unavailable (the host), and fails if it is
# unavailable where MMSCOPE_TEST_MODE=precise asks for it (the guest). With
# MMSCOPE_IGNORE_PATCH_TP=1 (tracers scenario: ptmem_levels+stock) the
# fexit path must be the one used, with MMSCOPE_PTMEM_KPROBES=1 too
# (ptmem_levels+kprobe) the kprobe path; neither may leave a THP correction
# out (sources.levels_unseen), the layout exercises all of them.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
need_bin "$MMSCOPE"
WL="$BUILD/tests/wl_pt_levels"
need_bin "$WL"
PAGE=4096

case ${MMSCOPE_TEST_MODE:-} in
tracepoint) skip "per-level counts exist only in precise mode (MMSCOPE_TEST_MODE=tracepoint)" ;;
esac
"$MMSCOPE" probe --json >"$TMP/probe.json" 2>"$TMP/probe.err" ||
	fail "mmscope probe failed: $(cat "$TMP/probe.err")"
avail=$(jq -r '.tracers.ptmem.modes.precise.available' "$TMP/probe.json")
via=$(jq -r '.tracers.ptmem.modes.precise.via' "$TMP/probe.json")
if [ "$avail" != true ]; then
	why=$(jq -r '.tracers.ptmem.modes.precise.why' "$TMP/probe.json")
	[ "${MMSCOPE_TEST_MODE:-}" = precise ] && fail "ptmem precise mode unavailable: $why"
	skip "per-level counts need ptmem's precise mode, unavailable here: $why"
fi
# shellcheck disable=SC2034  # lib.sh's start_tracer_json passes it on
MODE_ARGS=(--mode precise)
stock=0
case ${MMSCOPE_IGNORE_PATCH_TP:-} in ''|0) ;; *) stock=1 ;; esac

# levels DOC PID: "bytes pte_alloc pte_free pmd_alloc pmd_free pud_alloc
# pud_free" of PID in the JSON document DOC (interval: processes[]; empty
# if absent)
levels() {
	echo "$1" | jq -r --argjson p "$2" '.processes[] | select(.pid == $p) |
		[.pgtables_bytes, .levels.pte.alloc, .levels.pte.free,
		 .levels.pmd.alloc, .levels.pmd.free,
		 .levels.pud.alloc, .levels.pud.free] | map(tostring) | join(" ")'
}
vmpte_b() { awk '/^VmPTE/ {print $2 * 1024}' "/proc/$1/status"; }
# field LINE NAME: the value of NAME=... in a workload line
field() { echo "$1" | sed -n "s/.* $2=\([-0-9,]*\).*/\1/p;s/^$2=\([-0-9,]*\).*/\1/p" | head -n 1; }

# snapshot: DOC = the last interval document, once its collection surely
# started after the caller's pause began (two more documents than at the call)
snapshot() {
	local n0 i
	n0=$(grep -c '"kind":"interval"' "$TRACER_OUT")
	for ((i = 0; i < 400 * SLOW; i++)); do
		[ "$(grep -c '"kind":"interval"' "$TRACER_OUT")" -ge $((n0 + 2)) ] && break
		sleep 0.05
	done
	[ "$(grep -c '"kind":"interval"' "$TRACER_OUT")" -ge $((n0 + 2)) ] ||
		fail "ptmem printed no new interval document: $(tail -n 3 "$TRACER_OUT.err")"
	DOC=$(grep '"kind":"interval"' "$TRACER_OUT" | tail -n 1)
}

# check_sum WHAT PID DOC: ptmem's bytes == VmPTE == sum over levels; sets
# L=(bytes pte_a pte_f pmd_a pmd_f pud_a pud_f)
check_sum() {
	local what=$1 pid=$2 doc=$3 vm sum
	vm=$(vmpte_b "$pid")
	read -r -a L <<<"$(levels "$doc" "$pid")"
	[ ${#L[@]} = 7 ] || fail "$what: pid $pid not listed with levels: $(echo "$doc" | head -c 2000)"
	sum=$(( (L[1] - L[2] + L[3] - L[4] + L[5] - L[6]) * PAGE ))
	log "$what: pid $pid VmPTE $vm B, ptmem $((L[0])) B; pte +${L[1]}/-${L[2]} pmd +${L[3]}/-${L[4]} pud +${L[5]}/-${L[6]}: sum $sum B"
	[ "${L[0]}" = "$vm" ] || fail "$what: ptmem pgtables_bytes ${L[0]} != VmPTE $vm"
	[ "$sum" = "$vm" ] ||
		fail "$what: sum of (alloc - free) x $PAGE = $sum B != VmPTE $vm B (pte +${L[1]}/-${L[2]} pmd +${L[3]}/-${L[4]} pud +${L[5]}/-${L[6]})"
	[ $((L[1] - L[2])) -gt 0 ] && [ $((L[3] - L[4])) -gt 0 ] && [ $((L[5] - L[6])) -gt 0 ] ||
		fail "$what: a level without live tables (pte +${L[1]}/-${L[2]} pmd +${L[3]}/-${L[4]} pud +${L[5]}/-${L[6]})"
}

# check_delta WHAT OLD NEW ALLOC(pte pmd pud) FREE(pte pmd pud)
check_delta() {
	local what=$1 i exp got names=(pte pmd pud)
	local -a o=($2) n=($3) ea=($4) ef=($5)
	for i in 0 1 2; do
		exp="+${ea[i]}/-${ef[i]}"
		got="+$((n[2 * i] - o[2 * i]))/-$((n[2 * i + 1] - o[2 * i + 1]))"
		log "$what: ${names[i]} $got (layout $exp)"
		[ "$got" = "$exp" ] || fail "$what: ${names[i]} tables $got, the layout makes $exp"
	done
}

start_tracer_json "$TMP/t.json" ptmem -c wl_pt_levels --top 0
src=$(jget "$TMP/t.json" '.sources.levels')
log "levels via: $src (probe: $via)"
want=$via
if [ $stock = 1 ]; then
	want=fentry
	case ${MMSCOPE_PTMEM_KPROBES:-} in ''|0) ;; *) want=kprobe ;; esac
fi
[ "$src" = "$want" ] || fail "levels via '$src', expected '$want'"
unseen=$(jget "$TMP/t.json" '.sources.levels_unseen // [] | join("; ")')
[ -z "$unseen" ] || fail "levels via $src without: $unseen"

spawn "$TMP/wl.out" "$TMP/wl.err" "$WL"
WP=$SPAWNED
step() {	# step N: wait for the workload's line "phase=N ...", in LINE
	wait_for_line "$TMP/wl.out" "^phase=$1 " 20 ||
		fail "workload did not reach phase $1: $(cat "$TMP/wl.err")"
	LINE=$(grep "^phase=$1 " "$TMP/wl.out")
}

# 1. started (exec'd after the tracer attached)
step 1
snapshot
check_sum "started" "$WP" "$DOC"
L1="${L[*]:1}" V1=${L[0]}

# expect: EA, EF = the layout's per-level (pte pmd pud) allocations and frees
# in the workload's LINE, ENET their net page count
expect() {
	EA="$(field "$LINE" alloc_pte) $(field "$LINE" alloc_pmd) $(field "$LINE" alloc_pud)"
	EF="$(field "$LINE" free_pte) $(field "$LINE" free_pmd) $(field "$LINE" free_pud)"
	local a=($EA) f=($EF)
	ENET=$((a[0] + a[1] + a[2] - f[0] - f[1] - f[2]))
}

# 2. tables built (THP paths in slot 0: fault, collapse, shmem collapse
#    retracting a table, mremap moving a deposit)
kill -USR1 "$WP"
step 2
expect
snapshot
check_sum "built" "$WP" "$DOC"
L2="${L[*]:1}" V2=${L[0]}
thp="thp=$(field "$LINE" thp) collapsed=$(field "$LINE" collapsed | tr -d ,) moved=$(field "$LINE" moved)"
log "built: VmPTE +$((V2 - V1)) B; $thp"
# the layout's premise, from the kernel alone
[ $((V2 - V1)) = $((ENET * PAGE)) ] ||
	fail "workload: VmPTE grew by $((V2 - V1)) B, its layout says $((ENET * PAGE)) B"
if grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
	log "THP off: the THP areas are PTE-mapped ($thp)"
else
	[ "$thp" = "thp=2 collapsed=11 moved=1" ] ||
		fail "workload: $thp, not thp=2 collapsed=11 moved=1: a THP path went unexercised"
fi
check_delta "built" "$L1" "$L2" "$EA" "$EF"

# 3. part of it unmapped (zap of deposited tables, free_pgtables)
kill -USR1 "$WP"
step 3
expect
snapshot
check_sum "unmapped" "$WP" "$DOC"
L3="${L[*]:1}" V3=${L[0]}
[ $((V3 - V2)) = $((ENET * PAGE)) ] ||
	fail "workload: VmPTE changed by $((V3 - V2)) B, its layout says $((ENET * PAGE)) B"
check_delta "unmapped" "$L2" "$L3" "$EA" "$EF"

# 4. forked
kill -USR1 "$WP"
step 4
CP=$(field "$LINE" child)
wait_for_line "$TMP/wl.out" "^child pid=$CP " 20 || fail "child did not report: $(cat "$TMP/wl.err")"
snapshot
check_sum "forked, parent" "$WP" "$DOC"
check_sum "forked, child" "$CP" "$DOC"

# 5. both exit
kill -USR1 "$CP"
for ((i = 0; i < 200 * SLOW; i++)); do
	grep -q '^State:.*Z' "/proc/$CP/status" 2>/dev/null || ! [ -e "/proc/$CP" ] && break
	sleep 0.05
done
kill -USR1 "$WP"
wait_exit "$WP" 20 || fail "workload did not finish: $(cat "$TMP/wl.err")"
grep -q "^done pid=$WP" "$TMP/wl.out" || fail "workload did not finish: $(cat "$TMP/wl.out" "$TMP/wl.err")"
sleep_slow 1	# an interval or two for the exit records
stop_tracer "$TRACER_PID"
for p in "$CP" "$WP"; do
	recs=$(grep '^{' "$TMP/t.json" | jq -c --argjson p "$p" \
		'select(.kind == "summary") | .exited[] | select(.pid == $p and .comm == "wl_pt_levels")')
	[ "$(echo "$recs" | grep -c .)" = 1 ] || fail "pid $p: $(echo "$recs" | grep -c .) exit records: $recs"
	read -r -a E <<<"$(echo "$recs" | jq -r '[.after_teardown_bytes, .levels.pte.alloc, .levels.pte.free,
		.levels.pmd.alloc, .levels.pmd.free, .levels.pud.alloc, .levels.pud.free] | map(tostring) | join(" ")')"
	log "exited pid $p: pte +${E[1]}/-${E[2]} pmd +${E[3]}/-${E[4]} pud +${E[5]}/-${E[6]}, after teardown ${E[0]} B"
	[ "${E[0]}" = 0 ] || fail "pid $p: pgtables_bytes ${E[0]} after teardown"
	[ "${E[1]}" = "${E[2]}" ] && [ "${E[3]}" = "${E[4]}" ] && [ "${E[5]}" = "${E[6]}" ] ||
		fail "pid $p exited with every table freed, ptmem says pte +${E[1]}/-${E[2]} pmd +${E[3]}/-${E[4]} pud +${E[5]}/-${E[6]}"
done
pass "per-level counts matched VmPTE at every pause, the layout's deltas exactly, exits balanced (levels via $src, $thp)"
