// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's HTTP side: parse the listen address, answer GET /metrics
 * (HTTP/1.0, one request per connection) with the text a callback renders.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httpd.h"
#include "util.h"

int httpd_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len, bool *loopback)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!colon) {		/* bare port */
		snprintf(host, sizeof(host), "127.0.0.1");
		colon = s - 1;
	} else {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	}
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	if (!*host || !strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		memset(a, 0, sizeof(*a));
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -1;
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		memset(a, 0, sizeof(*a));
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
		*len = sizeof(*a);
	}
	return 0;
}

/* Read one request (bounded: 2 s, 8 KiB) and answer it. */
void httpd_serve_one(int fd, httpd_metrics_fn metrics, void *ctx)
{
	char req[8192] = "", method[16] = "", path[256] = "";
	size_t got = 0;
	double end = now_ns() / 1e9 + 2;
	char *body = NULL, head[256];
	size_t blen = 0;
	int code = 200;
	const char *type = "text/plain; version=0.0.4; charset=utf-8", *reason = "OK";

	while (got < sizeof(req) - 1 && !strstr(req, "\r\n\r\n") && !strstr(req, "\n\n")) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left = (int)((end - now_ns() / 1e9) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = read(fd, req + got, sizeof(req) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		req[got] = '\0';
	}
	req[got] = '\0';
	if (sscanf(req, "%15s %255s", method, path) != 2) {
		code = 400, reason = "Bad Request";
		body = strdup("bad request\n");
	} else if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		code = 405, reason = "Method Not Allowed";
		body = strdup("only GET\n");
	} else if (!strcmp(path, "/metrics") || !strncmp(path, "/metrics?", 9)) {
		body = metrics(ctx, &blen);
	} else if (!strcmp(path, "/")) {
		body = strdup("mmscope exporter: metrics at /metrics\n");
	} else {
		code = 404, reason = "Not Found";
		body = strdup("not found; metrics are at /metrics\n");
	}
	if (!blen)
		blen = strlen(body);
	snprintf(head, sizeof(head), "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n", code, reason, type, blen);
	if (write(fd, head, strlen(head)) > 0 && strcmp(method, "HEAD"))
		for (size_t off = 0; off < blen;) {
			ssize_t n = write(fd, body + off, blen - off);

			if (n <= 0)
				break;
			off += n;
		}
	free(body);
}
