/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SGA client processes: fork N children that each map the SGA, touch
 * their share of it and pause, with two broadcast barriers (a pipe closed by
 * the parent wakes everyone) so the parent can measure all of them alive.
 */
#ifndef SGA_CHILDREN_H
#define SGA_CHILDREN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#include "hist_report.h"

#define SGA_GRANULE (2UL * 1024 * 1024)	/* unit of --touch selection */
/*
 * Children are named SGA_CHILD_COMM "-" + the parent's pid in base 36
 * (sga-child-2n9c): unique per sga-bench run, so a comm filter (the faultlat
 * tracer's, pgrep '^sga-child') tells concurrent runs apart.
 */
#define SGA_CHILD_COMM "sga-child"

enum touch_kind { TOUCH_PREFIX, TOUCH_RANDOM };

struct touch_plan {
	enum touch_kind kind;
	double fraction;	/* of the SGA's granules, (0, 1] */
	bool write;		/* store instead of load */
	unsigned int seed;
	bool sample_latency;	/* time a sample of the touches that fault */
	bool inject_crash;	/* test hook: child 0 dies of SIGBUS after touching */
	bool inject_stall;	/* test hook: child 0 stops itself (SIGSTOP) mid-touch */
};

/* Per-child results in MAP_SHARED memory, written by the child. */
struct child_slot {
	long long vmpte_before_kb;	/* own VmPTE at barrier 1 (before mapping) */
	long long touched_bytes;
	/* Faults the child took inside its touch loop (getrusage): the SGA's
	 * own, nothing of its start-up or the barriers. */
	long long sga_faults;
	int err;			/* errno of a failed step, 0 if fine */
	int failed_step;		/* enum child_step */
	struct hist lat;		/* ns per sampled faulting touch */
	/* Progress, read by the parent's progress thread while the child runs. */
	volatile int stage;		/* enum child_stage */
	volatile long long pages_done;	/* 4 KiB pages touched so far */
	volatile long long unmapped_bytes;	/* of the SGA, at teardown */
};

/* How far a child got (its slot's stage). */
enum child_stage { CS_FORKED, CS_READY, CS_MAPPED, CS_TOUCHED, CS_UNMAPPED };

struct sga_group {
	int n;
	pid_t *pids;
	struct child_slot *slots;	/* n entries, shared */
	int ready_rd;			/* children write one byte per phase */
	int go_wr, release_wr;		/* parent closes to broadcast */
	volatile int nforked;
	volatile int nreaped;		/* at teardown */
	char comm[16];			/* the children's comm */
};

struct sga_map_spec {
	void *addr;		/* 1 GiB-aligned, same in every child */
	size_t size;
	int fd;
	int map_flags;
	int madvice;		/* 0 = none */
	size_t fault_stride;	/* bytes mapped per fault: where to time */
	size_t unmap_step;	/* teardown munmap()s this much at a time; 0: 16 MiB.
				 * ptshare: the whole SGA (a partial munmap unshares) */
};

/* The comm children of this process get (buf: 16 bytes). */
void sga_child_comm(char *buf);
/* Fork n children; they stop at the first barrier. -1 on error (printed). */
int sga_group_spawn(struct sga_group *g, int n, const struct sga_map_spec *m,
		    const struct touch_plan *t);
/*
 * Wait for every child to reach the current barrier (one byte each); -1 if
 * a child died, the user interrupted or timeout_s passed (error printed).
 */
int sga_group_wait_ready(struct sga_group *g, double timeout_s);
/* Let the children map and touch. */
void sga_group_go(struct sga_group *g);
/*
 * Let them unmap the SGA (in steps the progress thread can see) and exit,
 * and reap them; returns the number that exited non-zero, or -1 when the run
 * was stopped (signal, watchdog) before all were reaped (message printed).
 */
int sga_group_release(struct sga_group *g);
/* Kill and reap whatever is left, free everything. Idempotent. */
void sga_group_destroy(struct sga_group *g);

#endif
