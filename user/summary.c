// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "syscall_table.h"

void summary_merge(struct agt_stat *dst, const struct agt_stat *src)
{
	dst->count += src->count;
	dst->errors += src->errors;
	dst->total_ns += src->total_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (int i = 0; i < AGT_HIST_BUCKETS; i++)
		dst->hist[i] += src->hist[i];
}

/* Inverse of agt_hist_bucket(): the smallest duration in bucket b, and its width. */
static void bucket_range(int b, unsigned long long *lo, unsigned long long *width)
{
	unsigned e, sub;

	if (b < (1 << AGT_HIST_SUB_BITS)) {
		*lo = b;
		*width = 1;
		return;
	}
	e = b >> AGT_HIST_SUB_BITS;
	if (e < AGT_HIST_SUB_BITS) { /* never produced by agt_hist_bucket(): treat as exact */
		*lo = b;
		*width = 1;
		return;
	}
	sub = b & ((1 << AGT_HIST_SUB_BITS) - 1);
	*width = 1ull << (e - AGT_HIST_SUB_BITS);
	*lo = (1ull << e) + sub * *width;
}

/* agt_hist_bucket() never fills buckets 4..7 (values 4..7 go to 8..11): ignore what is there. */
static bool bucket_used(int b)
{
	return b < (1 << AGT_HIST_SUB_BITS) || b >= (2 << AGT_HIST_SUB_BITS);
}

unsigned long long summary_percentile(const struct agt_stat *st, double q)
{
	unsigned long long total = 0, seen = 0, lo, width, v;
	double rank, frac;

	for (int i = 0; i < AGT_HIST_BUCKETS; i++)
		if (bucket_used(i))
			total += st->hist[i];
	if (!total)
		return 0;
	rank = q * (double)total;
	for (int i = 0; i < AGT_HIST_BUCKETS; i++) {
		if (!st->hist[i] || !bucket_used(i))
			continue;
		if ((double)(seen + st->hist[i]) >= rank) {
			bucket_range(i, &lo, &width);
			frac = (rank - (double)seen) / (double)st->hist[i];
			if (frac < 0)
				frac = 0;
			v = lo + (unsigned long long)(frac * (double)width);
			return st->max_ns && v > st->max_ns ? st->max_ns : v;
		}
		seen += st->hist[i];
	}
	return st->max_ns;
}

struct row {
	int nr;
	const struct agt_stat *st;
};

static int by_total_desc(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->st->total_ns != y->st->total_ns)
		return x->st->total_ns < y->st->total_ns ? 1 : -1;
	if (x->st->count != y->st->count)
		return x->st->count < y->st->count ? 1 : -1;
	return x->nr - y->nr;
}

static const char *name_of(int nr, char *buf, size_t n)
{
	const char *s = sc_name(nr);

	if (s)
		return s;
	snprintf(buf, n, "syscall_%d", nr);
	return buf;
}

void summary_print(struct outbuf *ob, const struct agt_stat *stats, int nstats, bool json)
{
	struct row *rows = calloc(nstats > 0 ? nstats : 1, sizeof(*rows));
	unsigned long long total_ns = 0, calls = 0, errors = 0;
	int n = 0;
	char nb[32];

	if (!rows)
		return;
	for (int i = 0; i < nstats; i++) {
		if (!stats[i].count)
			continue;
		rows[n].nr = i;
		rows[n].st = &stats[i];
		total_ns += stats[i].total_ns;
		calls += stats[i].count;
		errors += stats[i].errors;
		n++;
	}
	qsort(rows, n, sizeof(*rows), by_total_desc);
	if (json) {
		ob_puts(ob, "{\"type\":\"summary\",\"syscalls\":[");
		for (int i = 0; i < n; i++) {
			const struct agt_stat *s = rows[i].st;

			ob_printf(
			    ob,
			    "%s{\"syscall\":\"%s\",\"nr\":%d,\"calls\":%llu,\"errors\":%llu,"
			    "\"total_ns\":%llu,\"avg_ns\":%llu,\"p50_ns\":%llu,\"p90_ns\":%llu,"
			    "\"p99_ns\":%llu,\"max_ns\":%llu}",
			    i ? "," : "", name_of(rows[i].nr, nb, sizeof(nb)), rows[i].nr,
			    (unsigned long long)s->count, (unsigned long long)s->errors,
			    (unsigned long long)s->total_ns,
			    (unsigned long long)(s->total_ns / s->count),
			    summary_percentile(s, 0.50), summary_percentile(s, 0.90),
			    summary_percentile(s, 0.99), (unsigned long long)s->max_ns);
		}
		ob_printf(ob, "],\"calls\":%llu,\"errors\":%llu,\"total_ns\":%llu}\n", calls,
			  errors, total_ns);
		free(rows);
		return;
	}
	ob_printf(ob, "%6s %11s %10s %10s %10s %10s %9s %9s %s\n", "% time", "seconds", "avg(us)",
		  "p50(us)", "p90(us)", "p99(us)", "calls", "errors", "syscall");
	ob_puts(ob, "------ ----------- ---------- ---------- ---------- ---------- --------- "
		    "--------- ----------------\n");
	for (int i = 0; i < n; i++) {
		const struct agt_stat *s = rows[i].st;
		double pct = total_ns ? 100.0 * (double)s->total_ns / (double)total_ns : 0;

		ob_printf(ob, "%6.2f %11.6f %10.3f %10.3f %10.3f %10.3f %9llu ", pct,
			  s->total_ns / 1e9, s->total_ns / 1e3 / (double)s->count,
			  summary_percentile(s, 0.50) / 1e3, summary_percentile(s, 0.90) / 1e3,
			  summary_percentile(s, 0.99) / 1e3, (unsigned long long)s->count);
		if (s->errors)
			ob_printf(ob, "%9llu ", (unsigned long long)s->errors);
		else
			ob_printf(ob, "%9s ", "");
		ob_printf(ob, "%s\n", name_of(rows[i].nr, nb, sizeof(nb)));
	}
	ob_puts(ob, "------ ----------- ---------- ---------- ---------- ---------- --------- "
		    "--------- ----------------\n");
	ob_printf(ob, "100.00 %11.6f %10.3f %10s %10s %10s %9llu ", total_ns / 1e9,
		  calls ? total_ns / 1e3 / (double)calls : 0.0, "", "", "", calls);
	if (errors)
		ob_printf(ob, "%9llu ", errors);
	else
		ob_printf(ob, "%9s ", "");
	ob_puts(ob, "total\n");
	free(rows);
}
