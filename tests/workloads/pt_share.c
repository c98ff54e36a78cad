// SPDX-License-Identifier: GPL-2.0
/*
 * wl_pt_share KIND GIB N: N processes map the same GIB GiB file at the same
 * 1 GiB-aligned address and touch one page in each GiB, which is enough for
 * the kernel to build (or share) one PMD table per GiB in each of them.
 *   KIND hugetlb: MAP_SHARED memfd(MFD_HUGETLB): hugetlb PMD sharing applies
 *        private: MAP_PRIVATE of the same: never shared (control)
 *        shmem:   MAP_SHARED 4 KiB memfd: never shared (control)
 * Mapping is MAP_NORESERVE: only touched pages need hugepages (hugetlb: GIB
 * pages in all; private: N * GIB).
 * Protocol: prints "forked pids=P1,P2,..." and waits for SIGUSR1; then lets
 * the children map and touch one after another (so each later child finds
 * the first one's tables), prints "ready vmpte_sum_kb=S" (the children's
 * VmPTE summed) and waits for SIGTERM/SIGINT, then ends the children.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "util.h"

#define GIB (1ULL << 30)
#define MAX_PROCS 256

static int child(int go, int ack, int fd, char *addr, unsigned long long size,
		 int flags, int ngib)
{
	char c = 0;
	char *p;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(go, &c, 1) != 1)
		_exit(1);
	p = mmap(addr, size, PROT_READ | PROT_WRITE,
		 flags | MAP_FIXED_NOREPLACE | MAP_NORESERVE, fd, 0);
	if (p != addr) {
		fprintf(stderr, "wl_pt_share: mmap at %p: %s\n", (void *)addr,
			p == MAP_FAILED ? strerror(errno) : "placed elsewhere");
		c = 'E';
	} else {
		for (int g = 0; g < ngib; g++)
			p[(unsigned long long)g * GIB] = 1;
		c = 'K';
	}
	if (write(ack, &c, 1) != 1 || c != 'K')
		_exit(1);
	for (;;)
		pause();	/* SIGTERM ends it (default action) */
}

int main(int argc, char **argv)
{
	int ngib, n, fd, go[MAX_PROCS][2], ack[2], flags;
	pid_t pids[MAX_PROCS];
	unsigned long long size;
	unsigned long probe;
	long long sum = 0;
	sigset_t set;
	char *addr;
	int sig, rc = 0;

	if (argc != 4 || (ngib = atoi(argv[2])) < 1 || ngib > 512 ||
	    (n = atoi(argv[3])) < 1 || n > MAX_PROCS ||
	    (strcmp(argv[1], "hugetlb") && strcmp(argv[1], "private") &&
	     strcmp(argv[1], "shmem"))) {
		fprintf(stderr, "usage: wl_pt_share hugetlb|private|shmem GIB(1-512) N(1-%d)\n",
			MAX_PROCS);
		return 2;
	}
	size = ngib * GIB;
	fd = memfd_create("wl_pt_share", strcmp(argv[1], "shmem") ? MFD_HUGETLB : 0);
	if (fd < 0 || ftruncate(fd, size)) {
		perror("wl_pt_share: memfd");
		return 1;
	}
	flags = strcmp(argv[1], "private") ? MAP_SHARED : MAP_PRIVATE;
	/*
	 * A 1 GiB-aligned hole next to the other mappings: let the kernel place
	 * a reservation top-down (near the libraries, so in a PUD table that
	 * already exists), align it, and give it back.
	 */
	addr = mmap(NULL, size + GIB, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (addr == MAP_FAILED) {
		perror("wl_pt_share: address reservation");
		return 1;
	}
	probe = ((unsigned long)addr + GIB - 1) & ~(GIB - 1);
	munmap(addr, size + GIB);
	addr = (char *)probe;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pipe(ack)) {
		perror("wl_pt_share: pipe");
		return 1;
	}
	printf("forked pids=");
	for (int i = 0; i < n; i++) {
		if (pipe(go[i])) {
			perror("wl_pt_share: pipe");
			return 1;
		}
		fflush(stdout);
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("wl_pt_share: fork");
			n = i;
			rc = 1;
			break;
		}
		if (!pids[i]) {
			sigset_t none;

			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			child(go[i][0], ack[1], fd, addr, size, flags, ngib);
		}
		printf("%s%d", i ? "," : "", pids[i]);
	}
	printf(" addr=%p\n", (void *)addr);
	fflush(stdout);
	if (!rc) {
		do {
			if (sigwait(&set, &sig))
				sig = SIGTERM;
		} while (0);
		for (int i = 0; sig == SIGUSR1 && i < n; i++) {
			char c = 'g';

			if (write(go[i][1], &c, 1) != 1 || read(ack[0], &c, 1) != 1 || c != 'K') {
				fprintf(stderr, "wl_pt_share: child %d failed to map/touch\n", pids[i]);
				rc = 1;
				break;
			}
			sum += proc_status_kb(pids[i], "VmPTE");
		}
		if (sig == SIGUSR1 && !rc) {
			printf("ready vmpte_sum_kb=%lld\n", sum);
			fflush(stdout);
			sigdelset(&set, SIGUSR1);
			sigwait(&set, &sig);
		}
	}
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (int i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	return rc;
}
