#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope export --listen against a real Prometheus (Debian's package) on
# loopback: the exposition passes `promtool check metrics`; Prometheus
# scrapes it every second; the values it stores match ground truth:
# mmscope_vmstat_pgfault_total lies between /proc/vmstat pgfault read before
# the exporter started and after the query; mmscope_pagetables_bytes lies
# within the /proc/meminfo PageTables values sampled around its scrape time.
# The exposition's shape: a real HELP per family, mmscope_build_info, one
# PageTables series, no gauges PromQL derives (rates, quantiles), and every
# series present from the first scrape (faultlat's histograms with one
# fixed le set for every path), none appearing later.
# With root and BTF, the tracers' series are checked too (faultlat histogram
# buckets add up to its count, histogram_quantile() answers for each path;
# ptmem's per-process gauge equals /proc/PID/status VmPTE of a process
# holding 16 MiB of page tables).
# Every PromQL expression of contrib/grafana/mmscope-live.json returns data.
# Also: non-loopback refused, bad addresses, 404/405, --max-requests bound.
. "$(dirname "$0")/lib.sh"
require_jq
require_cmd curl
require_cmd python3
need_bin "$MMSCOPE"
command -v prometheus >/dev/null && command -v promtool >/dev/null || skip "needs prometheus (make setup)"

# refusals first: one line, exit 2, nothing listening
expect_fail_oneline "non-loopback" "$MMSCOPE" export --listen 0.0.0.0:9477
grep -q 'without --allow-remote' "$TMP/ef.err" || fail "refusal message"
expect_fail_oneline "bad address" "$MMSCOPE" export --listen=localhost:http
expect_fail_oneline "unknown tracer" "$MMSCOPE" export --listen=127.0.0.1:0 --tracers nosuch
expect_fail_oneline "both modes" "$MMSCOPE" export --json --listen

tracers=none
if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] &&
   "$MMSCOPE" --help | grep -q '^  faultlat ' && "$MMSCOPE" --help | grep -q '^  ptmem '; then
	tracers=faultlat,ptmem,vmalock,ptshare
	python3 -c '
import mmap, signal, sys
m = mmap.mmap(-1, 8 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_NORESERVE", 0x4000))
for off in range(0, 8 << 30, 2 << 20):
    m[off] = 1
print("ready", flush=True)
signal.pause()' > "$TMP/pt-holder.out" &
	PTP=$!
	_LIB_PIDS+=($PTP)
	wait_for_line "$TMP/pt-holder.out" ready 20 || fail "page-table holder did not start"
fi
pgfault0=$(awk '$1 == "pgfault" {print $2}' /proc/vmstat)
spawn "$TMP/exp.out" "$TMP/exp.err" "$MMSCOPE" export --listen=127.0.0.1:0 --tracers "$tracers" \
	--interval 0.5 --duration 120
EXP=$SPAWNED
wait_for_line "$TMP/exp.err" 'serving http://127.0.0.1:[0-9]+/metrics' 20 || fail "exporter: $(cat "$TMP/exp.err")"
port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/exp.err")
log "exporter on port $port, tracers: $tracers"
# the first scrape, before the first --interval has passed
curl -sf "http://127.0.0.1:$port/metrics" > "$TMP/first.txt" || fail "first GET /metrics"
sleep 1.2
curl -sf "http://127.0.0.1:$port/metrics" > "$TMP/metrics.txt" || fail "GET /metrics"
for f in first metrics; do
	promtool check metrics < "$TMP/$f.txt" > "$TMP/lint.txt" 2>&1 ||
		fail "promtool rejects the $f exposition: $(head -5 "$TMP/lint.txt")"
	[ -s "$TMP/lint.txt" ] && fail "promtool lint on the $f exposition: $(head -5 "$TMP/lint.txt")"
done
# one HELP per family, each its own text
helps=$(grep -c '^# HELP ' "$TMP/metrics.txt")
[ "$helps" = "$(grep -c '^# TYPE ' "$TMP/metrics.txt")" ] || fail "a family without HELP"
[ "$helps" = "$(sed -n 's/^# HELP [^ ]* //p' "$TMP/metrics.txt" | sort -u | wc -l)" ] ||
	fail "HELP texts repeat: $(sed -n 's/^# HELP [^ ]* //p' "$TMP/metrics.txt" | sort | uniq -d | head -3)"
# nothing PromQL derives, counts named as counts
bad=$(grep -v '^#' "$TMP/metrics.txt" | grep -E '_per_second|_p(50|90|99)_|_mean_|_max_seconds|latency_total' | head -3)
[ -z "$bad" ] || fail "derived or misnamed series exported: $bad"
# one PageTables series (system-wide, unlabelled)
n=$(grep -E '^mmscope_[a-z_]*pagetables_bytes ' "$TMP/metrics.txt" | grep -vE 'logical|processes' | wc -l)
[ "$n" = 1 ] || fail "$n system PageTables series: $(grep -E '^mmscope_[a-z_]*pagetables_bytes ' "$TMP/metrics.txt")"
# build_info: the commit mmscope embeds, the tracers' mode
# (mk/dashboard.mk writes the description it compiles in to commit.stamp)
want_commit='[^"]+'
[ -r "$BUILD/commit.stamp" ] && want_commit=$(cat "$BUILD/commit.stamp")
want_mode=none
[ "$tracers" != none ] && want_mode='(precise|tracepoint)(\+(precise|tracepoint))?'
grep -Eq "^mmscope_build_info\{version=\"[^\"]+\",commit=\"$want_commit\",mode=\"$want_mode\"\} 1$" "$TMP/metrics.txt" ||
	fail "build_info: $(grep build_info "$TMP/metrics.txt") (commit $want_commit, mode $want_mode)"
# every series of the first scrape is still there, and none appeared since
# (ptmem's top processes excepted: they follow the processes)
series() { grep -v '^#' "$1" | grep -v '^mmscope_ptmem_process_pagetables_bytes{' | sed 's/ [^ ]*$//' | sort; }
diff <(series "$TMP/first.txt") <(series "$TMP/metrics.txt") > "$TMP/series.diff" ||
	fail "series changed between the first and a later scrape: $(head -5 "$TMP/series.diff")"
grep -q '^# TYPE mmscope_pagetables_bytes gauge$' "$TMP/metrics.txt" || fail "pagetables gauge"
grep -q '^# TYPE mmscope_vmstat_pgfault_total counter$' "$TMP/metrics.txt" || fail "pgfault counter"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" = 404 ] || fail "404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/metrics")" = 405 ] || fail "405"

# sample PageTables every 0.1 s while Prometheus runs: "unix_time kB".
# Builtins only: a sampler that forks date/awk/sleep adds their page tables
# to every reading it takes and biases it high against the exporter's.
( exec {never}<> <(:)
  end=$((SECONDS + 100))
  while [ $SECONDS -lt $end ]; do
	while read -r k v _; do
		[ "$k" = PageTables: ] && { echo "$EPOCHREALTIME $v"; break; }
	done < /proc/meminfo
	read -r -t 0.1 -u "$never" _
  done ) > "$TMP/pt.log" &
_LIB_PIDS+=($!)

ppt=""
for try in 1 2 3 4 5; do
	p=$((20000 + RANDOM % 20000))
	curl -s "http://127.0.0.1:$p/" >/dev/null && continue	# taken
	ppt=$p
	break
done
[ -n "$ppt" ] || fail "no free port for Prometheus"
cat > "$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mmscope
    static_configs:
      - targets: ['127.0.0.1:$port']
YML
spawn "$TMP/prom.out" "$TMP/prom.err" prometheus --config.file="$TMP/prometheus.yml" \
	--storage.tsdb.path="$TMP/prom-data" --web.listen-address="127.0.0.1:$ppt" \
	--storage.tsdb.retention.time=1h
PROM=$SPAWNED
API="http://127.0.0.1:$ppt/api/v1"
query() { curl -sf --get "$API/query" --data-urlencode "query=$1"; }
value() { query "$1" | jq -r '.data.result[0].value[1] // empty'; }
for _ in $(seq 60); do
	[ -n "$(value mmscope_build_info 2>/dev/null)" ] && break
	kill -0 $PROM 2>/dev/null || fail "prometheus died: $(tail -5 "$TMP/prom.err")"
	sleep 0.5
done
[ "$(value mmscope_build_info)" = 1 ] || fail "Prometheus never scraped mmscope: $(tail -3 "$TMP/prom.err")"
[ "$(value 'up{job="mmscope"}')" = 1 ] || fail "scrape target not up"
sleep 2

# counter: between the kernel's counter before the exporter and after the query
v=$(value mmscope_vmstat_pgfault_total)
pgfault1=$(awk '$1 == "pgfault" {print $2}' /proc/vmstat)
log "pgfault: before $pgfault0 <= prometheus $v <= after $pgfault1"
awk -v a="$pgfault0" -v v="$v" -v b="$pgfault1" 'BEGIN { exit !(a <= v && v <= b) }' ||
	fail "mmscope_vmstat_pgfault_total $v outside [$pgfault0, $pgfault1]"

# gauge: every sample Prometheus stored in the last 5 s lies within the
# PageTables values read within 1 s of that sample's own scrape timestamp.
# (A range query returns each raw sample with its timestamp; two instant
# queries could straddle a scrape and pair a value with the wrong time.)
check_pt() {	# check_pt METRIC [AGE]: AGE = how old the exporter's value may be
	local ts val lo hi n=0 age=${2:-0}
	while read -r ts val; do
		read -r lo hi < <(awk -v t="$ts" -v a="$age" '$1 >= t - 1 - a && $1 <= t + 1 && $2 != "" {
			v = $2 * 1024; if (lo == "" || v < lo) lo = v; if (v > hi) hi = v }
			END { print lo, hi }' "$TMP/pt.log")
		[ -n "$lo" ] || fail "$1: no PageTables samples around $ts"
		log "$1 = $val at $ts; PageTables around then: [$lo, $hi]"
		# 2% slack for page tables freed/allocated between the two readers
		awk -v v="$val" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(v >= lo * 0.98 && v <= hi * 1.02) }' ||
			fail "$1 $val not within PageTables [$lo, $hi]"
		n=$((n + 1))
	done < <(query "$1[5s]" | jq -r '.data.result[0].values[] | "\(.[0]) \(.[1])"')
	[ $n -ge 2 ] || fail "$1: only $n samples in the last 5 s"
}
check_pt mmscope_pagetables_bytes

if [ "$tracers" != none ]; then
	# ptmem's per-process gauge against the kernel's VmPTE of a process
	# holding 16 MiB of page tables (one touched page per 2 MiB of 8 GiB
	# reserved: 4096 PTE pages, 16 MiB resident), which tops the list
	v=$(value "mmscope_ptmem_process_pagetables_bytes{pid=\"$PTP\"}")
	k=$(awk '$1 == "VmPTE:" {print $2 * 1024}' /proc/$PTP/status)
	log "ptmem: pid $PTP VmPTE $k bytes, Prometheus $v"
	[ -n "$v" ] && [ "$v" = "$k" ] || fail "mmscope_ptmem_process_pagetables_bytes{pid=$PTP} '$v' != VmPTE $k"
	# both at one evaluation time, 1.5 s back (scrapes are 1 s apart, so
	# the scrape in force then is complete): two plain instant queries can
	# straddle a scrape and pair a count with the next scrape's buckets
	at=$(awk -v t="$EPOCHREALTIME" 'BEGIN { printf "%.3f", t - 1.5 }')
	c=$(curl -sf --get "$API/query" --data-urlencode "query=sum(mmscope_faultlat_latency_seconds_count)" \
		--data-urlencode "time=$at" | jq -r '.data.result[0].value[1] // empty')
	inf=$(curl -sf --get "$API/query" --data-urlencode 'query=sum(mmscope_faultlat_latency_seconds_bucket{le="+Inf"})' \
		--data-urlencode "time=$at" | jq -r '.data.result[0].value[1] // empty')
	log "faultlat histograms: count $c, +Inf buckets $inf"
	awk -v c="$c" 'BEGIN { exit !(c > 0) }' || fail "faultlat histogram empty"
	[ "$c" = "$inf" ] || fail "+Inf bucket $inf != count $c"
	# buckets are cumulative: non-decreasing with le, in every series
	query 'mmscope_faultlat_latency_seconds_bucket' |
		jq -e '[.data.result[] | select(.metric.le != "+Inf") | {k: "\(.metric.major) \(.metric.path)",
		       le: (.metric.le | tonumber), v: (.value[1] | tonumber)}] | group_by(.k)
		       | length == 6 and all(sort_by(.le) | . as $a | length == 27 and
		         ([range(1; length) | $a[.].v >= $a[. - 1].v] | all))' >/dev/null ||
		fail "histograms: not 6 series of 27 cumulative buckets"
	# histogram_quantile works on the fixed buckets, for the busy path
	q=$(value 'histogram_quantile(0.99, sum by (le) (rate(mmscope_faultlat_latency_seconds_bucket{path="vma_lock",major="false"}[5s])))')
	log "p99 of vma_lock minor faults: $q s"
	awk -v q="$q" 'BEGIN { exit !(q > 0 && q < 17.2) }' || fail "histogram_quantile gave '$q'"
	r=$(value 'sum(rate(mmscope_faultlat_latency_seconds_count[5s]))')
	awk -v r="$r" 'BEGIN { exit !(r > 0) }' || fail "faults counter not increasing ($r)"
	r=$(value 'sum(rate(mmscope_vmalock_faults_total[5s]))')
	awk -v r="$r" 'BEGIN { exit !(r > 0) }' || fail "vmalock counter not increasing ($r)"

	# the shipped Grafana dashboard: every PromQL expression in it returns
	# data from this Prometheus (Grafana's $__rate_interval is 4 scrape
	# intervals at least: 5s here; $instance: all)
	DASH="$(dirname "$0")/../../contrib/grafana/mmscope-live.json"
	jq -e '.panels | length > 0' "$DASH" >/dev/null || fail "no Grafana dashboard at $DASH"
	for want in 'histogram_quantile(0.99' 'mmscope_vmalock_faults_total' 'mmscope_pagetables_bytes' \
		    'topk(10, mmscope_ptmem_process_pagetables_bytes' 'mmscope_ptshare_sharing_ratio'; do
		jq -r '.panels[].targets[].expr' "$DASH" | grep -qF "$want" || fail "dashboard lacks $want"
	done
	jq -e '[.panels[] | select(.type == "heatmap") | .targets[] | select(.format == "heatmap")] | length == 1' \
		"$DASH" >/dev/null || fail "dashboard lacks the latency heatmap"
	n=0
	while IFS= read -r e; do
		q=${e//\$__rate_interval/5s}
		q=${q//\$instance/.*}
		k=$(query "$q" | jq -r 'if .status == "success" then .data.result | length else -1 end')
		log "dashboard: $k series: $q"
		[ "${k:-0}" -gt 0 ] || fail "dashboard expression returns no data: $q"
		n=$((n + 1))
	done < <(jq -r '.panels[].targets[].expr' "$DASH")
	# its instance variable: label_values(mmscope_build_info, instance)
	curl -sf --get "$API/series" --data-urlencode 'match[]=mmscope_build_info' |
		jq -e '[.data[].instance] | length > 0' >/dev/null || fail "dashboard variable: no instance"
	log "dashboard: all $n expressions return data"
fi

kill -TERM $PROM; wait_exit $PROM 20 || true
kill -TERM $EXP; wait_exit $EXP 10; rc=$?
[ $rc -eq 0 ] || fail "exporter exit $rc on SIGTERM"
n=$(sed -n 's/.*stopped after \([0-9]*\) requests.*/\1/p' "$TMP/exp.err")
[ "${n:-0}" -ge 5 ] || fail "exporter answered only ${n:-0} requests"

# bounded by request count
spawn "$TMP/b.out" "$TMP/b.err" "$MMSCOPE" export --listen=127.0.0.1:0 --tracers none --max-requests 2 --duration 30
B=$SPAWNED
wait_for_line "$TMP/b.err" 'serving' 10 || fail "bounded exporter"
bp=$(sed -n 's|.*127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/b.err")
curl -sf "http://127.0.0.1:$bp/metrics" >/dev/null && curl -sf "http://127.0.0.1:$bp/" >/dev/null || fail "requests"
wait_exit $B 5; rc=$?
[ $rc -eq 0 ] || fail "--max-requests 2 did not end the server (exit $rc)"
pass "Prometheus scraped mmscope; stored values match /proc ground truth"
