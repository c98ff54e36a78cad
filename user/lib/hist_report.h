/* SPDX-License-Identifier: GPL-2.0 */
/* User-space side of include/hist.h: percentiles, printing, JSON. */
#ifndef MMSCOPE_HIST_REPORT_H
#define MMSCOPE_HIST_REPORT_H

#include <linux/types.h>
#include <stdio.h>
#include <json-c/json.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#include "hist.h"

void hist_reset(struct hist *h);
void hist_add(struct hist *h, __u64 v);
/* dst += src (merging per-CPU or per-process histograms). */
void hist_merge(struct hist *dst, const struct hist *src);
/*
 * Value below which a fraction p (0..1) of the samples fall, interpolated
 * linearly inside the slot, never above the recorded max. 0 if empty.
 */
double hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);
/* Classic log2 table: "low -> high : count |****|", unit e.g. "nsecs". */
void hist_print_log2(FILE *f, const struct hist *h, const char *unit);
/*
 * {"count":N,"sum":S,"mean":M,"max":X,"p50":..,"p90":..,"p99":..,
 *  "buckets":[{"low":L,"high":H,"count":C},...]}  (non-empty log2 rows)
 */
struct json_object *hist_to_json(const struct hist *h);

#endif
