#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sga-bench input errors: each is one "sga-bench: " line on stderr and a
# non-zero exit, and nothing is started (no child, no hugepages).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sga_lib.sh"
require_root
BIN="$BUILD/sga-bench"
need_bin "$BIN"
nr0=$(cat /proc/sys/vm/nr_hugepages)

bad() {
	local what="$1" pat="$2" rc p; shift 2
	"$BIN" "$@" >"$TMP/o" 2>"$TMP/e" &
	p=$!
	wait $p; rc=$?
	pgrep -x "$(sga_comm $p)" >/dev/null && fail "$what: children left behind"
	[ $rc -ne 0 ] || fail "$what: exit 0"
	[ "$(wc -l <"$TMP/e")" -eq 1 ] || fail "$what: expected one line, got: $(cat "$TMP/e")"
	grep -q '^sga-bench: ' "$TMP/e" || fail "$what: no 'sga-bench: ' prefix: $(cat "$TMP/e")"
	grep -q -- "$pat" "$TMP/e" || fail "$what: message lacks '$pat': $(cat "$TMP/e")"
	log "$what: exit $rc: $(cat "$TMP/e")"
}
bad "procs 0" "--procs" -n 0
bad "procs text" "--procs" -n lots
bad "bad size" "--sga" --sga 12Q
bad "odd size" "multiple of 2 MiB" --sga 3M
bad "bad touch" "--touch" --touch 1.5
bad "bad random" "--touch" --touch random:0
bad "bad mode" "--mode" -m tmpfs
bad "bad access" "--access" -a poke
bad "unknown option" "unknown option" --frobnicate
bad "stray argument" "unexpected argument" extra
bad "missing value" "needs an argument" --sga
bad "bad trace" "--trace" --trace maybe
bad "trace vs no-latency" "contradict" --trace on --no-latency
# Values strtod takes but no size or duration is.
bad "sga nan" "is not a size" --sga nan
bad "sga inf" "is not a size" --sga inf
for v in nan inf -inf -5 0 1e999 10x ""; do
	bad "budget '$v'" "is not a positive duration" --budget "$v"
done
bad "watchdog nan" "is not a duration" --watchdog nan
bad "watchdog -1" "is not a duration" --watchdog -1
bad "timeout inf" "is not a duration" --timeout inf
bad "progress bogus" "is not auto, off or a duration" --progress sometimes
# The refusal path: a 10 TiB SGA cannot fit; says how much it needs.
bad "impossible size" "need about" -n 10 --sga 10T
bad "impossible size hugetlb" "need about" -n 10 --sga 10T -m hugetlb
# Features this kernel may lack.
if ! grep -q '\[never\]\|\[deny\]' /sys/kernel/mm/transparent_hugepage/shmem_enabled; then
	log "shmem THP enabled here: thp-without-force case not applicable"
else
	bad "thp off" "--thp-force" -n 2 --sga 4M -m thp
fi
"$BIN" -n 2 --sga 4M -m ptshare >"$TMP/o" 2>"$TMP/e"
if [ $? -ne 0 ]; then
	grep -q "not supported by this kernel" "$TMP/e" || fail "ptshare: unclear error: $(cat "$TMP/e")"
	log "ptshare: $(cat "$TMP/e")"
fi
"$BIN" --help | grep -q -- "--procs" || fail "--help lacks --procs"
"$BIN" --help | grep -q -- "--trace WHEN" || fail "--help lacks --trace"
[ "$(cat /proc/sys/vm/nr_hugepages)" -eq "$nr0" ] || fail "nr_hugepages changed"
pass
