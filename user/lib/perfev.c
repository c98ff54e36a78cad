// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>

#include "perfev.h"

/* Online CPU ids; returns count (<= max) or -errno. */
static int online_cpus(int *cpus, int max)
{
	char buf[1024], *p;
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int n = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	for (p = strtok(buf, ",\n"); p; p = strtok(NULL, ",\n")) {
		int a, b;

		if (sscanf(p, "%d-%d", &a, &b) != 2)
			b = a = atoi(p);
		for (int c = a; c <= b && n < max; c++)
			cpus[n++] = c;
	}
	return n;
}

static long perf_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return syscall(__NR_perf_event_open, attr, pid, cpu, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

int perf_sw_attach_all(struct bpf_program *prog, __u64 config,
		       struct perf_links *pl)
{
	int cpus[1024], n = online_cpus(cpus, 1024);

	pl->links = NULL;
	pl->n = 0;
	if (n < 0)
		return n;
	pl->links = calloc(n, sizeof(*pl->links));
	if (!pl->links)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct perf_event_attr attr;
		int fd, err;

		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = PERF_TYPE_SOFTWARE;
		attr.config = config;
		attr.sample_period = 1;
		fd = perf_open(&attr, -1, cpus[i]);
		if (fd < 0) {
			err = -errno;
			perf_links_destroy(pl);
			return err;
		}
		pl->links[pl->n] = bpf_program__attach_perf_event(prog, fd);
		if (!pl->links[pl->n]) {
			err = -errno;
			close(fd);
			perf_links_destroy(pl);
			return err;
		}
		pl->n++;
	}
	return 0;
}

void perf_links_destroy(struct perf_links *pl)
{
	for (int i = 0; i < pl->n; i++)
		bpf_link__destroy(pl->links[i]);	/* closes the perf fd too */
	free(pl->links);
	pl->links = NULL;
	pl->n = 0;
}

int perf_sw_counter_open(pid_t pid, __u64 config, bool inherit, bool disabled)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = config;
	attr.inherit = inherit;
	attr.disabled = disabled;
	attr.enable_on_exec = disabled;
	fd = perf_open(&attr, pid, -1);
	return fd < 0 ? -errno : fd;
}

int perf_counter_read(int fd, __u64 *v)
{
	return read(fd, v, sizeof(*v)) == sizeof(*v) ? 0 : -1;
}
