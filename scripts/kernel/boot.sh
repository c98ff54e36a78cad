#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernel/boot.sh [options]
#   -f, --flavor patched|pristine   kernel to boot (default patched)
#   -s, --scenario NAME             tests/kernel/scenarios/NAME.sh (default smoke)
#   -t, --timeout SEC               whole-run timeout (default 600)
#   -o, --out DIR                   results dir (default build/kernel/<flavor>-<scenario>)
#   -k, --kernel BZIMAGE            boot this image, do not build
#   -m, --mem SIZE                  guest memory (default 2G; selftests 6G:
#                                   mremap_test's 2 GiB moves, 256 MiB of hugepages)
#   -a, --append ARGS               extra kernel command line (selftests:
#                                   numa=fake=2 is always there)
#   -n, --no-build                  use the cached bzImage as is
# Env: MMSCOPE_SELFTESTS=DIR (selftests scenario: the test binaries to run;
#      default $MMSCOPE_KCACHE/selftests/bin, built by selftests.sh),
#      MMSCOPE_ACCEL=kvm|tcg|auto (default auto: KVM if it starts, else TCG),
#      MMSCOPE_TCG_THREAD=single|multi (default single: see run_qemu),
#      MMSCOPE_ICOUNT=QEMU -icount options (default: shift=0,sleep=off for the
#      overhead and progcost scenarios, off otherwise; empty = off)
# Exit status: 0 ok; 1 scenario failed; 2 splat (panic/oops/WARNING/BUG/
# lockdep); 3 timeout; other: build/setup error.
. "$(dirname "$0")/lib.sh"

flavor=patched scenario=smoke timeout=600 out= kernel= mem= append= nobuild=0
while [ $# -gt 0 ]; do
	case $1 in
	-f|--flavor) flavor=$2; shift ;;
	-s|--scenario) scenario=$2; shift ;;
	-t|--timeout) timeout=$2; shift ;;
	-o|--out) out=$2; shift ;;
	-k|--kernel) kernel=$2; shift ;;
	-m|--mem) mem=$2; shift ;;
	-a|--append) append=$2; shift ;;
	-n|--no-build) nobuild=1 ;;
	*) kdie "unknown option $1" ;;
	esac
	shift
done
[ -f "$MMSCOPE_TOP/tests/kernel/scenarios/$scenario.sh" ] || kdie "no scenario $scenario"
if [ -z "$mem" ]; then
	case $scenario in selftests) mem=6G ;; *) mem=2G ;; esac
fi
# two (emulated) NUMA nodes for the selftests: ptshare's move_pages check
# needs a node to move to; the upstream tests pass with one or two
[ "$scenario" = selftests ] && append="numa=fake=2${append:+ $append}"
# TCG instruction counting (see run_qemu): on for the overhead scenario
icount=${MMSCOPE_ICOUNT-}
case $scenario in overhead|progcost) icount=${MMSCOPE_ICOUNT-shift=0,sleep=off} ;; esac
out=${out:-$MMSCOPE_TOP/build/kernel/$flavor-$scenario}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/results"; mkdir -p "$out/results"

if [ -z "$kernel" ]; then
	if [ "$nobuild" = 1 ]; then
		kernel=$(kbuild_dir "$flavor")/arch/x86/boot/bzImage
	else
		kernel=$(kbuild "$flavor") || exit 4
	fi
fi
[ -f "$kernel" ] || kdie "no kernel image $kernel"
if [ "$scenario" = selftests ] && [ -z "${MMSCOPE_SELFTESTS:-}" ]; then
	# built from this series (the ptshare test changes with it), or rebuilt
	[ -d "$KCACHE/selftests/bin" ] &&
		[ "$(cat "$KCACHE/selftests/.series" 2>/dev/null)" = "$(kseries_hash)" ] ||
		"$MMSCOPE_TOP/scripts/kernel/selftests.sh" || exit 4
	export MMSCOPE_SELFTESTS=$KCACHE/selftests/bin
fi
"$MMSCOPE_TOP/scripts/kernel/initramfs.sh" "$out/initramfs.cpio.gz" || exit 4

QEMU=${MMSCOPE_QEMU:-qemu-system-x86_64}
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null; sleep 1; kill -9 "$qpid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_qemu <accel> <console>: start QEMU in the background, sets qpid
run_qemu() {
	local accel=$1 log=$2 cpu acc icount_args=()
	if [ "$accel" = kvm ]; then
		cpu=host acc=kvm
	else
		# One TCG thread for both vCPUs: with a thread per vCPU (QEMU 7.2)
		# a vCPU ran a stale translation of kernel text that still held
		# text_poke_bp()'s int3 after the patching had finished (guest
		# Oops: int3 in ttwu_do_activate while a tracepoint's static call
		# was updated). Slower for parallel guest work, never wrong.
		cpu=max acc=tcg,thread=${MMSCOPE_TCG_THREAD:-single}
		# Instruction counting: guest time advances 2^shift ns per
		# instruction, so the guest's clocks measure instructions executed,
		# whatever else the host is doing. The overhead scenario uses it:
		# its ratios are then instruction-count ratios, not TCG timing noise.
		[ -n "$icount" ] && icount_args=(-icount "$icount")
	fi
	: > "$log"
	nice -n "$KNICE" "$QEMU" -machine q35 -accel "$acc" "${icount_args[@]}" -cpu "$cpu" -smp 2 -m "$mem" \
		-kernel "$kernel" -initrd "$out/initramfs.cpio.gz" \
		-append "console=ttyS0 no5lvl panic=-1 oops=panic loglevel=6 mmscope.scenario=$scenario $append" \
		-display none -monitor none -serial "file:$log" -no-reboot \
		-virtfs "local,path=$out/results,mount_tag=results,security_model=none,id=results" \
		-nic none </dev/null >"$out/qemu.stderr" 2>&1 &
	qpid=$!
}

# wait_marker <log> <regex> <seconds>: 0 when seen, 1 on timeout, 2 if QEMU exited
wait_marker() {
	local log=$1 re=$2 end=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -lt "$end" ]; do
		grep -qE "$re" "$log" 2>/dev/null && return 0
		kill -0 "$qpid" 2>/dev/null || { grep -qE "$re" "$log" && return 0; return 2; }
		sleep 1
	done
	return 1
}

accel=${MMSCOPE_ACCEL:-auto}
log=$out/console.log
t0=$(date +%s)
kvm_broken=$KCACHE/kvm-broken
if [ "$accel" = auto ]; then
	accel=tcg
	# a failed KVM probe is remembered for a day
	if [ -w /dev/kvm ] && ! [ -n "$(find "$kvm_broken" -mmin -1440 2>/dev/null)" ]; then
		run_qemu kvm "$log"
		if wait_marker "$log" 'MMSCOPE-INIT-START' "${MMSCOPE_KVM_PROBE:-30}"; then
			accel=kvm
		else
			klog "KVM guest did not reach init, falling back to TCG"
			cleanup; qpid=
			cp "$log" "$out/console-kvm-probe.log"
			touch "$kvm_broken"
		fi
	fi
	[ "$accel" = tcg ] && run_qemu tcg "$log"
else
	run_qemu "$accel" "$log"
fi
klog "booted $flavor ($kernel) accel=$accel scenario=$scenario"
remain=$(( timeout - ($(date +%s) - t0) ))
[ $remain -lt 10 ] && remain=10
wait_marker "$log" 'MMSCOPE-SCENARIO-DONE' "$remain"
wm=$?
# give the guest a moment to power off
for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$qpid" 2>/dev/null || break; sleep 1; done
cleanup
t1=$(date +%s)

# results that came over the console (no 9p)
awk -v dir="$out/results" '
	/^MMSCOPE-FILE-BEGIN / { f = dir "/" $2; sub(/\r$/, "", f); next }
	/^MMSCOPE-FILE-END/ { close(f); f = ""; next }
	f != "" { print > f }' "$log"

rc=0
if ! ksplat_check "$log"; then
	rc=2
elif [ $wm -ne 0 ]; then
	if grep -q 'MMSCOPE-INIT-START' "$log"; then
		klog "timeout/exit before the scenario finished (see $log)"
	else
		klog "guest never reached init (see $log, $out/qemu.stderr)"
	fi
	rc=3
else
	src=$(sed -n 's/.*MMSCOPE-SCENARIO-DONE rc=\([0-9]*\).*/\1/p' "$log" | tail -1)
	[ "${src:-1}" = 0 ] || { klog "scenario $scenario failed rc=$src"; rc=1; }
fi
cat > "$out/run.json" <<JSON
{"flavor": "$flavor", "scenario": "$scenario", "accel": "$accel", "kernel": "$kernel",
 "seconds": $((t1 - t0)), "status": $rc, "console": "$log", "results": "$out/results"}
JSON
klog "done: status=$rc in $((t1 - t0))s, results in $out/results"
exit $rc
