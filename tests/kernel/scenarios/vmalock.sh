#!/bin/sh
# vma_lock + pgtable tracepoints: run a fault/churn workload and compare
# the tracepoint counts with /proc/vmstat. Results: vmalock.json
. /scenarios/lib.sh
THREADS=$(arg threads 4)
SECS=$(arg vl_seconds 3)
rc=0
if [ ! -d $T/events/vma_lock ]; then
	echo "no vma_lock tracepoints: unpatched kernel"
	vmalock_test "$THREADS" "$SECS" > $R/vmalock.json
	cat $R/vmalock.json
	exit 0
fi
trace_on vma_lock pgtable
v0=$(grep vma_lock_ /proc/vmstat | tr '\n' ' ')
vmalock_test "$THREADS" "$SECS" > $R/vmalock_test.json || rc=1
v1=$(grep vma_lock_ /proc/vmstat | tr '\n' ' ')
trace_off vma_lock pgtable
vdelta() {
	a=$(echo "$v0" | sed -n "s/.*$1 \([0-9]*\).*/\1/p")
	b=$(echo "$v1" | sed -n "s/.*$1 \([0-9]*\).*/\1/p")
	echo $((b - a))
}
vs=$(vdelta vma_lock_success); va=$(vdelta vma_lock_abort)
vr=$(vdelta vma_lock_retry); vm=$(vdelta vma_lock_miss)
cat $R/vmalock_test.json
eval "$(trace_counts)"
s=$tc_success m=$tc_miss r=$tc_retry f=$tc_fallback
m0=$tc_no_vma m1=$tc_detached m2=$tc_write_locked m3=$tc_other
pa=$tc_pgalloc pf=$tc_pgfree lost=$tc_lost
cat > $R/vmalock.json <<JSON
{"trace_success": $s, "trace_miss": $m, "trace_retry": $r, "trace_fallback": $f,
 "miss_no_vma": $m0, "miss_detached": $m1, "miss_write_locked": $m2, "miss_other": $m3,
 "pgtable_alloc": $pa, "pgtable_free": $pf, "lost_events": $lost,
 "vmstat_window": {"vma_lock_success": $vs, "vma_lock_abort": $va,
  "vma_lock_retry": $vr, "vma_lock_miss": $vm},
 "vmstat": $(cat $R/vmalock_test.json)}
JSON
cat $R/vmalock.json
# Same window, exact relations (docs/kernel.md); a few events of the shell
# between reading vmstat and switching tracing are tolerated.
near() {
	d=$(($1 - $2)); [ $d -lt 0 ] && d=$((-d))
	[ $d -le $(($2 / 100 + 20)) ]
}
if [ "$lost" = 0 ]; then
	near "$s" "$((vs + vr))" ||
		{ echo "FAIL trace success $s vs vmstat success+retry $((vs + vr))"; rc=1; }
	near "$r" "$vr" || { echo "FAIL trace retry $r vs vmstat retry $vr"; rc=1; }
	near "$((m0 + m2 + m3))" "$va" ||
		{ echo "FAIL trace misses 0/2/3 $((m0 + m2 + m3)) vs vmstat abort $va"; rc=1; }
	near "$m1" "$vm" || { echo "FAIL trace detached $m1 vs vmstat miss $vm"; rc=1; }
else
	echo "note: $lost lost-event lines, counts not compared"
fi
[ "$s" -gt 0 ] || { echo "FAIL no vma_lock_success events"; rc=1; }
[ "$pa" -gt 0 ] && [ "$pf" -gt 0 ] || { echo "FAIL no pgtable events"; rc=1; }
# Lookups that are no page faults (userfaultfd ioctls, the BPF task VMA
# iterator) take the per-VMA lock too: they must not be vma_lock events.
# vmalock_test uffd does COPIES single-page UFFDIO_COPY ioctls and only a
# few dozen faults (exec, stack): its own vma_lock_success events must stay
# far below COPIES. (Trace vs vmstat is no test here: the shell's own
# processes around the window fault ~200 times, 1% of this window.)
trace_on vma_lock
vmalock_test uffd 4096 > $R/vmalock_uffd.json || rc=1
trace_off vma_lock
cat $R/vmalock_uffd.json
copies=$(sed -n 's/.*"copies": \([0-9]*\).*/\1/p' $R/vmalock_uffd.json)
ue=$(awk '$1 ~ /^vmalock_test-/ && / vma_lock_success:/ { n++ }
	/LOST/ { lost++ } END { print n + 0, lost + 0 }' $T/trace)
set -- $ue
echo "uffd: ${copies:-0} UFFDIO_COPY, vma_lock_success events of vmalock_test $1, lost $2"
if [ -n "$copies" ] && [ "$2" = 0 ]; then
	[ "$1" -lt $((copies / 4)) ] ||
		{ echo "FAIL uffd: $1 vma_lock_success events for $copies UFFDIO_COPY (lookups counted as faults)"; rc=1; }
fi

# hugetlb PMD sharing: a mapping that starts or stops using another one's
# PMD table changes its page-table count (VmPTE); the pgtable events of
# each step must add up to the change (4 KiB per table).
hp0=$(cat /proc/sys/vm/nr_hugepages)
[ "$hp0" -lt 2 ] && echo 2 > /proc/sys/vm/nr_hugepages
trace_on pgtable
vmalock_test pmdshare > $R/vmalock_pmdshare.json || rc=1
trace_off pgtable
echo "$hp0" > /proc/sys/vm/nr_hugepages
cat $R/vmalock_pmdshare.json
pid=$(sed -n 's/.*"pid": \([0-9]*\).*/\1/p' $R/vmalock_pmdshare.json)
vp=$(sed -n 's/.*"vmpte_kb": \[\([-0-9]*\), \([-0-9]*\), \([-0-9]*\)\].*/\1 \2 \3/p' \
	$R/vmalock_pmdshare.json)
if [ -n "$pid" ] && [ -n "$vp" ]; then
	set -- $vp
	# pgtable events of the test's pid between its trace_marker lines
	ev=$(awk -v pid="$pid" '
	/tracing_mark_write: vmalock_test pmdshare/ { w = ($NF < 2) ? $NF : ""; next }
	/LOST/ { lost++ }
	w != "" && $1 ~ ("-" pid "$") && / pgtable_alloc:/ { d[w] += 4 }
	w != "" && $1 ~ ("-" pid "$") && / pgtable_free:/ { d[w] -= 4 }
	END { printf "%d %d %d", d[0], d[1], lost }' $T/trace)
	set -- $vp $ev
	echo "pmdshare: VmPTE $1 -> $2 -> $3 kB, pgtable events $4 then $5 kB, lost $6"
	if [ "$6" = 0 ]; then
		[ $(($2 - $1)) -ge 8 ] ||
			{ echo "FAIL pmdshare: VmPTE grew by $(($2 - $1)) kB, no PMD table shared"; rc=1; }
		[ "$4" = $(($2 - $1)) ] ||
			{ echo "FAIL pmdshare: mapping: events $4 kB vs VmPTE $(($2 - $1)) kB"; rc=1; }
		[ "$5" = $(($3 - $2)) ] ||
			{ echo "FAIL pmdshare: unmapping: events $5 kB vs VmPTE $(($3 - $2)) kB"; rc=1; }
	fi
fi
exit $rc
