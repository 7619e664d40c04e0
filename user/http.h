/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http.h - one HTTP message reassembled from TLS plaintext, the unit the HTTP/1.1 and HTTP/2
 * parsers hand to the LLM layer (DESIGN.md §4).
 *
 * The parsers see the traced process's side of one connection: `HTTP_OUT` is what it wrote
 * (SSL_write: requests, for a client), `HTTP_IN` what it read (SSL_read: responses). Bodies are
 * delivered de-chunked and decompressed; header values that carry credentials are redacted before
 * they are stored (redact.h), so nothing downstream can leak them.
 */
#ifndef AGT_HTTP_H
#define AGT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_dir { HTTP_OUT = 0, HTTP_IN = 1 };

struct http_header {
	char *name;  /* as sent (HTTP/2: lowercase), NUL-terminated, malloc'd */
	char *value; /* redacted if sensitive, NUL-terminated, malloc'd */
};

/* After the record stamped `ts` was fed, `off` decoded body bytes existed: times the first token.
 */
struct http_mark {
	size_t off;
	uint64_t ts;
};

struct http_msg {
	bool is_request;
	int version;	    /* 10, 11 or 20 */
	char method[16];    /* requests: "POST" */
	char *path;	    /* requests: "/v1/chat/completions" (HTTP/2: :path), malloc'd */
	char *authority;    /* Host header or :authority, malloc'd, may be NULL */
	int status;	    /* responses: 200 */
	uint32_t stream_id; /* HTTP/2 stream, 0 for HTTP/1.x */
	struct http_header *hdrs;
	size_t nhdrs;
	unsigned char *body; /* decoded: de-chunked and decompressed; NUL-terminated; may be NULL */
	size_t body_len;
	uint64_t wire_len; /* body bytes as they crossed the wire (before decompression) */
	uint64_t lost;	   /* bytes known to be missing (capture cap, tracer attached mid-body) */
	bool complete;	   /* ended as framed (length, last chunk, END_STREAM, SSE end) */
	bool decode_error; /* bad chunk framing or corrupt compressed data: body is partial */
	uint64_t ts_start; /* first byte of the message (CLOCK_MONOTONIC ns, from the record) */
	uint64_t ts_end;   /* last byte */
	struct http_mark *marks; /* ascending off; one per feed that added decoded body bytes */
	size_t nmarks;
};

/*
 * A parser calls this once when a request is complete (resp == NULL) and once when its response
 * is complete or abandoned (resp != NULL; resp->complete tells which). Both messages are owned by
 * the parser and valid only during the call. A response whose request was never seen (attached
 * mid-connection) is not delivered.
 */
typedef void (*http_cb)(void *ctx, const struct http_msg *req, const struct http_msg *resp);

/* Case-insensitive header lookup; returns the (redacted) value or NULL. */
const char *http_header_get(const struct http_msg *m, const char *name);
/* Time at which the decoded body byte at `off` arrived (the first mark with mark.off > off), else
 * ts_end. */
uint64_t http_msg_time_at(const struct http_msg *m, size_t off);
/* Frees everything the message owns and zeroes it; NULL is a no-op. */
void http_msg_release(struct http_msg *m);

#endif
