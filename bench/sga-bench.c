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
#include <linux/perf_event.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "histo.h"
#include "jsonout.h"
#include "opts.h"
#include "perfev.h"
#include "util.h"
#include "sga/backing.h"
#include "sga/children.h"
#include "sga/estimate.h"
#include "sga/trace.h"

#define DEFAULT_PROCS 1500
/* Default SGA: this share of (MemAvailable - margin), so others keep room. */
#define DEFAULT_SHARE 0.5

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
};

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
 * pool grows one page short) and crash (child 0 dies of SIGBUS after
 * touching). Announced on stderr; see docs/bench.md.
 */
static const char *const inject_points[] = { "fit", "reserve", "crash" };
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
		for (k = 0; colon && k < 3 && strcmp(colon + 1, inject_points[k]); k++)
			;
		if (!colon || i == SGA_NR_MODES || k == 3) {
			bench_err("SGA_BENCH_INJECT: '%s' is not MODE:fit, MODE:reserve or MODE:crash",
				  spec);
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
"  -h, --help\n"
"\n"
"Needs root for hugetlb (vm.nr_hugepages) and --thp-force. Refuses runs whose\n"
"estimated memory (SGA + 2 MiB of PTEs per GiB touched per process + %llu KiB\n"
"per process) exceeds MemAvailable minus max(1 GiB, 10%% of RAM).\n",
		DEFAULT_PROCS, DEFAULT_SHARE * 100, SGA_PROC_OVERHEAD / 1024);
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
	enum { O_JSON = 256, O_FORCE, O_FIT, O_THP_FORCE, O_SEED, O_NOLAT, O_HOLD, O_TIMEOUT, O_TRACE };
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long sz;
	char *end;
	long v;
	int o, i;
	bool any_mode = false;

	c->nprocs = DEFAULT_PROCS;
	c->touch.fraction = 1;
	c->touch.seed = 1;
	c->touch.sample_latency = true;
	c->timeout_s = 3600;
	snprintf(c->touch_spec, sizeof(c->touch_spec), "all");
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":n:s:t:a:m:h", lo, NULL)) != -1) {
		switch (o) {
		case 'n':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > 1000000) {
				bench_err("--procs: '%s' is not a count in 1..1000000", optarg);
				return -1;
			}
			c->nprocs = v;
			break;
		case 's':
			if (parse_size(optarg, &sz) || sz == 0) {
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
			errno = 0;
			v = strtol(optarg, &end, 0);
			if (errno || *end || v < 0) {
				bench_err("--seed: '%s' is not a non-negative integer", optarg);
				return -1;
			}
			c->touch.seed = v;
			break;
		case O_HOLD:
		case O_TIMEOUT: {
			double s = parse_seconds(optarg);

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
		case ':':
			bench_err("option %s needs an argument (see --help)", argv[optind - 1]);
			return -1;
		default:
			bench_err("unknown option '%s' (see --help)", argv[optind - 1]);
			return -1;
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Read every child's VmPTE while they are all paused after touching. */
static int collect_vmpte(struct result *r, struct sga_group *g)
{
	double *v = malloc(g->nforked * sizeof(*v));
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
		hist_merge(&r->lat, &g->slots[i].lat);
	}
	qsort(v, g->nforked, sizeof(*v), cmp_double);
	r->vmpte_min_kb = v[0];
	r->vmpte_max_kb = v[g->nforked - 1];
	r->vmpte_med_kb = g->nforked % 2 ? v[g->nforked / 2] :
		(v[g->nforked / 2 - 1] + v[g->nforked / 2]) / 2;
	free(v);
	return 0;
}

static void read_faults(int fd_min, int fd_maj, unsigned long long *mn,
			unsigned long long *mj)
{
	__u64 a = 0, b = 0;

	if (fd_min >= 0)
		perf_counter_read(fd_min, &a);
	if (fd_maj >= 0)
		perf_counter_read(fd_maj, &b);
	*mn = a;
	*mj = b;
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

/*
 * Run one mode: SGA_OK (results printed), SGA_UNAVAILABLE (the host cannot
 * give it its SGA now; reason in why, nothing printed) or SGA_FAILED (error
 * printed). Every path gives back children, memfd, hugepages and settings.
 */
static int run_mode(const struct config *c, enum sga_mode m, size_t sga, struct result *r,
		    char *why, size_t whylen)
{
	struct sga_map_spec spec = { 0 };
	struct touch_plan tp = c->touch;
	long long shmem0, huge_used0;
	void *resv = MAP_FAILED;
	size_t resv_len = 0;
	int fd_min = -1, fd_maj = -1, ret;
	unsigned long long mn1, mj1, mn2, mj2;
	uint64_t t0, t1, t1go, t2, t3;
	struct sga_trace tr = { 0 };
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
	shmem0 = meminfo_kb("Shmem");
	huge_used0 = meminfo_kb("HugePages_Total") - meminfo_kb("HugePages_Free");
	tp.inject_crash = injected(m, "crash");
	sga_inject_short_pool = injected(m, "reserve");
	ret = sga_backing_create(&cur_backing, m, sga, c->thp_force, why, whylen);
	if (ret != SGA_OK)
		return ret;
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
	/* Shared write faults never fault around: each 4 KiB page faults. */
	if (tp.write && sga_mode_uses_ptes(m))
		spec.fault_stride = PAGE_4K;

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
		} else {
			bench_note("%s: fault latency from clock_gettime-timed first touches: %s",
				   sga_mode_names[m], r->trace_why);
		}
	}

	r->pt0_kb = pagetables_kb();
	r->oth0_kb = others_vmpte_kb(NULL, 0);
	t0 = now_ns();
	if (sga_group_spawn(&cur_group, c->nprocs, &spec, &tp) < 0 ||
	    sga_group_wait_ready(&cur_group, c->timeout_s) < 0)
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
	read_faults(fd_min, fd_maj, &mn1, &mj1);
	t1go = now_ns();
	sga_group_go(&cur_group);
	if (sga_group_wait_ready(&cur_group, c->timeout_s) < 0)
		goto out;
	t2 = now_ns();
	/* Everyone is alive and paused: this is the steady state we report. */
	r->pt2_kb = pagetables_kb();
	r->oth2_kb = others_vmpte_kb(kids, cur_group.nforked);
	read_faults(fd_min, fd_maj, &mn2, &mj2);
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
	r->spawn_s = (t1 - t0) / 1e9;
	r->map_touch_s = (t2 - t1go) / 1e9;
	if (c->hold_s > 0) {
		/* Emit now, so whoever watches can check the paused children. */
		if (c->json)
			emit_json(c, r);
		print_summary(c->json ? stderr : stdout, c, r);
		fprintf(stderr, "sga-bench: holding %d children for %.1f s\n", c->nprocs, c->hold_s);
		t3 = now_ns() + (uint64_t)(c->hold_s * 1e9);
		while (!bench_stop && now_ns() < t3)
			usleep(50000);
		if (bench_stop) {
			bench_err("interrupted by signal %d; cleaning up", (int)bench_stop);
			goto out;
		}
	}
	t3 = now_ns();
	r->bad_exits = sga_group_release(&cur_group);
	r->teardown_s = (now_ns() - t3) / 1e9;
	if (r->bad_exits) {
		bench_err("%d children did not exit cleanly", r->bad_exits);
		goto out;
	}
	if (c->hold_s <= 0) {
		if (c->json)
			emit_json(c, r);
		print_summary(c->json ? stderr : stdout, c, r);
	}
	if (m == SGA_SHMEM)
		shmem_pt_physical = pt_physical_bytes(r);
	ret = SGA_OK;
out:
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

int main(int argc, char **argv)
{
	struct config c = { 0 };
	struct result r;
	char why[512], list[64];
	bool ran[SGA_NR_MODES] = { 0 }, failed[SGA_NR_MODES] = { 0 };
	int i, rc, st, nran = 0, nfailed = 0, nskipped = 0, asked = 0;
	size_t sga;

	bench_name = "sga-bench";
	rc = parse_args(argc, argv, &c);
	if (rc)
		return rc > 0 ? 0 : 2;
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
		why[0] = 0;
		sga = c.sga;
		if (!sga_mode_available(i, c.thp_force, why, sizeof(why)))
			st = SGA_UNAVAILABLE;
		else if (!(sga = check_fit(&c, i, c.sga, why, sizeof(why))))
			st = SGA_UNAVAILABLE;
		else
			st = run_mode(&c, i, sga, &r, why, sizeof(why));
		if (st == SGA_OK) {
			ran[i] = true;
			nran++;
		} else if (st == SGA_UNAVAILABLE && c.mode_all) {
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
