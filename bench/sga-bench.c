// SPDX-License-Identifier: GPL-2.0
/*
 * sga-bench: an Oracle-style SGA (one big shared region) mapped by many
 * processes. Measures what the page tables of all those mappings cost, per
 * backing mode, against the kernel's own counters (PageTables, VmPTE, perf
 * page-fault events), and the fault latency of the map+touch phase from the
 * mmscope faultlat tracer (clock_gettime samples of first touches where it
 * cannot load). See docs/bench.md and docs/schema/sga-bench.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"
#include "hist_report.h"
#include "jsonout.h"
#include "opts.h"
#include "perfev.h"
#include "stats.h"
#include "util.h"
#include "sga/backing.h"
#include "sga/children.h"
#include "sga/estimate.h"
#include "sga/headline.h"
#include "sga/kstat.h"
#include "sga/plan.h"
#include "sga/progress.h"
#include "sga/state.h"
#include "sga/trace.h"

#define DEFAULT_PROCS 1500
/* Default SGA: this share of (MemAvailable - margin), so others keep room. */
#define DEFAULT_SHARE 0.5
/* No child progress for this long: a stall (scaled up by the calibration). */
#define DEFAULT_WATCHDOG 60.0
#define MAX_DURATION_S (30 * 86400.0)
#define MAX_SGA (1ULL << 50)
/* Calibration SGA: the first run's, and the most a second run may use. */
#define CAL_SGA (64 * MiB)
#define CAL_SGA_MAX (256 * MiB)
/* Children of the second calibration run (one granule each: per-process costs). */
#define CAL_PROCS2 32

struct config {
	int nprocs;
	size_t sga;		/* 0 = choose from the machine */
	bool sga_given;
	struct touch_plan touch;
	char touch_spec[32];
	bool modes[SGA_NR_MODES];
	bool mode_all;
	bool json, force, fit, thp_force;
	double hold_s;		/* keep children paused after measuring */
	double timeout_s;	/* per barrier */
	enum sga_trace_req trace;	/* --trace */
	double budget_s;	/* --budget; 0: none */
	bool procs_given, touch_given;
	double watchdog_s;	/* 0: off */
	bool watchdog_given;
	double progress_s;	/* line interval; 0: off */
	bool progress_auto;	/* redraw in place when stderr is a terminal */
	bool cleanup;
	bool quiet;		/* a calibration run: no output, no documents */
};

/* What the plan predicts for the mode being run (--budget), for progress. */
static struct {
	char label[48];
	bool have;
	double pred[PH_NR];
	double mode_s, after_s;		/* this mode; the modes after it */
	double elapsed_at_end_s;	/* run time predicted when this mode ends */
} cur_pred;

static uint64_t run_t0;			/* sga-bench's start */
static struct json_object *plan_json;	/* the --budget plan, in every document */
static struct sga_rate rates[SGA_NR_MODES];	/* calibrated (--budget) */
static long long fault_around = 64 * 1024;	/* bytes; see read_fault_around() */
static char fault_around_src[64] = "kernel default";

/* One mode's figures, all from kernel counters except the timings. */
struct result {
	enum sga_mode mode;
	size_t sga;
	int nprocs;
	double spawn_s, map_touch_s, teardown_s;
	long long pt0_kb, pt1_kb, pt2_kb;	/* PageTables: start, spawned, touched */
	long long oth0_kb, oth1_kb, oth2_kb;	/* VmPTE of every other process, same times */
	long long vmpte_sum_kb, vmpte_delta_sum_kb;
	double vmpte_min_kb, vmpte_med_kb, vmpte_max_kb;
	long long touched_total;		/* bytes, over all children */
	unsigned long long faults_min, faults_maj;
	struct hist lat;
	long long shmem_kb, shmem_huge_kb, shmem_pmd_kb, hugetlb_used_pages;
	long long thp_huge_bytes;
	int bad_exits;
	double populate_s, measure_s, release_s, wall_s;
	/* interference: what the kernel did over map+touch */
	struct sga_kstat kd;
	long long faults_sga;		/* children's getrusage over their touch loops */
	double faults_expected;
	bool disturbed;
	/* Fault latency: the faultlat tracer's document of map+touch, else the
	 * children's clock_gettime samples (lat). */
	struct json_object *trace;
	char lat_source[48];
	char trace_why[400];		/* why the tracer was not used */
	char comm[16];			/* the children's */
};

static const char *const trace_names[] = { "auto", "on", "off" };

static struct sga_backing cur_backing = { .fd = -1 };
static struct sga_group cur_group;
static long long shmem_pt_physical = -1;	/* for saving_vs_shmem_pct */

/*
 * Test hook: SGA_BENCH_INJECT=MODE:POINT[,MODE:POINT...] makes a mode meet,
 * for real, what the tests cannot arrange on demand: fit (the memory check
 * sees no MemAvailable, as if something else took it), reserve (hugetlb: the
 * pool grows one page short), crash (child 0 dies of SIGBUS after
 * touching) and stall (child 0 stops itself with SIGSTOP half-way through
 * its touches, for the watchdog). Announced on stderr; see docs/bench.md.
 */
static const char *const inject_points[] = { "fit", "reserve", "crash", "stall" };
#define NR_INJECT 4
static const char *inject;

static bool injected(enum sga_mode m, const char *point)
{
	char tok[48];

	if (!inject)
		return false;
	snprintf(tok, sizeof(tok), "%s:%s", sga_mode_names[m], point);
	for (const char *p = inject; (p = strstr(p, tok)); p++)
		if ((p == inject || p[-1] == ',') && (p[strlen(tok)] == ',' || !p[strlen(tok)]))
			return true;
	return false;
}

static int parse_inject(const char *spec)
{
	char *copy = strdup(spec), *save = NULL, *t;
	int i, k, ret = 0;

	for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(t, ':');

		if (colon)
			*colon = 0;
		for (i = 0; i < SGA_NR_MODES && strcmp(t, sga_mode_names[i]); i++)
			;
		for (k = 0; colon && k < NR_INJECT && strcmp(colon + 1, inject_points[k]); k++)
			;
		if (!colon || i == SGA_NR_MODES || k == NR_INJECT) {
			bench_err("SGA_BENCH_INJECT: '%s' is not MODE:fit, MODE:reserve, MODE:crash "
				  "or MODE:stall", spec);
			ret = -1;
			break;
		}
	}
	free(copy);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: sga-bench [OPTIONS]\n"
"An Oracle-style SGA (one large shared region) mapped and touched by many\n"
"processes; reports the page-table memory, fault counts and latency per mode.\n"
"\n"
"  -n, --procs N        processes mapping the SGA (default %d)\n"
"  -s, --sga SIZE       SGA size, e.g. 2G, 512M (default: fits %.0f%% of\n"
"                       MemAvailable minus a margin; 2 MiB multiple)\n"
"  -t, --touch SPEC     what each process touches: all, a fraction (0.25, 25%%)\n"
"                       of the SGA from its start, or random:FRACTION (a random\n"
"                       set of 2 MiB granules per process) (default all)\n"
"  -a, --access KIND    read (default) or write one byte per 4 KiB page\n"
"  -m, --mode MODE      shmem (memfd, 4 KiB pages), thp (memfd+MADV_HUGEPAGE),\n"
"                       hugetlb (MFD_HUGETLB, 1 GiB-aligned: PMD sharing),\n"
"                       ptshare (MAP_SHARED_PT patch), all (default shmem);\n"
"                       repeatable: -m shmem -m hugetlb. Under all, a mode\n"
"                       this host cannot run now (kernel, hugepages, memory)\n"
"                       is skipped with a note (and a \"skipped\" document)\n"
"      --json           one result document per mode on stdout (summary to stderr)\n"
"      --force          run even when the memory estimate says it does not fit\n"
"      --fit            shrink the SGA to fit instead of refusing\n"
"      --thp-force      thp mode may set shmem_enabled to advise (restored at exit)\n"
"      --seed N         seed of random:FRACTION (default 1)\n"
"      --trace WHEN     fault latency from the mmscope faultlat tracer (filtered\n"
"                       to the children by comm) during map+touch: auto (when\n"
"                       it can load: root, BTF, a usable mode; else timed\n"
"                       first touches, with a note), on (required), off\n"
"                       (always timed first touches) (default auto)\n"
"      --no-latency     no fault latency at all (neither tracer nor timing)\n"
"      --hold SECONDS   keep the children paused this long after measuring\n"
"      --timeout SECONDS  give up on a phase after this long (default 3600)\n"
"      --budget DURATION  finish every requested mode within this time (10m,\n"
"                       90s): a few seconds of calibration measure this\n"
"                       machine's cost per page and mode, then the plan keeps\n"
"                       the processes and shrinks the SGA (then the touched\n"
"                       fraction, then the processes) to fit; given -n/--sga/\n"
"                       --touch are kept, and a run they make too slow is\n"
"                       refused unless --force\n"
"      --watchdog DURATION  stop (exit 1, finished modes kept) when no child\n"
"                       made progress this long; 0 = never (default 60s,\n"
"                       longer where the calibration says steps are slow)\n"
"      --progress WHEN  auto: redraw a progress line on a terminal, a line\n"
"                       every 5 s otherwise; off; or a DURATION between lines\n"
"      --cleanup        give back the hugepages and THP policy of sga-bench\n"
"                       runs that were killed (SIGKILL) before they could, then exit\n"
"  -h, --help\n"
"\n"
"Needs root for hugetlb (vm.nr_hugepages) and --thp-force. Refuses runs whose\n"
"estimated memory (SGA + 2 MiB of PTEs per GiB touched per process + %llu KiB\n"
"per process) exceeds MemAvailable minus max(1 GiB, 10%% of RAM).\n"
"Exit: 0, 1 (error, a mode failed, refused, watchdog), 2 (bad arguments),\n"
"130 (interrupted).\n",
		DEFAULT_PROCS, DEFAULT_SHARE * 100, SGA_PROC_OVERHEAD / 1024);
}

/* A duration (parse_seconds: 90, 90s, 10m, 1h), finite and at most 30 days; -1 if not. */
static double parse_duration(const char *s)
{
	double v = parse_seconds(s);

	if (!(v >= 0) || !isfinite(v) || v > MAX_DURATION_S)
		return -1;
	return v;
}

static int parse_touch(struct config *c, const char *s)
{
	double f;

	snprintf(c->touch_spec, sizeof(c->touch_spec), "%s", s);
	if (!strcmp(s, "all")) {
		c->touch.kind = TOUCH_PREFIX;
		c->touch.fraction = 1;
		return 0;
	}
	if (!strncmp(s, "random:", 7)) {
		c->touch.kind = TOUCH_RANDOM;
		f = parse_fraction(s + 7);
	} else {
		c->touch.kind = TOUCH_PREFIX;
		f = parse_fraction(s);
	}
	if (f <= 0) {
		bench_err("--touch: '%s' is not all, a fraction in (0,1] or random:FRACTION", s);
		return -1;
	}
	c->touch.fraction = f;
	return 0;
}

static int parse_args(int argc, char **argv, struct config *c)
{
	enum {
		O_JSON = 256, O_FORCE, O_FIT, O_THP_FORCE, O_SEED, O_NOLAT, O_HOLD, O_TIMEOUT,
		O_TRACE, O_BUDGET, O_WATCHDOG, O_PROGRESS, O_CLEANUP
	};
	static const struct option lo[] = {
		{ "procs", required_argument, NULL, 'n' },
		{ "sga", required_argument, NULL, 's' },
		{ "touch", required_argument, NULL, 't' },
		{ "access", required_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, O_JSON },
		{ "force", no_argument, NULL, O_FORCE },
		{ "fit", no_argument, NULL, O_FIT },
		{ "thp-force", no_argument, NULL, O_THP_FORCE },
		{ "seed", required_argument, NULL, O_SEED },
		{ "no-latency", no_argument, NULL, O_NOLAT },
		{ "hold", required_argument, NULL, O_HOLD },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "budget", required_argument, NULL, O_BUDGET },
		{ "watchdog", required_argument, NULL, O_WATCHDOG },
		{ "progress", required_argument, NULL, O_PROGRESS },
		{ "cleanup", no_argument, NULL, O_CLEANUP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long sz;
	long v;
	int o, i;
	bool any_mode = false;

	c->nprocs = DEFAULT_PROCS;
	c->touch.fraction = 1;
	c->touch.seed = 1;
	c->touch.sample_latency = true;
	c->timeout_s = 3600;
	c->watchdog_s = DEFAULT_WATCHDOG;
	c->progress_s = 5;
	c->progress_auto = true;
	snprintf(c->touch_spec, sizeof(c->touch_spec), "all");
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":n:s:t:a:m:h", lo, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (parse_long(optarg, 1, 1000000, &v) < 0) {
				bench_err("--procs: '%s' is not a count in 1..1000000", optarg);
				return -1;
			}
			c->nprocs = v;
			c->procs_given = true;
			break;
		case 's':
			if (parse_size(optarg, &sz) || sz == 0 ||
			    sz > MAX_SGA) {
				bench_err("--sga: '%s' is not a size (e.g. 512M, 2G)", optarg);
				return -1;
			}
			if (sz % SGA_GRANULE) {
				bench_err("--sga: %s is not a multiple of 2 MiB", optarg);
				return -1;
			}
			c->sga = sz;
			c->sga_given = true;
			break;
		case 't':
			if (parse_touch(c, optarg))
				return -1;
			c->touch_given = true;
			break;
		case 'a':
			if (!strcmp(optarg, "read") || !strcmp(optarg, "write")) {
				c->touch.write = optarg[0] == 'w';
				break;
			}
			bench_err("--access: '%s' is not read or write", optarg);
			return -1;
		case 'm':
			any_mode = true;
			if (!strcmp(optarg, "all")) {
				c->mode_all = true;
				break;
			}
			for (i = 0; i < SGA_NR_MODES; i++)
				if (!strcmp(optarg, sga_mode_names[i]))
					break;
			if (i == SGA_NR_MODES) {
				bench_err("--mode: '%s' is not shmem, thp, hugetlb, ptshare or all",
					  optarg);
				return -1;
			}
			c->modes[i] = true;
			break;
		case O_JSON: c->json = true; break;
		case O_FORCE: c->force = true; break;
		case O_FIT: c->fit = true; break;
		case O_THP_FORCE: c->thp_force = true; break;
		case O_NOLAT: c->touch.sample_latency = false; break;
		case O_TRACE:
			for (i = 0; i < 3; i++)
				if (!strcmp(optarg, trace_names[i]))
					break;
			if (i == 3) {
				bench_err("--trace: '%s' is not auto, on or off", optarg);
				return -1;
			}
			c->trace = i;
			break;
		case O_SEED:
			if (parse_long(optarg, 0, LONG_MAX, &v) < 0) {
				bench_err("--seed: '%s' is not a non-negative integer", optarg);
				return -1;
			}
			c->touch.seed = v;
			break;
		case O_BUDGET:
		case O_WATCHDOG: {
			double s = parse_duration(optarg);

			if (s < 0 || (o == O_BUDGET && s == 0)) {
				bench_err("--%s: '%s' is not a %sduration (e.g. 10m, 90s)",
					  o == O_BUDGET ? "budget" : "watchdog", optarg,
					  o == O_BUDGET ? "positive " : "");
				return -1;
			}
			if (o == O_BUDGET) {
				c->budget_s = s;
			} else {
				c->watchdog_s = s;
				c->watchdog_given = true;
			}
			break;
		}
		case O_PROGRESS:
			if (!strcmp(optarg, "auto")) {
				c->progress_auto = true;
				c->progress_s = 5;
			} else if (!strcmp(optarg, "off")) {
				c->progress_auto = false;
				c->progress_s = 0;
			} else if ((c->progress_s = parse_duration(optarg)) > 0) {
				c->progress_auto = false;
			} else {
				bench_err("--progress: '%s' is not auto, off or a duration", optarg);
				return -1;
			}
			break;
		case O_CLEANUP: c->cleanup = true; break;
		case O_HOLD:
		case O_TIMEOUT: {
			double s = parse_duration(optarg);

			if (s < 0 || (o == O_TIMEOUT && s == 0)) {
				bench_err("--%s: '%s' is not a duration", o == O_HOLD ? "hold" : "timeout",
					  optarg);
				return -1;
			}
			if (o == O_HOLD)
				c->hold_s = s;
			else
				c->timeout_s = s;
			break;
		}
		case 'h':
			usage(stdout);
			return 1;
		default:
			return bench_getopt_error(o, argv);
		}
	}
	if (optind < argc) {
		bench_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (!any_mode)
		c->modes[SGA_SHMEM] = true;
	if (!c->touch.sample_latency) {
		if (c->trace == TRACE_ON) {
			bench_err("--no-latency and --trace on contradict each other");
			return -1;
		}
		c->trace = TRACE_OFF;
	}
	return 0;
}

/* Read every child's VmPTE while they are all paused after touching. */
static int collect_vmpte(struct result *r, struct sga_group *g)
{
	double *v = malloc(g->nforked * sizeof(*v));
	struct sample_stats st;
	int i;

	if (!v) {
		bench_err("no memory for %d VmPTE samples", g->nforked);
		return -1;
	}
	r->vmpte_sum_kb = r->vmpte_delta_sum_kb = 0;
	r->touched_total = 0;
	for (i = 0; i < g->nforked; i++) {
		long long kb = proc_status_kb(g->pids[i], "VmPTE");

		if (kb < 0) {
			bench_err("child %d (pid %d) vanished before it was measured", i, g->pids[i]);
			free(v);
			return -1;
		}
		v[i] = kb;
		r->vmpte_sum_kb += kb;
		r->vmpte_delta_sum_kb += kb - g->slots[i].vmpte_before_kb;
		r->touched_total += g->slots[i].touched_bytes;
		r->faults_sga += g->slots[i].sga_faults;
		hist_merge(&r->lat, &g->slots[i].lat);
	}
	stats_describe(v, g->nforked, &st);
	r->vmpte_min_kb = st.min;
	r->vmpte_max_kb = st.max;
	r->vmpte_med_kb = st.median;
	free(v);
	return 0;
}

/*
 * The children's faults so far. The counters count the thread that opened
 * them (this one: the barrier code faults now and then) and what it forks
 * after, not the progress thread started before them; the children's
 * figure and the tracer's count (filtered to the children) must not have
 * this thread's faults: its own count (getrusage of the thread, the same
 * accounting, mm_account_fault) is taken off.
 */
static void read_faults(int fd_min, int fd_maj, unsigned long long *mn,
			unsigned long long *mj)
{
	__u64 a = 0, b = 0;
	struct rusage ru = { 0 };

	if (fd_min >= 0)
		perf_counter_read(fd_min, &a);
	if (fd_maj >= 0)
		perf_counter_read(fd_maj, &b);
	getrusage(RUSAGE_THREAD, &ru);
	*mn = a - (unsigned long long)ru.ru_minflt;
	*mj = b - (unsigned long long)ru.ru_majflt;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sum of VmPTE over every process but the children (sorted pids; sga-bench
 * itself is counted). PageTables is system-wide: on a shared host a QEMU
 * guest growing or a build exiting moves it by MiBs while hugetlb's SGA adds
 * a few KiB, so the physical figures subtract what the others' VmPTE did over
 * the same window. Kernel page tables (vmalloc) are in no VmPTE and stay in.
 */
static long long others_vmpte_kb(const pid_t *kids, int nkids)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long long sum = 0, kb;
	char *end;
	pid_t pid;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		pid = (pid_t)strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		if (nkids && bsearch(&pid, kids, nkids, sizeof(*kids), cmp_pid))
			continue;
		kb = proc_status_kb(pid, "VmPTE");	/* -1: kernel thread or gone */
		if (kb > 0)
			sum += kb;
	}
	closedir(d);
	return sum;
}

/*
 * PageTables, with the per-CPU vmstat deltas folded in first (root only; a
 * no-op otherwise): unfolded, /proc/meminfo lags by up to the vmstat
 * threshold per CPU (~70 pages on 2 CPUs here), more than hugetlb's SGA.
 */
static long long pagetables_kb(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1", 1) < 0) {
			/* not root, or a kernel without it: meminfo as it is */
		}
		close(fd);
	}
	return meminfo_kb("PageTables");
}

/* The children's page tables as the kernel allocated them (barrier 1 to 2). */
static double pt_physical_bytes(const struct result *r)
{
	return ((r->pt2_kb - r->pt1_kb) - (r->oth2_kb - r->oth1_kb)) * 1024.0;
}

static double pt_physical_total_bytes(const struct result *r)
{
	return ((r->pt2_kb - r->pt0_kb) - (r->oth2_kb - r->oth0_kb)) * 1024.0;
}

static double pt_per_gib(const struct result *r)
{
	return r->touched_total ? pt_physical_bytes(r) / ((double)r->touched_total / GiB) : 0;
}

static double trace_num(const struct result *r, const char *metric)
{
	struct json_object *m = json_object_object_get(r->trace, "metrics");

	return json_object_get_double(json_object_object_get(m, metric));
}

static long long hist_num(struct json_object *h, const char *key)
{
	return json_object_get_int64(json_object_object_get(h, key));
}

/* "vma_lock", "mmap_lock_major", ... for one tracer class object. */
static const char *class_name(struct json_object *cls, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s",
		 json_object_get_string(json_object_object_get(cls, "path")),
		 json_object_get_boolean(json_object_object_get(cls, "major")) ? "_major" : "");
	return buf;
}

static void emit_trace_metrics(struct json_object *d, const struct result *r)
{
	struct json_object *cls = json_object_object_get(r->trace, "histograms");
	unsigned long long perf = r->faults_min + r->faults_maj;
	double traced = trace_num(r, "faults_count");
	char name[96], cn[40];

	doc_metric(d, "faults_traced_count", traced);
	doc_metric(d, "faults_unbracketed_count",
		   json_object_get_int64(json_object_object_get(r->trace, "unbracketed")));
	if (perf)
		doc_metric(d, "faults_traced_vs_perf_pct", 100.0 * (traced - perf) / perf);
	doc_metric(d, "fault_lat_samples_count", trace_num(r, "latency_count"));
	if (trace_num(r, "latency_count") > 0) {
		doc_metric(d, "fault_lat_mean_ns", trace_num(r, "latency_mean_ns"));
		doc_metric(d, "fault_lat_p50_ns", trace_num(r, "latency_p50_ns"));
		doc_metric(d, "fault_lat_p90_ns", trace_num(r, "latency_p90_ns"));
		doc_metric(d, "fault_lat_p99_ns", trace_num(r, "latency_p99_ns"));
		doc_metric(d, "fault_lat_max_ns", trace_num(r, "latency_max_ns"));
	}
	for (size_t i = 0; i < json_object_array_length(cls); i++) {
		struct json_object *o = json_object_array_get_idx(cls, i);
		struct json_object *h = json_object_object_get(o, "hist");
		static const char *const pct[] = { "p50", "p90", "p99" };

		class_name(o, cn, sizeof(cn));
		snprintf(name, sizeof(name), "faults_%s_count", cn);
		doc_metric(d, name, hist_num(h, "count"));
		for (int k = 0; k < 3; k++) {
			snprintf(name, sizeof(name), "fault_lat_%s_%s_ns", cn, pct[k]);
			doc_metric(d, name, json_object_get_double(json_object_object_get(h, pct[k])));
		}
		snprintf(name, sizeof(name), "fault_lat_%s_max_ns", cn);
		doc_metric(d, name, hist_num(h, "max"));
	}
}

/* "the SGA was unmapped under the run: ..." (only when r->disturbed). */
static void interference_text(const struct result *r, char *buf, size_t len)
{
	double f = r->faults_sga;

	snprintf(buf, len, "the SGA was unmapped under the run: %.0f faults against %.0f "
		 "expected (%+.1f%%, %.0f extra): something (reclaim, DAMON, compaction, a hole "
		 "punched in the memfd) took SGA pages away while the children touched them",
		 f, r->faults_expected, 100.0 * (f - r->faults_expected) / r->faults_expected,
		 f - r->faults_expected);
}

static void emit_headline_metrics(struct json_object *d, const struct result *r)
{
	double per = pt_per_gib(r);

	/* = pt_bytes_per_gib_mapped: GiB touched is summed over processes */
	doc_metric(d, "pt_bytes_per_proc_per_gib", per);
	doc_metric(d, "oracle_pt_bytes", per * ORACLE_SGA_GIB * ORACLE_PROCS);
}

static void emit_interference(struct json_object *d, const struct result *r)
{
	double f = r->faults_sga;
	char buf[512];

	json_object_object_add(d, "fault_around_bytes", json_object_new_int64(fault_around));
	json_object_object_add(d, "fault_around_source", json_object_new_string(fault_around_src));
	doc_metric(d, "faults_sga_count", r->faults_sga);
	doc_metric(d, "faults_expected_count", r->faults_expected);
	if (r->faults_expected > 0)
		doc_metric(d, "faults_excess_pct", 100.0 * (f - r->faults_expected) /
			   r->faults_expected);
	doc_metric(d, "reclaim_pgscan_count", r->kd.pgscan);
	doc_metric(d, "reclaim_pgsteal_count", r->kd.pgsteal);
	doc_metric(d, "workingset_refault_count", r->kd.refault);
	doc_metric(d, "swapout_count", r->kd.pswpout);
	doc_metric(d, "compact_stall_count", r->kd.compact_stall);
	if (r->kd.psi) {
		doc_metric(d, "psi_memory_some_s", r->kd.psi_mem_some_us / 1e6);
		doc_metric(d, "psi_memory_full_s", r->kd.psi_mem_full_us / 1e6);
	}
	if (r->disturbed) {
		interference_text(r, buf, sizeof(buf));
		json_object_object_add(d, "interference", json_object_new_string(buf));
	}
}

static void emit_json(const struct config *c, const struct result *r)
{
	struct json_object *d = doc_new("sga-bench", "result", sga_mode_names[r->mode]);
	double phys = pt_physical_bytes(r), logical = r->vmpte_delta_sum_kb * 1024.0;

	doc_add_host(d);
	json_object_object_add(d, "interval_s",
			       json_object_new_double(r->spawn_s + r->map_touch_s));
	json_object_object_add(d, "procs", json_object_new_int(r->nprocs));
	json_object_object_add(d, "sga_bytes", json_object_new_int64(r->sga));
	json_object_object_add(d, "touch", json_object_new_string(c->touch_spec));
	json_object_object_add(d, "access",
			       json_object_new_string(c->touch.write ? "write" : "read"));
	json_object_object_add(d, "child_comm", json_object_new_string(r->comm));
	json_object_object_add(d, "trace", json_object_new_string(trace_names[c->trace]));
	/* what pt_physical_bytes was derived from (not metrics: host noise) */
	json_object_object_add(d, "pagetables_delta_bytes",
			       json_object_new_int64((r->pt2_kb - r->pt1_kb) * 1024));
	json_object_object_add(d, "others_vmpte_delta_bytes",
			       json_object_new_int64((r->oth2_kb - r->oth1_kb) * 1024));
	json_object_object_add(d, "fault_lat_source", json_object_new_string(r->lat_source));
	if (!r->trace && r->trace_why[0])
		json_object_object_add(d, "trace_fallback", json_object_new_string(r->trace_why));
	if (r->trace) {
		json_object_object_add(d, "fault_lat_hist",
				       json_object_get(json_object_object_get(r->trace, "all")));
		json_object_object_add(d, "fault_lat_classes",
				       json_object_get(json_object_object_get(r->trace, "histograms")));
	} else if (c->touch.sample_latency) {
		json_object_object_add(d, "fault_lat_hist", hist_to_json(&r->lat));
	}

	doc_metric(d, "procs_count", r->nprocs);
	doc_metric(d, "sga_bytes", r->sga);
	doc_metric(d, "touched_bytes_total", r->touched_total);
	doc_metric(d, "pt_physical_bytes", phys);
	doc_metric(d, "pt_physical_total_bytes", pt_physical_total_bytes(r));
	doc_metric(d, "pt_logical_bytes", logical);
	doc_metric(d, "pt_logical_total_bytes", r->vmpte_sum_kb * 1024.0);
	if (phys > 0)
		doc_metric(d, "pt_sharing_ratio", logical / phys);
	doc_metric(d, "vmpte_per_proc_min_bytes", r->vmpte_min_kb * 1024);
	doc_metric(d, "vmpte_per_proc_median_bytes", r->vmpte_med_kb * 1024);
	doc_metric(d, "vmpte_per_proc_max_bytes", r->vmpte_max_kb * 1024);
	doc_metric(d, "pt_bytes_per_gib_mapped", pt_per_gib(r));
	if (r->mode != SGA_SHMEM && shmem_pt_physical > 0)
		doc_metric(d, "saving_vs_shmem_pct", 100.0 * (1 - phys / shmem_pt_physical));
	doc_metric(d, "spawn_s", r->spawn_s);
	doc_metric(d, "map_touch_s", r->map_touch_s);
	doc_metric(d, "spawn_map_touch_s", r->spawn_s + r->map_touch_s);
	doc_metric(d, "teardown_s", r->teardown_s);
	doc_metric(d, "faults_count", r->faults_min + r->faults_maj);
	doc_metric(d, "faults_major_count", r->faults_maj);
	doc_metric(d, "faults_per_proc", (double)(r->faults_min + r->faults_maj) / r->nprocs);
	if (r->trace) {
		emit_trace_metrics(d, r);
	} else if (c->touch.sample_latency && r->lat.count) {
		doc_metric(d, "fault_lat_samples_count", r->lat.count);
		doc_metric(d, "fault_lat_p50_ns", hist_percentile(&r->lat, 0.50));
		doc_metric(d, "fault_lat_p90_ns", hist_percentile(&r->lat, 0.90));
		doc_metric(d, "fault_lat_p99_ns", hist_percentile(&r->lat, 0.99));
		doc_metric(d, "fault_lat_max_ns", r->lat.max);
	}
	emit_headline_metrics(d, r);
	emit_interference(d, r);
	doc_metric(d, "populate_s", r->populate_s);
	doc_metric(d, "measure_s", r->measure_s);
	doc_metric(d, "mode_wall_s", r->wall_s);
	doc_metric(d, "run_elapsed_s", (now_ns() - run_t0) / 1e9);
	if (cur_pred.have) {
		doc_metric(d, "mode_predicted_s", cur_pred.mode_s);
		doc_metric(d, "run_predicted_elapsed_s", cur_pred.elapsed_at_end_s);
	}
	if (rates[r->mode].ok) {
		doc_metric(d, "calib_touch_us_per_page", rates[r->mode].touch_s_per_byte * PAGE_4K * 1e6);
		doc_metric(d, "calib_teardown_us_per_page",
			   rates[r->mode].teardown_s_per_byte * PAGE_4K * 1e6);
	}
	if (plan_json)
		json_object_object_add(d, "plan", json_object_get(plan_json));
	doc_metric(d, "sga_shmem_bytes", r->shmem_kb * 1024.0);
	doc_metric(d, "sga_shmem_huge_bytes", r->thp_huge_bytes);
	doc_metric(d, "shmem_pmd_mapped_bytes", r->shmem_pmd_kb * 1024.0);
	doc_metric(d, "hugetlb_pages_used_count", r->hugetlb_used_pages);
	doc_emit(d);
}

static void print_trace(FILE *f, const struct result *r)
{
	struct json_object *cls = json_object_object_get(r->trace, "histograms");
	char cn[40];

	fprintf(f, "  fault latency (%s, %.0f faults of %s during map+touch):",
		r->lat_source, trace_num(r, "latency_count"), r->comm);
	if (trace_num(r, "latency_count") > 0)
		fprintf(f, " p50 %.0f ns, p90 %.0f ns, p99 %.0f ns, max %.0f ns",
			trace_num(r, "latency_p50_ns"), trace_num(r, "latency_p90_ns"),
			trace_num(r, "latency_p99_ns"), trace_num(r, "latency_max_ns"));
	fputc('\n', f);
	for (size_t i = 0; i < json_object_array_length(cls); i++) {
		struct json_object *o = json_object_array_get_idx(cls, i);
		struct json_object *h = json_object_object_get(o, "hist");

		fprintf(f, "    %-16s %10lld faults: p50 %.0f ns, p90 %.0f ns, p99 %.0f ns, "
			"max %lld ns\n", class_name(o, cn, sizeof(cn)), hist_num(h, "count"),
			json_object_get_double(json_object_object_get(h, "p50")),
			json_object_get_double(json_object_object_get(h, "p90")),
			json_object_get_double(json_object_object_get(h, "p99")),
			hist_num(h, "max"));
	}
	if (json_object_get_int64(json_object_object_get(r->trace, "unbracketed")))
		fprintf(f, "    %lld faults without a seen entry (no latency)\n",
			(long long)json_object_get_int64(
				json_object_object_get(r->trace, "unbracketed")));
}

static void print_interference(FILE *f, const struct config *c, const struct result *r)
{
	double fl = r->faults_sga;
	char kb[512], buf[512];

	sga_kstat_format(&r->kd, kb, sizeof(kb));
	fprintf(f, "  interference: %.0f faults in the touch loops against %.0f expected (%+.1f%%; %s, "
		"fault-around %lld KiB from %s%s); kernel over map+touch: %s\n", fl,
		r->faults_expected, r->faults_expected > 0 ?
		100.0 * (fl - r->faults_expected) / r->faults_expected : 0,
		c->touch.write ? "writes fault per page" : "reads",
		fault_around / 1024, fault_around_src,
		r->mode == SGA_HUGETLB || r->mode == SGA_PTSHARE ?
		"; shared tables: an upper bound" : "", kb);
	if (r->disturbed) {
		interference_text(r, buf, sizeof(buf));
		fprintf(f, "  WARNING: %s%s\n", buf, sga_kstat_reclaim(&r->kd) ?
			" (reclaim was active, see above)" : "");
	}
}

static void print_summary(FILE *f, const struct config *c, const struct result *r)
{
	double phys = pt_physical_bytes(r), logical = r->vmpte_delta_sum_kb * 1024.0;

	fprintf(f, "sga-bench mode=%s procs=%d sga=%s touch=%s access=%s\n",
		sga_mode_names[r->mode], r->nprocs, fmt_bytes(r->sga), c->touch_spec,
		c->touch.write ? "write" : "read");
	fprintf(f, "  time: spawn %.2f s + map/touch %.2f s = %.2f s; teardown %.2f s\n",
		r->spawn_s, r->map_touch_s, r->spawn_s + r->map_touch_s, r->teardown_s);
	fprintf(f, "  page tables for the SGA: physical %s (PageTables delta %s minus %s of other "
		"processes' VmPTE), logical %s (sum of VmPTE deltas), logical/physical ",
		fmt_bytes(phys), fmt_bytes((r->pt2_kb - r->pt1_kb) * 1024.0),
		fmt_bytes((r->oth2_kb - r->oth1_kb) * 1024.0), fmt_bytes(logical));
	if (phys > 0)
		fprintf(f, "%.2f\n", logical / phys);
	else
		fprintf(f, "n/a\n");
	fprintf(f, "  page tables incl. process overhead: physical %s, sum of VmPTE %s\n",
		fmt_bytes(pt_physical_total_bytes(r)), fmt_bytes(r->vmpte_sum_kb * 1024.0));
	fprintf(f, "  VmPTE per process: min %s, median %s, max %s\n",
		fmt_bytes(r->vmpte_min_kb * 1024), fmt_bytes(r->vmpte_med_kb * 1024),
		fmt_bytes(r->vmpte_max_kb * 1024));
	fprintf(f, "  per GiB touched: %s of page tables", fmt_bytes(pt_per_gib(r)));
	if (r->mode != SGA_SHMEM && shmem_pt_physical > 0)
		fprintf(f, "; saving vs shmem %.1f%%", 100.0 * (1 - phys / shmem_pt_physical));
	fprintf(f, "\n  faults: %llu (perf minor %llu + major %llu), %.0f per process",
		r->faults_min + r->faults_maj, r->faults_min, r->faults_maj,
		(double)(r->faults_min + r->faults_maj) / r->nprocs);
	if (r->trace) {
		double traced = trace_num(r, "faults_count");
		unsigned long long perf = r->faults_min + r->faults_maj;

		fprintf(f, "; faultlat counted %.0f (%+.2f%%)", traced,
			perf ? 100.0 * (traced - perf) / perf : 0);
	}
	fputc('\n', f);
	print_interference(f, c, r);
	if (r->trace)
		print_trace(f, r);
	else if (c->touch.sample_latency && r->lat.count)
		fprintf(f, "  fault latency (clock_gettime around %llu sampled first touches of a "
			"fault unit): "
			"p50 %.0f ns, p90 %.0f ns, p99 %.0f ns, max %llu ns\n",
			(unsigned long long)r->lat.count, hist_percentile(&r->lat, 0.5),
			hist_percentile(&r->lat, 0.9), hist_percentile(&r->lat, 0.99),
			(unsigned long long)r->lat.max);
	if (!r->trace && c->touch.sample_latency && r->trace_why[0])
		fprintf(f, "  (not from the faultlat tracer: %s)\n", r->trace_why);
	fprintf(f, "  SGA resident: Shmem %s (huge %s, PMD-mapped %s), hugetlb pages in use %lld\n",
		fmt_bytes(r->shmem_kb * 1024.0), fmt_bytes(r->thp_huge_bytes),
		fmt_bytes(r->shmem_pmd_kb * 1024.0), r->hugetlb_used_pages);
	if (cur_pred.have)
		fprintf(f, "  plan: this mode predicted %.1f s, took %.1f s (%.2fx); run so far %.1f s "
			"of %.1f s predicted\n", cur_pred.mode_s, r->wall_s,
			cur_pred.mode_s > 0 ? r->wall_s / cur_pred.mode_s : 0,
			(now_ns() - run_t0) / 1e9, cur_pred.elapsed_at_end_s);
	if (r->mode == SGA_THP && r->thp_huge_bytes == 0)
		fprintf(f, "  WARNING: no shmem huge pages were allocated: this ran on 4 KiB pages\n");
	if (r->mode == SGA_HUGETLB && r->sga < GiB)
		fprintf(f, "  note: hugetlb PMD sharing needs 1 GiB-aligned 1 GiB ranges; "
			"an SGA under 1 GiB cannot share\n");
	fflush(f);
}

/*
 * Free reservation space so every child maps the SGA at one 1 GiB-aligned VA.
 * The whole 1 GiB ranges the SGA touches are reserved, not just the SGA: a
 * smaller SGA would otherwise share its PMD table with whatever the kernel
 * placed after it (libraries, the tracer's maps), a table the children
 * inherit at fork, and its page would be missing from both the physical and
 * the logical figures (0 instead of one page per process for thp at 64 MiB,
 * depending on the address-space layout).
 */
static void *reserve_va(size_t size, void **resv, size_t *resv_len)
{
	unsigned long base;

	*resv_len = (size + GiB - 1) / GiB * GiB + GiB;
	*resv = mmap(NULL, *resv_len, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (*resv == MAP_FAILED)
		return NULL;
	base = ((unsigned long)*resv + GiB - 1) & ~(GiB - 1);
	return (void *)base;
}

/* Fault-around window of read faults on shmem (debugfs, where mounted and readable). */
static void read_fault_around(void)
{
	long long v = read_sysctl_ll("/sys/kernel/debug/fault_around_bytes");

	if (v >= 4096) {
		fault_around = v;
		snprintf(fault_around_src, sizeof(fault_around_src),
			 "/sys/kernel/debug/fault_around_bytes");
	}
}

/*
 * The faults the touches should take, with nothing else touching the SGA:
 * one per fault unit of the pages each child touched. 4 KiB-page reads map
 * a whole fault-around window per fault (the SGA is populated: every page is
 * in the page cache), writes one page (shared write faults never fault
 * around), huge pages one 2 MiB page; thp counts the part that really got
 * huge pages as such. hugetlb and ptshare share tables, so their children
 * after the first mostly do not fault: the figure is an upper bound there.
 */
static double expected_faults(const struct config *c, const struct result *r)
{
	double touched = r->touched_total, huge = 0;

	if (r->mode == SGA_HUGETLB)
		return touched / (2 * MiB);
	if (r->mode == SGA_THP && r->sga)
		huge = r->thp_huge_bytes >= (long long)r->sga ? 1 :
		       (double)r->thp_huge_bytes / r->sga;
	return touched * huge / (2 * MiB) +
	       touched * (1 - huge) / (c->touch.write ? PAGE_4K : (double)fault_around);
}

/*
 * The children count their faults over their touch loops only (getrusage),
 * so start-up, copy-on-write and barrier faults are not in the figure; what
 * the loop may add besides the SGA's is the first write to its slot's
 * pages (latency samples, progress): a few per child.
 */
#define CHILD_LOOP_FAULTS 4
/* More faults than expected by this much: something unmapped the SGA. */
#define DISTURBED_PCT 5.0

static void check_interference(const struct config *c, struct result *r)
{
	r->faults_expected = expected_faults(c, r);
	r->disturbed = r->faults_expected > 0 &&
		       r->faults_sga > r->faults_expected * (1 + DISTURBED_PCT / 100) +
				       (double)CHILD_LOOP_FAULTS * r->nprocs;
}

/*
 * Run one mode: SGA_OK (results printed), SGA_UNAVAILABLE (the host cannot
 * give it its SGA now; reason in why, nothing printed) or SGA_FAILED (error
 * printed). Every path gives back children, memfd, hugepages and settings.
 * c->quiet (calibration): the same run, nothing printed.
 */
static int run_mode(const struct config *c, enum sga_mode m, size_t sga, struct result *r,
		    char *why, size_t whylen)
{
	struct sga_map_spec spec = { 0 };
	struct touch_plan tp = c->touch;
	long long shmem0, huge_used0, pages_per_child;
	void *resv = MAP_FAILED;
	size_t resv_len = 0, ngr;
	int fd_min = -1, fd_maj = -1, ret;
	unsigned long long mn1, mj1, mn2, mj2;
	uint64_t t0, t1, t1go, t2, t3, tstart = now_ns();
	struct sga_trace tr = { 0 };
	struct sga_kstat ks1, ks2;
	pid_t *kids = NULL;

	memset(r, 0, sizeof(*r));
	r->mode = m;
	sga_child_comm(r->comm);
	snprintf(r->lat_source, sizeof(r->lat_source), "%s",
		 tp.sample_latency ? "clock_gettime" : "none");
	if (c->trace == TRACE_OFF && tp.sample_latency)
		snprintf(r->trace_why, sizeof(r->trace_why), "--trace off");
	r->sga = sga;
	r->nprocs = c->nprocs;
	sga_progress_mode(cur_pred.label, c->nprocs, cur_pred.have ? cur_pred.pred : NULL,
			  cur_pred.after_s);
	shmem0 = meminfo_kb("Shmem");
	huge_used0 = meminfo_kb("HugePages_Total") - meminfo_kb("HugePages_Free");
	tp.inject_crash = injected(m, "crash");
	tp.inject_stall = injected(m, "stall");
	sga_inject_short_pool = injected(m, "reserve");
	sga_progress_phase(PH_POPULATE, sga);
	ret = sga_backing_create(&cur_backing, m, sga, c->thp_force, why, whylen);
	r->populate_s = (now_ns() - tstart) / 1e9;
	if (ret != SGA_OK)
		goto out_phase;
	ret = SGA_FAILED;
	r->thp_huge_bytes = cur_backing.thp_huge_bytes;
	spec.addr = reserve_va(sga, &resv, &resv_len);
	if (!spec.addr) {
		bench_err("cannot reserve %s of address space: %s", fmt_bytes(resv_len),
			  strerror(errno));
		goto out;
	}
	spec.size = sga;
	spec.fd = cur_backing.fd;
	spec.map_flags = cur_backing.map_flags;
	spec.madvice = cur_backing.madvice;
	spec.fault_stride = cur_backing.fault_stride;
	/* A partial munmap of a MAP_SHARED_PT mapping unshares it first. */
	spec.unmap_step = m == SGA_PTSHARE ? sga : 0;
	/* Shared write faults never fault around: each 4 KiB page faults. */
	if (tp.write && sga_mode_uses_ptes(m))
		spec.fault_stride = PAGE_4K;
	ngr = sga / SGA_GRANULE;
	pages_per_child = (long long)(tp.fraction * ngr + 0.5);
	if (pages_per_child < 1)
		pages_per_child = 1;
	pages_per_child *= SGA_GRANULE / PAGE_4K;

	/* Ground truth for fault counts: inherited by every child. */
	fd_min = perf_sw_counter_open(0, PERF_COUNT_SW_PAGE_FAULTS_MIN, true, false);
	fd_maj = perf_sw_counter_open(0, PERF_COUNT_SW_PAGE_FAULTS_MAJ, true, false);
	if (fd_min < 0 || fd_maj < 0) {
		bench_err("cannot open the perf page-fault counters: %s "
			  "(kernel.perf_event_paranoid too high? run as root)", strerror(-fd_min));
		goto out;
	}

	/* The tracer replaces the timed touches (no double instrumentation). */
	if (c->trace != TRACE_OFF) {
		if (sga_trace_start(&tr, r->comm, r->trace_why, sizeof(r->trace_why)) == 0) {
			tp.sample_latency = false;
			snprintf(r->lat_source, sizeof(r->lat_source), "mmscope-faultlat (%s)",
				 sga_trace_mode_name(&tr));
		} else if (c->trace == TRACE_ON) {
			bench_err("%s: --trace on, but %s", sga_mode_names[m], r->trace_why);
			goto out;
		} else if (!c->quiet) {
			sga_progress_clear();
			bench_note("%s: fault latency from clock_gettime-timed first touches: %s",
				   sga_mode_names[m], r->trace_why);
		}
	}

	r->pt0_kb = pagetables_kb();
	r->oth0_kb = others_vmpte_kb(NULL, 0);
	sga_progress_phase(PH_SPAWN, c->nprocs);
	t0 = now_ns();
	if (sga_group_spawn(&cur_group, c->nprocs, &spec, &tp) < 0)
		goto out;
	sga_progress_phase(PH_READY, c->nprocs);
	if (sga_group_wait_ready(&cur_group, c->timeout_s) < 0)
		goto out;
	t1 = now_ns();
	r->pt1_kb = pagetables_kb();
	kids = malloc(cur_group.nforked * sizeof(*kids));
	if (!kids) {
		bench_err("no memory for %d pids", cur_group.nforked);
		goto out;
	}
	memcpy(kids, cur_group.pids, cur_group.nforked * sizeof(*kids));
	qsort(kids, cur_group.nforked, sizeof(*kids), cmp_pid);
	r->oth1_kb = others_vmpte_kb(kids, cur_group.nforked);
	/* Children are paused: drop what the tracer saw of their start-up (its
	 * own work in this process stays outside the perf window). */
	if (tr.st && sga_trace_drain(&tr) < 0)
		goto out;
	sga_kstat_read(&ks1);
	read_faults(fd_min, fd_maj, &mn1, &mj1);
	sga_progress_perf(fd_min);
	sga_progress_phase(PH_MAP_TOUCH, pages_per_child * c->nprocs);
	t1go = now_ns();
	sga_group_go(&cur_group);
	if (sga_group_wait_ready(&cur_group, c->timeout_s) < 0)
		goto out;
	t2 = now_ns();
	sga_progress_phase(PH_MEASURE, 0);
	/* Everyone is alive and paused: this is the steady state we report. */
	r->pt2_kb = pagetables_kb();
	r->oth2_kb = others_vmpte_kb(kids, cur_group.nforked);
	read_faults(fd_min, fd_maj, &mn2, &mj2);
	sga_kstat_read(&ks2);
	sga_kstat_delta(&ks1, &ks2, &r->kd);
	r->faults_min = mn2 - mn1;
	r->faults_maj = mj2 - mj1;
	if (tr.st) {
		r->trace = sga_trace_collect(&tr);
		if (!r->trace)
			goto out;
		sga_trace_stop(&tr);	/* teardown and --hold run untraced */
	}
	r->shmem_kb = meminfo_kb("Shmem") - shmem0;
	r->shmem_pmd_kb = meminfo_kb("ShmemPmdMapped");
	r->hugetlb_used_pages = meminfo_kb("HugePages_Total") - meminfo_kb("HugePages_Free") -
				huge_used0;
	if (r->hugetlb_used_pages < 0)
		r->hugetlb_used_pages = 0;
	if (collect_vmpte(r, &cur_group) < 0)
		goto out;
	check_interference(c, r);
	r->spawn_s = (t1 - t0) / 1e9;
	r->map_touch_s = (t2 - t1go) / 1e9;
	r->measure_s = (now_ns() - t2) / 1e9;
	if (c->hold_s > 0) {
		/* Emit now, so whoever watches can check the paused children. */
		r->wall_s = (now_ns() - tstart) / 1e9;
		if (c->json)
			emit_json(c, r);
		sga_progress_clear();
		print_summary(c->json ? stderr : stdout, c, r);
		fprintf(stderr, "sga-bench: holding %d children for %.1f s\n", c->nprocs, c->hold_s);
		sga_progress_phase(PH_HOLD, 0);
		t3 = now_ns() + (uint64_t)(c->hold_s * 1e9);
		while (!bench_stop && now_ns() < t3)
			usleep(50000);
		if (bench_stop) {
			bench_err("%s; cleaning up", sga_stop_reason());
			goto out;
		}
	}
	sga_progress_phase(PH_TEARDOWN, (long long)sga * c->nprocs);
	t3 = now_ns();
	r->bad_exits = sga_group_release(&cur_group);
	if (r->bad_exits < 0)
		goto out;
	r->teardown_s = (now_ns() - t3) / 1e9;
	if (r->bad_exits) {
		bench_err("%d children did not exit cleanly", r->bad_exits);
		goto out;
	}
	/* The mode is complete: give everything back, then report it. */
	sga_progress_perf(-1);
	close(fd_min);
	close(fd_maj);
	fd_min = fd_maj = -1;
	sga_group_destroy(&cur_group);
	t3 = now_ns();
	sga_backing_destroy(&cur_backing);
	r->release_s = (now_ns() - t3) / 1e9;
	r->wall_s = (now_ns() - tstart) / 1e9;
	sga_progress_phase(PH_IDLE, 0);
	if (c->hold_s <= 0 && !c->quiet) {
		if (c->json)
			emit_json(c, r);
		sga_progress_clear();
		print_summary(c->json ? stderr : stdout, c, r);
	}
	if (m == SGA_SHMEM && !c->quiet)
		shmem_pt_physical = pt_physical_bytes(r);
	ret = SGA_OK;
out:
	sga_progress_perf(-1);
	free(kids);
	sga_trace_stop(&tr);
	sga_group_destroy(&cur_group);
	json_object_put(r->trace);
	r->trace = NULL;
	if (fd_min >= 0)
		close(fd_min);
	if (fd_maj >= 0)
		close(fd_maj);
	if (resv != MAP_FAILED)
		munmap(resv, resv_len);
	sga_backing_destroy(&cur_backing);
out_phase:
	sga_progress_phase(PH_IDLE, 0);
	return ret;
}

/*
 * Whether the run fits in memory now: the SGA size to use (shrunk with
 * --fit), or 0 with the reason in why (not printed: an error for a mode
 * asked for by name, a skip under --mode all).
 */
static size_t check_fit(const struct config *c, enum sga_mode m, size_t sga, char *why,
			size_t len)
{
	struct sga_estimate e;
	bool inj = injected(m, "fit");
	size_t fit;

	sga_estimate(m, sga, c->touch.fraction, c->nprocs, &e);
	if (inj)
		e.avail = 0;
	if (e.need + e.margin <= e.avail)
		return sga;
	if (c->force) {
		bench_note("%s: estimated need %s exceeds MemAvailable %s minus margin %s; "
			   "running anyway (--force)", sga_mode_names[m], fmt_bytes(e.need),
			   fmt_bytes(e.avail), fmt_bytes(e.margin));
		return sga;
	}
	if (c->fit && !inj) {
		fit = sga_fit_size(m, c->touch.fraction, c->nprocs, 1.0);
		if (fit) {
			bench_note("%s: --fit: SGA scaled down from %s to %s to fit MemAvailable",
				   sga_mode_names[m], fmt_bytes(sga), fmt_bytes(fit));
			return fit;
		}
	}
	snprintf(why, len, "%s: %d processes x %s SGA need about %s (SGA + %s of page tables "
		 "each + overhead) but MemAvailable is %s with a %s margin; use a smaller "
		 "--sga/--procs, --fit, or --force", sga_mode_names[m], c->nprocs, fmt_bytes(sga),
		 fmt_bytes(e.need), fmt_bytes(e.pt_per_proc), fmt_bytes(e.avail),
		 fmt_bytes(e.margin));
	return 0;
}

/*
 * Under --mode all, a mode the host cannot run now still gets its document:
 * the run's configuration and "skipped" (the reason), no metrics, so a
 * results store keeps what was not measured and why.
 */
static void emit_skipped(const struct config *c, enum sga_mode m, size_t sga, const char *why)
{
	struct json_object *d = doc_new("sga-bench", "result", sga_mode_names[m]);
	size_t n = strlen(sga_mode_names[m]);

	if (!strncmp(why, sga_mode_names[m], n) && !strncmp(why + n, ": ", 2))
		why += n + 2;
	doc_add_host(d);
	json_object_object_add(d, "interval_s", json_object_new_double(0));
	json_object_object_add(d, "skipped", json_object_new_string(why));
	json_object_object_add(d, "procs", json_object_new_int(c->nprocs));
	json_object_object_add(d, "sga_bytes", json_object_new_int64(sga));
	json_object_object_add(d, "touch", json_object_new_string(c->touch_spec));
	json_object_object_add(d, "access",
			       json_object_new_string(c->touch.write ? "write" : "read"));
	json_object_object_add(d, "trace", json_object_new_string(trace_names[c->trace]));
	doc_emit(d);
}

static void fatal_signal(int sig)
{
	/* Children die by PDEATHSIG; give back what they cannot. */
	sga_backing_emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* "shmem, thp" from a set of modes. */
static const char *mode_list(const bool *set, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int i = 0; i < SGA_NR_MODES && o < len; i++)
		if (set[i])
			o += snprintf(buf + o, len - o, "%s%s", o ? ", " : "", sga_mode_names[i]);
	return buf;
}

/*
 * Two runs of one phase, time = procs x per_proc + bytes x per_byte: solve.
 * Noise can make one share negative: then the other carries it all.
 */
static void split_costs(int na, double ba, double ta, int nb, double bb, double tb,
			double *per_proc, double *per_byte)
{
	double det = na * bb - nb * ba;

	*per_proc = det ? (ta * bb - tb * ba) / det : 0;
	*per_byte = det ? (na * tb - nb * ta) / det : 0;
	if (*per_byte < 0 || !det) {
		*per_byte = 0;
		*per_proc = tb / nb;
	}
	if (*per_proc < 0) {
		*per_proc = 0;
		*per_byte = ta / ba;
	}
}

static int calibrate(const struct config *c, bool *planned)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int k = ncpu > 2 ? 2 * (int)ncpu : 4;
	size_t cap = c->sga < CAL_SGA_MAX ? c->sga : CAL_SGA_MAX, s;
	struct result r, r2;
	char why[512];
	int st, k2 = CAL_PROCS2;

	if (k > c->nprocs)
		k = c->nprocs;
	if (k2 > c->nprocs)
		k2 = c->nprocs;
	for (int m = 0; m < SGA_NR_MODES && !bench_stop; m++) {
		struct config cc = *c;
		uint64_t t0 = now_ns();

		planned[m] = false;
		if (!c->modes[m] || !sga_mode_available(m, c->thp_force, why, sizeof(why)))
			continue;
		cc.nprocs = k;
		cc.touch.kind = TOUCH_PREFIX;
		cc.touch.fraction = 1;
		cc.hold_s = 0;
		cc.quiet = true;
		cc.json = false;
		s = cap < CAL_SGA ? cap : CAL_SGA;
		snprintf(cur_pred.label, sizeof(cur_pred.label), "calibrating %s",
			 sga_mode_names[m]);
		cur_pred.have = false;
		for (;;) {
			st = run_mode(&cc, m, s, &r, why, sizeof(why));
			if (st == SGA_FAILED)
				return -1;
			if (st == SGA_UNAVAILABLE)
				break;
			/*
			 * 4 KiB-page modes: once more, sized for ~0.3 s of touching
			 * (well above timer and scheduler noise). Huge-page modes
			 * touch in no time: their cost is populate, spawn and fixed,
			 * measured well enough by the first run.
			 */
			if (!sga_mode_uses_ptes(m) || r.map_touch_s >= 0.15 || s >= cap ||
			    (now_ns() - t0) / 1e9 > 2)
				break;
			double grow = 0.3 / (r.map_touch_s > 0.01 ? r.map_touch_s : 0.01);

			grow = grow < 2 ? 2 : grow > 4 ? 4 : grow;
			s = (size_t)(s * grow) / SGA_GRANULE * SGA_GRANULE;
			if (s > cap)
				s = cap;
		}
		if (st == SGA_OK) {
			/* Many children, one granule each: the per-process costs. */
			cc.nprocs = k2;
			cc.touch.fraction = 0.5;
			st = run_mode(&cc, m, 2 * SGA_GRANULE, &r2, why, sizeof(why));
			if (st == SGA_FAILED)
				return -1;
		}
		if (st != SGA_OK) {
			bench_note("calibration: %s: not planned (%s)", sga_mode_names[m], why);
			continue;
		}
		struct sga_rate *q = &rates[m];

		q->ok = true;
		q->cal_procs = k;
		q->cal_procs2 = k2;
		q->cal_sga = s;
		q->cal_wall_s = r.wall_s + r2.wall_s;
		q->populate_s_per_byte = r.populate_s / s;
		q->release_s_per_byte = r.release_s / s;
		q->spawn_s_per_proc = r2.spawn_s / k2;
		q->measure_s_per_proc = r2.measure_s / k2;
		split_costs(k, r.touched_total, r.map_touch_s, k2, r2.touched_total, r2.map_touch_s,
			    &q->touch_s_per_proc, &q->touch_s_per_byte);
		split_costs(k, r.touched_total, r.teardown_s, k2, r2.touched_total, r2.teardown_s,
			    &q->teardown_s_per_proc, &q->teardown_s_per_byte);
		q->fixed_s = r.wall_s - r.populate_s - r.spawn_s - r.map_touch_s - r.measure_s -
			     r.teardown_s - r.release_s;
		if (q->fixed_s < 0)
			q->fixed_s = 0;
		planned[m] = true;
	}
	return bench_stop ? -1 : 0;
}

static void print_rates(const bool *planned, double cal_s)
{
	fprintf(stderr, "sga-bench: calibration (%.1f s; the same code path as the run):\n", cal_s);
	for (int m = 0; m < SGA_NR_MODES; m++) {
		const struct sga_rate *q = &rates[m];

		if (!planned[m])
			continue;
		fprintf(stderr, "sga-bench:   %-7s per page: %.3f us map+touch (%.3g pages/s), %.3f us "
			"teardown, %.3f us populate; per process: %.2f ms spawn, %.2f ms map, %.2f ms "
			"exit; %.2f s fixed (%d x %s and %d x 4 MiB)\n", sga_mode_names[m],
			q->touch_s_per_byte * PAGE_4K * 1e6,
			q->touch_s_per_byte > 0 ? 1 / (q->touch_s_per_byte * PAGE_4K) : 0,
			q->teardown_s_per_byte * PAGE_4K * 1e6,
			q->populate_s_per_byte * PAGE_4K * 1e6, q->spawn_s_per_proc * 1e3,
			q->touch_s_per_proc * 1e3, q->teardown_s_per_proc * 1e3,
			q->fixed_s, q->cal_procs, fmt_bytes(q->cal_sga), q->cal_procs2);
	}
}

static struct json_object *plan_to_json(const struct config *c, const struct sga_plan *p,
					const bool *planned, double cal_s, double avail_s)
{
	struct json_object *o = json_object_new_object(), *rs = json_object_new_object();

	json_object_object_add(o, "budget_s", json_object_new_double(c->budget_s));
	json_object_object_add(o, "calibration_s", json_object_new_double(cal_s));
	json_object_object_add(o, "available_s", json_object_new_double(avail_s));
	json_object_object_add(o, "procs", json_object_new_int(p->nprocs));
	json_object_object_add(o, "sga_bytes", json_object_new_int64(p->sga));
	json_object_object_add(o, "touch", json_object_new_string(c->touch_spec));
	json_object_object_add(o, "predicted_s", json_object_new_double(p->predicted_s));
	json_object_object_add(o, "predicted_total_s",
			       json_object_new_double(p->predicted_s + cal_s));
	json_object_object_add(o, "watchdog_s", json_object_new_double(c->watchdog_s));
	json_object_object_add(o, "reason", json_object_new_string(p->why));
	for (int m = 0; m < SGA_NR_MODES; m++) {
		const struct sga_rate *q = &rates[m];
		struct json_object *x;

		if (!planned[m])
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "touch_us_per_page",
				       json_object_new_double(q->touch_s_per_byte * PAGE_4K * 1e6));
		json_object_object_add(x, "teardown_us_per_page",
				       json_object_new_double(q->teardown_s_per_byte * PAGE_4K * 1e6));
		json_object_object_add(x, "populate_us_per_page",
				       json_object_new_double(q->populate_s_per_byte * PAGE_4K * 1e6));
		json_object_object_add(x, "release_us_per_page",
				       json_object_new_double(q->release_s_per_byte * PAGE_4K * 1e6));
		json_object_object_add(x, "spawn_ms_per_proc",
				       json_object_new_double(q->spawn_s_per_proc * 1e3));
		json_object_object_add(x, "map_ms_per_proc",
				       json_object_new_double(q->touch_s_per_proc * 1e3));
		json_object_object_add(x, "exit_ms_per_proc",
				       json_object_new_double(q->teardown_s_per_proc * 1e3));
		json_object_object_add(x, "fixed_s", json_object_new_double(q->fixed_s));
		json_object_object_add(x, "predicted_s", json_object_new_double(p->mode_s[m]));
		json_object_object_add(x, "calibrated_procs", json_object_new_int(q->cal_procs));
		json_object_object_add(x, "calibrated_sga_bytes", json_object_new_int64(q->cal_sga));
		json_object_object_add(rs, sga_mode_names[m], x);
	}
	json_object_object_add(o, "modes", rs);
	return o;
}

/* Margin of the plan: spawn/teardown jitter on a busy host, process start and exit. */
#define PLAN_SHARE 0.85
#define PLAN_SLACK_S 1.0

/*
 * --budget: calibrate, choose the plan, print it. 0 (c updated), or 1 when
 * the run would not fit and --force is not given (one line printed).
 */
static int plan_run(struct config *c, bool *planned)
{
	struct sga_plan p;
	struct sga_plan_req q = { 0 };
	double cal_s, avail, gap = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char list[64];
	int any = 0;

	if (calibrate(c, planned) < 0)
		return 1;
	cal_s = (now_ns() - run_t0) / 1e9;
	for (int m = 0; m < SGA_NR_MODES; m++)
		any += planned[m];
	if (!any) {
		bench_note("--budget: no requested mode could be calibrated; running without a plan");
		return 0;
	}
	avail = (c->budget_s - cal_s) * PLAN_SHARE - PLAN_SLACK_S;
	q.budget_s = avail > 0 ? avail : 0;
	q.modes = planned;
	q.rates = rates;
	q.nprocs = c->nprocs;
	q.procs_given = c->procs_given;
	q.sga = c->sga;
	q.sga_given = c->sga_given;
	q.touch_frac = c->touch.fraction;
	q.touch_given = c->touch_given;
	sga_plan_choose(&q, &p);
	if (!p.fits && !c->force) {
		bench_err("--budget %.0fs: %d processes x %s, touch %g, predict %.0f s for %s "
			  "(+ %.1f s calibration; %.0f s available with the margin)%s; %s, or --force",
			  c->budget_s, p.nprocs, fmt_bytes(p.sga), p.touch_frac, p.predicted_s,
			  mode_list(planned, list, sizeof(list)), cal_s, q.budget_s,
			  c->procs_given || c->sga_given || c->touch_given ?
			  " with the sizes given" : " even at the plan's floors",
			  c->procs_given || c->sga_given || c->touch_given ?
			  "give a longer --budget, smaller or no -n/--sga/--touch" :
			  "give a longer --budget");
		return 1;
	}
	print_rates(planned, cal_s);
	if (!p.fits)
		bench_note("--budget: predicted %.0f s exceeds %.0f s; running anyway (--force)",
			   p.predicted_s, q.budget_s);
	c->nprocs = p.nprocs;
	c->sga = p.sga;
	if (p.touch_frac != c->touch.fraction) {
		c->touch.fraction = p.touch_frac;
		snprintf(c->touch_spec, sizeof(c->touch_spec), "%g", p.touch_frac);
	}
	/*
	 * Under fair scheduling the children advance together: a step (a 2 MiB
	 * granule touched, 16 MiB unmapped) of every child takes procs / CPUs
	 * times one child's step before the counters move. Never call that a
	 * stall: the default watchdog is at least 10 such steps.
	 */
	for (int m = 0; m < SGA_NR_MODES; m++) {
		double step;

		if (!planned[m])
			continue;
		step = (double)c->nprocs / (ncpu > 0 ? ncpu : 1) *
		       (rates[m].touch_s_per_byte * SGA_GRANULE > rates[m].teardown_s_per_byte * 16 * MiB ?
			rates[m].touch_s_per_byte * SGA_GRANULE : rates[m].teardown_s_per_byte * 16 * MiB);
		if (step > gap)
			gap = step;
		step = rates[m].populate_s_per_byte * 64 * MiB;
		if (step > gap)
			gap = step;
	}
	if (!c->watchdog_given && c->watchdog_s > 0 && 10 * gap > c->watchdog_s) {
		c->watchdog_s = 10 * gap;
		sga_progress_watchdog(c->watchdog_s);
	}
	fprintf(stderr, "sga-bench: plan for --budget %.0f s: %d processes x %s SGA, touch %s; "
		"predicted %.0f s + %.1f s calibration = %.0f s (", c->budget_s, c->nprocs,
		fmt_bytes(c->sga), c->touch_spec, p.predicted_s, cal_s, p.predicted_s + cal_s);
	for (int m = 0, first = 1; m < SGA_NR_MODES; m++)
		if (planned[m]) {
			fprintf(stderr, "%s%s %.0f s", first ? "" : ", ", sga_mode_names[m],
				p.mode_s[m]);
			first = 0;
		}
	fprintf(stderr, "); %s; watchdog %.0f s\n", p.why, c->watchdog_s);
	plan_json = plan_to_json(c, &p, planned, cal_s, q.budget_s);
	return 0;
}

int main(int argc, char **argv)
{
	struct config c = { 0 };
	struct result r;
	char why[512], list[64];
	bool ran[SGA_NR_MODES] = { 0 }, failed[SGA_NR_MODES] = { 0 }, planned[SGA_NR_MODES] = { 0 };
	int i, rc, st, nran = 0, nfailed = 0, nskipped = 0, asked = 0, nmodes = 0, idx = 0;
	struct sga_progress_cfg pc = { 0 };
	size_t sga;

	bench_name = "sga-bench";
	run_t0 = now_ns();
	rc = parse_args(argc, argv, &c);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (c.cleanup) {
		rc = sga_state_recover(0);
		if (rc < 0) {
			bench_err("cannot read %s: %s", SGA_STATE_DIR, strerror(errno));
			return 1;
		}
		if (rc == 0)
			bench_note("nothing to restore: no record of a dead sga-bench in %s",
				   SGA_STATE_DIR);
		return 0;
	}
	inject = getenv("SGA_BENCH_INJECT");
	if (inject && !*inject)
		inject = NULL;
	if (inject) {
		if (parse_inject(inject) < 0)
			return 2;
		bench_note("SGA_BENCH_INJECT=%s: test faults injected", inject);
	}
	if (c.mode_all)
		for (i = 0; i < SGA_NR_MODES; i++)
			c.modes[i] = true;
	if (sga_check_task_limits(c.nprocs) < 0)
		return 1;
	/* What an sga-bench killed before it could restore left changed. */
	sga_state_recover(0);
	read_fault_around();
	if (!c.sga_given) {
		/* Size for the costliest mode in the run: 4 KiB PTEs. */
		c.sga = sga_fit_size(SGA_SHMEM, c.touch.fraction, c.nprocs, DEFAULT_SHARE);
		if (!c.sga) {
			bench_err("no SGA size fits %d processes in MemAvailable (%s); lower --procs",
				  c.nprocs, fmt_bytes(meminfo_kb("MemAvailable") * 1024.0));
			return 1;
		}
		bench_note("SGA size %s chosen from MemAvailable %s for %d processes",
			   fmt_bytes(c.sga), fmt_bytes(meminfo_kb("MemAvailable") * 1024.0),
			   c.nprocs);
	}
	bench_install_stop_handlers();
	signal(SIGSEGV, fatal_signal);
	signal(SIGBUS, fatal_signal);
	signal(SIGABRT, fatal_signal);
	signal(SIGPIPE, SIG_IGN);
	/* Settings this run may change are given back even after a SIGKILL. */
	if (geteuid() == 0 && (c.modes[SGA_HUGETLB] || (c.modes[SGA_THP] && c.thp_force)))
		sga_reaper_start();
	pc.tty = c.progress_auto && isatty(STDERR_FILENO);
	pc.line_s = c.progress_s;
	pc.watchdog_s = c.watchdog_s;
	if (sga_progress_start(&pc) < 0)
		return 1;

	if (c.budget_s > 0) {
		rc = plan_run(&c, planned);
		if (rc || bench_stop) {
			sga_progress_stop();
			if (bench_stop)
				bench_err("%s during calibration", sga_stop_reason());
			return bench_stop == SGA_STOP_WATCHDOG ? 1 : bench_stop ? 130 : rc;
		}
	}
	for (i = 0; i < SGA_NR_MODES; i++)
		nmodes += c.modes[i];

	/*
	 * A mode the host cannot give what it needs now (kernel feature,
	 * privileges, memory, hugepages, THP policy) is skipped under --mode
	 * all: a note, a "skipped" document, the other modes' results kept.
	 * Asked for by name it is an error. A failure while measuring (a child
	 * dies, a counter cannot be read) is an error either way.
	 */
	for (i = 0; i < SGA_NR_MODES && !bench_stop; i++) {
		if (!c.modes[i])
			continue;
		asked++;
		idx++;
		why[0] = 0;
		sga = c.sga;
		snprintf(cur_pred.label, sizeof(cur_pred.label), "%s %d/%d", sga_mode_names[i], idx,
			 nmodes);
		cur_pred.have = planned[i];
		if (planned[i]) {
			cur_pred.mode_s = sga_plan_mode_time(&rates[i], c.nprocs, c.sga,
							     c.touch.fraction, cur_pred.pred);
			cur_pred.after_s = 0;
			for (int m = i + 1; m < SGA_NR_MODES; m++)
				if (planned[m])
					cur_pred.after_s += sga_plan_mode_time(&rates[m], c.nprocs,
									       c.sga, c.touch.fraction,
									       NULL);
			cur_pred.elapsed_at_end_s = (now_ns() - run_t0) / 1e9 + cur_pred.mode_s;
		}
		if (!sga_mode_available(i, c.thp_force, why, sizeof(why)))
			st = SGA_UNAVAILABLE;
		else if (!(sga = check_fit(&c, i, c.sga, why, sizeof(why))))
			st = SGA_UNAVAILABLE;
		else
			st = run_mode(&c, i, sga, &r, why, sizeof(why));
		if (st == SGA_OK) {
			ran[i] = true;
			nran++;
			sga_headline_add(i, pt_per_gib(&r), r.nprocs, r.sga);
		} else if (st == SGA_UNAVAILABLE && c.mode_all) {
			sga_progress_clear();
			bench_note("skipping %s", why);
			if (c.json)
				emit_skipped(&c, i, sga ? sga : c.sga, why);
			nskipped++;
		} else {
			if (st == SGA_UNAVAILABLE)
				bench_err("%s", why);
			failed[i] = true;
			nfailed++;
		}
	}
	sga_progress_stop();
	sga_headline_print(c.json ? stderr : stdout);
	if (bench_stop == SGA_STOP_WATCHDOG) {
		bench_err("stopped by the watchdog in %s%s%s", sga_watchdog_where(),
			  nran ? "; results printed for " : "; no mode finished",
			  nran ? mode_list(ran, why, sizeof(why)) : "");
		return 1;
	}
	if (bench_stop)
		return 130;
	if (nfailed) {
		if (asked > 1)
			bench_err("%d of %d modes failed (%s)%s%s", nfailed, asked,
				  mode_list(failed, list, sizeof(list)),
				  nran ? "; results printed for " : "",
				  nran ? mode_list(ran, why, sizeof(why)) : "");
		return 1;
	}
	if (!nran) {
		bench_err("no mode could run here: all %d skipped (see the notes above)", nskipped);
		return 1;
	}
	return 0;
}
