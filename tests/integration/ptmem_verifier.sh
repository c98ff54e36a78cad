#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The precise-mode programs of ptmem and ptshare pass the verifier here even
# though this host cannot attach them: kprobe and patch-tracepoint variants
# are loaded (not attached); fentry/fexit too when `mmscope probe` says the
# kernel accepts them.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
WL="$BUILD/tests/wl_pt_loadcheck"
need_bin "$WL"
need_bin "$MMSCOPE"
fentry=$("$MMSCOPE" probe --json 2>/dev/null | grep '^{' | tail -n 1 | jq -r '.attach.fentry.available')
arg=""
[ "$fentry" = true ] && arg=fentry
"$WL" $arg >"$TMP/out" 2>"$TMP/err" || fail "$(cat "$TMP/out") $(tail -n 5 "$TMP/err")"
cat "$TMP/out"
pass "loaded (fentry variants: ${arg:-not loadable on this kernel})"
