/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mmscope JSON document family (docs/json-schema.md). Every document
 * mmscope or a bench driver prints is one line:
 *   {"schema":"mmscope/1","tool":"vmalock","kind":"interval"|"summary"|"result",
 *    "mode":"tracepoint","time":<unix s>,"interval_s":1.0,
 *    "host":{...}            (summary and result documents only)
 *    "metrics":{name:number} (flat, comparable across runs)
 *    ... tool-specific members ... }
 */
#ifndef MMSCOPE_JSONOUT_H
#define MMSCOPE_JSONOUT_H

#include <json-c/json.h>

#define MMSCOPE_SCHEMA "mmscope/1"

struct json_object *doc_new(const char *tool, const char *kind, const char *mode);
/* Add the host description (kernel, cpu, memory, ncpus). */
void doc_add_host(struct json_object *doc);
/* doc.metrics[name] = v (creates "metrics" on first use). */
void doc_metric(struct json_object *doc, const char *name, double v);
/* Print as one line on stdout, flush, and release the document. */
void doc_emit(struct json_object *doc);
/*
 * Reading a document back (a tracer's print() works from the document its
 * collect() filled): member k of o as an integer, 0 when o or k is missing.
 */
long long doc_int(struct json_object *o, const char *k);

#endif
