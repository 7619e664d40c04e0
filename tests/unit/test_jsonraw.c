// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_jsonraw.c - raw JSON strings decoded to bytes; the walk over members and elements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonraw.h"

static void test_jsonraw_string(void **state)
{
	static const struct {
		const char *json;
		const char *bytes; /* NULL: refused */
		size_t len;
	} cases[] = {
	    {"\"\"", "", 0},
	    {"  \"ab\"", "ab", 2},
	    {"\"a\\u0000b\"", "a\0b", 3},
	    {"\"\\u0000\"", "\0", 1},
	    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8},
	    {"\"\\u007f\\u0080\\u00FF\"", "\x7f\x80\xff", 3},
	    {"\"\\u0100\\u20ac\\uffff\"", "\xc4\x80\xe2\x82\xac\xef\xbf\xbf", 8},
	    {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},
	    {"\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4},
	    /* lone or reversed surrogates: U+FFFD each, the rest kept */
	    {"\"\\ud83dx\"", "\xef\xbf\xbdx", 4},
	    {"\"\\ude00\\ud83d\"", "\xef\xbf\xbd\xef\xbf\xbd", 6},
	    {"\"\\ud83d\\u0041\"",
	     "\xef\xbf\xbd"
	     "A",
	     4},
	    {"\"\\ud83d\\ud83d\\ude00\"", "\xef\xbf\xbd\xf0\x9f\x98\x80", 7},
	    {"\"\\ud83d\\ude0\"", NULL, 0},
	    {"\"\\ud83d\\u\"", NULL, 0},
	    {"\"\xc3\xa9\x01\"", "\xc3\xa9\x01", 3},
	    {"\"\\x41\"", NULL, 0},
	    {"\"\\u12\"", NULL, 0},
	    {"\"\\u12g4\"", NULL, 0},
	    {"\"abc", NULL, 0},
	    {"\"abc\\\"", NULL, 0},
	    {"\"\\", NULL, 0},
	    {"\"", NULL, 0},
	    {"", NULL, 0},
	    {"abc", NULL, 0},
	    {"7", NULL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *j = cases[i].json;
		size_t len = 99;
		char *got = jraw_string(j, j + strlen(j), &len);

		if (!cases[i].bytes) {
			assert_null(got);
			continue;
		}
		assert_non_null(got);
		assert_int_equal(len, cases[i].len);
		assert_memory_equal(got, cases[i].bytes, len);
		assert_int_equal(got[len], '\0');
		free(got);
	}
}

/* The text ends where end says, not at a NUL: nothing past it is read. */
static void test_jsonraw_string_bounded(void **state)
{
	static const char text[] = "\"ab\\u0041\"";
	size_t len;

	(void)state;
	for (size_t cut = 0; cut < sizeof(text) - 1; cut++) {
		char *copy = malloc(cut ? cut : 1);

		memcpy(copy, text, cut);
		assert_null(jraw_string(copy, copy + cut, &len));
		free(copy);
	}
}

static void test_jsonraw_member(void **state)
{
	static const char obj[] =
	    " {\"a\" : 1, \"b\":{\"x\":[1,\"}\",{\"y\":\"]\"}]},\"\\u0063\":\"C\",\"k\\\"q\":2, "
	    "\"d\":true,\"d\":false,\"e\":\"E\\u0000\"}";
	static const struct {
		const char *key;
		const char *value; /* the text the value starts with; NULL: no such member */
	} cases[] = {
	    {"a", "1, "},    {"b", "{\"x\""},	  {"c", "\"C\""},
	    {"k\"q", "2, "}, {"d", "true,\"d\""}, {"e", "\"E\\u0000\"}"},
	    {"x", NULL},     {"y", NULL},	  {"", NULL},
	};
	const char *end = obj + sizeof(obj) - 1;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v = jraw_member(obj, end, cases[i].key);

		if (!cases[i].value) {
			assert_null(v);
			continue;
		}
		assert_non_null(v);
		assert_memory_equal(v, cases[i].value, strlen(cases[i].value));
	}
	assert_null(jraw_member("[1]", "[1]" + 3, "a"));
	assert_null(jraw_member("\"a\"", "\"a\"" + 3, "a"));
	/* cut short: the members before the cut are found, none after */
	assert_non_null(jraw_member(obj, obj + 12, "a"));
	assert_null(jraw_member(obj, obj + 12, "b"));
}

static void test_jsonraw_iter(void **state)
{
	static const char arr[] = "[ \"a\\u0000\" , 12 ,[3,[4]], {\"k\":\"]\"},null,-1.5e3 ]";
	static const char *const want[] = {"\"a\\u0000\"",  "12",   "[3,[4]]",
					   "{\"k\":\"]\"}", "null", "-1.5e3"};
	static const char *const bad[] = {"[1 2]", "[1,", "[\"a", "{\"a\" 1}", "[,1]", "{1:2}"};
	struct jraw_iter it;
	const char *v, *end = arr + sizeof(arr) - 1;
	size_t n = 0;

	(void)state;
	assert_true(jraw_iter_init(&it, arr, end));
	while ((v = jraw_iter_next(&it))) {
		assert_true(n < 6);
		assert_int_equal(jraw_skip(v, end) - v, strlen(want[n]));
		assert_memory_equal(v, want[n], strlen(want[n]));
		n++;
	}
	assert_int_equal(n, 6);
	assert_null(jraw_iter_next(&it));
	assert_true(jraw_iter_init(&it, " [ ] ", " [ ] " + 5));
	assert_null(jraw_iter_next(&it));
	assert_false(jraw_iter_init(&it, "7", "7" + 1));
	assert_false(jraw_iter_init(&it, " ", " " + 1));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *b = bad[i], *e = b + strlen(b);

		n = 0;
		assert_true(jraw_iter_init(&it, b, e));
		while (jraw_iter_next(&it))
			n++;
		assert_true(n <= 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jsonraw_string),
	    cmocka_unit_test(test_jsonraw_string_bounded),
	    cmocka_unit_test(test_jsonraw_member),
	    cmocka_unit_test(test_jsonraw_iter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
