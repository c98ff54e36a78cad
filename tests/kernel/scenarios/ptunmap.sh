#!/bin/sh
# Review finding 5: time to punch SIZE MiB out of a memfd that NPROC
# processes map with MAP_SHARED_PT and have all attached (sharer TLB
# flushes per host flush), then punch PAGES single pages (one host flush
# each), then the same pages with NPROC sharers that attached no PMD (host
# flushes skip them; ptshare_test checks the kernel's flushed/skipped
# counts). Results: ptunmap.json
. /scenarios/lib.sh
NPROC=$(arg nproc 500)
SIZE=$(arg size_mb 1024)
ROUNDS=$(arg rounds 3)
PAGES=$(arg pages 256)
if [ ! -d $T/events/ptshare ]; then
	echo "no MAP_SHARED_PT: unpatched kernel"
	echo '{"supported": false}' > $R/ptunmap.json
	exit 0
fi
ptshare_test unmap "$NPROC" "$SIZE" "$ROUNDS" "$PAGES" > $R/ptunmap.json || rc=1
cat $R/ptunmap.json
sleep 2	# hosts are torn down by a worker
hosts=$(ptstat hosts_live)
sharers=$(ptstat sharers_live)
[ "$hosts" = 0 ] && [ "$sharers" = 0 ] || { echo "FAIL leaked hosts/sharers"; rc=1; }
exit ${rc:-0}
