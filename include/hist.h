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

/*
 * hist_slot() by table for values under 2^16 (page-fault latencies in ns,
 * nearly all): on the fault path that is a compare, a shift and a load
 * instead of the log2 steps (docs/overhead.md). Below 2^8 the slot of v is
 * hist_slot_lo[v]; in [2^8, 2^16) the three bits under the top one lie at
 * bit 5 or above, so the slot is that of v >> 5: hist_slot_mid[v >> 5].
 * Written out by powers of two: each of the 8 sub-buckets of [2^l, 2^l+1)
 * covers 2^(l-3) consecutive entries. test_hist_report checks every value.
 */
#define HIST_R1(x) x
#define HIST_R2(x) x, x
#define HIST_R4(x) HIST_R2(x), HIST_R2(x)
#define HIST_R8(x) HIST_R4(x), HIST_R4(x)
#define HIST_R16(x) HIST_R8(x), HIST_R8(x)
#define HIST_R32(x) HIST_R16(x), HIST_R16(x)
#define HIST_R64(x) HIST_R32(x), HIST_R32(x)
#define HIST_R128(x) HIST_R64(x), HIST_R64(x)
/* the 8 sub-buckets from slot b, each repeated by R */
#define HIST_OCT(R, b) R(b), R(b + 1), R(b + 2), R(b + 3), \
		       R(b + 4), R(b + 5), R(b + 6), R(b + 7)

static const __u8 hist_slot_lo[256] = {		/* v: l = 3..7 */
	0, 1, 2, 3, 4, 5, 6, 7,
	HIST_OCT(HIST_R1, 8), HIST_OCT(HIST_R2, 16), HIST_OCT(HIST_R4, 24),
	HIST_OCT(HIST_R8, 32), HIST_OCT(HIST_R16, 40),
};

static const __u8 hist_slot_mid[2048] = {	/* v >> 5: l = 8..15 */
	0, 0, 0, 0, 0, 0, 0, 0,		/* v < 2^8: never used */
	HIST_OCT(HIST_R1, 48), HIST_OCT(HIST_R2, 56), HIST_OCT(HIST_R4, 64),
	HIST_OCT(HIST_R8, 72), HIST_OCT(HIST_R16, 80), HIST_OCT(HIST_R32, 88),
	HIST_OCT(HIST_R64, 96), HIST_OCT(HIST_R128, 104),
};

static __always_inline __u32 hist_slot_fast(__u64 v)
{
	if (v < (1 << 8))
		return hist_slot_lo[v];
	if (v < (1 << 16))
		return hist_slot_mid[v >> 5];
	return hist_slot(v);
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
