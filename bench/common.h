/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Code shared by the bench drivers (sga-bench, pfbench): one-line errors
 * naming the driver, signal-driven stop flag, child reaping, /proc readers
 * the library lacks. Statistics come from user/lib/stats.h, option values
 * are parsed by user/lib/opts.h as mmscope's are.
 */
#ifndef MMSCOPE_BENCH_COMMON_H
#define MMSCOPE_BENCH_COMMON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define PAGE_4K 4096ULL

/* Name printed before every error ("sga-bench: ..."); set once in main(). */
extern const char *bench_name;
void bench_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* getopt_long returned ':' (a value missing) or '?': say which; returns -1. */
int bench_getopt_error(int c, char **argv);

/*
 * SIGINT/SIGTERM/SIGHUP set bench_stop (and record which signal) instead of
 * killing us, so every exit path runs the driver's cleanup.
 */
extern volatile sig_atomic_t bench_stop;
void bench_install_stop_handlers(void);

/* "1.50 GiB"-style text for a byte count (static buffer ring, 8 slots). */
const char *fmt_bytes(double bytes);

/* SIGKILL each pid > 0 and wait for all of them; clears the array. */
void reap_children(pid_t *pids, int n);

/* Number of tasks (threads) in the system, from /proc/loadavg. */
long system_task_count(void);
/* A /proc/sys integer (e.g. "/proc/sys/kernel/pid_max"); -1 on error. */
long long read_sysctl_ll(const char *path);
/* Write an integer to a /proc/sys file; 0 or -errno. Async-signal-safe. */
int write_sysctl_ll(const char *path, long long v);

#endif
