#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad numeric and list values are refused up front with one "NAME: " line and
# exit 2: inf, nan, overflow and absurd times and
# sizes to mmscope, the scenario parser (via run --dry-run), pfbench,
# sga-bench and overhead; options a command would ignore; a run id past
# int64. Nothing here loads BPF or runs a workload: every case must fail
# while parsing, so the test takes well under a second per case.
. "$(dirname "$0")/lib.sh"
need_bin "$MMSCOPE"
need_bin "$BUILD/pfbench"
need_bin "$BUILD/overhead"
export MMSCOPE_DB="$TMP/store.db"

# bad2 PREFIX "what" CMD...: exit 2, one stderr line starting with PREFIX,
# nothing on stdout; each case is bounded by timeout (nan used to hang).
bad2() {
	local prefix="$1" what="$2" rc; shift 2
	timeout 20 "$@" >"$TMP/o" 2>"$TMP/e"; rc=$?
	[ $rc -eq 2 ] || fail "$what: exit $rc, expected 2 (stderr: $(head -c 300 "$TMP/e"))"
	[ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -q "^$prefix" "$TMP/e" ||
		fail "$what: expected one '$prefix' line, got: $(head -c 300 "$TMP/e")"
	[ ! -s "$TMP/o" ] || fail "$what: printed on stdout: $(head -c 200 "$TMP/o")"
	log "$what: $(cat "$TMP/e")"
}

# mmscope's shared options (parsed before anything is loaded)
bad2 "mmscope: " "--interval 1e19" "$MMSCOPE" vmalock --interval 1e19
bad2 "mmscope: " "--interval inf" "$MMSCOPE" faultlat --interval inf
bad2 "mmscope: " "--interval nan" "$MMSCOPE" ptmem --interval nan
bad2 "mmscope: " "--duration nan" "$MMSCOPE" vmalock --duration nan
bad2 "mmscope: " "--duration inf" "$MMSCOPE" top --duration inf
bad2 "mmscope: " "--duration -1" "$MMSCOPE" faultlat --duration -1
bad2 "mmscope: " "--duration 0x10" "$MMSCOPE" faultlat --duration 0x10
bad2 "mmscope: " "--duration 2y" "$MMSCOPE" faultlat --duration 9000h
bad2 "mmscope: " "export --interval nan" "$MMSCOPE" export --listen --interval nan
bad2 "mmscope: " "export --duration inf" "$MMSCOPE" export --listen --duration inf

# the scenario parser, through run --dry-run
printf 'workload = true\ntimeout = nan\n' >"$TMP/t.scn"
bad2 "mmscope: " "scenario timeout = nan" "$MMSCOPE" run --dry-run "$TMP/t.scn"
printf 'workload = true\nsettle = 1e12\n' >"$TMP/s.scn"
bad2 "mmscope: " "scenario settle = 1e12" "$MMSCOPE" run --dry-run "$TMP/s.scn"
printf 'workload = true\ntimeout = inf\n' >"$TMP/i.scn"
bad2 "mmscope: " "scenario timeout = inf" "$MMSCOPE" run --dry-run "$TMP/i.scn"

# run's and dashboard's own numbers
bad2 "mmscope: run: --repeats" "run --repeats 4294967297" "$MMSCOPE" run --dry-run --repeats 4294967297 "$TMP/t.scn"
bad2 "mmscope: dashboard: --k" "dashboard --k inf" "$MMSCOPE" dashboard --k inf -o "$TMP/d.html"
[ ! -e "$TMP/d.html" ] || fail "dashboard --k inf wrote a page"

# a run id that does not fit int64 is not clamped to the largest one (in a
# store that exists: a missing store is refused before any id is read)
echo '{"schema":"mmscope-runs/1","exported":0,"runs":[]}' > "$TMP/empty.json"
"$MMSCOPE" import "$TMP/empty.json" >/dev/null 2>&1 || fail "cannot make an empty store"
bad2 "mmscope: runs: " "runs 99999999999999999999" "$MMSCOPE" runs 99999999999999999999
grep -q "99999999999999999999" "$TMP/e" || fail "runs: the error does not name the id as given"
grep -q "9223372036854775807" "$TMP/e" && fail "runs: the id was clamped: $(cat "$TMP/e")"

# an option that would be ignored is an error
bad2 "mmscope: export: --max-requests" "export --json --max-requests" "$MMSCOPE" export --json --max-requests 3
bad2 "mmscope: export: --tracers" "export --json --tracers" "$MMSCOPE" export --json --tracers vmalock

# pfbench
bad2 "pfbench: " "pfbench anon -d inf" "$BUILD/pfbench" anon -d inf
bad2 "pfbench: " "pfbench anon -d nan" "$BUILD/pfbench" anon -d nan
bad2 "pfbench: " "pfbench -w nan" "$BUILD/pfbench" anon -w nan
bad2 "pfbench: " "pfbench -s nan" "$BUILD/pfbench" anon -s nan
bad2 "pfbench: " "pfbench -s 1e30" "$BUILD/pfbench" anon -s 1e30
bad2 "pfbench: " "pfbench --vmas without vma-footprint" "$BUILD/pfbench" --test private-cow -k 5
bad2 "pfbench: " "pfbench vma-footprint -d 1" "$BUILD/pfbench" vma-footprint -d 1

# sga-bench parses with the same parse_size/parse_seconds
if [ -x "$BUILD/sga-bench" ]; then
	bad2 "sga-bench: " "sga-bench --sga nan" "$BUILD/sga-bench" --sga nan
	bad2 "sga-bench: " "sga-bench --sga inf" "$BUILD/sga-bench" --sga inf
	bad2 "sga-bench: " "sga-bench --timeout nan" "$BUILD/sga-bench" --sga 2M --timeout nan
fi

# overhead: one message per option, naming it
bad2 "mmscope: overhead: --seconds" "overhead --seconds nan" "$BUILD/overhead" --seconds nan
bad2 "mmscope: overhead: --seconds" "overhead --seconds 1e19" "$BUILD/overhead" --seconds 1e19
bad2 "mmscope: overhead: --repeats" "overhead --repeats 0" "$BUILD/overhead" --repeats 0
bad2 "mmscope: overhead: --repeats" "overhead --repeats 4294967297" "$BUILD/overhead" --repeats 4294967297
bad2 "mmscope: overhead: --threads" "overhead --threads 1,x" "$BUILD/overhead" --threads 1,x
bad2 "mmscope: overhead: --tracers" "overhead --tracers ''" "$BUILD/overhead" --tracers ''
bad2 "mmscope: overhead: --tracers" "overhead --tracers vmalock,vmalock" "$BUILD/overhead" --tracers vmalock,vmalock
bad2 "mmscope: overhead: --tracers" "overhead --tracers bogus" "$BUILD/overhead" --tracers bogus
bad2 "mmscope: overhead: unknown option" "overhead --bogus" "$BUILD/overhead" --bogus
bad2 "mmscope: overhead: unexpected" "overhead extra" "$BUILD/overhead" extra

# overhead finds the mmscope beside itself, not in the working directory: a
# copy of the binary with no mmscope beside it, started from /, must name
# the path beside the copy (and stop there).
mkdir -p "$TMP/bin"
cp "$BUILD/overhead" "$TMP/bin/overhead"
(cd / && timeout 20 "$TMP/bin/overhead" --repeats 1 >"$TMP/o" 2>"$TMP/e"); rc=$?
[ $rc -ne 0 ] && grep -q "$TMP/bin/mmscope" "$TMP/e" ||
	fail "overhead does not look for mmscope beside itself (exit $rc): $(cat "$TMP/e")"
log "overhead from /: $(cat "$TMP/e")"
pass
