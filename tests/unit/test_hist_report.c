// SPDX-License-Identifier: GPL-2.0
/* include/hist.h slot math and user/lib/hist_report.c percentiles and printing. */
#include <stdlib.h>
#include <string.h>

#include "hist_report.h"
#include "unit.h"

static void test_slot_round_trip(void)
{
	/* every value lies in [low, high) of its slot; slots are monotonic */
	__u64 vals[] = { 0, 1, 7, 8, 9, 15, 16, 17, 1000, 4095, 4096, 123456789,
			 1ULL << 40, (1ULL << 63) - 1, 1ULL << 63, ~0ULL - 1 };
	__u32 prev = 0;

	for (__u64 v = 0; v < 100000; v++) {
		__u32 s = hist_slot(v);

		CHECK(s < HIST_SLOTS, "slot %u of %llu", s, (unsigned long long)v);
		CHECK(hist_slot_low(s) <= v && v < hist_slot_high(s),
		      "%llu not in [%llu,%llu)", (unsigned long long)v,
		      (unsigned long long)hist_slot_low(s),
		      (unsigned long long)hist_slot_high(s));
		CHECK(s >= prev, "slot went down at %llu", (unsigned long long)v);
		prev = s;
	}
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		__u32 s = hist_slot(vals[i]);

		CHECK(s < HIST_SLOTS, "slot %u", s);
		CHECK(hist_slot_low(s) <= vals[i], "low of %llu", (unsigned long long)vals[i]);
		/* high of the last slot wraps to 0 at 2^64 */
		CHECK(hist_slot_high(s) == 0 || vals[i] < hist_slot_high(s),
		      "high of %llu", (unsigned long long)vals[i]);
	}
	/* exact below 2*HIST_SUB, relative width 1/HIST_SUB above */
	for (__u64 v = 0; v < 2 * HIST_SUB; v++)
		CHECK(hist_slot_high(hist_slot(v)) - hist_slot_low(hist_slot(v)) == 1, "%llu", (unsigned long long)v);
	CHECK(hist_slot_high(hist_slot(1000)) - hist_slot_low(hist_slot(1000)) == 64, "width at 1000");
}

/* the table-driven log2 against a plain shift loop, at and around every
 * power of two */
static void test_log2(void)
{
	for (int b = 0; b < 64; b++) {
		for (int d = -1; d <= 1; d++) {
			__u64 v = (1ULL << b) + d, ref = 0;

			if (!v)
				continue;
			for (__u64 x = v; x >>= 1;)
				ref++;
			CHECK(hist_log2(v) == ref, "log2(%llu) = %u, want %llu",
			      (unsigned long long)v, hist_log2(v), (unsigned long long)ref);
		}
	}
	CHECK(hist_log2(~0ULL) == 63, "log2(2^64-1)");
}

/* the tables of hist_slot_fast() against the computed slot */
static void test_slot_fast(void)
{
	for (__u64 v = 0; v < (1 << 17); v++)
		CHECK(hist_slot_fast(v) == hist_slot(v), "slot of %llu: table %u, computed %u",
		      (unsigned long long)v, hist_slot_fast(v), hist_slot(v));
	CHECK(hist_slot_fast(~0ULL) == hist_slot(~0ULL), "slot of 2^64-1");
}

static void test_percentiles(void)
{
	struct hist h;

	/* uniform 1..10000: p50 ~ 5000 within a slot's 12.5% */
	hist_reset(&h);
	for (__u64 v = 1; v <= 10000; v++)
		hist_add(&h, v);
	CHECK(h.count == 10000 && h.max == 10000, "count %llu max %llu",
	      (unsigned long long)h.count, (unsigned long long)h.max);
	CHECK_NEAR(hist_percentile(&h, 0.50), 5000, 5000 * 0.125);
	CHECK_NEAR(hist_percentile(&h, 0.90), 9000, 9000 * 0.125);
	CHECK_NEAR(hist_percentile(&h, 0.99), 9900, 9900 * 0.125);
	CHECK_NEAR(hist_mean(&h), 5000.5, 0.001);
	CHECK(hist_percentile(&h, 0.5) <= hist_percentile(&h, 0.9) &&
	      hist_percentile(&h, 0.9) <= hist_percentile(&h, 0.99) &&
	      hist_percentile(&h, 0.99) <= h.max, "ordered");

	/* constant: every percentile within the value's slot, never above max */
	hist_reset(&h);
	for (int i = 0; i < 1000; i++)
		hist_add(&h, 777);
	for (double p = 0.01; p < 1; p += 0.07) {
		double v = hist_percentile(&h, p);

		CHECK(v >= hist_slot_low(hist_slot(777)) && v <= 777, "p%.2f = %g", p, v);
	}
	CHECK(hist_percentile(&h, 1.0) == 777, "p100 = max");

	/* two-point: 90 x 100 and 10 x 100000 */
	hist_reset(&h);
	for (int i = 0; i < 90; i++)
		hist_add(&h, 100);
	for (int i = 0; i < 10; i++)
		hist_add(&h, 100000);
	CHECK_NEAR(hist_percentile(&h, 0.50), 100, 100 * 0.125);
	CHECK_NEAR(hist_percentile(&h, 0.89), 100, 100 * 0.125);
	CHECK_NEAR(hist_percentile(&h, 0.99), 100000, 100000 * 0.125);
	CHECK(hist_percentile(&h, 0.99) <= 100000, "not above max");

	/* empty */
	hist_reset(&h);
	CHECK(hist_percentile(&h, 0.5) == 0, "empty p50");
}

static void test_merge_and_print(void)
{
	struct hist a, b;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	hist_reset(&a);
	hist_reset(&b);
	hist_add(&a, 0);
	hist_add(&a, 1);	/* 0 and 1 fold into row "0 -> 1" */
	hist_add(&a, 3);	/* "2 -> 3" */
	hist_add(&b, 1500);	/* "1024 -> 2047" */
	hist_add(&b, 2047);
	hist_merge(&a, &b);
	CHECK(a.count == 5 && a.max == 2047 && a.sum == 3551, "merge %llu %llu %llu",
	      (unsigned long long)a.count, (unsigned long long)a.max,
	      (unsigned long long)a.sum);
	f = open_memstream(&buf, &len);
	hist_print_log2(f, &a, "nsecs");
	fclose(f);
	CHECK(strstr(buf, "0 -> 1") && strstr(buf, ": 2 "), "row 0->1 with 2: %s", buf);
	CHECK(strstr(buf, "2 -> 3") != NULL, "row 2->3: %s", buf);
	CHECK(strstr(buf, "1024 -> 2047") != NULL, "row 1024->2047: %s", buf);
	CHECK(strstr(buf, "4 -> 7") != NULL, "empty middle rows printed: %s", buf);
	CHECK(strstr(buf, "4096 -> ") == NULL, "no rows after the last: %s", buf);
	free(buf);
}

int main(void)
{
	RUN(test_log2);
	RUN(test_slot_fast);
	RUN(test_slot_round_trip);
	RUN(test_percentiles);
	RUN(test_merge_and_print);
	return unit_done("test_hist_report");
}
