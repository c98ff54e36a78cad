// SPDX-License-Identifier: GPL-2.0
/*
 * wl_pt_levels: builds, then partly frees, page tables at all three levels
 * x86-64 4-level paging accounts in VmPTE (a PUD table per 512 GiB, a PMD
 * table per 1 GiB, a PTE table per 2 MiB), in a region of its own, with a
 * pause after each step, for the per-level ground-truth test of mmscope
 * ptmem (tests/integration/ptmem_levels.sh).
 *
 * The region: two 512 GiB slots from 16 TiB up, checked empty in
 * /proc/self/maps (nothing else of the process shares their tables). Each
 * 1 GiB area below has a PMD table of its own, each 2 MiB a PTE table.
 *   slots 0 and 1, areas 0..2: four 4 KiB anonymous mappings, one per
 *       2 MiB (MAP_FIXED_NOREPLACE; separate VMAs, never merged, never
 *       THP), each written once: PUD 2, PMD 6, PTE 24;
 *   slot 0, area 3: a 4 MiB MADV_HUGEPAGE mapping written in both halves:
 *       two PMD-mapped THPs, each with a deposited PTE table (counted in
 *       nr_ptes like a real one): PMD 1, PTE 2;
 *   area 4: 2 MiB written page by page with THP off (MADV_NOHUGEPAGE): one
 *       PTE table; then MADV_COLLAPSE: the same table is deposited behind
 *       the new THP (no new table): PMD 1, PTE 1;
 *   area 5: 2 MiB of a memfd (shmem), MAP_SHARED, written page by page: a
 *       PTE table; MADV_COLLAPSE: a file THP, the PTE table retracted and
 *       freed (no deposit for file THPs on x86-64): PMD 1, PTE +1 -1;
 *   area 6: a 2 MiB anonymous THP (as area 3), then mremap()ed to area 7:
 *       its deposited table moves with it; area 7 gets a PMD table, area
 *       6's is freed: PMD +2 -1, PTE 1.
 *   built (phase 2): alloc PTE 29, PMD 11, PUD 2; free PTE 1, PMD 1
 *   munmap'ed (phase 3; zap, then free_pgtables):
 *     slot 0 area 0, its first page:   PTE 1
 *     slot 0 area 1, all of it:        PTE 4, PMD 1
 *     areas 3, 4, 5, 7:                PTE 2+1+0+1, PMD 4
 *     slot 1, all of it:               PTE 12, PMD 3, PUD 1
 *                                      PTE 21, PMD 8, PUD 1
 * Where THP is unavailable the THP areas are PTE-mapped: the same counts
 * except area 5's PTE table, freed at munmap instead of by the collapse (the
 * expectations printed follow what happened; thp=, collapsed=, moved= say
 * what did: 2 1 1 1 when every THP path was taken).
 * Protocol (one line per step on stdout, VmPTE read from /proc/self/status
 * just before; between two pauses the process changes no other page table,
 * its stdio and /proc reads having run once before the first pause):
 *   phase=1 pid=P vmpte_kb=K                                  SIGUSR1 ->
 *   phase=2 pid=P vmpte_kb=K thp=N collapsed=A,S moved=M
 *           alloc_pte=. alloc_pmd=. alloc_pud=. free_pte=. free_pmd=. free_pud=.
 *                                                             SIGUSR1 ->
 *   phase=3 pid=P vmpte_kb=K alloc_pte=0 ... free_pte=. free_pmd=. free_pud=.
 *                                                             SIGUSR1 -> fork:
 *   child pid=C vmpte_kb=K        (the child; SIGUSR1 ends it)
 *   phase=4 pid=P child=C vmpte_kb=K                          SIGUSR1 ->
 *   done pid=P                     (child reaped; exits)
 * SIGTERM/SIGINT end either process at any pause.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define KIB	1024ULL
#define MIB	(1024 * KIB)
#define GIB	(1024 * MIB)
#define SLOT	(512 * GIB)		/* one PUD table maps this much */
#define BASE	(16 * 1024 * GIB)	/* 16 TiB: 512 GiB-aligned, unused */
#define NSLOT	2
#define NAREA	3			/* 1 GiB areas with 4 KiB pages, per slot */
#define NPAGE	4			/* pages (one per 2 MiB) per area */
#define A_THP	3			/* slot 0's areas: THPs by fault */
#define A_ANON	4			/* anonymous, collapsed */
#define A_SHMEM	5			/* shmem, collapsed */
#define A_MOVE	6			/* a THP moved by mremap to A_MOVED */
#define A_MOVED	7

static sigset_t waitset;

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	buf[n++] = '\n';
	if (write(1, buf, n) != n)
		_exit(1);
}

static void die(const char *what)
{
	fprintf(stderr, "wl_pt_levels: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* Wait for SIGUSR1; SIGTERM/SIGINT end the process. */
static void pause_here(void)
{
	int sig;

	if (sigwait(&waitset, &sig))
		_exit(1);
	if (sig != SIGUSR1)
		_exit(0);
}

static char *addr_of(int slot, int area, unsigned long long off)
{
	return (char *)(BASE + slot * SLOT + area * GIB + off);
}

static char *map_at(char *a, unsigned long long len, int flags, int fd)
{
	char *p = mmap(a, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (p != a) {	/* kernels before 4.17 */
		errno = EEXIST;
		die("mmap placed elsewhere");
	}
	return p;
}

static char *map_anon(char *a, unsigned long long len)
{
	return map_at(a, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

static void unmap_at(char *a, unsigned long long len)
{
	if (munmap(a, len))
		die("munmap");
}

/* madvise(advice); EINVAL (not in this kernel, THP off...) is not fatal */
static bool advise(char *a, unsigned long long len, int advice, const char *what)
{
	if (!madvise(a, len, advice))
		return true;
	if (errno != EINVAL && errno != EAGAIN && errno != ENOMEM)
		die(what);
	return false;
}

static void touch_all(char *a, unsigned long long len)
{
	for (unsigned long long off = 0; off < len; off += 4096)
		*(volatile char *)(a + off) = 1;
}

/* Nothing mapped in [lo, hi): its page tables are ours alone. */
static void check_empty(unsigned long long lo, unsigned long long hi)
{
	unsigned long long s, e;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		die("/proc/self/maps");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx", &s, &e) == 2 && s < hi && e > lo) {
			fprintf(stderr, "wl_pt_levels: the region %#llx-%#llx is in use: %s",
				lo, hi, line);
			_exit(1);
		}
	fclose(f);
}

/* PMD-mapped THPs (anonymous or shmem) in the mapping starting at a (smaps). */
static int thp_count(const char *a)
{
	unsigned long long s, e, kb, sum = 0;
	char line[512];
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &s, &e) == 2)	/* a mapping's first line */
			in = s == (unsigned long long)a;
		else if (in && (sscanf(line, "AnonHugePages: %llu kB", &kb) == 1 ||
				sscanf(line, "ShmemPmdMapped: %llu kB", &kb) == 1))
			sum += kb;
	}
	fclose(f);
	return sum / 2048;
}

static long long vmpte(void)
{
	return proc_status_kb(getpid(), "VmPTE");
}

int main(void)
{
	int thp, anon_collapsed, shmem_collapsed, moved, fd;
	char *p, *q;
	pid_t child;

	/* block first so a signal sent right after a line is not lost */
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGUSR1);
	sigaddset(&waitset, SIGTERM);
	sigaddset(&waitset, SIGINT);
	sigprocmask(SIG_BLOCK, &waitset, NULL);
	check_empty(BASE, BASE + NSLOT * SLOT);
	fd = memfd_create("wl_pt_levels", 0);
	if (fd < 0 || ftruncate(fd, 2 * MIB))
		die("memfd");
	/* run every code path of the later steps once before the first count */
	(void)thp_count(NULL);
	say("phase=1 pid=%d vmpte_kb=%lld", getpid(), vmpte());
	pause_here();

	for (int s = 0; s < NSLOT; s++)
		for (int g = 0; g < NAREA; g++)
			for (int t = 0; t < NPAGE; t++) {
				p = map_anon(addr_of(s, g, t * 2 * MIB), 4096);
				*(volatile char *)p = 1;
			}
	/* THPs by fault */
	p = map_anon(addr_of(0, A_THP, 0), 4 * MIB);
	advise(p, 4 * MIB, MADV_HUGEPAGE, "madvise(MADV_HUGEPAGE)");
	*(volatile char *)p = 1;
	*(volatile char *)(p + 2 * MIB) = 1;
	thp = thp_count(p);
	/* anonymous collapse */
	p = map_anon(addr_of(0, A_ANON, 0), 2 * MIB);
	advise(p, 2 * MIB, MADV_NOHUGEPAGE, "madvise(MADV_NOHUGEPAGE)");
	touch_all(p, 2 * MIB);
	advise(p, 2 * MIB, MADV_HUGEPAGE, "madvise(MADV_HUGEPAGE)");
	anon_collapsed = advise(p, 2 * MIB, MADV_COLLAPSE, "madvise(MADV_COLLAPSE)") &&
			 thp_count(p) == 1;
	/* shmem collapse */
	p = map_at(addr_of(0, A_SHMEM, 0), 2 * MIB, MAP_SHARED, fd);
	touch_all(p, 2 * MIB);
	shmem_collapsed = advise(p, 2 * MIB, MADV_COLLAPSE, "madvise(MADV_COLLAPSE)");
	/* a THP moved */
	p = map_anon(addr_of(0, A_MOVE, 0), 2 * MIB);
	advise(p, 2 * MIB, MADV_HUGEPAGE, "madvise(MADV_HUGEPAGE)");
	*(volatile char *)p = 1;
	moved = thp_count(p) == 1;
	q = mremap(p, 2 * MIB, 2 * MIB, MREMAP_MAYMOVE | MREMAP_FIXED, addr_of(0, A_MOVED, 0));
	if (q == MAP_FAILED)
		die("mremap");
	moved = moved && thp_count(q) == 1;
	say("phase=2 pid=%d vmpte_kb=%lld thp=%d collapsed=%d,%d moved=%d "
	    "alloc_pte=%d alloc_pmd=%d alloc_pud=%d free_pte=%d free_pmd=%d free_pud=%d",
	    getpid(), vmpte(), thp, anon_collapsed, shmem_collapsed, moved,
	    NSLOT * NAREA * NPAGE + 2 + 1 + 1 + 1, NSLOT * NAREA + 5, NSLOT,
	    shmem_collapsed, 1, 0);
	pause_here();

	unmap_at(addr_of(0, 0, 0), 4096);
	unmap_at(addr_of(0, 1, 0), GIB);
	unmap_at(addr_of(0, A_THP, 0), 4 * MIB);
	unmap_at(addr_of(0, A_ANON, 0), 2 * MIB);
	unmap_at(addr_of(0, A_SHMEM, 0), 2 * MIB);
	unmap_at(addr_of(0, A_MOVED, 0), 2 * MIB);
	unmap_at(addr_of(1, 0, 0), SLOT);
	say("phase=3 pid=%d vmpte_kb=%lld "
	    "alloc_pte=0 alloc_pmd=0 alloc_pud=0 free_pte=%d free_pmd=%d free_pud=%d",
	    getpid(), vmpte(), 1 + NPAGE + 2 + 1 + !shmem_collapsed + 1 + NAREA * NPAGE,
	    1 + 4 + NAREA, 1);
	pause_here();

	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		say("child pid=%d vmpte_kb=%lld", getpid(), vmpte());
		pause_here();
		_exit(0);
	}
	say("phase=4 pid=%d child=%d vmpte_kb=%lld", getpid(), child, vmpte());
	pause_here();
	if (waitpid(child, NULL, 0) != child)
		die("waitpid");
	say("done pid=%d", getpid());
	return 0;
}
