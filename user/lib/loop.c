// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <string.h>
#include <time.h>

#include "loop.h"
#include "util.h"

volatile int loop_stop;

static void on_signal(int sig)
{
	loop_stop = 1;
}

void loop_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: wake nanosleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sleep until the monotonic deadline, returning early on a signal. */
static void sleep_until(uint64_t deadline)
{
	while (!loop_stop) {
		uint64_t now = now_ns();
		struct timespec ts;

		if (now >= deadline)
			return;
		ts.tv_sec = (deadline - now) / 1000000000ULL;
		ts.tv_nsec = (deadline - now) % 1000000000ULL;
		nanosleep(&ts, NULL);
	}
}

int loop_run(const struct common_opts *o, tick_fn tick, void *ctx)
{
	return loop_run_wait(o, tick, NULL, ctx);
}

int loop_run_wait(const struct common_opts *o, tick_fn tick, wait_fn wait, void *ctx)
{
	uint64_t start = now_ns(), last = start;
	uint64_t step = (uint64_t)(o->interval * 1e9);
	uint64_t end = o->duration > 0 ? start + (uint64_t)(o->duration * 1e9) : 0;
	uint64_t next = start + step;
	int err, reports = 0;

	loop_install_signals();
	while (!loop_stop) {
		uint64_t now;

		if (wait)
			wait(ctx, end && end < next ? end : next);
		else
			sleep_until(end && end < next ? end : next);
		now = now_ns();
		if (loop_stop)
			break;
		/*
		 * --duration ending between two reports: the part since the
		 * last one is reported too (as libbpf-tools do), unless it is
		 * under a millisecond (a report that just happened).
		 */
		if (end && now >= end && now - last < 1000000)
			break;
		err = tick(ctx, (now - last) / 1e9, false);
		if (err < 0)
			return err;
		last = now;
		if (end && now >= end)
			break;
		if (o->count && ++reports >= o->count)
			break;
		next += step;
		if (next <= now)
			next = now + step;
	}
	return tick(ctx, (now_ns() - start) / 1e9, true);
}
