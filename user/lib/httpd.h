/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's HTTP server (user/lib/httpd.c): GET /metrics answered from
 * its own thread, every connection bounded in time and bytes, so neither
 * slow nor idle clients delay a scrape or the caller's collection loop.
 */
#ifndef MMSCOPE_HTTPD_H
#define MMSCOPE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define HTTPD_MAX_REQUEST	8192	/* bytes of request line + headers */
#define HTTPD_MAX_TARGET	255	/* bytes of the request target */
#define HTTPD_MAX_CONNS		64	/* open at once; more: the oldest unfinished request is dropped */
#define HTTPD_READ_TIMEOUT	5.0	/* seconds from accept to a complete request */
#define HTTPD_WRITE_TIMEOUT	10.0	/* seconds to send the answer */

/* The body of GET /metrics, malloc'd, *len bytes; called from the server thread. */
typedef char *(*httpd_metrics_fn)(void *ctx, size_t *len);

/*
 * "HOST:PORT", "[V6]:PORT", "localhost:PORT", ":PORT" or "PORT" into *ss;
 * *loopback says whether it is a loopback address. -1 if malformed.
 */
int httpd_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len, bool *loopback);

enum httpd_route { HTTPD_NONE, HTTPD_METRICS, HTTPD_INDEX };

struct httpd_request {
	enum httpd_route route;
	bool head;		/* HEAD: answer without the body */
};

/*
 * Parse the first len bytes received on a connection. 0 while the request
 * is incomplete (and shorter than HTTPD_MAX_REQUEST), else the HTTP status
 * to answer: 200 (r->route says what), 400, 404, 405, 414 or 431.
 * Pure function of its input (the fuzz target's entry point).
 */
int httpd_parse_request(const char *buf, size_t len, struct httpd_request *r);

struct httpd;

/*
 * Bind ss (SO_REUSEADDR, backlog 128) and start the server thread.
 * max_requests > 0: stop answering after that many (httpd_done_fd() turns
 * readable). NULL with a message in err on failure.
 */
struct httpd *httpd_start(const struct sockaddr_storage *ss, socklen_t len,
			  httpd_metrics_fn metrics, void *ctx, long max_requests,
			  char *err, size_t errlen);
/* "HOST:PORT" actually bound ("[V6]:PORT" for IPv6). */
const char *httpd_bound(const struct httpd *h);
/* Readable once max_requests answers have been sent. */
int httpd_done_fd(const struct httpd *h);
/* Requests answered so far. */
long httpd_served(const struct httpd *h);
/* Stop the thread, close every connection and the socket, free h. */
void httpd_stop(struct httpd *h);

#endif
