#!/bin/sh
# MAP_SHARED_PT: functional test, PageTables ratio (NPROC processes mapping
# SIZE MiB of a memfd, shared vs plain page tables) and tracepoint check.
# Results: ptshare_basic.json, ptshare_ratio.json, ptshare.json
. /scenarios/lib.sh
NPROC=$(arg nproc 32)
SIZE=$(arg size_mb 256)
rc=0
if [ ! -d $T/events/ptshare ]; then
	echo "no ptshare tracepoints: unpatched kernel"
	ptshare_test basic > $R/ptshare_basic.json
	cat $R/ptshare_basic.json
	echo '{"supported": false}' > $R/ptshare.json
	exit 0
fi
trace_on ptshare
ptshare_test basic > $R/ptshare_basic.json || rc=1
cat $R/ptshare_basic.json
ptshare_test ratio "$NPROC" "$SIZE" > $R/ptshare_ratio.json || rc=1
cat $R/ptshare_ratio.json
sleep 2	# hosts are torn down by a worker
trace_off ptshare
grep ' ptshare_' $T/trace | head -200 > $R/ptshare_trace_head.txt
attach=$(count ptshare_attach)
detach=$(count ptshare_detach)
create=$(count ptshare_create)
destroy=$(count ptshare_destroy)
maxref=$(grep ' ptshare_attach:' $T/trace | sed 's/.*refcount=\([0-9]*\).*/\1/' | sort -n | tail -1)
lastref=$(grep ' ptshare_detach:' $T/trace | tail -1 | sed 's/.*refcount=\([0-9]*\).*/\1/')
hosts=$(ptstat hosts_live)
sharers=$(ptstat sharers_live)
cat /sys/kernel/debug/ptshare
cat > $R/ptshare.json <<JSON
{"supported": true, "attach": $attach, "detach": $detach, "create": $create,
 "destroy": $destroy, "max_refcount": ${maxref:-0}, "last_refcount": ${lastref:--1},
 "hosts_live": $hosts, "sharers_live": $sharers}
JSON
cat $R/ptshare.json
[ "$attach" -gt 0 ] && [ "$attach" = "$detach" ] || { echo "FAIL attach/detach mismatch"; rc=1; }
[ "$create" = "$destroy" ] || { echo "FAIL create/destroy mismatch"; rc=1; }
[ "${lastref:--1}" = 0 ] || { echo "FAIL last refcount $lastref"; rc=1; }
[ "$hosts" = 0 ] && [ "$sharers" = 0 ] || { echo "FAIL leaked hosts/sharers"; rc=1; }
exit $rc
