// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "tpformat.h"
#include "util.h"

int tp_field_offset(const char *cat, const char *event, const char *field)
{
	char path[256], line[512];
	const char *root = tracefs_root();
	size_t flen = strlen(field);
	int off = -1;
	FILE *f;

	if (!root)
		return -1;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", root, cat, event);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* "\tfield:unsigned long address;\toffset:16;\tsize:8;\tsigned:0;" */
	while (fgets(line, sizeof(line), f)) {
		char *semi = strstr(line, ";\toffset:");
		char *name;

		if (!semi || strncmp(line, "\tfield:", 7))
			continue;
		name = semi;
		while (name > line && name[-1] != ' ' && name[-1] != '*')
			name--;
		if ((size_t)(semi - name) == flen && !strncmp(name, field, flen)) {
			sscanf(semi, ";\toffset:%d", &off);
			break;
		}
	}
	fclose(f);
	return off;
}

int tp_check_offset(const char *cmd, const char *cat, const char *event,
		    const char *field, int want_offset)
{
	int off = tp_field_offset(cat, event, field);

	if (off == want_offset)
		return 0;
	err_msg("%s: tracepoint %s:%s field '%s' is at offset %d, expected %d "
		"(kernel patch version mismatch)", cmd, cat, event, field, off,
		want_offset);
	return -1;
}
