#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CI entry point for the kernel series:
#   1. the series applies to a fresh pristine tree, checkpatch --strict clean
#   2. patched kernel builds (cached in $MMSCOPE_KCACHE)
#   3. the suite is built static (make static) for the guest
#   4. it boots under QEMU and runs the short "ci" scenario (ptshare,
#      vma_lock, stress, the suite) with no panic/oops/WARNING/BUG/lockdep
#      splat
#   5. it boots again for the "tracers" scenario: the tracers' host
#      integration tests, in precise mode (fentry/fexit)
# Env: MMSCOPE_CI_TIMEOUT (guest timeout, s, default 1200)
set -o pipefail
here=$(dirname "$0")
. "$here/lib.sh"
t0=$(date +%s)
out=$MMSCOPE_TOP/build/kernel/ci
mkdir -p "$out"
step() { klog "== $* ($(( $(date +%s) - t0 ))s)"; }

step "kernel packages (scripts/kernel/deps.sh)"
"$here/deps.sh" || kdie "cannot install the kernel packages"

step "checkpatch and apply"
"$here/checkpatch.sh" 2>&1 | tee "$out/checkpatch.log" || kdie "checkpatch/apply failed"

step "build patched kernel"
"$here/build.sh" patched > "$out/build.out" || kdie "kernel build failed"

step "build the suite static (make static)"
nice -n "$KNICE" make -C "$MMSCOPE_TOP" static > "$out/static.log" 2>&1 ||
	{ tail -30 "$out/static.log" >&2; kdie "make static failed"; }

step "boot and run the ci scenario"
"$here/boot.sh" -f patched -n -s ci -o "$out/boot" -t "${MMSCOPE_CI_TIMEOUT:-1200}" \
	-a "mmscope.nproc=8 mmscope.size_mb=64 mmscope.seconds=15 mmscope.threads=2 mmscope.sga_procs=32 mmscope.sga_mb=512"
rc=$?
step "ci scenario: status $rc (0 ok, 1 scenario failed, 2 splat, 3 timeout)"
[ -f "$out/boot/results/ci.json" ] && cat "$out/boot/results/ci.json"

# the tracers' integration tests in precise mode (6 GiB: ptshare.sh's
# 1 GiB of hugepages), ~210 s under TCG
step "boot and run the tracers scenario (precise mode)"
"$here/boot.sh" -f patched -n -s tracers -m 6G -o "$out/tracers" -t "${MMSCOPE_CI_TIMEOUT:-1200}"
trc=$?
step "tracers scenario: status $trc"
[ -f "$out/tracers/results/tracers.json" ] && cat "$out/tracers/results/tracers.json"
[ $rc -ne 0 ] || rc=$trc
step "done: status $rc"
exit $rc
