#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# overhead --peer bpftrace: the bpftrace program a user would write for
# faultlat's histogram is measured in the same pairs, and it really traced:
# its histogram holds at least every fault the loop took in that run (the
# loop counts its own first touches, one fault per page). The machine's
# cost of an untraced fault is printed and agrees with the untraced rate.
. "$(dirname "$0")/lib.sh"
require_root
need_bin "$BUILD/overhead"
command -v bpftrace >/dev/null || skip "bpftrace is not installed (make setup installs it)"

# bad peer: rc 2, one line
"$BUILD/overhead" --peer perf > "$TMP/bad.out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "--peer perf: exit $rc, want 2"
grep -q -- "--peer must be bpftrace" "$TMP/bad.out" || fail "no clear error: $(cat "$TMP/bad.out")"

"$BUILD/overhead" --mmscope "$MMSCOPE" --tracers faultlat --peer bpftrace --repeats 2 \
	--seconds 0.3 --threads 1 --mode tracepoint --json > "$TMP/o.json" 2> "$TMP/o.err" ||
	fail "overhead --peer bpftrace failed: $(tail -5 "$TMP/o.err")"
cat "$TMP/o.json" | jq -c '{peer, untraced_ns_per_fault}'
jq -e '.rows[] | select(.config == "bpftrace (peer)") | .ratio > 0 and .ratio < 1.5' \
	"$TMP/o.json" >/dev/null || fail "no sane bpftrace row"
hist=$(jq '.peer.last_run_histogram_faults' "$TMP/o.json")
loop=$(jq '.peer.last_run_loop_faults' "$TMP/o.json")
[ "$loop" -gt 10000 ] || fail "the peer run's loop took only $loop faults"
[ "$hist" -ge "$loop" ] || fail "bpftrace's histogram has $hist faults, fewer than the loop's $loop"
# the rest is the traced warm-up (a quarter run) and the rest of the machine
[ "$hist" -le $((loop * 6)) ] || fail "bpftrace's histogram has $hist faults, over 6x the loop's $loop"
jq -e '.peer | has("faultlat_vs_peer_1t")' "$TMP/o.json" >/dev/null || fail "no faultlat_vs_peer_1t"
# ns per untraced fault = 1e9 / untraced faults per CPU-second of the first row
jq -e '(.untraced_ns_per_fault - 1e9 / .rows[0].untraced_faults_per_cpu_s_mean) | fabs < 1' \
	"$TMP/o.json" >/dev/null || fail "untraced_ns_per_fault disagrees with the untraced rate"
# no bpftrace left behind
pgrep -f 'software:minor-faults:1, software:major-faults:1' >/dev/null &&
	fail "the peer bpftrace is left running"
ls /tmp/mmscope-overhead-peer.* 2>/dev/null && fail "the peer's output file is left"
echo "peer measured: histogram $hist >= loop $loop faults"
