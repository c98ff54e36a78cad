#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/run speaks TAP: one line per unit test function (from unit.h's
# RUN), a crash is a failure line of its own, and `prove` reads the whole
# output with the right counts; the plain "N passed, N failed, N skipped"
# line stays last.
. "$(dirname "$0")/lib.sh"
require_cmd prove
require_cmd cc
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$TMP/build/tests"
# one passing and one failing function, plus a check outside any RUN()
cat > "$TMP/tapfake.c" <<'C'
#include "unit.h"
static void passes(void) { CHECK(1 + 1 == 2, "arithmetic"); }
static void fails(void) { CHECK(1 + 1 == 3, "deliberate"); }
int main(void) { RUN(passes); RUN(fails); return unit_done("tapfake"); }
C
cc -I"$top/tests/unit" -o "$TMP/build/tests/test_tapfake1" "$TMP/tapfake.c" -lm ||
	fail "cannot build the fake unit test"
printf '#!/bin/sh\necho "ok 1 - before"\nkill -SEGV $$\n' > "$TMP/build/tests/test_tapfake2"
chmod +x "$TMP/build/tests/test_tapfake2"

BUILD="$TMP/build" bash "$top/tests/run" tapfake > "$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
[ $rc -ne 0 ] || fail "runner exit 0 with failures"
grep -qx 'ok 1 - unit/test_tapfake1/passes' "$TMP/out" || fail "no line for the passing function"
grep -qx 'not ok 2 - unit/test_tapfake1/fails' "$TMP/out" || fail "no line for the failing function"
grep -q '^# .*CHECK(1 + 1 == 3) failed' "$TMP/out" || fail "failure detail not a TAP diagnostic"
grep -qx 'ok 3 - unit/test_tapfake2/before' "$TMP/out" || fail "crashed binary's passing line lost"
grep -qx 'not ok 4 - unit/test_tapfake2' "$TMP/out" || fail "crash not reported as a failure"
grep -qx '1\.\.4' "$TMP/out" || fail "no plan"
[ "$(tail -n 1 "$TMP/out")" = "2 passed, 2 failed, 0 skipped" ] || fail "closing line: $(tail -n 1 "$TMP/out")"
# prove parses it: 4 tests, failures 2 and 4
prove -e cat "$TMP/out" > "$TMP/prove" 2>&1
cat "$TMP/prove"
grep -q 'Failed tests:  2, 4' "$TMP/prove" || fail "prove did not read the failures"
grep -q 'Tests=4' "$TMP/prove" || fail "prove did not count 4 tests"
echo "runner speaks TAP"
