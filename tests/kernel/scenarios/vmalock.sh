#!/bin/sh
# vma_lock + pgtable tracepoints: run a fault/churn workload and compare
# the tracepoint counts with /proc/vmstat. Results: vmalock.json
. /scenarios/lib.sh
THREADS=$(arg threads 4)
SECS=$(arg seconds 3)
rc=0
if [ ! -d $T/events/vma_lock ]; then
	echo "no vma_lock tracepoints: unpatched kernel"
	vmalock_test "$THREADS" "$SECS" > $R/vmalock.json
	cat $R/vmalock.json
	exit 0
fi
trace_on vma_lock pgtable
vmalock_test "$THREADS" "$SECS" > $R/vmalock_test.json || rc=1
trace_off vma_lock pgtable
cat $R/vmalock_test.json
s=$(count vma_lock_success); m=$(count vma_lock_miss)
r=$(count vma_lock_retry); f=$(count vma_lock_fallback)
m0=$(grep ' vma_lock_miss:' $T/trace | grep -c 'reason=no_vma')
m1=$(grep ' vma_lock_miss:' $T/trace | grep -c 'reason=detached')
m2=$(grep ' vma_lock_miss:' $T/trace | grep -c 'reason=write_locked')
m3=$(grep ' vma_lock_miss:' $T/trace | grep -c 'reason=other')
pa=$(count pgtable_alloc); pf=$(count pgtable_free)
lost=$(grep -c 'LOST' $T/trace)
cat > $R/vmalock.json <<JSON
{"trace_success": $s, "trace_miss": $m, "trace_retry": $r, "trace_fallback": $f,
 "miss_no_vma": $m0, "miss_detached": $m1, "miss_write_locked": $m2, "miss_other": $m3,
 "pgtable_alloc": $pa, "pgtable_free": $pf, "lost_events": $lost,
 "vmstat": $(cat $R/vmalock_test.json)}
JSON
cat $R/vmalock.json
[ "$s" -gt 0 ] || { echo "FAIL no vma_lock_success events"; rc=1; }
[ "$pa" -gt 0 ] && [ "$pf" -gt 0 ] || { echo "FAIL no pgtable events"; rc=1; }
exit $rc
