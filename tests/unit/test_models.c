// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_models.c - the model table: built-in rows, prefix lookup, user overrides, bad files. */
#include <errno.h>
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

#include "models.h"

/* A temporary file holding text; the path is written to path (PATH_MAX-ish). */
static void write_tmp(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/test_models_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_models_builtin_lookup(void **state)
{
	static const struct {
		const char *model;
		const char *family; /* NULL: unknown */
		long window;
		double in, out;
		bool priced;
	} cases[] = {
	    {"gpt-4o", "gpt-4o", 128000, 2.50, 10.00, true},
	    {"GPT-4o-2024-08-06", "gpt-4o", 128000, 2.50, 10.00, true},
	    {"gpt-4o-mini-2024-07-18", "gpt-4o-mini", 128000, 0.15, 0.60, true},
	    {"openai/gpt-4o-mini", "gpt-4o-mini", 128000, 0.15, 0.60, true},
	    {"gpt-4.1-mini", "gpt-4.1-mini", 1047576, 0.40, 1.60, true},
	    {"gpt-4.1", "gpt-4.1", 1047576, 2.00, 8.00, true},
	    {"gpt-4-0613", "gpt-4", 8192, 30.00, 60.00, true},
	    {"gpt-5-mini-2025-08-07", "gpt-5-mini", 400000, 0.25, 2.00, true},
	    {"gpt-5", "gpt-5", 400000, 1.25, 10.00, true},
	    {"o3-mini", "o3-mini", 200000, 1.10, 4.40, true},
	    {"o3-2025-04-16", "o3", 200000, 2.00, 8.00, true},
	    {"o4-mini", "o4-mini", 200000, 1.10, 4.40, true},
	    {"claude-3-5-sonnet-20241022", "claude-3-5-sonnet", 200000, 3.00, 15.00, true},
	    {"anthropic/claude-3.7-sonnet", "claude-3.7-sonnet", 200000, 3.00, 15.00, true},
	    {"claude-sonnet-4-5-20250929", "claude-sonnet-4", 200000, 3.00, 15.00, true},
	    {"claude-opus-4-1-20250805", "claude-opus-4", 200000, 15.00, 75.00, true},
	    {"claude-opus-4-5", "claude-opus-4-5", 200000, 5.00, 25.00, true},
	    {"claude-haiku-4-5", "claude-haiku-4", 200000, 1.00, 5.00, true},
	    {"claude-3-haiku-20240307", "claude-3-haiku", 200000, 0.25, 1.25, true},
	    {"gemini-2.5-pro", "gemini-2.5-pro", 1048576, 1.25, 10.00, true},
	    {"google/gemini-2.0-flash-001", "gemini-2.0-flash", 1048576, 0.10, 0.40, true},
	    {"gemini-1.5-pro-002", "gemini-1.5-pro", 2097152, 1.25, 5.00, true},
	    {"qwen2.5-coder:7b", "qwen2.5", 32768, 0, 0, false},
	    {"qwen-max", "qwen-max", 32768, 1.60, 6.40, true},
	    {"deepseek-chat", "deepseek-chat", 131072, 0.28, 0.42, true},
	    {"deepseek-r1:8b", "deepseek", 131072, 0, 0, false},
	    {"mock-agent-1", "mock-", 128000, 0, 0, false},
	    {"llama3.1", NULL, 0, 0, 0, false},
	    {"mock", NULL, 0, 0, 0, false},
	    {"", NULL, 0, 0, 0, false},
	};
	struct rec_err err = {0};
	struct models *m = models__new(NULL, &err);

	(void)state;
	assert_non_null(m);
	assert_true(models_count(m) >= 50);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct model_info *r = models_lookup(m, cases[i].model);

		if (!cases[i].family) {
			assert_null(r);
			continue;
		}
		assert_non_null(r);
		assert_string_equal(r->family, cases[i].family);
		assert_int_equal(r->context_window, cases[i].window);
		assert_true(r->usd_in_per_mtok == cases[i].in);
		assert_true(r->usd_out_per_mtok == cases[i].out);
		assert_int_equal(r->priced, cases[i].priced);
	}
	assert_null(models_lookup(m, NULL));
	assert_null(models_lookup(NULL, "gpt-4o"));
	models__free(m);
	models__free(NULL);
}

/* A user row replaces the built-in one of the same family and adds new families. */
static void test_models_user_override(void **state)
{
	char path[64];
	struct rec_err err = {0};
	struct models *m, *base = models__new(NULL, &err);
	const struct model_info *r;

	(void)state;
	write_tmp(path, sizeof(path),
		  "# my prices\n"
		  "\n"
		  "GPT-4o   64000 1 2   # a trailing comment\n"
		  "my-model\t-\t0.5\t1.5\r\n"
		  "mock-    32000 0.01 0.02\n");
	m = models__new(path, &err);
	unlink(path);
	assert_non_null(m);
	assert_int_equal(models_count(m), models_count(base) + 1);
	r = models_lookup(m, "gpt-4o-2024-11-20");
	assert_non_null(r);
	assert_int_equal(r->context_window, 64000);
	assert_true(r->usd_in_per_mtok == 1 && r->usd_out_per_mtok == 2 && r->priced);
	r = models_lookup(m, "gpt-4o-mini");
	assert_string_equal(r->family, "gpt-4o-mini");
	assert_true(r->usd_in_per_mtok == 0.15);
	r = models_lookup(m, "vendor/my-model-v2");
	assert_string_equal(r->family, "my-model");
	assert_int_equal(r->context_window, 0);
	assert_true(r->usd_in_per_mtok == 0.5 && r->usd_out_per_mtok == 1.5 && r->priced);
	r = models_lookup(m, "mock-agent-1");
	assert_true(r->priced);
	assert_int_equal(r->context_window, 32000);
	models__free(m);
	models__free(base);
}

static void test_models_bad_file(void **state)
{
	static const struct {
		const char *text;
		const char *want; /* after "<path>:" */
	} cases[] = {
	    {"gpt-x\n", "1: expected 4 fields (family window usd_in usd_out), got 1"},
	    {"# ok\nm 1000 1 2\nm 12x 1 2\n", "3: bad context window \"12x\""},
	    {"m 0 1 2\n", "1: bad context window \"0\""},
	    {"m 1000 cheap 2\n", "1: bad input price \"cheap\""},
	    {"m 1000 1 -2\n", "1: bad output price \"-2\""},
	    {"m 1000 - 2\n", "1: give both prices or neither (\"-\")"},
	    {"m 1000 1 2 3\n", "1: too many fields (family window usd_in usd_out)"},
	};
	char path[64], want[256];
	struct rec_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_tmp(path, sizeof(path), cases[i].text);
		memset(&err, 0, sizeof(err));
		assert_null(models__new(path, &err));
		unlink(path);
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].want);
		assert_string_equal(err.msg, want);
	}
	assert_null(models__new("/nonexistent/models.tsv", &err));
	assert_string_equal(err.msg, "/nonexistent/models.tsv: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_models_builtin_lookup),
	    cmocka_unit_test(test_models_user_override),
	    cmocka_unit_test(test_models_bad_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
