// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tls_awslc.c - the AWS-LC AEAD locator on objects the C compiler builds here, shaped like
 * AWS-LC's aead.c (each function reporting its errors with ERR_put_error(30, 0, reason, file,
 * line)), checked against an independent oracle: the symbol table of the same object, which
 * the locator never reads. Then the refusals: two candidates, no call site, no unwind table.
 */
#include <errno.h>
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
#include "tls_awslc.h"

#include "cc_fixture.h"

/* The functions' error paths as AWS-LC writes them; the bodies only keep the paths alive. */
static const char SRC_HEAD[] =
    "void ERR_put_error(int lib, int unused, int reason, const char *file, unsigned line);\n"
    "#define F \"/x/aws-lc/crypto/fipsmodule/cipher/aead.c\"\n"
    "#define E(r, l) do { ERR_put_error(30, 0, r, F, l); return 0; } while (0)\n"
    "int seal(const char *in, unsigned long n, unsigned long max, const char *out)\n"
    "{ if (n + max < n) E(117, 172); if (max < n) E(103, 177); if (in == out) E(115, 182);"
    "  return (int)n; }\n"
    "int seal_scatter(const char *in, unsigned long n, const char *out, int extra)\n"
    "{ if (in == out) E(115, 210); if (extra) E(112, 215); return (int)n; }\n"
    "int open_(const char *in, unsigned long n, unsigned long max, const char *out)\n"
    "{ if (in == out) E(115, 244); if (n < 16) E(101, 261); if (max < n - 16) E(103, 267);"
    "  return (int)n; }\n"
    "int open_gather(const char *in, unsigned long n, const char *out, int impl)\n"
    "{ if (in == out) E(115, 288); if (!impl) E(104, 293); return (int)n; }\n"
    "int init(unsigned long k) { if (k != 16) E(120, 59); return 1; }\n";

/* A second function with seal's error set: the locator must refuse to choose. */
static const char SRC_TWIN[] =
    "int seal_twin(const char *in, unsigned long n, unsigned long max, const char *out)\n"
    "{ if (n + max < n) E(117, 72); if (max < n) E(103, 77); if (in == out) E(115, 82);"
    "  return (int)n + 1; }\n";

/* The file name kept, but no function refers to it (AWS-LC linked without its AEAD). */
static const char SRC_NAME_ONLY[] =
    "const char *keep(void) { return \"/x/aws-lc/crypto/fipsmodule/cipher/aead.c\"; }\n";

static void test_tls_awslc_locates_by_error_sites(void **state)
{
	static const char *const names[] = {"seal", "seal_scatter", "open_", "open_gather"};
	struct tls_awslc_funcs f;
	size_t want[4] = {0};
	char why[160];
	char *so;

	(void)state;
	so = cc_build("aead", SRC_HEAD, "-fno-ipa-icf");
	assert_int_equal(elfsym_offsets(so, names, 4, want), 4);
	assert_int_equal(tls_awslc_locate(so, &f, why, sizeof(why)), 4);
	assert_string_equal(why, "");
	assert_int_equal(f.n, 4);
	assert_int_equal(f.off[AWSLC_SEAL], want[0]);
	assert_int_equal(f.off[AWSLC_SEAL_SCATTER], want[1]);
	assert_int_equal(f.off[AWSLC_OPEN], want[2]);
	assert_int_equal(f.off[AWSLC_OPEN_GATHER], want[3]);
	/* stripped: the same answer (the locator never read the symbols) */
	so = cc_build("aead_stripped", SRC_HEAD, "-fno-ipa-icf -s");
	assert_int_equal(tls_awslc_locate(so, &f, why, sizeof(why)), 4);
	assert_int_equal(f.off[AWSLC_SEAL], want[0]);
	assert_int_equal(f.off[AWSLC_OPEN], want[2]);
}

static void test_tls_awslc_refuses(void **state)
{
	char src[4096];
	struct tls_awslc_funcs f;
	char why[160];
	char *so;

	(void)state;
	/* two functions carry seal's reasons: nothing, and why */
	snprintf(src, sizeof(src), "%s%s", SRC_HEAD, SRC_TWIN);
	so = cc_build("twin", src, "-fno-ipa-icf");
	assert_int_equal(tls_awslc_locate(so, &f, why, sizeof(why)), -1);
	assert_string_equal(why, "AWS-LC linked in, EVP_AEAD_CTX_seal not located (2 candidates)");
	assert_int_equal(f.n, 0);
	assert_int_equal(f.off[AWSLC_OPEN], 0);
	/* the file name without a call site */
	so = cc_build("nameonly", SRC_NAME_ONLY, "-fno-ipa-icf");
	assert_int_equal(tls_awslc_locate(so, &f, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "without its AEAD"));
	/* no unwind table: function bounds unknown, so nothing is attached */
	so = cc_build("nounwind", SRC_HEAD,
		      "-fno-asynchronous-unwind-tables -fno-unwind-tables "
		      "-Wl,--no-eh-frame-hdr");
	assert_int_equal(tls_awslc_locate(so, &f, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "AEAD functions not located"));
}

static void test_tls_awslc_not_awslc(void **state)
{
	struct tls_awslc_funcs f;
	char why[160] = "x";
	char path[128];
	FILE *fp;

	(void)state;
	/* an ELF without AWS-LC, a text file, a missing file: 0, no reason */
	assert_int_equal(
	    tls_awslc_locate(cc_build("plain", "int f(int x) { return x + 1; }\n", "-fno-ipa-icf"),
			     &f, why, sizeof(why)),
	    0);
	assert_string_equal(why, "");
	snprintf(path, sizeof(path), "%s/text", cc_dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("/x/aws-lc/crypto/fipsmodule/cipher/aead.c\n", fp);
	fclose(fp);
	assert_int_equal(tls_awslc_locate(path, &f, why, sizeof(why)), 0);
	assert_int_equal(tls_awslc_locate("/nonexistent/agt", &f, why, sizeof(why)), 0);
	assert_int_equal(f.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_awslc_locates_by_error_sites),
	    cmocka_unit_test(test_tls_awslc_refuses),
	    cmocka_unit_test(test_tls_awslc_not_awslc),
	};

	return cmocka_run_group_tests(tests, cc_setup, cc_teardown);
}
