/* SPDX-License-Identifier: GPL-2.0 */
/* perf software events: attach BPF programs on every CPU, and plain counters. */
#ifndef MMSCOPE_PERFEV_H
#define MMSCOPE_PERFEV_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

struct bpf_program;
struct bpf_link;

struct perf_links {
	struct bpf_link **links;
	int n;
};

/*
 * Open PERF_TYPE_SOFTWARE event `config` with sample_period 1 on every
 * online CPU and attach prog to each, so prog runs once per event in the
 * context of the task that caused it. Returns 0 or -errno.
 */
int perf_sw_attach_all(struct bpf_program *prog, __u64 config,
		       struct perf_links *pl);
void perf_links_destroy(struct perf_links *pl);

/*
 * A counting software event for one process (pid, every CPU), following its
 * threads and children when inherit. Returns the fd or -errno. Used by tests
 * and benches as ground truth (same as `perf stat -e minor-faults`).
 */
int perf_sw_counter_open(pid_t pid, __u64 config, bool inherit, bool disabled);
/* Read a counter fd; returns 0 and sets *v. */
int perf_counter_read(int fd, __u64 *v);


#endif
