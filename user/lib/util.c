// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>

#include "util.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("mmscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int cap_effective(unsigned long long *caps)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7)) {
			*caps = strtoull(line + 7, NULL, 16);
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

bool have_bpf_privileges(void)
{
	unsigned long long caps = 0;
	const int cap_sys_admin = 21, cap_perfmon = 38, cap_bpf = 39;

	if (cap_effective(&caps))
		return geteuid() == 0;
	return (caps & (1ULL << cap_sys_admin)) ||
	       ((caps & (1ULL << cap_bpf)) && (caps & (1ULL << cap_perfmon)));
}

int require_bpf_privileges(const char *cmd)
{
	if (have_bpf_privileges())
		return 0;
	err_msg("%s: needs root or CAP_BPF+CAP_PERFMON to load BPF programs (try sudo)",
		cmd);
	return -1;
}

int require_btf(const char *cmd)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		return 0;
	err_msg("%s: this kernel has no BTF (/sys/kernel/btf/vmlinux missing); "
		"CO-RE programs need CONFIG_DEBUG_INFO_BTF=y", cmd);
	return -1;
}

static bool is_tracefs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == TRACEFS_MAGIC;
}

const char *tracefs_root(void)
{
	static const char *root;

	if (root)
		return root;
	if (is_tracefs("/sys/kernel/tracing"))
		return root = "/sys/kernel/tracing";
	if (is_tracefs("/sys/kernel/debug/tracing"))
		return root = "/sys/kernel/debug/tracing";
	/* Like perf, mount it where the kernel expects it. */
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 ||
	    is_tracefs("/sys/kernel/tracing"))
		return root = "/sys/kernel/tracing";
	return NULL;
}

/* "Field:  123 kB" lines (/proc/meminfo, /proc/PID/status): the number, -1 if absent. */
static long long proc_file_kb(const char *path, const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

long long meminfo_kb(const char *field)
{
	return proc_file_kb("/proc/meminfo", field);
}

long long proc_status_kb(pid_t pid, const char *field)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return proc_file_kb(path, field);
}

int vmstat_read(const char *name, unsigned long long *val)
{
	char key[128];
	unsigned long long v;
	int ret = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%127s %llu", key, &v) == 2)
		if (!strcmp(key, name)) {
			*val = v;
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

double wall_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void host_info_get(struct host_info *h)
{
	struct utsname u;
	char line[256];
	FILE *f;

	memset(h, 0, sizeof(*h));
	if (uname(&u) == 0) {
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
		snprintf(h->machine, sizeof(h->machine), "%s", u.machine);
	}
	f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10) && !h->cpu_model[0]) {
				char *p = strchr(line, ':');

				if (p) {
					p += 2;
					p[strcspn(p, "\n")] = '\0';
					snprintf(h->cpu_model, sizeof(h->cpu_model), "%s", p);
				}
			}
		fclose(f);
	}
	h->ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	h->mem_bytes = (unsigned long long)meminfo_kb("MemTotal") * 1024ULL;
}

bool proc_exited(pid_t pid)
{
	return kill(pid, 0) && errno == ESRCH;
}

void *rows_find_or_add(void *rows, size_t *n, size_t *cap, size_t row_size,
		       size_t key_off, uint32_t key)
{
	char *a, *row;
	uint32_t k;

	/* rows points to the caller's array pointer, of whatever type */
	memcpy(&a, rows, sizeof(a));
	for (size_t i = 0; i < *n; i++) {
		memcpy(&k, a + i * row_size + key_off, sizeof(k));
		if (k == key)
			return a + i * row_size;
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char *na = realloc(a, c * row_size);

		if (!na)
			return NULL;
		a = na;
		memcpy(rows, &a, sizeof(a));
		*cap = c;
	}
	row = memset(a + *n * row_size, 0, row_size);
	memcpy(row + key_off, &key, sizeof(key));
	(*n)++;
	return row;
}

int exe_path(const char *sibling, char *out, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;
	int w;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (sibling && slash)
		*slash = '\0';
	w = sibling ? snprintf(out, len, "%s/%s", self, sibling) : snprintf(out, len, "%s", self);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

char *path_lookup(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin"), *save = NULL;
	char *found = NULL;

	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save))
		if (asprintf(&found, "%s/%s", d, prog) > 0 && access(found, X_OK)) {
			free(found);
			found = NULL;
		}
	free(copy);
	return found;
}
