#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernel/initramfs.sh OUT.cpio.gz
# Build a busybox initramfs holding:
#   /init                      boots, mounts, runs /scenarios/$mmscope.scenario
#   /scenarios/*.sh            tests/kernel/scenarios/
#   /bin/<tests>               static test programs from tests/kernel/*.c
#   /bin/<tools>               every executable in build/static/ (if built;
#                              MMSCOPE_STATIC=DIR to take them from elsewhere)
#   /build/tests/wl_*          the integration tests' workloads (make static)
#   /selftests/                6.12 mm selftests (if MMSCOPE_SELFTESTS dir given)
#   /tests/integration/*.sh    the host integration tests (tracers scenario),
#                              with what they need beyond busybox: /bin/bash
#                              (bash-static), /usr/bin/{jq,setpriv,bpftool}
#                              (host binaries + their shared libraries and
#                              loader; /usr/bin is only in the PATH of the
#                              scenarios that ask for it)
. "$(dirname "$0")/lib.sh"
out=${1:?usage: initramfs.sh OUT.cpio.gz}
BUSYBOX=${MMSCOPE_BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || kdie "busybox-static not found (apt-get install busybox-static)"
file "$BUSYBOX" 2>/dev/null | grep -q dynamic && kdie "$BUSYBOX is not static"

# per-run scratch root (several boots may build at once); compiled test
# programs are cached in $KCACHE/initramfs/tests
work=$KCACHE/initramfs
mkdir -p "$work"
root=$(mktemp -d "$work/root.XXXXXX") || kdie "mktemp"
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,results,scenarios,etc,mnt}
cp "$BUSYBOX" "$root/bin/busybox"

# static test programs of this directory
mkdir -p "$work/tests"
for c in "$MMSCOPE_TOP"/tests/kernel/*.c; do
	[ -e "$c" ] || continue
	b=$work/tests/$(basename "$c" .c)
	# the cache may be shared by trees (clones, copies of the cache): by
	# content, not mtime, or another tree's newer binary is taken
	if [ ! -x "$b" ] || ! cmp -s "$c" "$b.c"; then
		${CC:-gcc} -static -O2 -Wall -Wextra -pthread -o "$b.$$" "$c" ||
			kdie "cannot build $c"
		mv -f "$b.$$" "$b"
		cp "$c" "$b.c"
	fi
	cp "$b" "$root/bin/"
done
# mmscope user-space (make static)
static=${MMSCOPE_STATIC:-$MMSCOPE_TOP/build/static}
if [ -d "$static" ]; then
	for b in "$static"/*; do
		[ -f "$b" ] && [ -x "$b" ] && cp "$b" "$root/bin/"
	done
fi
# the integration tests' workloads (make static builds them in tests/)
if [ -d "$static/tests" ]; then
	mkdir -p "$root/build/tests"
	for b in "$static"/tests/wl_*; do
		[ -f "$b" ] && [ -x "$b" ] && cp "$b" "$root/build/tests/"
	done
fi
# the host integration tests and their tools. Missing tools are only a
# warning here: the tracers scenario says what it lacks.
mkdir -p "$root/tests/integration" "$root/usr/bin"
cp "$MMSCOPE_TOP"/tests/integration/*.sh "$root/tests/integration/"
# copy_dyn BIN DEST: a dynamically linked host binary with the shared
# libraries ldd resolves (at the same paths) and its loader
copy_dyn() {
	local bin=$1 dest=$2 lib
	cp -L "$bin" "$root$dest" || return 1
	for lib in $(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib" || return 1
	done
}
if [ -x /bin/bash-static ]; then
	cp /bin/bash-static "$root/bin/bash"
elif command -v bash >/dev/null; then
	copy_dyn "$(command -v bash)" /bin/bash || kdie "cannot copy bash"
fi
for t in jq setpriv bpftool; do
	p=$(PATH=$PATH:/usr/sbin:/sbin command -v $t) ||
		{ klog "warning: no $t on this machine (scripts/kernel/deps.sh): the tracers scenario needs it"; continue; }
	copy_dyn "$p" /usr/bin/$t || kdie "cannot copy $p and its libraries"
done
if [ -n "${MMSCOPE_SELFTESTS:-}" ] && [ -d "$MMSCOPE_SELFTESTS" ]; then
	cp -r "$MMSCOPE_SELFTESTS" "$root/selftests"
fi
cp "$MMSCOPE_TOP"/tests/kernel/scenarios/*.sh "$root/scenarios/"

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs -o size=50% tmpfs /tmp
mkdir -p /dev/hugepages && mount -t hugetlbfs none /dev/hugepages 2>/dev/null
RES_9P=0
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /results 2>/dev/null; then
	RES_9P=1
fi
scenario=smoke
for a in $(cat /proc/cmdline); do
	case $a in mmscope.scenario=*) scenario=${a#mmscope.scenario=} ;; esac
done
export MMSCOPE_RESULTS=/results MMSCOPE_SCENARIO=$scenario
echo "MMSCOPE-INIT-START scenario=$scenario kernel=$(uname -r) 9p=$RES_9P"
if [ -f /scenarios/$scenario.sh ]; then
	sh /scenarios/$scenario.sh > /results/$scenario.log 2>&1
	rc=$?
else
	echo "no such scenario: $scenario"; rc=127
fi
echo "----- scenario log -----"
cat /results/$scenario.log
echo "----- end scenario log -----"
if [ $RES_9P = 0 ]; then
	# no 9p: ship the result files over the console
	for f in /results/*; do
		[ -f "$f" ] || continue
		echo "MMSCOPE-FILE-BEGIN $(basename $f)"
		cat "$f"
		echo "MMSCOPE-FILE-END"
	done
fi
sync
echo "MMSCOPE-SCENARIO-DONE rc=$rc"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$out.tmp" ||
	kdie "cpio failed"
mv "$out.tmp" "$out"
klog "initramfs $out ($(du -h "$out" | cut -f1))"
