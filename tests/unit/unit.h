/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal unit-test helpers that speak TAP: CHECK counts failures, RUN(fn)
 * runs one test function and prints "ok N - fn" or "not ok N - fn", and
 * unit_done() prints the plan. A test binary that checks everything in
 * main() without RUN() still gets one TAP line, named after the binary.
 * Failure details go to stderr as TAP diagnostics ("# ...").
 */
#ifndef MMSCOPE_UNIT_H
#define MMSCOPE_UNIT_H

#include <math.h>
#include <stdio.h>

static int unit_checks, unit_failures, unit_tests, unit_run_failures;

#define CHECK(cond, ...) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failures++;					\
		fprintf(stderr, "# %s:%d: CHECK(%s) failed: ", __FILE__,	\
			__LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define CHECK_NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol), \
	"%s = %g, %s = %g, tolerance %g", #a, (double)(a), #b, (double)(b), (double)(tol))

static inline void unit_tap(int ok, const char *name)
{
	unit_tests++;
	printf("%sok %d - %s\n", ok ? "" : "not ", unit_tests, name);
	fflush(stdout);
}

/* Run one test function: its CHECKs decide its TAP line. */
static inline void unit_run(const char *name, void (*fn)(void))
{
	int before = unit_failures;

	fflush(stderr);
	fn();
	unit_tap(unit_failures == before, name);
	unit_run_failures = unit_failures;
}
#define RUN(fn) unit_run(#fn, fn)

static inline int unit_done(const char *name)
{
	/* checks made outside any RUN() (or a test without RUN) get a line too */
	if (unit_tests == 0 || unit_failures != unit_run_failures)
		unit_tap(unit_failures == unit_run_failures, name);
	printf("1..%d\n", unit_tests);
	printf("# %s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
