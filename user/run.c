// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope run SCENARIO: run a scenario's workload `repeats` times with its
 * tracers attached, and record every repeat with its environment in the
 * results store, in one transaction at the end (an interrupted run records
 * nothing).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "commands.h"
#include "digest.h"
#include "jsonout.h"
#include "opts.h"
#include "scenario.h"
#include "store.h"
#include "tracer.h"
#include "util.h"

#ifndef MMSCOPE_COMMIT
#define MMSCOPE_COMMIT "unknown"
#endif

struct run_opts {
	const char *tag, *db;
	int repeats;	/* 0: the scenario's */
	bool dry_run;
};

enum { OPT_TAG = 0x2000, OPT_DB, OPT_REPEATS, OPT_DRY_RUN };

static const struct extra_opt run_extra[] = {
	{ { "tag", required_argument, NULL, OPT_TAG }, "TAG",
	  "label the run (e.g. patched, thp-off); compare and runs select by it" },
	{ { "db", required_argument, NULL, OPT_DB }, "PATH",
	  "results store (default $MMSCOPE_DB, else ~/.local/share/mmscope/results.db)" },
	{ { "repeats", required_argument, NULL, OPT_REPEATS }, "N",
	  "override the scenario's repeat count" },
	{ { "dry-run", no_argument, NULL, OPT_DRY_RUN }, NULL,
	  "check the scenario, kernel, tracers and workload, print the plan, run nothing" },
	{ { NULL } }
};

static int run_parse(int key, const char *arg, void *ctx)
{
	struct run_opts *o = ctx;
	long n;

	switch (key) {
	case OPT_TAG:
		if (!tag_is_valid(arg)) {
			err_msg("run: --tag '%s' must be " TAG_RULE, arg);
			return -1;
		}
		o->tag = arg;
		return 0;
	case OPT_DB:
		o->db = arg;
		return 0;
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 0;
	case OPT_REPEATS:
		if (parse_long(arg, 1, 1000, &n) < 0) {	/* (int)strtol took 2^32+1 as 1 */
			err_msg("run: --repeats '%s' must be 1 to 1000", arg);
			return -1;
		}
		o->repeats = (int)n;
		return 0;
	}
	return -1;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/* A child whose stdout (and maybe stderr) we read. */
struct child {
	pid_t pid;
	int out_fd, err_fd;
	char *out, *err;	/* everything read so far */
	size_t out_len, err_len;
	int status;
	bool reaped;
	const char *name;
	int ready_fd;		/* tracers: read end of the readiness pipe */
	bool ready;
};

static void buf_append(char **buf, size_t *len, const char *data, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Start argv with stdout (and stderr if capture_err) on pipes, in its own process group. */
static int child_start(struct child *c, char *const argv[], const char *name,
		       bool capture_err, int repeat)
{
	int out[2], err[2] = { -1, -1 }, rdy[2] = { -1, -1 };

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->out_fd = c->err_fd = c->ready_fd = -1;
	/* tracers (capture_err) say on fd 3 when they are attached */
	if (pipe2(out, O_CLOEXEC) || (capture_err && pipe2(err, O_CLOEXEC)) ||
	    (capture_err && pipe2(rdy, O_CLOEXEC | O_NONBLOCK))) {
		err_msg("run: pipe: %s", strerror(errno));
		return -1;
	}
	c->pid = fork();
	if (c->pid < 0) {
		err_msg("run: fork: %s", strerror(errno));
		return -1;
	}
	if (c->pid == 0) {
		char rep[16];

		setpgid(0, 0);
		/* if mmscope dies (even SIGKILL), do not outlive it: tracers get
		 * SIGINT so they detach cleanly, workloads SIGKILL */
		prctl(PR_SET_PDEATHSIG, capture_err ? SIGINT : SIGKILL);
		if (getppid() == 1)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		dup2(out[1], 1);
		if (capture_err) {
			dup2(err[1], 2);
			/* dup2 onto itself would keep O_CLOEXEC: clear it by hand */
			if (rdy[1] == TRACER_READY_FD)
				fcntl(rdy[1], F_SETFD, 0);
			else
				dup2(rdy[1], TRACER_READY_FD);
			setenv(TRACER_READY_ENV, "3", 1);
		}
		snprintf(rep, sizeof(rep), "%d", repeat);
		setenv("MMSCOPE_REPEAT", rep, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "mmscope: run: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(c->pid, c->pid);	/* both sides, so no race with kill(-pid) */
	close(out[1]);
	c->out_fd = out[0];
	if (capture_err) {
		close(err[1]);
		c->err_fd = err[0];
		close(rdy[1]);
		c->ready_fd = rdy[0];
	}
	return 0;
}

static void child_read(struct child *c, int *fd, bool is_err)
{
	char buf[16384];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n > 0) {
		if (is_err)
			buf_append(&c->err, &c->err_len, buf, n);
		else
			buf_append(&c->out, &c->out_len, buf, n);
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

/* Drain the children's pipes until all are closed, the deadline, or a signal. */
static void pump(struct child *cs, int n, double deadline, struct child *until)
{
	while (!interrupted && now_ns() / 1e9 < deadline) {
		struct pollfd p[2 * 16];
		struct child *who[2 * 16];
		bool isErr[2 * 16];
		int np = 0;

		for (int i = 0; i < n; i++) {
			if (cs[i].out_fd >= 0) {
				p[np] = (struct pollfd){ cs[i].out_fd, POLLIN, 0 };
				who[np] = &cs[i], isErr[np++] = false;
			}
			if (cs[i].err_fd >= 0) {
				p[np] = (struct pollfd){ cs[i].err_fd, POLLIN, 0 };
				who[np] = &cs[i], isErr[np++] = true;
			}
		}
		if (!np || (until && until->out_fd < 0 && until->err_fd < 0))
			return;
		if (poll(p, np, 200) < 0)
			continue;
		for (int i = 0; i < np; i++)
			if (p[i].revents)
				child_read(who[i], isErr[i] ? &who[i]->err_fd : &who[i]->out_fd, isErr[i]);
		/* a tracer that died early must not be waited for */
		for (int i = 0; i < n; i++)
			if (!cs[i].reaped && waitpid(cs[i].pid, &cs[i].status, WNOHANG) == cs[i].pid)
				cs[i].reaped = true;
		if (until && until->reaped && until->out_fd < 0)
			return;
	}
}

/* Reap c, waiting up to secs, then SIGKILL its process group. */
static void child_reap(struct child *c, double secs)
{
	double end = now_ns() / 1e9 + secs;

	while (!c->reaped) {
		if (waitpid(c->pid, &c->status, WNOHANG) == c->pid) {
			c->reaped = true;
			break;
		}
		if (now_ns() / 1e9 > end) {
			kill(-c->pid, SIGKILL);
			waitpid(c->pid, &c->status, 0);
			c->reaped = true;
			break;
		}
		usleep(20000);
	}
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->out_fd = c->err_fd = -1;
}

static void child_free(struct child *c)
{
	free(c->out);
	free(c->err);
	c->out = c->err = NULL;
	if (c->ready_fd >= 0)
		close(c->ready_fd);
	c->ready_fd = -1;
}

/*
 * Wait until every tracer said it is attached (tracer_main writes to its
 * readiness fd), one died, or timeout_s passed. A fixed sleep is not enough:
 * loading BPF on a busy machine can take seconds, and a tracer attached after
 * the workload started would report partial figures.
 */
static bool wait_ready(struct child *cs, int n, double timeout_s)
{
	double end = now_ns() / 1e9 + timeout_s;

	for (;;) {
		bool all = true;

		for (int i = 0; i < n; i++) {
			char b[8];
			ssize_t r;

			if (cs[i].ready)
				continue;
			r = cs[i].ready_fd >= 0 ? read(cs[i].ready_fd, b, sizeof(b)) : 0;
			if (r > 0) {
				cs[i].ready = true;
			} else if (r == 0 || cs[i].reaped) {
				/* closed without a word: it exited (or is exiting) */
				if (cs[i].ready_fd >= 0)
					close(cs[i].ready_fd);
				cs[i].ready_fd = -1;
				return false;
			}
			else
				all = false;
		}
		if (all)
			return true;
		if (interrupted || now_ns() / 1e9 >= end)
			return false;
		pump(cs, n, now_ns() / 1e9 + 0.1, NULL);
	}
}

static const char *last_line(const char *s)
{
	static char line[512];
	const char *end, *start;

	if (!s || !*s)
		return "(no output)";
	end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	return line;
}

/*
 * Keep the mmscope/1 documents of text (one per line) of the wanted kinds;
 * other lines of a workload go to stderr so the user still sees them.
 */
static int take_docs(const char *text, const char *source, bool echo_other,
		     struct json_object *docs, const char *want_kind)
{
	int kept = 0;

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len);
		struct json_object *doc = json_tokener_parse(line), *v;
		const char *kind = NULL;

		if (doc && json_object_is_type(doc, json_type_object) &&
		    json_object_object_get_ex(doc, "schema", &v) &&
		    !strcmp(json_object_get_string(v), MMSCOPE_SCHEMA) &&
		    json_object_object_get_ex(doc, "kind", &v))
			kind = json_object_get_string(v);
		if (kind && (!want_kind ? (!strcmp(kind, "result") || !strcmp(kind, "summary"))
					: !strcmp(kind, want_kind))) {
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "source", json_object_new_string(source));
			json_object_object_add(e, "doc", doc);
			json_object_array_add(docs, e);
			kept++;
		} else {
			if (!kind && echo_other && len)
				fprintf(stderr, "%s\n", line);
			json_object_put(doc);
		}
		free(line);
		p = nl ? nl + 1 : NULL;
	}
	return kept;
}

/* sha256 of the running kernel's config: /proc/config.gz, else /boot/config-R. */
static void kernel_config_hash(char hex[65])
{
	struct utsname u;
	char path[PATH_MAX], buf[65536];
	gzFile gz = gzopen("/proc/config.gz", "rb");

	if (gz) {
		struct digest *d = digest_sha256();
		int n;

		while ((n = gzread(gz, buf, sizeof(buf))) > 0)
			digest_update(d, buf, n);
		gzclose(gz);
		if (digest_hex(d, hex) == 0 && n == 0)	/* digest_hex() frees d */
			return;
	}
	uname(&u);
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	if (digest_file_sha256(path, hex) == 0)
		return;
	strcpy(hex, "unknown");
}

static void new_uuid(char *out, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/uuid", "r");

	if (!f || !fgets(out, (int)len, f))
		snprintf(out, len, "%llx-%d", (unsigned long long)now_ns(), getpid());
	if (f)
		fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

/* The workload's program: bare names come from mmscope's own directory first. */
static int resolve_workload(const struct scenario *s, char *out, size_t len)
{
	char self[PATH_MAX], tmp[PATH_MAX];
	ssize_t n;
	const char *prog = s->argv[0];

	if (strchr(prog, '/')) {
		if (prog[0] == '/') {
			snprintf(out, len, "%s", prog);
		} else {
			snprintf(tmp, sizeof(tmp), "%s", s->path);
			snprintf(out, len, "%s/%s", dirname(tmp), prog);
		}
		return access(out, X_OK);
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf(out, len, "%s/%s", dirname(self), prog);
		if (!access(out, X_OK))
			return 0;
	}
	snprintf(out, len, "%s", prog);	/* execvp searches $PATH */
	{
		const char *path = getenv("PATH");
		char *copy = strdup(path ? path : "/usr/bin:/bin"), *save = NULL;
		int found = -1;

		for (char *d = strtok_r(copy, ":", &save); d && found; d = strtok_r(NULL, ":", &save)) {
			snprintf(tmp, sizeof(tmp), "%s/%s", d, prog);
			found = access(tmp, X_OK);
		}
		free(copy);
		return found;
	}
}

static void stop_all(struct child *cs, int n)
{
	for (int i = 0; i < n; i++)
		if (cs[i].pid > 0 && !cs[i].reaped)
			kill(-cs[i].pid, i == 0 ? SIGTERM : SIGINT);
	for (int i = 0; i < n; i++)
		if (cs[i].pid > 0)
			child_reap(&cs[i], 5);
}

/*
 * One repeat: tracers first (given settle_s to attach), then the workload;
 * when it exits, SIGINT the tracers and keep their summaries.
 */
static int run_repeat(const struct scenario *s, char *const wl_argv[], int rep,
		      struct json_object *reps)
{
	struct child cs[1 + SCN_MAX_TRACERS];
	int nc = 0, rc = -1, ndocs = 0;
	char self[PATH_MAX];
	double started = wall_time(), t0, deadline;
	struct json_object *r = json_object_new_object(), *docs = json_object_new_array();
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[sl > 0 ? sl : 0] = '\0';
	memset(cs, 0, sizeof(cs));
	nc = 1;	/* cs[0] is the workload, started after the tracers */
	for (int i = 0; i < s->ntracers; i++) {
		char *argv[24];
		int a = 0;

		argv[a++] = self;
		argv[a++] = (char *)s->tracers[i];
		argv[a++] = "--json";
		for (int k = 0; k < s->tracer_argc && a < 23; k++)
			argv[a++] = s->tracer_argv[k];
		argv[a] = NULL;
		if (child_start(&cs[nc], argv, s->tracers[i], true, rep) < 0)
			goto out;
		nc++;
	}
	if (s->ntracers) {
		/* wait for the tracers to attach, then let them settle; fail
		 * fast if one dies */
		if (!wait_ready(cs + 1, nc - 1, TRACER_READY_TIMEOUT_S) && !interrupted) {
			for (int i = 1; i < nc; i++) {
				if (cs[i].ready)
					continue;
				if (cs[i].reaped || cs[i].ready_fd < 0) {
					pump(cs + i, 1, now_ns() / 1e9 + 2, &cs[i]);
					err_msg("run: repeat %d: tracer %s exited before the workload started: %s",
						rep + 1, cs[i].name, last_line(cs[i].err));
				} else {
					err_msg("run: repeat %d: tracer %s did not attach within %d s",
						rep + 1, cs[i].name, TRACER_READY_TIMEOUT_S);
				}
				break;
			}
			goto out;
		}
		pump(cs + 1, nc - 1, now_ns() / 1e9 + s->settle_s, NULL);
		for (int i = 1; i < nc; i++)
			if (cs[i].reaped) {
				err_msg("run: repeat %d: tracer %s exited before the workload started: %s",
					rep + 1, cs[i].name, last_line(cs[i].err));
				goto out;
			}
	}
	if (interrupted)
		goto out;
	t0 = now_ns() / 1e9;
	if (child_start(&cs[0], wl_argv, "workload", false, rep) < 0)
		goto out;
	deadline = t0 + s->timeout_s;
	pump(cs, nc, deadline, &cs[0]);
	if (interrupted)
		goto out;
	if (!cs[0].reaped && now_ns() / 1e9 >= deadline) {
		err_msg("run: repeat %d: workload ran past the scenario's timeout of %g s; stopped it",
			rep + 1, s->timeout_s);
		goto out;
	}
	/* stdout closed: give it the rest of its time to exit */
	child_reap(&cs[0], deadline - now_ns() / 1e9 > 1 ? deadline - now_ns() / 1e9 : 1);
	json_object_object_add(r, "wall_s", json_object_new_double(now_ns() / 1e9 - t0));
	/*
	 * A repeat counts only when its workload exits 0. Documents printed
	 * before a failure are not kept: compare and the dashboard pool every
	 * stored sample, and a driver that keeps going past what it cannot run
	 * says so in a document and exits 0 (sga-bench --mode all skips), so a
	 * non-zero exit means the measurement itself went wrong.
	 */
	if (!WIFEXITED(cs[0].status) || WEXITSTATUS(cs[0].status)) {
		struct json_object *lost = json_object_new_array();
		int nlost = take_docs(cs[0].out, "workload", true, lost, NULL);
		char after[96] = "";

		json_object_put(lost);
		if (nlost)
			snprintf(after, sizeof(after), " after printing %d result document%s "
				 "(discarded)", nlost, nlost == 1 ? "" : "s");
		if (WIFEXITED(cs[0].status))
			err_msg("run: repeat %d: workload %s exited with status %d%s",
				rep + 1, s->argv[0], WEXITSTATUS(cs[0].status), after);
		else
			err_msg("run: repeat %d: workload %s killed by signal %d%s",
				rep + 1, s->argv[0], WTERMSIG(cs[0].status), after);
		goto out;
	}
	ndocs = take_docs(cs[0].out, "workload", true, docs, NULL);
	if (!ndocs) {
		err_msg("run: repeat %d: workload %s printed no mmscope/1 result documents "
			"(does it take --json?)", rep + 1, s->argv[0]);
		goto out;
	}
	for (int i = 1; i < nc; i++) {
		if (cs[i].reaped) {
			err_msg("run: repeat %d: tracer %s exited while the workload ran: %s",
				rep + 1, cs[i].name, last_line(cs[i].err));
			goto out;
		}
		kill(cs[i].pid, SIGINT);
	}
	for (int i = 1; i < nc; i++) {
		pump(cs + i, 1, now_ns() / 1e9 + 10, &cs[i]);
		child_reap(&cs[i], 1);
		if (take_docs(cs[i].out, "tracer", false, docs, "summary") != 1) {
			err_msg("run: repeat %d: tracer %s left no summary document: %s",
				rep + 1, cs[i].name, last_line(cs[i].err));
			goto out;
		}
	}
	json_object_object_add(r, "index", json_object_new_int(rep));
	json_object_object_add(r, "started", json_object_new_double(started));
	json_object_object_add(r, "exit_status", json_object_new_int(0));
	json_object_object_add(r, "docs", json_object_get(docs));
	json_object_array_add(reps, json_object_get(r));
	rc = 0;
out:
	stop_all(cs, nc);
	for (int i = 0; i < nc; i++)
		child_free(&cs[i]);
	json_object_put(docs);
	json_object_put(r);
	return rc;
}

static void print_summary(struct store *st, int64_t id)
{
	struct sample_set set;
	struct sample_stats s;

	if (store_samples(st, &id, 1, &set) <= 0)
		return;
	printf("%-52s %14s %12s %4s\n", "metric", "mean", "stddev", "n");
	for (int i = 0; i < set.n; i++) {
		stats_describe(set.m[i].v, set.m[i].n, &s);
		printf("%-52s %14.6g %12.4g %4d\n", set.m[i].key, s.mean, s.sd, s.n);
	}
	sample_set_free(&set);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts ro = { 0 };
	struct cmd_desc desc = {
		.name = "run",
		.summary = "Run a benchmark scenario and record every repeat in the results store.",
		.details = "SCENARIO is a scenario file (scenarios/*.scn, docs/scenarios.md). Tracers\n"
			   "listed in it run as `mmscope NAME --json` beside the workload and their\n"
			   "summaries are stored with the workload's result documents. The run is\n"
			   "written in one transaction after the last repeat: a failed or\n"
			   "interrupted run records nothing. Exit: 0 recorded, 1 run failed, 2 usage.",
		.extra = run_extra, .parse_extra = run_parse, .ctx = &ro,
		.no_common = true, .min_args = 1, .max_args = 1, .args_usage = "SCENARIO",
	};
	struct common_opts o;
	struct scenario s;
	struct host_info h;
	struct store *st;
	struct json_object *run, *reps;
	char err[1024], prog[PATH_MAX], cfg[65], uuid[64];
	char *wl_argv[SCN_MAX_ARGS + 1];
	struct sigaction sa = { .sa_handler = on_signal };
	int64_t id;
	int rc, repeats;

	rc = opts_parse(argc, argv, &desc, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (scenario_load(o.args[0], &s, err, sizeof(err)) < 0) {
		err_msg("%s", err);
		return 2;
	}
	if (scenario_kernel_check(&s, err, sizeof(err)) < 0) {
		err_msg("run: %s", err);
		return 2;
	}
	for (int i = 0; i < s.ntracers; i++)
		if (!tracer_find(s.tracers[i])) {
			err_msg("run: %s: tracer '%s' is not built into this mmscope",
				s.path, s.tracers[i]);
			return 2;
		}
	if (resolve_workload(&s, prog, sizeof(prog)) < 0) {
		err_msg("run: %s: workload program '%s' not found (bare names are looked up "
			"beside mmscope, then in $PATH; run make?)", s.path, s.argv[0]);
		return 2;
	}
	memcpy(wl_argv, s.argv, sizeof(wl_argv));
	wl_argv[0] = prog;
	repeats = ro.repeats ? ro.repeats : s.repeats;
	if (ro.dry_run) {
		printf("scenario %s (%s), sha256 %s\nkernel: %s\nrepeats: %d, timeout %g s each\nworkload:",
		       s.name, s.path, s.hash, scn_kernel_name(s.kernel), repeats, s.timeout_s);
		for (int i = 0; wl_argv[i]; i++)
			printf(" %s", wl_argv[i]);
		printf("\ntracers:");
		for (int i = 0; i < s.ntracers; i++)
			printf(" %s", s.tracers[i]);
		printf("%s\n", s.ntracers ? "" : " none");
		return 0;
	}
	st = store_open(ro.db, err, sizeof(err));
	if (!st) {
		err_msg("run: %s", err);
		return 2;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	host_info_get(&h);
	kernel_config_hash(cfg);
	new_uuid(uuid, sizeof(uuid));
	run = json_object_new_object();
	reps = json_object_new_array();
	json_object_object_add(run, "uuid", json_object_new_string(uuid));
	json_object_object_add(run, "scenario", json_object_new_string(s.name));
	json_object_object_add(run, "scenario_hash", json_object_new_string(s.hash));
	json_object_object_add(run, "tag", json_object_new_string(ro.tag ? ro.tag : ""));
	json_object_object_add(run, "kernel", json_object_new_string(h.kernel));
	json_object_object_add(run, "kernel_config_hash", json_object_new_string(cfg));
	json_object_object_add(run, "machine", json_object_new_string(h.machine));
	json_object_object_add(run, "cpu_model", json_object_new_string(h.cpu_model));
	json_object_object_add(run, "ncpus", json_object_new_int(h.ncpus));
	json_object_object_add(run, "mem_bytes", json_object_new_int64((int64_t)h.mem_bytes));
	json_object_object_add(run, "mmscope_commit", json_object_new_string(MMSCOPE_COMMIT));
	json_object_object_add(run, "started", json_object_new_double(wall_time()));

	rc = 0;
	for (int i = 0; i < repeats && !interrupted; i++) {
		double t = now_ns() / 1e9;

		if (run_repeat(&s, wl_argv, i, reps) < 0) {
			rc = 1;
			break;
		}
		fprintf(stderr, "mmscope: run: %s: repeat %d/%d done in %.2f s\n", s.name,
			i + 1, repeats, now_ns() / 1e9 - t);
	}
	if (interrupted) {
		err_msg("run: interrupted by signal %d; nothing recorded", (int)interrupted);
		rc = 130;
	} else if (rc) {
		err_msg("run: %s failed; nothing recorded", s.name);
	} else {
		json_object_object_add(run, "finished", json_object_new_double(wall_time()));
		json_object_object_add(run, "repeats", json_object_get(reps));
		if (store_add_run(st, run, &id, err, sizeof(err)) != 0) {
			err_msg("run: recording the run: %s", err);
			rc = 1;
		} else {
			printf("recorded run %lld: scenario %s, %d repeats, kernel %s%s%s, store %s\n",
			       (long long)id, s.name, repeats, h.kernel, ro.tag ? ", tag " : "",
			       ro.tag ? ro.tag : "", store_path(st));
			print_summary(st, id);
		}
	}
	json_object_put(reps);
	json_object_put(run);
	store_close(st);
	return rc;
}
