// SPDX-License-Identifier: GPL-2.0
/* One JSON value at a time from a stream (jsonstream.h). */
#include <errno.h>
#include <string.h>

#include "digest.h"
#include "jsonstream.h"

int js_begin(struct jstream *js, FILE *f, struct digest *dg)
{
	js->f = f;
	js->len = js->pos = 0;
	js->off = 0;
	js->line = 1;
	js->eof = false;
	js->read_errno = 0;
	js->dg = dg;
	js->tok = json_tokener_new();
	return js->tok ? 0 : -1;
}

void js_end(struct jstream *js)
{
	if (js->tok)
		json_tokener_free(js->tok);
	js->tok = NULL;
}

/* Offset of the next unread byte. */
static long long js_offset(const struct jstream *js)
{
	return js->off + (long long)js->pos;
}

/* Refill when everything is read; false at the end of input. */
static bool fill(struct jstream *js)
{
	size_t n;

	if (js->pos < js->len)
		return true;
	if (js->eof)
		return false;
	js->off += js->len;
	js->len = js->pos = 0;
	n = fread(js->buf, 1, sizeof(js->buf), js->f);
	if (n < sizeof(js->buf)) {
		js->eof = true;
		if (ferror(js->f))
			js->read_errno = errno ? errno : EIO;
	}
	if (n && js->dg)
		digest_update(js->dg, js->buf, n);
	js->len = n;
	return n > 0;
}

static void advance(struct jstream *js, size_t n)
{
	for (size_t i = 0; i < n; i++)
		js->line += js->buf[js->pos + i] == '\n';
	js->pos += n;
}

int js_peek(struct jstream *js)
{
	while (fill(js)) {
		char c = js->buf[js->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return (unsigned char)c;
		advance(js, 1);
	}
	return EOF;
}

void js_skip(struct jstream *js)
{
	if (fill(js))
		advance(js, 1);
}

void js_error(struct jstream *js, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "JSON parse error at byte %lld (line %ld): %s", js_offset(js),
		 js->line, what);
}

struct json_object *js_value(struct jstream *js, char *err, size_t errlen)
{
	struct json_object *v;
	enum json_tokener_error je;

	*err = '\0';
	if (js_peek(js) == EOF) {
		if (js->read_errno)
			snprintf(err, errlen, "read error: %s", strerror(js->read_errno));
		return NULL;
	}
	json_tokener_reset(js->tok);
	for (;;) {
		size_t end;

		v = json_tokener_parse_ex(js->tok, js->buf + js->pos, (int)(js->len - js->pos));
		je = json_tokener_get_error(js->tok);
		end = json_tokener_get_parse_end(js->tok);
		if (je == json_tokener_continue) {
			advance(js, js->len - js->pos);
			if (!fill(js)) {
				if (js->read_errno)
					snprintf(err, errlen, "read error: %s", strerror(js->read_errno));
				else
					js_error(js, err, errlen, "the file ends inside a value (truncated?)");
				return NULL;
			}
			continue;
		}
		if (je != json_tokener_success) {
			advance(js, end < js->len - js->pos ? end : js->len - js->pos);
			js_error(js, err, errlen, json_tokener_error_desc(je));
			return NULL;
		}
		advance(js, end);
		return v;
	}
}
