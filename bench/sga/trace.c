// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#include "fault_bracket.h"	/* fb_plan_probe: what faultlat's start() probes */
#include "opts.h"
#include "tracers.h"
#include "util.h"
#include "sga/trace.h"

bool sga_trace_usable(char *why, size_t len)
{
	static int cached = -1;
	static char reason[400];
	struct fb_plan plan;

	if (cached < 0) {
		cached = 0;
		if (!have_bpf_privileges())
			snprintf(reason, sizeof(reason),
				 "loading BPF needs root or CAP_BPF+CAP_PERFMON");
		else if (access("/sys/kernel/btf/vmlinux", R_OK))
			snprintf(reason, sizeof(reason),
				 "the kernel has no BTF (/sys/kernel/btf/vmlinux)");
		else {
			fb_plan_probe(&plan, false);
			if (!plan.precise_ok && !plan.tp_ok)
				snprintf(reason, sizeof(reason),
					 "no usable faultlat mode: precise: %s; tracepoint: %s",
					 plan.precise_why, plan.tp_why);
			else
				cached = 1;
		}
		if (cached)
			tracer_libbpf_setup(false);
	}
	if (!cached)
		snprintf(why, len, "%s", reason);
	return cached;
}

int sga_trace_start(struct sga_trace *tr, const char *comm, char *why, size_t len)
{
	const struct tracer *t = &faultlat_tracer;
	struct common_opts o = { .mode = MODE_AUTO };
	enum attach_mode mode = MODE_AUTO;

	memset(tr, 0, sizeof(*tr));
	if (!sga_trace_usable(why, len))
		return -1;
	snprintf(o.comm, sizeof(o.comm), "%s", comm);
	tr->st = t->start(&o, &mode);
	if (!tr->st) {
		snprintf(why, len, "the faultlat tracer failed to load (error above)");
		return -1;
	}
	tr->t = t;
	tr->mode = mode;
	return 0;
}

static struct json_object *collect(struct sga_trace *tr)
{
	const struct tracer *t = tr->t;
	struct json_object *doc = json_object_new_object();

	if (!t || !tr->st || !doc || t->collect(tr->st, 0, false, doc) < 0) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

int sga_trace_drain(struct sga_trace *tr)
{
	struct json_object *doc = collect(tr);

	if (!doc)
		return -1;
	json_object_put(doc);
	return 0;
}

struct json_object *sga_trace_collect(struct sga_trace *tr)
{
	return collect(tr);
}

const char *sga_trace_mode_name(const struct sga_trace *tr)
{
	return mode_name(tr->mode);
}

void sga_trace_stop(struct sga_trace *tr)
{
	const struct tracer *t = tr->t;

	if (t && tr->st)
		t->stop(tr->st);
	tr->st = NULL;
	tr->t = NULL;
}
