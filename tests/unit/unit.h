/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal unit-test helpers: CHECK counts failures, unit_done() reports. */
#ifndef MMSCOPE_UNIT_H
#define MMSCOPE_UNIT_H

#include <math.h>
#include <stdio.h>

static int unit_checks, unit_failures;

#define CHECK(cond, ...) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__,	\
			__LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define CHECK_NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol), \
	"%s = %g, %s = %g, tolerance %g", #a, (double)(a), #b, (double)(b), (double)(tol))

static inline int unit_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
