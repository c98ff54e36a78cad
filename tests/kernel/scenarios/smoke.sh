#!/bin/sh
# Smoke test: the kernel boots, reports its version and the mmscope
# tracepoints that exist. Writes /results/smoke.json.
R=${MMSCOPE_RESULTS:-/results}
ev() { [ -d /sys/kernel/tracing/events/$1 ] && echo true || echo false; }
uname -a
grep -E '^(PageTables|MemTotal|MemFree)' /proc/meminfo
grep -c vma_lock /proc/vmstat
cat > $R/smoke.json <<JSON
{"kernel": "$(uname -r)",
 "vma_lock_events": $(ev vma_lock),
 "pgtable_events": $(ev pgtable),
 "ptshare_events": $(ev ptshare),
 "pagetables_kb": $(awk '/^PageTables/ {print $2}' /proc/meminfo)}
JSON
cat $R/smoke.json
