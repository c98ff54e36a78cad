#!/bin/sh
# Instructions per BPF program run of the fault tracers: with
# kernel.bpf_stats_enabled, run_time_ns / run_cnt of each program while a
# single-threaded page-fault loop (wl_faultloop, 20 x 128 MiB) runs under
# vmalock, faultlat and `mmscope top`. boot.sh runs this scenario under QEMU
# instruction counting (-icount shift=0), so nanoseconds are instructions;
# the stats' own clock reads are included. docs/overhead.md uses it to say
# where a tracer's cost goes beyond the hook's floor.
# Parameters: mmscope.pc_mode (precise), mmscope.pc_stock (0; 1: as on a
# kernel without the series, MMSCOPE_IGNORE_PATCH_TP=1).
# Results: progcost.json ({"CONFIG": [{"name", "runs", "instructions_per_run"}]}).
. /scenarios/lib.sh
export PATH=/usr/bin:/bin:/sbin
MODE=$(arg pc_mode precise)
export MMSCOPE_IGNORE_PATCH_TP=$(arg pc_stock 0)
WL=/build/tests/wl_faultloop
for b in jq bpftool mmscope $WL; do
	command -v $b > /dev/null || { echo "FAIL $b missing (make static; scripts/kernel/deps.sh)"; exit 1; }
done
echo 1 > /proc/sys/kernel/bpf_stats_enabled
rc=0 out=
for cfg in "top --tracers vmalock,faultlat" vmalock faultlat; do
	echo "=== mmscope $cfg --mode $MODE (ignore patch tracepoints: $MMSCOPE_IGNORE_PATCH_TP)"
	# a fresh file: the background job truncates it only once it runs, and
	# the wait below must not see the previous tracer's "tracing" line
	rm -f /tmp/pc.err
	mmscope $cfg --mode $MODE --interval 3600 --duration 600 > /tmp/pc.out 2> /tmp/pc.err &
	pid=$!
	for i in $(seq 100); do grep -qs tracing /tmp/pc.err && break; sleep 0.2; done
	grep -q tracing /tmp/pc.err || { echo "FAIL mmscope $cfg: $(cat /tmp/pc.err)"; rc=1; kill $pid; continue; }
	$WL --threads 1 --size 134217728 --loops 20
	rows=$(bpftool prog show -j | jq -c '[.[] | select(.run_cnt != null and .run_cnt > 0) |
		{name, runs: .run_cnt, instructions_per_run: (.run_time_ns / .run_cnt | floor)}]')
	echo "$rows" | jq -r '.[] | "\(.name) runs=\(.runs) instructions/run=\(.instructions_per_run)"'
	# the per-fault program as the verifier rewrote it (map lookups inlined)
	bpftool prog dump xlated name fb_raw_fault_done > "$R/xlated-$(echo $cfg | cut -d' ' -f1).txt" 2>&1
	out="$out$(printf '%s' "$cfg" | jq -Rs .): $rows, "
	kill -INT $pid; wait $pid
done
echo 0 > /proc/sys/kernel/bpf_stats_enabled
echo "{$out\"status\": $rc}" > $R/progcost.json
exit $rc
