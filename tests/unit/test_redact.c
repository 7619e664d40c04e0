// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_redact.c - credentials out of bodies and headers: sk- keys, Bearer tokens, header names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redact.h"

static const struct {
	const char *in, *out;
} secret_cases[] = {
    {"", ""},
    {"no secrets here", "no secrets here"},
    {"sk-", "sk-"},
    /* 16 key characters after "sk-" is the shortest key, 15 is not one */
    {"key sk-abcdefghijklmnop end", "key [REDACTED] end"},
    {"key sk-abcdefghijklmno end", "key sk-abcdefghijklmno end"},
    {"sk-abcdefghijklmnop", "[REDACTED]"},
    {"sk-proj-abc_DEF-ghi0123456789xyz", "[REDACTED]"},
    {"sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx-yz_0123456789AA", "[REDACTED]"},
    {"\"api_key\": \"sk-abcdefghijklmnopqrst\",", "\"api_key\": \"[REDACTED]\","},
    {"OPENAI_API_KEY=sk-abcdefghijklmnopqrst\n", "OPENAI_API_KEY=[REDACTED]\n"},
    /* the key ends at the first character outside [A-Za-z0-9_-] */
    {"sk-abcdefghijklmnopqrst.tail", "[REDACTED].tail"},
    /* not a key: "sk-" inside a word or an identifier */
    {"task-abcdefghijklmnopqrst", "task-abcdefghijklmnopqrst"},
    {"disk-0123456789abcdefghij", "disk-0123456789abcdefghij"},
    {"x_sk-abcdefghijklmnopqrst", "x_sk-abcdefghijklmnopqrst"},
    {"-sk-abcdefghijklmnopqrst", "-sk-abcdefghijklmnopqrst"},
    {"9sk-abcdefghijklmnopqrst", "9sk-abcdefghijklmnopqrst"},
    {"SK-abcdefghijklmnopqrst", "SK-abcdefghijklmnopqrst"},
    {"/sk-abcdefghijklmnopqrst", "/[REDACTED]"},
    {"\xc3\xa9sk-abcdefghijklmnopqrst", "\xc3\xa9[REDACTED]"},
    {"a sk-AAAAAAAAAAAAAAAA b sk-BBBBBBBBBBBBBBBBBBBB c", "a [REDACTED] b [REDACTED] c"},
    {"sk-AAAAAAAAAAAAAAAA sk-BBBBBBBBBBBBBBBB", "[REDACTED] [REDACTED]"},
    {"(sk-AAAAAAAAAAAAAAAA)(sk-BBBBBBBBBBBBBBBB)", "([REDACTED])([REDACTED])"},
    /*
     * Escapes end a word: raw JSON ("\n", "\u0020") and URL-encoded text ("%20") put a letter or
     * digit right before a key that is still a separate word.
     */
    {"{\"c\":\"key:\\nsk-abcdefghijklmnopqrst\"}", "{\"c\":\"key:\\n[REDACTED]\"}"},
    {"key\\tsk-abcdefghijklmnopqrst", "key\\t[REDACTED]"},
    {"\\u0020sk-abcdefghijklmnopqrst", "\\u0020[REDACTED]"},
    {"q=my%20key%20sk-abcdefghijklmnopqrst&x", "q=my%20key%20[REDACTED]&x"},
    {"key%3dsk-abcdefghijklmnopqrst", "key%3d[REDACTED]"},
    {"\\nsk-AAAAAAAAAAAAAAAA\\nsk-BBBBBBBBBBBBBBBB", "\\n[REDACTED]\\n[REDACTED]"},
    {"\\nBearer abcdefghijklmnopqrstu", "\\nBearer [REDACTED]"},
    {"100sk-abcdefghijklmnopqrst", "100sk-abcdefghijklmnopqrst"},
    {"x%2sk-abcdefghijklmnopqrst", "x%2sk-abcdefghijklmnopqrst"},
    {"u0020sk-abcdefghijklmnopqrst", "u0020sk-abcdefghijklmnopqrst"},
    /* Bearer tokens of any shape, the scheme word kept */
    {"Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "Authorization: Bearer [REDACTED]"},
    {"bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc-def_ghi", "bearer [REDACTED]"},
    {"BEARER abcdefghijklmnopqrstu", "BEARER [REDACTED]"},
    {"Bearer abc/def+ghi=jkl~mno.pqrs tail", "Bearer [REDACTED] tail"},
    {"Bearer abcdefghijklmnop==", "Bearer [REDACTED]"},
    {"Bearer sk-abcdefghijklmnopqrst", "Bearer [REDACTED]"},
    {"Bearer short", "Bearer short"},
    {"Bearer abcdefghijklmno", "Bearer abcdefghijklmno"},
    {"Bearer  abcdefghijklmnopqrstu", "Bearer  abcdefghijklmnopqrstu"},
    {"Cupbearer abcdefghijklmnopqrstu", "Cupbearer abcdefghijklmnopqrstu"},
    {"Bearer", "Bearer"},
    {"Bearer ", "Bearer "},
    {"b", "b"},
    {"s", "s"},
    {"sk", "sk"},
    /* Google API keys, and the ?key= parameter Gemini takes them by */
    {"x-goog-api-key AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "x-goog-api-key [REDACTED]"},
    {"\"AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q\"", "\"[REDACTED]\""},
    {"AIzaShort_but_not_30_chars", "AIzaShort_but_not_30_chars"},
    {"xAIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "xAIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"},
    {"/v1beta/models/g:generateContent?key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q&alt=sse",
     "/v1beta/models/g:generateContent?key=[REDACTED]&alt=sse"},
    {"/m:streamGenerateContent?alt=sse&key=0123456789abcdefXYZ",
     "/m:streamGenerateContent?alt=sse&key=[REDACTED]"},
    {"?key=0123456789abcdef", "?key=[REDACTED]"},
    {"?key=0123456789abcde", "?key=0123456789abcde"},
    {"?monkey=0123456789abcdefXYZ", "?monkey=0123456789abcdefXYZ"},
    {"&key=", "&key="},
    {"?key", "?key"},
};

static void test_redact_secrets(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(secret_cases) / sizeof(secret_cases[0]); i++) {
		const char *in = secret_cases[i].in, *want = secret_cases[i].out;
		size_t len = strlen(in), n;
		char *s = malloc(len + 1);

		assert_non_null(s);
		memcpy(s, in, len + 1);
		if (redact_needed(s, len) != (strcmp(in, want) != 0))
			fail_msg("case %zu: redact_needed(\"%s\")", i, in);
		n = redact_secrets(s, len);
		if (n != strlen(want) || memcmp(s, want, n) || s[n] != '\0')
			fail_msg("case %zu: \"%s\" became \"%.*s\"", i, in, (int)n, s);
		/* a second pass changes nothing: [REDACTED] is not key-shaped */
		assert_false(redact_needed(s, n));
		assert_int_equal(redact_secrets(s, n), n);
		assert_string_equal(s, want);
		free(s);
	}
}

/* Only s[0..len) is looked at: a key longer than the window is judged by what is inside it. */
static void test_redact_bounded(void **state)
{
	char buf[64];
	char *exact;

	(void)state;
	strcpy(buf, "sk-abcdefghijklmnopXYZ");
	assert_false(redact_needed(buf, 10));
	assert_int_equal(redact_secrets(buf, 10), 10);
	assert_string_equal(buf, "sk-abcdefghijklmnopXYZ");
	/* 3 + 16 bytes: exactly a key, the rest of the buffer untouched beyond the NUL written */
	assert_true(redact_needed(buf, 19));
	assert_int_equal(redact_secrets(buf, 19), strlen(REDACTED));
	assert_string_equal(buf, REDACTED);
	assert_string_equal(buf + strlen(REDACTED) + 1, "ijklmnopXYZ");
	/* a buffer without a terminator: ASan catches any read past len */
	exact = malloc(19);
	assert_non_null(exact);
	memcpy(exact, "sk-abcdefghijklmnop", 19);
	assert_true(redact_needed(exact, 19));
	assert_int_equal(redact_secrets(exact, 19), strlen(REDACTED));
	assert_memory_equal(exact, REDACTED "\0", strlen(REDACTED) + 1);
	memcpy(exact, "Bearer abcdefghijklmnop", 19);
	assert_false(redact_needed(exact, 19)); /* 12 token characters in the window */
	assert_int_equal(redact_secrets(exact, 19), 19);
	free(exact);
	/* length 0 touches nothing */
	assert_false(redact_needed("", 0));
	assert_int_equal(redact_secrets(buf, 0), 0);
}

/* Captured buffers may hold NUL bytes: they end nothing, they just end a key. */
static void test_redact_embedded_nul(void **state)
{
	char buf[] = "a\0sk-abcdefghijklmnopqrst\0z";
	char b2[] = "Bearer abcdefgh\0ijklmnopqrst";
	char b3[] = "Bearer abcdefghijklmno=\0pqrstuvwxyz";
	size_t len = sizeof(buf) - 1, n;

	(void)state;
	assert_true(redact_needed(buf, len));
	n = redact_secrets(buf, len);
	assert_int_equal(n, 2 + strlen(REDACTED) + 2);
	assert_memory_equal(buf, "a\0" REDACTED "\0z", n);
	/* a Bearer token cut by a NUL stays short of the minimum */
	assert_false(redact_needed(b2, sizeof(b2) - 1));
	assert_int_equal(redact_secrets(b2, sizeof(b2) - 1), sizeof(b2) - 1);
	/* NUL after the b64token punctuation ends the token too */
	assert_true(redact_needed(b3, sizeof(b3) - 1));
	n = redact_secrets(b3, sizeof(b3) - 1);
	assert_memory_equal(b3, "Bearer " REDACTED "\0pqrstuvwxyz", n);
}

static const struct {
	const char *name;
	bool secret;
} header_cases[] = {
    {"Authorization", true},
    {"authorization", true},
    {"AUTHORIZATION", true},
    {"Proxy-Authorization", true},
    {"x-api-key", true},
    {"X-Api-Key", true},
    {"api-key", true},
    {"Api-Key", true},
    {"cookie", true},
    {"Cookie", true},
    {"set-cookie", true},
    {"Set-Cookie", true},
    {"content-type", false},
    {"authorizatio", false},
    {"authorization2", false},
    {"x-api-keys", false},
    {"api-keys", false},
    {"cookies", false},
    {"anthropic-version", false},
    {"openai-organization", false},
    {"", false},
};

/* Text cut by a capture limit: a key fragment at the very end is still a key. */
static void test_redact_cut(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"key=sk-ABCDEFGHIJK", "key=[REDACTED]"},
	    {"key=sk-A", "key=[REDACTED]"},
	    {"key=sk-", "key=[REDACTED]"},
	    {"auth: Bearer abc", "auth: Bearer [REDACTED]"},
	    {"POST /m:generateContent?key=AIzaSyA1", "POST /m:generateContent?key=[REDACTED]"},
	    {"\"AIzaSyA1", "\"[REDACTED]"},
	    {"MAIzaSyA1", "MAIzaSyA1"}, /* not a word start */
	    {"a sk-ABCDEFGHIJKLMNOPQRSTUVWX and sk-xy", "a [REDACTED] and [REDACTED]"},
	    {"task-ab", "task-ab"},		    /* not a word start */
	    {"sk-ab then text", "sk-ab then text"}, /* the fragment is not at the cut */
	    {"plain text", "plain text"},
	    {"", ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[128];
		size_t n = strlen(cases[i].in);

		memcpy(buf, cases[i].in, n + 1);
		assert_int_equal(redact_needed_cut(buf, n), strcmp(cases[i].in, cases[i].out) != 0);
		n = redact_secrets_cut(buf, n, sizeof(buf));
		assert_int_equal(n, strlen(cases[i].out));
		assert_memory_equal(buf, cases[i].out, n);
	}
}

/* No room for the marker after the fragment: the fragment is dropped, nothing is written past cap.
 */
static void test_redact_cut_no_room(void **state)
{
	char buf[12] = "abc sk-XYZW";

	(void)state;
	assert_int_equal(redact_secrets_cut(buf, 11, sizeof(buf)), 4);
	assert_memory_equal(buf, "abc ", 4);
	assert_int_equal(buf[4], '\0');
}

/*
 * The scheme word in any case: redact_secrets() matches it case-insensitively, so the pre-check
 * must too, or the callers that check first (header values, --http bodies) print the token.
 * Found by tests/fuzz/fuzz_llm.c ("BeareR ...").
 */
static void test_redact_bearer_any_case(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"BeareR abcdefghijklmnopqrstu", "BeareR [REDACTED]"},
	    {"x: bEaReR abcdefghijklmnopqrstu", "x: bEaReR [REDACTED]"},
	    {"BEARer abcdefghijklmnopqrstu tail", "BEARer [REDACTED] tail"},
	    {"Bearer abcdefghijklmnopqrstu", "Bearer [REDACTED]"},
	    {"bearer abcdefghijklmnopqrstu", "bearer [REDACTED]"},
	    {"BeareR short", "BeareR short"},
	    {"CupBeareR abcdefghijklmnopqrstu", "CupBeareR abcdefghijklmnopqrstu"},
	    {"r abcdefghijklmnopqrstu", "r abcdefghijklmnopqrstu"}, /* the anchor at the start */
	    {"eareR abcdefghijklmnopqrstu", "eareR abcdefghijklmnopqrstu"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in, *want = cases[i].out;
		size_t len = strlen(in), n;
		char *s = malloc(len); /* unterminated: ASan sees reads past len */

		assert_non_null(s);
		memcpy(s, in, len);
		if (redact_needed(s, len) != (strcmp(in, want) != 0))
			fail_msg("case %zu: redact_needed(\"%s\")", i, in);
		n = redact_secrets(s, len);
		if (n != strlen(want) || memcmp(s, want, n))
			fail_msg("case %zu: \"%s\" became \"%.*s\"", i, in, (int)n, s);
		free(s);
	}
}

static void test_redact_header_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		const char *n = header_cases[i].name;

		if (redact_header_name(n, strlen(n)) != header_cases[i].secret)
			fail_msg("case %zu: %s", i, n);
	}
	/* the length decides, not a terminator: HTTP/2 names arrive as (pointer, length) */
	assert_true(redact_header_name("x-api-key-extra", 9));
	assert_true(redact_header_name("Cookie: a=b", 6));
	assert_false(redact_header_name("Cookie", 5));
	assert_false(redact_header_name("Authorization", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_redact_secrets),
	    cmocka_unit_test(test_redact_bounded),
	    cmocka_unit_test(test_redact_embedded_nul),
	    cmocka_unit_test(test_redact_header_name),
	    cmocka_unit_test(test_redact_cut),
	    cmocka_unit_test(test_redact_cut_no_room),
	    cmocka_unit_test(test_redact_bearer_any_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
