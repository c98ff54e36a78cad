/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfbench workloads: each task loops mmap / write one byte per page /
 * munmap (will-it-scale page_fault1..3 style), counting one op per page
 * touched; every op is one page fault (THP is disabled on the regions).
 */
#ifndef PF_WORKERS_H
#define PF_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pf_test { PF_ANON, PF_SHARED_FILE, PF_PRIVATE_COW, PF_CONTENTION, PF_NR_TESTS };
extern const char *const pf_test_names[PF_NR_TESTS];
extern const char *const pf_test_desc[PF_NR_TESTS];

/* One cache line per task so counting does not bounce lines between CPUs. */
struct pf_counter {
	volatile uint64_t ops;
	char pad[56];
};

/* Lives in MAP_SHARED memory: seen by threads and forked processes alike. */
struct pf_shared {
	volatile int stop;
	volatile int started;
	volatile int failed;		/* errno of the first failing task */
	volatile uint64_t churn_ops;	/* contention: address-space changes */
	struct pf_counter task[];
};

struct pf_task_arg {
	enum pf_test test;
	struct pf_shared *sh;
	int idx;
	size_t size;
	int fd;			/* file tests: this task's memfd */
};

/* Prepare per-task state (the file for file tests); 0 or -errno. */
int pf_task_prepare(struct pf_task_arg *a);
void pf_task_cleanup(struct pf_task_arg *a);
/* The loop; returns when sh->stop is set (or on error, recorded in sh). */
void *pf_task_run(void *arg);
/* contention: the thread that keeps changing the address space. */
void *pf_churn_run(void *arg);

#endif
