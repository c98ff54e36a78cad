// SPDX-License-Identifier: GPL-2.0
/*
 * overhead: what the mmscope tracers cost in page-fault throughput.
 *
 * Runs a will-it-scale page_fault1-style loop (mmap 128 MiB anonymous,
 * write one byte per page, munmap; repeat for --seconds) with 1 and more
 * threads, untraced and under each tracer (a background `mmscope NAME`
 * waited on until it is attached), and under all of them at once (several
 * mmscope processes, or `mmscope top` with --top). Configurations are
 * interleaved within each repeat so drift hits them alike. Prints faults/s
 * mean and stddev per configuration and the ratio traced/untraced.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonout.h"
#include "opts.h"
#include "util.h"

#define REGION (128UL << 20)
#define MAX_CFG 8
#define MAX_REP 50
#define MAX_THR 8

static double seconds = 2.0;
static int repeats = 3;
static const char *mmscope = "build/mmscope";
static char *tracers[MAX_CFG] = { "vmalock", "faultlat" };
static int ntracers = 2;
static int threads_list[MAX_THR] = { 1, 2 };
static int nthreads_list = 2;
static int use_top;
static int json;

static volatile int stop_loop;

static void *pf_thread(void *arg)
{
	unsigned long *pages = arg;
	long page = sysconf(_SC_PAGESIZE);

	while (!stop_loop) {
		char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return NULL;
		for (size_t off = 0; off < REGION && !stop_loop; off += page) {
			p[off] = 1;
			(*pages)++;
		}
		munmap(p, REGION);
	}
	return NULL;
}

/* faults/s of nthr threads over `seconds` (one fault per page written) */
static double run_loop(int nthr)
{
	pthread_t th[64];
	unsigned long pages[64] = { 0 }, total = 0;
	double t0 = wall_time(), t1;

	stop_loop = 0;
	for (int i = 0; i < nthr; i++)
		pthread_create(&th[i], NULL, pf_thread, &pages[i]);
	usleep((useconds_t)(seconds * 1e6));
	stop_loop = 1;
	for (int i = 0; i < nthr; i++)
		pthread_join(th[i], NULL);
	t1 = wall_time();
	for (int i = 0; i < nthr; i++)
		total += pages[i];
	return total / (t1 - t0);
}

/* Start `mmscope ARGS...` and wait for its "tracing in" line on stderr. */
static pid_t start_tracer(char *const argv[])
{
	int pfd[2];
	pid_t pid;
	char buf[512];
	size_t len = 0;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", 1);

		dup2(pfd[1], 2);
		dup2(null, 1);
		close(pfd[0]);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			break;
		len += n;
		buf[len] = 0;
		if (strstr(buf, "tracing")) {
			close(pfd[0]);	/* later writes to stderr get EPIPE: fine */
			return pid;
		}
	}
	close(pfd[0]);
	buf[len] = 0;
	err_msg("overhead: %s did not start: %s", argv[1], buf);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static void stop_tracers(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGINT);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

/* cfg: 0 = untraced, 1..ntracers = one tracer, ntracers+1 = all. */
static int run_cfg(int cfg, int nthr, double *out)
{
	pid_t pids[MAX_CFG] = { 0 };
	int n = 0;
	char dur[32];

	snprintf(dur, sizeof(dur), "%.0f", seconds * 4 + 30);
	if (cfg >= 1 && cfg <= ntracers) {
		char *argv[] = { (char *)mmscope, tracers[cfg - 1], "--duration", dur,
				 "--interval", "3600", NULL };
		if ((pids[n++] = start_tracer(argv)) < 0)
			return -1;
	} else if (cfg == ntracers + 1 && use_top) {
		char *argv[] = { (char *)mmscope, "top", "--duration", dur,
				 "--interval", "3600", NULL };
		if ((pids[n++] = start_tracer(argv)) < 0)
			return -1;
	} else if (cfg == ntracers + 1) {
		for (int i = 0; i < ntracers; i++) {
			char *argv[] = { (char *)mmscope, tracers[i], "--duration", dur,
					 "--interval", "3600", NULL };
			if ((pids[n++] = start_tracer(argv)) < 0) {
				stop_tracers(pids, n - 1);
				return -1;
			}
		}
	}
	*out = run_loop(nthr);
	stop_tracers(pids, n);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: overhead [options]\n"
"  --seconds S        length of each run (default 2)\n"
"  --repeats N        runs per configuration (default 3)\n"
"  --threads LIST     thread counts, e.g. 1,2 (default 1,2)\n"
"  --tracers LIST     mmscope tracers (default vmalock,faultlat)\n"
"  --mmscope PATH     mmscope binary (default build/mmscope)\n"
"  --top              'all' runs `mmscope top` instead of one process per tracer\n"
"  --json             one result document (docs/json-schema.md)\n");
}

static int parse_list(char *s, int *out, int max)
{
	int n = 0;

	for (char *t = strtok(s, ","); t; t = strtok(NULL, ",")) {
		if (n == max || atoi(t) < 1 || atoi(t) > 64)
			return -1;
		out[n++] = atoi(t);
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "tracers", required_argument, NULL, 'T' },
		{ "mmscope", required_argument, NULL, 'm' },
		{ "top", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL }
	};
	static double res[MAX_THR][MAX_CFG + 2][MAX_REP];
	const char *names[MAX_CFG + 2];
	int c, ncfg, maxthr = 0;
	long long avail;
	struct json_object *doc = NULL, *rows = NULL;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': seconds = parse_seconds(optarg); break;
		case 'r': repeats = atoi(optarg); break;
		case 't':
			nthreads_list = parse_list(optarg, threads_list, MAX_THR);
			break;
		case 'T':
			ntracers = 0;
			for (char *t = strtok(optarg, ","); t && ntracers < MAX_CFG - 1;
			     t = strtok(NULL, ","))
				tracers[ntracers++] = t;
			break;
		case 'm': mmscope = optarg; break;
		case 'o': use_top = 1; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (seconds <= 0 || repeats < 1 || repeats > MAX_REP || nthreads_list < 1 ||
	    ntracers < 1) {
		err_msg("overhead: bad --seconds, --repeats (1..%d), --threads or --tracers", MAX_REP);
		return 2;
	}
	if (access(mmscope, X_OK)) {
		err_msg("overhead: %s: %s (build it or pass --mmscope)", mmscope, strerror(errno));
		return 1;
	}
	if (geteuid() != 0) {
		err_msg("overhead: the tracers need root");
		return 1;
	}
	for (int i = 0; i < nthreads_list; i++)
		if (threads_list[i] > maxthr)
			maxthr = threads_list[i];
	/* each thread keeps up to 128 MiB faulted in */
	avail = meminfo_kb("MemAvailable");
	if (avail > 0 && (unsigned long long)maxthr * (REGION >> 10) > (unsigned long long)avail / 2) {
		err_msg("overhead: %d threads need %d MiB, more than half of MemAvailable (%lld MiB)",
			maxthr, maxthr * 128, avail >> 10);
		return 1;
	}
	ncfg = ntracers + 2;
	names[0] = "untraced";
	for (int i = 0; i < ntracers; i++)
		names[i + 1] = tracers[i];
	names[ntracers + 1] = use_top ? "all (mmscope top)" : "all";
	signal(SIGPIPE, SIG_IGN);

	for (int ti = 0; ti < nthreads_list; ti++)
		for (int r = 0; r < repeats; r++)
			for (int cfg = 0; cfg < ncfg; cfg++)
				if (run_cfg(cfg, threads_list[ti], &res[ti][cfg][r]))
					return 1;

	if (json) {
		doc = doc_new("overhead", "result", "page_fault1");
		doc_add_host(doc);
		rows = json_object_new_array();
	} else {
		printf("page_fault1 (128 MiB anon, 1 byte/page), %.1fs x %d repeats; mean ± stddev (sample)\n",
		       seconds, repeats);
		printf("%-8s %-20s %14s %12s %8s %8s\n", "threads", "config", "faults/s",
		       "stddev", "ratio", "cost%");
	}
	for (int ti = 0; ti < nthreads_list; ti++) {
		double base = 0;

		for (int cfg = 0; cfg < ncfg; cfg++) {
			double m = 0, sd = 0, ratio;

			for (int r = 0; r < repeats; r++)
				m += res[ti][cfg][r];
			m /= repeats;
			for (int r = 0; r < repeats; r++)
				sd += (res[ti][cfg][r] - m) * (res[ti][cfg][r] - m);
			sd = repeats > 1 ? sqrt(sd / (repeats - 1)) : 0;
			if (cfg == 0)
				base = m;
			ratio = base > 0 ? m / base : 0;
			if (json) {
				struct json_object *o = json_object_new_object(), *a = json_object_new_array();
				char key[96];

				json_object_object_add(o, "threads", json_object_new_int(threads_list[ti]));
				json_object_object_add(o, "config", json_object_new_string(names[cfg]));
				json_object_object_add(o, "faults_per_s_mean", json_object_new_double(m));
				json_object_object_add(o, "faults_per_s_stddev", json_object_new_double(sd));
				json_object_object_add(o, "ratio", json_object_new_double(ratio));
				for (int r = 0; r < repeats; r++)
					json_object_array_add(a, json_object_new_double(res[ti][cfg][r]));
				json_object_object_add(o, "samples", a);
				json_object_array_add(rows, o);
				snprintf(key, sizeof(key), "ratio_%s_%dt", cfg == ncfg - 1 ? "all" : names[cfg],
					 threads_list[ti]);
				if (cfg)
					doc_metric(doc, key, ratio);
			} else {
				printf("%-8d %-20s %14.0f %12.0f %8.3f %7.1f%%\n", threads_list[ti],
				       names[cfg], m, sd, ratio, (1 - ratio) * 100);
			}
		}
	}
	if (json) {
		json_object_object_add(doc, "interval_s", json_object_new_double(seconds));
		json_object_object_add(doc, "rows", rows);
		doc_emit(doc);
	}
	return 0;
}
