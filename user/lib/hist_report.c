// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "hist_report.h"

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

void hist_add(struct hist *h, __u64 v)
{
	h->slots[hist_slot(v)]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	for (int i = 0; i < HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
}

static __u64 slots_total(const struct hist *h)
{
	__u64 n = 0;

	for (int i = 0; i < HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

double hist_percentile(const struct hist *h, double p)
{
	__u64 total = slots_total(h), seen = 0;
	double rank, v;

	if (!total)
		return 0;
	if (p <= 0)
		p = 0;
	if (p >= 1)
		return h->max ? (double)h->max : (double)hist_slot_low(HIST_SLOTS - 1);
	rank = p * (double)total;
	for (int i = 0; i < HIST_SLOTS; i++) {
		__u64 c = h->slots[i];

		if (!c)
			continue;
		if ((double)(seen + c) >= rank) {
			double lo = (double)hist_slot_low(i);
			double hi = (double)hist_slot_high(i);

			v = lo + (hi - lo) * ((rank - (double)seen) / (double)c);
			if (h->max && v > (double)h->max)
				v = (double)h->max;
			return v;
		}
		seen += c;
	}
	return (double)h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0;
}

/* Fold log-linear slots into log2 row r: values [2^r, 2^(r+1)), row 0 = [0,2). */
static void log2_rows(const struct hist *h, __u64 rows[65], int *nrows)
{
	int last = -1;

	memset(rows, 0, sizeof(__u64) * 65);
	for (int i = 0; i < HIST_SLOTS; i++) {
		__u64 lo = hist_slot_low(i);
		int r = lo < 2 ? 0 : (int)hist_log2(lo);

		rows[r] += h->slots[i];
		if (h->slots[i] && r > last)
			last = r;
	}
	*nrows = last + 1;
}

static void print_stars(FILE *f, __u64 val, __u64 max, int width)
{
	int n = max ? (int)((double)val * width / (double)max) : 0;

	for (int i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', f);
}

void hist_print_log2(FILE *f, const struct hist *h, const char *unit)
{
	__u64 rows[65], max = 0;
	int n, first = -1;

	log2_rows(h, rows, &n);
	for (int r = 0; r < n; r++) {
		if (rows[r] > max)
			max = rows[r];
		if (rows[r] && first < 0)
			first = r;
	}
	if (first < 0) {
		fprintf(f, "     (no samples)\n");
		return;
	}
	fprintf(f, "%24s : count    distribution\n", unit);
	for (int r = first; r < n; r++) {
		unsigned long long lo = r == 0 ? 0 : 1ULL << r;
		unsigned long long hi = (r == 0 ? 2ULL : 1ULL << (r + 1)) - 1;

		fprintf(f, "%10llu -> %-10llu : %-8llu |", lo, hi,
			(unsigned long long)rows[r]);
		print_stars(f, rows[r], max, 40);
		fprintf(f, "|\n");
	}
}

struct json_object *hist_to_json(const struct hist *h)
{
	struct json_object *o = json_object_new_object();
	struct json_object *b = json_object_new_array();
	__u64 rows[65];
	int n;

	json_object_object_add(o, "count", json_object_new_uint64(h->count));
	json_object_object_add(o, "sum", json_object_new_uint64(h->sum));
	json_object_object_add(o, "mean", json_object_new_double(hist_mean(h)));
	json_object_object_add(o, "max", json_object_new_uint64(h->max));
	json_object_object_add(o, "p50", json_object_new_double(hist_percentile(h, 0.50)));
	json_object_object_add(o, "p90", json_object_new_double(hist_percentile(h, 0.90)));
	json_object_object_add(o, "p99", json_object_new_double(hist_percentile(h, 0.99)));
	log2_rows(h, rows, &n);
	for (int r = 0; r < n; r++) {
		struct json_object *e;

		if (!rows[r])
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "low", json_object_new_uint64(r == 0 ? 0 : 1ULL << r));
		json_object_object_add(e, "high", json_object_new_uint64((r == 0 ? 2ULL : 1ULL << (r + 1)) - 1));
		json_object_object_add(e, "count", json_object_new_uint64(rows[r]));
		json_object_array_add(b, e);
	}
	json_object_object_add(o, "buckets", b);
	return o;
}
