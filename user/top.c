// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope top: every tracer at once, refreshed each interval. Each tracer
 * fills its own sub-document; the top document nests them under "tracers"
 * and merges their metrics as "TRACER.NAME" so one line carries everything.
 *
 * On a terminal it behaves like top: each frame fits the window (the header
 * stays, each tracer's section gets its share of the rows, lines are cut
 * at the width), a resize (SIGWINCH) redraws at once, and keys act at once:
 * q quits, f/p/c sort the process tables (most first, by pid, by command).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "jsonout.h"
#include "loop.h"
#include "ready.h"
#include "tracers.h"
#include "util.h"


struct top_ctx {
	const struct common_opts *o;
	int n;
	struct tracer_set ts;	/* the tracers, their state and modes */
	bool tty;		/* stdout is a terminal: full-screen frames */
	bool keys;		/* stdin is a terminal in raw mode: keys */
	struct json_object *last;	/* the frame on screen, for redraws */
	double last_interval;
	char sort;		/* 'f' most first, 'p' pid, 'c' command */
};

static volatile sig_atomic_t winch;
static struct termios saved_tio;

static void on_winch(int sig)
{
	winch = 1;
}

static char tracer_names[256];

static int parse(int key, const char *arg, void *ctx)
{
	if (key != 't')
		return -1;
	if (strlen(arg) >= sizeof(tracer_names)) {
		err_msg("top: --tracers list too long");
		return -1;
	}
	if (!arg[0]) {	/* "" is not "all": say so, as for a bad name */
		err_msg("top: --tracers needs at least one tracer name");
		return -1;
	}
	strcpy(tracer_names, arg);
	return 0;
}

static struct cmd_desc desc = {
	.interval_args = true,
	.name = "top",
	.summary = "All tracers at once (vmalock, faultlat, ptmem, ptshare), refreshed every\n"
		   "interval like top. The final summary is printed on Ctrl-C or --duration.",
	.extra = (const struct extra_opt[]) {
		{ { "tracers", required_argument, NULL, 't' }, "LIST",
		  "comma-separated subset, e.g. vmalock,ptmem (default: all built in)" },
		{ { NULL } },
	},
	.parse_extra = parse,
};

static void merge_metrics(struct json_object *top, const char *prefix,
			  struct json_object *sub)
{
	struct json_object *m;

	if (!json_object_object_get_ex(sub, "metrics", &m))
		return;
	json_object_object_foreach(m, k, v) {
		char key[160];

		snprintf(key, sizeof(key), "%s.%s", prefix, k);
		doc_metric(top, key, json_object_get_double(v));
	}
}

/* The figure a table is sorted on by default (most first). */
static double row_weight(struct json_object *r)
{
	struct json_object *v;

	if (json_object_object_get_ex(r, "faults", &v) ||
	    json_object_object_get_ex(r, "pgtables_bytes", &v))
		return json_object_get_double(v);
	if (json_object_object_get_ex(r, "all", &v) &&
	    json_object_object_get_ex(v, "count", &v))
		return json_object_get_double(v);
	return 0;
}

static char sort_key = 'f';

static int row_cmp(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	struct json_object *vx, *vy;

	switch (sort_key) {
	case 'p':
		json_object_object_get_ex(x, "pid", &vx);
		json_object_object_get_ex(y, "pid", &vy);
		return json_object_get_int(vx) - json_object_get_int(vy);
	case 'c':
		json_object_object_get_ex(x, "comm", &vx);
		json_object_object_get_ex(y, "comm", &vy);
		return strcmp(json_object_get_string(vx) ?: "", json_object_get_string(vy) ?: "");
	default: {
		double wx = row_weight(x), wy = row_weight(y);

		return (wx < wy) - (wx > wy);
	}
	}
}

static const char *sort_name(char k)
{
	return k == 'p' ? "pid" : k == 'c' ? "command" : "most first";
}

/* A tracer's text report of sub, as lines (malloc'ed buffer, cut in place). */
static int report_lines(struct top_ctx *c, int i, struct json_object *sub,
			char **buf, char **lines, int max)
{
	size_t len = 0;
	FILE *f = open_memstream(buf, &len);
	int n = 0;

	if (!f)
		return 0;
	c->ts.t[i]->print(c->ts.st[i], sub, false, f);
	fclose(f);
	for (char *p = *buf; p && *p && n < max; ) {
		char *nl = strchr(p, '\n');

		lines[n++] = p;
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	return n;
}

#define TOP_MAX_LINES 4096

/*
 * One frame: the header, then each tracer's section in its share of the
 * rows (a trimmed section ends with how many lines it could not show),
 * every line cut at the width, no newline after the last row (it would
 * scroll the header away).
 */
static void render(struct top_ctx *c)
{
	struct winsize ws = { 0 };
	struct json_object *subs;
	int rows = 24, cols = 80, avail, row = 0;
	char ts[16];
	time_t now = time(NULL);

	if (!c->last || !json_object_object_get_ex(c->last, "tracers", &subs))
		return;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
	fputs("\033[H\033[2J", stdout);
#define LINE(...) do {							\
	char _l[1024];							\
	int _n = snprintf(_l, sizeof(_l), __VA_ARGS__);			\
	if (row >= rows)						\
		break;							\
	if (_n > cols)							\
		_l[cols] = 0;						\
	fputs(row ? "\n" : "", stdout);					\
	fputs(_l, stdout);						\
	row++;								\
} while (0)
	LINE("mmscope top %s  sort: %s  interval %.2fs  %d tracers",
	     ts, sort_name(c->sort), c->last_interval, c->ts.n);
	LINE("keys: q quit  f most first  p pid  c command");
	avail = rows - 2;
	sort_key = c->sort;
	for (int i = 0; i < c->ts.n; i++) {
		int share = avail / c->ts.n + (i < avail % c->ts.n), nl, show;
		struct json_object *sub, *procs;
		char *buf = NULL, **lines = calloc(TOP_MAX_LINES, sizeof(*lines));

		if (!lines)
			break;
		json_object_object_get_ex(subs, c->ts.t[i]->name, &sub);
		if (json_object_object_get_ex(sub, "processes", &procs) &&
		    json_object_is_type(procs, json_type_array))
			json_object_array_sort(procs, row_cmp);
		nl = report_lines(c, i, sub, &buf, lines, TOP_MAX_LINES);
		if (share >= 1)
			LINE("== %s (%s mode) ==", c->ts.t[i]->name, mode_name(c->ts.mode[i]));
		show = nl <= share - 1 ? nl : share - 2;
		for (int j = 0; j < show; j++)
			LINE("%s", lines[j]);
		if (show < nl && share >= 2)
			LINE("  ... %d more lines (a taller window shows them)", nl - show);
		free(lines);
		free(buf);
	}
#undef LINE
	fflush(stdout);
}

static void restore_tty(void)
{
	tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

/* Keys without Enter, no echo; Ctrl-C still a signal. */
static void keys_setup(struct top_ctx *c)
{
	struct termios t;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;	/* no SA_RESTART: wakes poll() */
	sigaction(SIGWINCH, &sa, NULL);
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio))
		return;
	t = saved_tio;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return;
	atexit(restore_tty);
	c->keys = true;
}

/* Between frames: keys and resizes act at once. */
static void top_wait(void *p, uint64_t deadline)
{
	struct top_ctx *c = p;

	while (!loop_stop) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		uint64_t now = now_ns();
		int n;
		char ch;

		if (now >= deadline)
			return;
		n = poll(&pfd, c->keys ? 1 : 0, (int)((deadline - now) / 1000000) + 1);
		if (winch) {
			winch = 0;
			render(c);
		}
		if (n <= 0)
			continue;
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
			c->keys = false;
			continue;
		}
		if (read(STDIN_FILENO, &ch, 1) != 1)
			continue;
		switch (ch) {
		case 'q': case 'Q':
			loop_stop = 1;
			return;
		case 'f': case 'p': case 'c':
			c->sort = ch;
			render(c);
			break;
		}
	}
}

static int tick(void *p, double interval_s, bool final)
{
	struct top_ctx *c = p;
	struct json_object *doc = doc_new("top", final ? "summary" : "interval", NULL);
	struct json_object *subs = json_object_new_object();

	json_object_object_add(doc, "interval_s", json_object_new_double(interval_s));
	if (final)
		doc_add_host(doc);
	json_object_object_add(doc, "tracers", subs);
	for (int i = 0; i < c->ts.n; i++) {
		struct json_object *sub = doc_new(c->ts.t[i]->name,
						  final ? "summary" : "interval",
						  mode_name(c->ts.mode[i]));

		json_object_object_add(sub, "interval_s", json_object_new_double(interval_s));
		if (c->ts.t[i]->collect(c->ts.st[i], interval_s, final, sub) < 0) {
			json_object_put(sub);
			json_object_put(doc);
			return -1;
		}
		merge_metrics(doc, c->ts.t[i]->name, sub);
		json_object_object_add(subs, c->ts.t[i]->name, sub);
	}
	if (c->o->json) {
		doc_emit(doc);
		return 0;
	}
	if (c->tty && !final) {
		json_object_put(c->last);
		c->last = doc;
		c->last_interval = interval_s;
		render(c);
		return 0;
	}
	if (c->tty)	/* the summary below the last frame, in full */
		fputs("\n\n", stdout);
	if (c->o->timestamp) {	/* -T (a frame has the time in its header) */
		char ts[16];
		time_t now = time(NULL);

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
		printf("%s\n", ts);
	}
	printf("mmscope top - %s - interval %.2fs%s\n", final ? "summary" : "live",
	       interval_s, final ? " (whole run)" : "");
	for (int i = 0; i < c->ts.n; i++) {
		struct json_object *sub;

		json_object_object_get_ex(subs, c->ts.t[i]->name, &sub);
		printf("\n== %s (%s mode) ==\n", c->ts.t[i]->name, mode_name(c->ts.mode[i]));
		c->ts.t[i]->print(c->ts.st[i], sub, final, stdout);
	}
	fflush(stdout);
	json_object_put(doc);
	return 0;
}

/* All attached: tell a starter (bench/overhead), with the modes in use. */
static void signal_ready(const struct top_ctx *c)
{
	char modes[64] = "";

	for (int i = 0; i < c->ts.n; i++) {
		const char *m = mode_name(c->ts.mode[i]);

		if (!strstr(modes, m))
			snprintf(modes + strlen(modes), sizeof(modes) - strlen(modes), "%s%s",
				 modes[0] ? "," : "", m);
	}
	ready_signal(modes);
}

int cmd_top(int argc, char **argv)
{
	struct common_opts o;
	struct top_ctx c = { .o = &o };
	int err;

	err = opts_parse(argc, argv, &desc, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (tracer_set_parse(&c.ts, "top", tracer_names[0] ? tracer_names : NULL))
		return 2;
	if (require_bpf_privileges("top") || require_btf("top"))
		return 1;
	tracer_libbpf_setup(o.verbose);
	loop_install_signals();
	if (tracer_set_start(&c.ts, &o))
		return 1;
	signal_ready(&c);
	c.tty = isatty(STDOUT_FILENO) && !o.json;
	c.sort = 'f';
	if (c.tty)
		keys_setup(&c);
	if (!o.json)
		fprintf(stderr, "mmscope top: tracing with %d tracers... %s to stop\n", c.ts.n,
			c.keys ? "q or Ctrl-C" : "Ctrl-C");
	err = c.tty ? loop_run_wait(&o, tick, top_wait, &c) : loop_run(&o, tick, &c);
	json_object_put(c.last);
	if (c.keys)
		restore_tty();
	tracer_set_stop(&c.ts);
	return err < 0 ? 1 : 0;
}
