// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_llmstats.c - per-model LLM analytics: percentiles, status classes, errors, cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "llmstats.h"

#define MS 1000000LL

static struct models *acme_models(void)
{
	char path[] = "/tmp/test_llmstats_XXXXXX";
	static const char text[] = "acme-1\t100000\t1.50\t6.00\nacme-free\t100000\t-\t-\n";
	struct rec_err err = {0};
	struct models *m;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	m = models__new(path, &err);
	unlink(path);
	assert_non_null(m);
	return m;
}

static char *text_of(const struct llmstats *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	llmstats_print_text(f, s);
	fclose(f);
	return buf;
}

static cJSON *row(cJSON *o, size_t i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(o, "models"), (int)i);
}

static double num(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(o, key);

	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* Nearest rank: element ceil(p * N / 100), no interpolation. */
static void test_llmstats_percentiles(void **state)
{
	static const struct {
		size_t n;
		long long p50, p90, p99;
	} cases[] = {
	    {1, 1, 1, 1},    {2, 1, 2, 2},	{3, 2, 3, 3},	    {10, 5, 9, 10},
	    {11, 6, 10, 11}, {100, 50, 90, 99}, {101, 51, 91, 100}, {200, 100, 180, 198},
	};
	struct llmstats *s;
	cJSON *o, *t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = llmstats__new(NULL);
		/* values 1..n ms, added in a scrambled order */
		for (size_t k = 0; k < cases[i].n; k++) {
			long long v = (long long)((k * 7919) % cases[i].n) + 1;
			struct llm_call c = {.model = "m",
					     .request_tokens = 1,
					     .response_tokens = 1,
					     .latency_ns = v * MS,
					     .ttft_ns = v * 1000,
					     .status = 200,
					     .complete = true};

			assert_int_equal(llmstats_add(s, &c), 0);
		}
		o = llmstats_to_json(s);
		t = cJSON_GetObjectItem(o, "total");
		assert_int_equal(num(t, "latency_calls"), cases[i].n);
		assert_int_equal(num(t, "latency_p50"), cases[i].p50 * MS);
		assert_int_equal(num(t, "latency_p90"), cases[i].p90 * MS);
		assert_int_equal(num(t, "latency_p99"), cases[i].p99 * MS);
		assert_int_equal(num(t, "ttft_p50"), cases[i].p50 * 1000);
		assert_int_equal(num(t, "ttft_p99"), cases[i].p99 * 1000);
		cJSON_Delete(o);
		llmstats__free(s);
	}
}

/* acme-1-large: 10 calls (7 ok, a 429, a 500, a cut stream); acme-free-2: 2; llama3: 1. */
static struct llmstats *scenario(const struct models *m)
{
	struct llmstats *s = llmstats__new(m);

	for (int i = 1; i <= 10; i++) {
		struct llm_call c = {.model = "acme-1-large",
				     .pid = 7,
				     .timestamp = (uint64_t)i * 1000,
				     .request_tokens = 1000,
				     .response_tokens = 100,
				     .latency_ns = (11 - i) * MS,
				     .ttft_ns = -1,
				     .status = 200,
				     .complete = true};

		if (i == 8) {
			c.status = 429;
			c.request_tokens = c.response_tokens = -1;
			c.error = "rate limited";
		} else if (i == 9) {
			c.status = 500;
			c.request_tokens = c.response_tokens = -1;
			c.error = "server error";
		} else if (i == 10) {
			c.complete = false;
			c.response_tokens = -1;
		} else if (i <= 4) {
			c.ttft_ns = i * 100 * 1000;
		}
		assert_int_equal(llmstats_add(s, &c), 0);
	}
	for (int i = 0; i < 2; i++) {
		struct llm_call c = {.model = "acme-free-2",
				     .request_tokens = 50,
				     .response_tokens = 10,
				     .latency_ns = 2 * MS,
				     .ttft_ns = MS,
				     .status = 200,
				     .complete = true,
				     .error = ""};

		assert_int_equal(llmstats_add(s, &c), 0);
	}
	struct llm_call c = {.model = "llama3",
			     .request_tokens = -1,
			     .response_tokens = -1,
			     .latency_ns = -1,
			     .ttft_ns = -1,
			     .status = 0,
			     .complete = false,
			     .error = "connection reset"};

	assert_int_equal(llmstats_add(s, &c), 0);
	return s;
}

static void test_llmstats_models(void **state)
{
	struct models *m = acme_models();
	struct llmstats *s = scenario(m);
	cJSON *o = llmstats_to_json(s), *r, *st, *t;
	char *json;

	(void)state;
	assert_int_equal(llmstats_calls(s), 13);
	assert_string_equal(cJSON_GetObjectItem(o, "percentile_method")->valuestring,
			    "nearest-rank");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "models")), 3);

	r = row(o, 0);
	assert_string_equal(cJSON_GetObjectItem(r, "model")->valuestring, "acme-1-large");
	assert_string_equal(cJSON_GetObjectItem(r, "family")->valuestring, "acme-1");
	assert_int_equal(num(r, "calls"), 10);
	assert_int_equal(num(r, "request_tokens"), 8000);
	assert_int_equal(num(r, "response_tokens"), 700);
	assert_int_equal(num(r, "request_tokens_unknown"), 2);
	assert_int_equal(num(r, "response_tokens_unknown"), 3);
	/* complete calls: latencies 10..2 ms (the cut call, 1 ms, does not count) */
	assert_int_equal(num(r, "latency_calls"), 9);
	assert_int_equal(num(r, "latency_p50"), 6 * MS);
	assert_int_equal(num(r, "latency_p90"), 10 * MS);
	assert_int_equal(num(r, "latency_p99"), 10 * MS);
	assert_int_equal(num(r, "ttft_calls"), 4);
	assert_int_equal(num(r, "ttft_p50"), 200000);
	assert_int_equal(num(r, "ttft_p90"), 400000);
	st = cJSON_GetObjectItem(r, "status");
	json = cJSON_PrintUnformatted(st);
	assert_string_equal(json, "{\"2xx\":8,\"4xx\":1,\"5xx\":1,\"other\":0}");
	free(json);
	assert_int_equal(num(r, "incomplete"), 1);
	assert_int_equal(num(r, "errors"), 3);
	assert_true(num(r, "error_rate") == 0.3);
	json = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "error_samples"));
	assert_string_equal(json, "[\"rate limited\",\"server error\"]");
	free(json);
	/* (8000 * 1.50 + 700 * 6.00) / 1e6 */
	assert_true(num(r, "cost_usd") > 0.0162 - 1e-12 && num(r, "cost_usd") < 0.0162 + 1e-12);
	assert_string_equal(cJSON_GetObjectItem(r, "cost_note")->valuestring,
			    "3 calls without token counts not costed");

	r = row(o, 1);
	assert_string_equal(cJSON_GetObjectItem(r, "model")->valuestring, "acme-free-2");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "cost_usd")));
	assert_string_equal(cJSON_GetObjectItem(r, "cost_note")->valuestring,
			    "no price for model acme-free-2 (family acme-free has none in the "
			    "model table)");
	assert_int_equal(num(r, "errors"), 0);

	r = row(o, 2);
	assert_string_equal(cJSON_GetObjectItem(r, "model")->valuestring, "llama3");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "family")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "latency_p50")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "ttft_p50")));
	assert_int_equal(num(r, "errors"), 1);
	assert_true(num(r, "error_rate") == 1.0);
	assert_int_equal(num(cJSON_GetObjectItem(r, "status"), "other"), 1);
	assert_string_equal(cJSON_GetObjectItem(r, "cost_note")->valuestring,
			    "no price for model llama3 (not in the model table)");

	t = cJSON_GetObjectItem(o, "total");
	assert_string_equal(cJSON_GetObjectItem(t, "model")->valuestring, "total");
	assert_int_equal(num(t, "calls"), 13);
	assert_int_equal(num(t, "request_tokens"), 8100);
	assert_int_equal(num(t, "response_tokens"), 720);
	assert_int_equal(num(t, "errors"), 4);
	assert_int_equal(num(t, "incomplete"), 2);
	assert_int_equal(num(t, "latency_calls"), 11);
	assert_int_equal(num(t, "latency_p50"), 5 * MS); /* 2 2 2 3 4 [5] 6 7 8 [9] [10] */
	assert_int_equal(num(t, "latency_p90"), 9 * MS);
	assert_int_equal(num(t, "latency_p99"), 10 * MS);
	assert_true(num(t, "cost_usd") > 0.0162 - 1e-12 && num(t, "cost_usd") < 0.0162 + 1e-12);
	assert_string_equal(cJSON_GetObjectItem(t, "cost_note")->valuestring,
			    "excludes 3 calls of 2 models without a price: acme-free-2, llama3; "
			    "3 calls without token counts not costed");
	cJSON_Delete(o);
	llmstats__free(s);
	models__free(m);
}

static void test_llmstats_text(void **state)
{
	struct models *m = acme_models();
	struct llmstats *s = scenario(m);
	char *text = text_of(s);

	(void)state;
	assert_string_equal(
	    text, "LLM calls by model (percentiles: nearest rank)\n"
		  "acme-1-large (family acme-1)\n"
		  "  calls     10: 8 2xx, 1 4xx, 1 5xx, 0 other, 1 incomplete\n"
		  "  errors    3 (30.0%): rate limited, server error\n"
		  "  tokens    8,000 in, 700 out (3 calls without counts)\n"
		  "  latency   p50 6.0 ms, p90 10.0 ms, p99 10.0 ms (9 calls)\n"
		  "  ttft      p50 0.2 ms, p90 0.4 ms, p99 0.4 ms (4 calls)\n"
		  "  cost      $0.0162 (3 calls without token counts not costed)\n"
		  "acme-free-2 (family acme-free)\n"
		  "  calls     2: 2 2xx, 0 4xx, 0 5xx, 0 other, 0 incomplete\n"
		  "  errors    0 (0.0%)\n"
		  "  tokens    100 in, 20 out\n"
		  "  latency   p50 2.0 ms, p90 2.0 ms, p99 2.0 ms (2 calls)\n"
		  "  ttft      p50 1.0 ms, p90 1.0 ms, p99 1.0 ms (2 calls)\n"
		  "  cost      no price for model acme-free-2 (family acme-free has none in the "
		  "model table)\n"
		  "llama3\n"
		  "  calls     1: 0 2xx, 0 4xx, 0 5xx, 1 other, 1 incomplete\n"
		  "  errors    1 (100.0%): connection reset\n"
		  "  tokens    0 in, 0 out (1 call without counts)\n"
		  "  latency   no complete call\n"
		  "  ttft      no streamed call\n"
		  "  cost      no price for model llama3 (not in the model table)\n"
		  "total\n"
		  "  calls     13: 10 2xx, 1 4xx, 1 5xx, 1 other, 2 incomplete\n"
		  "  errors    4 (30.8%)\n"
		  "  tokens    8,100 in, 720 out (4 calls without counts)\n"
		  "  latency   p50 5.0 ms, p90 9.0 ms, p99 10.0 ms (11 calls)\n"
		  "  ttft      p50 0.3 ms, p90 1.0 ms, p99 1.0 ms (6 calls)\n"
		  "  cost      $0.0162 (excludes 3 calls of 2 models without a price: acme-free-2, "
		  "llama3; 3 calls without token counts not costed)\n");
	free(text);
	llmstats__free(s);
	models__free(m);
}

static void test_llmstats_empty_and_no_table(void **state)
{
	struct llmstats *s = llmstats__new(NULL);
	struct llm_call c = {.model = NULL,
			     .request_tokens = 10,
			     .response_tokens = 5,
			     .latency_ns = MS,
			     .ttft_ns = -1,
			     .status = 200,
			     .complete = true};
	char *text = text_of(s), *json;
	cJSON *o = llmstats_to_json(s);

	(void)state;
	assert_string_equal(text, "no LLM calls in this recording\n");
	free(text);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "models")), 0);
	json = cJSON_PrintUnformatted(cJSON_GetObjectItem(o, "total"));
	assert_non_null(strstr(json, "\"calls\":0,"));
	assert_non_null(strstr(json, "\"latency_p50\":null,"));
	assert_non_null(strstr(json, "\"cost_usd\":null,\"cost_note\":null}"));
	free(json);
	cJSON_Delete(o);
	text = text_of(NULL);
	assert_string_equal(text, "no LLM calls in this recording\n");
	free(text);

	assert_int_equal(llmstats_add(s, &c), 0);
	o = llmstats_to_json(s);
	assert_string_equal(cJSON_GetObjectItem(row(o, 0), "model")->valuestring, "unknown");
	assert_string_equal(cJSON_GetObjectItem(row(o, 0), "cost_note")->valuestring,
			    "no price for model unknown (no model table)");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(o, "total"), "cost_note")->valuestring,
	    "no price for any model");
	cJSON_Delete(o);
	llmstats__free(s);
	llmstats__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_llmstats_percentiles),
	    cmocka_unit_test(test_llmstats_models),
	    cmocka_unit_test(test_llmstats_text),
	    cmocka_unit_test(test_llmstats_empty_and_no_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
