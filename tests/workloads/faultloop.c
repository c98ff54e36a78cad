// SPDX-License-Identifier: GPL-2.0
/*
 * Test workload: page faults with known ground truth.
 *
 * N threads each map SIZE bytes (anonymous private, a MAP_SHARED file, or
 * shared memory), write one byte per page, unmap, and repeat; optionally one
 * extra thread churns unrelated small mappings (mmap/mprotect/munmap), which
 * write-locks mmap_lock and forces concurrent faults off the per-VMA lock.
 * The process counts its own faults with perf software counters (inherit,
 * so every thread is included) and prints them as one JSON line at exit:
 * that is what the tracer tests compare against.
 *
 * --wait: after opening the counters, print {"ready":PID} and block until
 * SIGUSR1, so a tracer can attach with -p PID before any fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "opts.h"
#include "perfev.h"
#include "util.h"

enum backing { B_ANON, B_FILE, B_SHMEM };

static size_t size = 64UL << 20;
static int nthreads = 1, loops = 4;
static double seconds;
static enum backing backing = B_ANON;
static volatile int churn_stop;
static long page;

static void die(const char *what)
{
	fprintf(stderr, "wl_faultloop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *map_one(void)
{
	void *p;
	int fd;
	char path[] = "/tmp/wl_faultloop.XXXXXX";

	if (backing == B_ANON) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else if (backing == B_SHMEM) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	} else {
		fd = mkstemp(path);
		if (fd < 0)
			die("mkstemp");
		unlink(path);
		if (ftruncate(fd, size))
			die("ftruncate");
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
	}
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void *fault_thread(void *arg)
{
	double end = seconds > 0 ? wall_time() + seconds : 0;

	for (int l = 0; end ? wall_time() < end : l < loops; l++) {
		char *p = map_one();

		for (size_t off = 0; off < size; off += page)
			p[off] = 1;
		munmap(p, size);
	}
	return arg;
}

/* Unrelated small mappings: each mmap/mprotect/munmap takes mmap_lock for
 * write and write-locks VMAs, so concurrent faults retry or miss. */
static void *churn_thread(void *arg)
{
	unsigned long *ops = arg;

	while (!churn_stop) {
		char *p = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			continue;
		mprotect(p, 8 * page, PROT_READ);
		munmap(p, 16 * page);
		(*ops)++;
	}
	return NULL;
}

/*
 * Grow the main thread's stack now: a stack-growth fault is served under
 * mmap_lock (no VMA covers the address yet), a genuine fallback the
 * "single thread shows none" test must not see after the start signal.
 */
static void __attribute__((noinline)) prefault_stack(void)
{
	volatile char buf[256 << 10];

	for (size_t i = 0; i < sizeof(buf); i += 512)
		buf[i] = 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: wl_faultloop [--threads N] [--size BYTES] [--loops N | --seconds S]\n"
		   "                    [--backing anon|file|shmem] [--churn] [--wait]\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{ "loops", required_argument, NULL, 'l' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "backing", required_argument, NULL, 'b' },
		{ "churn", no_argument, NULL, 'C' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL }
	};
	bool churn = false, wait = false;
	pthread_t th[256], ct;
	unsigned long churn_ops = 0;
	unsigned long long sz;
	int fmin, fmaj, c;
	__u64 vmin = 0, vmaj = 0;
	double t0;

	page = sysconf(_SC_PAGESIZE);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 't': nthreads = atoi(optarg); break;
		case 's':
			if (parse_size(optarg, &sz) || sz < (unsigned long long)page) {
				fprintf(stderr, "wl_faultloop: bad --size\n");
				return 2;
			}
			size = sz;
			break;
		case 'l': loops = atoi(optarg); break;
		case 'S': seconds = atof(optarg); break;
		case 'b':
			if (!strcmp(optarg, "anon")) backing = B_ANON;
			else if (!strcmp(optarg, "file")) backing = B_FILE;
			else if (!strcmp(optarg, "shmem")) backing = B_SHMEM;
			else { fprintf(stderr, "wl_faultloop: bad --backing\n"); return 2; }
			break;
		case 'C': churn = true; break;
		case 'w': wait = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (nthreads < 1 || nthreads > 256 || loops < 1) {
		fprintf(stderr, "wl_faultloop: --threads 1..256, --loops >= 1\n");
		return 2;
	}
	prefault_stack();
	/*
	 * Same for the first read of the vDSO data page (clock_gettime): its
	 * fault is served under mmap_lock on current kernels (measured).
	 */
	(void)wall_time();
	fmin = perf_sw_counter_open(0, PERF_COUNT_SW_PAGE_FAULTS_MIN, true, false);
	fmaj = perf_sw_counter_open(0, PERF_COUNT_SW_PAGE_FAULTS_MAJ, true, false);
	if (fmin < 0 || fmaj < 0) {
		errno = -(fmin < 0 ? fmin : fmaj);
		die("perf_event_open");
	}
	if (wait) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("{\"ready\":%d}\n", getpid());
		fflush(stdout);
		sigwait(&set, &sig);
	}
	t0 = wall_time();
	if (churn && pthread_create(&ct, NULL, churn_thread, &churn_ops))
		die("pthread_create");
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, fault_thread, NULL))
			die("pthread_create");
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	churn_stop = 1;
	if (churn)
		pthread_join(ct, NULL);
	if (perf_counter_read(fmin, &vmin) || perf_counter_read(fmaj, &vmaj))
		die("read perf counter");
	printf("{\"pid\":%d,\"threads\":%d,\"churn\":%s,\"churn_ops\":%lu,"
	       "\"minor_faults\":%llu,\"major_faults\":%llu,\"faults\":%llu,"
	       "\"elapsed_s\":%.3f}\n", getpid(), nthreads, churn ? "true" : "false",
	       churn_ops, (unsigned long long)vmin, (unsigned long long)vmaj,
	       (unsigned long long)(vmin + vmaj), wall_time() - t0);
	return 0;
}
