// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"
#include "util.h"
#include "sga/children.h"
#include "sga/estimate.h"

static unsigned long long margin_bytes(void)
{
	unsigned long long total = meminfo_kb("MemTotal") * 1024ULL, m = total / 10;

	return m > GiB ? m : GiB;
}

/* Worst-case SGA page tables of one process mapping sga, touching a part. */
static unsigned long long pt_per_proc(enum sga_mode m, size_t sga, double frac)
{
	unsigned long long touched = (unsigned long long)(frac * sga + SGA_GRANULE);
	unsigned long long pmd_pages = (sga + GiB - 1) / GiB + 1, pte_pages;

	/* thp may fall back to 4 KiB pages; ptshare may not share: plan for PTEs. */
	if (m == SGA_HUGETLB)
		pte_pages = 0;
	else
		pte_pages = (touched + SGA_GRANULE - 1) / SGA_GRANULE;
	return (pte_pages + pmd_pages + 1) * PAGE_4K;	/* + one PUD page */
}

void sga_estimate(enum sga_mode m, size_t sga, double frac, int nprocs,
		  struct sga_estimate *e)
{
	e->pt_per_proc = pt_per_proc(m, sga, frac);
	e->need = sga + (unsigned long long)nprocs * (e->pt_per_proc + SGA_PROC_OVERHEAD +
						      sizeof(struct child_slot));
	e->avail = meminfo_kb("MemAvailable") * 1024ULL;
	e->margin = margin_bytes();
}

size_t sga_fit_size(enum sga_mode m, double frac, int nprocs, double share)
{
	unsigned long long avail = meminfo_kb("MemAvailable") * 1024ULL, budget, fixed;
	double per_byte;
	size_t sga;
	struct sga_estimate e;

	if (avail <= margin_bytes())
		return 0;
	budget = (unsigned long long)((avail - margin_bytes()) * share);
	fixed = (unsigned long long)nprocs * (SGA_PROC_OVERHEAD + pt_per_proc(m, 0, 0) +
					      PAGE_4K + sizeof(struct child_slot));
	if (budget <= fixed)
		return 0;
	/* Each SGA byte costs itself plus 1/512 of a PTE byte per toucher. */
	per_byte = 1.0 + (m == SGA_HUGETLB ? 0 : frac * nprocs / 512.0);
	sga = (size_t)((budget - fixed) / per_byte);
	sga = sga >= GiB ? sga / GiB * GiB : sga / SGA_GRANULE * SGA_GRANULE;
	/* Round-ups in pt_per_proc can still overshoot: step down until it fits. */
	while (sga >= SGA_GRANULE) {
		sga_estimate(m, sga, frac, nprocs, &e);
		if (e.need <= budget)
			break;
		sga -= sga > GiB ? GiB : SGA_GRANULE;
	}
	return sga >= SGA_GRANULE ? sga : 0;
}

int sga_check_task_limits(int nprocs)
{
	long long pid_max = read_sysctl_ll("/proc/sys/kernel/pid_max");
	long long threads_max = read_sysctl_ll("/proc/sys/kernel/threads-max");
	long tasks = system_task_count();
	struct rlimit rl;

	if (tasks < 0)
		tasks = 0;
	if (pid_max > 0 && tasks + nprocs + 64 > pid_max) {
		bench_err("%d processes would exceed kernel.pid_max (%lld, %ld tasks running)",
			  nprocs, pid_max, tasks);
		return -1;
	}
	if (threads_max > 0 && tasks + nprocs + 64 > threads_max) {
		bench_err("%d processes would exceed kernel.threads-max (%lld, %ld tasks running)",
			  nprocs, threads_max, tasks);
		return -1;
	}
	/* The kernel does not apply RLIMIT_NPROC to root. */
	if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (unsigned long long)nprocs + 1 > rl.rlim_cur) {
		bench_err("%d processes exceed RLIMIT_NPROC (%llu); raise it with ulimit -u",
			  nprocs, (unsigned long long)rl.rlim_cur);
		return -1;
	}
	return 0;
}
