#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope run records the host's noise with every repeat (docs/scenarios.md
# "Host noise"): a real run of a short scenario whose workload burns 0.3 s
# of CPU (awk, counting its own /proc/self/stat ticks) stores, per repeat,
# figures within their possible ranges, checked against the kernel's own
# files: /proc/loadavg (load >= 0), /proc/pressure/{cpu,memory} when PSI is
# on (avg10 and the share 0..100, the stall time at most the wall time),
# /proc/stat (busy time at least the workload's own CPU time, the others'
# time between 0 and ncpus x wall time, ncpus = nproc). The workload's own
# CPU time is counted as its own, not the others'.
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
[ -r /proc/loadavg ] && [ -r /proc/stat ] || skip "no /proc/loadavg or /proc/stat"
export MMSCOPE_DB="$TMP/results.db"
cat > "$TMP/burn" <<'EOS'
#!/bin/bash
# burn 0.3 s of CPU (30 ticks of utime + stime), then print one document
awk 'BEGIN { while (1) { for (i = 0; i < 200000; i++) x += i
	getline l < "/proc/self/stat"; close("/proc/self/stat")
	sub(/.*\) /, "", l); split(l, f, " ")
	if (f[12] + f[13] >= 30) exit } }'
echo '{"schema":"mmscope/1","tool":"burn","kind":"result","mode":"cpu","metrics":{"x_ns":1}}'
EOS
chmod +x "$TMP/burn"
printf 'workload = ./burn\nrepeats = 2\nsettle = 0\n' > "$TMP/burn.scn"
"$MMSCOPE" run "$TMP/burn.scn" > "$TMP/out" 2> "$TMP/err" || fail "run: $(cat "$TMP/err")"
"$MMSCOPE" export --json all > "$TMP/e.json" || fail "export"
[ "$(jq '.runs[0].repeats | length' "$TMP/e.json")" = 2 ] || fail "2 repeats"
psi=0
[ -r /proc/pressure/cpu ] && [ -r /proc/pressure/memory ] && psi=1
for i in 0 1; do
	h=$(jq -c ".runs[0].repeats[$i].host" "$TMP/e.json")
	[ "$h" != null ] || fail "repeat $i has no host figures"
	log "repeat $i: $h"
	jq -e --argjson n "$(getconf _NPROCESSORS_ONLN)" --argjson psi $psi '
	  def num: type == "number";
	  .wall_s as $wall |
	  (.wall_s | num and . > 0.25) and (.ncpus == $n) and
	  ([.loadavg_1m_start, .loadavg_1m_end] | all(num and . >= 0 and . < 100000)) and
	  (.own_cpu_s >= 0.29) and
	  (.busy_cpu_s + 0.02 * .ncpus >= .own_cpu_s) and
	  (.busy_cpu_s <= .ncpus * .wall_s + 0.02 * .ncpus) and
	  (.other_cpu_s >= 0 and .other_cpu_s <= .ncpus * .wall_s) and
	  (.other_cpu_pct >= 0 and .other_cpu_pct <= 100) and
	  ((.other_cpu_pct - 100 * .other_cpu_s / (.ncpus * .wall_s)) | fabs < 1e-6) and
	  (if $psi == 1 then
	     ([.psi_cpu_some_avg10_start, .psi_cpu_some_avg10_end, .psi_memory_some_avg10_start,
	       .psi_memory_some_avg10_end, .psi_cpu_some_pct, .psi_memory_some_pct]
	        | all(num and . >= 0 and . <= 100)) and
	     ([.psi_cpu_some_us, .psi_memory_some_us] | all(num and . >= 0 and . <= 1.05e6 * $wall + 1e4))
	   else (has("psi_cpu_some_pct") | not) end)
	' <<< "$h" > /dev/null || fail "repeat $i: a figure out of its range: $h"
done
pass "every repeat stores load, PSI and other processes' CPU time within their ranges"
