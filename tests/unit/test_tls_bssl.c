// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tls_bssl.c - the BoringSSL locator on small synthetic images: functions assembled here
 * the way clang lays BoringSSL out (int3 padding, error blocks that load ssl_lib.cc's name and
 * a reason before calling ERR_put_error), in both calling conventions seen in Bun builds, and
 * the cases it must refuse. The real builds are the integration tests' (tests/bun).
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

#include "tls_bssl.h"

#define TEXT_VA 0x401000
#define RO_VA	0x200000
#define FILE_VA (RO_VA + 1) /* after the NUL that starts .rodata */

struct code {
	uint8_t b[16384];
	size_t n;
	bool pie; /* error sites: lea rcx, [rip + file] and 5 arguments, else mov edx, imm32 */
};

static uint64_t here(const struct code *a)
{
	return TEXT_VA + a->n;
}

static void put(struct code *a, const void *p, size_t n)
{
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

static void put1(struct code *a, uint8_t v)
{
	put(a, &v, 1);
}

static void put4(struct code *a, uint32_t v)
{
	put(a, &v, 4);
}

static void align16(struct code *a)
{
	while (a->n % 16)
		put1(a, 0xcc);
}

static void call(struct code *a, uint64_t to)
{
	put1(a, 0xe8);
	put4(a, (uint32_t)(to - (here(a) + 4)));
}

static void mov_imm(struct code *a, uint8_t op, uint32_t v)
{
	put1(a, op);
	put4(a, v);
}

/* if (edi) skip; else ERR_put_error(SSL, reason, file, line): one error site in a branch */
static void site(struct code *a, int reason, int line, uint64_t err_fn)
{
	size_t jcc;

	put(a, "\x85\xff\x75\x00", 4); /* test edi, edi; jne over */
	jcc = a->n - 1;
	if (a->pie) {
		put(a, "\x48\x8d\x0d", 3); /* lea rcx, [rip + file] */
		put4(a, (uint32_t)(FILE_VA - (here(a) + 4)));
		mov_imm(a, 0xbf, 16);	  /* mov edi, ERR_LIB_SSL */
		put(a, "\x31\xf6", 2);	  /* xor esi, esi */
		mov_imm(a, 0xba, reason); /* mov edx, reason */
		put(a, "\x41\xb8", 2);	  /* mov r8d, line */
		put4(a, line);
	} else {
		mov_imm(a, 0xba, FILE_VA); /* mov edx, file */
		mov_imm(a, 0xbf, 16);
		mov_imm(a, 0xbe, reason); /* mov esi, reason */
		mov_imm(a, 0xb9, line);	  /* mov ecx, line */
	}
	call(a, err_fn);
	a->b[jcc] = (uint8_t)(a->n - jcc - 1);
}

struct fn_spec {
	int reasons[4];
	int lines[4];
	int callee; /* index of a function this one calls, or -1 */
};

/*
 * Lays out: caller (calls every function), ERR_put_error, then the functions of specs[],
 * each 16-aligned after int3 padding. starts[i]: where specs[i] begins.
 */
static void build(struct code *a, const struct fn_spec *specs, int n, uint64_t *starts, bool called)
{
	uint64_t err_fn, calls_at;

	memset(a->b, 0xcc, sizeof(a->b));
	/* starts are known only after layout: two passes, the second with the right targets */
	for (int pass = 0; pass < 2; pass++) {
		a->n = 0;
		put1(a, 0x55);
		calls_at = here(a);
		for (int i = 0; i < n; i++)
			if (called)
				call(a, pass ? starts[i] : calls_at);
		put(a, "\x5d\xc3", 2);
		align16(a);
		err_fn = here(a);
		put1(a, 0xc3);
		for (int i = 0; i < n; i++) {
			align16(a);
			starts[i] = here(a);
			put(a, "\x55\x48\x89\xe5", 4); /* push rbp; mov rbp, rsp */
			for (int k = 0; k < 4 && specs[i].reasons[k]; k++)
				site(a, specs[i].reasons[k], specs[i].lines[k], err_fn);
			if (specs[i].callee >= 0)
				call(a, pass ? starts[specs[i].callee] : here(a));
			put(a, "\x5d\xc3", 2); /* pop rbp; ret */
		}
		align16(a);
	}
}

static const uint8_t rodata[] = "\0vendor/boringssl/ssl/ssl_lib.cc\0other.c";

static struct bssl_image image(const struct code *a)
{
	struct bssl_image im = {.text = a->b, .text_va = TEXT_VA, .text_len = a->n, .nro = 1};

	im.ro[0] = rodata;
	im.ro_va[0] = RO_VA;
	im.ro_len[0] = sizeof(rodata);
	return im;
}

/* A Bun-like set: SSL_new, the read loop, SSL_read's guard calling it, SSL_write, and others. */
static const struct fn_spec bun[] = {
    {{185}, {503}, -1},			    /* SSL_new: NULL_SSL_CTX */
    {{226, 215, 182}, {840, 873, 781}, -1}, /* ssl_read_impl (post-handshake inlined) */
    {{66}, {932}, 1},			    /* SSL_read: the SSL_peek guard, calls the loop */
    {{66, 226, 215, 111}, {953, 958, 973, 979}, -1}, /* SSL_write */
    {{291, 226}, {1066, 1019}, -1},		     /* SSL_shutdown */
    {{134}, {727}, -1},				     /* SSL_do_handshake */
};

static void locate(bool pie, const struct fn_spec *specs, int n, uint64_t *starts,
		   struct tls_bssl *out, char *why, int expect)
{
	static struct code a;
	struct bssl_image im;

	a.pie = pie;
	build(&a, specs, n, starts, true);
	im = image(&a);
	assert_int_equal(bssl_locate_image(&im, out, why, 160), expect);
}

static void test_tls_bssl_bun_layout(void **state)
{
	uint64_t st[6];
	struct tls_bssl b;
	char why[160];

	(void)state;
	for (int pie = 0; pie < 2; pie++) {
		locate(pie, bun, 6, st, &b, why, 1);
		assert_int_equal(b.va[BSSL_WRITE], st[3]);
		assert_int_equal(b.va[BSSL_READ], st[2]);
		assert_int_equal(b.va[BSSL_NEW], st[0]);
		assert_string_equal(why, "");
		assert_int_equal(b.nsites, 12);
		assert_int_equal(b.nparsed, 12);
		assert_int_equal(b.nrefused, 0);
	}
}

/* An LTO build that dropped SSL_new's check: write and read still, no SSL_new. */
static void test_tls_bssl_no_ssl_new(void **state)
{
	struct fn_spec s[5];
	uint64_t st[5];
	struct tls_bssl b;
	char why[160];

	(void)state;
	memcpy(s, bun + 1, sizeof(s));
	s[1].callee = 0; /* the read loop, now first */
	locate(false, s, 5, st, &b, why, 1);
	assert_int_equal(b.va[BSSL_WRITE], st[2]);
	assert_int_equal(b.va[BSSL_READ], st[1]);
	assert_int_equal(b.va[BSSL_NEW], 0);
}

/* Two functions that both look like SSL_write (an inlined copy): neither is chosen. */
static void test_tls_bssl_two_writes(void **state)
{
	struct fn_spec s[7];
	uint64_t st[7];
	struct tls_bssl b;
	char why[160];

	(void)state;
	memcpy(s, bun, sizeof(bun));
	s[6] = bun[3];
	locate(false, s, 7, st, &b, why, -2 /* -ENOENT */);
	assert_string_equal(why,
			    "BoringSSL statically linked, SSL_write not located (2 candidates)");
	assert_int_equal(b.va[BSSL_WRITE], 0);
}

/* SSL_write with a reason SSL_write never reports: not SSL_write (maybe a caller it is in). */
static void test_tls_bssl_foreign_reason(void **state)
{
	struct fn_spec s[6];
	uint64_t st[6];
	struct tls_bssl b;
	char why[160];

	(void)state;
	memcpy(s, bun, sizeof(bun));
	s[3].reasons[3] = 112;
	locate(true, s, 6, st, &b, why, -2);
	assert_string_equal(why,
			    "BoringSSL statically linked, SSL_write not located (0 candidates)");
}

/* The source order cross-check: the read loop's lines after SSL_write's are refused. */
static void test_tls_bssl_source_order(void **state)
{
	struct fn_spec s[6];
	uint64_t st[6];
	struct tls_bssl b;
	char why[160];

	(void)state;
	memcpy(s, bun, sizeof(bun));
	s[1].lines[0] = 990;
	locate(false, s, 6, st, &b, why, -2);
	assert_string_equal(why,
			    "BoringSSL statically linked, SSL_read/SSL_write out of source order "
			    "(lines 990, 932, 958)");
}

/* Functions nobody calls directly have no start the locator believes: refused, not guessed. */
static void test_tls_bssl_no_call_targets(void **state)
{
	static struct code a;
	uint64_t st[6];
	struct bssl_image im;
	struct tls_bssl b;
	char why[160];

	(void)state;
	a.pie = false;
	build(&a, bun, 6, st, false);
	im = image(&a);
	assert_int_equal(bssl_locate_image(&im, &b, why, sizeof(why)), -2);
	/* only the read loop is a call target (SSL_read calls it): its 3 sites, no others */
	assert_int_equal(b.nrefused, 9);
	assert_string_equal(why,
			    "BoringSSL statically linked, SSL_write not located (0 candidates)");
}

/* No ssl_lib.cc string: not BoringSSL (0), decided without walking any code. */
static void test_tls_bssl_not_boringssl(void **state)
{
	static const uint8_t ro[] = "\0ssl/ssl_lib.c\0crypto/x.cc";
	static struct code a;
	uint64_t st[6];
	struct bssl_image im;
	struct tls_bssl b;
	char why[160] = "x";

	(void)state;
	a.pie = false;
	build(&a, bun, 6, st, true);
	im = image(&a);
	im.ro[0] = ro;
	im.ro_len[0] = sizeof(ro);
	assert_int_equal(bssl_locate_image(&im, &b, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	/* the string, but no code naming it */
	im = image(&a);
	im.text_len = 16;
	assert_int_equal(bssl_locate_image(&im, &b, why, sizeof(why)), -2);
	assert_string_equal(why, "BoringSSL statically linked, no error site found in its code");
}

/* Garbage where the code should be: nothing located, nothing crashes. */
static void test_tls_bssl_garbage(void **state)
{
	static struct code a;
	uint64_t st[6];
	struct bssl_image im;
	struct tls_bssl b;
	char why[160];

	(void)state;
	a.pie = false;
	build(&a, bun, 6, st, true);
	srand(7);
	for (size_t i = 0x40; i < a.n; i++)
		if (rand() % 3 == 0)
			a.b[i] = (uint8_t)rand();
	im = image(&a);
	assert_true(bssl_locate_image(&im, &b, why, sizeof(why)) <= 0);
}

/*
 * Never a wrong address: thousands of random corruptions of the code (a few bytes or many,
 * anywhere, or the text cut short) are each either refused or located exactly right.
 */
static void test_tls_bssl_mutations(void **state)
{
	static struct code a, m;
	unsigned located = 0, refused = 0;
	uint64_t st[6];

	(void)state;
	a.pie = false;
	build(&a, bun, 6, st, true);
	srand(12);
	for (int i = 0; i < 3000; i++) {
		struct bssl_image im;
		struct tls_bssl b;
		char why[160];
		int k = 1 + rand() % (i % 2 ? 4 : 64), r;

		m = a;
		for (int j = 0; j < k; j++)
			m.b[rand() % m.n] = (uint8_t)rand();
		if (i % 7 == 0)
			m.n = rand() % a.n;
		im = image(&m);
		r = bssl_locate_image(&im, &b, why, sizeof(why));
		if (r <= 0) {
			refused++;
			continue;
		}
		located++;
		assert_int_equal(b.va[BSSL_WRITE], st[3]);
		assert_int_equal(b.va[BSSL_READ], st[2]);
		if (b.va[BSSL_NEW])
			assert_int_equal(b.va[BSSL_NEW], st[0]);
	}
	/* both outcomes happen: the test exercises each */
	assert_true(located > 100 && refused > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_bssl_bun_layout),
	    cmocka_unit_test(test_tls_bssl_no_ssl_new),
	    cmocka_unit_test(test_tls_bssl_two_writes),
	    cmocka_unit_test(test_tls_bssl_foreign_reason),
	    cmocka_unit_test(test_tls_bssl_source_order),
	    cmocka_unit_test(test_tls_bssl_no_call_targets),
	    cmocka_unit_test(test_tls_bssl_not_boringssl),
	    cmocka_unit_test(test_tls_bssl_garbage),
	    cmocka_unit_test(test_tls_bssl_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
