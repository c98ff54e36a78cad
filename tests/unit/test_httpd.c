// SPDX-License-Identifier: GPL-2.0
/* The exporter's request parser (user/lib/httpd.c): routes and refusals. */
#include <string.h>

#include "httpd.h"
#include "unit.h"

static int parse(const char *s, struct httpd_request *r)
{
	return httpd_parse_request(s, strlen(s), r);
}

static void test_routes(void)
{
	struct httpd_request r;

	CHECK(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 200 && r.route == HTTPD_METRICS &&
	      !r.head, "GET /metrics");
	CHECK(parse("GET /metrics?x=1 HTTP/1.0\r\n\r\n", &r) == 200 && r.route == HTTPD_METRICS, "query");
	CHECK(parse("HEAD / HTTP/1.0\n\n", &r) == 200 && r.route == HTTPD_INDEX && r.head, "HEAD /");
	CHECK(parse("GET /metrics\r\n\r\n", &r) == 200, "no version (HTTP/0.9 style)");
	CHECK(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &r) == 0, "incomplete head");
	CHECK(parse("GET /metr", &r) == 0, "incomplete line");
}

static void test_refusals(void)
{
	struct httpd_request r;

	CHECK(parse("POST /metrics HTTP/1.1\r\n\r\n", &r) == 405, "POST");
	CHECK(parse("get /metrics HTTP/1.1\r\n\r\n", &r) == 400, "lower-case method");
	CHECK(parse("GET /../etc/passwd HTTP/1.1\r\n\r\n", &r) == 404, "traversal");
	CHECK(parse("GET /metrics/../x HTTP/1.1\r\n\r\n", &r) == 404, "traversal below /metrics");
	CHECK(parse("GET /metricsx HTTP/1.1\r\n\r\n", &r) == 404, "prefix");
	CHECK(parse("garbage\r\n\r\n", &r) == 400, "one token");
	CHECK(parse("GET  /metrics HTTP/1.1\r\n\r\n", &r) == 400, "double space");
	CHECK(parse("GET /metrics FOO/1.1\r\n\r\n", &r) == 400, "bad version");
	CHECK(parse("\r\n\r\n", &r) == 400, "empty");
	CHECK(r.route == HTTPD_NONE, "no route on a refusal");
}

/* a long target, a request without end */
static void test_bounds(void)
{
	struct httpd_request r;
	char big[HTTPD_MAX_REQUEST + 16];

	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	memcpy(big + 300, " HTTP/1.0\r\n\r\n", 13);
	CHECK(httpd_parse_request(big, 313, &r) == 414, "target over %d bytes", HTTPD_MAX_TARGET);
	memcpy(big, "GET /metrics HTTP/1.0\r\nX: ", 26);
	memset(big + 26, 'a', sizeof(big) - 26);
	CHECK(httpd_parse_request(big, HTTPD_MAX_REQUEST - 1, &r) == 0, "just under the bound");
	CHECK(httpd_parse_request(big, HTTPD_MAX_REQUEST, &r) == 431, "headers over the bound");
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	CHECK(httpd_parse_request(big, HTTPD_MAX_REQUEST, &r) == 414, "request line over the bound");
}

int main(void)
{
	RUN(test_routes);
	RUN(test_refusals);
	RUN(test_bounds);
	return unit_done("httpd");
}
