// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_summary.c - the -c table: histogram buckets (agt_hist_bucket, shared with the BPF side),
 * summary_merge, summary_percentile and summary_print in both flavours.
 *
 * Expected percentiles are worked out by hand from the bucket layout: 1000 ns lies in bucket 39,
 * [896, 1024) (2^9 cut in four 128 ns steps); 3000 ns in bucket 45, [2560, 3072); 7000 ns in
 * bucket 50, [6144, 7168).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "abi.h"
#include "outbuf.h"
#include "summary.h"
#include "syscall_table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__aarch64__)
#define NR_GETPID  172
#define NR_GETPPID 173
#else
#define NR_GETPID  39
#define NR_GETPPID 110
#endif
#define NR_UNNAMED 400 /* a hole in both tables */

static void add_sample(struct agt_stat *st, unsigned long long ns, bool error)
{
	st->count++;
	st->errors += error;
	st->total_ns += ns;
	if (ns > st->max_ns)
		st->max_ns = ns;
	st->hist[agt_hist_bucket(ns)]++;
}

static void test_summary_bucket_values(void **state)
{
	static const struct {
		__u64 v;
		__u32 b;
	} cases[] = {
	    {0, 0},
	    {1, 1},
	    {2, 2},
	    {3, 3},
	    {4, 8}, /* e=2: buckets 4..7 are never used */
	    {5, 9},
	    {6, 10},
	    {7, 11},
	    {8, 12},
	    {9, 12},
	    {10, 13},
	    {15, 15},
	    {16, 16},
	    {895, 38},
	    {896, 39},
	    {1000, 39},
	    {1023, 39},
	    {1024, 40},
	    {1ull << 32, 128},
	    {(1ull << 32) + (3ull << 30), 131},
	    {1ull << 43, 172},
	    {(1ull << 44) - 1, 175},
	    {1ull << 44, 175},
	    {1ull << 63, 175},
	    {UINT64_MAX, 175},
	};

	(void)state;
	assert_int_equal(AGT_HIST_BUCKETS, 176);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (agt_hist_bucket(cases[i].v) != cases[i].b)
			fail_msg("agt_hist_bucket(%llu) = %u, want %u",
				 (unsigned long long)cases[i].v, agt_hist_bucket(cases[i].v),
				 cases[i].b);
	}
}

static void test_summary_bucket_monotonic(void **state)
{
	__u32 prev = 0;

	(void)state;
	for (__u64 v = 0; v <= (1u << 18); v++) {
		__u32 b = agt_hist_bucket(v);

		assert_true(b >= prev);
		assert_true(b < AGT_HIST_BUCKETS);
		prev = b;
	}
	/* around every power of two, up to the top */
	prev = 0;
	for (int k = 2; k < 64; k++) {
		__u64 p = 1ull << k;
		__u32 below = agt_hist_bucket(p - 1), at = agt_hist_bucket(p),
		      above = agt_hist_bucket(p + 1);

		assert_true(below >= prev);
		assert_true(below <= at);
		assert_true(at <= above);
		assert_true(above < AGT_HIST_BUCKETS);
		if (k < AGT_HIST_EXP)
			assert_int_equal(at, (__u32)k << AGT_HIST_SUB_BITS);
		else
			assert_int_equal(at, AGT_HIST_BUCKETS - 1);
		prev = above;
	}
}

/*
 * A single sample, no max_ns clamp: the lowest quantile reads back the bottom of its bucket,
 * q = 1 the top (exclusive), and the sample lies between: summary_percentile inverts
 * agt_hist_bucket.
 */
static void check_inverse(unsigned long long v)
{
	struct agt_stat st = {0};
	unsigned long long lo, hi;

	st.hist[agt_hist_bucket(v)] = 1;
	lo = summary_percentile(&st, 1e-15);
	hi = summary_percentile(&st, 1.0);
	if (!(lo <= v && v < hi))
		fail_msg("%llu: bucket %u reads back as [%llu, %llu)", v, agt_hist_bucket(v), lo,
			 hi);
	/* the bucket holds exactly [lo, hi) */
	assert_int_equal(agt_hist_bucket(lo), agt_hist_bucket(v));
	assert_int_equal(agt_hist_bucket(hi - 1), agt_hist_bucket(v));
	assert_int_not_equal(agt_hist_bucket(hi), agt_hist_bucket(v));
	if (lo)
		assert_int_not_equal(agt_hist_bucket(lo - 1), agt_hist_bucket(v));
}

static void test_summary_bucket_bounds(void **state)
{
	(void)state;
	for (unsigned long long v = 0; v < 5000; v++)
		check_inverse(v);
	for (int k = 3; k < AGT_HIST_EXP; k++) {
		check_inverse((1ull << k) - 1);
		check_inverse(1ull << k);
		check_inverse((1ull << k) + 1);
		check_inverse((1ull << k) + (1ull << (k - 1)) + 12345 % (1ull << (k - 1)));
	}
}

static void test_summary_percentile_single_value(void **state)
{
	struct agt_stat st = {0};
	static const struct {
		double q;
		unsigned long long want;
	} cases[] = {
	    {0.01, 897},  /* 896 + 0.01 * 128 */
	    {0.25, 928},  /* 896 + 0.25 * 128 */
	    {0.50, 960},  /* 896 + 0.5 * 128 */
	    {0.70, 985},  /* 896 + 89.6 */
	    {0.90, 1000}, /* 1011.2, clamped to max_ns */
	    {0.99, 1000}, /* 1022.72, clamped */
	    {1.00, 1000}, /* 1024, clamped */
	};

	(void)state;
	for (int i = 0; i < 100; i++)
		add_sample(&st, 1000, false);
	assert_int_equal(st.hist[39], 100);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long long p = summary_percentile(&st, cases[i].q);

		if (p != cases[i].want)
			fail_msg("q %.2f: %llu, want %llu", cases[i].q, p, cases[i].want);
		assert_true(p >= 896 && p <= st.max_ns);
	}
	/* without max_ns nothing clamps: the top of the bucket */
	st.max_ns = 0;
	assert_int_equal(summary_percentile(&st, 1.0), 1024);
	assert_int_equal(summary_percentile(&st, 0.99), 1022);
	assert_int_equal(summary_percentile(&st, 0.90), 1011);
}

static void test_summary_percentile_two_buckets(void **state)
{
	struct agt_stat st = {0};

	(void)state;
	add_sample(&st, 3000, false);
	add_sample(&st, 7000, true);
	assert_int_equal(st.hist[45], 1);
	assert_int_equal(st.hist[50], 1);
	assert_int_equal(summary_percentile(&st, 0.25), 2816); /* 2560 + 0.5 * 512 */
	assert_int_equal(summary_percentile(&st, 0.50), 3072); /* top of 3000's bucket */
	assert_int_equal(summary_percentile(&st, 0.75), 6656); /* 6144 + 0.5 * 1024 */
	assert_int_equal(summary_percentile(&st, 0.90), 6963); /* 6144 + 0.8 * 1024 */
	assert_int_equal(summary_percentile(&st, 0.99), 7000); /* 7147, clamped */
}

static void test_summary_percentile_skewed(void **state)
{
	struct agt_stat st = {0};

	(void)state;
	/* 90 fast calls of 10 ns (bucket 13, [10, 12)), 10 slow ones of 1 ms */
	for (int i = 0; i < 90; i++)
		add_sample(&st, 10, false);
	for (int i = 0; i < 10; i++)
		add_sample(&st, 1000000, false);
	assert_int_equal(agt_hist_bucket(1000000), 79);	     /* [917504, 1048576) */
	assert_int_equal(summary_percentile(&st, 0.50), 11); /* 10 + 50/90 * 2 */
	assert_int_equal(summary_percentile(&st, 0.90), 12); /* top of the fast bucket */
	/* rank 95: half-way through the slow bucket, 917504 + 0.5 * 131072 */
	assert_int_equal(summary_percentile(&st, 0.95), 983040);
	assert_int_equal(summary_percentile(&st, 0.99), 1000000); /* 1035468, clamped */
}

static void test_summary_percentile_empty(void **state)
{
	struct agt_stat st = {0};

	(void)state;
	assert_int_equal(summary_percentile(&st, 0.5), 0);
	assert_int_equal(summary_percentile(&st, 1.0), 0);
	st.max_ns = 5000; /* counters without a histogram still read 0 */
	st.count = 3;
	assert_int_equal(summary_percentile(&st, 0.5), 0);
}

static void test_summary_merge(void **state)
{
	struct agt_stat a = {0}, b = {0}, c = {0};

	(void)state;
	add_sample(&a, 1000, false);
	add_sample(&a, 3000, true);
	add_sample(&b, 7000, true);
	add_sample(&b, 1000, false);
	add_sample(&b, 1000, true);
	summary_merge(&c, &a);
	summary_merge(&c, &b);
	assert_int_equal(c.count, 5);
	assert_int_equal(c.errors, 3);
	assert_int_equal(c.total_ns, 13000);
	assert_int_equal(c.max_ns, 7000);
	assert_int_equal(c.hist[39], 3);
	assert_int_equal(c.hist[45], 1);
	assert_int_equal(c.hist[50], 1);
	for (int i = 0; i < AGT_HIST_BUCKETS; i++)
		if (i != 39 && i != 45 && i != 50)
			assert_int_equal(c.hist[i], 0);
	/* a smaller max does not lower it; merging an empty stat changes nothing */
	summary_merge(&c, &a);
	assert_int_equal(c.max_ns, 7000);
	assert_int_equal(c.count, 7);
	memset(&b, 0, sizeof(b));
	summary_merge(&c, &b);
	assert_int_equal(c.count, 7);
	assert_int_equal(c.total_ns, 17000);
	assert_int_equal(c.hist[39], 4);
}

/* Runs summary_print into a temporary file and returns what it wrote (caller frees). */
static char *print_to_string(const struct agt_stat *stats, int n, bool json)
{
	FILE *f = tmpfile();
	struct outbuf *ob;
	char *s;
	long len;

	assert_non_null(f);
	ob = outbuf__new(fileno(f), 0);
	assert_non_null(ob);
	summary_print(ob, stats, n, json);
	assert_int_equal(ob_flush(ob), 0);
	outbuf__free(ob);
	len = ftell(f);
	assert_true(len >= 0);
	s = calloc(1, (size_t)len + 1);
	assert_non_null(s);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return s;
}

/* getpid: 4 calls of 1000 ns; getppid: 3000 ns and a failed 7000 ns. */
static struct agt_stat *two_syscalls(void)
{
	struct agt_stat *stats = calloc(AGT_NR_MAX, sizeof(*stats));

	assert_non_null(stats);
	for (int i = 0; i < 4; i++)
		add_sample(&stats[NR_GETPID], 1000, false);
	add_sample(&stats[NR_GETPPID], 3000, false);
	add_sample(&stats[NR_GETPPID], 7000, true);
	return stats;
}

#define RULE                                                                                       \
	"------ ----------- ---------- ---------- ---------- ---------- --------- --------- "      \
	"----------------\n"
#define HEADER                                                                                     \
	"% time     seconds    avg(us)    p50(us)    p90(us)    p99(us)     calls    errors "      \
	"syscall\n"

static void test_summary_print_text(void **state)
{
	struct agt_stat *stats = two_syscalls();
	char *out;

	(void)state;
	assert_string_equal(sc_name(NR_GETPID), "getpid");
	assert_string_equal(sc_name(NR_GETPPID), "getppid");
	out = print_to_string(stats, AGT_NR_MAX, false);
	assert_string_equal(
	    out,
	    HEADER RULE " 71.43    0.000010      5.000      3.072      6.963      7.000         2 "
			"        1 getppid\n"
			" 28.57    0.000004      1.000      0.960      1.000      1.000         4 "
			"          getpid\n" RULE
			"100.00    0.000014      2.333                                          6 "
			"        1 total\n");
	free(out);
	free(stats);
}

static void test_summary_print_text_empty(void **state)
{
	struct agt_stat stats[4] = {0};
	char *out;

	(void)state;
	out = print_to_string(stats, 4, false);
	assert_string_equal(
	    out, HEADER RULE RULE
	    "100.00    0.000000      0.000                                          0 "
	    "          total\n");
	free(out);
	out = print_to_string(stats, 0, true);
	assert_string_equal(out, "{\"type\":\"summary\",\"syscalls\":[],\"calls\":0,\"errors\":0,"
				 "\"total_ns\":0}\n");
	free(out);
}

/* Equal totals: more calls first, then the lower number; unknown numbers get a made-up name. */
static void test_summary_print_order(void **state)
{
	struct agt_stat *stats = calloc(AGT_NR_MAX, sizeof(*stats));
	static const char *const want[] = {"syscall_400", "getpid", "getppid", NULL};
	char *out, *line;
	int i = 0;

	(void)state;
	assert_non_null(stats);
	assert_null(sc_name(NR_UNNAMED));
	add_sample(&stats[NR_GETPPID], 2000, false);
	add_sample(&stats[NR_GETPID], 2000, false);
	add_sample(&stats[NR_UNNAMED], 1000, false);
	add_sample(&stats[NR_UNNAMED], 1000, false);
	out = print_to_string(stats, AGT_NR_MAX, false);
	line = strstr(out, RULE);
	assert_non_null(line);
	line += strlen(RULE);
	for (; want[i]; i++) {
		char *nl = strchr(line, '\n');

		assert_non_null(nl);
		*nl = '\0';
		assert_string_equal(strrchr(line, ' ') + 1, want[i]);
		line = nl + 1;
	}
	assert_int_equal(strncmp(line, RULE, strlen(RULE)), 0);
	free(out);
	free(stats);
}

static void check_row(const cJSON *row, const char *name, int nr, double calls, double errors,
		      double total, double avg, double p50, double p90, double p99, double max)
{
	static const char *const keys[] = {"calls",  "errors", "total_ns", "avg_ns",
					   "p50_ns", "p90_ns", "p99_ns",   "max_ns"};
	double want[] = {calls, errors, total, avg, p50, p90, p99, max};

	assert_true(cJSON_IsObject(row));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "syscall")),
			    name);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(row, "nr")) == nr);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, keys[i]);

		assert_true(cJSON_IsNumber(v));
		if (cJSON_GetNumberValue(v) != want[i])
			fail_msg("%s.%s = %g, want %g", name, keys[i], cJSON_GetNumberValue(v),
				 want[i]);
	}
	assert_int_equal(cJSON_GetArraySize(row), 10);
}

static void test_summary_print_json(void **state)
{
	struct agt_stat *stats = two_syscalls();
	char *out = print_to_string(stats, AGT_NR_MAX, true);
	cJSON *doc, *rows;

	(void)state;
	/* one line, newline-terminated */
	assert_non_null(strchr(out, '\n'));
	assert_int_equal(strchr(out, '\n')[1], '\0');
	doc = cJSON_Parse(out);
	assert_non_null(doc);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "type")),
			    "summary");
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "calls")) == 6);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "errors")) == 1);
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "total_ns")) ==
		    14000);
	rows = cJSON_GetObjectItemCaseSensitive(doc, "syscalls");
	assert_true(cJSON_IsArray(rows));
	assert_int_equal(cJSON_GetArraySize(rows), 2);
	check_row(cJSON_GetArrayItem(rows, 0), "getppid", NR_GETPPID, 2, 1, 10000, 5000, 3072, 6963,
		  7000, 7000);
	check_row(cJSON_GetArrayItem(rows, 1), "getpid", NR_GETPID, 4, 0, 4000, 1000, 960, 1000,
		  1000, 1000);
	cJSON_Delete(doc);
	free(out);
	free(stats);
}

/* Buckets 4..7 are never filled by the kernel side; counts there must not break monotonicity. */
static void test_summary_percentile_ignores_unused_buckets(void **state)
{
	struct agt_stat st;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.hist[7] = 1;
	st.hist[8] = 1;
	st.count = 2;
	assert_int_equal(summary_percentile(&st, 0.5), summary_percentile(&st, 0.99));
	assert_true(summary_percentile(&st, 0.5) >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_summary_percentile_ignores_unused_buckets),
	    cmocka_unit_test(test_summary_bucket_values),
	    cmocka_unit_test(test_summary_bucket_monotonic),
	    cmocka_unit_test(test_summary_bucket_bounds),
	    cmocka_unit_test(test_summary_percentile_single_value),
	    cmocka_unit_test(test_summary_percentile_two_buckets),
	    cmocka_unit_test(test_summary_percentile_skewed),
	    cmocka_unit_test(test_summary_percentile_empty),
	    cmocka_unit_test(test_summary_merge),
	    cmocka_unit_test(test_summary_print_text),
	    cmocka_unit_test(test_summary_print_text_empty),
	    cmocka_unit_test(test_summary_print_order),
	    cmocka_unit_test(test_summary_print_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
