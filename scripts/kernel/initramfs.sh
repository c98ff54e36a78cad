#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernel/initramfs.sh OUT.cpio.gz
# Build a busybox initramfs holding:
#   /init                      boots, mounts, runs /scenarios/$mmscope.scenario
#   /scenarios/*.sh            tests/kernel/scenarios/
#   /bin/<tests>               static test programs from tests/kernel/*.c
#   /bin/<tools>               every executable in build/static/ (if built;
#                              MMSCOPE_STATIC=DIR to take them from elsewhere)
#   /selftests/                6.12 mm selftests (if MMSCOPE_SELFTESTS dir given)
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
	if [ ! -x "$b" ] || [ "$c" -nt "$b" ]; then
		${CC:-gcc} -static -O2 -Wall -Wextra -pthread -o "$b.$$" "$c" ||
			kdie "cannot build $c"
		mv -f "$b.$$" "$b"
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
