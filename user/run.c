// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope run SCENARIO: run a scenario's workload `repeats` times with its
 * tracers attached, and record every repeat with its environment in the
 * results store, each document as soon as it is complete (a run that stops
 * early keeps what finished, marked partial).
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
#include "hostnoise.h"
#include "jsonout.h"
#include "opts.h"
#include "ready.h"
#include "scenario.h"
#include "store.h"
#include "tracers.h"
#include "util.h"

#ifndef MMSCOPE_COMMIT
#define MMSCOPE_COMMIT "unknown"
#endif

struct run_opts {
	const char *tag, *db;
	int repeats;	/* 0: the scenario's */
	bool dry_run;
	double db_timeout;
	const char *sets[32];	/* --set KEY=VALUE, in order */
	int nsets;
};

enum { OPT_TAG = 0x2000, OPT_DB, OPT_REPEATS, OPT_DRY_RUN, OPT_DB_TIMEOUT, OPT_SET };

static const struct extra_opt run_extra[] = {
	{ { "tag", required_argument, NULL, OPT_TAG }, "TAG",
	  "label the run (e.g. patched, thp-off); compare and runs select by it" },
	{ { "db", required_argument, NULL, OPT_DB }, STORE_DB_ARG, STORE_DB_HELP },
	{ { "repeats", required_argument, NULL, OPT_REPEATS }, "N",
	  "override the scenario's repeat count" },
	{ { "db-timeout", required_argument, NULL, OPT_DB_TIMEOUT }, "SECONDS",
	  "how long to wait for a store another process holds before writing the run to a file (default 30)" },
	{ { "set", required_argument, NULL, OPT_SET }, "KEY=VALUE",
	  "override the workload's --KEY (replaced, or added when its --help lists it), or "
	  "scenario.repeats/timeout/settle; repeatable (docs/scenarios.md)" },
	{ { "dry-run", no_argument, NULL, OPT_DRY_RUN }, NULL,
	  "check the scenario, kernel, tracers and workload, print the plan and the time "
	  "predicted from earlier runs, run nothing" },
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
	case OPT_SET:
		if (o->nsets >= (int)(sizeof(o->sets) / sizeof(o->sets[0]))) {
			err_msg("run: at most %zu --set", sizeof(o->sets) / sizeof(o->sets[0]));
			return -1;
		}
		o->sets[o->nsets++] = arg;
		return 0;
	case OPT_DB_TIMEOUT:
		if (parse_double(arg, 0.1, 86400, &o->db_timeout) < 0) {
			err_msg("run: --db-timeout '%s' must be 0.1 to 86400 seconds", arg);
			return -1;
		}
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

/*
 * Bounds on what is kept of a child's output: a workload may print hundreds
 * of megabytes. Documents are parsed line by line as they arrive and only
 * they are kept; a line longer than LINE_CAP cannot be a document of ours
 * and is dropped; of the workload's other stdout lines at most ECHO_CAP
 * bytes are passed on to stderr, the rest counted and said at the end.
 */
#define LINE_CAP	(16u << 20)
#define ECHO_CAP	(1u << 20)
#define ERR_TAIL	4096

struct child;
typedef void (*doc_fn)(struct child *c, struct json_object *doc, void *ctx);

/* A child whose stdout (and maybe stderr) we read. */
struct child {
	pid_t pid;
	int out_fd, err_fd;
	char *line;		/* the stdout line being read */
	size_t line_len, line_cap;
	bool line_skip;		/* inside a line longer than LINE_CAP */
	char err[ERR_TAIL];	/* the last bytes of its stderr (tracers) */
	size_t err_len;
	int status;
	bool reaped;
	const char *name;
	int ready_fd;		/* tracers: read end of the readiness pipe */
	bool ready;
	bool echo_other;	/* pass non-document lines on to stderr */
	const char *want_kind;	/* NULL: result and summary documents */
	doc_fn on_doc;		/* called with each wanted document (it takes a ref) */
	void *ctx;
	int ndocs;
};

/* Non-document workload output on its way to stderr: buffered, capped. */
static struct {
	char buf[65536];
	size_t len;
	unsigned long long echoed, dropped, dropped_lines;
} echo;

static void echo_flush(void)
{
	size_t off = 0;

	while (off < echo.len) {
		ssize_t n = write(2, echo.buf + off, echo.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	echo.len = 0;
}

static void echo_line(const char *p, size_t len)
{
	if (echo.echoed + len + 1 > ECHO_CAP) {
		echo.dropped += len + 1;
		echo.dropped_lines++;
		return;
	}
	if (echo.len + len + 1 > sizeof(echo.buf))
		echo_flush();
	if (len + 1 > sizeof(echo.buf)) {
		echo_flush();
		if (write(2, p, len) < 0 || write(2, "\n", 1) < 0)
			return;
	} else {
		memcpy(echo.buf + echo.len, p, len);
		echo.buf[echo.len + len] = '\n';
		echo.len += len + 1;
	}
	echo.echoed += len + 1;
}

/* One complete stdout line of c: a wanted document goes to c->on_doc. */
static void take_line(struct child *c, char *line, size_t len)
{
	struct json_object *doc = NULL, *v;
	const char *kind = NULL;
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == '{') {
		line[len] = '\0';
		doc = json_tokener_parse(line + i);
		if (doc && json_object_is_type(doc, json_type_object) &&
		    json_object_object_get_ex(doc, "schema", &v) &&
		    !strcmp(json_object_get_string(v), MMSCOPE_SCHEMA) &&
		    json_object_object_get_ex(doc, "kind", &v))
			kind = json_object_get_string(v);
	}
	if (kind && (!c->want_kind ? (!strcmp(kind, "result") || !strcmp(kind, "summary"))
				   : !strcmp(kind, c->want_kind))) {
		c->ndocs++;
		if (c->on_doc)
			c->on_doc(c, doc, c->ctx);
	} else if (!kind && c->echo_other && len) {
		echo_line(line, len);
	}
	json_object_put(doc);
}

static void take_out(struct child *c, const char *data, size_t n)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t k = nl ? (size_t)(nl - data) : n;

		if (c->line_skip) {
			echo.dropped += k + (nl ? 1 : 0);
		} else if (c->line_len + k > LINE_CAP) {
			/* too long to be a document: drop it whole */
			echo.dropped += c->line_len + k + (nl ? 1 : 0);
			echo.dropped_lines++;
			c->line_len = 0;
			c->line_skip = true;
		} else {
			if (c->line_len + k + 1 > c->line_cap) {
				c->line_cap = (c->line_len + k + 1) * 2;
				c->line = realloc(c->line, c->line_cap);
				if (!c->line)
					abort();
			}
			memcpy(c->line + c->line_len, data, k);
			c->line_len += k;
		}
		if (!nl)
			return;
		if (!c->line_skip)
			take_line(c, c->line, c->line_len);
		c->line_len = 0;
		c->line_skip = false;
		data += k + 1;
		n -= k + 1;
	}
}

static void take_err(struct child *c, const char *data, size_t n)
{
	if (n >= ERR_TAIL) {
		memcpy(c->err, data + n - (ERR_TAIL - 1), ERR_TAIL - 1);
		c->err_len = ERR_TAIL - 1;
	} else {
		if (c->err_len + n >= ERR_TAIL) {
			size_t drop = c->err_len + n - (ERR_TAIL - 1);

			memmove(c->err, c->err + drop, c->err_len - drop);
			c->err_len -= drop;
		}
		memcpy(c->err + c->err_len, data, n);
		c->err_len += n;
	}
	c->err[c->err_len] = '\0';
}

/* Start argv with stdout (and stderr if capture_err) on pipes, in its own process group. */
static int child_start(struct child *c, char *const argv[], const char *name,
		       bool capture_err, int repeat)
{
	int out[2], err[2] = { -1, -1 }, rdy[2] = { -1, -1 };

	/* the caller set the document handling (echo_other, on_doc...) */
	c->name = name;
	c->out_fd = c->err_fd = c->ready_fd = -1;
	/* tracers (capture_err) say on fd 3 when they are attached */
	if (pipe2(out, O_CLOEXEC) || (capture_err && pipe2(err, O_CLOEXEC)) ||
	    (capture_err && ready_pipe(rdy))) {
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
		/*
		 * If mmscope dies (even SIGKILL), do not outlive it: tracers get
		 * SIGINT so they detach cleanly, workloads SIGTERM so they can
		 * undo what they changed (sga-bench: hugepages, the THP policy).
		 * On its own exit paths mmscope follows with SIGKILL after a
		 * grace period (stop_all), so a workload that ignores SIGTERM
		 * still goes.
		 */
		prctl(PR_SET_PDEATHSIG, capture_err ? SIGINT : SIGTERM);
		if (getppid() == 1)
			_exit(127);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		dup2(out[1], 1);
		if (capture_err) {
			dup2(err[1], 2);
			ready_child_setup(rdy[1]);
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
	static char buf[65536];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n > 0) {
		if (is_err)
			take_err(c, buf, n);
		else
			take_out(c, buf, n);
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		/* a last line without its newline still counts */
		if (!is_err && c->line_len && !c->line_skip)
			take_line(c, c->line, c->line_len);
		c->line_len = 0;
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
			break;
		if (poll(p, np, 200) < 0)
			continue;
		for (int i = 0; i < np; i++)
			if (p[i].revents)
				child_read(who[i], isErr[i] ? &who[i]->err_fd : &who[i]->out_fd, isErr[i]);
		echo_flush();
		/* a tracer that died early must not be waited for */
		for (int i = 0; i < n; i++)
			if (!cs[i].reaped && waitpid(cs[i].pid, &cs[i].status, WNOHANG) == cs[i].pid)
				cs[i].reaped = true;
		if (until && until->reaped && until->out_fd < 0)
			break;
	}
	echo_flush();
}

/*
 * Reap c, waiting up to secs, then SIGKILL its process group. Its pipes
 * are drained (and what arrives discarded) meanwhile, so a child cleaning
 * up after SIGTERM is not blocked writing to a full pipe.
 */
static void child_reap(struct child *c, double secs)
{
	double end = now_ns() / 1e9 + secs;
	char buf[65536];

	while (!c->reaped) {
		struct pollfd p[2];
		int np = 0;

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
		if (c->out_fd >= 0)
			p[np++] = (struct pollfd){ c->out_fd, POLLIN, 0 };
		if (c->err_fd >= 0)
			p[np++] = (struct pollfd){ c->err_fd, POLLIN, 0 };
		if (poll(p, np, 20) > 0)
			for (int i = 0; i < np; i++)
				if (p[i].revents && read(p[i].fd, buf, sizeof(buf)) == 0) {
					close(p[i].fd);
					if (p[i].fd == c->out_fd)
						c->out_fd = -1;
					else
						c->err_fd = -1;
				}
	}
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->out_fd = c->err_fd = -1;
}

static void child_free(struct child *c)
{
	free(c->line);
	c->line = NULL;
	c->line_cap = c->line_len = 0;
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
			int r;

			if (cs[i].ready)
				continue;
			r = ready_read(cs[i].ready_fd, NULL, 0);
			if (r > 0) {
				cs[i].ready = true;
			} else if (r < 0 || cs[i].reaped) {
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
	char tmp[PATH_MAX];
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
	if (!exe_path(prog, out, len) && !access(out, X_OK))
		return 0;
	snprintf(out, len, "%s", prog);	/* execvp searches $PATH */
	{
		char *found = path_lookup(prog);

		free(found);
		return found ? 0 : -1;
	}
}

/* SIGTERM the workload, SIGINT the tracers; SIGKILL whoever is left after 5 s. */
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
 * The run as it is recorded: each document goes to the store the moment it
 * is complete, in its own transaction. The same documents are kept in
 * memory in the export format, so that when the store cannot take them
 * (locked for longer than --db-timeout, disk full) the run is written to a
 * file `mmscope import` reads instead of being lost.
 */
struct recorder {
	struct store *st;
	struct json_object *run;	/* export format; its "repeats" grows */
	int64_t id;			/* 0: not in the store (yet) */
	bool failed;			/* the store refused: the file takes the run */
	char why[1024];			/* the store's error */
	int ndocs;
	const char *scenario;
	double rep_est_s;		/* expected length of a repeat (NAN: unknown) */
	int repeats;
};

static struct json_object *rec_repeat_obj(struct recorder *r, int rep, double started)
{
	struct json_object *reps, *e;

	json_object_object_get_ex(r->run, "repeats", &reps);
	for (size_t i = 0; i < json_object_array_length(reps); i++) {
		struct json_object *v;

		e = json_object_array_get_idx(reps, i);
		if (json_object_object_get_ex(e, "index", &v) && json_object_get_int(v) == rep)
			return e;
	}
	e = json_object_new_object();
	json_object_object_add(e, "index", json_object_new_int(rep));
	json_object_object_add(e, "started", json_object_new_double(started));
	json_object_object_add(e, "docs", json_object_new_array());
	json_object_array_add(reps, e);
	return e;
}

static void rec_fail(struct recorder *r, const char *err)
{
	if (r->failed)
		return;
	r->failed = true;
	snprintf(r->why, sizeof(r->why), "%s", err);
	err_msg("run: the results store cannot take documents (%s); keeping them for a file", err);
}

static void rec_doc(struct recorder *r, int rep, double rep_started, const char *source,
		    struct json_object *doc)
{
	struct json_object *e = json_object_new_object(), *docs;
	char err[1024];

	json_object_object_add(e, "source", json_object_new_string(source));
	json_object_object_add(e, "doc", json_object_get(doc));
	json_object_object_get_ex(rec_repeat_obj(r, rep, rep_started), "docs", &docs);
	json_object_array_add(docs, e);
	r->ndocs++;
	if (r->failed)
		return;
	if (!r->id && store_run_begin(r->st, r->run, &r->id, err, sizeof(err)) < 0) {
		r->id = 0;
		rec_fail(r, err);
		return;
	}
	if (store_run_doc(r->st, r->id, rep, rep_started, source, doc, err, sizeof(err)) < 0) {
		rec_fail(r, err);
		return;
	}
	if (!strcmp(source, "workload")) {
		struct json_object *v;

		fprintf(stderr, "mmscope: run: %s: repeat %d: stored %s %s document\n", r->scenario,
			rep + 1, json_object_object_get_ex(doc, "tool", &v) ? json_object_get_string(v) : "?",
			json_object_object_get_ex(doc, "mode", &v) ? json_object_get_string(v) : "");
	}
}

/* host: the repeat's host-noise figures (hostnoise.h) or NULL; not taken. */
static void rec_repeat_done(struct recorder *r, int rep, double started, double wall_s, int status,
			    struct json_object *host)
{
	struct json_object *e = rec_repeat_obj(r, rep, started);
	char err[1024];

	json_object_object_add(e, "wall_s", json_object_new_double(wall_s));
	json_object_object_add(e, "exit_status", json_object_new_int(status));
	if (host)
		json_object_object_add(e, "host", json_object_get(host));
	if (!r->failed && r->id &&
	    store_run_repeat(r->st, r->id, rep, started, wall_s, status, host, err, sizeof(err)) < 0)
		rec_fail(r, err);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= k;
	}
	return 0;
}

/*
 * The run in the export format, beside the store if the disk there takes
 * it, else in $TMPDIR or /tmp: written to a temporary name, synced, renamed.
 */
static int rec_write_file(struct recorder *r, char *path, size_t len)
{
	char tmpdir_buf[PATH_MAX], tmp[PATH_MAX + 16], uuid[80];
	const char *dirs[3], *t = getenv("TMPDIR");
	struct json_object *top = json_object_new_object(), *runs = json_object_new_array(), *v;
	int rc = -1, nd = 0;

	json_object_object_get_ex(r->run, "uuid", &v);
	snprintf(uuid, sizeof(uuid), "%s", json_object_get_string(v));
	snprintf(tmpdir_buf, sizeof(tmpdir_buf), "%s", store_path(r->st));
	/* a database server's store has no directory here: $TMPDIR first */
	if (!store_is_url(tmpdir_buf))
		dirs[nd++] = dirname(tmpdir_buf);
	dirs[nd++] = t && *t ? t : "/tmp";
	dirs[nd++] = "/tmp";
	json_object_object_add(top, "schema", json_object_new_string(STORE_EXPORT_SCHEMA));
	json_object_object_add(top, "exported", json_object_new_double(wall_time()));
	json_object_object_add(top, "mmscope_commit", json_object_new_string(MMSCOPE_COMMIT));
	json_object_object_add(top, "note", json_object_new_string(
		"written by mmscope run because the results store could not take the run; "
		"mmscope import --db STORE FILE records it"));
	json_object_array_add(runs, json_object_get(r->run));
	json_object_object_add(top, "runs", runs);
	for (int i = 0; i < nd && rc; i++) {
		const char *text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN);
		size_t n = strlen(text);
		int fd;

		snprintf(path, len, "%s/mmscope-run-%s.json", dirs[i], uuid);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			continue;
		if (write_all(fd, text, n) == 0 && write_all(fd, "\n", 1) == 0 && fsync(fd) == 0 &&
		    close(fd) == 0 && rename(tmp, path) == 0) {
			rc = 0;
			break;
		}
		if (fcntl(fd, F_GETFD) >= 0)
			close(fd);
		unlink(tmp);
	}
	json_object_put(top);
	return rc;
}

static void fmt_dur(double s, char *buf, size_t len);

struct tracer_ctx {
	struct json_object *summary;	/* the last summary the tracer printed */
};

static void tracer_doc(struct child *c, struct json_object *doc, void *ctx)
{
	struct tracer_ctx *t = ctx;

	(void)c;
	json_object_put(t->summary);
	t->summary = json_object_get(doc);
}

struct workload_ctx {
	struct recorder *rec;
	int rep;
	double started;
};

static void workload_doc(struct child *c, struct json_object *doc, void *ctx)
{
	struct workload_ctx *w = ctx;

	(void)c;
	rec_doc(w->rec, w->rep, w->started, "workload", doc);
}

/*
 * One repeat: tracers first (given settle_s to attach), then the workload,
 * whose documents are recorded as it prints them; when it exits, SIGINT
 * the tracers and record their summaries. 0: the repeat is whole; -1 with
 * why set: it is not (what it recorded stays).
 */
static int run_repeat(const struct scenario *s, char *const wl_argv[], int rep,
		      struct recorder *rec, char *why, size_t whylen)
{
	struct child cs[1 + SCN_MAX_TRACERS];
	struct tracer_ctx tctx[1 + SCN_MAX_TRACERS];
	struct workload_ctx wctx = { rec, rep, wall_time() };
	struct hostnoise hn;
	struct json_object *host = NULL;
	pid_t tracer_pids[SCN_MAX_TRACERS];
	int nc = 0, rc = -1;
	char self[PATH_MAX];
	double t0, deadline;

	if (exe_path(NULL, self, sizeof(self)))
		self[0] = '\0';
	memset(cs, 0, sizeof(cs));
	memset(tctx, 0, sizeof(tctx));
	*why = '\0';
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
		cs[nc].want_kind = "summary";
		cs[nc].on_doc = tracer_doc;
		cs[nc].ctx = &tctx[nc];
		if (child_start(&cs[nc], argv, s->tracers[i], true, rep) < 0) {
			snprintf(why, whylen, "repeat %d: cannot start tracer %s", rep + 1, s->tracers[i]);
			goto out;
		}
		nc++;
	}
	if (s->ntracers) {
		/* wait for the tracers to attach, then let them settle; fail
		 * fast if one dies */
		if (!wait_ready(cs + 1, nc - 1, READY_TIMEOUT_S) && !interrupted) {
			for (int i = 1; i < nc; i++) {
				if (cs[i].ready)
					continue;
				if (cs[i].reaped || cs[i].ready_fd < 0) {
					pump(cs + i, 1, now_ns() / 1e9 + 2, &cs[i]);
					snprintf(why, whylen, "repeat %d: tracer %s exited before the workload started: %s",
						 rep + 1, cs[i].name, last_line(cs[i].err));
				} else {
					snprintf(why, whylen, "repeat %d: tracer %s did not attach within %d s",
						 rep + 1, cs[i].name, READY_TIMEOUT_S);
				}
				break;
			}
			goto out;
		}
		pump(cs + 1, nc - 1, now_ns() / 1e9 + s->settle_s, NULL);
		for (int i = 1; i < nc; i++)
			if (cs[i].reaped) {
				snprintf(why, whylen, "repeat %d: tracer %s exited before the workload started: %s",
					 rep + 1, cs[i].name, last_line(cs[i].err));
				goto out;
			}
	}
	if (interrupted)
		goto out;
	/* what else the host does while the workload runs: from here to its reaping */
	for (int i = 1; i < nc; i++)
		tracer_pids[i - 1] = cs[i].pid;
	hostnoise_begin(&hn, tracer_pids, nc - 1);
	t0 = now_ns() / 1e9;
	wctx.started = wall_time();
	cs[0].echo_other = true;
	cs[0].on_doc = workload_doc;
	cs[0].ctx = &wctx;
	if (child_start(&cs[0], wl_argv, "workload", false, rep) < 0) {
		snprintf(why, whylen, "repeat %d: cannot start the workload", rep + 1);
		goto out;
	}
	deadline = t0 + s->timeout_s;
	/* a line a minute while it runs: how long so far, and the ETA if known */
	for (;;) {
		double now = now_ns() / 1e9;
		char el[32], eta[32];

		pump(cs, nc, now + 60 < deadline ? now + 60 : deadline, &cs[0]);
		now = now_ns() / 1e9;
		if (interrupted || cs[0].out_fd < 0 || now >= deadline)
			break;
		fmt_dur(now - t0, el, sizeof(el));
		if (isfinite(rec->rep_est_s) && rec->rep_est_s > now - t0) {
			fmt_dur(rec->rep_est_s - (now - t0) + rec->rep_est_s * (rec->repeats - rep - 1),
				eta, sizeof(eta));
			fprintf(stderr, "mmscope: run: %s: repeat %d/%d running for %s, ETA %s\n",
				s->name, rep + 1, rec->repeats, el, eta);
		} else {
			fprintf(stderr, "mmscope: run: %s: repeat %d/%d running for %s%s\n", s->name,
				rep + 1, rec->repeats, el,
				isfinite(rec->rep_est_s) ? " (longer than earlier runs)" : "");
		}
	}
	if (interrupted)
		goto out;
	if (!cs[0].reaped && now_ns() / 1e9 >= deadline) {
		snprintf(why, whylen, "repeat %d: workload ran past the scenario's timeout of %g s; stopped it",
			 rep + 1, s->timeout_s);
		goto out;
	}
	/* stdout closed: give it the rest of its time to exit */
	child_reap(&cs[0], deadline - now_ns() / 1e9 > 1 ? deadline - now_ns() / 1e9 : 1);
	host = hostnoise_end(&hn);
	/*
	 * A repeat counts only when its workload exits 0; the documents it
	 * printed before failing are already recorded, and the run is marked
	 * partial, which keeps it out of compare's verdicts unless asked.
	 */
	if (!WIFEXITED(cs[0].status) || WEXITSTATUS(cs[0].status)) {
		char after[96] = "";

		if (cs[0].ndocs)	/* its documents are stored: say how the repeat ended */
			rec_repeat_done(rec, rep, wctx.started, now_ns() / 1e9 - t0,
					WIFEXITED(cs[0].status) ? WEXITSTATUS(cs[0].status)
								: 128 + WTERMSIG(cs[0].status), host);

		if (cs[0].ndocs)
			snprintf(after, sizeof(after), " after printing %d result document%s (kept)",
				 cs[0].ndocs, cs[0].ndocs == 1 ? "" : "s");
		if (WIFEXITED(cs[0].status))
			snprintf(why, whylen, "repeat %d: workload %s exited with status %d%s",
				 rep + 1, s->argv[0], WEXITSTATUS(cs[0].status), after);
		else
			snprintf(why, whylen, "repeat %d: workload %s killed by signal %d%s",
				 rep + 1, s->argv[0], WTERMSIG(cs[0].status), after);
		goto out;
	}
	if (!cs[0].ndocs) {
		snprintf(why, whylen, "repeat %d: workload %s printed no mmscope/1 result documents "
			 "(does it take --json?)", rep + 1, s->argv[0]);
		goto out;
	}
	for (int i = 1; i < nc; i++) {
		if (cs[i].reaped) {
			snprintf(why, whylen, "repeat %d: tracer %s exited while the workload ran: %s",
				 rep + 1, cs[i].name, last_line(cs[i].err));
			goto out;
		}
		kill(cs[i].pid, SIGINT);
	}
	for (int i = 1; i < nc; i++) {
		pump(cs + i, 1, now_ns() / 1e9 + 10, &cs[i]);
		if (interrupted)
			goto out;
		child_reap(&cs[i], 1);
		if (!tctx[i].summary) {
			snprintf(why, whylen, "repeat %d: tracer %s left no summary document: %s",
				 rep + 1, cs[i].name, last_line(cs[i].err));
			goto out;
		}
	}
	for (int i = 1; i < nc; i++)
		rec_doc(rec, rep, wctx.started, "tracer", tctx[i].summary);
	rec_repeat_done(rec, rep, wctx.started, now_ns() / 1e9 - t0, 0, host);
	rc = 0;
out:
	json_object_put(host);
	stop_all(cs, nc);
	for (int i = 0; i < nc; i++) {
		child_free(&cs[i]);
		json_object_put(tctx[i].summary);
	}
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

static void fmt_dur(double s, char *buf, size_t len)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, len, "?");
	else if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min %02.0f s", floor(s / 60), fmod(s, 60));
	else
		snprintf(buf, len, "%.1f h", s / 3600);
}

/*
 * The workload's `--help` text (stdout and stderr, at most 64 KiB, 10 s), to
 * learn which options a --set may add. NULL when it cannot be run.
 */
static char *workload_help(const char *prog)
{
	static char buf[65536];
	size_t len = 0;
	int p[2], st;
	double end = now_ns() / 1e9 + 10;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl(prog, prog, "--help", (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(p[1]);
	for (;;) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		ssize_t n;

		if (now_ns() / 1e9 > end || poll(&pf, 1, 200) < 0)
			break;
		if (!pf.revents)
			continue;
		n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0 || (len += n) == sizeof(buf) - 1)
			break;
	}
	close(p[0]);
	kill(-pid, SIGKILL);
	waitpid(pid, &st, 0);
	buf[len] = '\0';
	return buf;
}

static const char *basename_of(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

/* The workload's value of --KEY (or --KEY=V) in its argv, or NULL. */
static const char *wl_option(char *const argv[], const char *key)
{
	size_t k = strlen(key);

	for (int i = 1; argv[i]; i++)
		if (!strncmp(argv[i], "--", 2) && !strncmp(argv[i] + 2, key, k)) {
			if (argv[i][2 + k] == '=')
				return argv[i] + 3 + k;
			if (!argv[i][2 + k] && argv[i + 1])
				return argv[i + 1];
		}
	return NULL;
}

/*
 * --dry-run's predicted time: the median wall time of one repeat over the
 * scenario's (as overridden: run_name) earlier complete runs, plus settle
 * when tracers attach, times the repeats. The store is only read: a dry run
 * creates nothing.
 */
static void print_prediction(const struct scenario *s, const char *db, int repeats,
			     char *const wl_argv[])
{
	char path[PATH_MAX], err[1024], a[64], b[64];
	struct store *st = NULL;
	const char *budget = wl_option(wl_argv, "budget");
	double med = NAN, settle = s->ntracers ? s->settle_s : 0;
	int n = 0, nruns = 0;

	if (db)
		snprintf(path, sizeof(path), "%s", db);
	else if (store_default_path(path, sizeof(path)) < 0)
		path[0] = '\0';
	if (path[0] && (store_is_url(path) || !access(path, F_OK)))
		st = store_open_readonly(path, err, sizeof(err));
	if (st) {
		med = store_scenario_repeat_median_s(st, s->run_name, &n, &nruns);
		store_close(st);
	}
	if (!n) {
		printf("predicted time: no earlier runs: no prediction\n");
	} else {
		fmt_dur((med + settle) * repeats, a, sizeof(a));
		snprintf(b, sizeof(b), "%.3f s", med);
		printf("predicted time: %.2f s (median repeat %s + settle %g s, x %d repeats; "
		       "from %d repeats of %d earlier complete run%s of %s): about %s\n",
		       (med + settle) * repeats, b, settle, repeats, n, nruns, nruns == 1 ? "" : "s",
		       s->run_name, a);
	}
	if (budget && !strcmp(basename_of(wl_argv[0]), "sga-bench")) {
		/* sga-bench plans its run to fit the budget: an upper bound without history */
		double b_s = parse_seconds(budget);

		if (isfinite(b_s) && b_s > 0) {
			fmt_dur(b_s * repeats, a, sizeof(a));
			printf("bound: sga-bench --budget %s bounds each repeat's measurement: at most "
			       "about %s for %d repeat%s, plus calibration and teardown (each repeat "
			       "stops at the timeout, %g s)\n", budget, a, repeats, repeats == 1 ? "" : "s",
			       s->timeout_s);
		}
	}
}

/*
 * The host a run is recorded as (a lab's shared store tells machines apart
 * by it): $MMSCOPE_HOSTNAME, else the host name.
 */
static const char *run_hostname(char *buf, size_t len)
{
	const char *env = getenv("MMSCOPE_HOSTNAME");

	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (gethostname(buf, len) < 0)
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
	return buf;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts ro = { .db_timeout = 30 };
	struct cmd_desc desc = {
		.name = "run",
		.summary = "Run a benchmark scenario and record every repeat in the results store.",
		.details = "SCENARIO is a scenario file (scenarios/*.scn, docs/scenarios.md). Tracers\n"
			   "listed in it run as `mmscope NAME --json` beside the workload and their\n"
			   "summaries are stored with the workload's result documents. Each document\n"
			   "is stored as soon as the workload prints it, in its own transaction: a\n"
			   "run that fails, times out or is interrupted keeps what finished and is\n"
			   "marked partial, with the reason (compare leaves partial runs out unless\n"
			   "--include-partial). If the store cannot take a document for --db-timeout\n"
			   "seconds (locked, disk full), the run is written to a file that\n"
			   "`mmscope import` reads, named in the error.\n"
			   "Exit: 0 recorded complete, 1 run failed or partial, 2 usage, 130 interrupted.",
		.extra = run_extra, .parse_extra = run_parse, .ctx = &ro,
		.no_common = true, .min_args = 1, .max_args = 1, .args_usage = "SCENARIO",
	};
	struct common_opts o;
	struct scenario s;
	struct host_info h;
	struct store *st;
	struct recorder rec = { 0 };
	char err[1024], prog[PATH_MAX], cfg[65], uuid[64], why[1024] = "", eta[64], hn[256];
	char *wl_argv[SCN_MAX_ARGS + 1];
	struct sigaction sa = { .sa_handler = on_signal };
	double per_rep, t_run;
	int rc, repeats, done = 0, nhist;

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
	{
		const char *help = NULL;

		for (int i = 0; i < ro.nsets; i++) {
			if (!help && scenario_set_needs_help(&s, ro.sets[i]))
				help = workload_help(prog);
			if (scenario_set(&s, ro.sets[i], help, err, sizeof(err)) < 0) {
				err_msg("run: %s", err);
				return 2;
			}
		}
	}
	memcpy(wl_argv, s.argv, sizeof(wl_argv));
	wl_argv[0] = prog;
	repeats = ro.repeats ? ro.repeats : s.repeats;
	if (ro.dry_run) {
		printf("scenario %s (%s), sha256 %s\nkernel: %s\nrepeats: %d, timeout %g s each\nworkload:",
		       s.run_name, s.path, s.hash, scn_kernel_name(s.kernel), repeats, s.timeout_s);
		for (int i = 0; wl_argv[i]; i++)
			printf(" %s", wl_argv[i]);
		printf("\ntracers:");
		for (int i = 0; i < s.ntracers; i++)
			printf(" %s", s.tracers[i]);
		printf("%s\n", s.ntracers ? "" : " none");
		if (s.nsets)
			printf("overrides: %s\n", s.overrides);
		print_prediction(&s, ro.db, repeats, wl_argv);
		return 0;
	}
	/* signals first: an interrupt while the store opens must not kill us half-way */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	st = store_open(ro.db, err, sizeof(err));
	if (!st) {
		err_msg("run: %s", err);
		return 2;
	}
	store_set_busy_timeout(st, ro.db_timeout);
	store_set_stop_flag(st, &interrupted);

	host_info_get(&h);
	kernel_config_hash(cfg);
	new_uuid(uuid, sizeof(uuid));
	rec.st = st;
	rec.scenario = s.run_name;
	rec.run = json_object_new_object();
	json_object_object_add(rec.run, "uuid", json_object_new_string(uuid));
	json_object_object_add(rec.run, "scenario", json_object_new_string(s.run_name));
	json_object_object_add(rec.run, "scenario_hash", json_object_new_string(s.hash));
	json_object_object_add(rec.run, "workload", json_object_new_string(s.workload));
	json_object_object_add(rec.run, "overrides", json_object_new_string(s.overrides));
	json_object_object_add(rec.run, "tag", json_object_new_string(ro.tag ? ro.tag : ""));
	json_object_object_add(rec.run, "kernel", json_object_new_string(h.kernel));
	json_object_object_add(rec.run, "kernel_config_hash", json_object_new_string(cfg));
	json_object_object_add(rec.run, "machine", json_object_new_string(h.machine));
	json_object_object_add(rec.run, "hostname", json_object_new_string(run_hostname(hn, sizeof(hn))));
	json_object_object_add(rec.run, "cpu_model", json_object_new_string(h.cpu_model));
	json_object_object_add(rec.run, "ncpus", json_object_new_int(h.ncpus));
	json_object_object_add(rec.run, "mem_bytes", json_object_new_int64((int64_t)h.mem_bytes));
	json_object_object_add(rec.run, "mmscope_commit", json_object_new_string(MMSCOPE_COMMIT));
	json_object_object_add(rec.run, "started", json_object_new_double(wall_time()));
	json_object_object_add(rec.run, "repeats", json_object_new_array());

	/* the ETA: this scenario's earlier complete runs, then this run's own repeats */
	per_rep = store_scenario_repeat_s(st, s.run_name, &nhist);
	t_run = now_ns() / 1e9;
	rc = 0;
	for (int i = 0; i < repeats && !interrupted; i++) {
		double t = now_ns() / 1e9;

		if (done)
			per_rep = (t - t_run) / done;
		rec.rep_est_s = per_rep;
		rec.repeats = repeats;
		fmt_dur(per_rep * (repeats - i), eta, sizeof(eta));
		if (isfinite(per_rep))
			fprintf(stderr, "mmscope: run: %s: repeat %d/%d (ETA %s, from %s)\n", s.name,
				i + 1, repeats, eta, done ? "this run's repeats" : "earlier runs in the store");
		else
			fprintf(stderr, "mmscope: run: %s: repeat %d/%d (no earlier run to estimate from)\n",
				s.name, i + 1, repeats);
		if (run_repeat(&s, wl_argv, i, &rec, why, sizeof(why)) < 0) {
			if (!interrupted)
				err_msg("run: %s", why);
			rc = 1;
			break;
		}
		done++;
		fmt_dur(now_ns() / 1e9 - t, eta, sizeof(eta));
		fprintf(stderr, "mmscope: run: %s: repeat %d/%d done in %.2f s\n", s.name,
			i + 1, repeats, now_ns() / 1e9 - t);
	}
	if (echo.dropped)
		err_msg("run: dropped %llu bytes (%llu lines) of the workload's non-JSON output "
			"past the first %u bytes passed on", echo.dropped, echo.dropped_lines, ECHO_CAP);
	if (interrupted) {
		snprintf(why, sizeof(why), "interrupted by signal %d after %d of %d repeats",
			 (int)interrupted, done, repeats);
		rc = 130;
	}
	if (!rec.ndocs) {
		/* nothing finished: nothing to keep */
		if (interrupted)
			err_msg("run: %s; nothing recorded", why);
		else
			err_msg("run: %s failed; nothing recorded", s.name);
		goto out;
	}
	json_object_object_add(rec.run, "finished", json_object_new_double(wall_time()));
	json_object_object_add(rec.run, "status", json_object_new_string(rc ? "partial" : "complete"));
	json_object_object_add(rec.run, "status_reason", rc ? json_object_new_string(why) : NULL);
	if (!rec.failed && store_run_finish(st, rec.id, rc ? "partial" : "complete", rc ? why : NULL,
					    wall_time(), err, sizeof(err)) < 0)
		rec_fail(&rec, err);
	if (rec.failed) {
		char path[PATH_MAX];

		if (rec_write_file(&rec, path, sizeof(path)) == 0)
			err_msg("run: the results store %s could not take the run (%s); its %d document%s "
				"%s in %s: record it with mmscope import --db %s %s", store_path(st), rec.why,
				rec.ndocs, rec.ndocs == 1 ? "" : "s", rec.ndocs == 1 ? "is" : "are", path,
				store_path(st), path);
		else
			err_msg("run: the results store %s could not take the run (%s), nor could a file "
				"(%s): the run is lost", store_path(st), rec.why, path);
		if (!rc)
			rc = 1;
		goto out;
	}
	if (rc) {
		printf("recorded partial run %lld: scenario %s, %d of %d repeats whole, kernel %s%s%s, store %s\n"
		       "partial: %s\n", (long long)rec.id, s.run_name, done, repeats, h.kernel,
		       ro.tag ? ", tag " : "", ro.tag ? ro.tag : "", store_path(st), why);
		err_msg("run: %s: what finished is recorded as partial run %lld (%d document%s)",
			s.name, (long long)rec.id, rec.ndocs, rec.ndocs == 1 ? "" : "s");
	} else {
		printf("recorded run %lld: scenario %s, %d repeats, kernel %s%s%s, store %s\n",
		       (long long)rec.id, s.run_name, repeats, h.kernel, ro.tag ? ", tag " : "",
		       ro.tag ? ro.tag : "", store_path(st));
	}
	print_summary(st, rec.id);
	fflush(stdout);
out:
	json_object_put(rec.run);
	store_close(st);
	return rc;
}
