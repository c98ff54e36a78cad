#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope run: every repeat recorded with its environment (checked against
# uname, the kernel config, the build's git description, sha256sum of the
# scenario); malformed scenarios fail with FILE:LINE; guest scenarios refuse
# on this kernel naming scripts/kernel/boot.sh; a failing workload records
# nothing, not even the results it printed before failing (counted in the
# error); the shipped scenarios all parse.
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export MMSCOPE_DB="$TMP/r.db"
cp "$ROOT/tests/fixtures/fake-bench" "$TMP/"
S="$TMP/env.scn"
printf '# env check\nname = envcheck\nworkload = ./fake-bench --modes "a b"\nrepeats = 3\n' > "$S"
"$MMSCOPE" run "$S" --tag envtag > "$TMP/out" 2> "$TMP/err" || fail "run: $(cat "$TMP/err")"
cat "$TMP/out"
grep -q '^recorded run 1: scenario envcheck, 3 repeats' "$TMP/out" || fail "summary line"
grep -Eq '^fake-bench\.a\.fault_mean_ns +1000 ' "$TMP/out" || fail "printed mean"
"$MMSCOPE" export --json 1 > "$TMP/e.json"
j() { jq -r ".runs[0].$1" "$TMP/e.json"; }
[ "$(j kernel)" = "$(uname -r)" ] || fail "kernel $(j kernel)"
[ "$(j tag)" = envtag ] || fail "tag"
[ "$(j scenario_hash)" = "$(sha256sum < "$S" | cut -d' ' -f1)" ] || fail "scenario hash"
if [ -r /proc/config.gz ]; then want=$(zcat /proc/config.gz | sha256sum | cut -d' ' -f1)
elif [ -r "/boot/config-$(uname -r)" ]; then want=$(sha256sum < "/boot/config-$(uname -r)" | cut -d' ' -f1)
else want=unknown; fi
[ "$(j kernel_config_hash)" = "$want" ] || fail "config hash $(j kernel_config_hash), want $want"
[ "$(j cpu_model)" = "$(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')" ] || fail "cpu model $(j cpu_model)"
[ "$(j ncpus)" = "$(nproc --all)" ] || [ "$(j ncpus)" = "$(nproc)" ] || fail "ncpus"
[ "$(j mem_bytes)" = $(( $(awk '/^MemTotal/ {print $2}' /proc/meminfo) * 1024 )) ] || fail "mem_bytes $(j mem_bytes)"
commit=$(j mmscope_commit)
if [ -f "$BUILD/commit.stamp" ]; then
	[ "$commit" = "$(cat "$BUILD/commit.stamp")" ] || fail "commit $commit vs build stamp"
	git -C "$ROOT" cat-file -e "${commit%-dirty}^{commit}" 2>/dev/null || fail "commit $commit is not a git commit"
fi
[ "$(jq '.runs[0].repeats | length' "$TMP/e.json")" = 3 ] || fail "3 repeats"
[ "$(jq '[.runs[0].repeats[].docs | length] | unique' -c "$TMP/e.json")" = "[2]" ] || fail "2 documents a repeat"
[ "$(jq '[.runs[0].repeats[].wall_s > 0] | all' "$TMP/e.json")" = true ] || fail "wall time"
# the fixture's noise pattern proves the repeat index reached the workload
[ "$(jq -c '[.runs[0].repeats[].docs[0].doc.metrics.fault_mean_ns]' "$TMP/e.json")" = "[1000,1010,990]" ] ||
	fail "per-repeat values $(jq -c '[.runs[0].repeats[].docs[0].doc.metrics.fault_mean_ns]' "$TMP/e.json")"

# malformed scenarios: FILE:LINE: problem, exit 2, nothing recorded
bad() {
	printf "$2" > "$TMP/bad.scn"
	expect_fail_oneline "$1" "$MMSCOPE" run "$TMP/bad.scn"
	[ "$(cat "$TMP/ef.err")" = "mmscope: $TMP/bad.scn$3" ] || fail "$1: got '$(cat "$TMP/ef.err")'"
}
bad "unknown key" 'workload = ./fake-bench\n# c\n\n\n\n\nrepeat = 3\n' ":7: unknown key 'repeat'"
bad "bad repeats" 'workload = ./fake-bench\nrepeats = many\n' ":2: repeats 'many' must be a whole number from 1 to 1000"
bad "bad quote" 'workload = ./fake-bench "x\n' ":1: workload: unterminated quote"
bad "unknown tracer" 'tracers = ptmem nosuch\nworkload = ./fake-bench\n' \
	":1: unknown tracer 'nosuch' (known: vmalock ptmem faultlat ptshare)"
bad "no workload" 'repeats = 3\n' ": no 'workload = ...' line"
bad "not key=value" 'workload = ./fake-bench\nthis line is wrong\n' ":2: expected 'key = value'"
expect_fail_oneline "missing scenario" "$MMSCOPE" run "$TMP/none.scn"
expect_fail_oneline "missing program" "$MMSCOPE" run <(printf 'workload = no-such-bench-xyz\n')
grep -q "workload program 'no-such-bench-xyz' not found" "$TMP/ef.err" || fail "missing program message"
expect_fail_oneline "bad --repeats" "$MMSCOPE" run --repeats 0 "$S"

# guest scenario on this kernel
if [ ! -e /sys/kernel/tracing/events/vma_lock ]; then
	printf 'workload = ./fake-bench\nkernel = patched\n' > "$TMP/guest.scn"
	expect_fail_oneline "patched scenario on the host" "$MMSCOPE" run "$TMP/guest.scn"
	grep -q 'scripts/kernel/boot.sh --flavor patched' "$TMP/ef.err" || fail "does not name the boot script"
fi

# failing workload / no documents: exit 1, nothing recorded
n=$(sqlite3 "$MMSCOPE_DB" 'select count(*) from runs')
printf 'workload = ./fake-bench --fail\nrepeats = 2\n' > "$TMP/f.scn"
"$MMSCOPE" run "$TMP/f.scn" > /dev/null 2> "$TMP/ferr"; rc=$?
[ $rc -eq 1 ] || fail "failing workload: exit $rc"
grep -q 'workload .*exited with status 3' "$TMP/ferr" || fail "status not reported: $(cat "$TMP/ferr")"
grep -q 'nothing recorded' "$TMP/ferr" || fail "no 'nothing recorded'"
printf 'workload = /bin/echo hello\nrepeats = 2\n' > "$TMP/nodoc.scn"
"$MMSCOPE" run "$TMP/nodoc.scn" > /dev/null 2> "$TMP/nerr"; rc=$?
[ $rc -eq 1 ] && grep -q 'printed no mmscope/1 result documents' "$TMP/nerr" || fail "no-document workload: $rc $(cat "$TMP/nerr")"
[ "$(sqlite3 "$MMSCOPE_DB" 'select count(*) from runs')" = "$n" ] || fail "a run without documents was recorded"
# results printed before a non-zero exit are kept, the run marked partial with the reason
cat > "$TMP/half-bench" <<'EOF2'
#!/bin/sh
echo '{"schema":"mmscope/1","tool":"half","kind":"result","mode":"a","metrics":{"x":1}}'
echo 'half-bench: a line that is not JSON'
echo '{"schema":"mmscope/1","tool":"half","kind":"result","mode":"b","skipped":"why"}'
exit 3
EOF2
chmod +x "$TMP/half-bench"
printf 'workload = ./half-bench\nrepeats = 2\n' > "$TMP/half.scn"
"$MMSCOPE" run "$TMP/half.scn" > "$TMP/hout" 2> "$TMP/herr"; rc=$?
[ $rc -eq 1 ] || fail "workload failing after results: exit $rc"
grep -q '^mmscope: run: repeat 1: workload ./half-bench exited with status 3 after printing 2 result documents (kept)$' "$TMP/herr" ||
	fail "kept documents not reported: $(cat "$TMP/herr")"
grep -q '^half-bench: a line that is not JSON$' "$TMP/herr" || fail "workload's other output not passed on"
grep -q 'recorded as partial run' "$TMP/herr" || fail "no 'recorded as partial run'"
grep -q '^recorded partial run' "$TMP/hout" || fail "stdout does not say partial: $(cat "$TMP/hout")"
[ "$(sqlite3 "$MMSCOPE_DB" "select status || '|' || status_reason || '|' || repeats from runs where scenario = 'half'")" = \
  "partial|repeat 1: workload ./half-bench exited with status 3 after printing 2 result documents (kept)|1" ] ||
	fail "partial run: $(sqlite3 "$MMSCOPE_DB" "select * from runs where scenario = 'half'")"
[ "$(sqlite3 "$MMSCOPE_DB" "select count(*) from docs d join runs r on r.id = d.run_id where r.scenario = 'half'")" = 2 ] ||
	fail "documents of the partial run"
"$MMSCOPE" runs | grep -E ' half .*partial' >/dev/null || fail "runs does not show the partial run: $("$MMSCOPE" runs)"

# the shipped scenarios parse and name built drivers (guest ones refuse here)
for f in "$ROOT"/scenarios/*.scn; do
	if ! "$MMSCOPE" run --dry-run "$f" > "$TMP/dry" 2> "$TMP/dryerr"; then
		grep -q 'needs the patched QEMU guest kernel' "$TMP/dryerr" || fail "$f: $(cat "$TMP/dryerr")"
	fi
done
pass "environment recorded exactly; malformed scenarios name FILE:LINE; failures record nothing"
