#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernel/selftests.sh
# Build a set of the 6.12 mm selftests (tools/testing/selftests/mm)
# statically, against the uapi headers of the patched tree, into
# $MMSCOPE_KCACHE/selftests/bin. boot.sh copies them into the initramfs for
# the "selftests" scenario. Tests that need modules, hugetlb reservations
# bigger than the guest or special hardware are left out. "ptshare" is the
# series' own test (MAP_SHARED_PT, patches/0005).
# Env: MMSCOPE_SELFTESTS_LIST (tests to build), MMSCOPE_SELFTESTS_DIR
# (output directory instead of $MMSCOPE_KCACHE/selftests).
. "$(dirname "$0")/lib.sh"
TESTS=${MMSCOPE_SELFTESTS_LIST:-"map_fixed_noreplace map_populate mremap_dontunmap
mremap_test mlock2-tests mrelease_test madv_populate soft-dirty mseal_test
mdwe_test droppable mkdirty hugepage-mmap hugepage-mremap map_hugetlb
hugetlb-madvise uffd-unit-tests cow gup_longterm ksm_functional_tests
pagemap_ioctl transhuge-stress ptshare"}
# the patched checkout and its O= dir are the kernel build's: wait for it
mkdir -p "$KCACHE"
exec {lock}>"$KCACHE/build-patched.lock"
flock "$lock" || kdie "cannot lock $KCACHE/build-patched.lock"
src=$(ksrc_prepare patched) || exit 1
out=$(kbuild_dir patched)
dst=${MMSCOPE_SELFTESTS_DIR:-$KCACHE/selftests}
mkdir -p "$dst/bin" "$out"
[ -f "$out/.config" ] || kconfigure "$src" "$out"
make -s -C "$src" O="$out" headers >&2 || kdie "make headers failed"
st=$src/tools/testing/selftests
# local_config.h is what check_config.sh writes; empty = no liburing
mkdir -p "$dst/include"
: > "$dst/include/local_config.h"
inc=(-isystem "$out/usr/include" -I"$st" -I"$st/mm" -I"$src/tools/include/uapi"
     -I"$dst/include")
ok=0 bad=0
for t in $TESTS; do
	extra=(vm_util.c)
	case $t in
	uffd-unit-tests) extra+=(uffd-common.c) ;;
	khugepaged|cow|gup_longterm|transhuge-stress|split_huge_page_test|soft-dirty)
		extra+=(thp_settings.c) ;;
	esac
	if (cd "$st/mm" && ${CC:-gcc} -static -O2 -w -D_GNU_SOURCE "${inc[@]}" \
		-o "$dst/bin/$t" "$t.c" "${extra[@]}" -lpthread -lrt -lm) 2>"$dst/$t.build.log"; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1)); klog "cannot build $t (see $dst/$t.build.log)"
		rm -f "$dst/bin/$t"
	fi
done
klog "selftests: $ok built, $bad failed, in $dst/bin"
# which series the binaries were built from (boot.sh rebuilds on a change)
kseries_hash > "$dst/.series"
