# SPDX-License-Identifier: GPL-2.0
# Shared helpers for tests/integration/*.sh. Source it first:
#   . "$(dirname "$0")/lib.sh"
# Provides: skip, fail, require_root, require_cmd, need_bin, spawn (background
# process killed at exit), tmpdir cleanup, wait_for_line, wait_exit,
# json helpers (jq), within_pct. Exit codes: 0 pass, 77 skip, else fail.
# Environment (both unset on the host; the QEMU guest's `tracers` scenario
# sets them):
#   MMSCOPE_TEST_MODE=auto|precise|tracepoint  the tracers run with --mode
#       MODE (MODE_ARGS) and every tracer document must say that mode
#       (check_mode); unset: the tracers' default (auto), not checked.
#   MMSCOPE_TEST_SLOW=N  (integer, default 1) multiply how long the tests
#       wait (wait_for_line, wait_exit, slow/sleep_slow: tracer durations,
#       settling sleeps) by N, for slow machines (TCG guests). Never what
#       is compared.
set -u

MMSCOPE="${MMSCOPE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/mmscope}"
BUILD="${BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}"
TEST_NAME="$(basename "$0" .sh)"
TMP="$(mktemp -d "/tmp/mmscope-${TEST_NAME}.XXXXXX")"
_LIB_PIDS=()
_LIB_CLEANUPS=()
SLOW=${MMSCOPE_TEST_SLOW:-1}
case $SLOW in ''|*[!0-9]*|0) echo "MMSCOPE_TEST_SLOW must be a positive integer, not '$SLOW'"; exit 1 ;; esac
MODE_ARGS=()
case ${MMSCOPE_TEST_MODE:-} in
'') ;;
auto|precise|tracepoint) MODE_ARGS=(--mode "$MMSCOPE_TEST_MODE") ;;
*) echo "MMSCOPE_TEST_MODE must be auto, precise or tracepoint, not '$MMSCOPE_TEST_MODE'"; exit 1 ;;
esac

# Kill every background process spawn() started (TERM, then KILL), run the
# registered cleanup commands, and remove the scratch directory.
_lib_cleanup() {
	local rc=$? p c
	trap - EXIT INT TERM
	for p in "${_LIB_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${_LIB_PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for c in "${_LIB_CLEANUPS[@]}"; do
		eval "$c" 2>/dev/null
	done
	rm -rf "$TMP"
	exit $rc
}
trap _lib_cleanup EXIT
trap 'exit 130' INT TERM

# at_exit "command": run when the test ends, pass or fail.
at_exit() { _LIB_CLEANUPS+=("$1"); }

log() { echo "[$TEST_NAME] $*"; }
# skip "why": the reason is the last line of the log (tests/run prints it).
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
pass() { log "PASS${1:+: $1}"; exit 0; }

require_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
require_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip "needs $1 (${2:-apt-get install $1})"
}
# need_bin PATH: a build product the test runs.
need_bin() { [ -x "$1" ] || fail "$1 not built (run make)"; }

# spawn OUTFILE ERRFILE CMD...: start CMD in the background, remember its pid
# in $SPAWNED (and for cleanup).
spawn() {
	local out="$1" err="$2"; shift 2
	"$@" >"$out" 2>"$err" &
	SPAWNED=$!
	_LIB_PIDS+=("$SPAWNED")
}

# spawn_ready OUT ERR READY CMD...: spawn a tracer like spawn, with the
# readiness fd `mmscope run` uses (MMSCOPE_READY_FD) open on the file READY:
# "ready" appears in it once the tracer is attached and has its baseline
# (wait_for_line READY ready). With --json a tracer prints no "tracing"
# line, and a fixed sleep is too short where attaching is slow (fentry under
# TCG next to other guests).
spawn_ready() {
	local out="$1" err="$2" ready="$3"; shift 3
	: > "$ready"
	( exec 9>>"$ready"; MMSCOPE_READY_FD=9 exec "$@" ) >"$out" 2>"$err" &
	SPAWNED=$!
	_LIB_PIDS+=("$SPAWNED")
}

# slow SECONDS: SECONDS x MMSCOPE_TEST_SLOW (fractions kept).
slow() { awk -v t="$1" -v f="$SLOW" 'BEGIN { print t * f }'; }
# sleep_slow SECONDS: a settling pause, scaled like the waits.
sleep_slow() { sleep "$(slow "$1")"; }

# wait_for_line FILE PATTERN TIMEOUT_S: wait until an extended regex matches a
# line of FILE; returns 1 on timeout (TIMEOUT_S x MMSCOPE_TEST_SLOW, whole
# seconds; bash's SECONDS, no GNU date needed).
wait_for_line() {
	local file="$1" pat="$2" t="${3:-10}" end
	t=${t%.*}
	end=$(( SECONDS + ${t:-0} * SLOW ))
	while [ "$SECONDS" -le $end ]; do
		grep -Eq -- "$pat" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_exit PID TIMEOUT_S: wait for a spawned process to end, return its
# exit status (124 on timeout, after killing it). TIMEOUT_S is scaled by
# MMSCOPE_TEST_SLOW.
wait_exit() {
	local pid="$1" t="${2:-10}" i
	t=$((t * SLOW))
	for ((i = 0; i < t * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 124
}

# jq helpers. jget FILE FILTER: the filter on the last JSON document of FILE
# (docs are one per line); jget_kind FILE KIND FILTER: on the last document
# with .kind == KIND.
require_jq() { require_cmd jq "apt-get install -y jq"; }
jget() { grep '^{' "$1" | tail -n 1 | jq -r "$2"; }
jget_kind() {
	grep '^{' "$1" | jq -c "select(.kind == \"$2\")" | tail -n 1 | jq -r "$3"
}
# json_valid FILE: every line starting with { parses.
json_valid() { grep '^{' "$1" | jq -e . >/dev/null; }

# within_pct A B PCT: |A-B| <= PCT% of B (B > 0).
within_pct() {
	awk -v a="$1" -v b="$2" -v p="$3" \
		'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * p / 100) }'
}

# expect_fail_oneline "what" CMD...: CMD must exit non-zero and print exactly
# one stderr line starting with "mmscope: ".
expect_fail_oneline() {
	local what="$1" rc; shift
	"$@" >"$TMP/ef.out" 2>"$TMP/ef.err"
	rc=$?
	[ $rc -ne 0 ] || fail "$what: exit 0, expected an error"
	[ "$(wc -l <"$TMP/ef.err")" -eq 1 ] ||
		fail "$what: expected one error line, got: $(cat "$TMP/ef.err")"
	grep -q '^mmscope: ' "$TMP/ef.err" ||
		fail "$what: error does not start with 'mmscope: ': $(cat "$TMP/ef.err")"
	log "$what: exit $rc: $(cat "$TMP/ef.err")"
}

# no_leftover_bpf: no BPF program of ours (name prefix) is still loaded.
bpf_prog_count() {
	bpftool prog show 2>/dev/null | grep -c "name $1" || true
}
# bpf_progs_back PREFIX COUNT: wait up to 15 s for the programs named
# PREFIX* to number COUNT again. The kernel frees a raw tracepoint's
# program some seconds after its last fd closed (deferred unregistering),
# so an immediate count sees a program that is already on its way out.
bpf_progs_back() {
	local i
	for i in $(seq $((150 * SLOW))); do
		[ "$(bpf_prog_count "$1")" -le "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# start_workload OUT CMD...: start a workload that prints {"ready":PID} and
# waits for SIGUSR1 (wl_faultloop --wait); sets WL_PID once it is ready.
start_workload() {
	local out="$1"; shift
	spawn "$out" "$out.err" "$@"
	WL_PID=$SPAWNED
	wait_for_line "$out" '"ready"' 10 || fail "workload did not get ready: $(cat "$out.err")"
}

# check_mode FILE WHAT [quiet]: with MMSCOPE_TEST_MODE set, every tracer
# document in FILE must carry that mode (a forced mode that does not load
# fails the tracer anyway; this also catches a silent fallback).
check_mode() {
	[ -n "${MMSCOPE_TEST_MODE:-}" ] || return 0
	local modes
	modes=$(grep '^{' "$1" | jq -r '.mode' | sort -u | tr '\n' ' ')
	[ "$modes" = "$MMSCOPE_TEST_MODE " ] ||
		fail "$2: documents in mode(s) '$modes', expected $MMSCOPE_TEST_MODE"
	[ -n "${3:-}" ] || log "$2: all $(grep -c '^{' "$1") documents in $MMSCOPE_TEST_MODE mode"
	check_fault_hooks "$1" "$2"
}

# check_fault_hooks FILE WHAT: vmalock/faultlat documents say which hooks
# closed the faults; on a kernel with exceptions:page_fault_done
# (patches/0004) that must be it, unless MMSCOPE_IGNORE_PATCH_TP asks for
# the stock-kernel hooks, and then it must not be (no silent fallback
# either way).
check_fault_hooks() {
	local hooks want=
	hooks=$(grep '^{' "$1" | jq -r '.fault_hooks // empty' | sort -u | tr '\n' ' ')
	[ -n "$hooks" ] || return 0
	if [ -d "${TRACEFS:-/sys/kernel/tracing}/events/exceptions/page_fault_done" ] &&
	   [ "${MMSCOPE_IGNORE_PATCH_TP:-0}" = 0 ]; then
		want=page_fault_done
		[ "$hooks" = "$want " ] || fail "$2: faults closed by '$hooks', expected $want"
	else
		case " $hooks" in *" page_fault_done "*)
			fail "$2: faults closed by page_fault_done with MMSCOPE_IGNORE_PATCH_TP set or no such event" ;;
		esac
	fi
	log "$2: faults closed by ${hooks% }"
}

# start_tracer_json OUT TOOL ARGS...: `mmscope TOOL --json --interval 0.3
# [--mode MMSCOPE_TEST_MODE] ARGS`, wait until its first interval document
# (it is attached by then); sets TRACER_PID.
start_tracer_json() {
	local out="$1" tool="$2"; shift 2
	spawn "$out" "$out.err" "$MMSCOPE" "$tool" --json --interval 0.3 "${MODE_ARGS[@]}" "$@"
	TRACER_PID=$SPAWNED
	wait_for_line "$out" '"kind":"interval"' 15 ||
		fail "mmscope $tool did not start: $(cat "$out.err")"
	check_mode "$out" "mmscope $tool" quiet
	TRACER_OUT=$out TRACER_TOOL=$tool
}

# stop_tracer PID: Ctrl-C it and wait for its summary; fails on a bad exit.
# For the tracer start_tracer_json started: the mode check over all its
# documents.
stop_tracer() {
	local rc
	kill -INT "$1"
	wait_exit "$1" 15
	rc=$?
	[ $rc -eq 0 ] || fail "tracer exited with $rc"
	[ "$1" = "${TRACER_PID:-}" ] && check_mode "$TRACER_OUT" "mmscope $TRACER_TOOL"
	return 0
}
