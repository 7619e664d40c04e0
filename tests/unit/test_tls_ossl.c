// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tls_ossl.c - the stripped-OpenSSL-3 locator on objects the C compiler builds here, with
 * OpenSSL 3's ERR_raise (ERR_set_debug(file, line, __func__)), checked against the same object's
 * symbol table (the oracle the locator never reads); the count argument by version; refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elfsym.h"
#include "tls_ossl.h"

#include "cc_fixture.h"

#define SRC_ERR                                                                                    \
	"void ERR_new(void);\n"                                                                    \
	"void ERR_set_debug(const char *file, int line, const char *func);\n"                      \
	"void ERR_set_error(int lib, int reason, const char *fmt, ...);\n"                         \
	"#define ERR_raise(l, r) (ERR_new(), ERR_set_debug(\"../ssl/ssl_lib.c\", __LINE__, "       \
	"__func__), ERR_set_error(l, r, 0))\n"

#define SRC_FUNCS                                                                                  \
	"int ssl_write_internal(void *s, const void *b, unsigned long n, unsigned long f,"         \
	" unsigned long *w) { if (!s) { ERR_raise(20, 1); return -1; } if (!b) { ERR_raise(20,"    \
	" 2); return -1; } *w = n + f; return 1; }\n"                                              \
	"int ssl_read_internal(void *s, void *b, unsigned long n, unsigned long *r)"               \
	" { if (!s) { ERR_raise(20, 3); return -1; } *r = n; return b != 0; }\n"                   \
	"void *SSL_new(void *ctx) { if (!ctx) { ERR_raise(20, 4); return 0; } return ctx; }\n"

static void test_tls_ossl_locates_by_func_names(void **state)
{
	static const char *const names[] = {"ssl_write_internal", "ssl_read_internal", "SSL_new"};
	struct tls_ossl_funcs f;
	size_t want[3] = {0};
	char why[160];
	char *so;

	(void)state;
	so = cc_build("ossl35",
		      SRC_ERR SRC_FUNCS
		      "const char *ver(void) { return \"OpenSSL 3.5.8 25 Aug 2026\"; }\n",
		      "");
	assert_int_equal(elfsym_offsets(so, names, 3, want), 3);
	assert_int_equal(tls_ossl_locate(so, &f, why, sizeof(why)), 1);
	assert_string_equal(why, "");
	assert_int_equal(f.write_internal, want[0]);
	assert_int_equal(f.read_internal, want[1]);
	assert_int_equal(f.ssl_new, want[2]);
	assert_int_equal(f.write_count_arg, 5);
	/* stripped, and OpenSSL 3.0: ssl_write_internal(s, buf, num, written) */
	so = cc_build("ossl30",
		      SRC_ERR SRC_FUNCS
		      "const char *ver(void) { return \"OpenSSL 3.0.13 30 Jan 2024\"; }\n",
		      "-s");
	assert_int_equal(tls_ossl_locate(so, &f, why, sizeof(why)), 1);
	assert_int_equal(f.write_internal, want[0]);
	assert_int_equal(f.write_count_arg, 4);
}

static void test_tls_ossl_refuses(void **state)
{
	struct tls_ossl_funcs f;
	char why[160];

	(void)state;
	/* the name loaded by two functions (an inlined copy): nothing, and why */
	assert_int_equal(
	    tls_ossl_locate(
		cc_build("twice",
			 SRC_ERR SRC_FUNCS
			 "int write2(void *s) { if (!s) { ERR_set_debug(\"../ssl/ssl_lib.c\","
			 " 1, \"ssl_write_internal\"); return -1; } return 0; }\n"
			 "const char *ver(void) { return \"OpenSSL 3.5.8 x\"; }\n",
			 ""),
		&f, why, sizeof(why)),
	    -1);
	assert_string_equal(why,
			    "OpenSSL 3 linked in, ssl_write_internal not located (2 candidates)");
	assert_int_equal(f.write_internal, 0);
	/* no version string: which argument holds the count is unknown */
	assert_int_equal(
	    tls_ossl_locate(cc_build("nover", SRC_ERR SRC_FUNCS, ""), &f, why, sizeof(why)), -1);
	assert_string_equal(why, "OpenSSL 3 linked in, its version string not found");
	/* no OpenSSL at all */
	assert_int_equal(tls_ossl_locate(cc_build("plain", "int g(int x) { return x * 3; }\n", ""),
					 &f, why, sizeof(why)),
			 0);
	assert_string_equal(why, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_ossl_locates_by_func_names),
	    cmocka_unit_test(test_tls_ossl_refuses),
	};

	return cmocka_run_group_tests(tests, cc_setup, cc_teardown);
}
