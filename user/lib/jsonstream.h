/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading JSON values one at a time from a stream (a file of many
 * documents, or the runs of one big export) with json-c's incremental
 * tokener, 64 KiB at a time: memory is that of one value, not of the file
 * (a 50 MB import took 800 MB). Errors say where:
 * "JSON parse error at byte N (line L): ...".
 */
#ifndef MMSCOPE_JSONSTREAM_H
#define MMSCOPE_JSONSTREAM_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

struct digest;

struct jstream {
	FILE *f;
	char buf[65536];
	size_t len, pos;	/* unread: buf[pos..len) */
	long long off;		/* file offset of buf[0] */
	long line;		/* line of buf[pos], from 1 */
	bool eof;
	int read_errno;
	json_tokener *tok;
	struct digest *dg;	/* when set: fed every byte read */
};

/* Start reading f (not closed by js_end); dg may be NULL. */
int js_begin(struct jstream *js, FILE *f, struct digest *dg);
void js_end(struct jstream *js);
/*
 * Skip white space; the next character (not consumed), or EOF at the end
 * (or on a read error: js->read_errno set).
 */
int js_peek(struct jstream *js);
/* Consume one character (after js_peek). */
void js_skip(struct jstream *js);
/*
 * The next JSON value. NULL at a clean end of input (*err empty) or on an
 * error ("JSON parse error at byte N (line L): why" or a read error).
 */
struct json_object *js_value(struct jstream *js, char *err, size_t errlen);
/* "JSON parse error at byte N (line L): what" for the caller's own grammar. */
void js_error(struct jstream *js, char *err, size_t errlen, const char *what);

#endif
