// SPDX-License-Identifier: GPL-2.0
/*
 * vmalock_test: generate per-VMA lock traffic for the vma_lock tracepoints.
 *
 *   vmalock_test THREADS SECONDS
 *   vmalock_test uffd COPIES
 *   vmalock_test pmdshare
 *
 * THREADS threads fault anonymous memory (touch, MADV_DONTNEED, touch)
 * while one thread keeps changing the address space of the same mm
 * (mmap/munmap/mprotect), which write-locks VMAs and makes some faults
 * miss or fall back to mmap_lock. Prints the /proc/vmstat vma_lock_*
 * deltas as JSON.
 *
 * "uffd" does COPIES single-page UFFDIO_COPY ioctls, each of which looks
 * the VMA up with the per-VMA lock but is no page fault: the vma_lock
 * events must not count them (the vmalock scenario compares with vmstat).
 *
 * "pmdshare" maps a 1 GiB hugetlbfs file twice, PUD aligned, so that the
 * second mapping shares the first one's PMD table (hugetlb PMD sharing),
 * then unmaps both. Around each step it writes a trace_marker line
 * "vmalock_test pmdshare N" and prints its VmPTE, so that the scenario can
 * check that the pgtable events of each step add up to the VmPTE change.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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

static int fault_churn(int argc, char **argv);

/* UFFDIO_COPY @copies single pages into a registered anonymous region */
static int uffd_copies(long copies)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	long before[4], after[4], done = 0;
	char *dst, *src;
	int uffd;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		printf("{\"test\": \"uffd\", \"skip\": \"no userfaultfd\"}\n");
		return 0;
	}
	dst = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	src = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED || src == MAP_FAILED) {
		perror("vmalock_test: mmap");
		return 1;
	}
	memset(src, 0x5a, PG);
	reg.range.start = (unsigned long)dst;
	reg.range.len = REGION;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		perror("vmalock_test: UFFDIO_REGISTER");
		return 1;
	}
	vmstat(before);
	while (done < copies) {
		for (unsigned long i = 0; i < REGION && done < copies; i += PG) {
			struct uffdio_copy c = {
				.dst = (unsigned long)dst + i,
				.src = (unsigned long)src,
				.len = PG,
			};

			if (ioctl(uffd, UFFDIO_COPY, &c)) {
				perror("vmalock_test: UFFDIO_COPY");
				return 1;
			}
			done++;
		}
		/* empty again: the next round copies into missing pages */
		madvise(dst, REGION, MADV_DONTNEED);
	}
	vmstat(after);
	printf("{\"test\": \"uffd\", \"copies\": %ld", done);
	for (int i = 0; i < 4; i++)
		printf(", \"%s\": %ld", keys[i], after[i] - before[i]);
	printf("}\n");
	munmap(dst, REGION);
	munmap(src, PG);
	close(uffd);
	return 0;
}

#define GB (1UL << 30)

/* VmPTE of this process in kB, read without allocating (no page tables) */
static long vmpte_kb(void)
{
	static char buf[4096];
	char *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "VmPTE:");
	return p ? atol(p + 6) : -1;
}

static void marker(int fd, int step)
{
	char m[64];
	int n = snprintf(m, sizeof(m), "vmalock_test pmdshare %d\n", step);

	if (write(fd, m, n) != n)
		perror("vmalock_test: trace_marker");
}

static int pmdshare(void)
{
	char path[] = "/dev/hugepages/vmalock_test.XXXXXX";
	volatile char *a, *b;
	long v[3];
	char *res;
	int fd, mfd;

	mfd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);
	fd = mkstemp(path);
	if (fd < 0 || mfd < 0) {
		printf("{\"test\": \"pmdshare\", \"skip\": \"no hugetlbfs or trace_marker\"}\n");
		return 0;
	}
	unlink(path);
	if (ftruncate(fd, GB)) {
		perror("vmalock_test: ftruncate hugetlbfs file");
		return 1;
	}
	/* two PUD-aligned 1 GiB mappings: only whole PUDs share PMD tables */
	res = mmap(NULL, 3 * GB, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		perror("vmalock_test: mmap reserve");
		return 1;
	}
	a = (char *)(((unsigned long)res + GB - 1) & ~(GB - 1));
	b = a + GB;
	if (mmap((void *)a, GB, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0) == MAP_FAILED ||
	    mmap((void *)b, GB, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0) == MAP_FAILED) {
		perror("vmalock_test: mmap hugetlbfs file");
		return 1;
	}
	vmpte_kb();	/* fault in the buffer before the first marker */
	marker(mfd, 0);
	v[0] = vmpte_kb();
	a[0] = 1;
	if (b[0] != 1)	/* faults through the shared PMD table */
		fprintf(stderr, "vmalock_test: second mapping reads %d\n", b[0]);
	marker(mfd, 1);
	v[1] = vmpte_kb();
	munmap((void *)b, GB);
	munmap((void *)a, GB);
	marker(mfd, 2);
	v[2] = vmpte_kb();
	marker(mfd, 3);
	printf("{\"test\": \"pmdshare\", \"pid\": %d, \"vmpte_kb\": [%ld, %ld, %ld]}\n",
	       getpid(), v[0], v[1], v[2]);
	munmap(res, 3 * GB);
	close(fd);
	close(mfd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "uffd"))
		return uffd_copies(atol(argv[2]));
	if (argc > 1 && !strcmp(argv[1], "pmdshare"))
		return pmdshare();
	return fault_churn(argc, argv);
}

static int fault_churn(int argc, char **argv)
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
