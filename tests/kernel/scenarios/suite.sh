#!/bin/sh
# The mmscope suite (make static) inside the guest:
#  1. sga-bench shmem vs ptshare (NPROC processes, SIZE MiB SGA) while
#     `mmscope ptshare` watches: physical page tables of ptshare close to
#     one copy, attach/detach balanced, sharers and hosts back to zero.
#  2. vmalock_test under `mmscope vmalock` in precise and in tracepoint
#     mode at once, with the raw vma_lock tracepoints counted in tracefs:
#     all against the /proc/vmstat vma_lock_* deltas of the same window.
# Parameters: mmscope.sga_procs (64), mmscope.sga_mb (256),
# mmscope.threads (2), mmscope.vl_seconds (3).
# Results: sga.json, mmscope_ptshare.json, vmalock_precise.json,
# vmalock_tp.json, probe.json, suite.json
. /scenarios/lib.sh
NPROC=$(arg sga_procs 64)
SIZE=$(arg sga_mb 256)
THREADS=$(arg threads 2)
SECS=$(arg vl_seconds 3)
rc=0
fail() { echo "FAIL $*"; rc=1; }

for b in mmscope sga-bench vmalock_test; do
	command -v $b > /dev/null || { fail "$b missing (make static)"; exit 1; }
done

# jget FILE KEY: first numeric value of "KEY" in the last line of FILE
jget() {
	tail -1 "$1" | grep -o "\"$2\":-\{0,1\}[0-9.e+]*" | head -1 | cut -d: -f2 |
		sed "s/\\.0$//"
}
# sumline KIND FILE: keep the line of the given kind (summary/result)
kind() { grep "\"kind\":\"$1\"" "$2" | tail -1; }
# Tracers write "ready" to the fd named by MMSCOPE_READY_FD once attached
# (the `mmscope run` handshake); here fd 5 goes to a file.
# wait_ready FILE PID: until the tracer wrote it (max 300 s: TCG is slow);
# 1 if it gave up or died
wait_ready() {
	i=0
	while ! grep -q ready "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 600 ] && return 1
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.5
	done
}
# verbose_log NAME ARGS...: a tracer failed to start: keep its libbpf and
# verifier log in NAME.verbose for the report
verbose_log() {
	n=$1; shift
	timeout 300 mmscope "$@" --verbose --duration 1 > /dev/null 2> $R/$n.verbose
	echo "$n: $(tail -2 $R/$n.verbose) (log in $n.verbose)"
}

mmscope probe --json > $R/probe.json 2> $R/probe.err
echo "probe: $(cat $R/probe.json | head -c 600)"

# ---- 1. page-table sharing
ptshare_patch=false
[ -d $T/events/ptshare ] && ptshare_patch=true
# auto mode first (precise where fentry/kprobes work), else tracepoint mode.
# Either failing to load fails the scenario (the guest is where precise
# mode is tested); the other mode still runs the rest.
pt_mode=none pt_failed=""
for m in auto tracepoint; do
	MMSCOPE_READY_FD=5 mmscope ptshare --mode $m --json --interval 5 \
		> $R/mmscope_ptshare.all 2> $R/mmscope_ptshare.err 5> $R/mmscope_ptshare.ready &
	pt_pid=$!
	if wait_ready $R/mmscope_ptshare.ready $pt_pid; then
		pt_mode=$m; break
	fi
	fail "mmscope ptshare --mode $m did not start"
	pt_failed="$pt_failed${pt_failed:+ }$m"
	verbose_log mmscope_ptshare_$m ptshare --mode $m
done
[ $pt_mode != none ] || fail "mmscope ptshare did not start in any mode"
if $ptshare_patch; then modes="-m shmem -m ptshare"; else modes="-m shmem"; fi
sga-bench -n "$NPROC" -s "${SIZE}M" $modes --no-latency --json \
	> $R/sga.all 2> $R/sga.err || fail "sga-bench"
cat $R/sga.err
sleep 3		# hosts are torn down by a worker
kill -INT $pt_pid 2>/dev/null; wait $pt_pid
kind summary $R/mmscope_ptshare.all > $R/mmscope_ptshare.json
grep '"mode":"shmem"' $R/sga.all | tail -1 > $R/sga_shmem.json
grep '"mode":"ptshare"' $R/sga.all | tail -1 > $R/sga_ptshare.json
cat $R/sga.all > $R/sga.json
sh_phys=$(jget $R/sga_shmem.json pt_physical_bytes)
pt_phys=$(jget $R/sga_ptshare.json pt_physical_bytes)
pt_logical=$(jget $R/sga_ptshare.json pt_logical_bytes)
saving=$(jget $R/sga_ptshare.json saving_vs_shmem_pct)
one_copy=$((SIZE * 2048))	# bytes of PTE tables mapping SIZE MiB once
shares=$(jget $R/mmscope_ptshare.json shares)
unshares=$(jget $R/mmscope_ptshare.json unshares)
hc=$(jget $R/mmscope_ptshare.json hosts_created)
hd=$(jget $R/mmscope_ptshare.json hosts_destroyed)
st=$(jget $R/mmscope_ptshare.json shared_tables)
hosts=$(ptstat hosts_live)
sharers=$(ptstat sharers_live)
cat /sys/kernel/debug/ptshare 2>/dev/null
# vmstat drift bound: 2 readings x CPUs x the largest per-CPU threshold
thr=$(awk '/vm stats threshold/ { if ($4 > t) t = $4 } END { print t + 0 }' /proc/zoneinfo)
ncpu=$(grep -c '^processor' /proc/cpuinfo)
slack=$((2 * ncpu * thr * 4096 + 65536))
if $ptshare_patch; then
	ratio=$(awk -v a="${pt_phys:-0}" -v b="${sh_phys:-0}" \
		'BEGIN { if (b > 0) printf "%.4f", a / b; else print "null" }')
	# the sharers' own VmPTE growth (pt_logical: each one's private
	# PMD/PUD pages, 500 x 4 KiB at 500 processes) is not PTE tables:
	# what remains of the PageTables growth are the shared tables
	pt_shared=$(( ${pt_phys:-0} - ${pt_logical:-0} ))
	copies=$(awk -v a="$pt_shared" -v b="$one_copy" \
		'BEGIN { printf "%.2f", a / b }')
	echo "ptshare: physical $pt_phys B vs shmem $sh_phys B (ratio $ratio)," \
	     "of which the sharers' own tables $pt_logical B, shared $pt_shared B:" \
	     "$copies copies of $one_copy B, saving $saving%"
	echo "mmscope ptshare: shares=$shares unshares=$unshares" \
	     "hosts created=$hc destroyed=$hd shared_tables=$st"
	[ -n "$pt_phys" ] && [ -n "$sh_phys" ] || fail "no sga-bench figures"
	# One copy of the PTE tables, give or take what PageTables cannot
	# resolve: it is a vmstat counter with per-CPU deltas of up to the
	# "vm stats threshold" pages each, unfolded at either of sga-bench's
	# two readings, plus the host's own upper tables (64 KiB).
	[ -n "$pt_logical" ] || fail "no sga-bench pt_logical_bytes"
	awk -v a="$pt_shared" -v one="$one_copy" -v slack="$slack" \
		'BEGIN { exit !(a >= one / 2 && a <= one * 1.25 + slack) }' ||
		fail "ptshare shared page tables $pt_shared B ($pt_phys B less the sharers' $pt_logical B): not one copy of $one_copy B (slack $slack B)"
	[ "${shares:-0}" -gt 0 ] || fail "mmscope saw no attaches"
	[ "$shares" = "$unshares" ] || fail "attach $shares != detach $unshares"
	[ "${hc:-0}" -gt 0 ] && [ "$hc" = "$hd" ] || fail "hosts created $hc destroyed $hd"
	[ "${st:-1}" = 0 ] || fail "$st tables still shared"
	[ "$hosts" = 0 ] && [ "$sharers" = 0 ] || fail "leaked hosts/sharers"
else
	ratio=null copies=null
fi

# ---- 2. vma_lock: precise, tracepoint, raw events, vmstat
vl_tp=false
[ -d $T/events/vma_lock ] && vl_tp=true
$vl_tp && trace_on vma_lock
MMSCOPE_READY_FD=5 mmscope vmalock --mode precise --json --interval 600 \
	> $R/vmalock_precise.all 2> $R/vmalock_precise.err 5> $R/vmalock_precise.ready &
p1=$!
MMSCOPE_READY_FD=5 mmscope vmalock --mode tracepoint --json --interval 600 \
	> $R/vmalock_tp.all 2> $R/vmalock_tp.err 5> $R/vmalock_tp.ready &
p2=$!
# where both modes use page_fault_done (patches/0004), precise mode with the
# hooks of a kernel without the series (fexit) is checked against vmstat too
done_tp=false
[ -d $T/events/exceptions/page_fault_done ] && done_tp=true
p3=
if $done_tp; then
	MMSCOPE_IGNORE_PATCH_TP=1 MMSCOPE_READY_FD=5 mmscope vmalock --mode precise --json --interval 600 \
		> $R/vmalock_stock.all 2> $R/vmalock_stock.err 5> $R/vmalock_stock.ready &
	p3=$!
	wait_ready $R/vmalock_stock.ready $p3 || fail "mmscope vmalock precise (stock hooks) did not start"
fi
wait_ready $R/vmalock_precise.ready $p1 || { fail "mmscope vmalock precise did not start"
	verbose_log vmalock_precise vmalock --mode precise; }
wait_ready $R/vmalock_tp.ready $p2 || { fail "mmscope vmalock tracepoint did not start"
	verbose_log vmalock_tp vmalock --mode tracepoint; }
v0=$(grep vma_lock_ /proc/vmstat | tr '\n' ' ')
vmalock_test "$THREADS" "$SECS" > $R/vmalock_test.json || fail vmalock_test
v1=$(grep vma_lock_ /proc/vmstat | tr '\n' ' ')
kill -INT $p1 $p2 $p3 2>/dev/null; wait $p1; wait $p2; [ -n "$p3" ] && wait $p3
$vl_tp && trace_off vma_lock
kind summary $R/vmalock_precise.all > $R/vmalock_precise.json
kind summary $R/vmalock_tp.all > $R/vmalock_tp.json
$done_tp && kind summary $R/vmalock_stock.all > $R/vmalock_stock.json
vdelta() {
	a=$(echo "$v0" | sed -n "s/.*$1 \([0-9]*\).*/\1/p")
	b=$(echo "$v1" | sed -n "s/.*$1 \([0-9]*\).*/\1/p")
	echo $((b - a))
}
vs=$(vdelta vma_lock_success); va=$(vdelta vma_lock_abort)
vr=$(vdelta vma_lock_retry); vm=$(vdelta vma_lock_miss)
# the tracers' own vmstat deltas (their window: attach to Ctrl-C)
p_vs=$(grep -o '"vmstat":{[^}]*}' $R/vmalock_precise.json | grep -o '"vma_lock_success":[0-9]*' | cut -d: -f2)
p_fa=$(jget $R/vmalock_precise.json faults)
p_vl=$(jget $R/vmalock_precise.json vma_lock)
p_ml=$(jget $R/vmalock_precise.json mmap_lock)
p_miss=$(jget $R/vmalock_precise.json miss)
p_retry=$(jget $R/vmalock_precise.json retry)
p_vr=$(grep -o '"vmstat":{[^}]*}' $R/vmalock_precise.json | grep -o '"vma_lock_retry":[0-9]*' | cut -d: -f2)
p_va=$(grep -o '"vmstat":{[^}]*}' $R/vmalock_precise.json | grep -o '"vma_lock_abort":[0-9]*' | cut -d: -f2)
p_via=$(grep -o '"via":"[a-z]*"' $R/probe.json | head -1 | cut -d'"' -f4)
t_vs=$(grep -o '"vmstat":{[^}]*}' $R/vmalock_tp.json | grep -o '"vma_lock_success":[0-9]*' | cut -d: -f2)
t_vr=$(grep -o '"vmstat":{[^}]*}' $R/vmalock_tp.json | grep -o '"vma_lock_retry":[0-9]*' | cut -d: -f2)
t_va=$(grep -o '"vmstat":{[^}]*}' $R/vmalock_tp.json | grep -o '"vma_lock_abort":[0-9]*' | cut -d: -f2)
t_fa=$(jget $R/vmalock_tp.json faults)
t_vl=$(jget $R/vmalock_tp.json vma_lock)
t_locked=$(jget $R/vmalock_tp.json vma_locked)
t_miss=$(jget $R/vmalock_tp.json miss)
t_retry=$(jget $R/vmalock_tp.json retry)
hooks() { grep -o '"fault_hooks":"[a-z_+]*"' "$1" 2>/dev/null | head -1 | cut -d'"' -f4; }
p_hooks=$(hooks $R/vmalock_precise.json) t_hooks=$(hooks $R/vmalock_tp.json)
if $done_tp; then
	s_json=$R/vmalock_stock.json
	s_hooks=$(hooks $s_json)
	s_vs=$(grep -o '"vmstat":{[^}]*}' $s_json | grep -o '"vma_lock_success":[0-9]*' | cut -d: -f2)
	s_vr=$(grep -o '"vmstat":{[^}]*}' $s_json | grep -o '"vma_lock_retry":[0-9]*' | cut -d: -f2)
	s_va=$(grep -o '"vmstat":{[^}]*}' $s_json | grep -o '"vma_lock_abort":[0-9]*' | cut -d: -f2)
	s_fa=$(jget $s_json faults) s_vl=$(jget $s_json vma_lock)
	s_miss=$(jget $s_json miss) s_retry=$(jget $s_json retry)
fi
raw_s=0 raw_m=0 raw_r=0 raw_f=0 lost=0
if $vl_tp; then
	eval "$(trace_counts)"
	raw_s=$tc_success raw_m=$tc_miss raw_r=$tc_retry raw_f=$tc_fallback
	lost=$tc_lost
fi
echo "vmstat (workload window): success=$vs abort=$va retry=$vr miss=$vm"
echo "precise:    faults=$p_fa vma_lock=$p_vl mmap_lock=$p_ml miss=$p_miss retry=$p_retry; its vmstat success=$p_vs retry=$p_vr abort=$p_va"
echo "tracepoint: faults=$t_fa vma_lock=$t_vl vma_locked=$t_locked miss=$t_miss retry=$t_retry; its vmstat success=$t_vs retry=$t_vr abort=$t_va"
$done_tp && echo "precise, stock hooks ($s_hooks): faults=$s_fa vma_lock=$s_vl miss=$s_miss retry=$s_retry; its vmstat success=$s_vs retry=$s_vr abort=$s_va"
echo "fault hooks: precise $p_hooks, tracepoint $t_hooks"
echo "raw events (tracer window): success=$raw_s miss=$raw_m retry=$raw_r fallback=$raw_f lost=$lost"
# close: |a - b| <= 1% of b + 50 (processes started in the windows' edges)
close() {
	awk -v a="${1:-0}" -v b="${2:-0}" \
		'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b / 100 + 50) }'
}
# near A B: both counts, |a - b| <= 1% of b + 5 (rare events: retries,
# misses; the tracer's counts and its vmstat reads are a few faults apart)
near() {
	awk -v a="${1:-x}" -v b="${2:-y}" 'BEGIN { d = a - b; if (d < 0) d = -d
		exit !(a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && d <= b / 100 + 5) }'
}
[ "$vs" -gt 1000 ] || fail "workload produced only $vs VMA-lock faults"
close "$p_vl" "$p_vs" || fail "precise vma_lock $p_vl vs vmstat success $p_vs"
close "$t_vl" "$t_vs" || fail "tracepoint vma_lock $t_vl vs vmstat success $t_vs"
# retries are known in tracepoint mode only with the patch tracepoints
if $vl_tp; then
	near "$t_retry" "$t_vr" || fail "tracepoint retry $t_retry vs vmstat retry $t_vr"
fi
# precise mode sees retries at handle_mm_fault() return (the patch
# tracepoints are not counted twice, 4f87d99); the same few-fault window
# edges as the tracepoint mode
p_retry_ok=true
near "$p_retry" "$p_vr" ||
	{ p_retry_ok=false; fail "precise retry $p_retry vs vmstat retry $p_vr"; }
# precise misses are lock_vma_under_rcu() returning NULL: vmstat's abort
# (no VMA, VMA being modified, address moved out of it)
near "$p_miss" "$p_va" || fail "precise miss $p_miss vs vmstat abort $p_va"
if $vl_tp && [ "$t_hooks" = page_fault_done ]; then
	# one event per fault: vma_lock_success is not attached at all
	[ -z "$t_locked" ] || fail "vma_locked $t_locked counted with page_fault_done"
elif $vl_tp; then
	# a VMA locked = a success, or a retry, in vmstat
	close "$t_locked" "$((t_vs + t_vr))" ||
		fail "vma_locked $t_locked vs vmstat success+retry $((t_vs + t_vr))"
fi
$vl_tp && [ "$lost" != 0 ] && echo "note: $lost lost-event lines in the trace buffer"
if $done_tp; then
	[ "$p_hooks" = page_fault_done ] && [ "$t_hooks" = page_fault_done ] ||
		fail "page_fault_done exists but faults were closed by '$p_hooks' / '$t_hooks'"
	[ "$s_hooks" = fexit ] || [ "$s_hooks" = kprobe ] ||
		fail "stock-hook precise run closed faults by '$s_hooks'"
	close "$s_vl" "$s_vs" || fail "stock precise vma_lock $s_vl vs vmstat success $s_vs"
	near "$s_retry" "$s_vr" || fail "stock precise retry $s_retry vs vmstat retry $s_vr"
	near "$s_miss" "$s_va" || fail "stock precise miss $s_miss vs vmstat abort $s_va"
fi
cat > $R/suite.json <<JSON
{"ptshare": {"patch": $ptshare_patch, "procs": $NPROC, "sga_mb": $SIZE,
  "mmscope_mode": "$pt_mode", "mmscope_modes_failed": "$pt_failed",
  "shmem_pt_physical_bytes": ${sh_phys:-null}, "ptshare_pt_physical_bytes": ${pt_phys:-null},
  "ptshare_pt_logical_bytes": ${pt_logical:-null}, "one_copy_bytes": $one_copy,
  "ratio_vs_shmem": $ratio, "copies": $copies, "slack_bytes": $slack, "saving_vs_shmem_pct": ${saving:-null},
  "mmscope_shares": ${shares:-null}, "mmscope_unshares": ${unshares:-null},
  "hosts_created": ${hc:-null}, "hosts_destroyed": ${hd:-null},
  "shared_tables_after": ${st:-null}, "hosts_live": $hosts, "sharers_live": $sharers},
 "vmalock": {"vmstat": {"success": $vs, "abort": $va, "retry": $vr, "miss": $vm},
  "precise": {"via": "${p_via:-none}", "fault_hooks": "${p_hooks:-}", "faults": ${p_fa:-null}, "vma_lock": ${p_vl:-null}, "mmap_lock": ${p_ml:-null},
   "miss": ${p_miss:-null}, "retry": ${p_retry:-null}, "vmstat_success": ${p_vs:-null},
   "vmstat_retry": ${p_vr:-null}, "vmstat_abort": ${p_va:-null}, "retry_matches_vmstat": $p_retry_ok},
  "tracepoint": {"fault_hooks": "${t_hooks:-}", "faults": ${t_fa:-null}, "vma_lock": ${t_vl:-null},
   "vma_locked": ${t_locked:-null}, "miss": ${t_miss:-null}, "retry": ${t_retry:-null},
   "vmstat_success": ${t_vs:-null}, "vmstat_retry": ${t_vr:-null}, "vmstat_abort": ${t_va:-null}},
  "precise_stock": {"fault_hooks": "${s_hooks:-}", "faults": ${s_fa:-null}, "vma_lock": ${s_vl:-null},
   "miss": ${s_miss:-null}, "retry": ${s_retry:-null}, "vmstat_success": ${s_vs:-null},
   "vmstat_retry": ${s_vr:-null}, "vmstat_abort": ${s_va:-null}},
  "raw_events": {"success": $raw_s, "miss": $raw_m, "retry": $raw_r,
   "fallback": $raw_f, "lost_lines": $lost}},
 "status": $rc}
JSON
cat $R/suite.json
exit $rc
