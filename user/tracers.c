// SPDX-License-Identifier: GPL-2.0
/* The list of tracers, and sets of them run together (tracers.h). */
#include <string.h>

#include "tracers.h"
#include "util.h"

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

int tracer_set_parse(struct tracer_set *s, const char *cmd, const char *list)
{
	char buf[256], why[128], *names[TRACER_SET_MAX];
	int n;

	memset(s, 0, sizeof(*s));
	if (!list) {
		for (const struct tracer *const *t = tracer_list(); *t && s->n < TRACER_SET_MAX; t++)
			s->t[s->n++] = *t;
		return 0;
	}
	n = parse_name_list(list, buf, sizeof(buf), names, TRACER_SET_MAX, why, sizeof(why));
	if (n < 0) {
		err_msg("%s: --tracers '%s': %s", cmd, list, why);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		s->t[s->n] = tracer_find(names[i]);
		if (!s->t[s->n]) {
			err_msg("%s: unknown tracer '%s' (see mmscope --help)", cmd, names[i]);
			return -1;
		}
		s->n++;
	}
	return 0;
}

int tracer_set_start(struct tracer_set *s, const struct common_opts *o)
{
	for (int i = 0; i < s->n; i++) {
		s->mode[i] = MODE_AUTO;
		s->st[i] = s->t[i]->start(o, &s->mode[i]);
		if (!s->st[i]) {
			tracer_set_stop(s);
			return -1;
		}
	}
	return 0;
}

void tracer_set_stop(struct tracer_set *s)
{
	for (int i = 0; i < s->n; i++) {
		if (s->st[i])
			s->t[i]->stop(s->st[i]);
		s->st[i] = NULL;
	}
}
