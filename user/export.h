/* SPDX-License-Identifier: GPL-2.0 */
/* `mmscope export --json`: stored runs as one document (user/export_json.c). */
#ifndef MMSCOPE_EXPORT_H
#define MMSCOPE_EXPORT_H

/*
 * Write the runs the selectors name (all when nsel is 0) from the store at
 * db (NULL: the default store) as one mmscope-runs/1 JSON document to out
 * (NULL: stdout; a file is written beside and renamed). 0, or 2 on error
 * (already reported).
 */
int export_runs_json(const char *db, const char *out, int nsel, const char *const *sel);

#endif
