/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear histogram shared by the BPF programs and user space.
 *
 * Each power of two is split into HIST_SUB linear sub-buckets, so a value's
 * slot is exact below 2*HIST_SUB and within 1/HIST_SUB (12.5%) above; that is
 * what makes p50/p90/p99 worth printing. Printing folds the slots back into
 * classic log2 rows. Slot computation is O(1) with no loops (BPF fast path).
 */
#ifndef MMSCOPE_HIST_H
#define MMSCOPE_HIST_H

#define HIST_SUB_BITS	3
#define HIST_SUB	(1 << HIST_SUB_BITS)		/* 8 */
#define HIST_SLOTS	((64 - HIST_SUB_BITS + 1) * HIST_SUB)	/* 496 */

struct hist {
	__u64 slots[HIST_SLOTS];
	__u64 count;
	__u64 sum;
	__u64 max;
};

/* floor(log2(b)) for a byte b > 0 (entry 0 is never used) */
#define HIST_L2_X16(n) n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n
static const __u8 hist_log2_byte[256] = {
	0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
	HIST_L2_X16(4), HIST_L2_X16(5), HIST_L2_X16(5),
	HIST_L2_X16(6), HIST_L2_X16(6), HIST_L2_X16(6), HIST_L2_X16(6),
	HIST_L2_X16(7), HIST_L2_X16(7), HIST_L2_X16(7), HIST_L2_X16(7),
	HIST_L2_X16(7), HIST_L2_X16(7), HIST_L2_X16(7), HIST_L2_X16(7),
};

/*
 * floor(log2(v)), v > 0. Three halving steps and a byte table: on the
 * fault path (faultlat) this is about a third of the instructions of a
 * six-step binary search (docs/overhead.md).
 */
static __always_inline __u32 hist_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r = 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	return r + hist_log2_byte[v & 0xff];
}

static __always_inline __u32 hist_slot(__u64 v)
{
	__u32 msb, sub;

	if (v < HIST_SUB)
		return (__u32)v;
	msb = hist_log2(v);
	sub = (__u32)(v >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1);
	return (msb - HIST_SUB_BITS + 1) * HIST_SUB + sub;
}

/* Lowest value that falls in slot s. */
static __always_inline __u64 hist_slot_low(__u32 s)
{
	__u32 msb, sub;

	if (s < HIST_SUB)
		return s;
	msb = s / HIST_SUB + HIST_SUB_BITS - 1;
	sub = s % HIST_SUB;
	return ((__u64)(HIST_SUB + sub)) << (msb - HIST_SUB_BITS);
}

/* One past the highest value of slot s. */
static __always_inline __u64 hist_slot_high(__u32 s)
{
	__u32 msb;

	if (s < HIST_SUB)
		return s + 1;
	msb = s / HIST_SUB + HIST_SUB_BITS - 1;
	return hist_slot_low(s) + (1ULL << (msb - HIST_SUB_BITS));
}

#endif
