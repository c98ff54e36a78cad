// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/types.h>

#include "common.h"
#include "perfev.h"
#include "util.h"
#include "sga/children.h"
#include "sga/kstat.h"
#include "sga/progress.h"

const char *const sga_phase_names[PH_NR] = {
	"idle", "populate", "spawn", "start", "map+touch", "measure", "hold", "teardown",
};

#define TICK_US 200000

static struct {
	struct sga_progress_cfg cfg;
	pthread_t th;
	bool running;
	volatile bool quit;
	pthread_mutex_t mu;	/* everything below; the thread holds it to read slots */
	struct sga_group *g;
	char label[48];
	int nprocs;
	double pred[PH_NR];
	bool have_pred;
	double pred_after;
	enum sga_phase phase;
	long long total;
	unsigned long long seq;	/* phase changes: progress too */
	uint64_t run_t0, phase_t0;
	long long units;	/* parent-side work in the phase */
	int perf_fd;
	/* watchdog */
	unsigned long long last_key;
	uint64_t last_change;
	struct sga_kstat ks_change;
	uint64_t ks_t;
	/* display */
	unsigned long long faults_prev;
	uint64_t faults_t;
	double fps;
	uint64_t last_print;
	bool drawn;
	char where[96];
} P = { .mu = PTHREAD_MUTEX_INITIALIZER, .perf_fd = -1 };

struct counts {
	int spawned, ready, mapped, touched, exited;
	long long pages, unmapped;
};

static void count_children(struct counts *c)
{
	struct sga_group *g = P.g;

	memset(c, 0, sizeof(*c));
	if (!g || !g->slots)
		return;
	c->spawned = g->nforked;
	c->exited = g->nreaped;
	for (int i = 0; i < c->spawned; i++) {
		const struct child_slot *s = &g->slots[i];
		int st = s->stage;

		c->ready += st >= CS_READY;
		c->mapped += st >= CS_MAPPED;
		c->touched += st >= CS_TOUCHED;
		c->pages += s->pages_done;
		c->unmapped += s->unmapped_bytes;
	}
}

static void fmt_dur(double s, char *buf, size_t len)
{
	long v = (long)(s + 0.5);

	if (v < 60)
		snprintf(buf, len, "%lds", v);
	else if (v < 3600)
		snprintf(buf, len, "%ldm%02lds", v / 60, v % 60);
	else
		snprintf(buf, len, "%ldh%02ldm", v / 3600, v % 3600 / 60);
}

/* done/total of the phase's own unit (pages, bytes, children); -1: none. */
static double phase_fraction(const struct counts *c)
{
	long long done;

	switch (P.phase) {
	case PH_POPULATE:
		done = P.units;
		break;
	case PH_SPAWN:
		return P.nprocs ? (double)c->spawned / P.nprocs : -1;
	case PH_READY:
		return P.nprocs ? (double)c->ready / P.nprocs : -1;
	case PH_MAP_TOUCH:
		done = c->pages;
		break;
	case PH_TEARDOWN:
		done = c->unmapped;
		break;
	default:
		return -1;
	}
	return P.total > 0 ? (double)done / P.total : -1;
}

/* Seconds left in the run: live rate of this phase + the plan for the rest. */
static double eta(const struct counts *c, uint64_t now, bool *whole_run)
{
	double f = phase_fraction(c), in_phase = (now - P.phase_t0) / 1e9, left = -1, rest = 0;

	if (f > 0.001 && in_phase > 1)
		left = in_phase * (1 - f) / f;
	*whole_run = P.have_pred;
	if (!P.have_pred)
		return left;
	if (left < 0) {
		left = P.pred[P.phase] - in_phase;
		if (left < 0)
			left = 0;
	}
	for (int ph = P.phase + 1; ph < PH_NR; ph++)
		rest += P.pred[ph];
	return left + rest + P.pred_after;
}

static void format_line(char *buf, size_t len, const struct counts *c, uint64_t now)
{
	char el[32], et[32];
	bool whole;
	double e = eta(c, now, &whole), f = phase_fraction(c);
	int n;

	fmt_dur((now - P.run_t0) / 1e9, el, sizeof(el));
	if (P.phase == PH_POPULATE)
		n = snprintf(buf, len, "%s: progress: %s populate: %s of %s written", bench_name,
			     P.label, fmt_bytes(P.units), fmt_bytes(P.total));
	else {
		n = snprintf(buf, len, "%s: progress: %s %s: spawned %d/%d, mapped %d/%d, "
			     "touched %d/%d", bench_name, P.label, sga_phase_names[P.phase],
			     c->spawned, P.nprocs, c->mapped, P.nprocs, c->touched, P.nprocs);
		if (P.phase == PH_MAP_TOUCH && f >= 0 && n > 0 && (size_t)n < len)
			n += snprintf(buf + n, len - n, " (%.0f%% of pages)", 100 * f);
		if (P.phase == PH_TEARDOWN && n > 0 && (size_t)n < len)
			n += snprintf(buf + n, len - n, ", unmapped %.0f%%, exited %d/%d",
				      f >= 0 ? 100 * f : 0, c->exited, P.nprocs);
		if (P.phase == PH_MAP_TOUCH && P.perf_fd >= 0 && n > 0 && (size_t)n < len)
			n += snprintf(buf + n, len - n, ", %.0f faults/s", P.fps);
	}
	if (n < 0 || (size_t)n >= len)
		return;
	n += snprintf(buf + n, len - n, ", elapsed %s", el);
	if (e >= 0 && n > 0 && (size_t)n < len) {
		fmt_dur(e, et, sizeof(et));
		snprintf(buf + n, len - n, ", ETA %s%s", et, whole ? "" : " (this phase)");
	}
}

/* Children per state letter of /proc/PID/stat (D: uninterruptible, T: stopped). */
static void child_states(int *d, int *t, int *r)
{
	struct sga_group *g = P.g;
	char path[64], buf[256], *p;
	FILE *f;

	*d = *t = *r = 0;
	if (!g || !g->pids)
		return;
	for (int i = 0; i < g->nforked; i++) {
		if (g->pids[i] <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)g->pids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (!p || !p[1] || !p[2])
			continue;
		*d += p[2] == 'D';
		*t += p[2] == 'T' || p[2] == 't';
		*r += p[2] == 'R';
	}
}

static void trip(const struct counts *c, uint64_t now)
{
	struct sga_kstat ks, d;
	char kbuf[512];
	int nd, nt, nr;
	double quiet = (now - P.last_change) / 1e9;

	child_states(&nd, &nt, &nr);
	sga_kstat_read(&ks);
	sga_kstat_delta(&P.ks_change, &ks, &d);
	sga_kstat_format(&d, kbuf, sizeof(kbuf));
	snprintf(P.where, sizeof(P.where), "%s %s", P.label, sga_phase_names[P.phase]);
	if (P.drawn)
		fputs("\r\033[K", stderr);
	P.drawn = false;
	fprintf(stderr, "%s: watchdog: no progress for %.0f s in %s (spawned %d/%d, mapped %d/%d, "
		"touched %d/%d, exited %d/%d)\n", bench_name, quiet, P.where, c->spawned, P.nprocs,
		c->mapped, P.nprocs, c->touched, P.nprocs, c->exited, P.nprocs);
	fprintf(stderr, "%s: watchdog: children: %d in D state (uninterruptible, in the kernel), "
		"%d stopped, %d running\n", bench_name, nd, nt, nr);
	fprintf(stderr, "%s: watchdog: kernel over the last %.0f s: %s\n", bench_name,
		(now - P.ks_t) / 1e9, kbuf);
	fprintf(stderr, "%s: watchdog: stopping the run (finished modes were printed)\n",
		bench_name);
	fflush(stderr);
	bench_stop = SGA_STOP_WATCHDOG;
}

static bool watched(enum sga_phase ph)
{
	return ph != PH_IDLE && ph != PH_HOLD;
}

static void *thread_main(void *arg)
{
	struct counts c;
	char line[400];
	unsigned long long key, f;
	struct winsize ws;
	uint64_t now;
	double every = P.cfg.tty ? 1 : P.cfg.line_s;

	(void)arg;
	while (!P.quit) {
		usleep(TICK_US);
		pthread_mutex_lock(&P.mu);
		now = now_ns();
		count_children(&c);
		key = c.spawned + c.ready + c.mapped + c.touched + c.exited + c.pages +
		      c.unmapped / PAGE_4K + P.units + P.seq;
		if (key != P.last_key) {
			P.last_key = key;
			P.last_change = now;
			/* The kernel counters at the last progress, for a stall report. */
			if (now - P.ks_t > 1000000000ULL) {
				sga_kstat_read(&P.ks_change);
				P.ks_t = now;
			}
		}
		if (P.cfg.watchdog_s > 0 && watched(P.phase) && !bench_stop &&
		    now - P.last_change > P.cfg.watchdog_s * 1e9) {
			trip(&c, now);
			pthread_mutex_unlock(&P.mu);
			break;
		}
		if (P.perf_fd >= 0 && now - P.faults_t >= 1000000000ULL &&
		    perf_counter_read(P.perf_fd, (__u64 *)&f) == 0) {
			if (P.faults_t && f >= P.faults_prev)
				P.fps = (f - P.faults_prev) / ((now - P.faults_t) / 1e9);
			P.faults_prev = f;
			P.faults_t = now;
		}
		if (every > 0 && P.phase != PH_IDLE && now - P.last_print >= every * 1e9 &&
		    now - P.phase_t0 >= (P.cfg.tty ? 1e9 : 0)) {
			format_line(line, sizeof(line), &c, now);
			if (P.cfg.tty) {
				/* A wrapped line cannot be redrawn in place: cut it. */
				if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
				    strlen(line) >= ws.ws_col)
					line[ws.ws_col - 1] = 0;
				fprintf(stderr, "\r%s\033[K", line);
			}
			else
				fprintf(stderr, "%s\n", line);
			fflush(stderr);
			P.drawn = P.cfg.tty;
			P.last_print = now;
		}
		pthread_mutex_unlock(&P.mu);
	}
	return NULL;
}

int sga_progress_start(const struct sga_progress_cfg *cfg)
{
	int err;

	P.cfg = *cfg;
	P.run_t0 = P.last_change = P.last_print = now_ns();
	sga_kstat_read(&P.ks_change);
	P.ks_t = P.run_t0;
	if (cfg->line_s <= 0 && !cfg->tty && cfg->watchdog_s <= 0)
		return 0;
	err = pthread_create(&P.th, NULL, thread_main, NULL);
	if (err) {
		bench_err("cannot start the progress thread: %s", strerror(err));
		return -1;
	}
	P.running = true;
	return 0;
}

void sga_progress_watchdog(double seconds)
{
	pthread_mutex_lock(&P.mu);
	P.cfg.watchdog_s = seconds;
	pthread_mutex_unlock(&P.mu);
}

void sga_progress_stop(void)
{
	if (!P.running)
		return;
	P.quit = true;
	pthread_join(P.th, NULL);
	P.running = false;
	sga_progress_clear();
}

void sga_progress_mode(const char *label, int nprocs, const double *pred, double after)
{
	pthread_mutex_lock(&P.mu);
	snprintf(P.label, sizeof(P.label), "%s", label);
	P.nprocs = nprocs;
	P.have_pred = pred != NULL;
	for (int i = 0; i < PH_NR; i++)
		P.pred[i] = pred ? pred[i] : 0;
	P.pred_after = after;
	pthread_mutex_unlock(&P.mu);
}

void sga_progress_phase(enum sga_phase ph, long long total)
{
	pthread_mutex_lock(&P.mu);
	P.phase = ph;
	P.total = total;
	P.units = 0;
	P.seq++;
	P.phase_t0 = now_ns();
	pthread_mutex_unlock(&P.mu);
}

void sga_progress_perf(int fd)
{
	pthread_mutex_lock(&P.mu);
	P.perf_fd = fd;
	P.faults_t = 0;
	P.fps = 0;
	pthread_mutex_unlock(&P.mu);
}

void sga_progress_attach(struct sga_group *g)
{
	pthread_mutex_lock(&P.mu);
	P.g = g;
	pthread_mutex_unlock(&P.mu);
}

void sga_progress_add(long long units)
{
	pthread_mutex_lock(&P.mu);
	P.units += units;
	pthread_mutex_unlock(&P.mu);
}

const char *sga_watchdog_where(void)
{
	return bench_stop == SGA_STOP_WATCHDOG ? P.where : NULL;
}

const char *sga_stop_reason(void)
{
	static char buf[64];

	if (bench_stop == SGA_STOP_WATCHDOG)
		snprintf(buf, sizeof(buf), "stopped by the watchdog");
	else
		snprintf(buf, sizeof(buf), "interrupted by signal %d", (int)bench_stop);
	return buf;
}

void sga_progress_clear(void)
{
	pthread_mutex_lock(&P.mu);
	if (P.drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	P.drawn = false;
	pthread_mutex_unlock(&P.mu);
}
