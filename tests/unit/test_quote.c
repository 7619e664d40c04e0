// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_quote.c - strace quoting of bytes (as the live tracer's), one-line text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quote.h"

static void test_quote_bytes(void **state)
{
	static const struct {
		const char *data;
		size_t len, max;
		const char *want;
	} cases[] = {
	    {"", 0, 50, "\"\""},
	    {"abc", 3, 3, "\"abc\""},
	    {"abcd", 4, 3, "\"abc\"..."},
	    {"\0", 1, 50, "\"\\0\""},
	    {"\0"
	     "1",
	     2, 50, "\"\\0001\""},
	    {"\0"
	     "8",
	     2, 50, "\"\\08\""},
	    {"\0"
	     "1",
	     2, 1, "\"\\0\"..."},
	    {"\x1b"
	     "7\x7f"
	     "0\x80\xff",
	     6, 50, "\"\\0337\\1770\\200\\377\""},
	    {"\t\n\v\f\r\b\a\"\\", 9, 50, "\"\\t\\n\\v\\f\\r\\10\\7\\\"\\\\\""},
	    {"\xc3\xa9", 2, 50, "\"\\303\\251\""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		quote_bytes(f, cases[i].data, cases[i].len, cases[i].max);
		fclose(f);
		assert_string_equal(buf, cases[i].want);
		free(buf);
	}
}

static void test_quote_line(void **state)
{
	static const struct {
		const char *s;
		size_t max;
		const char *want;
	} cases[] = {
	    {"python3 agent.py", SIZE_MAX, "python3 agent.py"},
	    {"a\nb\tc\rd\\n\"e\"", SIZE_MAX, "a\\nb\\tc\\rd\\\\n\"e\""},
	    {"\x1b[31mred\x1b"
	     "0",
	     SIZE_MAX, "\\33[31mred\\0330"},
	    {"\xc2\x9b"
	     "1m \xc2\xa0x \xc3\xa9",
	     SIZE_MAX, "\\302\\2331m \xc2\xa0x \xc3\xa9"},
	    {"\xc3\xa9\xc3\xa9\xc3\xa9", 2, "\xc3\xa9\xc3\xa9..."},
	    {"\n\n\n", 2, "\\n\\n..."},
	    {"abc", 3, "abc"},
	    {"", 0, ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		quote_line(f, cases[i].s, cases[i].max);
		fclose(f);
		assert_string_equal(buf, cases[i].want);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quote_bytes),
	    cmocka_unit_test(test_quote_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
