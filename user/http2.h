/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http2.h - HTTP/2 reassembly for one connection, client side (RFC 9113), header blocks decoded
 * with libnghttp2's HPACK inflater (one per direction).
 *
 * The client's outgoing bytes begin with the connection preface; frames are parsed per direction,
 * HEADERS/CONTINUATION decoded, DATA appended per stream (padding stripped), a stream's request is
 * delivered at its END_STREAM and its response at END_STREAM or RST_STREAM (incomplete), both via
 * the same http_cb as HTTP/1.1 with stream_id set. Content-Encoding is decoded as in HTTP/1.1.
 * Attached mid-connection, HPACK state is unknown: header blocks that fail to decode mark the
 * stream headerless (method/path/status empty) and its bodies are still collected.
 */
#ifndef AGT_HTTP2_H
#define AGT_HTTP2_H

#include "http.h"

#define HTTP2_PREFACE	  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define HTTP2_PREFACE_LEN 24

struct http2;

struct http2 *http2__new(http_cb cb, void *ctx, size_t max_body);
void http2__free(struct http2 *h); /* NULL is a no-op */

void http2_feed(struct http2 *h, enum http_dir dir, const void *data, size_t len, uint64_t ts);
void http2_gap(struct http2 *h, enum http_dir dir, uint64_t n);
/* Connection ended: open streams' responses are delivered incomplete. */
void http2_close(struct http2 *h, uint64_t ts);

/* What the parser had to give up on, for the tracer's lost-data accounting. */
struct http2_stats {
	uint64_t desyncs;	  /* frame sync lost: gaps, implausible frame headers */
	uint64_t skipped;	  /* bytes passed over while looking for a frame boundary again */
	uint64_t hpack_errors;	  /* header blocks that failed to decode (stream left headerless) */
	uint64_t streams_dropped; /* over the open-stream cap: delivered incomplete */
};

void http2_get_stats(const struct http2 *h, struct http2_stats *out);

#endif
