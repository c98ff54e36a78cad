#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One source of vmlinux.h: the build uses the checked-in copy whatever
# kernel it runs on (the programs are CO-RE), so one tree builds the same
# BPF objects everywhere; `make vmlinux-update` refreshes the copy and, given
# BTF it cannot read, says so and leaves the copy alone.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
H="$ROOT/include/vmlinux/x86/vmlinux.h"
[ -r "$H" ] || fail "no checked-in $H"
make -C "$ROOT" --no-print-directory OUT="$TMP/b" "$TMP/b/fault.bpf.o" >"$TMP/make.out" 2>&1 ||
	fail "building fault.bpf.o: $(tail -n 5 "$TMP/make.out")"
cmp -s "$TMP/b/vmlinux.h" "$H" || fail "the build's vmlinux.h is not the checked-in copy: $(grep GEN "$TMP/make.out")"
sum=$(sha256sum < "$H")
make -C "$ROOT" --no-print-directory vmlinux-update VMLINUX_BTF="$TMP/none" >"$TMP/u.out" 2>"$TMP/u.err" &&
	fail "vmlinux-update from a missing BTF file succeeded"
grep -q "cannot read BTF from $TMP/none" "$TMP/u.err" || fail "vmlinux-update: $(cat "$TMP/u.err")"
[ "$(sha256sum < "$H")" = "$sum" ] || fail "a failed vmlinux-update changed the checked-in copy"
[ -e "$H.tmp" ] && fail "vmlinux-update left $H.tmp"
pass
