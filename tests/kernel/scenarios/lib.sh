# Helpers sourced by the guest scenarios (busybox sh).
R=${MMSCOPE_RESULTS:-/results}
T=/sys/kernel/tracing
# arg NAME DEFAULT: value of mmscope.NAME= on the kernel command line
arg() {
	for a in $(cat /proc/cmdline); do
		case $a in mmscope.$1=*) echo "${a#*=}"; return ;; esac
	done
	echo "$2"
}
# trace_on SYSTEM...: enable the events of the given trace systems
trace_on() {
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo ${TRACE_KB:-32768} > $T/buffer_size_kb
	for s in "$@"; do
		[ -d $T/events/$s ] && echo 1 > $T/events/$s/enable
	done
	echo 1 > $T/tracing_on
}
trace_off() {
	echo 0 > $T/tracing_on
	for s in "$@"; do
		[ -d $T/events/$s ] && echo 0 > $T/events/$s/enable
	done
}
# count EVENT: number of EVENT lines in the trace buffer
count() { grep -c " $1:" $T/trace; }
# ptstat KEY: counter from /sys/kernel/debug/ptshare (-1 if absent)
ptstat() {
	awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print -1 }' \
		/sys/kernel/debug/ptshare 2>/dev/null || echo -1
}
# trace_counts: one pass over the trace buffer (reading it is slow under
# TCG), prints "NAME=COUNT" lines for the mmscope trace events, miss reasons
# and lost-event markers; eval its output.
trace_counts() {
	awk '
	/LOST/ { lost++ }
	/ vma_lock_success:/ { s++ }
	/ vma_lock_miss:/ { m++; r = $0; sub(/.*reason=/, "", r); mr[r]++ }
	/ vma_lock_retry:/ { rt++ }
	/ vma_lock_fallback:/ { fb++ }
	/ pgtable_alloc:/ { pa++ }
	/ pgtable_free:/ { pf++ }
	END {
		printf "tc_success=%d tc_miss=%d tc_retry=%d tc_fallback=%d\n", s, m, rt, fb
		printf "tc_no_vma=%d tc_detached=%d tc_write_locked=%d tc_other=%d\n",
			mr["no_vma"], mr["detached"], mr["write_locked"], mr["other"]
		printf "tc_pgalloc=%d tc_pgfree=%d tc_lost=%d\n", pa, pf, lost
	}' $T/trace
}
