// SPDX-License-Identifier: GPL-2.0
/*
 * vmalock_test: generate per-VMA lock traffic for the vma_lock tracepoints.
 *
 *   vmalock_test THREADS SECONDS
 *
 * THREADS threads fault anonymous memory (touch, MADV_DONTNEED, touch)
 * while one thread keeps changing the address space of the same mm
 * (mmap/munmap/mprotect), which write-locks VMAs and makes some faults
 * miss or fall back to mmap_lock. Prints the /proc/vmstat vma_lock_*
 * deltas as JSON.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define REGION (8UL << 20)
#define PG 4096UL

static volatile int stop;
static const char *keys[] = { "vma_lock_success", "vma_lock_abort",
			      "vma_lock_retry", "vma_lock_miss" };

static void vmstat(long *v)
{
	char name[64];
	long x;
	FILE *f = fopen("/proc/vmstat", "r");

	memset(v, 0, 4 * sizeof(*v));
	if (!f)
		return;
	while (fscanf(f, "%63s %ld", name, &x) == 2)
		for (int i = 0; i < 4; i++)
			if (!strcmp(name, keys[i]))
				v[i] = x;
	fclose(f);
}

static void *faulter(void *arg)
{
	char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long n = 0;

	(void)arg;
	if (p == MAP_FAILED)
		return NULL;
	while (!stop) {
		for (unsigned long i = 0; i < REGION; i += PG)
			p[i] = 1;
		madvise(p, REGION, MADV_DONTNEED);
		n++;
	}
	munmap(p, REGION);
	return (void *)n;
}

static void *churner(void *arg)
{
	(void)arg;
	while (!stop) {
		char *q = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (q == MAP_FAILED)
			continue;
		q[0] = 1;
		mprotect(q, 8 * PG, PROT_READ);
		munmap(q, 16 * PG);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nthr = argc > 1 ? atoi(argv[1]) : 4;
	int secs = argc > 2 ? atoi(argv[2]) : 3;
	pthread_t t[64], c;
	long before[4], after[4], loops = 0;

	if (nthr > 64)
		nthr = 64;
	vmstat(before);
	for (int i = 0; i < nthr; i++)
		pthread_create(&t[i], NULL, faulter, NULL);
	pthread_create(&c, NULL, churner, NULL);
	sleep(secs);
	stop = 1;
	for (int i = 0; i < nthr; i++) {
		void *r;

		pthread_join(t[i], &r);
		loops += (long)r;
	}
	pthread_join(c, NULL);
	vmstat(after);
	printf("{\"test\": \"vmalock\", \"threads\": %d, \"seconds\": %d, "
	       "\"loops\": %ld", nthr, secs, loops);
	for (int i = 0; i < 4; i++)
		printf(", \"%s\": %ld", keys[i], after[i] - before[i]);
	printf("}\n");
	return 0;
}
