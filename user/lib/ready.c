// SPDX-License-Identifier: GPL-2.0
/* The readiness protocol (ready.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "ready.h"
#include "util.h"

int ready_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC | O_NONBLOCK);
}

void ready_child_setup(int wfd)
{
	char fd[16];

	/* dup2 onto itself would keep O_CLOEXEC: clear it by hand */
	if (wfd == READY_FD)
		fcntl(wfd, F_SETFD, 0);
	else
		dup2(wfd, READY_FD);
	snprintf(fd, sizeof(fd), "%d", READY_FD);
	setenv(READY_ENV, fd, 1);
}

int ready_read(int rfd, char *mode, size_t len)
{
	char b[64];
	ssize_t r = rfd >= 0 ? read(rfd, b, sizeof(b) - 1) : 0;

	if (r > 0) {
		b[r] = '\0';
		if (mode && len) {
			const char *m = strncmp(b, "ready ", 6) ? "" : b + 6;

			snprintf(mode, len, "%.*s", (int)strcspn(m, "\n"), m);
		}
		return 1;
	}
	if (r == 0)
		return -1;
	return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

int ready_wait(int rfd, double timeout_s, char *mode, size_t len)
{
	double end = wall_time() + timeout_s;

	for (;;) {
		struct pollfd p = { rfd, POLLIN, 0 };
		int r = ready_read(rfd, mode, len);

		if (r)
			return r;
		if (wall_time() >= end)
			return 0;
		poll(&p, 1, 50);
	}
}

void ready_signal(const char *mode)
{
	const char *e = getenv(READY_ENV);
	char line[64];
	long fd;
	int n;

	if (!e || parse_long(e, 3, 1 << 20, &fd) < 0)
		return;
	unsetenv(READY_ENV);
	n = snprintf(line, sizeof(line), "ready %s\n", mode);
	if (write((int)fd, line, n) != n)
		err_msg("cannot signal readiness on fd %ld: %s", fd, strerror(errno));
	close((int)fd);
}
