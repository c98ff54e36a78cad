// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the exporter's HTTP request parser,
 * httpd_parse_request() (user/lib/httpd.c), a pure function of the bytes a
 * client sent. Beyond memory errors: it answers only the documented
 * statuses, routes only on 200, and never waits for more than
 * HTTPD_MAX_REQUEST bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpd_request r;
	char *copy = malloc(size ? size : 1);	/* exact size: ASan sees any over-read */
	int code;

	memcpy(copy, data, size);
	code = httpd_parse_request(copy, size, &r);
	switch (code) {
	case 0:
		if (size >= HTTPD_MAX_REQUEST)
			abort();	/* would wait forever for a request it cannot hold */
		break;
	case 200:
		if (r.route != HTTPD_METRICS && r.route != HTTPD_INDEX)
			abort();
		break;
	case 400: case 404: case 405: case 414: case 431:
		if (r.route != HTTPD_NONE)
			abort();
		break;
	default:
		abort();
	}
	free(copy);
	return 0;
}
