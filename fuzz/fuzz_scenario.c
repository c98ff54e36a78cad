// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the scenario parser (user/lib/scenario.c) on arbitrary
 * file contents, and the value parsers it and the command line share
 * (user/lib/opts.c) on arbitrary strings. A crash, a sanitizer report or an
 * accepted value outside the documented bounds is a finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "opts.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scenario s;
	static int fd = -1;
	char path[64], err[1024], buf[4096], why[128], *names[8], *argv[SCN_MAX_ARGS + 1];
	const char *w;
	unsigned long long bytes;
	char *str;
	double v;
	long l;

	/* scenario_load reads a path: the input as a memory file */
	if (fd < 0)
		fd = memfd_create("fuzz.scn", 0);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (scenario_load(path, &s, err, sizeof(err)) == 0) {
		/* what the loader promises about an accepted file */
		if (s.argc < 1 || s.argc > SCN_MAX_ARGS || !s.argv[0] || s.argv[s.argc])
			abort();
		if (s.repeats < 1 || s.repeats > 1000 || s.ntracers > SCN_MAX_TRACERS)
			abort();
		if (!(s.timeout_s > 0 && s.timeout_s <= SCN_TIMEOUT_MAX) ||
		    !(s.settle_s >= 0 && s.settle_s <= SCN_SETTLE_MAX))
			abort();
	}

	/* the same bytes as one string through every value parser */
	str = malloc(size + 1);
	memcpy(str, data, size);
	str[size] = '\0';
	scenario_split(str, buf, sizeof(buf), argv, SCN_MAX_ARGS, &w);
	v = parse_seconds(str);
	if (v != -1 && !(v >= 0 && v <= PARSE_SECONDS_MAX))
		abort();
	if (parse_size(str, &bytes) == 0 && bytes > PARSE_SIZE_MAX)
		abort();
	if (parse_long(str, -5, 1000, &l) == 0 && (l < -5 || l > 1000))
		abort();
	if (parse_double(str, 0, 1, &v) == 0 && !(v >= 0 && v <= 1))
		abort();
	parse_name_list(str, buf, sizeof(buf), names, 8, why, sizeof(why));
	tag_is_valid(str);
	free(str);
	return 0;
}
