#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope ptmem/ptshare: bad arguments and an unavailable forced mode exit
# non-zero with one "mmscope: ..." line, and leave no BPF program loaded.
. "$(dirname "$0")/lib.sh"
require_root
need_bin "$MMSCOPE"
before=$(bpftool prog show 2>/dev/null | grep -c 'snap_tasks' || true)
for t in ptmem ptshare; do
	expect_fail_oneline "$t --interval 0" "$MMSCOPE" "$t" --interval 0
	expect_fail_oneline "$t --bogus" "$MMSCOPE" "$t" --bogus
	expect_fail_oneline "$t --mode fast" "$MMSCOPE" "$t" --mode fast
	expect_fail_oneline "$t -p abc" "$MMSCOPE" "$t" -p abc
	expect_fail_oneline "$t extra arg" "$MMSCOPE" "$t" extra
done
expect_fail_oneline "ptmem --top -1" "$MMSCOPE" ptmem --top -1
expect_fail_oneline "ptmem --exits 0" "$MMSCOPE" ptmem --exits 0
expect_fail_oneline "ptmem --exits x" "$MMSCOPE" ptmem --exits x
expect_fail_oneline "ptmem --exits ''" "$MMSCOPE" ptmem --exits ''
expect_fail_oneline "ptshare --sharers 1,x" "$MMSCOPE" ptshare --sharers 1,x
# precise mode needs fentry or kprobes (or the patch tracepoints for ptmem)
probe_json=$("$MMSCOPE" probe --json 2>/dev/null | grep '^{' | tail -n 1)
for t in ptmem ptshare; do
	avail=$(echo "$probe_json" | jq -r ".tracers.$t.modes.precise.available" 2>/dev/null)
	if [ "$avail" = false ]; then
		expect_fail_oneline "$t --mode precise" "$MMSCOPE" "$t" --mode precise --duration 1
	else
		log "$t: precise mode available here ($avail); forced-mode failure not testable"
	fi
done
after=$(bpftool prog show 2>/dev/null | grep -c 'snap_tasks' || true)
[ "$after" -le "$before" ] || fail "BPF programs left loaded ($before -> $after)"
pass
