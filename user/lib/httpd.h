/* SPDX-License-Identifier: GPL-2.0 */
/* The exporter's HTTP server (user/lib/httpd.c). */
#ifndef MMSCOPE_HTTPD_H
#define MMSCOPE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The body of GET /metrics, malloc'd, *len bytes. */
typedef char *(*httpd_metrics_fn)(void *ctx, size_t *len);

/*
 * "HOST:PORT", "[V6]:PORT", "localhost:PORT", ":PORT" or "PORT" into *ss;
 * *loopback says whether it is a loopback address. -1 if malformed.
 */
int httpd_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len, bool *loopback);
/* Read one request on fd (bounded: 2 s, 8 KiB) and answer it. */
void httpd_serve_one(int fd, httpd_metrics_fn metrics, void *ctx);

#endif
