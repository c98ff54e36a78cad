// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

const char *bench_name = "bench";
volatile sig_atomic_t bench_stop;

static void bench_vmsg(const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", bench_name, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void bench_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bench_vmsg("", fmt, ap);
	va_end(ap);
}

void bench_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bench_vmsg("note: ", fmt, ap);
	va_end(ap);
}

int bench_getopt_error(int c, char **argv)
{
	if (c == ':')
		bench_err("option %s needs an argument (see --help)", argv[optind - 1]);
	else
		bench_err("unknown option '%s' (see --help)", argv[optind - 1]);
	return -1;
}

static void on_stop(int sig)
{
	bench_stop = sig;
}

void bench_install_stop_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* No SA_RESTART: blocking reads/polls return EINTR and see the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

const char *fmt_bytes(double b)
{
	static char buf[8][32];
	static int slot;
	char *p = buf[slot++ & 7];
	const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	double v = b < 0 ? -b : b;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(p, 32, "%s%.*f %s", b < 0 ? "-" : "", u ? 2 : 0, v, unit[u]);
	return p;
}

void reap_children(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++) {
		if (pids[i] <= 0)
			continue;
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
		pids[i] = 0;
	}
}

long system_task_count(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	long running, total = -1;
	double a, b, c;

	if (!f)
		return -1;
	if (fscanf(f, "%lf %lf %lf %ld/%ld", &a, &b, &c, &running, &total) != 5)
		total = -1;
	fclose(f);
	return total;
}

long long read_sysctl_ll(const char *path)
{
	FILE *f = fopen(path, "r");
	long long v;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int write_sysctl_ll(const char *path, long long v)
{
	char buf[32], tmp[32];
	int fd, len = 0, n = 0, ret = 0;
	unsigned long long u = v < 0 ? 0 : (unsigned long long)v;

	/* Hand-rolled formatting: called from fatal-signal cleanup too. */
	do {
		tmp[n++] = '0' + u % 10;
		u /= 10;
	} while (u);
	while (n)
		buf[len++] = tmp[--n];
	buf[len++] = '\n';
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}
