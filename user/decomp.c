// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * decomp.c - streaming Content-Encoding decoders (gzip, deflate, br, identity).
 *
 * Decisions the header leaves open:
 *  - gzip: members may be concatenated (RFC 1952 §2.2; `gzip -c a b`): after a member's trailer,
 *    bytes starting with the gzip magic 1f 8b begin the next member. Anything else after a member
 *    is trailing garbage (some servers pad) and is ignored, not an error.
 *  - deflate and br: bytes after the end of the stream are ignored.
 *  - deflate: the first two bytes decide between a zlib-wrapped (RFC 1950) and a raw (RFC 1951)
 *    stream, as browsers do; they are held back until both have arrived.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <brotli/decode.h>
#include <zlib.h>

#include "decomp.h"

#define OUT_CHUNK (16 * 1024)
#define IN_CHUNK  (1u << 30) /* zlib counts input in uInt */

enum dstate {
	DS_PROBE,   /* deflate: waiting for two bytes to tell zlib from raw */
	DS_RUN,	    /* decoding */
	DS_BETWEEN, /* gzip: a member ended; waiting to see whether another one follows */
	DS_DONE,    /* stream ended: the rest is ignored */
	DS_ERROR,   /* corrupt: sticky */
};

struct decomp {
	enum decomp_kind kind;
	enum dstate state;
	bool z_ready; /* inflateInit2 succeeded: inflateEnd is owed */
	z_stream z;
	BrotliDecoderState *br;
	unsigned char
	    probe[2]; /* first bytes of a deflate stream or of a possible next gzip member */
	size_t nprobe;
};

static bool token_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

enum decomp_kind decomp_kind_of(const char *content_encoding)
{
	const char *s = content_encoding;
	size_t len;

	if (!s)
		return DECOMP_IDENTITY;
	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || token_is(s, len, "identity"))
		return DECOMP_IDENTITY;
	if (token_is(s, len, "gzip") || token_is(s, len, "x-gzip"))
		return DECOMP_GZIP;
	if (token_is(s, len, "deflate"))
		return DECOMP_DEFLATE;
	if (token_is(s, len, "br"))
		return DECOMP_BR;
	/* stacked codings ("gzip, br") and anything else are not decoded */
	return DECOMP_UNKNOWN;
}

struct decomp *decomp__new(enum decomp_kind kind)
{
	struct decomp *d;

	if (kind != DECOMP_IDENTITY && kind != DECOMP_GZIP && kind != DECOMP_DEFLATE &&
	    kind != DECOMP_BR)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->kind = kind;
	d->state = DS_RUN;
	switch (kind) {
	case DECOMP_GZIP:
		if (inflateInit2(&d->z, 16 + MAX_WBITS) != Z_OK)
			goto fail;
		d->z_ready = true;
		break;
	case DECOMP_DEFLATE:
		/* inflateInit2 waits for the probe: the window bits depend on the wrapper */
		d->state = DS_PROBE;
		break;
	case DECOMP_BR:
		d->br = BrotliDecoderCreateInstance(NULL, NULL, NULL);
		if (!d->br)
			goto fail;
		break;
	default:
		break;
	}
	return d;
fail:
	free(d);
	return NULL;
}

void decomp__free(struct decomp *d)
{
	if (!d)
		return;
	if (d->z_ready)
		inflateEnd(&d->z);
	if (d->br)
		BrotliDecoderDestroyInstance(d->br);
	free(d);
}

typedef void (*emit_fn)(void *ctx, const void *out, size_t n);

/*
 * Runs inflate over in[0..len). Returns how many input bytes were used: fewer than `len` only
 * when the stream (gzip: the member) ended, in which case d->state says what comes next.
 */
static size_t inflate_run(struct decomp *d, const unsigned char *in, size_t len, emit_fn emit,
			  void *ctx)
{
	unsigned char out[OUT_CHUNK];
	size_t used = 0;

	while (used < len) {
		uInt piece = len - used > IN_CHUNK ? IN_CHUNK : (uInt)(len - used);
		int ret;

		d->z.next_in = (Bytef *)(in + used);
		d->z.avail_in = piece;
		do {
			d->z.next_out = out;
			d->z.avail_out = sizeof(out);
			ret = inflate(&d->z, Z_NO_FLUSH);
			if (sizeof(out) - d->z.avail_out)
				emit(ctx, out, sizeof(out) - d->z.avail_out);
			if (ret == Z_STREAM_END) {
				used += piece - d->z.avail_in;
				if (d->kind == DECOMP_GZIP) {
					d->state = DS_BETWEEN;
					d->nprobe = 0;
				} else {
					d->state = DS_DONE;
				}
				return used;
			}
			if (ret == Z_BUF_ERROR && !d->z.avail_in)
				break; /* all input consumed and output flushed */
			if (ret != Z_OK) {
				d->state = DS_ERROR;
				return len;
			}
		} while (d->z.avail_in || !d->z.avail_out);
		used += piece - d->z.avail_in;
	}
	return used;
}

static bool zlib_header(const unsigned char *p)
{
	/* RFC 1950: CM 8 (deflate), window up to 32 KiB, check bits make CMF*256+FLG divisible by
	 * 31 */
	return (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 && ((p[0] << 8) | p[1]) % 31 == 0;
}

/* Collects up to two bytes into d->probe; returns how many of in[0..len) it took. */
static size_t probe_take(struct decomp *d, const unsigned char *in, size_t len)
{
	size_t n = 0;

	while (d->nprobe < 2 && n < len)
		d->probe[d->nprobe++] = in[n++];
	return n;
}

static void zlib_feed(struct decomp *d, const unsigned char *in, size_t len, emit_fn emit,
		      void *ctx)
{
	while (len && d->state != DS_ERROR && d->state != DS_DONE) {
		size_t n;

		if (d->state == DS_PROBE) {
			n = probe_take(d, in, len);
			in += n;
			len -= n;
			if (d->nprobe < 2)
				return;
			if (inflateInit2(&d->z, zlib_header(d->probe) ? MAX_WBITS : -MAX_WBITS) !=
			    Z_OK) {
				d->state = DS_ERROR;
				return;
			}
			d->z_ready = true;
			d->state = DS_RUN;
			/* the probe bytes are the stream's first: run them before the rest */
			inflate_run(d, d->probe, 2, emit, ctx);
			continue;
		}
		if (d->state == DS_BETWEEN) {
			/* gzip: another member follows only if it starts with the magic */
			n = probe_take(d, in, len);
			in += n;
			len -= n;
			if (d->probe[0] != 0x1f || (d->nprobe == 2 && d->probe[1] != 0x8b)) {
				d->state = DS_DONE;
				return;
			}
			if (d->nprobe < 2)
				return;
			if (inflateReset(&d->z) != Z_OK) {
				d->state = DS_ERROR;
				return;
			}
			d->state = DS_RUN;
			inflate_run(d, d->probe, 2, emit, ctx);
			continue;
		}
		n = inflate_run(d, in, len, emit, ctx);
		in += n;
		len -= n;
	}
}

static void brotli_feed(struct decomp *d, const unsigned char *in, size_t len, emit_fn emit,
			void *ctx)
{
	unsigned char out[OUT_CHUNK];
	const uint8_t *next_in = in;
	size_t avail_in = len;

	for (;;) {
		uint8_t *next_out = out;
		size_t avail_out = sizeof(out);
		BrotliDecoderResult r;

		r = BrotliDecoderDecompressStream(d->br, &avail_in, &next_in, &avail_out, &next_out,
						  NULL);
		if (sizeof(out) - avail_out)
			emit(ctx, out, sizeof(out) - avail_out);
		switch (r) {
		case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
			continue;
		case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
			return;
		case BROTLI_DECODER_RESULT_SUCCESS:
			d->state = DS_DONE;
			return;
		default:
			d->state = DS_ERROR;
			return;
		}
	}
}

int decomp_feed(struct decomp *d, const void *in, size_t len,
		void (*emit)(void *ctx, const void *out, size_t n), void *ctx)
{
	if (!d)
		return -EINVAL;
	if (d->state == DS_ERROR)
		return -EINVAL;
	if (!len || d->state == DS_DONE)
		return 0;
	switch (d->kind) {
	case DECOMP_IDENTITY:
		emit(ctx, in, len);
		break;
	case DECOMP_GZIP:
	case DECOMP_DEFLATE:
		zlib_feed(d, in, len, emit, ctx);
		break;
	case DECOMP_BR:
		brotli_feed(d, in, len, emit, ctx);
		break;
	default:
		return -EINVAL;
	}
	return d->state == DS_ERROR ? -EINVAL : 0;
}
