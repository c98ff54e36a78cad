// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's HTTP server: one thread, poll() over the listening socket
 * and every open connection, non-blocking I/O. Each connection is bounded:
 * HTTPD_READ_TIMEOUT to deliver at most HTTPD_MAX_REQUEST bytes of request,
 * HTTPD_WRITE_TIMEOUT to take the answer, HTTPD_MAX_CONNS open at once
 * (a new one evicts the oldest still sending its request). So an idle or
 * trickling client costs a slot, never a scrape's time, and the caller's
 * thread (the tracers' collection) never waits for a client.
 * HTTP/1.0, one request per connection, GET/HEAD of / and /metrics only.
 * (libmicrohttpd would do this too, but Debian's links GnuTLS, which the
 * static build for the QEMU guest cannot link: no static p11-kit.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
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

int httpd_parse_request(const char *buf, size_t len, struct httpd_request *r)
{
	const char *eol, *sp1, *sp2, *end;
	size_t mlen, tlen;
	char target[HTTPD_MAX_TARGET + 1];

	r->route = HTTPD_NONE;
	r->head = false;
	end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		end = memmem(buf, len, "\n\n", 2);
	eol = memchr(buf, '\n', len);
	if (!end) {
		if (len < HTTPD_MAX_REQUEST)
			return 0;
		return eol ? 431 : 414;
	}
	/* request line: METHOD SP TARGET [SP VERSION] */
	if (eol > buf && eol[-1] == '\r')
		eol--;
	sp1 = memchr(buf, ' ', eol - buf);
	if (!sp1 || sp1 == buf)
		return 400;
	mlen = sp1 - buf;
	for (size_t i = 0; i < mlen; i++)
		if (buf[i] < 'A' || buf[i] > 'Z')
			return 400;
	sp2 = memchr(sp1 + 1, ' ', eol - sp1 - 1);
	tlen = (sp2 ? sp2 : eol) - sp1 - 1;
	if (!tlen || sp1[1] == ' ')
		return 400;
	if (sp2 && (eol - sp2 - 1 < 8 || memcmp(sp2 + 1, "HTTP/1.", 7)))
		return 400;
	if (!(mlen == 3 && !memcmp(buf, "GET", 3)) && !(mlen == 4 && !memcmp(buf, "HEAD", 4)))
		return 405;
	r->head = mlen == 4;
	if (tlen > HTTPD_MAX_TARGET)
		return 414;
	memcpy(target, sp1 + 1, tlen);
	target[tlen] = '\0';
	/* two fixed routes, matched exactly: nothing maps a path to a file */
	if (!strcmp(target, "/metrics") || !strncmp(target, "/metrics?", 9))
		r->route = HTTPD_METRICS;
	else if (!strcmp(target, "/"))
		r->route = HTTPD_INDEX;
	else
		return 404;
	return 200;
}

struct conn {
	int fd;
	bool writing;
	double start, deadline;
	size_t got;
	char *out;
	size_t olen, off;
	char req[HTTPD_MAX_REQUEST];	/* last: not cleared on accept */
};

struct httpd {
	int lfd, wake[2], done[2];
	pthread_t thread;
	bool thread_ok;
	httpd_metrics_fn metrics;
	void *ctx;
	long max_requests, served;	/* served: written by the thread, read atomically */
	struct conn conns[HTTPD_MAX_CONNS];
	int nconns;
	char bound[INET6_ADDRSTRLEN + 16];
};

static double mono(void)
{
	return now_ns() / 1e9;
}

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	default: return "Error";
	}
}

/* Build the whole answer into c->out and switch the connection to writing. */
static void answer(struct httpd *h, struct conn *c, int code, const struct httpd_request *r)
{
	char *body = NULL, *text = NULL;
	size_t blen = 0, tlen = 0;
	FILE *f;

	if (code == 200 && r->route == HTTPD_METRICS) {
		body = h->metrics(h->ctx, &blen);
		if (!body)	/* out of memory rendering: say so, not an empty 200 */
			code = 500;
	} else if (code == 200) {
		body = strdup("mmscope exporter: metrics at /metrics\n");
	} else if (code == 404) {
		body = strdup("not found; metrics are at /metrics\n");
	} else if (code == 405) {
		body = strdup("only GET and HEAD\n");
	}
	if (!body && asprintf(&body, "%s\n", reason(code)) < 0)
		body = NULL;
	if (body && !blen)
		blen = strlen(body);
	f = open_memstream(&text, &tlen);
	if (f) {
		fprintf(f, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
			"Connection: close\r\n\r\n", code, reason(code),
			code == 200 && r->route == HTTPD_METRICS ?
				"text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8",
			blen, code == 405 ? "Allow: GET, HEAD\r\n" : "");
		if (body && !(r && r->head))
			fwrite(body, 1, blen, f);
		if (fclose(f))
			tlen = 0;
	}
	free(body);
	c->out = text;
	c->olen = text ? tlen : 0;
	c->off = 0;
	c->writing = true;
	c->deadline = mono() + HTTPD_WRITE_TIMEOUT;
}

static void conn_close(struct httpd *h, int i, bool answered)
{
	close(h->conns[i].fd);
	free(h->conns[i].out);
	h->conns[i] = h->conns[--h->nconns];
	if (answered) {
		long n = __atomic_add_fetch(&h->served, 1, __ATOMIC_RELAXED);

		/* the pipe is empty: one byte cannot fail */
		if (h->max_requests && n == h->max_requests)
			(void)!write(h->done[1], "x", 1);
	}
}

static void on_readable(struct httpd *h, int i)
{
	struct conn *c = &h->conns[i];
	struct httpd_request r;
	ssize_t n = recv(c->fd, c->req + c->got, sizeof(c->req) - c->got, 0);
	int code;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(h, i, false);
		return;
	}
	if (n < 0)
		return;
	c->got += n;
	code = httpd_parse_request(c->req, c->got, &r);
	if (code)
		answer(h, c, code, &r);
}

static void on_writable(struct httpd *h, int i)
{
	struct conn *c = &h->conns[i];
	ssize_t n = send(c->fd, c->out + c->off, c->olen - c->off, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		c->off += n;
	if (n <= 0 || c->off == c->olen)
		conn_close(h, i, true);
}

static void accept_one(struct httpd *h)
{
	int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), old = -1;

	if (fd < 0)
		return;
	if (h->nconns == HTTPD_MAX_CONNS) {
		/* full: drop the oldest one still sending its request */
		for (int i = 0; i < h->nconns; i++)
			if (!h->conns[i].writing && (old < 0 || h->conns[i].start < h->conns[old].start))
				old = i;
		if (old < 0) {
			close(fd);
			return;
		}
		conn_close(h, old, false);
	}
	/* everything but the request buffer (8 KiB, filled as it arrives) */
	memset(&h->conns[h->nconns], 0, offsetof(struct conn, req));
	h->conns[h->nconns].fd = fd;
	h->conns[h->nconns].start = mono();
	h->conns[h->nconns].deadline = h->conns[h->nconns].start + HTTPD_READ_TIMEOUT;
	h->nconns++;
}

static void *serve(void *arg)
{
	struct httpd *h = arg;
	struct pollfd p[HTTPD_MAX_CONNS + 2];

	for (;;) {
		double now = mono(), next = now + 60;
		bool budget = !h->max_requests ||
			      __atomic_load_n(&h->served, __ATOMIC_RELAXED) < h->max_requests;
		int np = 0, timeout;

		/* expire: an unfinished request gets 408, a stalled answer is dropped */
		for (int i = h->nconns - 1; i >= 0; i--) {
			struct conn *c = &h->conns[i];

			if (c->deadline > now)
				continue;
			if (c->writing) {
				conn_close(h, i, false);
			} else {
				int fd = c->fd;

				answer(h, c, 408, NULL);
				/* one non-blocking try; whatever does not fit is dropped */
				on_writable(h, i);
				if (i < h->nconns && h->conns[i].fd == fd)
					conn_close(h, i, false);
			}
		}
		for (int i = 0; i < h->nconns; i++)
			if (h->conns[i].deadline < next)
				next = h->conns[i].deadline;
		p[np++] = (struct pollfd){ h->wake[0], POLLIN, 0 };
		p[np++] = (struct pollfd){ budget ? h->lfd : -1, POLLIN, 0 };
		for (int i = 0; i < h->nconns; i++)
			p[np++] = (struct pollfd){ h->conns[i].fd, h->conns[i].writing ? POLLOUT : POLLIN, 0 };
		timeout = (int)((next - now) * 1000) + 1;
		if (poll(p, np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		/* connections first (indices shift as they close: walk backwards) */
		for (int i = np - 3; i >= 0; i--) {
			if (!p[i + 2].revents || i >= h->nconns || h->conns[i].fd != p[i + 2].fd)
				continue;
			if (h->conns[i].writing)
				on_writable(h, i);
			else
				on_readable(h, i);
		}
		if (p[1].revents & POLLIN)
			for (int k = 0; k < 16; k++) {	/* drain a burst, bounded */
				int before = h->nconns;

				accept_one(h);
				if (h->nconns == before && errno == EAGAIN)
					break;
			}
	}
	return NULL;
}

struct httpd *httpd_start(const struct sockaddr_storage *ss, socklen_t len,
			  httpd_metrics_fn metrics, void *ctx, long max_requests,
			  char *err, size_t errlen)
{
	struct httpd *h = calloc(1, sizeof(*h));
	struct sockaddr_storage got;
	socklen_t gl = sizeof(got);
	char host[INET6_ADDRSTRLEN] = "?";
	sigset_t block, old;
	int one = 1, e;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->metrics = metrics;
	h->ctx = ctx;
	h->max_requests = max_requests;
	h->wake[0] = h->wake[1] = h->done[0] = h->done[1] = -1;
	h->lfd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (h->lfd < 0 || setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->lfd, (const struct sockaddr *)ss, len) || listen(h->lfd, 128) ||
	    pipe2(h->wake, O_CLOEXEC) || pipe2(h->done, O_CLOEXEC | O_NONBLOCK) ||
	    getsockname(h->lfd, (struct sockaddr *)&got, &gl)) {
		snprintf(err, errlen, "%s", strerror(errno));
		httpd_stop(h);
		return NULL;
	}
	if (got.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&got)->sin6_addr, host, sizeof(host));
		snprintf(h->bound, sizeof(h->bound), "[%s]:%d", host,
			 ntohs(((struct sockaddr_in6 *)&got)->sin6_port));
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&got)->sin_addr, host, sizeof(host));
		snprintf(h->bound, sizeof(h->bound), "%s:%d", host,
			 ntohs(((struct sockaddr_in *)&got)->sin_port));
	}
	/* signals are the caller's: the server thread never takes them */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e = pthread_create(&h->thread, NULL, serve, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		snprintf(err, errlen, "server thread: %s", strerror(e));
		httpd_stop(h);
		return NULL;
	}
	h->thread_ok = true;
	return h;
}

const char *httpd_bound(const struct httpd *h)
{
	return h->bound;
}

int httpd_done_fd(const struct httpd *h)
{
	return h->done[0];
}

long httpd_served(const struct httpd *h)
{
	return __atomic_load_n(&h->served, __ATOMIC_RELAXED);
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	if (h->thread_ok) {
		(void)!write(h->wake[1], "x", 1);	/* an empty pipe takes one byte */
		pthread_join(h->thread, NULL);
	}
	while (h->nconns)
		conn_close(h, 0, false);
	for (int i = 0; i < 2; i++) {
		if (h->wake[i] >= 0)
			close(h->wake[i]);
		if (h->done[i] >= 0)
			close(h->done[i]);
	}
	if (h->lfd >= 0)
		close(h->lfd);
	free(h);
}
