/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers: errors, privileges, /proc readers, tracefs. */
#ifndef MMSCOPE_UTIL_H
#define MMSCOPE_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* "mmscope: <message>" on stderr, one line. */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Root, or CAP_BPF + CAP_PERFMON (+ CAP_SYS_ADMIN-less kernels >= 5.8).
 * Prints the one-line error itself and returns -1 when missing.
 */
int require_bpf_privileges(const char *cmd);
/* The same test, silent. */
bool have_bpf_privileges(void);
/* /sys/kernel/btf/vmlinux readable; prints the error and returns -1 when not. */
int require_btf(const char *cmd);

/* Mount tracefs at /sys/kernel/tracing if nothing is there; returns the
 * tracefs root or NULL. */
const char *tracefs_root(void);

/* /proc/meminfo field in kB ("PageTables"); -1 if absent. */
long long meminfo_kb(const char *field);
/* /proc/PID/status field in kB ("VmPTE"); -1 if absent (kernel thread or gone). */
long long proc_status_kb(pid_t pid, const char *field);
/* pid is gone (kill(pid, 0) says ESRCH); a zombie still counts as there. */
bool proc_exited(pid_t pid);
/* /proc/vmstat counter; returns 0 and sets *val, -1 when the kernel lacks it. */
int vmstat_read(const char *name, unsigned long long *val);

/*
 * The executable PROG (a bare name) in $PATH, the way execvp would find it,
 * in a malloc'd string; NULL when there is none.
 */
char *path_lookup(const char *prog);
/*
 * This executable's path (sibling NULL), or the path of sibling in its
 * directory (build/overhead -> build/mmscope), so a program finds its
 * companions from any working directory. 0, or -1 when /proc/self/exe is
 * unreadable or the path does not fit in len.
 */
int exe_path(const char *sibling, char *out, size_t len);

/*
 * A growable table of rows keyed by a u32 (a tracer's processes by tgid):
 * *rows (a pointer to the array) holds *n rows of row_size bytes, room for
 * *cap; the key sits key_off bytes into each row. Returns the row with key,
 * else a new zeroed row holding it (the array grows by doubling), NULL when
 * out of memory. Rows move when it grows: do not keep pointers across calls.
 */
void *rows_find_or_add(void *rows, size_t *n, size_t *cap, size_t row_size,
		       size_t key_off, uint32_t key);

/* Monotonic and wall clocks. */
uint64_t now_ns(void);
double wall_time(void);

/* Identity of this machine for result documents. */
struct host_info {
	char kernel[128];	/* uname -r */
	char machine[65];
	char cpu_model[128];
	int ncpus;
	unsigned long long mem_bytes;
};
void host_info_get(struct host_info *h);

#endif
