#!/bin/sh
# What the tracers cost a page fault in the guest, where precise mode
# (fentry/fexit) loads: bench/overhead in precise and in tracepoint mode,
# the same loop, the same method (docs/overhead.md). boot.sh runs this
# scenario with QEMU instruction counting (-icount shift=0): the guest's
# clocks advance 1 ns per instruction executed, so "faults per CPU-second"
# is faults per 10^9 instructions and every ratio an instruction-count
# ratio. That is independent of the host's load (TCG timing is not: pairs
# swung by +-50%), and a proxy for the cost on hardware that leaves out
# cache misses and pipeline effects.
# Parameters: mmscope.ov_repeats (10), mmscope.ov_seconds (0.5),
# mmscope.threads (1), mmscope.ov_modes (default: precise,tracepoint, and on a
# kernel with exceptions:page_fault_done (patches/0004), where both modes use
# it: precise,precise+stock,tracepoint+stock; MODE+stock runs with
# MMSCOPE_IGNORE_PATCH_TP=1, the hooks of a kernel without the series),
# mmscope.ov_tracers (vmalock,faultlat,ptmem), mmscope.ov_floor (0; 1: also
# the floor, empty programs on each mode's hooks). Results:
# overhead_MODE.json, overhead.json ({"MODE": result document, ...}).
. /scenarios/lib.sh
REPEATS=$(arg ov_repeats 10)
SECS=$(arg ov_seconds 0.5)
THREADS=$(arg threads 1)
modes=precise,tracepoint
[ -d /sys/kernel/tracing/events/exceptions/page_fault_done ] &&
	modes=precise,precise+stock,tracepoint+stock
MODES=$(arg ov_modes $modes | tr , ' ')
TRACERS=$(arg ov_tracers vmalock,faultlat,ptmem)
FLOOR=
# empty programs on the same hooks, in pairs of runs: the 50 ms windows
# attach and detach fexit 400 times, which ran past 36 min under icount
[ "$(arg ov_floor 0)" = 1 ] && FLOOR=--floor-pairs
rc=0
command -v overhead > /dev/null || { echo "FAIL overhead missing (make static)"; exit 1; }
all=
for m in $MODES; do
	echo "=== overhead --mode $m"
	stock=0
	case $m in *+stock) stock=1 ;; esac
	MMSCOPE_IGNORE_PATCH_TP=$stock overhead --mmscope /bin/mmscope --mode ${m%+stock} \
		--threads "$THREADS" --repeats "$REPEATS" --seconds "$SECS" \
		--tracers "$TRACERS" $FLOOR --json \
		> $R/overhead_$m.json 2> $R/overhead_$m.err || rc=1
	cat $R/overhead_$m.err
	# the metrics (ratio_<config>_<N>t), the mode the tracers ran in
	tail -1 $R/overhead_$m.json | grep -o '"\(ratio_[a-z_]*_[0-9]*t\|mode\|target_met\)":[^,}]*'
	all="$all\"$m\": $(tail -1 $R/overhead_$m.json 2>/dev/null | grep . || echo null), "
done
echo "{$all\"status\": $rc}" > $R/overhead.json
exit $rc
