#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh judges a guest console by ksplat_check: a memory cgroup's OOM
# kill (the ptshare selftest's memcg limit kills on purpose) is no splat,
# a global OOM kill, a WARNING or a trace after the OOM report still are.
. "$(dirname "$0")/lib.sh"
. "$(cd "$(dirname "$0")/../.." && pwd)/scripts/kernel/lib.sh"
memcg_oom() {
	cat <<'LOG'
[    5.61] ptshare invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
[    5.61] Call Trace:
[    5.61]  <TASK>
[    5.61]  out_of_memory+0x248/0x570
[    5.61]  mem_cgroup_out_of_memory+0x12a/0x140
[    5.61]  try_charge_memcg+0x46a/0x620
[    5.61]  </TASK>
[    5.62] Memory cgroup out of memory: Killed process 136 (ptshare)
LOG
}
{ echo "boot"; memcg_oom; memcg_oom; echo "done"; } > "$TMP/memcg.log"
ksplat_check "$TMP/memcg.log" 2> "$TMP/err" || fail "memcg OOM taken for a splat: $(cat "$TMP/err")"
sed 's/mem_cgroup_out_of_memory/pagefault_out_of_memory/' "$TMP/memcg.log" > "$TMP/global.log"
ksplat_check "$TMP/global.log" 2> "$TMP/err" && fail "global OOM kill not reported"
grep -q '^3:.*Call Trace:' "$TMP/err" || fail "line number of the trace: $(cat "$TMP/err")"
{ memcg_oom; echo "[    6.00] WARNING: CPU: 1 PID: 102 at mm/mmu_notifier.c:618"; } > "$TMP/warn.log"
ksplat_check "$TMP/warn.log" 2> "$TMP/err" && fail "WARNING after a memcg OOM not reported"
grep -q '^9:.*WARNING' "$TMP/err" || fail "line number of the WARNING: $(cat "$TMP/err")"
{ memcg_oom; echo "[    6.10] Call Trace:"; } > "$TMP/trace.log"
ksplat_check "$TMP/trace.log" 2> /dev/null && fail "trace after the OOM report not reported"
pass
