// SPDX-License-Identifier: GPL-2.0
/*
 * pfbench: will-it-scale-style page-fault microbenchmarks for the per-VMA
 * lock fault path, processes or threads, over a sweep of task counts; every
 * op count is checked against the perf minor-fault counter. Plus
 * vma-footprint: kernel memory per VMA. See docs/bench.md.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "jsonout.h"
#include "opts.h"
#include "perfev.h"
#include "stats.h"
#include "util.h"
#include "pf/vma_footprint.h"
#include "pf/workers.h"

#define MAX_SWEEP 64
#define MAX_TASKS 4096

struct config {
	bool tests[PF_NR_TESTS];
	bool threads;
	int sweep[MAX_SWEEP], nsweep;
	size_t size;
	double duration, warmup;
	int repeats;
	bool json;
	bool vma_footprint;
	long vmas;
	bool vmas_given;
};

static void usage(FILE *f)
{
	int i;

	fprintf(f,
"Usage: pfbench [TEST|all|vma-footprint] [OPTIONS]\n"
"Page-fault microbenchmarks (will-it-scale style) for the per-VMA lock fault\n"
"path. Each task loops: mmap SIZE, write one byte per 4 KiB page, munmap;\n"
"one op = one page fault, checked against perf's minor-fault counter.\n"
"\nTests:\n");
	for (i = 0; i < PF_NR_TESTS; i++)
		fprintf(f, "  %-14s %s\n", pf_test_names[i], pf_test_desc[i]);
	fprintf(f,
"  all            every test (contention only with --mode thread)\n"
"  vma-footprint  kernel memory per 1000 VMAs (/proc/slabinfo), see -k\n"
"\nOptions:\n"
"      --test NAME      same as the TEST argument (default anon)\n"
"  -m, --mode MODE      thread (one mm: where per-VMA locks matter) or process\n"
"                       (default thread)\n"
"  -t, --tasks LIST     task counts to sweep: 1,2,4 or 1-8 or 1-8:2 (default 1)\n"
"                       (contention adds one address-space-changing thread)\n"
"  -s, --size SIZE      mapping per task per iteration (default 128M)\n"
"  -d, --duration S     seconds per repeat (default 1)\n"
"  -r, --repeats N      measured repeats (default 5)\n"
"  -w, --warmup S       seconds run and discarded first (default 1)\n"
"  -k, --vmas K         vma-footprint: VMAs to create (default 100000, limited\n"
"                       by vm.max_map_count)\n"
"      --json           one result document per test and task count\n"
"  -h, --help\n");
}

static int parse_test(struct config *c, const char *s)
{
	int i;

	if (!strcmp(s, "all")) {
		for (i = 0; i < PF_NR_TESTS; i++)
			c->tests[i] = true;
		return 0;
	}
	if (!strcmp(s, "vma-footprint")) {
		c->vma_footprint = true;
		return 0;
	}
	for (i = 0; i < PF_NR_TESTS; i++)
		if (!strcmp(s, pf_test_names[i])) {
			c->tests[i] = true;
			return 0;
		}
	bench_err("unknown test '%s' (anon, shared-file, private-cow, contention, all, "
		  "vma-footprint)", s);
	return -1;
}

static int parse_args(int argc, char **argv, struct config *c)
{
	enum { O_JSON = 256, O_TEST };
	static const struct option lo[] = {
		{ "test", required_argument, NULL, O_TEST },
		{ "mode", required_argument, NULL, 'm' },
		{ "tasks", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "vmas", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long sz;
	long v;
	int o, i;
	bool any = false;
	const char *fault_opt = NULL;	/* an option only the fault tests use */

	c->threads = true;
	c->sweep[0] = 1;
	c->nsweep = 1;
	c->size = 128 * MiB;
	c->duration = 1;
	c->warmup = 1;
	c->repeats = 5;
	c->vmas = 100000;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":m:t:s:d:r:w:k:h", lo, NULL)) != -1) {
		if (o != O_TEST && o != 'k' && o != O_JSON && o != 'h' && o != ':' && o != '?')
			for (i = 0; lo[i].name; i++)
				if (lo[i].val == o)
					fault_opt = lo[i].name;
		switch (o) {
		case O_TEST:
			if (parse_test(c, optarg))
				return -1;
			any = true;
			break;
		case 'm':
			if (strcmp(optarg, "thread") && strcmp(optarg, "process")) {
				bench_err("--mode: '%s' is not thread or process", optarg);
				return -1;
			}
			c->threads = optarg[0] == 't';
			break;
		case 't':
			c->nsweep = parse_int_list(optarg, c->sweep, MAX_SWEEP);
			if (c->nsweep < 0) {
				bench_err("--tasks: '%s' is not a list like 1,2,4 or 1-8 (at most %d "
					  "entries)", optarg, MAX_SWEEP);
				return -1;
			}
			for (i = 0; i < c->nsweep; i++)
				if (c->sweep[i] > MAX_TASKS) {
					bench_err("--tasks: %d is more than %d tasks", c->sweep[i],
						  MAX_TASKS);
					return -1;
				}
			break;
		case 's':
			if (parse_size(optarg, &sz) || sz < PAGE_4K || sz % PAGE_4K) {
				bench_err("--size: '%s' is not a size of whole 4 KiB pages", optarg);
				return -1;
			}
			c->size = sz;
			break;
		case 'd':
		case 'w': {
			double s = parse_seconds(optarg);

			if (s < 0 || (o == 'd' && s < 0.01)) {
				bench_err("--%s: '%s' is not a duration", o == 'd' ? "duration" : "warmup",
					  optarg);
				return -1;
			}
			if (o == 'd')
				c->duration = s;
			else
				c->warmup = s;
			break;
		}
		case 'r':
		case 'k':
			if (parse_long(optarg, 1, o == 'r' ? 1000 : 100000000, &v) < 0) {
				bench_err("--%s: '%s' is not a positive count", o == 'r' ? "repeats" : "vmas",
					  optarg);
				return -1;
			}
			if (o == 'r')
				c->repeats = v;
			else {
				c->vmas = v;
				c->vmas_given = true;
			}
			break;
		case O_JSON:
			c->json = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return bench_getopt_error(o, argv);
		}
	}
	for (; optind < argc; optind++) {
		if (parse_test(c, argv[optind]))
			return -1;
		any = true;
	}
	if (!any)
		c->tests[PF_ANON] = true;
	/* an option no selected test uses is a mistake, not something to ignore */
	for (i = 0, any = false; i < PF_NR_TESTS; i++)
		any |= c->tests[i];
	if (c->vmas_given && !c->vma_footprint) {
		bench_err("--vmas applies to vma-footprint only (see --help)");
		return -1;
	}
	if (fault_opt && !any) {
		bench_err("--%s does not apply to vma-footprint (see --help)", fault_opt);
		return -1;
	}
	if (c->tests[PF_CONTENTION] && !c->threads) {
		/* Another process's mmap cannot contend with our mm's VMAs. */
		if (c->tests[PF_ANON] && c->tests[PF_SHARED_FILE]) {
			c->tests[PF_CONTENTION] = false;	/* "all": skip it */
			bench_note("contention runs only with --mode thread; skipped");
		} else {
			bench_err("contention needs --mode thread (one address space)");
			return -1;
		}
	}
	return 0;
}

struct run {
	int ntasks;
	double *ops_per_s;	/* per repeat, all tasks */
	double *per_task_ops_per_s;	/* per repeat, mean over tasks */
	unsigned long long ops_total, faults_perf;
	unsigned long long churn_ops;
};

static uint64_t sum_ops(struct pf_shared *sh, int n)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += sh->task[i].ops;
	return s;
}

/* Sleep s seconds unless interrupted or a task failed; false if so. */
static bool nap(struct pf_shared *sh, double s)
{
	uint64_t end = now_ns() + (uint64_t)(s * 1e9);

	while (now_ns() < end) {
		if (bench_stop || sh->failed)
			return false;
		usleep(10000);
	}
	return true;
}

static int estimate_memory(const struct config *c, enum pf_test t, int n)
{
	unsigned long long need = (unsigned long long)n * c->size;
	unsigned long long avail = meminfo_kb("MemAvailable") * 1024ULL;
	unsigned long long margin = meminfo_kb("MemTotal") * 1024ULL / 10;

	/* Page tables: 2 MiB per GiB mapped; file tests add the file. */
	need += need / 512;
	if (t == PF_SHARED_FILE || t == PF_PRIVATE_COW)
		need += (unsigned long long)n * c->size;
	if (need + margin > avail) {
		bench_err("%s with %d tasks x %s needs about %s but MemAvailable is %s "
			  "(10%% kept free); use a smaller --size or fewer --tasks",
			  pf_test_names[t], n, fmt_bytes(c->size), fmt_bytes(need), fmt_bytes(avail));
		return -1;
	}
	return 0;
}

static int run_one(const struct config *c, enum pf_test t, int n, struct run *r)
{
	size_t shlen = sizeof(struct pf_shared) + n * sizeof(struct pf_counter);
	struct pf_shared *sh;
	struct pf_task_arg *args;
	pthread_t *th = NULL, churn;
	pid_t *pids = NULL;
	bool churning = false;
	int i, fd = -1, err, ret = -1, started = 0;
	uint64_t prev_ops, ops, t_prev, t_now;
	__u64 prev_f = 0, f;

	memset(r, 0, sizeof(*r));
	r->ntasks = n;
	if (estimate_memory(c, t, n) < 0)
		return -1;
	sh = mmap(NULL, shlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	args = calloc(n + 1, sizeof(*args));
	r->ops_per_s = calloc(c->repeats, sizeof(double));
	r->per_task_ops_per_s = calloc(c->repeats, sizeof(double));
	th = calloc(n, sizeof(*th));
	pids = calloc(n, sizeof(*pids));
	if (sh == MAP_FAILED || !args || !r->ops_per_s || !r->per_task_ops_per_s || !th || !pids) {
		bench_err("out of memory setting up %d tasks", n);
		if (sh == MAP_FAILED)
			sh = NULL;
		goto out;
	}
	for (i = 0; i <= n; i++) {
		args[i].test = t == PF_CONTENTION ? PF_ANON : t;
		args[i].sh = sh;
		args[i].idx = i;
		args[i].size = c->size;
		args[i].fd = -1;
	}
	for (i = 0; i < n; i++) {
		err = pf_task_prepare(&args[i]);
		if (err) {
			bench_err("%s: preparing task %d's file: %s", pf_test_names[t], i,
				  strerror(-err));
			goto out;
		}
	}
	/* Ground truth: minor faults of this process and every task it starts. */
	fd = perf_sw_counter_open(0, PERF_COUNT_SW_PAGE_FAULTS_MIN, true, false);
	if (fd < 0) {
		bench_err("cannot open the perf minor-fault counter: %s "
			  "(kernel.perf_event_paranoid too high? run as root)", strerror(-fd));
		goto out;
	}
	fflush(NULL);
	for (i = 0; i < n; i++) {
		if (c->threads) {
			err = pthread_create(&th[i], NULL, pf_task_run, &args[i]);
			if (err) {
				bench_err("pthread_create of task %d: %s", i, strerror(err));
				goto stop;
			}
		} else {
			pids[i] = fork();
			if (pids[i] < 0) {
				bench_err("fork of task %d: %s", i, strerror(errno));
				pids[i] = 0;
				goto stop;
			}
			if (pids[i] == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				signal(SIGINT, SIG_IGN);
				if (getppid() == 1)
					_exit(1);
				pf_task_run(&args[i]);
				_exit(sh->failed ? 1 : 0);
			}
		}
		started = i + 1;
	}
	if (t == PF_CONTENTION) {
		err = pthread_create(&churn, NULL, pf_churn_run, &args[n]);
		if (err) {
			bench_err("pthread_create of the churn thread: %s", strerror(err));
			goto stop;
		}
		churning = true;
	}
	sh->started = 1;
	if (!nap(sh, c->warmup))
		goto stop;
	prev_ops = sum_ops(sh, n);
	perf_counter_read(fd, &prev_f);
	t_prev = now_ns();
	for (i = 0; i < c->repeats; i++) {
		if (!nap(sh, c->duration))
			goto stop;
		ops = sum_ops(sh, n);
		perf_counter_read(fd, &f);
		t_now = now_ns();
		r->ops_per_s[i] = (ops - prev_ops) / ((t_now - t_prev) / 1e9);
		r->per_task_ops_per_s[i] = r->ops_per_s[i] / n;
		r->ops_total += ops - prev_ops;
		r->faults_perf += f - prev_f;
		prev_ops = ops;
		prev_f = f;
		t_prev = t_now;
	}
	r->churn_ops = sh->churn_ops;
	ret = 0;
stop:
	sh->stop = 1;
	sh->started = 1;
	for (i = 0; i < started; i++) {
		if (c->threads)
			pthread_join(th[i], NULL);
		else
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
	}
	if (churning)
		pthread_join(churn, NULL);
	if (sh->failed) {
		bench_err("%s: a task failed: %s", pf_test_names[t], strerror(sh->failed));
		ret = -1;
	} else if (bench_stop && ret < 0) {
		bench_err("interrupted by signal %d", (int)bench_stop);
	}
out:
	if (fd >= 0)
		close(fd);
	if (args)
		for (i = 0; i < n; i++)
			pf_task_cleanup(&args[i]);
	free(args);
	free(th);
	free(pids);
	if (sh)
		munmap(sh, shlen);
	return ret;
}

static void report(const struct config *c, enum pf_test t, const struct run *r)
{
	struct sample_stats tot, per;
	double diff_pct = r->faults_perf ?
		100.0 * ((double)r->ops_total - r->faults_perf) / r->faults_perf : 0;
	FILE *f = c->json ? stderr : stdout;

	stats_describe(r->ops_per_s, c->repeats, &tot);
	stats_describe(r->per_task_ops_per_s, c->repeats, &per);
	if (c->json) {
		struct json_object *d = doc_new("pfbench", "result", pf_test_names[t]);

		doc_add_host(d);
		json_object_object_add(d, "interval_s", json_object_new_double(c->duration));
		json_object_object_add(d, "task_mode",
				       json_object_new_string(c->threads ? "thread" : "process"));
		json_object_object_add(d, "tasks", json_object_new_int(r->ntasks));
		json_object_object_add(d, "size_bytes", json_object_new_int64(c->size));
		json_object_object_add(d, "repeats", json_object_new_int(c->repeats));
		{
			struct json_object *a = json_object_new_array();
			int i;

			for (i = 0; i < c->repeats; i++)
				json_object_array_add(a, json_object_new_double(r->ops_per_s[i]));
			json_object_object_add(d, "ops_per_s_samples", a);
		}
		doc_metric(d, "tasks_count", r->ntasks);
		doc_metric(d, "ops_per_s_total", tot.mean);
		doc_metric(d, "ops_per_s_total_median", tot.median);
		doc_metric(d, "ops_per_s_total_stddev", tot.sd);
		doc_metric(d, "ops_per_s_total_min", tot.min);
		doc_metric(d, "ops_per_s_total_max", tot.max);
		doc_metric(d, "ops_per_s_per_task", per.mean);
		doc_metric(d, "ops_per_s_per_task_stddev", per.sd);
		doc_metric(d, "ops_cv_pct", tot.mean > 0 ? 100 * tot.sd / tot.mean : 0);
		doc_metric(d, "ops_count", r->ops_total);
		doc_metric(d, "faults_perf_count", r->faults_perf);
		doc_metric(d, "ops_vs_perf_diff_pct", diff_pct);
		if (t == PF_CONTENTION)
			doc_metric(d, "churn_ops_count", r->churn_ops);
		doc_emit(d);
	}
	fprintf(f, "pfbench %-12s %s x%-3d  %12.0f faults/s total (stddev %.0f, %.1f%%; median %.0f)"
		"  %10.0f per task\n", pf_test_names[t], c->threads ? "threads" : "procs  ",
		r->ntasks, tot.mean, tot.sd, tot.mean > 0 ? 100 * tot.sd / tot.mean : 0,
		tot.median, per.mean);
	fprintf(f, "  %d x %.1f s after %.1f s warm-up: ops %llu, perf minor-faults %llu "
		"(%+.3f%%)%s\n", c->repeats, c->duration, c->warmup, r->ops_total, r->faults_perf,
		diff_pct, t == PF_CONTENTION ? "" : "");
	if (t == PF_CONTENTION)
		fprintf(f, "  churn thread: %llu mmap+mprotect+munmap rounds\n", r->churn_ops);
	fflush(f);
}

int main(int argc, char **argv)
{
	struct config c = { 0 };
	struct run r;
	int rc, i, j, failed = 0;

	bench_name = "pfbench";
	rc = parse_args(argc, argv, &c);
	if (rc)
		return rc > 0 ? 0 : 2;
	bench_install_stop_handlers();
	signal(SIGPIPE, SIG_IGN);
	if (c.vma_footprint) {
		rc = vma_footprint_run(c.vmas, c.vmas_given, c.json);
		if (rc)
			return rc;
	}
	for (i = 0; i < PF_NR_TESTS && !bench_stop; i++) {
		if (!c.tests[i])
			continue;
		for (j = 0; j < c.nsweep && !bench_stop; j++) {
			if (run_one(&c, i, c.sweep[j], &r) < 0) {
				failed++;
			} else {
				report(&c, i, &r);
			}
			free(r.ops_per_s);
			free(r.per_task_ops_per_s);
		}
	}
	if (bench_stop)
		return 130;
	return failed ? 1 : 0;
}
