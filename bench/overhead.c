// SPDX-License-Identifier: GPL-2.0
/*
 * overhead: what the mmscope tracers cost in page-fault throughput.
 *
 * Runs a will-it-scale page_fault1-style loop (mmap 128 MiB anonymous,
 * write one byte per page, munmap; repeat for --seconds) with 1 and more
 * threads, under each tracer (a background `mmscope NAME` waited on until it
 * is attached), under all of them at once (`mmscope top --tracers LIST`,
 * which shares one fault bracket; --separate adds one mmscope process per
 * tracer), and with --floor under empty BPF programs on the same hooks (what
 * enabling the hooks costs before any tracer work).
 *
 * Every traced run is paired with an untraced run right next to it (order
 * alternating between repeats: ABBA), and the figure is the median of the
 * pair ratios, so a background burst hits one pair, not the result. The
 * throughput compared is faults per CPU-second of the faulting threads
 * (BPF programs run inside the fault, in those threads, so their cost is
 * in it; time spent waiting for a CPU behind other work is not); the
 * wall-clock ratio is printed beside it. The floor alternates much faster
 * (50 ms windows while the threads keep running, see run_floor_fine()),
 * unless --floor-pairs: where attaching is slow (fexit under QEMU
 * instruction counting waits for RCU-tasks grace periods at each detach) it
 * is measured in pairs of runs like the tracers.
 * Mean and stddev of the ratios are printed too, with the target (all
 * tracers together under 5% of fault throughput) as PASS/FAIL.
 *
 * --peer bpftrace measures, in the same interleaved pairs, the bpftrace
 * program a user would write for faultlat's histogram (PEER_BPFTRACE_PROG)
 * and prints mmscope's cost beside it (the goal: at most half of it). The
 * machine's own fault cost (ns of CPU per untraced fault) is printed with
 * every result: a ratio means little without it (a slow VM's 17 us fault
 * hides any tracer, a fast machine's 2 us fault shows the hooks' floor).
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
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <linux/perf_event.h>

#include "floor.skel.h"
#include "jsonout.h"
#include "opts.h"
#include "perfev.h"
#include "probe.h"
#include "ready.h"
#include "stats.h"
#include "util.h"

#define REGION (128UL << 20)
#define MAX_CFG 16
#define MAX_TRACERS 6
#define TARGET_COST 0.05
#define MAX_REP 200
#define MAX_THR 8

static double seconds = 0.5;
static int repeats = 20;
/* --mmscope, else the mmscope beside this binary (exe_path()) */
static const char *mmscope;
static char mmscope_buf[4096];
/* --mode for every tracer started (auto|precise|tracepoint) */
static const char *tracer_mode = "auto";
static char *tracers[MAX_TRACERS] = { "vmalock", "faultlat", "ptmem" };
static int ntracers = 3;
static int threads_list[MAX_THR] = { 1, 2 };
static int nthreads_list = 2;
static int separate;
static int floor_cfgs;
/* --floor-pairs: the floor measured like the tracers, pairs of separate runs */
static int floor_pairs;
static int fine_pairs = 200;
static int json;
static int verbose;
/* --peer bpftrace: the bpftrace binary, NULL when not measured */
static const char *peer_bpftrace;

/*
 * What a bpftrace user writes for faultlat's histogram in tracepoint mode:
 * start per thread at exceptions:page_fault_user, closed by the perf
 * software fault events that fire when the fault is accounted.
 */
#define PEER_BPFTRACE_PROG \
	"tracepoint:exceptions:page_fault_user { @start[tid] = nsecs; }\n" \
	"software:minor-faults:1, software:major-faults:1 /@start[tid]/ {\n" \
	"\t@ns = hist(nsecs - @start[tid]); delete(@start[tid]);\n}\n"
/* faults in the last peer run's histogram, and in that run's loops */
static unsigned long long peer_hist_count, peer_run_pages;

static volatile int stop_loop;

struct pf_slot {
	unsigned long pages;
	double cpu_s;		/* the thread's CPU time in the loop */
} __attribute__((aligned(64)));	/* no false sharing between threads */

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The page_fault1 loop until stop_loop: map 128 MiB, write a byte per page,
 * unmap. Returns the faults taken; *live (when not NULL) follows the count
 * as it goes, for a reader on another thread.
 */
static unsigned long fault_loop(volatile unsigned long *live)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long pages = 0;

	while (!stop_loop) {
		char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			break;
		/* one fault per page even where THP is "always" */
		madvise(p, REGION, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < REGION && !stop_loop; off += page) {
			p[off] = 1;
			pages++;
			if (live)
				*live = pages;
		}
		munmap(p, REGION);
	}
	return pages;
}

static void *pf_thread(void *arg)
{
	struct pf_slot *slot = arg;
	double c0 = thread_cpu_s();

	slot->pages = fault_loop(NULL);
	slot->cpu_s = thread_cpu_s() - c0;
	return NULL;
}

/* One run's figures. */
struct sample {
	double wall;	/* faults/s of all threads, wall clock */
	double cpu;	/* faults per CPU-second of the faulting threads */
	unsigned long long pages;	/* faults taken by the loop's threads */
};

/*
 * Run nthr threads for secs seconds. The CPU-time figure counts only time the
 * faulting threads ran (BPF programs run in them, inside the fault, so
 * their cost is in it) and leaves out time they waited for a CPU: on a
 * shared machine that is what keeps it steady.
 */
static struct sample run_loop(int nthr, double secs)
{
	pthread_t th[64];
	struct pf_slot slots[64];
	unsigned long total = 0;
	double t0 = wall_time(), t1, cpu = 0;
	struct sample r;

	memset(slots, 0, sizeof(slots));
	stop_loop = 0;
	for (int i = 0; i < nthr; i++)
		pthread_create(&th[i], NULL, pf_thread, &slots[i]);
	usleep((useconds_t)(secs * 1e6));
	stop_loop = 1;
	for (int i = 0; i < nthr; i++)
		pthread_join(th[i], NULL);
	t1 = wall_time();
	for (int i = 0; i < nthr; i++) {
		total += slots[i].pages;
		cpu += slots[i].cpu_s;
	}
	r.wall = total / (t1 - t0);
	r.cpu = cpu > 0 ? total / cpu : 0;
	r.pages = total;
	return r;
}

/* The modes the tracers said they trace in (their readiness lines). */
static char modes_seen[64];

static void note_mode(const char *m)
{
	if (!*m || strstr(modes_seen, m))
		return;
	snprintf(modes_seen + strlen(modes_seen), sizeof(modes_seen) - strlen(modes_seen),
		 "%s%s", modes_seen[0] ? "," : "", m);
}

/* A started tracer: its pid and the read end of its stderr. */
struct tracer_proc {
	pid_t pid;
	int err_fd;
};

/*
 * Start `mmscope ARGS...` and wait until it says it is attached (ready.h),
 * noting its mode when note (a single tracer; top lists several). Its
 * stderr stays on a pipe until stop_tracers (closed, the tracer's next
 * line would kill it with SIGPIPE) and is the error when it dies first.
 */
static int start_tracer(char *const argv[], bool note, struct tracer_proc *tp)
{
	int epfd[2], rdy[2];
	char buf[512] = "", mode[32];
	ssize_t len;
	int r;

	tp->pid = -1;
	tp->err_fd = -1;
	if (pipe2(epfd, O_CLOEXEC))
		return -1;
	if (ready_pipe(rdy)) {
		close(epfd[0]);
		close(epfd[1]);
		return -1;
	}
	tp->pid = fork();
	if (tp->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(epfd[1], 2);
		dup2(null, 1);
		ready_child_setup(rdy[1]);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(epfd[1]);
	close(rdy[1]);
	tp->err_fd = epfd[0];
	r = tp->pid > 0 ? ready_wait(rdy[0], READY_TIMEOUT_S, mode, sizeof(mode)) : -1;
	close(rdy[0]);
	if (r > 0) {
		if (note)
			note_mode(mode);
		return 0;
	}
	if (tp->pid > 0)
		kill(tp->pid, SIGKILL);
	fcntl(tp->err_fd, F_SETFL, O_NONBLOCK);
	len = read(tp->err_fd, buf, sizeof(buf) - 1);
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len > 0 ? len : 0] = '\0';
	if (r == 0)
		err_msg("overhead: %s did not start within %d s: %s", argv[1], READY_TIMEOUT_S, buf);
	else
		err_msg("overhead: %s did not start: %s", argv[1], buf);
	if (tp->pid > 0)
		waitpid(tp->pid, NULL, 0);
	close(tp->err_fd);
	tp->pid = tp->err_fd = -1;
	return -1;
}

static void stop_tracers(struct tracer_proc *tps, int n)
{
	for (int i = 0; i < n; i++)
		if (tps[i].pid > 0)
			kill(tps[i].pid, SIGINT);
	for (int i = 0; i < n; i++) {
		if (tps[i].pid > 0)
			waitpid(tps[i].pid, NULL, 0);
		if (tps[i].err_fd >= 0)
			close(tps[i].err_fd);
	}
}

/*
 * Start the peer bpftrace program with its JSON output in out_path and wait
 * (up to 120 s: it compiles the program first) for its attached_probes line.
 */
static pid_t start_peer(const char *out_path)
{
	pid_t pid = fork();
	double t0 = wall_time();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_WRONLY);

		dup2(out, 1);
		dup2(null, 2);	/* its RLIMIT_MEMLOCK warning */
		execl(peer_bpftrace, peer_bpftrace, "-f", "json", "-e", PEER_BPFTRACE_PROG,
		      (char *)NULL);
		_exit(127);
	}
	while (wall_time() - t0 < 120) {
		char buf[256] = "";
		FILE *f = fopen(out_path, "r");
		int status;

		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = 0;
			fclose(f);
		}
		if (strstr(buf, "attached_probes"))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			err_msg("overhead: %s exited before attaching (exit %d); try it by hand: %s -e '...'",
				peer_bpftrace, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				peer_bpftrace);
			return -1;
		}
		usleep(20000);
	}
	err_msg("overhead: %s did not attach within 120 s", peer_bpftrace);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* The number of faults in the histogram bpftrace printed as it exited. */
static long long peer_count(const char *out_path)
{
	FILE *f = fopen(out_path, "r");
	char *line = NULL;
	size_t cap = 0;
	long long count = -1;

	while (f && getline(&line, &cap, f) > 0) {
		struct json_object *o = json_tokener_parse(line), *data, *ns, *type;

		if (o && json_object_object_get_ex(o, "type", &type) &&
		    !strcmp(json_object_get_string(type), "hist") &&
		    json_object_object_get_ex(o, "data", &data) &&
		    json_object_object_get_ex(data, "@ns", &ns)) {
			count = 0;
			for (size_t i = 0; i < json_object_array_length(ns); i++) {
				struct json_object *b = json_object_array_get_idx(ns, i), *c;

				if (json_object_object_get_ex(b, "count", &c))
					count += json_object_get_int64(c);
			}
		}
		json_object_put(o);
	}
	free(line);
	if (f)
		fclose(f);
	return count;
}

/* What a configuration attaches while the loop runs. */
enum cfg_kind { CFG_TRACER, CFG_ALL_TOP, CFG_ALL_SEP, CFG_FLOOR, CFG_PEER };

/* Floor hooks, empty programs (bpf/floor.bpf.c). */
enum {
	FLOOR_TP = 1,	/* tracepoint exceptions:page_fault_user */
	FLOOR_RAW = 2,	/* raw_tp page_fault_user */
	FLOOR_PERF = 4,	/* perf sw minor-faults + major-faults, period 1 */
	FLOOR_FEXIT = 8,	/* fexit handle_mm_fault + lock_vma_under_rcu (precise) */
	FLOOR_DONE = 16,	/* raw_tp page_fault_done (patches/0004) */
};

struct cfg {
	enum cfg_kind kind;
	int tracer;		/* CFG_TRACER: index into tracers[] */
	int floor;		/* CFG_FLOOR: FLOOR_* mask */
	char name[48];		/* printed */
	char key[48];		/* JSON metric key part */
};

static struct cfg cfgs[MAX_CFG];
static int ncfg;
static struct floor_bpf *floor_skel;

static void add_cfg(enum cfg_kind kind, int tracer, int floor, const char *name,
		    const char *key)
{
	struct cfg *c = &cfgs[ncfg++];

	c->kind = kind;
	c->tracer = tracer;
	c->floor = floor;
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->key, sizeof(c->key), "%s", key);
}

static void floor_detach(struct bpf_link **links, int n, struct perf_links *pl)
{
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	for (int i = 0; i < 2; i++)
		perf_links_destroy(&pl[i]);
}

static int floor_attach(int mask, struct bpf_link **links, int *n,
			struct perf_links *pl)
{
	/* the hooks with one link per program, in attach order */
	const struct { int bit; struct bpf_program *prog; } hooks[] = {
		{ FLOOR_TP, floor_skel->progs.floor_tp_fault },
		{ FLOOR_RAW, floor_skel->progs.floor_raw_fault },
		{ FLOOR_DONE, floor_skel->progs.floor_raw_done },
		{ FLOOR_FEXIT, floor_skel->progs.floor_fexit_handle_mm_fault },
		{ FLOOR_FEXIT, floor_skel->progs.floor_fexit_lock_vma },
	};
	int err = 0;

	*n = 0;
	memset(pl, 0, 2 * sizeof(*pl));
	for (size_t i = 0; i < ARRAY_SIZE(hooks); i++) {
		if (!(mask & hooks[i].bit))
			continue;
		links[*n] = bpf_program__attach(hooks[i].prog);
		if (!links[*n])
			goto fail;
		(*n)++;
	}
	if (mask & FLOOR_PERF) {
		err = perf_sw_attach_all(floor_skel->progs.floor_perf,
					 PERF_COUNT_SW_PAGE_FAULTS_MIN, &pl[0]);
		if (!err)
			err = perf_sw_attach_all(floor_skel->progs.floor_perf,
						 PERF_COUNT_SW_PAGE_FAULTS_MAJ, &pl[1]);
		if (err) {
			errno = -err;
			goto fail;
		}
	}
	return 0;
fail:
	err_msg("overhead: cannot attach the floor programs: %s", strerror(errno));
	floor_detach(links, *n, pl);
	return -1;
}

/*
 * The floor, finely interleaved: the faulting threads run throughout while
 * this thread attaches and detaches the empty programs (cheap, in-process)
 * and measures each window in between: U T U T ... U, each traced window
 * compared with the mean of its two untraced neighbours. Windows of 50 ms
 * follow the machine's background far more closely than separate runs.
 */
#define FINE_WIN_S	0.05
#define FINE_SETTLE_US	5000
#define SETTLE_US	500000	/* before every measured run (settled_run) */

struct live_slot {
	volatile unsigned long pages;
} __attribute__((aligned(64)));

static void *pf_thread_live(void *arg)
{
	struct live_slot *slot = arg;

	fault_loop(&slot->pages);
	return NULL;
}

static double clock_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int floor_attach(int mask, struct bpf_link **links, int *n,
			struct perf_links *pl);
static void floor_detach(struct bpf_link **links, int n, struct perf_links *pl);

/* ratios[npairs]: traced window / mean of its untraced neighbours (CPU). */
static int run_floor_fine(const struct cfg *c, int nthr, int npairs, double *ratios,
			  double *u_rate, double *t_rate)
{
	pthread_t th[64];
	static struct live_slot slots[64];
	clockid_t clk[64];
	struct bpf_link *links[4];
	struct perf_links pl[2];
	double rate[2 * MAX_REP + 1];
	int nl = 0, err = 0, nwin = 2 * npairs + 1;

	memset(slots, 0, sizeof(slots));
	stop_loop = 0;
	for (int i = 0; i < nthr; i++) {
		pthread_create(&th[i], NULL, pf_thread_live, &slots[i]);
		pthread_getcpuclockid(th[i], &clk[i]);
	}
	usleep(100000);
	for (int w = 0; w < nwin && !err; w++) {
		unsigned long p0 = 0, p1 = 0;
		double c0 = 0, c1 = 0;

		if (w & 1)
			err = floor_attach(c->floor, links, &nl, pl);
		usleep(FINE_SETTLE_US);
		for (int i = 0; i < nthr; i++) {
			p0 += slots[i].pages;
			c0 += clock_s(clk[i]);
		}
		usleep((useconds_t)(FINE_WIN_S * 1e6));
		for (int i = 0; i < nthr; i++) {
			p1 += slots[i].pages;
			c1 += clock_s(clk[i]);
		}
		if (w & 1 && !err)
			floor_detach(links, nl, pl);
		rate[w] = c1 > c0 ? (p1 - p0) / (c1 - c0) : 0;
	}
	stop_loop = 1;
	for (int i = 0; i < nthr; i++)
		pthread_join(th[i], NULL);
	if (err)
		return -1;
	*u_rate = *t_rate = 0;
	for (int k = 0; k < npairs; k++) {
		double u = (rate[2 * k] + rate[2 * k + 2]) / 2;

		ratios[k] = u > 0 ? rate[2 * k + 1] / u : 0;
		*u_rate += u / npairs;
		*t_rate += rate[2 * k + 1] / npairs;
	}
	return 0;
}

/*
 * A measured run, after a pause and an unmeasured warm-up loop. Without
 * them the untraced run right after a traced one (the tracer just exited)
 * was 2.3% slower in the guest than one after an untraced run, and the
 * pair ratios swung 0.95/0.97 between ABBA orders (instructions charged to
 * the loop's threads by the teardown of the last tracer, and allocator
 * state left by it). Every run, traced or not, starts the same way.
 */
static struct sample settled_run(int nthr)
{
	usleep(SETTLE_US);
	run_loop(nthr, seconds / 4);
	return run_loop(nthr, seconds);
}

/* Run the loop once under configuration c (NULL: untraced). */
static int run_cfg(const struct cfg *c, int nthr, struct sample *out)
{
	struct tracer_proc tps[MAX_TRACERS];
	struct bpf_link *links[4];
	struct perf_links pl[2];
	int n = 0, nl = 0;
	char dur[32], list[256] = "", peer_out[64] = "";

	snprintf(dur, sizeof(dur), "%.0f", seconds * 4 + 30);
	for (int i = 0; i < ntracers; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? "," : "", tracers[i]);
	if (!c) {
		*out = settled_run(nthr);
		return 0;
	}
	switch (c->kind) {
	case CFG_TRACER: {
		char *argv[] = { (char *)mmscope, tracers[c->tracer], "--duration", dur,
				 "--interval", "3600",
				 "--mode", (char *)tracer_mode, NULL };
		if (start_tracer(argv, true, &tps[n++]))
			return -1;
		break;
	}
	case CFG_ALL_TOP: {
		char *argv[] = { (char *)mmscope, "top", "--tracers", list, "--duration",
				 dur, "--interval", "3600",
				 "--mode", (char *)tracer_mode, NULL };
		if (start_tracer(argv, false, &tps[n++]))
			return -1;
		break;
	}
	case CFG_ALL_SEP:
		for (int i = 0; i < ntracers; i++) {
			char *argv[] = { (char *)mmscope, tracers[i], "--duration", dur,
					 "--interval", "3600",
				 "--mode", (char *)tracer_mode, NULL };
			if (start_tracer(argv, true, &tps[n++])) {
				stop_tracers(tps, n - 1);
				return -1;
			}
		}
		break;
	case CFG_FLOOR:
		if (floor_attach(c->floor, links, &nl, pl))
			return -1;
		break;
	case CFG_PEER:
		snprintf(peer_out, sizeof(peer_out), "/tmp/mmscope-overhead-peer.%d", (int)getpid());
		tps[n].err_fd = -1;
		if ((tps[n++].pid = start_peer(peer_out)) < 0) {
			unlink(peer_out);
			return -1;
		}
		break;
	}
	*out = settled_run(nthr);
	if (c->kind == CFG_FLOOR)
		floor_detach(links, nl, pl);
	stop_tracers(tps, n);
	if (c->kind == CFG_PEER) {
		long long count = peer_count(peer_out);

		unlink(peer_out);
		if (count < 0) {
			err_msg("overhead: %s printed no histogram", peer_bpftrace);
			return -1;
		}
		peer_hist_count = count;
		peer_run_pages = out->pages;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: overhead [options]\n"
"  --seconds S        length of each run (default 0.5)\n"
"  --repeats N        traced/untraced pairs per configuration (default 20)\n"
"  --threads LIST     thread counts, e.g. 1,2 (default 1,2)\n"
"  --tracers LIST     mmscope tracers (default vmalock,faultlat,ptmem); 'all' is\n"
"                     `mmscope top --tracers LIST` (one process, shared bracket)\n"
"  --separate         also 'all (separate)': one mmscope process per tracer\n"
"  --floor            also empty BPF programs on the bracket's hooks (the floor)\n"
"  --floor-pairs      measure the floor in pairs of runs like the tracers, not in\n"
"                     50 ms windows (where attaching and detaching is slow)\n"
"  --mmscope PATH     mmscope binary (default: mmscope in this binary's directory)\n"
"  --mode MODE        the tracers' --mode: auto (default), precise, tracepoint\n"
"  --json             one result document (docs/json-schema.md)\n"
"  --verbose          every pair on stderr as it is measured\n"
"  --peer bpftrace    also the bpftrace program a user would write for faultlat's\n"
"                     histogram, in the same pairs; prints mmscope's cost beside it\n"
"Each figure is the median of the ratios traced/untraced of pairs of runs made\n"
"next to each other, in faults per CPU-second of the faulting threads (time\n"
"spent waiting for a CPU left out; the wall-clock ratio is printed beside it);\n"
"every run starts after a 0.5 s pause and an unmeasured quarter-length warm-up;\n"
"target: 'all' costs under %.0f%% of fault throughput.\n",
		TARGET_COST * 100);
}

/* --threads "1,2": counts 1..64, each once; -1 on anything else. */
static int parse_threads(const char *arg, int *out, int max)
{
	char buf[256], why[128], *names[MAX_THR];
	int n = parse_name_list(arg, buf, sizeof(buf), names, max, why, sizeof(why));

	for (int i = 0; i < n; i++) {
		long v;

		if (parse_long(names[i], 1, 64, &v) < 0)
			return -1;
		out[i] = (int)v;
	}
	return n;
}

static const char *const known_tracers[] = { "vmalock", "faultlat", "ptmem", "ptshare" };

/* --tracers "vmalock,ptmem": known tracers, each once; prints the error. */
static int parse_tracers(const char *arg)
{
	static char buf[256];
	char why[128];
	int n = parse_name_list(arg, buf, sizeof(buf), tracers, MAX_TRACERS, why, sizeof(why));

	if (n < 0) {
		err_msg("overhead: --tracers '%s': %s", arg, why);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(known_tracers); k++)
			if (!strcmp(tracers[i], known_tracers[k]))
				break;
		if (k == ARRAY_SIZE(known_tracers)) {
			err_msg("overhead: --tracers: unknown tracer '%s' (vmalock, faultlat, ptmem, ptshare)",
				tracers[i]);
			return -1;
		}
	}
	ntracers = n;
	return 0;
}

/*
 * Everything measured: per [threads][cfg][repeat] the untraced and traced
 * run of each pair and their ratios; per [threads][cfg] the median ratio and
 * ns of CPU per untraced fault, which the report reads.
 */
static struct {
	struct sample base[MAX_THR][MAX_CFG][MAX_REP], traced[MAX_THR][MAX_CFG][MAX_REP];
	double ratio[MAX_THR][MAX_CFG][MAX_REP], wratio[MAX_THR][MAX_CFG][MAX_REP];
	double fine_ratio[MAX_THR][MAX_CFG][MAX_REP];
	double med[MAX_THR][MAX_CFG], fault_ns[MAX_THR][MAX_CFG];
} res;
/* the configuration the target is judged on ('all'), and the peer's; -1: none */
static int all_cfg = -1, peer_cfg = -1;

/* The index of the configuration measuring tracer NAME alone, or -1. */
static int tracer_cfg(const char *name)
{
	for (int ci = 0; ci < ncfg; ci++)
		if (cfgs[ci].kind == CFG_TRACER && !strcmp(tracers[cfgs[ci].tracer], name))
			return ci;
	return -1;
}

/*
 * After the table: what an untraced fault costs on this machine, and with
 * --peer, mmscope's cost beside the peer's (the goal: at most half of it),
 * per thread count. faultlat is the like-for-like figure (the peer builds the
 * same histogram); 'all' is printed beside it.
 */
static void report_machine_and_peer(struct json_object *doc)
{
	const double (*med)[MAX_CFG] = res.med, (*fault_ns)[MAX_CFG] = res.fault_ns;

	int faultlat_cfg = tracer_cfg("faultlat");
	struct json_object *peer = NULL;

	if (doc) {
		json_object_object_add(doc, "untraced_ns_per_fault",
				       json_object_new_double(fault_ns[0][0]));
		doc_metric(doc, "untraced_ns_per_fault", fault_ns[0][0]);
	} else {
		printf("this machine: an untraced fault costs %.0f ns of CPU (%d thread%s)\n",
		       fault_ns[0][0], threads_list[0], threads_list[0] > 1 ? "s" : "");
	}
	if (peer_cfg < 0)
		return;
	if (doc) {
		peer = json_object_new_object();
		json_object_object_add(peer, "tool", json_object_new_string("bpftrace"));
		json_object_object_add(peer, "program", json_object_new_string(PEER_BPFTRACE_PROG));
		json_object_object_add(peer, "last_run_histogram_faults",
				       json_object_new_int64((int64_t)peer_hist_count));
		json_object_object_add(peer, "last_run_loop_faults",
				       json_object_new_int64((int64_t)peer_run_pages));
		json_object_object_add(doc, "peer", peer);
	} else {
		printf("peer: bpftrace, the same histogram:\n%s", PEER_BPFTRACE_PROG);
	}
	for (int ti = 0; ti < nthreads_list; ti++) {
		double peer_cost = 1 - med[ti][peer_cfg];
		const struct { const char *name; int ci; } ours[] = {
			{ "faultlat", faultlat_cfg }, { "all", all_cfg },
		};

		for (size_t k = 0; k < ARRAY_SIZE(ours); k++) {
			double cost, share;
			char key[96];

			if (ours[k].ci < 0 || (k == 1 && ours[k].ci == faultlat_cfg))
				continue;
			cost = 1 - med[ti][ours[k].ci];
			/* a peer within the noise of zero cost leaves no share to state */
			share = peer_cost > 0.005 ? cost / peer_cost : NAN;
			if (doc) {
				snprintf(key, sizeof(key), "%s_vs_peer_%dt", ours[k].name, threads_list[ti]);
				json_object_object_add(peer, key, json_object_new_double(share));
				doc_metric(doc, key, share);
			} else {
				char sh[16] = "n/a";

				if (!isnan(share))
					snprintf(sh, sizeof(sh), "%.2f", share);
				printf("%dt: %s costs %.1f%%, bpftrace %.1f%%: %s of bpftrace's cost "
				       "(goal <= 0.5): %s\n", threads_list[ti], ours[k].name, cost * 100,
				       peer_cost * 100, sh,
				       isnan(share) ? "n/a" : share <= 0.5 ? "PASS" : "FAIL");
			}
		}
	}
}

/* Options into the globals above: 0 to go on, 1 after --help, 2 after an error. */
static int parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "tracers", required_argument, NULL, 'T' },
		{ "mmscope", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "separate", no_argument, NULL, 'S' },
		{ "floor", no_argument, NULL, 'f' },
		{ "floor-pairs", no_argument, NULL, 'F' },
		{ "peer", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL }
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		long v;

		switch (c) {
		case 's':
			seconds = parse_seconds(optarg);
			if (!(seconds >= 0.01 && seconds <= 3600)) {
				err_msg("overhead: --seconds '%s' must be a time from 10ms to 1h", optarg);
				return 2;
			}
			break;
		case 'r':
			if (parse_long(optarg, 1, MAX_REP, &v) < 0) {
				err_msg("overhead: --repeats '%s' must be a whole number from 1 to %d",
					optarg, MAX_REP);
				return 2;
			}
			repeats = (int)v;
			break;
		case 't':
			nthreads_list = parse_threads(optarg, threads_list, MAX_THR);
			if (nthreads_list < 1) {
				err_msg("overhead: --threads '%s' must be up to %d different thread counts "
					"from 1 to 64, comma-separated", optarg, MAX_THR);
				return 2;
			}
			break;
		case 'T':
			if (parse_tracers(optarg) < 0)
				return 2;
			break;
		case 'm':
			if (!*optarg) {
				err_msg("overhead: --mmscope needs a path");
				return 2;
			}
			mmscope = optarg;
			break;
		case 'M':
			if (strcmp(optarg, "auto") && strcmp(optarg, "precise") &&
			    strcmp(optarg, "tracepoint")) {
				err_msg("overhead: --mode must be auto, precise or tracepoint, not '%s'",
					optarg);
				return 2;
			}
			tracer_mode = optarg;
			break;
		case 'P':
			if (strcmp(optarg, "bpftrace")) {
				err_msg("overhead: --peer must be bpftrace, not '%s'", optarg);
				return 2;
			}
			peer_bpftrace = "bpftrace";
			break;
		case 'S': separate = 1; break;
		case 'f': floor_cfgs = 1; break;
		case 'F': floor_cfgs = floor_pairs = 1; break;
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 1;
		case ':':
			err_msg("overhead: option '%s' needs a value (see --help)", argv[optind - 1]);
			return 2;
		default:
			err_msg("overhead: unknown option '%s' (see --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		err_msg("overhead: unexpected argument '%s' (see --help)", argv[optind]);
		return 2;
	}
	return 0;
}

/* What must hold before anything runs: mmscope, root, bpftrace, memory. 0 or -1. */
static int preflight(void)
{
	long long avail;
	int maxthr = 0;

	if (!mmscope) {
		if (exe_path("mmscope", mmscope_buf, sizeof(mmscope_buf))) {
			err_msg("overhead: cannot find mmscope beside this binary (/proc/self/exe "
				"unreadable); pass --mmscope PATH");
			return -1;
		}
		mmscope = mmscope_buf;
	}
	if (access(mmscope, X_OK)) {
		err_msg("overhead: %s: %s (build it or pass --mmscope)", mmscope, strerror(errno));
		return -1;
	}
	if (geteuid() != 0) {
		err_msg("overhead: the tracers need root");
		return -1;
	}
	if (peer_bpftrace && !(peer_bpftrace = path_lookup("bpftrace"))) {
		err_msg("overhead: --peer bpftrace: bpftrace is not installed (apt-get install bpftrace)");
		return -1;
	}
	for (int i = 0; i < nthreads_list; i++)
		if (threads_list[i] > maxthr)
			maxthr = threads_list[i];
	/* each thread keeps up to 128 MiB faulted in */
	avail = meminfo_kb("MemAvailable");
	if (avail > 0 && (unsigned long long)maxthr * (REGION >> 10) > (unsigned long long)avail / 2) {
		err_msg("overhead: %d threads need %d MiB, more than half of MemAvailable (%lld MiB)",
			maxthr, maxthr * 128, avail >> 10);
		return -1;
	}
	return 0;
}

/* The configurations to measure (cfgs[]), the floor programs loaded; 0 or -1. */
static int plan(void)
{
	bool precise = !strcmp(tracer_mode, "precise");

	for (int i = 0; i < ntracers; i++)
		add_cfg(CFG_TRACER, i, 0, tracers[i], tracers[i]);
	if (ntracers > 1) {
		all_cfg = ncfg;
		add_cfg(CFG_ALL_TOP, 0, 0, "all (mmscope top)", "all");
		if (separate)
			add_cfg(CFG_ALL_SEP, 0, 0, "all (separate)", "all_separate");
	} else {
		all_cfg = 0;
	}
	if (peer_bpftrace) {
		peer_cfg = ncfg;
		add_cfg(CFG_PEER, 0, 0, "bpftrace (peer)", "peer_bpftrace");
	}
	if (!floor_cfgs)
		return 0;
	floor_skel = floor_bpf__open();
	if (floor_skel && !precise) {
		bpf_program__set_autoload(floor_skel->progs.floor_fexit_handle_mm_fault, false);
		bpf_program__set_autoload(floor_skel->progs.floor_fexit_lock_vma, false);
	}
	if (!floor_skel || floor_bpf__load(floor_skel)) {
		err_msg("overhead: cannot load the floor programs%s: %s",
			precise ? " (fexit: --mode precise)" : "", strerror(errno));
		return -1;
	}
	if (precise) {	/* the hooks precise mode runs on every fault */
		add_cfg(CFG_FLOOR, 0, FLOOR_FEXIT, "floor fexit", "floor_fexit");
		add_cfg(CFG_FLOOR, 0, FLOOR_RAW | FLOOR_FEXIT, "floor raw_tp+fexit",
			"floor_raw_fexit");
	}
	/* the hook vmalock and faultlat use where the kernel has it */
	if (probe_tracepoint("exceptions", "page_fault_done"))
		add_cfg(CFG_FLOOR, 0, FLOOR_DONE, "floor page_fault_done", "floor_done");
	add_cfg(CFG_FLOOR, 0, FLOOR_TP | FLOOR_PERF, "floor tp+perf", "floor_tp_perf");
	add_cfg(CFG_FLOOR, 0, FLOOR_RAW | FLOOR_PERF, "floor raw_tp+perf", "floor_raw_perf");
	add_cfg(CFG_FLOOR, 0, FLOOR_PERF, "floor perf", "floor_perf");
	add_cfg(CFG_FLOOR, 0, FLOOR_TP, "floor tp", "floor_tp");
	add_cfg(CFG_FLOOR, 0, FLOOR_RAW, "floor raw_tp", "floor_raw");
	return 0;
}

/* Every configuration at every thread count, into res; 0 or -1. */
static int measure(void)
{
	/* the floor in fine windows first: all its "pairs" come from one run */
	for (int ti = 0; ti < nthreads_list; ti++)
		for (int ci = 0; ci < ncfg; ci++) {
			double u, t;

			if (cfgs[ci].kind != CFG_FLOOR || floor_pairs)
				continue;
			if (run_floor_fine(&cfgs[ci], threads_list[ti], fine_pairs,
					   res.fine_ratio[ti][ci], &u, &t))
				return -1;
			for (int r = 0; r < repeats; r++) {
				res.base[ti][ci][r].cpu = res.base[ti][ci][r].wall = u;
				res.traced[ti][ci][r].cpu = res.traced[ti][ci][r].wall = t;
			}
			if (verbose)
				fprintf(stderr, "%dt %-20s %d windows of %.0f ms: %.0f/%.0f\n",
					threads_list[ti], cfgs[ci].name, fine_pairs,
					FINE_WIN_S * 1e3, t, u);
		}
	for (int ti = 0; ti < nthreads_list; ti++)
		for (int r = 0; r < repeats; r++)
			for (int ci = 0; ci < ncfg; ci++) {
				int nthr = threads_list[ti];
				bool traced_first;
				struct sample *b, *t;

				if (cfgs[ci].kind == CFG_FLOOR && !floor_pairs)
					continue;
				/* ABBA: alternate which run of the pair goes first */
				traced_first = (r + ci) & 1;
				b = &res.base[ti][ci][r];
				t = &res.traced[ti][ci][r];
				if ((traced_first && run_cfg(&cfgs[ci], nthr, t)) ||
				    run_cfg(NULL, nthr, b) ||
				    (!traced_first && run_cfg(&cfgs[ci], nthr, t)))
					return -1;
				res.ratio[ti][ci][r] = b->cpu > 0 ? t->cpu / b->cpu : 0;
				res.wratio[ti][ci][r] = b->wall > 0 ? t->wall / b->wall : 0;
				if (verbose)
					fprintf(stderr, "%dt %-20s pair %d: cpu %.0f/%.0f = %.3f, wall %.0f/%.0f = %.3f\n",
						nthr, cfgs[ci].name, r, t->cpu, b->cpu,
						res.ratio[ti][ci][r], t->wall, b->wall,
						res.wratio[ti][ci][r]);
			}
	return 0;
}

/* One configuration's row at one thread count, as text or into rows (JSON). */
static void report_row(int ti, int ci, struct json_object *doc, struct json_object *rows)
{
	struct sample_stats rs, ws, bs, ts, bw, tw;
	double v[4][MAX_REP];
	char key[96];

	for (int r = 0; r < repeats; r++) {
		v[0][r] = res.base[ti][ci][r].cpu;
		v[1][r] = res.traced[ti][ci][r].cpu;
		v[2][r] = res.base[ti][ci][r].wall;
		v[3][r] = res.traced[ti][ci][r].wall;
	}
	if (cfgs[ci].kind == CFG_FLOOR && !floor_pairs) {	/* no wall figure */
		stats_describe(res.fine_ratio[ti][ci], fine_pairs, &rs);
		ws = rs;
	} else {
		stats_describe(res.ratio[ti][ci], repeats, &rs);
		stats_describe(res.wratio[ti][ci], repeats, &ws);
	}
	stats_describe(v[0], repeats, &bs);
	stats_describe(v[1], repeats, &ts);
	stats_describe(v[2], repeats, &bw);
	stats_describe(v[3], repeats, &tw);
	res.med[ti][ci] = rs.median;
	res.fault_ns[ti][ci] = bs.mean > 0 ? 1e9 / bs.mean : 0;
	if (doc) {
		struct json_object *o = json_object_new_object();
		struct json_object *a = json_object_new_array(), *bb = json_object_new_array();
		struct json_object *rr = json_object_new_array();

		json_object_object_add(o, "threads", json_object_new_int(threads_list[ti]));
		json_object_object_add(o, "config", json_object_new_string(cfgs[ci].name));
		json_object_object_add(o, "faults_per_s_mean", json_object_new_double(tw.mean));
		json_object_object_add(o, "faults_per_s_stddev", json_object_new_double(tw.sd));
		json_object_object_add(o, "untraced_faults_per_s_mean",
				       json_object_new_double(bw.mean));
		json_object_object_add(o, "faults_per_cpu_s_mean", json_object_new_double(ts.mean));
		json_object_object_add(o, "untraced_faults_per_cpu_s_mean",
				       json_object_new_double(bs.mean));
		json_object_object_add(o, "ratio", json_object_new_double(rs.median));
		json_object_object_add(o, "ratio_mean", json_object_new_double(rs.mean));
		json_object_object_add(o, "ratio_stddev", json_object_new_double(rs.sd));
		json_object_object_add(o, "wall_ratio", json_object_new_double(ws.median));
		json_object_object_add(o, "untraced_ns_per_fault",
				       json_object_new_double(res.fault_ns[ti][ci]));
		for (int r = 0; r < repeats; r++) {
			json_object_array_add(a, json_object_new_double(v[3][r]));
			json_object_array_add(bb, json_object_new_double(v[2][r]));
			json_object_array_add(rr, json_object_new_double(res.ratio[ti][ci][r]));
		}
		json_object_object_add(o, "samples", a);
		json_object_object_add(o, "untraced_samples", bb);
		json_object_object_add(o, "ratios", rr);
		json_object_array_add(rows, o);
		snprintf(key, sizeof(key), "ratio_%s_%dt", cfgs[ci].key, threads_list[ti]);
		doc_metric(doc, key, rs.median);
	} else {
		char ms[32];

		snprintf(ms, sizeof(ms), "%.3f ± %.3f", rs.mean, rs.sd);
		printf("%-7d %-20s %11.0f %11.0f %7.3f %15s %5.1f%% %7.3f%s\n", threads_list[ti],
		       cfgs[ci].name, bs.mean, ts.mean, rs.median, ms,
		       (1 - rs.median) * 100, ws.median,
		       ci == all_cfg ? (1 - rs.median < TARGET_COST ? "  PASS" : "  FAIL") : "");
	}
}

/* The table (or the JSON document), the machine and peer lines, the target. */
static void report(void)
{
	struct json_object *doc = NULL, *rows = NULL;
	bool failed = false;

	if (json) {
		doc = doc_new("overhead", "result", "page_fault1");
		doc_add_host(doc);
		rows = json_object_new_array();
	} else {
		printf("page_fault1 (128 MiB anon, 1 byte/page), %.1fs runs, %d traced/untraced pairs per figure\n"
		       "ratio = traced/untraced faults per CPU-second of the faulting threads, per pair:\n"
		       "median (mean ± stddev) over the pairs; wall = the same with wall-clock faults/s\n",
		       seconds, repeats);
		printf("%-7s %-20s %11s %11s %7s %15s %6s %7s\n", "threads", "config",
		       "untraced", "traced", "ratio", "mean ± sd", "cost%", "wall");
	}
	for (int ti = 0; ti < nthreads_list; ti++)
		for (int ci = 0; ci < ncfg; ci++) {
			report_row(ti, ci, doc, rows);
			if (ci == all_cfg && 1 - res.med[ti][ci] >= TARGET_COST)
				failed = true;
		}
	report_machine_and_peer(doc);
	if (json) {
		json_object_object_add(doc, "interval_s", json_object_new_double(seconds));
		json_object_object_add(doc, "mode", json_object_new_string(modes_seen));
		json_object_object_add(doc, "target_cost", json_object_new_double(TARGET_COST));
		json_object_object_add(doc, "target_met", json_object_new_boolean(!failed));
		json_object_object_add(doc, "rows", rows);
		doc_emit(doc);
	} else {
		printf("tracers ran in %s mode\n", modes_seen[0] ? modes_seen : "no");
		printf("target: all tracers together (%s) cost < %.0f%% of fault throughput: %s\n",
		       cfgs[all_cfg].name, TARGET_COST * 100, failed ? "FAIL" : "PASS");
	}
}

int main(int argc, char **argv)
{
	int rc = parse_args(argc, argv);

	if (rc)
		return rc == 1 ? 0 : rc;
	if (preflight() || plan())
		return 1;
	signal(SIGPIPE, SIG_IGN);
	if (measure())
		return 1;
	report();
	floor_bpf__destroy(floor_skel);
	return 0;
}
