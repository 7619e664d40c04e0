/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * decomp.h - streaming decoders for HTTP Content-Encoding: gzip and deflate (zlib; deflate
 * accepts both zlib-wrapped and raw streams, as browsers do) and br (libbrotlidec).
 * Streaming matters: an SSE response is flushed piecewise and never finished.
 */
#ifndef AGT_DECOMP_H
#define AGT_DECOMP_H

#include <stddef.h>

enum decomp_kind { DECOMP_IDENTITY, DECOMP_GZIP, DECOMP_DEFLATE, DECOMP_BR, DECOMP_UNKNOWN };

struct decomp;

/* Parses a Content-Encoding value ("gzip", "br", "identity", absent = NULL). */
enum decomp_kind decomp_kind_of(const char *content_encoding);
struct decomp *decomp__new(enum decomp_kind kind); /* NULL on failure or DECOMP_UNKNOWN */
void decomp__free(struct decomp *d);		   /* NULL is a no-op */
/*
 * Decodes `len` input bytes, calling emit(ctx, out, n) for every decoded piece. Returns 0, or
 * -EINVAL once the stream is corrupt (sticky: later calls return -EINVAL and emit nothing).
 */
int decomp_feed(struct decomp *d, const void *in, size_t len,
		void (*emit)(void *ctx, const void *out, size_t n), void *ctx);

#endif
