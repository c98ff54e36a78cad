/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of what `mmscope import` is given, before anything is stored:
 * every member the store reads has the type and range it needs, and an
 * error names the member ("runs[0].repeats[2].index: ..."), so a wrong
 * file is refused instead of stored as zeros (ncpus "two"
 * was stored as 0, index 99999999999 as -2147483648, NaN metrics made a run
 * without metrics, tags with blanks got in).
 */
#ifndef MMSCOPE_RUNCHECK_H
#define MMSCOPE_RUNCHECK_H

#include <stddef.h>
#include <json-c/json.h>

/*
 * One mmscope/1 document (docs/json-schema.md): schema, tool, kind strings,
 * mode a string, time and every metric a finite number, host members typed.
 * where prefixes the error ("line 3", "runs[0].repeats[1].docs[2].doc").
 * Returns 0, or -1 with "WHERE.MEMBER: problem" in err.
 */
int doc_check(struct json_object *doc, const char *where, char *err, size_t errlen);

/*
 * One run of an export (mmscope-runs/1), its repeats and their documents.
 * Returns 0, or -1 with "WHERE.MEMBER: problem" in err.
 */
int run_check(struct json_object *run, const char *where, char *err, size_t errlen);

#endif
