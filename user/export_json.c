// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope export --json: the selected stored runs as one mmscope-runs/1
 * document, which `mmscope import` reads on another machine (docs/store.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "outfile.h"
#include "store.h"
#include "util.h"

#ifndef MMSCOPE_COMMIT
#define MMSCOPE_COMMIT "unknown"
#endif

int export_runs_json(const char *db, const char *out, int nsel, const char *const *sel)
{
	struct store *st;
	struct json_object *doc, *runs;
	int64_t *ids = NULL;
	int n = 0, rc = 0;
	char err[1024];
	struct outfile of;

	st = store_open_readonly(db, err, sizeof(err));
	if (!st) {
		err_msg("export: %s", err);
		return 2;
	}
	for (int i = 0; i < (nsel ? nsel : 1); i++) {
		int64_t *more;
		int k = store_select(st, nsel ? sel[i] : "all", &more, err, sizeof(err));

		if (k < 0) {
			err_msg("export: %s", err);
			free(ids);
			store_close(st);
			return 2;
		}
		ids = realloc(ids, (n + k) * sizeof(*ids));
		memcpy(ids + n, more, k * sizeof(*ids));
		n += k;
		free(more);
	}
	doc = json_object_new_object();
	runs = json_object_new_array();
	json_object_object_add(doc, "schema", json_object_new_string(STORE_EXPORT_SCHEMA));
	json_object_object_add(doc, "exported", json_object_new_double(wall_time()));
	json_object_object_add(doc, "mmscope_commit", json_object_new_string(MMSCOPE_COMMIT));
	for (int i = 0; i < n; i++) {
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup |= ids[j] == ids[i];
		if (!dup)
			json_object_array_add(runs, store_get_run(st, ids[i]));
	}
	json_object_object_add(doc, "runs", runs);
	/* beside and renamed, checked: a failed export leaves no partial file */
	if (outfile_open(&of, out, err, sizeof(err)) < 0) {
		err_msg("export: %s", err);
		rc = 2;
		goto out;
	}
	fprintf(of.f, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
	if (outfile_close(&of, err, sizeof(err)) < 0) {
		err_msg("export: %s", err);
		rc = 2;
	} else if (out) {
		fprintf(stderr, "mmscope: export: %zu run%s written to %s\n",
			json_object_array_length(runs),
			json_object_array_length(runs) == 1 ? "" : "s", out);
	}
out:
	json_object_put(doc);
	free(ids);
	store_close(st);
	return rc;
}
