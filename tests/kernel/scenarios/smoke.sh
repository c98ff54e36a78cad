#!/bin/sh
# Smoke test: the kernel boots, reports its version and the mmscope
# tracepoints that exist. Writes /results/smoke.json.
R=${MMSCOPE_RESULTS:-/results}
ev() { [ -d /sys/kernel/tracing/events/$1 ] && echo true || echo false; }
uname -a
grep -E '^(PageTables|MemTotal|MemFree)' /proc/meminfo
grep -c vma_lock /proc/vmstat
# the clock the kernel times with (patches/0004 uses local_clock())
echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
dmesg | grep -iE "sched_clock|tsc.*unstable"
grep -m1 -owE "constant_tsc|nonstop_tsc" /proc/cpuinfo | sort -u | tr '\n' ' '; echo
cat > $R/smoke.json <<JSON
{"kernel": "$(uname -r)",
 "vma_lock_events": $(ev vma_lock),
 "pgtable_events": $(ev pgtable),
 "ptshare_events": $(ev ptshare),
 "pagetables_kb": $(awk '/^PageTables/ {print $2}' /proc/meminfo)}
JSON
cat $R/smoke.json
