// SPDX-License-Identifier: GPL-2.0
/*
 * wl_pt_touch SIZE [exit]: map SIZE bytes of private anonymous memory, write
 * every 4 KiB page (so the kernel builds its PTE tables), then print
 * "ready pid=P vmpte_kb=K" with K read from /proc/self/status. Without
 * "exit" it then waits for SIGTERM/SIGINT; with "exit" it leaves at once
 * (VmPTE read just before exit, for the value-at-exit check).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "opts.h"
#include "util.h"

int main(int argc, char **argv)
{
	unsigned long long size;
	bool leave = argc > 2 && !strcmp(argv[2], "exit");
	sigset_t set;
	char *p;
	long long kb;
	int sig;

	if (argc < 2 || parse_size(argv[1], &size) || !size) {
		fprintf(stderr, "usage: wl_pt_touch SIZE [exit]\n");
		return 2;
	}
	/* block first so a signal sent right after "ready" is not lost */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("wl_pt_touch: mmap");
		return 1;
	}
	for (unsigned long long off = 0; off < size; off += 4096)
		p[off] = 1;
	kb = proc_status_kb(getpid(), "VmPTE");
	printf("ready pid=%d vmpte_kb=%lld\n", getpid(), kb);
	fflush(stdout);
	if (leave)
		_exit(0);
	sigwait(&set, &sig);
	return 0;
}
