#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ptshare on a sharer that shares nothing: the sharing ratio is
# n/a below the stated noise threshold (the sharers' page tables grew by
# less than 64 KiB), even while another process grows PageTables; and a
# logical change that is negative (the sharer exited) prints as
# "(-N KiB since start)", not "(+-N ...)".
. "$(dirname "$0")/lib.sh"
require_root
require_jq
WL="$BUILD/tests/wl_faultloop"
need_bin "$MMSCOPE"; need_bin "$WL"

# the "sharer": waits for SIGUSR1 that never comes, then is killed
for fmt in text json; do
	start_workload "$TMP/idle.$fmt" "$WL" --threads 1 --size 1M --loops 1 --wait
	IDLE=$WL_PID
	args=()
	[ $fmt = json ] && args=(--json)
	spawn "$TMP/$fmt" "$TMP/$fmt.err" "$MMSCOPE" ptshare "${MODE_ARGS[@]}" "${args[@]}" \
		--sharers "$IDLE" --interval 10 --duration "$(slow 20)"
	TPID=$SPAWNED
	sleep_slow 1
	# someone else grows PageTables (~256 KiB of PTE pages), not a sharer
	"$WL" --threads 1 --size 128M --loops 1 >/dev/null 2>&1 &
	other=$!
	sleep_slow 1
	kill "$IDLE"; wait "$IDLE" 2>/dev/null
	wait "$other"
	sleep_slow 0.5
	kill -INT "$TPID"
	wait_exit "$TPID" 10 || fail "ptshare did not stop: $(cat "$TMP/$fmt.err")"
done
cat "$TMP/text" | sed 's/^/    /'
grep -q -- '+-' "$TMP/text" && fail "'+-' in ptshare's output: $(grep -- '+-' "$TMP/text")"
grep -q 'logical .*(-[0-9.]* KiB since start)' "$TMP/text" ||
	fail "no negative logical change printed: $(grep logical "$TMP/text")"
grep -q 'sharing ratio: n/a (the sharers.* less than 64 KiB, the noise threshold)' "$TMP/text" ||
	fail "ptshare printed a sharing ratio for a sharer that shares nothing: $(grep 'sharing ratio' "$TMP/text")"
grep -q 'sharing ratio, other' "$TMP/text" && fail "attributed ratio printed below the threshold"
json_valid "$TMP/json" || fail "invalid JSON"
ld=$(jget_kind "$TMP/json" summary .logical.delta_bytes)
r=$(jget_kind "$TMP/json" summary .sharing_ratio)
ar=$(jget_kind "$TMP/json" summary .attributed_sharing_ratio)
thr=$(jget_kind "$TMP/json" summary .ratio_noise_threshold_bytes)
pd=$(jget_kind "$TMP/json" summary .physical.delta_bytes)
log "sharer exited: logical delta $ld B, physical delta $pd B, ratio $r / $ar, threshold $thr B"
[ "$ld" -lt 0 ] || fail "the sharer's exit did not take its tables out of the logical sum ($ld)"
[ "$r" = null ] && [ "$ar" = null ] || fail "ratio $r / $ar below the noise threshold, want null"
[ "$thr" = 65536 ] || fail "ratio_noise_threshold_bytes $thr"
"$MMSCOPE" ptshare --help | grep -q 'noise' || fail "--help does not state the noise threshold"
pass
