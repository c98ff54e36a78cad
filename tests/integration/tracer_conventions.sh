#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# libbpf-tools conventions on every tracer :
#  - positional [interval [count]]: `mmscope vmalock 0.3 2` makes two
#    interval reports and its summary, then exits by itself;
#  - -T puts a HH:MM:SS line before each report;
#  - --duration ending between two reports reports that last part too: the
#    interval documents add up to the summary (faultlat latency counts);
#  - faultlat -u/-m print usecs/msecs, histograms list every row between the
#    lowest and highest non-empty one;
#  - --top N on every per-process table (vmalock, faultlat -P, ptmem);
#  - -p / --sharers of a process that does not exist: rc 2, one line;
#    top --tracers "" and a tracer named twice likewise.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
need_bin "$MMSCOPE"
WL="$BUILD/tests/wl_faultloop"
need_bin "$WL"

# A pid that does not exist: past pid_max.
NOPID=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
while kill -0 "$NOPID" 2>/dev/null; do NOPID=$((NOPID - 1)); done

# 1. bad selectors
for cmd in "vmalock -p $NOPID" "faultlat --pid $NOPID" "ptmem -p $NOPID" "ptshare -p $NOPID" \
	   "ptshare --sharers 1,$NOPID" "top -p $NOPID" "top --tracers=" "top --tracers vmalock,vmalock"; do
	# timeout: a tracer that accepts the selector would trace on
	# shellcheck disable=SC2086
	expect_fail_oneline "mmscope $cmd" timeout 10 "$MMSCOPE" $cmd
	# shellcheck disable=SC2086
	timeout 10 "$MMSCOPE" $cmd >/dev/null 2>&1; rc=$?
	[ $rc -eq 2 ] || fail "mmscope $cmd: exit $rc, want 2"
done
"$MMSCOPE" vmalock 0.5 0 >/dev/null 2>&1 && fail "count 0 accepted"
"$MMSCOPE" vmalock 0.5 1 2 >/dev/null 2>&1 && fail "a third positional argument accepted"

# keep some faults going while the tracers run
spawn "$TMP/wl" "$TMP/wl.err" "$WL" --threads 1 --size 8M --seconds 30
: "$SPAWNED"	# killed at exit by lib.sh

# 2. [interval [count]] and -T, on every tracer
for tool in vmalock faultlat ptmem ptshare top; do
	timeout "$(slow 20)" "$MMSCOPE" "$tool" --json "${MODE_ARGS[@]}" 0.3 2 >"$TMP/$tool.json" 2>"$TMP/$tool.err" ||
		fail "$tool 0.3 2: exit $? ($(tail -n 2 "$TMP/$tool.err"))"
	kinds=$(grep '^{' "$TMP/$tool.json" | jq -r .kind | tr '\n' ' ')
	[ "$kinds" = "interval interval summary " ] || fail "$tool 0.3 2: documents '$kinds'"
	timeout "$(slow 20)" "$MMSCOPE" "$tool" -T "${MODE_ARGS[@]}" 0.3 1 >"$TMP/$tool.txt" 2>"$TMP/$tool.err" ||
		fail "$tool -T 0.3 1: exit $?"
	n=$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}$' "$TMP/$tool.txt")
	[ "$n" -eq 2 ] || fail "$tool -T: $n time lines, want 2 (interval + summary): $(head -n 3 "$TMP/$tool.txt")"
	log "$tool: 0.3 2 gave $kinds; -T time lines: $n"
done

# 3. the last, shorter interval when --duration ends: 1 s + 0.6 s
"$MMSCOPE" faultlat --json "${MODE_ARGS[@]}" --interval 1 --duration 1.6 >"$TMP/fl.json" 2>"$TMP/fl.err" ||
	fail "faultlat --duration: $(tail -n 2 "$TMP/fl.err")"
ivl=$(grep '^{' "$TMP/fl.json" | jq -s '[.[] | select(.kind == "interval")]')
n=$(echo "$ivl" | jq length)
last=$(echo "$ivl" | jq '.[-1].interval_s')
sum=$(echo "$ivl" | jq 'map(.all.count) | add')
tot=$(jget_kind "$TMP/fl.json" summary .all.count)
log "--interval 1 --duration 1.6: $n intervals, last ${last}s; intervals' faults $sum, summary $tot"
[ "$n" -eq 2 ] || fail "--duration 1.6 --interval 1: $n interval documents, want 2"
awk -v l="$last" 'BEGIN { exit !(l > 0.4 && l < 0.9) }' || fail "last interval ${last}s, want ~0.6"
# the summary's final drain also takes the faults of the few ms after the
# last interval's: 2% slack (without the last interval ~37% are missing)
within_pct "$sum" "$tot" 2 || fail "interval documents count $sum faults, the summary $tot"

# 4. units and contiguous histogram rows
for u in -u -m; do
	"$MMSCOPE" faultlat $u "${MODE_ARGS[@]}" 0.5 1 >"$TMP/u.txt" 2>/dev/null || fail "faultlat $u failed"
	unit=$([ $u = -u ] && echo usecs || echo msecs)
	grep -q "^ *$unit : count" "$TMP/u.txt" || fail "faultlat $u: no $unit table: $(head -n 3 "$TMP/u.txt")"
	grep -q "max [0-9.]* $unit$" "$TMP/u.txt" || fail "faultlat $u: percentiles not in $unit"
done
# every table: each row starts where the previous one ended (no gaps)
awk '/ : count/ { prev = -1; next }
     / -> / { lo = $1; hi = $3; if (prev >= 0 && lo != prev + 1 && !(prev == 1 && lo == 2)) { print "gap before " $0; bad = 1 } prev = hi }
     END { exit bad }' "$TMP/u.txt" || fail "faultlat histogram rows have gaps"
"$MMSCOPE" faultlat "${MODE_ARGS[@]}" 0.5 1 >"$TMP/ns.txt" 2>/dev/null || fail "faultlat failed"
awk '/ : count/ { prev = -1; next }
     / -> / { lo = $1; hi = $3; if (prev >= 0 && lo != prev + 1) { print "gap before " $0; bad = 1 } prev = hi }
     END { exit bad }' "$TMP/ns.txt" || fail "faultlat histogram rows have gaps: $(cat "$TMP/ns.txt")"

# 5. --top N
"$MMSCOPE" vmalock --json --top 2 "${MODE_ARGS[@]}" 0.5 1 >"$TMP/vt.json" 2>/dev/null || fail "vmalock --top failed"
"$MMSCOPE" faultlat -P --json --top 2 "${MODE_ARGS[@]}" 0.5 1 >"$TMP/ft.json" 2>/dev/null || fail "faultlat -P --top failed"
"$MMSCOPE" ptmem --json --top 2 "${MODE_ARGS[@]}" 0.5 1 >"$TMP/pt.json" 2>/dev/null || fail "ptmem --top failed"
for f in vt ft pt; do
	n=$(jget_kind "$TMP/$f.json" interval '.processes | length')
	tot=$(jget_kind "$TMP/$f.json" interval '.processes_total')
	log "$f --top 2: listed $n of $tot"
	[ "$n" -le 2 ] || fail "$f --top 2 listed $n processes"
	[ "$tot" -ge "$n" ] || fail "$f: processes_total $tot < listed $n"
done
pass
