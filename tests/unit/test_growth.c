// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_growth.c - PredictGrowth on known token series; the fd/memory leak verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "growth.h"

#define MS   1000000ULL
#define MAXN 8

/* Steps from a token list (-1: unknown), one second apart, seq_num 10, 20, ... */
static size_t mk_steps(struct growth_step *s, const long long *tok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (struct growth_step){.seq_num = 10 * (i + 1),
					    .timestamp = 1000 * MS * i,
					    .request_tokens = tok[i],
					    .response_tokens = 100 + (long long)i};
	return n;
}

static void test_growth_known_series(void **state)
{
	static const long long tok[] = {1000, 2000, 3500, 5000, 7000};
	struct growth_step s[5];
	struct growth_prediction p;

	(void)state;
	mk_steps(s, tok, 5);
	s[2].timestamp += 250 * MS + 999999; /* delta_ms truncates */
	s[3].response_tokens = -1;
	assert_int_equal(growth_predict(&p, 42, "gpt-4o", s, 5, 10000, "--budget", 0), 0);
	assert_int_equal(p.pid, 42);
	assert_string_equal(p.model, "gpt-4o");
	assert_string_equal(p.budget_source, "--budget");
	assert_int_equal(p.tokens_used, 7000);
	assert_int_equal(p.context_budget, 10000);
	assert_true(p.usage_pct == 70.0);
	assert_int_equal(p.current_step, 5);
	assert_int_equal(p.max_steps, 0);
	assert_true(p.avg_tokens_per_step == 1500.0);
	assert_true(p.recent_rate == 5000.0 / 3);
	assert_true(p.rate == p.recent_rate);
	assert_string_equal(p.rate_basis, "recent");
	assert_int_equal(p.remaining_budget, 3000);
	assert_int_equal(p.est_remaining, 1); /* floor(3000 / 1666.7) */
	assert_true(p.predict_exhaust);
	assert_string_equal(p.alert_level, "none");
	assert_int_equal(p.skipped_steps, 0);
	assert_int_equal(p.nhistory, 5);
	static const struct growth_snapshot want[] = {
	    {1, 1000, 100, 0, 10},  {2, 2000, 101, 1000, 20}, {3, 3500, 102, 1250, 30},
	    {4, 5000, -1, 749, 40}, {5, 7000, 104, 1000, 50},
	};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(p.history[i].step, want[i].step);
		assert_int_equal(p.history[i].tokens, want[i].tokens);
		assert_int_equal(p.history[i].output_tokens, want[i].output_tokens);
		assert_int_equal(p.history[i].delta_ms, want[i].delta_ms);
		assert_int_equal(p.history[i].seq_num, want[i].seq_num);
	}
	growth_prediction_release(&p);
	assert_null(p.history);
	growth_prediction_release(&p);
	growth_prediction_release(NULL);
}

/* A rate of 1000/3 tokens a step and 1000 left: exactly 3 steps (no 2.999... from doubles). */
static void test_growth_exact_estimate(void **state)
{
	static const long long tok[] = {5000, 5300, 5700, 6000};
	struct growth_step s[4];
	struct growth_prediction p;

	(void)state;
	mk_steps(s, tok, 4);
	assert_int_equal(growth_predict(&p, 1, NULL, s, 4, 7000, "--budget", 0), 0);
	assert_null(p.model);
	assert_true(p.recent_rate == 1000.0 / 3);
	assert_int_equal(p.remaining_budget, 1000);
	assert_int_equal(p.est_remaining, 3);
	growth_prediction_release(&p);
}

/* The thresholds: exactly 20% left is none, exactly 10% left is warning. */
static void test_growth_alert_thresholds(void **state)
{
	static const struct {
		long long used;
		const char *alert;
		long long remaining;
		double pct;
	} cases[] = {
	    {7999, "none", 2001, 79.99},    {8000, "none", 2000, 80.0},
	    {8001, "warning", 1999, 80.01}, {9000, "warning", 1000, 90.0},
	    {9001, "critical", 999, 90.01}, {10000, "critical", 0, 100.0},
	    {12000, "critical", 0, 120.0},
	};
	struct growth_prediction p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long tok[] = {cases[i].used - 1000, cases[i].used};
		struct growth_step s[2];

		mk_steps(s, tok, 2);
		assert_int_equal(growth_predict(&p, 1, "m", s, 2, 10000, "--budget", 0), 0);
		assert_string_equal(p.alert_level, cases[i].alert);
		assert_int_equal(p.remaining_budget, cases[i].remaining);
		assert_true(p.usage_pct > cases[i].pct - 1e-9 && p.usage_pct < cases[i].pct + 1e-9);
		assert_int_equal(p.est_remaining, cases[i].remaining / 1000);
		assert_true(p.predict_exhaust);
		growth_prediction_release(&p);
	}
}

/* 5 steps, 1 more to exhaustion (step 6): a limit of 6 comes first, 7 does not. */
static void test_growth_max_steps(void **state)
{
	static const long long tok[] = {1000, 2000, 3500, 5000, 7000};
	static const struct {
		int max_steps;
		bool exhaust;
	} cases[] = {{0, true}, {-3, true}, {5, false}, {6, false}, {7, true}, {100, true}};
	struct growth_step s[5];
	struct growth_prediction p;

	(void)state;
	mk_steps(s, tok, 5);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
		    growth_predict(&p, 1, "m", s, 5, 10000, "--budget", cases[i].max_steps), 0);
		assert_int_equal(p.est_remaining, 1);
		assert_int_equal(p.max_steps, cases[i].max_steps > 0 ? cases[i].max_steps : 0);
		assert_int_equal(p.predict_exhaust, cases[i].exhaust);
		growth_prediction_release(&p);
	}
}

static void test_growth_skipped_steps(void **state)
{
	static const long long tok[] = {-1, 1000, -1, 3000, -1};
	struct growth_step s[5];
	struct growth_prediction p;

	(void)state;
	mk_steps(s, tok, 5);
	assert_int_equal(growth_predict(&p, 1, "m", s, 5, 10000, "--budget", 0), 0);
	assert_int_equal(p.skipped_steps, 3);
	assert_int_equal(p.current_step, 5);
	assert_int_equal(p.nhistory, 2);
	assert_int_equal(p.history[0].step, 2);
	assert_int_equal(p.history[0].delta_ms, 0);
	assert_int_equal(p.history[1].step, 4);
	assert_int_equal(p.history[1].delta_ms, 2000);
	assert_int_equal(p.tokens_used, 3000);
	assert_true(p.avg_tokens_per_step == 2000.0);
	assert_true(p.recent_rate == 2000.0);
	assert_int_equal(p.est_remaining, 3);
	growth_prediction_release(&p);
}

static void test_growth_single_and_empty(void **state)
{
	static const long long tok[] = {5000};
	struct growth_step s[1];
	struct growth_prediction p;

	(void)state;
	mk_steps(s, tok, 1);
	assert_int_equal(growth_predict(&p, 1, "m", s, 1, 10000, "model table (m)", 3), 0);
	assert_int_equal(p.tokens_used, 5000);
	assert_true(p.usage_pct == 50.0);
	assert_true(p.avg_tokens_per_step == 0 && p.recent_rate == 0 && p.rate == 0);
	assert_string_equal(p.rate_basis, "not growing");
	assert_int_equal(p.est_remaining, -1);
	assert_false(p.predict_exhaust);
	assert_int_equal(p.nhistory, 1);
	growth_prediction_release(&p);

	assert_int_equal(growth_predict(&p, 1, "m", NULL, 0, 0, NULL, 0), 0);
	assert_int_equal(p.context_budget, 128000);
	assert_string_equal(p.budget_source, "default (unknown model)");
	assert_int_equal(p.tokens_used, 0);
	assert_int_equal(p.est_remaining, -1);
	assert_int_equal(p.nhistory, 0);
	assert_string_equal(p.alert_level, "none");
	growth_prediction_release(&p);
}

/* A context that shrinks (summarized) is not growing; a recent dip falls back to the average. */
static void test_growth_shrinking(void **state)
{
	static const long long shrink[] = {8000, 6000, 4000};
	static const long long dip[] = {1000, 5000, 6000, 5000, 4000};
	struct growth_step s[5];
	struct growth_prediction p;

	(void)state;
	mk_steps(s, shrink, 3);
	assert_int_equal(growth_predict(&p, 1, "m", s, 3, 10000, "--budget", 0), 0);
	assert_true(p.avg_tokens_per_step == -2000.0);
	assert_true(p.recent_rate == -2000.0);
	assert_int_equal(p.est_remaining, -1);
	assert_false(p.predict_exhaust);
	assert_string_equal(p.alert_level, "none");
	growth_prediction_release(&p);

	mk_steps(s, dip, 5);
	assert_int_equal(growth_predict(&p, 1, "m", s, 5, 10000, "--budget", 0), 0);
	assert_true(p.recent_rate == -1000.0 / 3);
	assert_true(p.avg_tokens_per_step == 750.0);
	assert_string_equal(p.rate_basis, "average");
	assert_int_equal(p.est_remaining, 8); /* floor(6000 / 750) */
	growth_prediction_release(&p);
}

static char *render(const struct growth_prediction *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	growth_print_text(f, p);
	fclose(f);
	return buf;
}

static void test_growth_text_json(void **state)
{
	static const long long tok[] = {10000, 20000, 35000, 50000, 70000};
	struct growth_step s[5];
	struct growth_prediction p;
	char *text, *json;
	cJSON *o;

	(void)state;
	mk_steps(s, tok, 5);
	s[1].request_tokens = 20000;
	s[4].response_tokens = -1;
	assert_int_equal(growth_predict(&p, 7, "gpt-4o", s, 5, 128000, "model table (gpt-4o)", 20),
			 0);
	text = render(&p);
	assert_string_equal(
	    text, "pid 7  model gpt-4o\n"
		  "  context    70,000 / 128,000 tokens (54.7%), budget: model table "
		  "(gpt-4o)\n"
		  "  steps      5 of max 20\n"
		  "  growth     avg 15,000.0 tokens/step, recent (last 3) 16,666.7 "
		  "tokens/step\n"
		  "  remaining  58,000 tokens, about 3 more steps at 16,666.7 tokens/step "
		  "(recent)\n"
		  "  exhaustion predicted at step 8, before the step limit (20)\n"
		  "  alert      none\n"
		  "    step       tokens       output   delta_ms\n"
		  "       1       10,000          100          0\n"
		  "       2       20,000          101       1000\n"
		  "       3       35,000          102       1000\n"
		  "       4       50,000          103       1000\n"
		  "       5       70,000            -       1000\n");
	free(text);
	o = growth_to_json(&p);
	assert_non_null(o);
	json = cJSON_PrintUnformatted(o);
	assert_string_equal(
	    json,
	    "{\"pid\":7,\"model\":\"gpt-4o\",\"tokens_used\":70000,\"context_budget\":128000,"
	    "\"budget_source\":\"model table (gpt-4o)\",\"usage_pct\":54.7,\"current_step\":5,"
	    "\"max_steps\":20,\"avg_tokens_per_step\":15000,\"recent_rate\":16666.666666666668,"
	    "\"remaining_budget\":58000,\"est_remaining\":3,\"predict_exhaust\":true,"
	    "\"alert_level\":\"none\",\"skipped_steps\":0,\"rate\":16666.666666666668,"
	    "\"rate_basis\":\"recent\",\"history\":["
	    "{\"step\":1,\"seq_num\":10,\"tokens\":10000,\"output_tokens\":100,\"delta_ms\":0},"
	    "{\"step\":2,\"seq_num\":20,\"tokens\":20000,\"output_tokens\":101,\"delta_ms\":1000},"
	    "{\"step\":3,\"seq_num\":30,\"tokens\":35000,\"output_tokens\":102,\"delta_ms\":1000},"
	    "{\"step\":4,\"seq_num\":40,\"tokens\":50000,\"output_tokens\":103,\"delta_ms\":1000},"
	    "{\"step\":5,\"seq_num\":50,\"tokens\":70000,\"output_tokens\":null,\"delta_ms\":1000}"
	    "]}");
	free(json);
	cJSON_Delete(o);
	growth_prediction_release(&p);
}

/* Points one second apart with the given fd counts and mapped MiB. */
static size_t mk_res(struct res_point *pts, const long long *fds, const long long *mib, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pts[i] = (struct res_point){.timestamp = 5000 * MS + 1000 * MS * i,
					    .fds = fds[i],
					    .mapped_bytes = mib[i] << 20};
	return n;
}

static void test_growth_res_verdict(void **state)
{
	static const struct {
		const char *name;
		long long fds[9], mib[9];
		size_t n;
		bool fd_leak, mem_leak;
		const char *fd_reason;
	} cases[] = {
	    {"steady climb",
	     {3, 10, 20, 30, 40, 50, 60, 70, 80},
	     {100, 130, 160, 190, 220, 250, 280, 310, 340},
	     9,
	     true,
	     true,
	     "leak: it kept growing to the end (no drop in the last 5 of 8 windows)"},
	    {"burst then flat",
	     {3, 50, 50, 50, 50, 50, 50, 50, 50},
	     {100, 400, 400, 400, 400, 400, 400, 400, 400},
	     9,
	     false,
	     false,
	     "no leak: one step up late in its lifetime, not a steady climb"},
	    {"climb then release",
	     {3, 10, 20, 30, 40, 50, 60, 70, 5},
	     {100, 130, 160, 190, 220, 250, 280, 310, 90},
	     9,
	     false,
	     false,
	     "no leak: it went down in the last part of its lifetime"},
	    {"too small",
	     {3, 4, 5, 6, 7, 8, 9, 10, 11},
	     {100, 105, 110, 115, 120, 125, 130, 135, 140},
	     9,
	     false,
	     false,
	     "no leak: it grew by less than the threshold over its lifetime"},
	    {"late jump",
	     {3, 3, 3, 3, 3, 3, 3, 3, 100},
	     {100, 100, 100, 100, 100, 100, 100, 100, 900},
	     9,
	     false,
	     false,
	     "no leak: one step up late in its lifetime, not a steady climb"},
	    {"big start, +40%",
	     {100, 105, 110, 115, 120, 125, 130, 135, 140},
	     {1000, 1050, 1100, 1150, 1200, 1250, 1300, 1350, 1400},
	     9,
	     false,
	     false,
	     "no leak: it grew by less than the threshold over its lifetime"},
	    {"two points",
	     {3, 100},
	     {100, 900},
	     2,
	     false,
	     false,
	     "no leak: one step up late in its lifetime, not a steady climb"},
	    {"one point", {3}, {100}, 1, false, false, "too few samples"},
	    {"none", {0}, {0}, 0, false, false, "no samples"},
	};
	struct res_point pts[9];
	struct res_verdict v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = mk_res(pts, cases[i].fds, cases[i].mib, cases[i].n);

		res_verdict_compute(&v, pts, n);
		if (v.fd_leak != cases[i].fd_leak || v.mem_leak != cases[i].mem_leak ||
		    strcmp(v.fd_reason, cases[i].fd_reason))
			fail_msg("%s: fd_leak %d mem_leak %d (%s)", cases[i].name, v.fd_leak,
				 v.mem_leak, v.fd_reason);
		assert_int_equal(v.samples, n);
		if (n) {
			assert_int_equal(v.fds_start, cases[i].fds[0]);
			assert_int_equal(v.fds_end, cases[i].fds[n - 1]);
			assert_int_equal(v.mem_start, cases[i].mib[0] << 20);
			assert_int_equal(v.mem_end, cases[i].mib[n - 1] << 20);
		}
	}
}

/* Uneven sampling: the window values are the last point at or before each window's end. */
static void test_growth_res_uneven(void **state)
{
	struct res_point pts[] = {
	    {0, 3, 0},		{100 * MS, 4, 0},   {4000 * MS, 10, 0}, {5000 * MS, 20, 0},
	    {6500 * MS, 30, 0}, {7100 * MS, 31, 0}, {8000 * MS, 40, 0},
	};
	struct res_verdict v;
	char *buf = NULL, *json;
	size_t len = 0;
	FILE *f;
	cJSON *o;

	(void)state;
	res_verdict_compute(&v, pts, 7);
	assert_true(v.fd_leak);
	assert_false(v.mem_leak);
	assert_int_equal(v.fds_max, 40);
	f = open_memstream(&buf, &len);
	res_verdict_print_text(f, 99, "python3", &v);
	fclose(f);
	assert_string_equal(
	    buf, "pid 99 python3 (7 samples)\n"
		 "  open fds   3 -> 40 (max 40): leak: it kept growing to the end (no drop in the "
		 "last 5 of 8 windows)\n"
		 "  mapped     0.0 -> 0.0 MiB (max 0.0 MiB): no leak: it grew by less than the "
		 "threshold over its lifetime\n");
	free(buf);
	o = res_verdict_to_json(&v);
	json = cJSON_PrintUnformatted(o);
	assert_non_null(strstr(json, "\"fds_start\":3,\"fds_end\":40,\"fds_max\":40,"));
	assert_non_null(strstr(json, "\"fd_leak\":true,\"mem_leak\":false,"));
	free(json);
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_growth_known_series),
	    cmocka_unit_test(test_growth_exact_estimate),
	    cmocka_unit_test(test_growth_alert_thresholds),
	    cmocka_unit_test(test_growth_max_steps),
	    cmocka_unit_test(test_growth_skipped_steps),
	    cmocka_unit_test(test_growth_single_and_empty),
	    cmocka_unit_test(test_growth_shrinking),
	    cmocka_unit_test(test_growth_text_json),
	    cmocka_unit_test(test_growth_res_verdict),
	    cmocka_unit_test(test_growth_res_uneven),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
