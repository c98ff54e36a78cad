// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "sga/state.h"

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define THP_SHMEM	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"

/* Our record's path, built once before any change (the signal path uses it). */
static char my_path[128];

static void state_path(pid_t pid, char *buf, size_t len)
{
	snprintf(buf, len, "%s/sga-bench.%d.state", SGA_STATE_DIR, (int)pid);
}

/*
 * Field 22 of /proc/PID/stat: tells a live owner from a reused pid. 0 when
 * the process is gone or a zombie (dead, only not yet reaped by its parent).
 */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || !p[1] || p[2] == 'Z' || p[2] == 'X')
		return 0;
	/* After ") " come fields 3, 4, ...: skip to field 22. */
	for (i = 3, p += 2; i < 22 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		v = strtoull(p, NULL, 10);
	return v;
}

int sga_state_save(const struct sga_state *s)
{
	char tmp[160];
	FILE *f;

	if (!my_path[0])
		state_path(getpid(), my_path, sizeof(my_path));
	if (s->hp_added <= 0 && !s->thp_saved[0]) {
		unlink(my_path);
		return 0;
	}
	if (mkdir(SGA_STATE_DIR, 0755) < 0 && errno != EEXIST)
		goto fail;
	snprintf(tmp, sizeof(tmp), "%s.tmp", my_path);
	f = fopen(tmp, "w");
	if (!f)
		goto fail;
	fprintf(f, "pid %d\nstart %llu\nnr_hugepages_before %lld\nnr_hugepages_added %lld\n"
		"thp_saved %s\n", (int)getpid(), start_time(getpid()), s->hp_before,
		s->hp_added > 0 ? s->hp_added : 0, s->thp_saved[0] ? s->thp_saved : "-");
	if (fflush(f) || fsync(fileno(f)) || fclose(f)) {
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, my_path) < 0) {
		unlink(tmp);
		goto fail;
	}
	return 0;
fail:
	bench_err("cannot record the settings it changes in %s: %s (a SIGKILL would leave "
		  "them changed)", SGA_STATE_DIR, strerror(errno));
	return -1;
}

void sga_state_forget(void)
{
	if (my_path[0])
		unlink(my_path);
}

struct record {
	int pid;
	unsigned long long start;
	long long hp_before, hp_added;
	char thp_saved[32];
};

static int read_record(const char *path, struct record *r)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -1;
	memset(r, 0, sizeof(*r));
	n = fscanf(f, "pid %d start %llu nr_hugepages_before %lld nr_hugepages_added %lld "
		   "thp_saved %31s", &r->pid, &r->start, &r->hp_before, &r->hp_added,
		   r->thp_saved);
	fclose(f);
	if (n != 5 || r->pid <= 0)
		return -1;
	if (!strcmp(r->thp_saved, "-"))
		r->thp_saved[0] = 0;
	return 0;
}

static bool owner_alive(const struct record *r)
{
	if (r->pid == getpid())
		return true;
	if (kill(r->pid, 0) < 0 && errno == ESRCH)
		return false;
	return start_time(r->pid) == r->start && r->start;
}

static int current_policy(char *out, size_t len)
{
	char buf[256], *a, *b;
	FILE *f = fopen(THP_SHMEM, "r");

	if (!f)
		return -1;
	a = fgets(buf, sizeof(buf), f) ? strchr(buf, '[') : NULL;
	fclose(f);
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return -1;
	*b = 0;
	snprintf(out, len, "%s", a + 1);
	return 0;
}

/* Give back one dead owner's changes; true when anything was left to give back. */
static bool restore(const struct record *r, const char *path)
{
	char msg[400] = "", pol[32];
	long long cur, target;
	int n = 0, fd;
	bool failed = false;

	if (r->hp_added > 0 && (cur = read_sysctl_ll(NR_HUGEPAGES)) >= 0) {
		/*
		 * Take back only ours: others may have grown the pool since. If
		 * the owner died before the pool grew as far as recorded, the
		 * pool is below before + added: never go under before.
		 */
		target = cur - r->hp_added;
		if (target < r->hp_before)
			target = r->hp_before;
		if (target < cur) {
			if (write_sysctl_ll(NR_HUGEPAGES, target) < 0 && (failed = true))
				n += snprintf(msg + n, sizeof(msg) - n,
					      "cannot shrink vm.nr_hugepages from %lld to %lld: %s; ",
					      cur, target, strerror(errno));
			else
				n += snprintf(msg + n, sizeof(msg) - n,
					      "vm.nr_hugepages %lld -> %lld; ", cur, target);
		}
	}
	/* Only if it is still what we set: someone may have chosen since. */
	if (r->thp_saved[0] && current_policy(pol, sizeof(pol)) == 0 && !strcmp(pol, "advise")) {
		fd = open(THP_SHMEM, O_WRONLY);
		if (fd >= 0 && write(fd, r->thp_saved, strlen(r->thp_saved)) > 0)
			n += snprintf(msg + n, sizeof(msg) - n, "shmem_enabled advise -> %s; ",
				      r->thp_saved);
		else if ((failed = true))
			n += snprintf(msg + n, sizeof(msg) - n,
				      "cannot set shmem_enabled back to %s: %s; ", r->thp_saved,
				      strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	/* Kept when something could not be given back (not root?): try again later. */
	if (!failed)
		unlink(path);
	if (n > 2)
		msg[n - 2] = 0;
	if (n)
		bench_note("%s what sga-bench pid %d changed before it died: %s",
			   failed ? "could not restore all of" : "restored", r->pid, msg);
	return n > 0;
}

int sga_state_recover(pid_t only_pid)
{
	DIR *d = opendir(SGA_STATE_DIR);
	struct dirent *e;
	struct record r;
	char path[400];
	int pid, done = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		char tail[16];

		if (sscanf(e->d_name, "sga-bench.%d.%15s", &pid, tail) != 2 ||
		    strcmp(tail, "state"))
			continue;
		if (only_pid > 0 && pid != only_pid)
			continue;
		snprintf(path, sizeof(path), "%s/%s", SGA_STATE_DIR, e->d_name);
		if (read_record(path, &r) < 0) {
			bench_note("ignoring unreadable record %s", path);
			continue;
		}
		if (owner_alive(&r))
			continue;
		done += restore(&r, path);
	}
	closedir(d);
	return done;
}

int sga_reaper_start(void)
{
	pid_t parent = getpid(), pid;
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC) < 0) {
		bench_err("reaper pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		bench_err("cannot fork the reaper: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[0]);
		return 0;	/* p[1] stays open in us (and our children) until all die */
	}
	close(p[1]);
	/* Out of sga-bench's session and process group: a kill of the group
	 * (Ctrl-C, `kill -- -PGID`, a runner's timeout) leaves it to clean up. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "sga-bench-reap");
	/* stdout may be a pipe somebody reads to EOF: do not hold it. */
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	for (int fd = 3; fd < 1024; fd++)
		if (fd != p[0])
			close(fd);
	while (read(p[0], &c, 1) < 0 && errno == EINTR)
		;
	sga_state_recover(parent);
	_exit(0);
}
