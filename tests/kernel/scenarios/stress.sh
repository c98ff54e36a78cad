#!/bin/sh
# MAP_SHARED_PT stress: NPROC processes map/unmap the same memfd for
# SECONDS, with fork, mprotect, partial munmap, MADV_DONTNEED and mremap,
# counting atomic increments; then no leaked hosts/sharers, no kmemleak.
# Results: stress.json
. /scenarios/lib.sh
NPROC=$(arg nproc 16)
SECS=$(arg seconds 20)
SIZE=$(arg size_mb 16)
rc=0
[ -e /sys/kernel/debug/kmemleak ] && echo clear > /sys/kernel/debug/kmemleak
ptshare_test stress "$NPROC" "$SECS" "$SIZE" > $R/stress.json || rc=1
cat $R/stress.json
cat /sys/kernel/debug/ptshare 2>/dev/null
grep -E '^(PageTables|Shmem|MemFree)' /proc/meminfo
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > $R/kmemleak.txt
	[ -s $R/kmemleak.txt ] && { echo "FAIL kmemleak reports"; cat $R/kmemleak.txt; rc=1; }
fi
exit $rc
