// SPDX-License-Identifier: GPL-2.0
/* The list of tracers (tracers.h). */
#include <string.h>

#include "tracers.h"

const struct tracer *const *tracer_list(void)
{
	static const struct tracer *const list[] = {
		&vmalock_tracer, &faultlat_tracer, &ptmem_tracer, &ptshare_tracer, NULL,
	};

	return list;
}

const struct tracer *tracer_find(const char *name)
{
	for (const struct tracer *const *t = tracer_list(); *t; t++)
		if (!strcmp((*t)->name, name))
			return *t;
	return NULL;
}
