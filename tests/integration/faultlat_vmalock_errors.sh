#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmalock/faultlat refuse bad input with one "mmscope: ..." line and a
# non-zero exit: bad arguments, a forced mode the kernel lacks, no
# privileges; and leave no BPF programs behind.
. "$(dirname "$0")/lib.sh"
require_root
need_bin "$MMSCOPE"

before=$(bpf_prog_count fb_)
for tool in vmalock faultlat; do
	expect_fail_oneline "$tool bad option" "$MMSCOPE" $tool --no-such-option
	expect_fail_oneline "$tool bad interval" "$MMSCOPE" $tool --interval abc
	expect_fail_oneline "$tool bad mode" "$MMSCOPE" $tool --mode fast
	expect_fail_oneline "$tool bad pid" "$MMSCOPE" $tool -p notapid
	precise=$("$MMSCOPE" $tool --mode precise --duration 0.2 >/dev/null 2>"$TMP/p.err"; echo $?)
	if [ "$precise" -ne 0 ]; then
		expect_fail_oneline "$tool --mode precise (unavailable here)" \
			"$MMSCOPE" $tool --mode precise --duration 0.2
		grep -Eq 'fentry|kprobe' "$TMP/ef.err" || fail "error does not say what is missing"
	else
		log "$tool: precise mode works on this kernel"
	fi
	if command -v setpriv >/dev/null; then
		expect_fail_oneline "$tool without privileges" \
			setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			"$MMSCOPE" $tool --duration 0.2
	fi
	"$MMSCOPE" $tool --help >"$TMP/help" 2>&1 || fail "$tool --help failed"
	grep -q -- '--mode' "$TMP/help" || fail "$tool --help lacks --mode"
	# a short run exits 0 with a summary
	"$MMSCOPE" $tool --duration 0.3 --interval 0.1 --json >"$TMP/run" 2>"$TMP/run.err" ||
		fail "$tool short run failed: $(cat "$TMP/run.err")"
	grep -q '"kind":"summary"' "$TMP/run" || fail "$tool printed no summary"
done
bpf_progs_back fb_ "$before" ||
	fail "BPF programs left behind: $(bpftool prog show | grep 'name fb_')"
pass
