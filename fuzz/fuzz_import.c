// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what `mmscope import` does to a file before the store
 * sees it: the stream reader (user/lib/jsonstream.c, one JSON value at a
 * time, with the byte-offset errors) and the checks of runs and documents
 * (user/lib/runcheck.c), plus the store's mode qualifier that every
 * accepted document goes through.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstream.h"
#include "runcheck.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jstream js;
	struct json_object *v;
	char err[1024], jerr[512], mq[256];
	FILE *f;
	int n = 0;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (js_begin(&js, f, NULL) < 0)
		abort();
	while ((v = js_value(&js, jerr, sizeof(jerr))) && n++ < 64) {
		int d = doc_check(v, "", err, sizeof(err));

		run_check(v, "runs[0]", err, sizeof(err));
		if (d == 0)
			store_qualified_mode(v, mq, sizeof(mq));
		json_object_put(v);
	}
	/* a reader error always says where it is */
	if (!v && *jerr && strncmp(jerr, "JSON parse error at byte ", 25) &&
	    strncmp(jerr, "read error", 10))
		abort();
	json_object_put(v);
	js_end(&js);
	fclose(f);
	return 0;
}
