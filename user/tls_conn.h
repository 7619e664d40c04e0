/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_conn.h - TLS plaintext records (bpf/tls.bpf.c) back into per-connection byte streams, and
 * those into HTTP messages (http1.h, http2.h).
 *
 * A connection is (tgid, SSL*, generation): SSL_new and SSL_free records end the previous one,
 * since allocators hand the same address out again. The protocol is chosen from the first bytes
 * the process writes: the HTTP/2 preface, a request line, or (attached mid-connection) HTTP/2
 * frames that tile the write exactly. Missing bytes (the capture cap, a full ring) are found from
 * the chunk offsets and reported to the parser as gaps, and counted.
 */
#ifndef AGT_TLS_CONN_H
#define AGT_TLS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* Where a delivered message came from: the record that completed it. */
struct tls_origin {
	uint32_t tgid;
	uint32_t tid;
	char comm[16];
	uint64_t ssl;
	uint32_t gen; /* connection generation for this (tgid, SSL*) */
	int version;  /* 11 or 20 */
};

/* req alone: a request is complete; req and resp: its response is (see http_cb). */
typedef void (*tls_http_cb)(void *ctx, const struct tls_origin *o, const struct http_msg *req,
			    const struct http_msg *resp);

struct tls_conns;

struct tls_conn_stats {
	uint64_t records;
	uint64_t bytes;	     /* plaintext bytes captured */
	uint64_t lost_bytes; /* known missing: beyond --tls-max-bytes or dropped by a full ring */
	uint64_t conns;	     /* connections seen */
	uint64_t bad;	     /* malformed records */
};

struct tls_conns *tls_conns__new(tls_http_cb cb, void *ctx, size_t max_body);
/* Closes every connection (delivering what is pending) and frees; NULL is a no-op. */
void tls_conns__free(struct tls_conns *t);
/* One record from the TLS ring; returns 0 or -EINVAL if malformed (counted). */
int tls_conns_record(struct tls_conns *t, const void *data, size_t size);
/* The process exited: its connections end (no SSL_free is seen for a killed process). */
void tls_conns_exit(struct tls_conns *t, uint32_t tgid, uint64_t ts);
const struct tls_conn_stats *tls_conns_stats(const struct tls_conns *t);

#endif
