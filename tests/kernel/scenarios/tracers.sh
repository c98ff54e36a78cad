#!/bin/sh
# The host integration tests of the tracers (tests/integration/*.sh), run
# inside the guest in precise mode (fentry/fexit, kprobes: what the host
# kernel refuses), against the same ground truth as on the host: the
# workloads' perf fault counters, /proc/PID/status VmPTE, /proc/meminfo
# PageTables, tracefs, /proc/vmstat.
#   MMSCOPE=/bin/mmscope, BUILD=/build (workloads in /build/tests/wl_*:
#   make static), MMSCOPE_TEST_MODE=precise (every tracer run gets --mode
#   precise and each of its documents must say so), MMSCOPE_TEST_SLOW=10
#   (the tests wait 10x longer under TCG; what they compare is unchanged).
# Needs in the initramfs (scripts/kernel/initramfs.sh): bash, jq, setpriv,
# bpftool (scripts/kernel/deps.sh installs them on the host).
# Guest memory: 6G (boot.sh -m 6G). ptshare.sh reserves 512 hugepages
# (1 GiB) and wants MemAvailable > 4 GiB; with less it skips.
#   scripts/kernel/boot.sh -n -f patched -s tracers -m 6G -t 1500
# Takes ~210 s under TCG on 2 host cores (boot included; tests ~185 s)
# without the +stock/+kprobe runs; all 13 tests took 620 s on a host
# loaded far beyond its 2 cores (load average > 1000), ptmem_levels,
# ptmem_levels+stock and ptmem_levels+kprobe 23+60+45 s of it (26+29+33 s
# when run alone).
# Parameters: mmscope.test_mode (precise), mmscope.test_slow (10),
# mmscope.tests (comma-separated test names; default all below),
# mmscope.test_timeout (per test, seconds, 600).
# Results: tracers.json (per test: pass/fail/skip, seconds, skip reason or
# last failure line), tracers-NAME.log (each test's output),
# tracers-probe.json (mmscope probe --json), tracers-TOOL.verbose (the
# --verbose log of a tracer a failed test could not load).
# Exit status: 1 if any test failed (skips do not fail the scenario).
. /scenarios/lib.sh
export PATH=/usr/bin:/bin:/sbin
export MMSCOPE=/bin/mmscope BUILD=/build
export MMSCOPE_TEST_MODE=$(arg test_mode precise)
export MMSCOPE_TEST_SLOW=$(arg test_slow 10)
# NAME+stock: the test again with MMSCOPE_IGNORE_PATCH_TP=1, i.e. the
# tracers taking the paths of a kernel without the mmscope series (ptmem's
# fexit on pmd_install & co. instead of the pgtable tracepoints, vmalock and
# faultlat's fexit on handle_mm_fault instead of page_fault_done): run where
# the series' tracepoints exist. NAME+kprobe: the same with
# MMSCOPE_PTMEM_KPROBES=1 too (ptmem's kprobe path, where fentry works).
stock=
[ -d /sys/kernel/tracing/events/pgtable ] && stock=,faultlat_counts+stock,vmalock_counts+stock,ptmem+stock,ptmem_levels+stock,ptmem_levels+kprobe,ptshare+stock
TESTS=$(arg tests probe,faultlat_counts,vmalock_counts,vmalock_slots,ptmem,ptmem_levels,ptmem_exits,ptshare,faultlat_vmalock_errors,ptmem_errors$stock | tr , ' ')
TIMEOUT=$(arg test_timeout 600)
rc=0

missing=
for b in bash jq setpriv bpftool mmscope; do
	command -v $b > /dev/null || missing="$missing $b"
done
[ -d /build/tests ] || missing="$missing /build/tests/wl_*"
if [ -n "$missing" ]; then
	echo "FAIL missing in the initramfs:$missing (make static; scripts/kernel/deps.sh)"
	echo "{\"mode\": \"$MMSCOPE_TEST_MODE\", \"error\": \"missing:$missing\"}" > $R/tracers.json
	exit 1
fi
echo "tracers: mode $MMSCOPE_TEST_MODE, slow x$MMSCOPE_TEST_SLOW, kernel $(uname -r), $(nproc) CPUs, $(awk '/^MemTotal/ {print $2}' /proc/meminfo) kB"
mmscope probe --json > $R/tracers-probe.json 2> $R/tracers-probe.err
echo "probe: auto modes $(jq -c '[.tracers | to_entries[] | {(.key): .value.auto}] | add' $R/tracers-probe.json)"

# json_str TEXT: TEXT as a JSON string
json_str() { printf '%s' "$1" | jq -Rs .; }
np=0 nf=0 ns=0 t_all=$(date +%s) entries=
for t in $TESTS; do
	f=/tests/integration/${t%+*}.sh
	log=$R/tracers-$t.log
	t0=$(date +%s)
	if [ -f $f ]; then
		case $t in
		*+stock) MMSCOPE_IGNORE_PATCH_TP=1 timeout -k 10 $TIMEOUT bash $f > $log 2>&1 ;;
		*+kprobe) MMSCOPE_IGNORE_PATCH_TP=1 MMSCOPE_PTMEM_KPROBES=1 \
			timeout -k 10 $TIMEOUT bash $f > $log 2>&1 ;;
		*) timeout -k 10 $TIMEOUT bash $f > $log 2>&1 ;;
		esac
		trc=$?
	else
		echo "no such test $f" > $log; trc=127
	fi
	secs=$(( $(date +%s) - t0 ))
	why=
	case $trc in
	0)  st=pass; np=$((np + 1)) ;;
	77) st=skip; ns=$((ns + 1)); why=$(tail -n 1 $log) ;;
	*)  st=fail; nf=$((nf + 1)); rc=1; why="exit $trc: $(grep -E '^FAIL' $log | tail -n 1)" ;;
	esac
	printf '%-4s %-26s %4ds %s\n' "$(echo $st | tr a-z A-Z)" $t $secs "$why"
	# the measured figures and the mode checks, for the console
	grep -E '^\[[a-z_]+\] ' $log | sed 's/^/     | /'
	[ $st = fail ] && tail -n 20 $log | sed 's/^/     ! /'
	# a tracer that did not load: its libbpf/verifier log for the report
	for tool in $(sed -n 's/.*mmscope: \([a-z]*\): cannot load.*/\1/p' $log | sort -u); do
		timeout 300 mmscope $tool --mode $MMSCOPE_TEST_MODE --verbose --duration 1 \
			> /dev/null 2> $R/tracers-$tool.verbose
		echo "     ! $tool --mode $MMSCOPE_TEST_MODE --verbose: $(tail -n 3 $R/tracers-$tool.verbose | tr '\n' ' ') (tracers-$tool.verbose)"
	done
	entries="$entries${entries:+,
 }\"$t\": {\"status\": \"$st\", \"exit\": $trc, \"seconds\": $secs, \"reason\": $(json_str "$why"), \"log\": \"tracers-$t.log\"}"
done
cat > $R/tracers.json <<JSON
{"mode": "$MMSCOPE_TEST_MODE", "slow": $MMSCOPE_TEST_SLOW, "kernel": "$(uname -r)",
 "seconds": $(( $(date +%s) - t_all )), "passed": $np, "failed": $nf, "skipped": $ns,
 "tests": {$entries}}
JSON
jq . $R/tracers.json > /dev/null || { echo "FAIL tracers.json is not valid JSON"; rc=1; }
echo "tracers: $np passed, $nf failed, $ns skipped"
exit $rc
