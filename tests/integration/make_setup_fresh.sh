#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make setup run` on a fresh machine: the libraries' flags are asked of
# pkg-config only after setup's recipe has installed them, not when the
# Makefile is read. Simulated without touching the host's packages: a
# pkg-config that knows nothing until a stand-in setup script has run, and
# a copy of the build tree that only needs its final link.
. "$(dirname "$0")/lib.sh"
require_cmd pkg-config
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
need_bin "$BUILD/mmscope"
[ -e "$BUILD/libmmscope.a" ] || skip "no $BUILD/libmmscope.a (run make first)"

cat >"$TMP/pkg-config" <<PC
#!/bin/sh
# as on a machine without the -dev packages, until setup has run
[ -e "$TMP/installed" ] || { echo "Package libbpf was not found" >&2; exit 1; }
exec pkg-config "\$@"
PC
printf '#!/bin/sh\ntouch "%s/installed"\necho "setup: installed"\n' "$TMP" >"$TMP/setup.sh"
chmod +x "$TMP/pkg-config"
cp -a "$BUILD" "$TMP/b"
rm -f "$TMP/b/mmscope"
make -C "$ROOT" --no-print-directory OUT="$TMP/b" PKG_CONFIG="$TMP/pkg-config" \
	SETUP_DEPS="$TMP/setup.sh" setup "$TMP/b/mmscope" >"$TMP/make.out" 2>&1 ||
	fail "make setup <build> failed: $(grep -m3 -E 'error|undefined' "$TMP/make.out")"
grep -q "setup: installed" "$TMP/make.out" || fail "setup's recipe did not run: $(cat "$TMP/make.out")"
"$TMP/b/mmscope" --version >/dev/null || fail "the linked mmscope does not run"
pass
