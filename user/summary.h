/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * summary.h - the -c table: per-syscall calls, errors and latency percentiles, from the
 * kernel's per-CPU aggregates (struct agt_stat) summed by the caller.
 */
#ifndef AGT_SUMMARY_H
#define AGT_SUMMARY_H

#include <linux/types.h>
#include <stdbool.h>

#include "abi.h"
#include "outbuf.h"

/* Adds src into dst (one CPU's counters into the total). */
void summary_merge(struct agt_stat *dst, const struct agt_stat *src);
/*
 * The q-quantile (0 < q <= 1) of the durations in a histogram, in ns: linear interpolation
 * inside the bucket that holds it, clamped to max_ns. 0 when count is 0.
 */
unsigned long long summary_percentile(const struct agt_stat *st, double q);
/* Prints the table (or one JSON object) for stats[0..nstats), sorted by total time. */
void summary_print(struct outbuf *ob, const struct agt_stat *stats, int nstats, bool json);

#endif
