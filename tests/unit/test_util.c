// SPDX-License-Identifier: GPL-2.0
/* user/lib/util.c helpers: the keyed row table, exe_path, proc_exited. */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

struct row {
	char name[8];
	unsigned int key;
	long count;
};

/* found again by key, new rows zeroed with the key, growth keeps the rows */
static void test_rows(void)
{
	struct row *rows = NULL, *r;
	size_t n = 0, cap = 0;

	for (unsigned int k = 1; k <= 100; k++) {
		r = rows_find_or_add(&rows, &n, &cap, sizeof(*rows), offsetof(struct row, key), k);
		CHECK(r && r->key == k && r->count == 0 && !r->name[0], "new row %u", k);
		if (r)
			r->count = k * 10;
	}
	CHECK(n == 100 && cap >= 100, "n %zu cap %zu", n, cap);
	for (unsigned int k = 1; k <= 100; k++) {
		r = rows_find_or_add(&rows, &n, &cap, sizeof(*rows), offsetof(struct row, key), k);
		CHECK(r && r->count == (long)k * 10, "row %u lost its count", k);
	}
	CHECK(n == 100, "finding added rows: n %zu", n);
	free(rows);
}

static void test_exe_path(void)
{
	char self[PATH_MAX], sib[PATH_MAX], small[4];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	CHECK(len > 0, "readlink");
	if (len <= 0)
		return;
	self[len] = '\0';
	CHECK(exe_path(NULL, sib, sizeof(sib)) == 0 && !strcmp(sib, self), "self: %s", sib);
	CHECK(exe_path("mmscope", sib, sizeof(sib)) == 0, "sibling");
	strcpy(strrchr(self, '/') + 1, "mmscope");
	CHECK(!strcmp(sib, self), "sibling %s, want %s", sib, self);
	CHECK(exe_path("mmscope", small, sizeof(small)) < 0, "a path that does not fit");
}

static void test_proc_exited(void)
{
	CHECK(!proc_exited(getpid()), "this process");
	CHECK(proc_exited(INT_MAX), "a pid past pid_max");
}

int main(void)
{
	RUN(test_rows);
	RUN(test_exe_path);
	RUN(test_proc_exited);
	return unit_done("test_util");
}
