# SPDX-License-Identifier: GPL-2.0
# mmscope probe: every answer matches what the kernel itself shows
# (tracefs events, /proc/vmstat, perf stat), and the unprivileged run says
# what it could not probe instead of guessing.
. "$(dirname "$0")/lib.sh"
require_root
require_jq
need_bin "$MMSCOPE"

"$MMSCOPE" probe --json >"$TMP/probe.json" || fail "probe --json exited $?"
json_valid "$TMP/probe.json" || fail "probe output is not JSON"
tracefs=/sys/kernel/tracing
[ -d $tracefs/events ] || fail "probe did not leave tracefs mounted at $tracefs"

for tp in $(jq -r '.tracepoints | keys[]' "$TMP/probe.json"); do
	want=false
	[ -e "$tracefs/events/${tp%%:*}/${tp#*:}/id" ] && want=true
	got=$(jq -r --arg k "$tp" '.tracepoints[$k]' "$TMP/probe.json")
	[ "$got" = "$want" ] || fail "tracepoint $tp: probe says $got, tracefs says $want"
done
log "tracepoints agree with tracefs ($(jq '.tracepoints | length' "$TMP/probe.json") checked)"

for c in $(jq -r '.vmstat | keys[]' "$TMP/probe.json"); do
	want=false
	grep -q "^$c " /proc/vmstat && want=true
	got=$(jq -r --arg k "$c" '.vmstat[$k] != null' "$TMP/probe.json")
	[ "$got" = "$want" ] || fail "vmstat $c: probe says $got, /proc/vmstat says $want"
done

if command -v perf >/dev/null; then
	want=false
	perf stat -e minor-faults -a -- true >/dev/null 2>&1 && want=true
	got=$(jq -r '.perf_sw_events["minor-faults"]' "$TMP/probe.json")
	[ "$got" = "$want" ] || fail "minor-faults: probe says $got, perf stat says $want"
fi

kp=false
[ -e /sys/bus/event_source/devices/kprobe/type ] && kp=true
[ "$kp" = false ] && [ "$(jq -r .attach.kprobe.available "$TMP/probe.json")" = true ] &&
	fail "probe claims kprobes without a kprobe PMU"

# Every built-in tracer reports the mode auto would pick.
for t in $(jq -r '.tracers | keys[]' "$TMP/probe.json"); do
	m=$(jq -r --arg t "$t" '.tracers[$t].auto' "$TMP/probe.json")
	case "$m" in precise|tracepoint|none) ;; *) fail "tracer $t: auto mode '$m'";; esac
	# a machine the tests run in a given mode (MMSCOPE_TEST_MODE): auto picks it
	case ${MMSCOPE_TEST_MODE:-auto} in
	auto) ;;
	"$m") log "tracer $t: auto = $m ($(jq -r --arg t "$t" --arg m "$m" '.tracers[$t].modes[$m].via' "$TMP/probe.json"))" ;;
	*) fail "tracer $t: auto mode $m, the tests run in $MMSCOPE_TEST_MODE mode: $(jq -c --arg t "$t" '.tracers[$t].modes' "$TMP/probe.json")" ;;
	esac
done

# Unprivileged: still exits 0, and warns on one line.
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$MMSCOPE" probe >"$TMP/np.out" 2>"$TMP/np.err" || fail "unprivileged probe exited $?"
	[ "$(wc -l <"$TMP/np.err")" -eq 1 ] && grep -q '^mmscope: probe: without root' "$TMP/np.err" ||
		fail "unprivileged probe stderr: $(cat "$TMP/np.err")"
fi
expect_fail_oneline "probe with a bad option" "$MMSCOPE" probe --bogus
# the text report prints what it knows, never a C "(null)" for a missing value
"$MMSCOPE" probe >"$TMP/text.out" 2>&1 || fail "probe exited $?"
grep -n "(null)" "$TMP/text.out" && fail "probe text prints (null)"
pass
