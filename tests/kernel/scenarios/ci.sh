#!/bin/sh
# Short CI scenario: smoke, MAP_SHARED_PT (small), vma_lock tracepoints,
# short stress, the mmscope suite (sga-bench + mmscope ptshare/vmalock).
# Results: one JSON per part plus ci.json.
. /scenarios/lib.sh
rc=0
for s in smoke ptshare vmalock stress suite; do
	echo "=== $s"
	if sh /scenarios/$s.sh; then st=0; else st=1; rc=1; fi
	echo "=== $s status=$st"
	eval "st_$s=$st"
done
cat > $R/ci.json <<JSON
{"smoke": $st_smoke, "ptshare": $st_ptshare, "vmalock": $st_vmalock, "stress": $st_stress,
 "suite": $st_suite}
JSON
cat $R/ci.json
exit $rc
