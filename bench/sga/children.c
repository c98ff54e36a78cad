// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "util.h"
#include "sga/children.h"
#include "sga/progress.h"

enum child_step {
	STEP_NONE, STEP_PARENT_GONE, STEP_MMAP, STEP_MADVISE, STEP_ALLOC, STEP_PIPE, STEP_MUNMAP
};
static const char *const step_names[] = {
	"-", "start (parent already gone)", "mmap of the SGA", "madvise of the SGA",
	"allocating its touch plan", "barrier pipe", "munmap of the SGA",
};

/* Children unmap the SGA in steps this large, so teardown shows progress. */
#define UNMAP_STEP (16UL * 1024 * 1024)

static int ready_wr = -1, go_rd = -1, release_rd = -1;
static int ready_count, ready_target;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Block until the parent closes the pipe's write end. */
static void wait_broadcast(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

static int cmp_u32(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* Which granules this child touches, in address order. */
static unsigned int *plan_granules(const struct touch_plan *t, size_t ngr,
				   int idx, size_t *cnt)
{
	unsigned int *g = malloc(ngr * sizeof(*g)), seed;
	size_t i, n = (size_t)(t->fraction * ngr + 0.5);

	if (!g)
		return NULL;
	if (n < 1)
		n = 1;
	for (i = 0; i < ngr; i++)
		g[i] = i;
	if (t->kind == TOUCH_RANDOM) {
		seed = t->seed ^ (unsigned int)(idx * 2654435761u);
		for (i = 0; i < n; i++) {
			size_t j = i + (size_t)rand_r(&seed) % (ngr - i);
			unsigned int tmp = g[i];

			g[i] = g[j];
			g[j] = tmp;
		}
		qsort(g, n, sizeof(*g), cmp_u32);
	}
	*cnt = n;
	return g;
}

/* Faults this process took so far (the kernel's per-task count). */
static long long own_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (long long)ru.ru_minflt + ru.ru_majflt;
}

static void touch(struct child_slot *s, char *base, const struct sga_map_spec *m, int nprocs,
		  const struct touch_plan *t, int idx)
{
	size_t ngr = m->size / SGA_GRANULE, cnt, i, off, every, start, k = 0;
	size_t faults_per_gr = SGA_GRANULE / m->fault_stride;
	unsigned int *g = plan_granules(t, ngr, idx, &cnt);
	volatile char *p;
	char sink = 0;
	long long f0;

	if (!g) {
		s->err = ENOMEM;
		s->failed_step = STEP_ALLOC;
		_exit(2);
	}
	/* About 2048 timed touches per child: enough for p99, cheap. */
	every = cnt * faults_per_gr / 2048;
	if (every < 1)
		every = 1;
	/*
	 * Each child starts at its own place in its plan and wraps around:
	 * children walking the SGA in lockstep collide in fault-around, which
	 * skips a page another child holds locked (folio_trylock) and so
	 * costs extra faults that look like interference.
	 */
	start = nprocs > 1 ? cnt * (size_t)idx / nprocs : 0;
	f0 = own_faults();
	for (i = 0; i < cnt; i++) {
		char *gb = base + (size_t)g[(start + i) % cnt] * SGA_GRANULE;

		/* Test hook: a child that stops half-way, as one stuck would. */
		if (t->inject_stall && idx == 0 && i == cnt / 2)
			raise(SIGSTOP);

		for (off = 0; off < SGA_GRANULE; off += PAGE_4K) {
			p = gb + off;
			if (t->sample_latency && off % m->fault_stride == 0 &&
			    k++ % every == 0) {
				uint64_t t0 = mono_ns();

				if (t->write)
					*p = 1;
				else
					sink += *p;
				hist_add(&s->lat, mono_ns() - t0);
				continue;
			}
			if (t->write)
				*p = 1;
			else
				sink += *p;
		}
		s->pages_done += SGA_GRANULE / PAGE_4K;
	}
	s->sga_faults = own_faults() - f0;
	s->touched_bytes = (long long)cnt * SGA_GRANULE;
	(void)sink;
	free(g);
}

static void child_fail(struct child_slot *s, int step)
{
	s->err = errno;
	s->failed_step = step;
	_exit(2);
}

static void child_main(struct sga_group *g, int idx, const struct sga_map_spec *m,
		       const struct touch_plan *t, pid_t parent)
{
	struct child_slot *s = &g->slots[idx];
	size_t step;
	void *p;

	/* Die with the parent, even if it died before prctl took effect. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) {
		errno = ESRCH;
		child_fail(s, STEP_PARENT_GONE);
	}
	/* Only the parent reacts to Ctrl-C; it kills us in order. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	/*
	 * The parent's fatal-signal handler gives back the hugepages and THP
	 * policy it changed: a child that crashes (SIGBUS on a hugetlb page)
	 * must not run it, or it shrinks the pool under the parent, which
	 * later shrinks it once more, and takes other users' pages.
	 */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGABRT, SIG_DFL);
	close(g->go_wr);
	close(g->release_wr);
	close(g->ready_rd);
	prctl(PR_SET_NAME, g->comm);
	/*
	 * The logical figure (VmPTE delta) must cover the same window as the
	 * physical one (PageTables from barrier 1 to barrier 2). After fork
	 * the child still faults in page tables of its own: its slot (a
	 * MAP_SHARED page, not copied by fork), text of the barrier code. A
	 * VmPTE read right after fork counted those 1-2 pages per child as
	 * SGA page tables (thp, 1500 x 2 GiB: logical 3 pages per process
	 * for 2 PMD pages, a phantom "sharing ratio" of 1.4-3). So: read once
	 * now (faults the slot page and warms the /proc reader), and take the
	 * baseline after barrier 1, when the parent has read PageTables.
	 */
	s->vmpte_before_kb = proc_status_kb(getpid(), "VmPTE");
	s->stage = CS_READY;
	if (write(ready_wr, "f", 1) != 1)
		child_fail(s, STEP_PIPE);
	wait_broadcast(go_rd);
	s->vmpte_before_kb = proc_status_kb(getpid(), "VmPTE");

	p = mmap(m->addr, m->size, PROT_READ | PROT_WRITE, m->map_flags | MAP_FIXED,
		 m->fd, 0);
	if (p == MAP_FAILED)
		child_fail(s, STEP_MMAP);
	if (m->madvice && madvise(p, m->size, m->madvice) < 0)
		child_fail(s, STEP_MADVISE);
	s->stage = CS_MAPPED;
	touch(s, p, m, g->n, t, idx);
	if (t->inject_crash && idx == 0)
		raise(SIGBUS);
	s->stage = CS_TOUCHED;
	if (write(ready_wr, "t", 1) != 1)
		child_fail(s, STEP_PIPE);
	wait_broadcast(release_rd);
	/*
	 * The same work exit would do (zap the PTEs, free the page tables),
	 * in steps the parent can count: an exit of 1500 children sharing two
	 * CPUs otherwise shows nothing for minutes, then all exits at once.
	 */
	step = m->unmap_step ? m->unmap_step : UNMAP_STEP;
	for (size_t off = 0; off < m->size; off += step) {
		size_t len = m->size - off < step ? m->size - off : step;

		if (munmap((char *)p + off, len) < 0)
			child_fail(s, STEP_MUNMAP);
		s->unmapped_bytes += len;
	}
	s->stage = CS_UNMAPPED;
	_exit(0);
}

void sga_child_comm(char *buf)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned long v = (unsigned long)getpid();
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v % 36];
		v /= 36;
	} while (v && n < 5);	/* pid_max <= 2^22 < 36^5 */
	memcpy(buf, SGA_CHILD_COMM "-", sizeof(SGA_CHILD_COMM));
	for (int i = 0; i < n; i++)
		buf[sizeof(SGA_CHILD_COMM) + i] = tmp[n - 1 - i];
	buf[sizeof(SGA_CHILD_COMM) + n] = 0;
}

int sga_group_spawn(struct sga_group *g, int n, const struct sga_map_spec *m,
		    const struct touch_plan *t)
{
	int rp[2] = { -1, -1 }, gp[2] = { -1, -1 }, xp[2] = { -1, -1 }, i;
	pid_t parent = getpid();

	memset(g, 0, sizeof(*g));
	g->ready_rd = g->go_wr = g->release_wr = -1;
	g->n = n;
	sga_child_comm(g->comm);
	g->pids = calloc(n, sizeof(*g->pids));
	g->slots = mmap(NULL, n * sizeof(*g->slots), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!g->pids || g->slots == MAP_FAILED) {
		g->slots = NULL;
		bench_err("no memory for %d child records", n);
		return -1;
	}
	if (pipe2(rp, O_CLOEXEC) < 0 || pipe2(gp, O_CLOEXEC) < 0 ||
	    pipe2(xp, O_CLOEXEC) < 0) {
		bench_err("pipe: %s", strerror(errno));
		goto fail;
	}
	g->ready_rd = rp[0];
	ready_wr = rp[1];
	go_rd = gp[0];
	g->go_wr = gp[1];
	release_rd = xp[0];
	g->release_wr = xp[1];
	ready_count = 0;
	ready_target = 0;
	sga_progress_attach(g);
	fflush(NULL);
	for (i = 0; i < n; i++) {
		pid_t pid;

		if (bench_stop) {
			bench_err("%s while spawning (%d of %d started)", sga_stop_reason(), i, n);
			goto fail;
		}
		pid = fork();
		if (pid < 0) {
			bench_err("fork of child %d of %d: %s", i + 1, n, strerror(errno));
			goto fail;
		}
		if (pid == 0)
			child_main(g, i, m, t, parent);
		g->pids[i] = pid;
		g->nforked = i + 1;
	}
	/* Only children hold these now: EOF on ready_rd means all are gone. */
	close(ready_wr);
	close(go_rd);
	close(release_rd);
	ready_wr = go_rd = release_rd = -1;
	return 0;
fail:
	close(rp[1]);
	close(gp[0]);
	close(xp[0]);
	ready_wr = go_rd = release_rd = -1;
	sga_group_destroy(g);
	return -1;
}

/* A child of this group died early: say how; false if pid is not one. */
static bool report_dead_child(struct sga_group *g, pid_t pid, int status)
{
	int i;

	for (i = 0; i < g->nforked; i++)
		if (g->pids[i] == pid)
			break;
	if (i == g->nforked)
		return false;
	g->pids[i] = 0;
	if (WIFSIGNALED(status))
		bench_err("child %d (pid %d) was killed by signal %d (%s)%s", i, pid,
			  WTERMSIG(status), strsignal(WTERMSIG(status)),
			  WTERMSIG(status) == SIGKILL ? "; out of memory? see dmesg" : "");
	else if (g->slots[i].failed_step)
		bench_err("child %d (pid %d) failed at %s: %s", i, pid,
			  step_names[g->slots[i].failed_step], strerror(g->slots[i].err));
	else
		bench_err("child %d (pid %d) exited early with status %d", i, pid,
			  WEXITSTATUS(status));
	return true;
}

int sga_group_wait_ready(struct sga_group *g, double timeout_s)
{
	uint64_t deadline = mono_ns() + (uint64_t)(timeout_s * 1e9);
	char buf[4096];

	ready_target += g->nforked;
	while (ready_count < ready_target) {
		struct pollfd pfd = { .fd = g->ready_rd, .events = POLLIN };
		int status, r;
		pid_t pid;

		if (bench_stop) {
			bench_err("%s; cleaning up", sga_stop_reason());
			return -1;
		}
		if (mono_ns() > deadline) {
			bench_err("timed out after %.0f s waiting for children (%d of %d at the barrier)",
				  timeout_s, ready_count - (ready_target - g->nforked), g->nforked);
			return -1;
		}
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0 && report_dead_child(g, pid, status))
			return -1;
		r = poll(&pfd, 1, 200);
		if (r <= 0)
			continue;
		r = read(g->ready_rd, buf, sizeof(buf));
		if (r > 0)
			ready_count += r;
		else if (r == 0) {
			bench_err("all children are gone before reaching the barrier");
			return -1;
		}
	}
	return 0;
}

void sga_group_go(struct sga_group *g)
{
	close(g->go_wr);
	g->go_wr = -1;
}

int sga_group_release(struct sga_group *g)
{
	int i, bad = 0, status, left = 0;
	pid_t pid;

	close(g->release_wr);
	g->release_wr = -1;
	for (i = 0; i < g->nforked; i++)
		left += g->pids[i] > 0;
	/* Reap in whatever order they finish, polling so a stop is seen. */
	while (left > 0) {
		if (bench_stop) {
			bench_err("%s during teardown (%d of %d children reaped); cleaning up",
				  sga_stop_reason(), g->nreaped, g->nforked);
			return -1;
		}
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			bench_err("waiting for the children: %s", strerror(errno));
			return -1;
		}
		if (pid == 0) {
			usleep(5000);
			continue;
		}
		for (i = 0; i < g->nforked && g->pids[i] != pid; i++)
			;
		if (i == g->nforked)
			continue;	/* not one of this group's (a reaper) */
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
		g->pids[i] = 0;
		g->nreaped++;
		left--;
	}
	return bad;
}

void sga_group_destroy(struct sga_group *g)
{
	sga_progress_attach(NULL);
	if (g->pids)
		reap_children(g->pids, g->nforked);
	free(g->pids);
	g->pids = NULL;
	if (g->slots)
		munmap(g->slots, g->n * sizeof(*g->slots));
	g->slots = NULL;
	if (g->ready_rd >= 0)
		close(g->ready_rd);
	if (g->go_wr >= 0)
		close(g->go_wr);
	if (g->release_wr >= 0)
		close(g->release_wr);
	g->ready_rd = g->go_wr = g->release_wr = -1;
	g->nforked = 0;
}
