// SPDX-License-Identifier: GPL-2.0
/*
 * Host noise of one repeat: load average, pressure stall information and
 * the CPU time other processes took while the workload ran (hostnoise.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hostnoise.h"
#include "util.h"

static double load1(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double v = NAN;

	if (f) {
		if (fscanf(f, "%lf", &v) != 1)
			v = NAN;
		fclose(f);
	}
	return v;
}

/* "some avg10=A avg60=.. avg300=.. total=T" of /proc/pressure/WHAT. */
static void psi_some(const char *what, double *avg10, double *total_us)
{
	char path[64], line[256];
	FILE *f;

	*avg10 = *total_us = NAN;
	snprintf(path, sizeof(path), "/proc/pressure/%s", what);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		double a, t;

		if (sscanf(line, "some avg10=%lf avg60=%*f avg300=%*f total=%lf", &a, &t) == 2) {
			*avg10 = a;
			*total_us = t;
			break;
		}
	}
	fclose(f);
}

/*
 * Non-idle time of all CPUs from the first line of /proc/stat, in seconds:
 * user nice system irq softirq steal (guest time is inside user; steal is
 * time the hypervisor gave to another guest: noise too). NaN on failure.
 */
static double busy_s(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n = 0;

	if (f) {
		n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		fclose(f);
	}
	if (n < 8)
		return NAN;
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / sysconf(_SC_CLK_TCK);
}

/* utime + stime of a process (all its threads), seconds; NaN if gone. */
static double pid_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return NAN;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields resume after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return NAN;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static double tv_s(struct timeval t)
{
	return t.tv_sec + t.tv_usec / 1e6;
}

static void rusage_s(double *self, double *children)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	*self = tv_s(r.ru_utime) + tv_s(r.ru_stime);
	getrusage(RUSAGE_CHILDREN, &r);
	*children = tv_s(r.ru_utime) + tv_s(r.ru_stime);
}

void hostnoise_begin(struct hostnoise *h, const pid_t *pids, int npids)
{
	memset(h, 0, sizeof(*h));
	h->npids = npids < HOSTNOISE_MAX_PIDS ? npids : HOSTNOISE_MAX_PIDS;
	for (int i = 0; i < h->npids; i++) {
		h->pids[i] = pids[i];
		h->pid_s[i] = pid_cpu_s(pids[i]);
	}
	h->load1 = load1();
	psi_some("cpu", &h->psi_avg10[0], &h->psi_total_us[0]);
	psi_some("memory", &h->psi_avg10[1], &h->psi_total_us[1]);
	rusage_s(&h->self_s, &h->children_s);
	h->busy_s = busy_s();
	h->t0 = now_ns() / 1e9;
	h->ok = !isnan(h->busy_s);
}

static void put(struct json_object *o, const char *name, double v)
{
	if (isfinite(v))
		json_object_object_add(o, name, json_object_new_double(v));
}

struct json_object *hostnoise_end(struct hostnoise *h)
{
	static const char *const what[2] = { "cpu", "memory" };
	double wall = now_ns() / 1e9 - h->t0, busy = busy_s(), self, children, own, other, cap;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct json_object *o;

	rusage_s(&self, &children);
	if (!h->ok || isnan(busy) || !(wall > 0) || ncpus < 1)
		return NULL;
	own = (self - h->self_s) + (children - h->children_s);
	for (int i = 0; i < h->npids; i++) {
		double s = pid_cpu_s(h->pids[i]);

		if (!isnan(s) && !isnan(h->pid_s[i]))
			own += s - h->pid_s[i];
	}
	cap = ncpus * wall;
	/*
	 * /proc/stat counts in ticks, the rusage exactly: the difference can
	 * go a tick per CPU either way, so it is clamped to what is possible.
	 */
	other = (busy - h->busy_s) - own;
	other = other < 0 ? 0 : other > cap ? cap : other;

	o = json_object_new_object();
	put(o, "wall_s", wall);
	put(o, "ncpus", ncpus);
	put(o, "loadavg_1m_start", h->load1);
	put(o, "loadavg_1m_end", load1());
	for (int k = 0; k < 2; k++) {
		double a, t;
		char name[64];

		psi_some(what[k], &a, &t);
		snprintf(name, sizeof(name), "psi_%s_some_avg10_start", what[k]);
		put(o, name, h->psi_avg10[k]);
		snprintf(name, sizeof(name), "psi_%s_some_avg10_end", what[k]);
		put(o, name, a);
		if (isfinite(t) && isfinite(h->psi_total_us[k]) && t >= h->psi_total_us[k]) {
			snprintf(name, sizeof(name), "psi_%s_some_us", what[k]);
			put(o, name, t - h->psi_total_us[k]);
			snprintf(name, sizeof(name), "psi_%s_some_pct", what[k]);
			put(o, name, fmin(100, 100 * (t - h->psi_total_us[k]) / 1e6 / wall));
		}
	}
	put(o, "busy_cpu_s", busy - h->busy_s);
	put(o, "own_cpu_s", own);
	put(o, "other_cpu_s", other);
	put(o, "other_cpu_pct", 100 * other / cap);
	return o;
}
