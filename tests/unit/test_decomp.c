// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_decomp.c - streaming Content-Encoding decoders against zlib's and brotli's encoders. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encode_fixture.h"

#include "decomp.h"

struct sink {
	unsigned char *buf;
	size_t len, cap;
	size_t calls;
	size_t max_piece;
};

static void sink_emit(void *ctx, const void *out, size_t n)
{
	struct sink *s = ctx;

	assert_true(n > 0);
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2;
		s->buf = realloc(s->buf, s->cap);
		assert_non_null(s->buf);
	}
	memcpy(s->buf + s->len, out, n);
	s->len += n;
	s->calls++;
	if (n > s->max_piece)
		s->max_piece = n;
}

/* Text that compresses well but is not trivially periodic. */
static unsigned char *plain_text(size_t n)
{
	unsigned char *p = malloc(n);
	uint32_t x = 12345;

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = "data: {\"delta\":\"hello world\"}\n\n"[(x >> 16) % 16 + (i % 16)];
	}
	return p;
}

static void test_decomp_kind_of(void **state)
{
	static const struct {
		const char *ce;
		enum decomp_kind kind;
	} cases[] = {
	    {NULL, DECOMP_IDENTITY},
	    {"", DECOMP_IDENTITY},
	    {"identity", DECOMP_IDENTITY},
	    {"gzip", DECOMP_GZIP},
	    {"GZip", DECOMP_GZIP},
	    {" gzip ", DECOMP_GZIP},
	    {"x-gzip", DECOMP_GZIP},
	    {"deflate", DECOMP_DEFLATE},
	    {"br", DECOMP_BR},
	    {"BR", DECOMP_BR},
	    {"zstd", DECOMP_UNKNOWN},
	    {"gzip, br", DECOMP_UNKNOWN},
	    {"compress", DECOMP_UNKNOWN},
	    {"gzipx", DECOMP_UNKNOWN},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(decomp_kind_of(cases[i].ce), cases[i].kind);
	assert_null(decomp__new(DECOMP_UNKNOWN));
	assert_null(decomp__new((enum decomp_kind)42));
	decomp__free(NULL);
}

/* Every encoding decodes to the original, fed whole, in 1-byte pieces and in odd pieces. */
static void test_decomp_round_trip(void **state)
{
	static const struct {
		const char *enc;
		enum decomp_kind kind;
	} cases[] = {
	    {"gzip", DECOMP_GZIP},
	    {"zlib", DECOMP_DEFLATE},
	    {"raw", DECOMP_DEFLATE},
	    {"br", DECOMP_BR},
	};
	static const size_t sizes[] = {0, 1, 100, 70000};
	static const size_t pieces[] = {0 /* whole */, 1, 7, 4096};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			unsigned char *plain = plain_text(sizes[z] ? sizes[z] : 1);
			size_t clen;
			unsigned char *comp = encode(cases[c].enc, plain, sizes[z], &clen);

			for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
				struct decomp *d = decomp__new(cases[c].kind);
				struct sink s = {0};
				size_t step = pieces[p] ? pieces[p] : clen;

				assert_non_null(d);
				for (size_t off = 0; off < clen; off += step) {
					size_t n = clen - off < step ? clen - off : step;

					assert_int_equal(
					    decomp_feed(d, comp + off, n, sink_emit, &s), 0);
				}
				assert_int_equal(s.len, sizes[z]);
				if (sizes[z])
					assert_memory_equal(s.buf, plain, sizes[z]);
				/* output comes in pieces no larger than the stack buffer */
				assert_true(s.max_piece <= 16 * 1024);
				if (sizes[z] == 70000)
					assert_true(s.calls >= 5);
				decomp__free(d);
				free(s.buf);
			}
			free(comp);
			free(plain);
		}
	}
}

static void test_decomp_identity(void **state)
{
	struct decomp *d = decomp__new(DECOMP_IDENTITY);
	struct sink s = {0};

	(void)state;
	assert_non_null(d);
	assert_int_equal(decomp_feed(d, "abc", 3, sink_emit, &s), 0);
	assert_int_equal(decomp_feed(d, "", 0, sink_emit, &s), 0);
	assert_int_equal(decomp_feed(d, "de", 2, sink_emit, &s), 0);
	assert_int_equal(s.len, 5);
	assert_memory_equal(s.buf, "abcde", 5);
	assert_int_equal(s.calls, 2);
	decomp__free(d);
	free(s.buf);
}

/* Corruption makes the decoder fail for good: later input, even valid, emits nothing. */
static void test_decomp_corrupt_sticky(void **state)
{
	static const struct {
		const char *enc;
		enum decomp_kind kind;
		size_t flip; /* byte of the compressed stream to break */
	} cases[] = {
	    {"gzip", DECOMP_GZIP, 0},	 /* magic */
	    {"gzip", DECOMP_GZIP, 12},	 /* deflate data */
	    {"zlib", DECOMP_DEFLATE, 5}, /* deflate data */
	    {"raw", DECOMP_DEFLATE, 3},	 {"br", DECOMP_BR, 1},
	};
	unsigned char *plain = plain_text(5000);

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t clen;
		unsigned char *comp = encode(cases[c].enc, plain, 5000, &clen);
		struct decomp *d = decomp__new(cases[c].kind);
		struct sink s = {0};
		int rc = 0;
		size_t calls;

		/* a stored block flipped in its header can look valid: garble a run */
		for (size_t i = cases[c].flip; i < cases[c].flip + 8 && i < clen; i++)
			comp[i] ^= 0xa5;
		for (size_t off = 0; off < clen && !rc; off++)
			rc = decomp_feed(d, comp + off, 1, sink_emit, &s);
		assert_int_equal(rc, -EINVAL);
		calls = s.calls;
		assert_int_equal(decomp_feed(d, comp, clen, sink_emit, &s), -EINVAL);
		assert_int_equal(decomp_feed(d, "x", 1, sink_emit, &s), -EINVAL);
		assert_int_equal(s.calls, calls);
		decomp__free(d);
		free(s.buf);
		free(comp);
	}
	free(plain);
	assert_int_equal(decomp_feed(NULL, "x", 1, sink_emit, NULL), -EINVAL);
}

/* gzip members may follow each other; anything else after a member is ignored. */
static void test_decomp_gzip_members(void **state)
{
	size_t l1, l2;
	unsigned char *a = encode("gzip", "hello ", 6, &l1);
	unsigned char *b = encode("gzip", "world", 5, &l2);
	unsigned char *cat = malloc(l1 + l2 + 4);
	static const size_t steps[] = {1, 3, 1000};

	(void)state;
	assert_non_null(cat);
	memcpy(cat, a, l1);
	memcpy(cat + l1, b, l2);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct decomp *d = decomp__new(DECOMP_GZIP);
		struct sink s = {0};

		for (size_t off = 0; off < l1 + l2; off += steps[i]) {
			size_t n = l1 + l2 - off < steps[i] ? l1 + l2 - off : steps[i];

			assert_int_equal(decomp_feed(d, cat + off, n, sink_emit, &s), 0);
		}
		assert_int_equal(s.len, 11);
		assert_memory_equal(s.buf, "hello world", 11);
		decomp__free(d);
		free(s.buf);
	}
	/* trailing zeros after the only member */
	memcpy(cat + l1, "\0\0\0\0", 4);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct decomp *d = decomp__new(DECOMP_GZIP);
		struct sink s = {0};

		for (size_t off = 0; off < l1 + 4; off += steps[i]) {
			size_t n = l1 + 4 - off < steps[i] ? l1 + 4 - off : steps[i];

			assert_int_equal(decomp_feed(d, cat + off, n, sink_emit, &s), 0);
		}
		assert_int_equal(s.len, 6);
		assert_memory_equal(s.buf, "hello ", 6);
		decomp__free(d);
		free(s.buf);
	}
	free(cat);
	free(a);
	free(b);
}

/* deflate and br ignore what follows the end of the stream. */
static void test_decomp_trailing_after_end(void **state)
{
	static const struct {
		const char *enc;
		enum decomp_kind kind;
	} cases[] = {{"zlib", DECOMP_DEFLATE}, {"raw", DECOMP_DEFLATE}, {"br", DECOMP_BR}};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t clen;
		unsigned char *comp = encode(cases[c].enc, "payload", 7, &clen);
		struct decomp *d = decomp__new(cases[c].kind);
		struct sink s = {0};

		assert_int_equal(decomp_feed(d, comp, clen, sink_emit, &s), 0);
		assert_int_equal(decomp_feed(d, "junkjunk", 8, sink_emit, &s), 0);
		assert_int_equal(s.len, 7);
		assert_memory_equal(s.buf, "payload", 7);
		decomp__free(d);
		free(s.buf);
		free(comp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decomp_kind_of),
	    cmocka_unit_test(test_decomp_round_trip),
	    cmocka_unit_test(test_decomp_identity),
	    cmocka_unit_test(test_decomp_corrupt_sticky),
	    cmocka_unit_test(test_decomp_gzip_members),
	    cmocka_unit_test(test_decomp_trailing_after_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
