// SPDX-License-Identifier: GPL-2.0
/*
 * ptshare_test: exercise MAP_SHARED_PT (page-table sharing) in a guest.
 *
 *   ptshare_test basic
 *   ptshare_test ratio NPROC SIZE_MB      JSON: PageTables delta, shared vs plain
 *   ptshare_test stress NPROC SECONDS [SIZE_MB]
 *   ptshare_test unmap NPROC SIZE_MB ROUNDS [PAGES]  JSON: hole-punch time with NPROC sharers
 *
 * Exit status 0 on success. Results are JSON on stdout.
 * Built statically by scripts/kernel/initramfs.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_SHARED_PT
#define MAP_SHARED_PT 0x200000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#define PMD_SZ (2UL << 20)
#define PG 4096UL

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		failures++;						\
	}								\
} while (0)

static long meminfo_kb(const char *key)
{
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = atol(line + n + 1);
			break;
		}
	fclose(f);
	return v;
}

/* value of a counter in /sys/kernel/debug/ptshare, -1 if absent */
static long ptstat(const char *key)
{
	char name[64];
	long v, r = -1;
	FILE *f = fopen("/sys/kernel/debug/ptshare", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2)
		if (!strcmp(name, key))
			r = v;
	fclose(f);
	return r;
}

static int make_file(size_t size)
{
	int fd = memfd_create("ptshare", 0);

	if (fd < 0 || ftruncate(fd, size)) {
		perror("memfd");
		exit(2);
	}
	return fd;
}

static void *map(int fd, size_t size, int prot, int shared_pt, off_t off)
{
	int flags;

	if (getenv("PTSHARE_PLAIN"))	/* run the same test without sharing */
		shared_pt = 0;
	flags = shared_pt ? (MAP_SHARED_VALIDATE | MAP_SHARED_PT) : MAP_SHARED;

	return mmap(NULL, size, prot, flags, fd, off);
}

static void touch(volatile char *p, size_t size, int write)
{
	for (size_t i = 0; i < size; i += PG) {
		if (write)
			p[i] = (char)(i / PG);
		else
			(void)p[i];
	}
}

/*
 * Users of private page tables unshare a shared range and keep its data:
 * userfaultfd registration and soft-dirty clearing (clear_refs 4), each on a
 * mapping that was attached (faulted through the shared tables) first.
 */
static void test_unshare_users(int fd, size_t size, volatile char *ref)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_range range;
	char *c, *d;
	long u0, a0;
	int uffd, cr;

	c = map(fd, size, PROT_READ | PROT_WRITE, 1, 0);
	CHECK(c != MAP_FAILED, "mmap for userfaultfd");
	if (c == MAP_FAILED)
		return;
	a0 = ptstat("pmd_attach");
	touch(c, size, 0);
	CHECK(ptstat("pmd_attach") > a0, "read faults did not attach a shared PMD");
	u0 = ptstat("unshare");
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	CHECK(uffd >= 0, "userfaultfd: %s", strerror(errno));
	if (uffd >= 0) {
		CHECK(ioctl(uffd, UFFDIO_API, &api) == 0, "UFFDIO_API: %s", strerror(errno));
		reg.range.start = (unsigned long)c;
		reg.range.len = size;
		CHECK(ioctl(uffd, UFFDIO_REGISTER, &reg) == 0, "UFFDIO_REGISTER: %s",
		      strerror(errno));
		CHECK(ptstat("unshare") == u0 + 1, "userfaultfd registration did not unshare");
		/* the pages are in the page cache: no missing fault, data intact */
		for (size_t i = 0; i < size; i += PG)
			CHECK(c[i] == ref[i], "data after userfaultfd register at %zu", i);
		range.start = (unsigned long)c;
		range.len = size;
		CHECK(ioctl(uffd, UFFDIO_UNREGISTER, &range) == 0, "UFFDIO_UNREGISTER");
		close(uffd);
	}

	d = map(fd, size, PROT_READ | PROT_WRITE, 1, 0);
	CHECK(d != MAP_FAILED, "mmap for soft-dirty");
	if (d == MAP_FAILED) {
		munmap(c, size);
		return;
	}
	a0 = ptstat("pmd_attach");
	touch(d, size, 0);
	CHECK(ptstat("pmd_attach") > a0, "read faults did not attach a shared PMD");
	u0 = ptstat("unshare");
	cr = open("/proc/self/clear_refs", O_WRONLY);
	CHECK(cr >= 0 && write(cr, "4", 1) == 1, "clear_refs 4: %s", strerror(errno));
	if (cr >= 0)
		close(cr);
	/* every shared VMA of this process unshares (c already had) */
	CHECK(ptstat("unshare") >= u0 + 1, "soft-dirty clearing did not unshare");
	d[3] = 55;
	CHECK(ref[3] == 55, "write after soft-dirty clearing not visible");
	for (size_t i = PG; i < size; i += PG)
		CHECK(d[i] == ref[i], "data after soft-dirty clearing at %zu", i);
	munmap(c, size);
	munmap(d, size);
}

static int test_basic(void)
{
	size_t size = 4 * PMD_SZ;
	int fd = make_file(size);
	char *a, *b;
	pid_t pid;
	int st;
	long u0;

	a = map(fd, size, PROT_READ | PROT_WRITE, 1, 0);
	if (a == MAP_FAILED && errno == EOPNOTSUPP) {
		printf("{\"test\": \"basic\", \"supported\": false}\n");
		return 0;
	}
	CHECK(a != MAP_FAILED, "mmap MAP_SHARED_PT: %s", strerror(errno));
	if (a == MAP_FAILED)
		return 1;
	CHECK(((unsigned long)a & (PMD_SZ - 1)) == 0, "address %p not PMD aligned", a);
	/* unaligned length and offset are refused */
	b = map(fd, PMD_SZ + PG, PROT_READ, 1, 0);
	CHECK(b == MAP_FAILED && errno == EINVAL, "unaligned length accepted");
	b = map(fd, PMD_SZ, PROT_READ, 1, PG);
	CHECK(b == MAP_FAILED && errno == EINVAL, "unaligned offset accepted");
	/* a second mapping of the same range sees the same data */
	b = map(fd, size, PROT_READ | PROT_WRITE, 1, 0);
	CHECK(b != MAP_FAILED, "second mapping");
	touch(a, size, 1);
	for (size_t i = 0; i < size; i += PG)
		CHECK(b[i] == (char)(i / PG), "mismatch at %zu", i);
	/* a child writes through its inherited (shared) mapping */
	pid = fork();
	if (!pid) {
		for (size_t i = 0; i < size; i += PG)
			a[i + 1] = 42;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	for (size_t i = 0; i < size; i += PG)
		CHECK(b[i + 1] == 42, "child write not visible at %zu", i);
	/* in a child: clear_refs unshares every shared VMA of its process,
	 * and b must still be shared here for the mprotect check below */
	pid = fork();
	if (!pid) {
		test_unshare_users(fd, size, b);
		_exit(failures ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "userfaultfd/soft-dirty unshare checks failed (child, above)");
	/* mprotect of the whole range unshares, data stays */
	u0 = ptstat("unshare");
	CHECK(mprotect(b, size, PROT_READ) == 0, "mprotect");
	if (u0 >= 0)
		CHECK(ptstat("unshare") == u0 + 1, "mprotect did not unshare");
	a[7] = 99;
	CHECK(b[7] == 99, "write after unshare not visible");
	/* partial munmap unshares and keeps the rest working */
	CHECK(munmap(a + PMD_SZ, PG) == 0, "partial munmap");
	a[2 * PMD_SZ] = 17;
	CHECK(b[2 * PMD_SZ] == 17, "data after partial munmap");
	/* MADV_DONTNEED on a sharer: refault from the file */
	CHECK(madvise(b, PMD_SZ, MADV_DONTNEED) == 0, "madvise");
	CHECK(b[7] == 99, "data after MADV_DONTNEED");
	/* mremap unshares */
	b = mremap(b, size, size, MREMAP_MAYMOVE);
	CHECK(b != MAP_FAILED, "mremap");
	CHECK(b[2 * PMD_SZ] == 17, "data after mremap");
	munmap(a, size);
	munmap(b, size);
	close(fd);
	printf("{\"test\": \"basic\", \"supported\": true, \"failures\": %d, "
	       "\"hosts_live\": %ld, \"sharers_live\": %ld}\n",
	       failures, ptstat("hosts_live"), ptstat("sharers_live"));
	return failures != 0;
}

/*
 * N children that each set up a mapping, say they are ready and hold it
 * until holders_release(): the parent measures while all of them map.
 */
struct holders {
	int ready[2], go[2], n;
};

/* fork N children running SETUP(fd, size, arg) (exit 3 if it fails); return once all are ready */
static void holders_start(struct holders *h, int n,
			  int (*setup)(int fd, size_t size, int arg),
			  int fd, size_t size, int arg)
{
	char c;

	h->n = n;
	if (pipe(h->ready) || pipe(h->go))
		exit(2);
	for (int i = 0; i < n; i++) {
		if (fork() == 0) {
			close(h->go[1]);
			if (setup(fd, size, arg))
				_exit(3);
			if (write(h->ready[1], "r", 1) != 1 || read(h->go[0], &c, 1) < 0)
				_exit(4);
			_exit(0);
		}
	}
	for (int i = 0; i < n; i++)
		if (read(h->ready[0], &c, 1) != 1)
			exit(2);
}

/* let the children go and reap them: each must exit 0 */
static void holders_release(struct holders *h)
{
	close(h->go[1]);
	for (int i = 0; i < h->n; i++) {
		int st;

		wait(&st);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %x", st);
	}
	close(h->go[0]);
	close(h->ready[0]);
	close(h->ready[1]);
}

/* map the file (MAP_SHARED_PT if SHARED_PT is 1) and read every page; -1: map nothing */
static int map_and_touch(int fd, size_t size, int shared_pt)
{
	char *p;

	if (shared_pt < 0)	/* the baseline */
		return 0;
	p = map(fd, size, PROT_READ | PROT_WRITE, shared_pt, 0);
	if (p == MAP_FAILED)
		return -1;
	touch(p, size, 0);
	return 0;
}

/*
 * NPROC processes each map the same SIZE file and read every page; report
 * the PageTables growth while all of them are mapped.
 */
static long ratio_run(int fd, size_t size, int nproc, int shared_pt)
{
	struct holders h;
	long before, after;

	before = meminfo_kb("PageTables");
	holders_start(&h, nproc, map_and_touch, fd, size, shared_pt);
	after = meminfo_kb("PageTables");
	holders_release(&h);
	return after - before;
}

static int test_ratio(int nproc, size_t size_mb)
{
	size_t size = size_mb << 20;
	int fd = make_file(size);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	long base, plain, shared, hosts_after;

	touch(p, size, 1);	/* populate the file once */
	munmap(p, size);
	base = ratio_run(fd, size, nproc, -1);
	plain = ratio_run(fd, size, nproc, 0);
	shared = ratio_run(fd, size, nproc, 1);
	sleep(1);		/* hosts are torn down by a worker */
	hosts_after = ptstat("hosts_live");
	/* *_kb: PageTables growth with NPROC processes alive; net = minus base */
	printf("{\"test\": \"ratio\", \"procs\": %d, \"size_mb\": %zu, "
	       "\"pagetables_kb_base\": %ld, "
	       "\"pagetables_kb_plain\": %ld, \"pagetables_kb_shared\": %ld, "
	       "\"net_kb_plain\": %ld, \"net_kb_shared\": %ld, "
	       "\"ratio\": %.4f, \"net_ratio\": %.4f, \"one_copy_kb\": %zu, "
	       "\"hosts_live_after\": %ld, \"failures\": %d}\n",
	       nproc, size_mb, base, plain, shared, plain - base, shared - base,
	       plain > 0 ? (double)shared / (double)plain : 0.0,
	       plain - base > 0 ? (double)(shared - base) / (double)(plain - base) : 0.0,
	       (size / PMD_SZ) * 4, hosts_after, failures);
	close(fd);
	return failures != 0;
}

/*
 * Stress: NPROC workers loop for SECONDS over: map the file (shared PT),
 * atomically bump per-page counters, sometimes fork a child that does the
 * same, mprotect, partially unmap, MADV_DONTNEED or mremap, then unmap.
 * Every increment must be visible in the end.
 */
static int test_stress(int nproc, int seconds, size_t size_mb)
{
	size_t size = size_mb << 20, npages = size / PG;
	int fd = make_file(size);
	int res[2];
	long expected = 0, sum = 0;
	volatile long *v;

	if (pipe(res))
		exit(2);
	for (int w = 0; w < nproc; w++) {
		if (fork() == 0) {
			long mine = 0;
			time_t end = time(NULL) + seconds;
			unsigned int seed = 1234 + w;

			while (time(NULL) < end) {
				int op = rand_r(&seed) % 6;
				long *p = map(fd, size, PROT_READ | PROT_WRITE, 1, 0);
				pid_t child = -1;
				long cnt = 0;

				if (p == MAP_FAILED)
					_exit(3);
				if (op == 0)
					child = fork();
				for (size_t i = 0; i < npages; i += 1 + rand_r(&seed) % 7) {
					__atomic_fetch_add(&p[i * (PG / sizeof(long))], 1,
							   __ATOMIC_RELAXED);
					cnt++;
				}
				if (child == 0) {
					/* the forked child reports its own count */
					if (write(res[1], &cnt, sizeof(cnt)) != sizeof(cnt))
						_exit(5);
					_exit(0);
				}
				mine += cnt;
				if (child > 0)
					waitpid(child, NULL, 0);
				switch (op) {
				case 1:
					mprotect(p, size, PROT_READ);
					break;
				case 2:
					munmap((char *)p + PMD_SZ, PMD_SZ / 2);
					break;
				case 3:
					madvise(p, size / 2, MADV_DONTNEED);
					break;
				case 4:
					p = mremap(p, size, size, MREMAP_MAYMOVE);
					break;
				}
				if (p != MAP_FAILED)
					munmap(p, size);
			}
			if (write(res[1], &mine, sizeof(mine)) != sizeof(mine))
				_exit(5);
			_exit(0);
		}
	}
	close(res[1]);
	for (;;) {	/* one count per worker and per forked child, until EOF */
		long m;

		if (read(res[0], &m, sizeof(m)) != sizeof(m))
			break;
		expected += m;
	}
	for (int w = 0; w < nproc; w++) {
		int st;

		wait(&st);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker status %x", st);
	}
	/* children forked in op 0 add their own increments: count them */
	v = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	for (size_t i = 0; i < npages; i++)
		sum += v[i * (PG / sizeof(long))];
	munmap((void *)v, size);
	sleep(1);
	printf("{\"test\": \"stress\", \"procs\": %d, \"seconds\": %d, "
	       "\"size_mb\": %zu, \"increments\": %ld, "
	       "\"sum\": %ld, \"hosts_live_after\": %ld, "
	       "\"sharers_live_after\": %ld, \"hosts_created\": %ld, "
	       "\"unshare\": %ld, \"failures\": %d}\n",
	       nproc, seconds, size_mb, expected, sum, ptstat("hosts_live"),
	       ptstat("sharers_live"), ptstat("hosts_created"),
	       ptstat("unshare"), failures);
	CHECK(sum == expected, "increments: sum %ld != %ld", sum, expected);
	CHECK(ptstat("hosts_live") <= 0, "hosts leaked");
	CHECK(ptstat("sharers_live") <= 0, "sharers leaked");
	close(fd);
	return failures != 0;
}

/* sum of the "TLB" line of /proc/interrupts (TLB shootdown IPIs received) */
static long tlb_ipis(void)
{
	char line[1024];
	long sum = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, "TLB:", 4))
			continue;
		sum = 0;
		for (p += 4;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
	}
	fclose(f);
	return sum;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Review finding 5: what a host-side unmap of SIZE_MB costs with NPROC
 * sharers that all populated every PMD of the range. The parent maps and
 * writes the whole file, NPROC children inherit the mapping (each another
 * sharer) and read one byte per 2 MiB (every PMD attached), then the parent
 * punches the whole file out ROUNDS times (refilling it in between, which
 * leaves the sharers' PMDs attached) and reports the time of each punch and
 * the TLB shootdown IPIs. Then it punches PAGES single pages spread over
 * the file: each is one host TLB flush for all NPROC + 1 sharers (reclaim
 * and migration unmap page by page too), reported per page. Then the same
 * single-page punches with NPROC other children that inherit the mapping
 * but touch nothing: host flushes must skip them. The kernel's own counts
 * of flushed and skipped sharers (/sys/kernel/debug/ptshare) are checked.
 * PTSHARE_PLAIN=1: the same with MAP_SHARED (no counts to check).
 */
/* the parent's mapping of the file that unmap's children inherit */
static char *unmap_shared;

/* TOUCH: read a byte per 2 MiB of the inherited mapping, attaching every PMD */
static int touch_inherited(int fd, size_t size, int touch)
{
	(void)fd;
	for (size_t off = 0; touch && off < size; off += 2UL << 20)
		(void)*(volatile char *)(unmap_shared + off);
	return 0;
}

/*
 * PAGES single-page punches spread over the file while NPROC children map
 * it (besides the parent, which populated every PMD); print their cost
 * with the JSON key prefix KEY and check which sharers the kernel flushed:
 * all NPROC + 1 if POPULATED, else only the parent
 */
static void page_punches(int fd, size_t size, int pages, int nproc,
			 int populated, const char *key)
{
	size_t step = size / pages / PG * PG;
	long i0 = tlb_ipis(), f0 = ptstat("tlb_sharer_flush");
	long s0 = ptstat("tlb_sharer_skip"), flushed, skipped;
	double t0 = now_ms();

	for (int i = 0; i < pages; i++)
		CHECK(!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				 i * step, PG), "page punch: %s", strerror(errno));
	printf(", \"%s_us\": %.1f, \"%s_tlb_ipis\": %.2f", key,
	       (now_ms() - t0) * 1e3 / pages, key,
	       (double)(tlb_ipis() - i0) / pages);
	if (getenv("PTSHARE_PLAIN"))
		return;
	flushed = ptstat("tlb_sharer_flush") - f0;
	skipped = ptstat("tlb_sharer_skip") - s0;
	printf(", \"%s_sharers_flushed\": %.2f, \"%s_sharers_skipped\": %.2f",
	       key, (double)flushed / pages, key, (double)skipped / pages);
	/* every host flush visits all NPROC + 1 sharers: flushed or skipped */
	CHECK(flushed > 0 && (flushed + skipped) % (nproc + 1) == 0,
	      "%s: %ld sharers flushed, %ld skipped: not whole host flushes of %d",
	      key, flushed, skipped, nproc + 1);
	if (populated)
		CHECK(skipped == 0, "%s: %ld populated sharers skipped", key,
		      skipped);
	else
		CHECK(skipped == flushed * nproc,
		      "%s: %ld sharers flushed, %ld skipped: want 1 and %d per host flush",
		      key, flushed, skipped, nproc);
}

static int test_unmap(int nproc, size_t size_mb, int rounds, int pages)
{
	size_t size = size_mb << 20;
	int fd = make_file(size);
	double ms_min = 0, ms_sum = 0;
	struct holders h;
	long ipis = 0;
	char *p;

	p = map(fd, size, PROT_READ | PROT_WRITE, 1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	touch(p, size, 1);
	unmap_shared = p;
	holders_start(&h, nproc, touch_inherited, fd, size, 1);
	printf("{\"test\": \"unmap\", \"nproc\": %d, \"size_mb\": %zu, "
	       "\"shared_pt\": %d, \"punch_ms\": [", nproc, size_mb,
	       getenv("PTSHARE_PLAIN") ? 0 : 1);
	for (int r = 0; r < rounds; r++) {
		long i0 = tlb_ipis();
		double t0 = now_ms(), ms;

		CHECK(!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				 0, size), "punch: %s", strerror(errno));
		ms = now_ms() - t0;
		ipis += tlb_ipis() - i0;
		printf("%s%.2f", r ? ", " : "", ms);
		ms_sum += ms;
		if (!r || ms < ms_min)
			ms_min = ms;
		touch(p, size, 1);	/* refill through the shared tables */
	}
	printf("], \"punch_ms_min\": %.2f, \"punch_ms_mean\": %.2f, "
	       "\"tlb_ipis_per_punch\": %ld", ms_min, ms_sum / rounds,
	       ipis / rounds);
	if (pages > 0) {
		printf(", \"page_punches\": %d", pages);
		page_punches(fd, size, pages, nproc, 1, "page_punch");
	}
	holders_release(&h);
	if (pages > 0) {
		touch(p, size, 1);	/* the punched pages again */
		holders_start(&h, nproc, touch_inherited, fd, size, 0);
		page_punches(fd, size, pages, nproc, 0, "idle_page_punch");
		holders_release(&h);
	}
	printf("}\n");
	munmap(p, size);
	close(fd);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "basic"))
		return test_basic();
	if (argc >= 4 && !strcmp(argv[1], "ratio"))
		return test_ratio(atoi(argv[2]), strtoul(argv[3], NULL, 0));
	if (argc >= 4 && !strcmp(argv[1], "stress"))
		return test_stress(atoi(argv[2]), atoi(argv[3]),
				   argc > 4 ? strtoul(argv[4], NULL, 0) : 16);
	if (argc >= 5 && !strcmp(argv[1], "unmap"))
		return test_unmap(atoi(argv[2]), strtoul(argv[3], NULL, 0),
				  atoi(argv[4]) > 0 ? atoi(argv[4]) : 1,
				  argc > 5 ? atoi(argv[5]) : 0);
	fprintf(stderr, "usage: %s basic | ratio NPROC SIZE_MB | "
		"stress NPROC SECONDS [SIZE_MB] | unmap NPROC SIZE_MB ROUNDS [PAGES]\n",
		argv[0]);
	return 2;
}
