/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SGA's backing store per mode: a memfd populated by the parent before
 * any child maps it, plus the system settings a mode needs (hugepage pool,
 * shmem THP policy), always given back by sga_backing_destroy() or, on a
 * fatal signal, by sga_backing_emergency_restore().
 */
#ifndef SGA_BACKING_H
#define SGA_BACKING_H

#include <stdbool.h>
#include <stddef.h>

enum sga_mode { SGA_SHMEM, SGA_THP, SGA_HUGETLB, SGA_PTSHARE, SGA_NR_MODES };

extern const char *const sga_mode_names[SGA_NR_MODES];

struct sga_backing {
	enum sga_mode mode;
	int fd;
	size_t size;
	int map_flags;		/* flags children pass to mmap (plus MAP_FIXED) */
	int madvice;		/* children's madvise() after mapping, 0 = none */
	size_t fault_stride;	/* bytes one fault maps when reading sequentially */
	long long thp_huge_bytes;	/* ShmemHugePages grown by populating */
};

/* Whether this kernel/host can run the mode; a one-line reason when not. */
bool sga_mode_available(enum sga_mode m, bool thp_force, char *why, size_t len);
/* True when the mode maps 4 KiB pages (2 MiB of PTEs per GiB per process). */
bool sga_mode_uses_ptes(enum sga_mode m);

/*
 * What kept a mode from running. SGA_UNAVAILABLE: the host cannot give it
 * what it needs right now (hugepages, memory, a THP policy it may not set),
 * with a one-line reason, "MODE: ...", for the caller to report (under
 * --mode all: skipped). SGA_FAILED: anything else, already printed.
 */
enum { SGA_OK = 0, SGA_FAILED = -1, SGA_UNAVAILABLE = -2 };

/*
 * Create and populate: SGA_OK; SGA_UNAVAILABLE with the reason in why;
 * SGA_FAILED after printing a one-line error. Nothing is left behind on
 * either error (memfd closed, hugepages and THP policy given back).
 */
int sga_backing_create(struct sga_backing *b, enum sga_mode m, size_t size,
		       bool thp_force, char *why, size_t len);
/* Close the memfd and give back hugepages / THP policy. Idempotent. */
void sga_backing_destroy(struct sga_backing *b);
/* Async-signal-safe subset of destroy for fatal signals (settings only). */
void sga_backing_emergency_restore(void);

/*
 * Test hook (SGA_BENCH_INJECT=hugetlb:reserve): grow the hugepage pool one
 * page short of what the SGA needs, as a kernel that could not find the
 * last page would, so the partial-reservation path runs for real.
 */
extern bool sga_inject_short_pool;

#endif
