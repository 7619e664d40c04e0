/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * encode_fixture.h - compressed bodies for the HTTP/decompression unit tests, made with the
 * reference encoders (zlib, brotli) so the decoders are checked against independent output.
 * Header-only: each test binary is built on its own. Include after <cmocka.h>.
 */
#ifndef AGT_ENCODE_FIXTURE_H
#define AGT_ENCODE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include <brotli/encode.h>
#include <zlib.h>

/* Compresses in[0..n) as `kind` ("gzip", "zlib", "raw", "br"); returns a malloc'd buffer. */
static unsigned char *encode(const char *kind, const void *in, size_t n, size_t *out_len)
{
	size_t cap = n + n / 2 + 1024;
	unsigned char *out = malloc(cap);
	z_stream z = {0};
	int bits;

	assert_non_null(out);
	if (!strcmp(kind, "br")) {
		*out_len = cap;
		assert_int_equal(
		    BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, n, in, out_len, out),
		    BROTLI_TRUE);
		return out;
	}
	bits = !strcmp(kind, "gzip") ? 16 + 15 : !strcmp(kind, "raw") ? -15 : 15;
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = n;
	z.next_out = out;
	z.avail_out = cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

#endif
