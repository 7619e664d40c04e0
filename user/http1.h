/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * http1.h - HTTP/1.1 reassembly for one connection, client side (the traced process writes
 * requests and reads responses).
 *
 * Requests and responses are paired FIFO. Bodies framed by Content-Length, chunked encoding, or
 * (responses) the connection's end; Content-Encoding gzip, deflate and br decoded as a stream.
 * A `text/event-stream` response is delivered as soon as its SSE data reaches `data: [DONE]`
 * (clients stop reading there, so the last chunk may never be seen) or an Anthropic
 * `event: message_stop`; bytes of the same body that still arrive afterwards are consumed silently.
 * A parser that starts mid-stream (tracer attached to an open connection) or meets garbage skips
 * to the next write that starts with a request line, and drops responses to requests it never saw.
 */
#ifndef AGT_HTTP1_H
#define AGT_HTTP1_H

#include "http.h"

struct http1;

/* Limits a message body (decoded) to `max_body` bytes; the rest is counted in msg->lost. */
struct http1 *http1__new(http_cb cb, void *ctx, size_t max_body);
void http1__free(struct http1 *h); /* no callbacks; NULL is a no-op */

/* Bytes the process wrote (HTTP_OUT) or read (HTTP_IN), in order, stamped with the record's time.
 */
void http1_feed(struct http1 *h, enum http_dir dir, const void *data, size_t len, uint64_t ts);
/* `n` bytes of that direction were not captured (truncated record): the message in progress is
 * marked lost += n and the parser resynchronises. */
void http1_gap(struct http1 *h, enum http_dir dir, uint64_t n);
/* The connection ended (SSL_free, exit): delivers a response framed by close and any partial one.
 */
void http1_close(struct http1 *h, uint64_t ts);

/* True if `data` starts like an HTTP/1.x request line ("POST /x HTTP/1.1\r\n" or a prefix of it).
 */
bool http1_looks_like_request(const void *data, size_t len);

#endif
