// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope faultlat: page-fault latency histograms, split by minor/major and
 * by lock path (per-VMA lock, mmap_lock, kernel-mode fault on user memory),
 * system-wide or per process. Latency = fault entry (exceptions:page_fault_*)
 * to completion (perf minor/major-faults event in tracepoint mode,
 * handle_mm_fault() return in precise mode); see bpf/fault_bracket.bpf.h.
 */
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "fault_bracket.h"
#include "hist_report.h"
#include "faultlat.h"
#include "jsonout.h"
#include "tracers.h"
#include "util.h"
#include "fault.skel.h"

static const char *const path_names[FL_PATHS] = { "vma_lock", "mmap_lock", "kernel" };

struct fl_proc {
	__u32 tgid;
	char comm[16];
	char first[16];		/* name before its exec(s), "" if none seen */
	__u32 execs;
	struct hist iv[FL_CLASSES];	/* this interval */
	struct hist cum[FL_CLASSES];	/* since start */
};

struct fl_state {
	struct fb_inst *fi;
	struct fault_bpf *skel;
	struct fb_plan plan;
	bool per_process;
	int ncpus;
	struct hist *percpu;		/* scratch: ncpus values */
	struct hist iv[FL_CLASSES], cum[FL_CLASSES];
	__u64 unbr_iv, unbr_cum;
	struct fl_proc *procs;
	size_t nprocs, cap;
	/* --events: the ring buffer, its poller thread, what it printed */
	struct ring_buffer *rb;
	pthread_t poller;
	bool poller_on;
	volatile int poller_stop;
	bool json;
	bool ev_closed;		/* summary made: later records not printed */
	__u64 start_ns;
	unsigned long long ev_count;
};

static bool opt_per_process;
static bool opt_events;			/* --events: one line per fault */
static int opt_top;			/* --top N processes listed, 0 = all */
/* -u/-m: the text's latency unit (the JSON stays in nanoseconds) */
static const char *unit_name = "nsecs";
static double unit_div = 1;

enum { OPT_PER_PROCESS = 0x2000, OPT_TOP, OPT_EVENTS };

static const struct extra_opt fl_extra[] = {
	{ { "per-process", no_argument, NULL, 'P' }, NULL,
	  "histograms per process (at most " "4096" " process x class histograms per interval)" },
	{ { "events", no_argument, NULL, OPT_EVENTS }, NULL,
	  "print every completed fault (like perf trace --pf): time, pid/tid, comm, "
	  "address, minor/major, lock path, latency; a 4 MiB ring buffer, drops counted" },
	{ { "top", required_argument, NULL, OPT_TOP }, "N",
	  "with -P: list the N processes with the most faults (default 0 = all)" },
	{ { "microseconds", no_argument, NULL, 'u' }, NULL,
	  "print latencies in usecs (histogram rows: see docs/schema/faultlat.md)" },
	{ { "milliseconds", no_argument, NULL, 'm' }, NULL,
	  "print latencies in msecs" },
	{ { NULL } }
};

static int fl_parse_extra(int key, const char *arg, void *ctx)
{
	switch (key) {
	case 'P':
		opt_per_process = true;
		return 0;
	case OPT_EVENTS:
		opt_events = true;
		return 0;
	case OPT_TOP:
		opt_top = parse_top("faultlat", arg);
		return opt_top < 0 ? -1 : 0;
	case 'u':
		unit_name = "usecs";
		unit_div = 1e3;
		return 0;
	case 'm':
		unit_name = "msecs";
		unit_div = 1e6;
		return 0;
	}
	return -1;
}

static int by_count_desc(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	int64_t cx = json_object_get_int64(json_object_object_get(json_object_object_get(x, "all"), "count"));
	int64_t cy = json_object_get_int64(json_object_object_get(json_object_object_get(y, "all"), "count"));

	return (cx < cy) - (cx > cy);
}

static void fl_stop(void *p);

/* One completed fault of --events: a text line, or a JSON document. */
static int on_event(void *ctx, void *data, size_t len)
{
	struct fl_state *s = ctx;
	const struct fl_event *e = data;
	char comm[17];
	double t;

	if (len < sizeof(*e) || s->ev_closed)
		return 0;
	s->ev_count++;
	memcpy(comm, e->comm, 16);
	comm[16] = 0;
	t = e->ts_ns > s->start_ns ? (e->ts_ns - s->start_ns) / 1e9 : 0;
	if (s->json) {
		printf("{\"schema\":\"mmscope/1\",\"tool\":\"faultlat\",\"kind\":\"event\","
		       "\"t_s\":%.9f,\"pid\":%u,\"tid\":%u,\"comm\":",
		       t, e->tgid, e->tid);
		{
			struct json_object *c = json_object_new_string(comm);

			fputs(json_object_to_json_string(c), stdout);
			json_object_put(c);
		}
		printf(",\"address\":%llu,\"major\":%s,\"path\":\"%s\",\"latency_ns\":",
		       (unsigned long long)e->addr, e->major ? "true" : "false",
		       e->path < FL_PATHS ? path_names[e->path] : "unknown");
		if (e->lat_ns && e->path < FL_PATHS)
			printf("%llu}\n", (unsigned long long)e->lat_ns);
		else
			printf("null}\n");
		return 0;
	}
	if (e->lat_ns && e->path < FL_PATHS)
		printf("%14.6f %-16s %7u/%-7u 0x%016llx %-5s %-9s %12.*f\n", t, comm,
		       e->tgid, e->tid, (unsigned long long)e->addr,
		       e->major ? "major" : "minor", path_names[e->path],
		       unit_div > 1 ? 3 : 0, e->lat_ns / unit_div);
	else
		printf("%14.6f %-16s %7u/%-7u 0x%016llx %-5s %-9s %12s\n", t, comm,
		       e->tgid, e->tid, (unsigned long long)e->addr,
		       e->major ? "major" : "minor",
		       e->path < FL_PATHS ? path_names[e->path] : "unknown", "-");
	return 0;
}

static void *poll_events(void *p)
{
	struct fl_state *s = p;

	while (!s->poller_stop)
		if (ring_buffer__poll(s->rb, 100) < 0 && errno != EINTR)
			break;
	return NULL;
}

/* Stop the poller and print what is still in the buffer. */
static void events_finish(struct fl_state *s)
{
	if (s->poller_on) {
		s->poller_stop = 1;
		pthread_join(s->poller, NULL);
		s->poller_on = false;
	}
	if (s->rb && !s->ev_closed)
		ring_buffer__consume(s->rb);
	s->ev_closed = true;
	fflush(stdout);
}

static void *fl_start(const struct common_opts *o, enum attach_mode *mode)
{
	struct fl_state *s = calloc(1, sizeof(*s));

	if (!s) {
		err_msg("faultlat: out of memory");
		return NULL;
	}
	s->per_process = opt_per_process;
	s->ncpus = libbpf_num_possible_cpus();
	s->percpu = calloc(s->ncpus, sizeof(*s->percpu));
	if (!s->percpu) {
		err_msg("faultlat: out of memory");
		goto fail;
	}
	s->json = o->json;
	s->fi = fb_inst_get("faultlat", o, opt_events ? FB_USE_EVENTS : 0, false);
	if (!s->fi)
		goto fail;
	s->skel = fb_inst_skel(s->fi);
	s->plan = *fb_inst_plan(s->fi);
	/* set before the latencies are turned on */
	s->skel->bss->fl_per_process = s->per_process;
	if (opt_events) {
		s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.fl_events_rb),
					 on_event, s, NULL);
		if (!s->rb) {
			err_msg("faultlat: cannot open the event ring buffer: %s", strerror(errno));
			goto fail;
		}
		s->start_ns = now_ns();
		if (!o->json)
			printf("%14s %-16s %15s %-18s %-5s %-9s %12s\n", "TIME(s)", "COMM",
			       "PID/TID", "ADDRESS", "TYPE", "PATH", unit_name);
		if (pthread_create(&s->poller, NULL, poll_events, s)) {
			err_msg("faultlat: cannot start the event reader");
			goto fail;
		}
		s->poller_on = true;
	}
	if (fb_inst_use("faultlat", s->fi, FB_USE_LAT))
		goto fail;
	*mode = s->plan.mode;
	return s;
fail:
	fl_stop(s);
	return NULL;
}

static struct fl_proc *proc_find(struct fl_state *s, __u32 tgid)
{
	return rows_find_or_add(&s->procs, &s->nprocs, &s->cap, sizeof(*s->procs),
				offsetof(struct fl_proc, tgid), tgid);
}

/*
 * Flip the generation BPF writes into, let programs that read the old one
 * finish (they run non-preemptible, microseconds), then drain it into this
 * interval's histograms and zero it for its next turn.
 */
static int fl_drain(struct fl_state *s)
{
	__u32 old = s->skel->bss->fl_gen & 1;
	int fd = bpf_map__fd(s->skel->maps.fl_hists);
	int pfd = bpf_map__fd(s->skel->maps.fl_proc_hists);
	struct fl_proc_key key, next, *kp = NULL;
	struct fl_proc_hist ph;

	__atomic_store_n(&s->skel->bss->fl_gen, old ^ 1, __ATOMIC_SEQ_CST);
	usleep(5000);
	for (int c = 0; c < FL_CLASSES; c++)
		hist_reset(&s->iv[c]);
	for (size_t i = 0; i < s->nprocs; i++)
		for (int c = 0; c < FL_CLASSES; c++)
			hist_reset(&s->procs[i].iv[c]);

	for (__u32 c = 0; c < FL_CLASSES; c++) {
		__u32 idx = old * FL_CLASSES + c;

		if (bpf_map_lookup_elem(fd, &idx, s->percpu)) {
			err_msg("faultlat: cannot read histograms: %s", strerror(errno));
			return -1;
		}
		for (int cpu = 0; cpu < s->ncpus; cpu++)
			hist_merge(&s->iv[c], &s->percpu[cpu]);
		memset(s->percpu, 0, s->ncpus * sizeof(*s->percpu));
		if (bpf_map_update_elem(fd, &idx, s->percpu, BPF_ANY)) {
			err_msg("faultlat: cannot reset histograms: %s", strerror(errno));
			return -1;
		}
	}
	/* Per-process entries of the old generation: merge and delete.
	 * Restart the walk after each delete (deleting invalidates it). */
	while (bpf_map_get_next_key(pfd, kp, &next) == 0) {
		struct fl_proc *p;

		key = next;
		if (key.gen != old || key.cls >= FL_CLASSES) {
			kp = &key;
			continue;
		}
		if (bpf_map_lookup_elem(pfd, &key, &ph) == 0) {
			p = proc_find(s, key.tgid);
			if (!p)
				return -1;
			memcpy(p->comm, ph.comm, sizeof(p->comm));
			p->comm[15] = 0;
			hist_merge(&p->iv[key.cls], &ph.h);
		}
		bpf_map_delete_elem(pfd, &key);
		kp = NULL;
	}
	for (size_t i = 0; i < s->nprocs; i++)
		fb_exec_name(s->skel, s->procs[i].tgid, s->procs[i].comm,
			     s->procs[i].first, &s->procs[i].execs);
	fb_execs_gc(s->skel);
	s->unbr_iv = s->skel->bss->fl_unbracketed[old];
	s->skel->bss->fl_unbracketed[old] = 0;
	s->unbr_cum += s->unbr_iv;
	for (int c = 0; c < FL_CLASSES; c++)
		hist_merge(&s->cum[c], &s->iv[c]);
	for (size_t i = 0; i < s->nprocs; i++)
		for (int c = 0; c < FL_CLASSES; c++)
			hist_merge(&s->procs[i].cum[c], &s->procs[i].iv[c]);
	return 0;
}

/* [{"major":b,"path":"vma_lock","hist":{...}}, ...] for non-empty classes;
 * *all gets every class merged. */
static struct json_object *classes_json(const struct hist *h, struct hist *all)
{
	struct json_object *arr = json_object_new_array();

	hist_reset(all);
	for (int c = 0; c < FL_CLASSES; c++) {
		struct json_object *o;

		hist_merge(all, &h[c]);
		if (!h[c].count)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "major", json_object_new_boolean(c >= FL_PATHS));
		json_object_object_add(o, "path", json_object_new_string(path_names[c % FL_PATHS]));
		json_object_object_add(o, "hist", hist_to_json(&h[c]));
		json_object_array_add(arr, o);
	}
	return arr;
}

static int fl_collect(void *p, double interval_s, bool final,
		      struct json_object *doc)
{
	struct fl_state *s = p;
	const struct hist *h;
	struct hist all;
	struct json_object *procs;

	if (final && opt_events)
		events_finish(s);
	if (fl_drain(s))
		return -1;
	h = final ? s->cum : s->iv;
	if (opt_events) {
		struct json_object *ev = json_object_new_object();

		json_object_object_add(ev, "count", json_object_new_int64(s->ev_count));
		json_object_object_add(ev, "dropped", json_object_new_int64(
			s->skel->bss->fl_events_dropped));
		json_object_object_add(ev, "ring_buffer_bytes", json_object_new_int64(
			bpf_map__max_entries(s->skel->maps.fl_events_rb)));
		json_object_object_add(doc, "events", ev);
	}
	json_object_object_add(doc, "fault_hooks", json_object_new_string(fb_hooks_name(&s->plan)));
	json_object_object_add(doc, "per_process", json_object_new_boolean(s->per_process));
	procs = json_object_new_array();
	if (s->per_process) {
		struct hist sum[FL_CLASSES];

		memset(sum, 0, sizeof(sum));
		for (size_t i = 0; i < s->nprocs; i++) {
			struct fl_proc *pr = &s->procs[i];
			const struct hist *ph = final ? pr->cum : pr->iv;
			struct json_object *o;
			struct hist pall;

			for (int c = 0; c < FL_CLASSES; c++)
				hist_merge(&sum[c], &ph[c]);
			o = json_object_new_object();
			json_object_object_add(o, "pid", json_object_new_int(pr->tgid));
			fb_name_json(o, pr->comm, pr->first, pr->execs);
			json_object_object_add(o, "histograms", classes_json(ph, &pall));
			if (!pall.count) {
				json_object_put(o);
				continue;
			}
			json_object_object_add(o, "all", hist_to_json(&pall));
			json_object_array_add(procs, o);
		}
		json_object_object_add(doc, "histograms", classes_json(sum, &all));
		/* most faults first; --top N: the first N listed */
		{
			size_t n = json_object_array_length(procs);
			struct json_object **rows = calloc(n + 1, sizeof(*rows));
			struct json_object *sorted = json_object_new_array();

			for (size_t i = 0; rows && i < n; i++)
				rows[i] = json_object_get(json_object_array_get_idx(procs, i));
			if (rows)
				qsort(rows, n, sizeof(*rows), by_count_desc);
			for (size_t i = 0; rows && i < n; i++) {
				if (opt_top && i >= (size_t)opt_top)
					json_object_put(rows[i]);
				else
					json_object_array_add(sorted, rows[i]);
			}
			if (rows) {
				json_object_put(procs);
				procs = sorted;
			} else {
				json_object_put(sorted);
			}
			free(rows);
			json_object_object_add(doc, "processes_total", json_object_new_int64(n));
		}
	} else {
		json_object_object_add(doc, "histograms", classes_json(h, &all));
	}
	json_object_object_add(doc, "all", hist_to_json(&all));
	json_object_object_add(doc, "processes", procs);
	json_object_object_add(doc, "unbracketed", json_object_new_int64(
		final ? s->unbr_cum : s->unbr_iv));
	json_object_object_add(doc, "procs_dropped", json_object_new_int64(
		s->skel->bss->fl_procs_dropped));
	doc_metric(doc, "faults_count", all.count + (final ? s->unbr_cum : s->unbr_iv));
	doc_metric(doc, "latency_count", all.count);
	if (all.count) {
		doc_metric(doc, "latency_mean_ns", hist_mean(&all));
		doc_metric(doc, "latency_p50_ns", hist_percentile(&all, 0.50));
		doc_metric(doc, "latency_p90_ns", hist_percentile(&all, 0.90));
		doc_metric(doc, "latency_p99_ns", hist_percentile(&all, 0.99));
		doc_metric(doc, "latency_max_ns", all.max);
	}
	return 0;
}

/*
 * The log2 table of one class from its JSON buckets (nanosecond rows
 * [2^r, 2^(r+1))), every row from the lowest to the highest non-empty one,
 * as libbpf-tools print them. With -u/-m each nanosecond row goes to the
 * unit's log2 row its low end falls in: 1000 is 2^9.97, so the top 2.4%
 * (usecs) or 4.9% (msecs) of a row's range belongs to the next row.
 */
static void print_table(FILE *f, struct json_object *b, const char *indent)
{
	unsigned long long rows[65] = { 0 }, maxc = 0;
	int lo = 65, hi = -1;

	for (size_t j = 0; j < json_object_array_length(b); j++) {
		struct json_object *r = json_object_array_get_idx(b, j);
		double low = (double)json_object_get_int64(json_object_object_get(r, "low")) / unit_div;
		int row = 0;

		while (row < 64 && low >= (double)(2ULL << row))
			row++;
		rows[row] += json_object_get_int64(json_object_object_get(r, "count"));
		if (rows[row] > maxc)
			maxc = rows[row];
		if (row < lo)
			lo = row;
		if (row > hi)
			hi = row;
	}
	fprintf(f, "%s%20s : %-10s |%-40s|\n", indent, unit_name, "count", "distribution");
	for (int r = lo; r <= hi; r++) {
		int stars = maxc ? (int)(rows[r] * 40 / maxc) : 0;
		char bar[41];

		memset(bar, '*', stars);
		bar[stars] = 0;
		fprintf(f, "%s%9llu -> %-9llu : %-10llu |%-40s|\n", indent,
			r ? 1ULL << r : 0ULL, (2ULL << r) - 1, rows[r], bar);
	}
}

static void print_classes(FILE *f, struct json_object *arr, const char *indent)
{
	size_t n = json_object_array_length(arr);

	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(arr, i);
		struct json_object *h = json_object_object_get(c, "hist");

		fprintf(f, "%s%s faults, %s: count %lld  p50 %.*f  p90 %.*f  p99 %.*f  max %.*f %s\n",
			indent,
			json_object_get_boolean(json_object_object_get(c, "major")) ? "major" : "minor",
			json_object_get_string(json_object_object_get(c, "path")),
			(long long)json_object_get_int64(json_object_object_get(h, "count")),
			unit_div > 1 ? 3 : 0, json_object_get_double(json_object_object_get(h, "p50")) / unit_div,
			unit_div > 1 ? 3 : 0, json_object_get_double(json_object_object_get(h, "p90")) / unit_div,
			unit_div > 1 ? 3 : 0, json_object_get_double(json_object_object_get(h, "p99")) / unit_div,
			unit_div > 1 ? 3 : 0, (double)json_object_get_int64(json_object_object_get(h, "max")) / unit_div,
			unit_name);
		print_table(f, json_object_object_get(h, "buckets"), indent);
	}
}

static void fl_print(void *p, struct json_object *doc, bool final, FILE *f)
{
	struct json_object *all = json_object_object_get(doc, "all");
	struct json_object *procs = json_object_object_get(doc, "processes");
	struct json_object *ev = json_object_object_get(doc, "events");

	if (ev) {	/* --events: the lines were the report; the summary counts them */
		if (final)
			fprintf(f, "SUMMARY %.2fs: %lld events printed, %lld dropped (ring buffer full)\n",
				json_object_get_double(json_object_object_get(doc, "interval_s")),
				(long long)json_object_get_int64(json_object_object_get(ev, "count")),
				(long long)json_object_get_int64(json_object_object_get(ev, "dropped")));
		return;
	}

	fprintf(f, "%s %.2fs: faults with latency %lld  unbracketed %lld\n",
		final ? "SUMMARY" : "interval",
		json_object_get_double(json_object_object_get(doc, "interval_s")),
		(long long)json_object_get_int64(json_object_object_get(all, "count")),
		(long long)json_object_get_int64(json_object_object_get(doc, "unbracketed")));
	if (json_object_get_boolean(json_object_object_get(doc, "per_process"))) {
		for (size_t i = 0; i < json_object_array_length(procs); i++) {
			struct json_object *pr = json_object_array_get_idx(procs, i);

			fprintf(f, "pid %d (%s):\n",
				json_object_get_int(json_object_object_get(pr, "pid")),
				json_object_get_string(json_object_object_get(pr, "comm")));
			print_classes(f, json_object_object_get(pr, "histograms"), "  ");
		}
		return;
	}
	print_classes(f, json_object_object_get(doc, "histograms"), "");
}

static void fl_stop(void *p)
{
	struct fl_state *s = p;

	if (!s)
		return;
	events_finish(s);
	ring_buffer__free(s->rb);
	fb_inst_put(s->fi, FB_USE_LAT | FB_USE_EVENTS);
	free(s->procs);
	free(s->percpu);
	free(s);
}

static void fl_probe(struct json_object *out)
{
	fb_probe_json(out, false);
}

static struct cmd_desc fl_desc = {
	.name = "faultlat",
	.summary = "page-fault latency histograms by minor/major and lock path",
	.details =
"Latency of each completed page fault (those perf counts as minor-faults +\n"
"major-faults), from fault entry to completion, in log2 histograms with\n"
"p50/p90/p99/max, split by minor/major and by how the fault was served\n"
"(per-VMA lock, mmap_lock, kernel-mode fault on user memory).\n"
"Fields: docs/schema/faultlat.md.",
	.extra = fl_extra,
	.parse_extra = fl_parse_extra,
};

const struct tracer faultlat_tracer = {
	.name = "faultlat",
	.desc = &fl_desc,
	.start = fl_start,
	.collect = fl_collect,
	.print = fl_print,
	.stop = fl_stop,
	.probe = fl_probe,
};

int cmd_faultlat(int argc, char **argv)
{
	return tracer_main(&faultlat_tracer, argc, argv);
}
