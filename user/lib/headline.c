// SPDX-License-Identifier: GPL-2.0
/* The SGA experiment's headline from one stored run's metrics (headline.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headline.h"

#define GiB (1024.0 * 1024 * 1024)

int64_t headline_pick_run(struct store *st, const int64_t *ids, int n)
{
	return store_newest_with_tool(st, "sga-bench", ids, n);
}

/* 3 significant digits in B, KiB, MiB, GiB or TiB. */
static const char *fmt_b(double b, char *buf, size_t len)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (fabs(b) >= 1024 && i < 4) {
		b /= 1024;
		i++;
	}
	snprintf(buf, len, fabs(b) >= 100 || i == 0 ? "%.0f %s" : fabs(b) >= 10 ? "%.1f %s" : "%.2f %s",
		 b, u[i]);
	return buf;
}

static void line(struct json_object *lines, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(lines, json_object_new_string(buf));
}

struct mode_fig {
	char mode[64];		/* the base name: shmem, thp, hugetlb, ptshare */
	double pt, touched, procs, sga, per_gib_mapped, per_proc_per_gib_metric;
	double sum[6];		/* while reading: per figure of fig_names */
	int cnt[6];
};

static int mode_rank(const char *m)
{
	static const char *const order[] = { "shmem", "thp", "hugetlb", "ptshare" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(m, order[i]))
			return i;
	return 4;
}

static int fig_cmp(const void *a, const void *b)
{
	const struct mode_fig *x = a, *y = b;
	int d = mode_rank(x->mode) - mode_rank(y->mode);

	return d ? d : strcmp(x->mode, y->mode);
}

static struct json_object *num(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

/* The figures the headline reads, in the order of fig_slot(). */
static const char *const fig_names[] = {
	"pt_physical_bytes", "touched_bytes_total", "procs_count", "sga_bytes",
	"pt_bytes_per_gib_mapped", "pt_bytes_per_proc_per_gib",
};
#define NFIG 6

static double *fig_slot(struct mode_fig *x, int k)
{
	double *const slots[NFIG] = { &x->pt, &x->touched, &x->procs, &x->sga, &x->per_gib_mapped,
				      &x->per_proc_per_gib_metric };

	return slots[k];
}

struct fig_acc {
	struct mode_fig *f;
	int n;
};

/* One metric row (ordered by mode): summed per base mode and figure. */
static void fig_add(void *ctx, const char *mode, const char *name, double v)
{
	struct fig_acc *a = ctx;
	size_t blen = strcspn(mode, "[");
	struct mode_fig *x = NULL;
	int k;

	if (strchr(mode, '#'))
		return;
	for (k = 0; k < NFIG && strcmp(name, fig_names[k]); k++)
		;
	if (k == NFIG)
		return;
	for (int i = 0; i < a->n && !x; i++)
		if (strlen(a->f[i].mode) == blen && !strncmp(a->f[i].mode, mode, blen))
			x = &a->f[i];
	if (!x) {
		if (a->n == 16)
			return;
		x = &a->f[a->n++];
		memset(x, 0, sizeof(*x));
		snprintf(x->mode, sizeof(x->mode), "%.*s", (int)blen, mode);
	}
	x->sum[k] += v;
	x->cnt[k]++;
}

struct json_object *headline_build(struct store *st, int64_t run)
{
	struct mode_fig f[16];
	int nf = 0;
	struct json_object *o, *modes, *lines, *oracle;
	const struct mode_fig *shmem = NULL;
	double shmem_v = NAN;
	char b1[32], b2[32], b3[32], b4[32];
	char kernel[128] = "", tag[80] = "", status[32] = "complete", reason[512] = "";

	if (!run)
		return NULL;
	/*
	 * Mean over the run's repeats of each figure, per mode. A mode key of a
	 * second document in one repeat ("shmem[...]#2") is left out: the
	 * headline speaks for the run's one document per mode.
	 */
	struct fig_acc acc = { f, 0 };

	store_each_run_metric(st, run, "sga-bench", fig_add, &acc);
	nf = acc.n;
	for (int i = 0; i < nf; i++)
		for (int k = 0; k < NFIG; k++)
			*fig_slot(&f[i], k) = f[i].cnt[k] ? f[i].sum[k] / f[i].cnt[k] : NAN;
	if (!nf)
		return NULL;
	qsort(f, nf, sizeof(f[0]), fig_cmp);

	{
		struct json_object *rows = store_list(st, &run, 1), *r = json_object_array_get_idx(rows, 0), *v;

		if (r) {
			if (json_object_object_get_ex(r, "kernel", &v) && v)
				snprintf(kernel, sizeof(kernel), "%s", json_object_get_string(v));
			if (json_object_object_get_ex(r, "tag", &v) && v)
				snprintf(tag, sizeof(tag), "%s", json_object_get_string(v));
			if (json_object_object_get_ex(r, "status", &v) && v)
				snprintf(status, sizeof(status), "%s", json_object_get_string(v));
			if (json_object_object_get_ex(r, "status_reason", &v) && v)
				snprintf(reason, sizeof(reason), "%s", json_object_get_string(v));
		}
		json_object_put(rows);
	}

	o = json_object_new_object();
	modes = json_object_new_array();
	lines = json_object_new_array();
	json_object_object_add(o, "run", json_object_new_int64(run));
	json_object_object_add(o, "status", json_object_new_string(status));
	if (*reason)
		json_object_object_add(o, "status_reason", json_object_new_string(reason));
	{
		char note[600] = "";

		if (strcmp(status, "complete"))
			snprintf(note, sizeof(note), " [%s run%s%s]", status, *reason ? ": " : "", reason);
		line(lines, "SGA page tables, run %lld (kernel %s%s%s)%s: page-table bytes per process"
		     " per GiB of SGA touched", (long long)run, kernel, *tag ? ", tag " : "", tag, note);
	}

	/*
	 * Per process per GiB: the page tables the children allocated divided
	 * by the GiB they touched in total (touched_bytes_total sums over the
	 * processes, so this is the same as per process, per GiB each). A
	 * figure sga-bench states itself (pt_bytes_per_proc_per_gib) wins.
	 */
	double vals[16];

	for (int i = 0; i < nf; i++) {
		struct mode_fig *x = &f[i];
		double v = NAN;

		if (isfinite(x->per_proc_per_gib_metric)) {
			v = x->per_proc_per_gib_metric;
		} else if (isfinite(x->pt) && isfinite(x->touched) && x->touched > 0) {
			v = x->pt / (x->touched / GiB);
		} else if (isfinite(x->per_gib_mapped)) {
			v = x->per_gib_mapped;
		}
		vals[i] = v;
		if (!strcmp(x->mode, "shmem") && isfinite(v) && v > 0) {
			shmem = x;
			shmem_v = v;
		}
	}
	for (int i = 0; i < nf; i++) {
		struct mode_fig *x = &f[i];
		struct json_object *m = json_object_new_object();
		double v = vals[i], saving = NAN;
		char how[200] = "", sav[64] = "";

		if (!isfinite(v))
			continue;
		if (!(v > 0)) {
			/* PageTables is system-wide: other processes can move it more than the run did */
			line(lines, "  %-8s no figure: the page tables it measured came to %s (other processes'"
			     " page tables changed under the run); run it again on a quieter host",
			     x->mode, fmt_b(isfinite(x->pt) ? x->pt : v, b1, sizeof(b1)));
			vals[i] = NAN;
			continue;
		}
		if (shmem && x != shmem)
			saving = 100.0 * (1 - v / shmem_v);
		if (isfinite(x->pt) && isfinite(x->touched) && x->touched > 0) {
			if (isfinite(x->procs) && x->procs > 0)
				snprintf(how, sizeof(how), " = %s of page tables / (%.0f processes x %s touched each)",
					 fmt_b(x->pt, b1, sizeof(b1)), x->procs,
					 fmt_b(x->touched / x->procs, b2, sizeof(b2)));
			else
				snprintf(how, sizeof(how), " = %s of page tables / %s touched in all",
					 fmt_b(x->pt, b1, sizeof(b1)), fmt_b(x->touched, b2, sizeof(b2)));
		}
		if (isfinite(saving))
			snprintf(sav, sizeof(sav), "; %.1f%% %s than shmem", fabs(saving),
				 saving >= 0 ? "less" : "more");
		line(lines, "  %-8s %10s%s%s", x->mode, fmt_b(v, b3, sizeof(b3)), how, sav);
		json_object_object_add(m, "mode", json_object_new_string(x->mode));
		json_object_object_add(m, "procs", num(x->procs));
		json_object_object_add(m, "sga_bytes", num(x->sga));
		json_object_object_add(m, "touched_bytes", num(x->touched));
		json_object_object_add(m, "pt_physical_bytes", num(x->pt));
		json_object_object_add(m, "pt_per_proc_per_gib", num(v));
		json_object_object_add(m, "saving_vs_shmem_pct", num(saving));
		json_object_object_add(m, "oracle_pt_bytes",
				       num(v * HEADLINE_ORACLE_SGA_GIB * HEADLINE_ORACLE_PROCS));
		json_object_array_add(modes, m);
	}
	/*
	 * A process's page-middle-directory table covers 1 GiB of address
	 * space whatever it touches in it. Where each process touched less
	 * than that (a small --sga, or a budget's plan that touched only part
	 * of the SGA), modes whose page tables are mostly PMD tables (thp,
	 * hugetlb) show more per GiB touched than a fully touched SGA costs.
	 */
	for (int i = 0; i < nf; i++) {
		double each = f[i].touched / f[i].procs;

		if (!isfinite(vals[i]) || !isfinite(each) || !(each > 0) || each >= GiB)
			continue;
		line(lines, "Note: each process touched %s, less than the 1 GiB one PMD table covers: the"
		     " figures of modes mapped mostly by PMDs (thp, hugetlb) are up to %.1fx what a fully"
		     " touched SGA costs per GiB, and so are their Oracle lines", fmt_b(each, b1, sizeof(b1)),
		     GiB / each);
		json_object_object_add(o, "touched_per_proc_bytes", json_object_new_double(each));
		break;
	}
	/* a mode whose SGA was unmapped under it (sga-bench's interference check) */
	{
		struct json_object *notes = store_docs_member(st, run, "sga-bench", "interference");

		for (size_t i = 0; i < json_object_array_length(notes); i++) {
			struct json_object *e = json_object_array_get_idx(notes, i), *m, *v;

			json_object_object_get_ex(e, "mode", &m);
			json_object_object_get_ex(e, "value", &v);
			line(lines, "Note, %s: %s", json_object_get_string(m), json_object_get_string(v));
		}
		json_object_put(notes);
	}
	line(lines, "The Oracle case, %.0f GiB SGA x %.0f processes (879 GiB of PTEs with 4 KiB pages),"
	     " extrapolated: per process per GiB x %.0f GiB x %.0f processes",
	     HEADLINE_ORACLE_SGA_GIB, HEADLINE_ORACLE_PROCS, HEADLINE_ORACLE_SGA_GIB, HEADLINE_ORACLE_PROCS);
	for (int i = 0; i < nf; i++) {
		double v = vals[i], tot = v * HEADLINE_ORACLE_SGA_GIB * HEADLINE_ORACLE_PROCS;
		char sav[80] = "";

		if (!isfinite(v))
			continue;
		if (shmem && &f[i] != shmem)
			snprintf(sav, sizeof(sav), " (%s %s than shmem)",
				 fmt_b(fabs(shmem_v * HEADLINE_ORACLE_SGA_GIB * HEADLINE_ORACLE_PROCS - tot),
				       b4, sizeof(b4)),
				 tot <= shmem_v * HEADLINE_ORACLE_SGA_GIB * HEADLINE_ORACLE_PROCS ? "less" : "more");
		line(lines, "  %-8s %s x %.0f x %.0f = %s of page tables%s", f[i].mode,
		     fmt_b(v, b1, sizeof(b1)), HEADLINE_ORACLE_SGA_GIB, HEADLINE_ORACLE_PROCS,
		     fmt_b(tot, b2, sizeof(b2)), sav);
	}
	oracle = json_object_new_object();
	json_object_object_add(oracle, "sga_gib", json_object_new_double(HEADLINE_ORACLE_SGA_GIB));
	json_object_object_add(oracle, "procs", json_object_new_double(HEADLINE_ORACLE_PROCS));
	json_object_object_add(o, "oracle", oracle);
	json_object_object_add(o, "modes", modes);
	json_object_object_add(o, "lines", lines);
	return o;
}
