// SPDX-License-Identifier: GPL-2.0
/*
 * wl_pt_exits SMALL SIZE: short-lived processes for mmscope ptmem's exit
 * records (tests/integration/ptmem_exits.sh). One after another (each
 * waited for, so they exit in this order):
 *   1. SMALL children that exit at once (small peaks, arriving first);
 *   2. kind=rename: a child maps and writes SIZE bytes (its mmap takes
 *      mmap_lock: a tracer names the mm now, "wl_pt_exits"), then renames
 *      itself (prctl PR_SET_NAME "ptx-r-PID") and exits;
 *   3. kind=exec: a child execs this program again ("execd SIZE": comm
 *      stays wl_pt_exits), which maps and writes SIZE, renames itself
 *      "ptx-e-PID" and exits. The forked mm ends at the exec (its exit
 *      record keeps the pre-exec name), the exec'd one at the exit;
 *   4. kind=thread: a child maps and writes SIZE, renames itself
 *      "ptx-l-PID", starts a thread that names itself "ptx-t-PID"; the
 *      leader exits alone (SYS_exit), the thread waits until it is a
 *      zombie and ends the process: the last mm user, whose exit_mmap runs
 *      in a thread whose comm is not the process's (/proc/PID/comm shows
 *      the leader's).
 * Each of 2-4 prints, just before it exits,
 *   "child kind=K pid=P comm=C vmpte_kb=N"
 * with its own /proc/PID/comm and VmPTE (the thread's /proc/thread-self:
 * the zombie leader has no mm to show), by read()/write() only, so that no
 * page table changes after the read. Ends with "done pid=P small=N".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "opts.h"

static unsigned long long size;

static void die(const char *what)
{
	char buf[160];
	int n = snprintf(buf, sizeof(buf), "wl_pt_exits: %s: %s\n", what, strerror(errno));

	if (write(2, buf, n) < 0)
		_exit(3);
	_exit(1);
}

/* The whole of a small /proc file into buf (NUL-terminated), or die. */
static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		die(path);
	n = read(fd, buf, len - 1);
	if (n < 0)
		die(path);
	buf[n] = 0;
	close(fd);
}

static void touch_size(void)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	for (unsigned long long off = 0; off < size; off += 4096)
		p[off] = 1;
}

/* Print the report line of kind, reading VmPTE from status, and exit. */
static void report_exit(const char *kind, const char *status)
{
	char st[4096], comm[32], line[160], *v, *nl;
	long kb;
	int n;

	read_file("/proc/self/comm", comm, sizeof(comm));
	nl = strchr(comm, '\n');
	if (nl)
		*nl = 0;
	read_file(status, st, sizeof(st));
	v = strstr(st, "\nVmPTE:");
	if (!v) {
		errno = ENOENT;
		die("VmPTE");
	}
	kb = strtol(v + 7, NULL, 10);
	n = snprintf(line, sizeof(line), "child kind=%s pid=%d comm=%s vmpte_kb=%ld\n",
		     kind, getpid(), comm, kb);
	if (write(1, line, n) != n)
		die("write");
	_exit(0);
}

static void rename_self(const char *prefix)
{
	char name[16];

	snprintf(name, sizeof(name), "%s%d", prefix, getpid());
	if (prctl(PR_SET_NAME, name))
		die("prctl");
}

static void *thread_main(void *arg)
{
	pid_t leader = getpid();
	char path[64], st[512], *p;

	rename_self("ptx-t-");
	/* wait for the leader to be gone (zombie) */
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", leader);
	for (int i = 0; i < 20000; i++) {
		read_file(path, st, sizeof(st));
		p = strrchr(st, ')');
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			report_exit("thread", "/proc/thread-self/status");
		usleep(500);
	}
	errno = ETIMEDOUT;
	die("leader did not exit");
	return NULL;
}

static void child_thread(void)
{
	pthread_t t;

	touch_size();
	rename_self("ptx-l-");
	errno = pthread_create(&t, NULL, thread_main, NULL);
	if (errno)
		die("pthread_create");
	syscall(SYS_exit, 0);	/* this thread only */
}

static void wait_child(pid_t pid, const char *what)
{
	int status;

	if (pid < 0)
		die("fork");
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "wl_pt_exits: %s child %d failed (status 0x%x)\n",
			what, pid, status);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	char self[4096], sz[32];
	long small;
	pid_t pid;
	ssize_t n;

	if (argc == 3 && !strcmp(argv[1], "execd")) {
		if (parse_size(argv[2], &size) || !size)
			return 2;
		touch_size();
		rename_self("ptx-e-");
		report_exit("exec", "/proc/self/status");
	}
	small = argc == 3 ? strtol(argv[1], NULL, 10) : -1;
	if (small < 0 || parse_size(argv[2], &size) || !size) {
		fprintf(stderr, "usage: wl_pt_exits SMALL SIZE\n");
		return 2;
	}
	fflush(NULL);
	for (long i = 0; i < small; i++) {
		pid = fork();
		if (!pid)
			_exit(0);
		wait_child(pid, "small");
	}
	pid = fork();
	if (!pid) {
		touch_size();
		rename_self("ptx-r-");
		report_exit("rename", "/proc/self/status");
	}
	wait_child(pid, "rename");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die("readlink /proc/self/exe");
	self[n] = 0;
	snprintf(sz, sizeof(sz), "%llu", size);
	pid = fork();
	if (!pid) {
		execl(self, "wl_pt_exits", "execd", sz, (char *)NULL);
		die("exec");
	}
	wait_child(pid, "exec");
	pid = fork();
	if (!pid)
		child_thread();
	wait_child(pid, "thread");
	printf("done pid=%d small=%ld\n", getpid(), small);
	return 0;
}
