# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the mmscope kernel scripts. Source, do not execute.
#
# Layout under $MMSCOPE_KCACHE (default /var/cache/mmscope/kernel):
#   src-<flavor>/    git repo: commit "pristine" = Debian tarball, HEAD = tree
#                    with the series applied (flavor "patched") or pristine.
#   build-<flavor>/  out-of-tree O= build directory (kept => incremental)
#   initramfs/       scratch for the initramfs
# flavors: patched, pristine

set -o pipefail

MMSCOPE_TOP=${MMSCOPE_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KCACHE=${MMSCOPE_KCACHE:-/var/cache/mmscope/kernel}
KTARBALL=${MMSCOPE_KTARBALL:-/usr/src/linux-source-6.12.tar.xz}
KPATCHES=${MMSCOPE_KPATCHES:-$MMSCOPE_TOP/patches}
KJOBS=${MMSCOPE_KJOBS:-$(nproc)}
# Builds run at low priority so they do not disturb timing-sensitive work on
# the same machine (MMSCOPE_KNICE=0 to disable).
KNICE=${MMSCOPE_KNICE:-19}

klog() { printf '[kernel %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
kdie() { klog "ERROR: $*"; exit 1; }

kgit() { git -c user.name=mmscope -c user.email=mmscope@example.org \
	-c advice.detachedHead=false "$@"; }

# ksrc_ensure <flavor>: unpack the Debian source into a git repo once.
ksrc_ensure() {
	local flavor=$1 src=$KCACHE/src-$1
	mkdir -p "$KCACHE"
	if [ -f "$src/.mmscope-ready" ]; then
		echo "$src"; return 0
	fi
	if [ "$flavor" != pristine ]; then
		# a local clone of the pristine repo: no second unpack and hashing
		local base
		base=$(ksrc_ensure pristine) || exit 1
		klog "cloning $base into $src"
		rm -rf "$src" "$src.tmp"
		kgit clone -q --shared --no-checkout "$base" "$src.tmp" &&
			(cd "$src.tmp" && kgit checkout -q --detach pristine) ||
			kdie "clone of the pristine source failed"
		touch "$src.tmp/.mmscope-ready"
		mv "$src.tmp" "$src"
		echo "$src"
		return 0
	fi
	if [ ! -f "$KTARBALL" ]; then
		klog "installing linux-source-6.12"
		DEBIAN_FRONTEND=noninteractive apt-get install -y linux-source-6.12 >&2 ||
			kdie "cannot install linux-source-6.12"
	fi
	klog "unpacking $KTARBALL into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$KTARBALL" -C "$src.tmp" --strip-components=1 || kdie "unpack failed"
	(cd "$src.tmp" && kgit init -q && kgit add -f -A . >/dev/null &&
		kgit commit -q -m "pristine $(basename "$KTARBALL")" &&
		kgit tag pristine) || kdie "git init of source failed"
	touch "$src.tmp/.mmscope-ready"
	mv "$src.tmp" "$src"
	echo "$src"
}

# kseries_list: the patch files of the series, in order.
kseries_list() {
	ls "$KPATCHES"/*.patch 2>/dev/null | LC_ALL=C sort
}

kseries_hash() {
	local p
	for p in $(kseries_list); do sha256sum "$p"; done | sha256sum | cut -c1-16
}

# kseries_commit <src>: build a commit with the series applied on top of
# "pristine" without touching the work tree (temporary index), print it.
kseries_commit() {
	local src=$1 idx p tree
	idx=$(mktemp)
	# shellcheck disable=SC2064
	trap "rm -f '$idx'" RETURN
	(
		cd "$src" || exit 1
		export GIT_INDEX_FILE=$idx
		kgit read-tree pristine || exit 1
		for p in $(kseries_list); do
			kgit apply --cached --whitespace=nowarn "$p" ||
				{ klog "patch does not apply: $p"; exit 1; }
		done
		tree=$(kgit write-tree) || exit 1
		kgit commit-tree "$tree" -p pristine -m "mmscope series $(kseries_hash)"
	)
}

# ksrc_prepare <flavor>: make src-<flavor> hold the right tree. Only files that
# differ from the current checkout are rewritten, so make rebuilds only what
# the series changed.
ksrc_prepare() {
	local flavor=$1 src commit
	src=$(ksrc_ensure "$flavor") || exit 1
	if [ "$flavor" = pristine ]; then
		commit=$(cd "$src" && kgit rev-parse pristine)
	else
		commit=$(kseries_commit "$src") || kdie "series does not apply"
	fi
	(cd "$src" && kgit checkout -q -f --detach "$commit") || kdie "checkout failed"
	echo "$src"
}

# Options on top of x86_64_defconfig + kvm_guest.config.
KCONFIG_ENABLE="DEBUG_INFO DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT DEBUG_INFO_BTF
BPF BPF_SYSCALL BPF_JIT BPF_JIT_ALWAYS_ON BPF_EVENTS KPROBES KPROBE_EVENTS
UPROBES UPROBE_EVENTS FTRACE FUNCTION_TRACER FUNCTION_GRAPH_TRACER
DYNAMIC_FTRACE DYNAMIC_FTRACE_WITH_DIRECT_CALLS FTRACE_SYSCALLS
PER_VMA_LOCK_STATS HUGETLBFS HUGETLB_PAGE TRANSPARENT_HUGEPAGE
TRANSPARENT_HUGEPAGE_MADVISE USERFAULTFD HAVE_ARCH_USERFAULTFD_WP
PTE_MARKER_UFFD_WP CHECKPOINT_RESTORE MEM_SOFT_DIRTY KSM TMPFS SHMEM DEBUG_FS IKCONFIG IKCONFIG_PROC
MEMFD_CREATE NET_9P NET_9P_VIRTIO 9P_FS VIRTIO_CONSOLE PANIC_ON_OOPS MM_PTSHARE
BLK_DEV_INITRD MEMCG MEMORY_HOTPLUG MEMORY_HOTREMOVE ZONE_DEVICE DEVICE_PRIVATE
TEST_HMM NUMA_EMU"
KCONFIG_DISABLE="MODULES DEBUG_INFO_REDUCED DEBUG_INFO_SPLIT DRM_VIRTIO_GPU DRM SOUND
WIRELESS WLAN USB_SUPPORT NETFILTER
WERROR RANDOMIZE_BASE"
# Extra options for MMSCOPE_KDEBUG=1 (separate build dir, "-debug" suffix).
KCONFIG_DEBUG="DEBUG_VM DEBUG_VM_PGTABLE PROVE_LOCKING DEBUG_ATOMIC_SLEEP
DEBUG_LIST KMEMLEAK"

kbuild_dir() {
	local d=$KCACHE/build-$1
	[ "${MMSCOPE_KDEBUG:-0}" = 1 ] && d=$d-debug
	echo "$d"
}

# kconfigure <src> <out>
kconfigure() {
	local src=$1 out=$2 o want stamp
	want=$( (echo "$KCONFIG_ENABLE $KCONFIG_DISABLE ${MMSCOPE_KDEBUG:-0}";
		[ "${MMSCOPE_KDEBUG:-0}" = 1 ] && echo "$KCONFIG_DEBUG") |
		sha256sum | cut -c1-16)
	stamp=$out/.mmscope-config
	if [ -f "$out/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		# keep .config, only refresh for Kconfig changes of the series
		make -s -C "$src" O="$out" olddefconfig >&2 || kdie "olddefconfig"
		return 0
	fi
	mkdir -p "$out"
	make -s -C "$src" O="$out" x86_64_defconfig >&2 || kdie "defconfig"
	make -s -C "$src" O="$out" kvm_guest.config >&2 || kdie "kvm_guest.config"
	local args=()
	for o in $KCONFIG_ENABLE; do args+=(-e "$o"); done
	for o in $KCONFIG_DISABLE; do args+=(-d "$o"); done
	if [ "${MMSCOPE_KDEBUG:-0}" = 1 ]; then
		for o in $KCONFIG_DEBUG; do args+=(-e "$o"); done
	fi
	"$src/scripts/config" --file "$out/.config" "${args[@]}"
	make -s -C "$src" O="$out" olddefconfig >&2 || kdie "olddefconfig"
	# MEMCG and TEST_HMM: the ptshare selftest's memcg and HMM mirror checks
	for o in BPF_SYSCALL DEBUG_INFO_BTF FUNCTION_TRACER PER_VMA_LOCK_STATS \
		 TRANSPARENT_HUGEPAGE USERFAULTFD HUGETLBFS KPROBES MEM_SOFT_DIRTY \
		 MEMCG TEST_HMM; do
		grep -q "^CONFIG_$o=y" "$out/.config" || kdie "CONFIG_$o not enabled"
	done
	! grep -q '^CONFIG_MODULES=y' "$out/.config" || kdie "CONFIG_MODULES still on"
	echo "$want" > "$stamp"
}

# kbuild <flavor>: prepare source, configure, build. Prints bzImage path.
kbuild() {
	local flavor=$1 src out t0 t1 lock
	# one build per flavor at a time: concurrent boots (ab.sh beside a CI
	# run) share the source checkout and the O= directory
	mkdir -p "$KCACHE"
	exec {lock}>"$KCACHE/build-$flavor.lock"
	flock "$lock" || kdie "cannot lock $KCACHE/build-$flavor.lock"
	src=$(ksrc_prepare "$flavor") || exit 1
	out=$(kbuild_dir "$flavor")
	kconfigure "$src" "$out"
	klog "building $flavor in $out (-j$KJOBS)"
	t0=$(date +%s)
	nice -n "$KNICE" make -C "$src" O="$out" -j"$KJOBS" bzImage \
		>"$out/build.log" 2>&1 ||
		{ tail -40 "$out/build.log" >&2; kdie "kernel build failed ($out/build.log)"; }
	t1=$(date +%s)
	klog "built $flavor in $((t1 - t0))s"
	exec {lock}>&-
	echo "$out/arch/x86/boot/bzImage"
}

# ksplat_check <console.log>: non-zero (and the offending lines on stderr)
# if the guest panicked, oopsed or printed a WARNING/BUG/lockdep report.
KSPLAT_RE='Kernel panic|Oops|BUG:|WARNING:|kernel BUG|general protection fault|'\
'possible recursive locking|possible circular locking|inconsistent lock state|'\
'suspicious RCU usage|INFO: task .* blocked|rcu_sched self-detected stall|'\
'rcu: INFO|soft lockup|hard LOCKUP|list_add corruption|list_del corruption|'\
'Bad rss-counter|non-zero pgtables_bytes|Bad page|UBSAN:|KASAN:|'\
'unreferenced object|kmemleak: [0-9]+ new suspected|Call Trace:'
# A memory cgroup's OOM kill (the ptshare selftest's memcg limit kills on
# purpose) dumps a stack: such a report, from "invoked oom-killer" to the
# end of its trace through mem_cgroup_out_of_memory, is no splat. Lines
# keep their line numbers (N:line), as grep -n would print them.
ksplat_filter() {
	awk '/invoked oom-killer:/ { inblk = 1; blk = ""; n = 0 }
	     inblk { blk = blk NR ":" $0 "\n"; n++
		     if (/<\/TASK>/ || n > 200) {
			     if (blk !~ /mem_cgroup_out_of_memory/) printf "%s", blk
			     inblk = 0 }
		     next }
	     { print NR ":" $0 }
	     END { if (inblk) printf "%s", blk }' "$1"
}

ksplat_check() {
	local log=$1
	if ksplat_filter "$log" | grep -E "$KSPLAT_RE" >&2; then
		klog "splat found in $log"
		return 1
	fi
	return 0
}
