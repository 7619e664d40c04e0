// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_strfmt.c - fmt_quoted against strace 6.1's quoting, json_escape against RFC 8259.
 *
 * The fmt_quoted expectations are strace 6.1's output for write(2) of the same bytes with the
 * same -s limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strfmt.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define S(lit)	      lit, sizeof(lit) - 1 /* literal, embedded NULs kept, final one not */
#define NOLIM	      ((size_t)-1)

struct quote_case {
	const char *data;
	size_t len;
	size_t maxlen;
	bool cut;
	const char *want;
};

static const struct quote_case quote_cases[] = {
    {S(""), 32, false, "\"\""},
    {S("hello"), 32, false, "\"hello\""},
    {S("\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0"), 32, false,
     "\"\\177ELF\\2\\1\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\""},
    /* three digits only before an octal digit: \0001 but \08 and \09 */
    {S("\0"
       "1\0"
       "8\0"
       "9\0"),
     32, false, "\"\\0001\\08\\09\\0\""},
    {S("\0017"), 32, false, "\"\\0017\""},
    {S("\0337"), 32, false, "\"\\0337\""},
    {S("\1777"), 32, false, "\"\\1777\""},
    /* \a and \b are octal in strace; \t \n \v \f \r are letters */
    {S("\a\b\t\n\v\f\r"), 32, false, "\"\\7\\10\\t\\n\\v\\f\\r\""},
    {S("\033[1m"), 32, false, "\"\\33[1m\""},
    {S("\"\\'?"), 32, false, "\"\\\"\\\\'?\""},
    {S("\200\377\303\251 ~"), 32, false, "\"\\200\\377\\303\\251 ~\""},
    {S("abc\0"), 32, false, "\"abc\\0\""},
    /* cut by maxlen: ... after the quote */
    {S("abcdefghijklmnopqrstuvwxyz0123456789"), 32, false,
     "\"abcdefghijklmnopqrstuvwxyz012345\"..."},
    {S("\0"
       "1\0"
       "8\0"
       "9\0"),
     5, false, "\"\\0001\\08\\0\"..."},
    {S("\177ELF\2\1"), 5, false, "\"\\177ELF\\2\"..."},
    /* the byte after the cut does not count: \0 then '1' unseen is plain \0 */
    {S("\0"
       "1"),
     1, false, "\"\\0\"..."},
    {S("\0017"), 1, false, "\"\\1\"..."},
    {S("abc"), 0, false, "\"\"..."},
    {S(""), 0, false, "\"\""},
    /* exactly maxlen bytes is not cut */
    {S("abcde"), 5, false, "\"abcde\""},
    /* the source was cut before capture */
    {S("abc"), 32, true, "\"abc\"..."},
    {S(""), 32, true, "\"\"..."},
    {S("abcdef"), 3, true, "\"abc\"..."},
    {S("x\377"), NOLIM, false, "\"x\\377\""},
};

static void test_strfmt_quoted_cases(void **state)
{
	char buf[512];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(quote_cases); i++) {
		const struct quote_case *c = &quote_cases[i];
		size_t r;

		memset(buf, 'X', sizeof(buf));
		r = fmt_quoted(buf, sizeof(buf), c->data, c->len, c->maxlen, c->cut);
		if (strcmp(buf, c->want))
			fail_msg("case %zu: got %s, want %s", i, buf, c->want);
		assert_int_equal(r, strlen(c->want));
	}
}

/* Every byte value on its own and before '0': the letter escapes, shortest and 3-digit octal. */
static void test_strfmt_quoted_all_bytes(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < 256; c++) {
		unsigned char d[2] = {(unsigned char)c, '0'};
		char got[16], want[16];

		switch (c) {
		case '"':
			strcpy(want, "\"\\\"0\"");
			break;
		case '\\':
			strcpy(want, "\"\\\\0\"");
			break;
		case '\t':
			strcpy(want, "\"\\t0\"");
			break;
		case '\n':
			strcpy(want, "\"\\n0\"");
			break;
		case '\v':
			strcpy(want, "\"\\v0\"");
			break;
		case '\f':
			strcpy(want, "\"\\f0\"");
			break;
		case '\r':
			strcpy(want, "\"\\r0\"");
			break;
		default:
			if (c >= 0x20 && c < 0x7f)
				snprintf(want, sizeof(want), "\"%c0\"", c);
			else
				snprintf(want, sizeof(want), "\"\\%03o0\"", c);
		}
		assert_int_equal(fmt_quoted(got, sizeof(got), d, 2, 2, false), strlen(want));
		assert_string_equal(got, want);
		/* alone, octal is as short as possible */
		if (c < 0x20 && (c == 0 || !strchr("\t\n\v\f\r", (int)c))) {
			snprintf(want, sizeof(want), "\"\\%o\"", c);
			fmt_quoted(got, sizeof(got), d, 1, 1, false);
			assert_string_equal(got, want);
		}
	}
}

typedef size_t (*fmt_fn)(char *buf, size_t n, const void *ctx);

/*
 * snprintf contract for one call: n == 0 writes nothing (buf may be NULL), every n up to an
 * exact fit gives a NUL-terminated prefix of the full text and the full length, and nothing is
 * written at or after buf[n].
 */
static void check_contract(fmt_fn fn, const void *ctx, const char *want)
{
	size_t len = strlen(want);
	char *buf = malloc(len + 8);

	assert_non_null(buf);
	assert_int_equal(fn(NULL, 0, ctx), len);
	memset(buf, 'X', len + 8);
	assert_int_equal(fn(buf, 0, ctx), len);
	assert_int_equal(buf[0], 'X');
	for (size_t n = 1; n <= len + 1; n++) {
		memset(buf, 'X', len + 8);
		assert_int_equal(fn(buf, n, ctx), len);
		assert_int_equal(strlen(buf), n - 1);
		assert_memory_equal(buf, want, n - 1);
		assert_int_equal(buf[n], 'X');
	}
	free(buf);
}

static size_t quoted_fn(char *buf, size_t n, const void *ctx)
{
	const struct quote_case *c = ctx;

	return fmt_quoted(buf, n, c->data, c->len, c->maxlen, c->cut);
}

static void test_strfmt_quoted_snprintf_contract(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(quote_cases); i++)
		check_contract(quoted_fn, &quote_cases[i], quote_cases[i].want);
}

/* Input in a buffer of exactly len bytes, so ASan catches any read past it. */
static void test_strfmt_quoted_no_overread(void **state)
{
	char *d = malloc(3);
	char buf[64];

	(void)state;
	assert_non_null(d);
	memcpy(d,
	       "\0"
	       "12",
	       3);
	assert_int_equal(fmt_quoted(buf, sizeof(buf), d, 3, 3, false), strlen("\"\\00012\""));
	assert_string_equal(buf, "\"\\00012\"");
	fmt_quoted(buf, sizeof(buf), d, 3, 10, false);
	assert_string_equal(buf, "\"\\00012\"");
	free(d);
	assert_int_equal(fmt_quoted(buf, sizeof(buf), NULL, 0, 10, false), 2);
	assert_string_equal(buf, "\"\"");
}

struct json_case {
	const char *data;
	size_t len;
	const char *want;
};

static const struct json_case json_cases[] = {
    {S(""), ""},
    {S("hello world"), "hello world"},
    {S("\"quoted\" back\\slash /"), "\\\"quoted\\\" back\\\\slash /"},
    {S("\b\f\n\r\t"), "\\b\\f\\n\\r\\t"},
    {S("\0\1\x1b\x1f"), "\\u0000\\u0001\\u001b\\u001f"},
    {S("\x7f"), "\\u007f"},
    {S("\v\a"), "\\u000b\\u0007"},
    /* valid UTF-8 is kept: 2, 3 and 4 byte forms and the range ends */
    {S("caf\xc3\xa9"), "caf\xc3\xa9"},
    {S("\xe2\x82\xac"), "\xe2\x82\xac"},
    {S("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80"},
    {S("\xc2\x80"), "\xc2\x80"},
    {S("\xdf\xbf"), "\xdf\xbf"},
    {S("\xe0\xa0\x80"), "\xe0\xa0\x80"},
    {S("\xed\x9f\xbf"), "\xed\x9f\xbf"},
    {S("\xee\x80\x80"), "\xee\x80\x80"},
    {S("\xef\xbf\xbf"), "\xef\xbf\xbf"},
    {S("\xf0\x90\x80\x80"), "\xf0\x90\x80\x80"},
    {S("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf"},
    /* invalid: each byte of the bad sequence alone, decoding resumes right after it */
    {S("\xff"), "\\u00ff"},
    {S("\x80"), "\\u0080"},
    {S("a\x80\x80z"), "a\\u0080\\u0080z"},
    {S("\xc3"), "\\u00c3"},
    {S("\xc3"
       "A"),
     "\\u00c3A"},
    {S("\xc3\xc3\xa9"), "\\u00c3\xc3\xa9"},
    {S("\xc0\xaf"), "\\u00c0\\u00af"},
    {S("\xc1\xbf"), "\\u00c1\\u00bf"},
    {S("\xe0\x80\x80"), "\\u00e0\\u0080\\u0080"},
    {S("\xe0\x9f\xbf"), "\\u00e0\\u009f\\u00bf"},
    {S("\xed\xa0\x80"), "\\u00ed\\u00a0\\u0080"},
    {S("\xed\xbf\xbf"), "\\u00ed\\u00bf\\u00bf"},
    {S("\xf0\x80\x80\x80"), "\\u00f0\\u0080\\u0080\\u0080"},
    {S("\xf0\x8f\xbf\xbf"), "\\u00f0\\u008f\\u00bf\\u00bf"},
    {S("\xf4\x90\x80\x80"), "\\u00f4\\u0090\\u0080\\u0080"},
    {S("\xf5\x80\x80\x80"), "\\u00f5\\u0080\\u0080\\u0080"},
    {S("\xf8\x88\x80\x80\x80"), "\\u00f8\\u0088\\u0080\\u0080\\u0080"},
    {S("\xe2\x82"), "\\u00e2\\u0082"},
    {S("\xe2\x82"
       "x"),
     "\\u00e2\\u0082x"},
    {S("\xf0\x9f\x98"), "\\u00f0\\u009f\\u0098"},
    {S("\xff\xe2\x82\xac"), "\\u00ff\xe2\x82\xac"},
    {S("\xe2\x28\xa1"), "\\u00e2(\\u00a1"},
};

static void test_strfmt_json_cases(void **state)
{
	char buf[512];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(json_cases); i++) {
		const struct json_case *c = &json_cases[i];
		size_t r;

		memset(buf, 'X', sizeof(buf));
		r = json_escape(buf, sizeof(buf), c->data, c->len);
		if (strcmp(buf, c->want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf, c->want);
		assert_int_equal(r, strlen(c->want));
	}
}

static size_t json_fn(char *buf, size_t n, const void *ctx)
{
	const struct json_case *c = ctx;

	return json_escape(buf, n, c->data, c->len);
}

static void test_strfmt_json_snprintf_contract(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(json_cases); i++)
		check_contract(json_fn, &json_cases[i], json_cases[i].want);
}

/*
 * An independent check of the output: decodes it as a JSON string body (escapes, then UTF-8
 * with its own code point arithmetic rather than json_escape's byte ranges) and fails on any
 * raw control character, bad escape or ill-formed UTF-8.
 */
static bool json_body_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t need;

		if (c < 0x20 || c == '"' || c == 0x7f) /* DEL: escaped by contract */
			return false;
		if (c == '\\') {
			if (i + 1 >= len)
				return false;
			if (s[i + 1] && strchr("\"\\/bfnrt", s[i + 1])) {
				i += 2;
				continue;
			}
			if (s[i + 1] != 'u' || i + 6 > len)
				return false;
			for (size_t k = 2; k < 6; k++)
				if (!s[i + k] || !strchr("0123456789abcdefABCDEF", s[i + k]))
					return false;
			i += 6;
			continue;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			need = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + need > len)
			return false;
		for (size_t k = 1; k < need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) ||
		    (need == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need;
	}
	return true;
}

/* Pseudo-random byte strings, biased towards UTF-8 lead and continuation bytes. */
static void test_strfmt_json_always_valid(void **state)
{
	static const unsigned char pool[] = {0x00, 0x1f, '"',  '\\', 'a',  0x7f, 0x80, 0xbf,
					     0xc2, 0xc3, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4,
					     0xf5, 0xff, 0x9f, 0xa0, 0x8f, 0x90};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned char in[24];
	char out[24 * 6 + 1];

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		size_t len, r;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		len = seed % sizeof(in);
		for (size_t i = 0; i < len; i++) {
			uint64_t x = seed >> (i % 8 * 8);

			in[i] = (x & 0x100) ? pool[x % sizeof(pool)] : (unsigned char)x;
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		}
		r = json_escape(out, sizeof(out), in, len);
		assert_true(r < sizeof(out));
		if (!json_body_valid((const unsigned char *)out, r))
			fail_msg("iteration %d: invalid JSON body \"%s\"", iter, out);
	}
	/* every single byte */
	for (unsigned int c = 0; c < 256; c++) {
		unsigned char b = (unsigned char)c;
		size_t r = json_escape(out, sizeof(out), &b, 1);

		assert_true(json_body_valid((const unsigned char *)out, r));
	}
}

/* Input in a buffer of exactly len bytes, ending in the middle of a sequence. */
static void test_strfmt_json_no_overread(void **state)
{
	unsigned char *d = malloc(2);
	char buf[64];

	(void)state;
	assert_non_null(d);
	d[0] = 'x';
	d[1] = 0xf0;
	assert_int_equal(json_escape(buf, sizeof(buf), d, 2), strlen("x\\u00f0"));
	assert_string_equal(buf, "x\\u00f0");
	free(d);
	assert_int_equal(json_escape(buf, sizeof(buf), NULL, 0), 0);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strfmt_quoted_cases),
	    cmocka_unit_test(test_strfmt_quoted_all_bytes),
	    cmocka_unit_test(test_strfmt_quoted_snprintf_contract),
	    cmocka_unit_test(test_strfmt_quoted_no_overread),
	    cmocka_unit_test(test_strfmt_json_cases),
	    cmocka_unit_test(test_strfmt_json_snprintf_contract),
	    cmocka_unit_test(test_strfmt_json_always_valid),
	    cmocka_unit_test(test_strfmt_json_no_overread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
