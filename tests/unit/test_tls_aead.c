// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tls_aead.c - TLS records seen at an AEAD back into plain streams: TLS 1.3 inner content
 * type and padding, keys bound to sockets, directions paired, chunks, gaps, reused sockets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/types.h>

#include "agtrace.h"
#include "http.h"
#include "tls_aead.h"
#include "tls_conn.h"

#define MAXOUT 16

/* What tls_aead sent on: plain data records (reassembled per call) and connection events. */
struct out {
	int n;
	struct {
		uint16_t type;
		uint64_t ssl;
		int op;
		uint32_t event;
		uint32_t tid;
		size_t len;
		unsigned char data[40000];
	} e[MAXOUT];
};

static int on_out(void *ctx, const void *rec, size_t size)
{
	struct out *o = ctx;
	const struct agt_hdr *h = rec;

	assert_true(size >= sizeof(*h) && h->size == size);
	if (h->type == AGT_REC_TLS_CONN) {
		const struct agt_tls_conn *c = rec;

		assert_true(o->n < MAXOUT);
		o->e[o->n].type = h->type;
		o->e[o->n].ssl = c->ssl;
		o->e[o->n++].event = c->event;
		return 0;
	}
	const struct agt_tls_data *r = rec;

	assert_int_equal(h->type, AGT_REC_TLS_DATA);
	assert_true(r->op == AGT_TLS_WRITE || r->op == AGT_TLS_READ);
	assert_int_equal(sizeof(*r) + r->len, size);
	if (r->off == 0) {
		assert_true(o->n < MAXOUT);
		o->e[o->n].type = h->type;
		o->e[o->n].ssl = r->ssl;
		o->e[o->n].op = r->op;
		o->e[o->n].tid = h->tid;
		o->e[o->n].len = 0;
		o->n++;
	}
	/* a plain record of the call in progress: the same connection, in order */
	assert_int_equal(o->e[o->n - 1].ssl, r->ssl);
	assert_int_equal(o->e[o->n - 1].len, r->off);
	memcpy(o->e[o->n - 1].data + r->off, r + 1, r->len);
	o->e[o->n - 1].len += r->len;
	return 0;
}

/* One AEAD data chunk: len bytes at off of a record of call_len bytes, key `ctx`. */
static int chunk(struct tls_aead *a, uint32_t tgid, uint64_t ctx, int op, uint64_t call_len,
		 uint32_t off, const void *data, size_t len, uint8_t flags)
{
	size_t size = sizeof(struct agt_tls_data) + len;
	struct agt_tls_data *r = calloc(1, size);
	int ret;

	assert_non_null(r);
	r->h.type = AGT_REC_TLS_DATA;
	r->h.size = (uint16_t)size;
	r->h.tgid = tgid;
	r->h.tid = tgid + 1;
	r->h.ts = 10 + off;
	r->ssl = ctx;
	r->call_len = call_len;
	r->off = off;
	r->len = (uint16_t)len;
	r->op = (uint8_t)op;
	r->flags = flags;
	memcpy(r + 1, data, len);
	ret = tls_aead_record(a, r, size);
	free(r);
	return ret;
}

/* A whole TLS 1.3 record: content, then the inner type, then `pad` zeros. */
static int rec13(struct tls_aead *a, uint32_t tgid, uint64_t ctx, int op, const char *content,
		 uint8_t type, size_t pad)
{
	size_t n = strlen(content), len = n + 1 + pad;
	unsigned char *b = calloc(1, len);
	int ret;

	assert_non_null(b);
	memcpy(b, content, n);
	b[n] = type;
	ret = chunk(a, tgid, ctx, op, len, 0, b, len, AGT_TLS_FIRST | AGT_TLS_LAST);
	free(b);
	return ret;
}

static int bind(struct tls_aead *a, uint32_t tgid, uint64_t ctx, uint64_t sk, uint32_t op)
{
	struct agt_tls_bind b = {0};

	b.h.type = AGT_REC_TLS_BIND;
	b.h.size = sizeof(b);
	b.h.tgid = tgid;
	b.h.tid = tgid + 1;
	b.ctx = ctx;
	b.sk = sk;
	b.op = op;
	return tls_aead_record(a, &b, sizeof(b));
}

#define W13 AGT_TLS_SEAL13
#define R13 AGT_TLS_OPEN13

static const char PREFACE[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static void test_tls_aead_inner_type_and_padding(void **state)
{
	struct out *o = calloc(1, sizeof(*o));
	struct tls_aead *a = tls_aead__new(on_out, o);

	(void)state;
	/* sealed before its send: held until the bind says which socket */
	assert_int_equal(rec13(a, 7, 0xc1, W13, "GET / HTTP/1.1\r\n\r\n", 23, 0), 0);
	assert_int_equal(o->n, 0);
	assert_int_equal(bind(a, 7, 0xc1, 0x5000, AGT_TLS_WRITE), 0);
	assert_int_equal(o->n, 1);
	assert_int_equal(o->e[0].op, AGT_TLS_WRITE);
	assert_int_equal(o->e[0].len, 18);
	assert_memory_equal(o->e[0].data, "GET / HTTP/1.1\r\n\r\n", 18);
	assert_true(o->e[0].ssl >> 63); /* a synthetic id, never a real SSL* */
	assert_int_equal(o->e[0].tid, 8);
	/* padding zeros after the type, content ending in zero bytes: both kept apart; every
	 * sealed record waits for the bind of the send that carries it, the key bound or not */
	assert_int_equal(rec13(a, 7, 0xc1, W13, "abc", 23, 200), 0);
	assert_int_equal(o->n, 1);
	assert_int_equal(bind(a, 7, 0xc1, 0x5000, AGT_TLS_WRITE), 0);
	assert_int_equal(o->n, 2);
	assert_int_equal(o->e[1].len, 3);
	assert_memory_equal(o->e[1].data, "abc", 3);
	{
		unsigned char b[6] = {'x', 0, 0, 23, 0, 0}; /* content "x\0\0", type, padding */

		assert_int_equal(chunk(a, 7, 0xc1, W13, 6, 0, b, 6, AGT_TLS_FIRST | AGT_TLS_LAST),
				 0);
		assert_int_equal(bind(a, 7, 0xc1, 0x5000, AGT_TLS_WRITE), 0);
		assert_int_equal(o->n, 3);
		assert_int_equal(o->e[2].len, 3);
		assert_memory_equal(o->e[2].data, "x\0\0", 3);
	}
	/* handshake (22) and alert (21) records go nowhere; all zeros is malformed */
	assert_int_equal(rec13(a, 7, 0xc1, W13, "\x14\x00\x00\x20", 22, 0), 0);
	assert_int_equal(rec13(a, 7, 0xc1, W13, "\x01", 21, 5), 0);
	assert_int_equal(rec13(a, 7, 0xc1, W13, "", 0, 4), -EINVAL);
	assert_int_equal(o->n, 3);
	assert_int_equal(tls_aead_stats(a)->records, 6);
	assert_int_equal(tls_aead_stats(a)->app, 3);
	assert_int_equal(tls_aead_stats(a)->other, 2);
	assert_int_equal(tls_aead_stats(a)->bad, 1);
	tls_aead__free(a);
	free(o);
}

static void test_tls_aead_pairs_directions_by_socket(void **state)
{
	struct out *o = calloc(1, sizeof(*o));
	struct tls_aead *a = tls_aead__new(on_out, o);

	(void)state;
	/* two connections of one process, each a sealing and an opening key */
	assert_int_equal(rec13(a, 7, 0xa1, W13, "req-a", 23, 0), 0);
	assert_int_equal(bind(a, 7, 0xa1, 0x1000, AGT_TLS_WRITE), 0);
	assert_int_equal(rec13(a, 7, 0xb1, W13, "req-b", 23, 0), 0);
	assert_int_equal(bind(a, 7, 0xb1, 0x2000, AGT_TLS_WRITE), 0);
	/* an opening key is bound before its first record (the receive came first) */
	assert_int_equal(bind(a, 7, 0xb2, 0x2000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 7, 0xb2, R13, "resp-b", 23, 0), 0);
	assert_int_equal(bind(a, 7, 0xa2, 0x1000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 7, 0xa2, R13, "resp-a", 23, 0), 0);
	/* the same socket address in another process is another connection */
	assert_int_equal(bind(a, 8, 0xa2, 0x1000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 8, 0xa2, R13, "other", 23, 0), 0);
	assert_int_equal(o->n, 5);
	assert_int_equal(o->e[0].ssl, o->e[3].ssl); /* req-a, resp-a */
	assert_int_equal(o->e[1].ssl, o->e[2].ssl); /* req-b, resp-b */
	assert_true(o->e[0].ssl != o->e[1].ssl);
	assert_true(o->e[4].ssl != o->e[0].ssl && o->e[4].ssl != o->e[1].ssl);
	assert_int_equal(o->e[2].op, AGT_TLS_READ);
	assert_memory_equal(o->e[2].data, "resp-b", 6);
	/* a bind repeated for the same socket changes nothing; to another one, it is ignored */
	assert_int_equal(bind(a, 7, 0xa1, 0x1000, AGT_TLS_WRITE), 0);
	assert_int_equal(bind(a, 7, 0xa2, 0x2000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 7, 0xa2, R13, "resp-a2", 23, 0), 0);
	assert_int_equal(o->n, 6);
	assert_int_equal(o->e[5].ssl, o->e[0].ssl);
	assert_int_equal(tls_aead_stats(a)->binds, 7);
	assert_int_equal(tls_aead_stats(a)->conflicts, 1);
	tls_aead__free(a);
	free(o);
}

static void test_tls_aead_chunks_and_gaps(void **state)
{
	struct out *o = calloc(1, sizeof(*o));
	struct tls_aead *a = tls_aead__new(on_out, o);
	size_t len = 16385; /* 2^14 bytes of content and the type byte: two chunks */
	unsigned char *b = malloc(len);

	(void)state;
	for (size_t i = 0; i < len - 1; i++)
		b[i] = 'a' + i % 26;
	b[len - 1] = 23;
	assert_int_equal(bind(a, 7, 0xd2, 0x3000, AGT_TLS_READ), 0);
	/* in order: one plain record of 16384 bytes */
	assert_int_equal(chunk(a, 7, 0xd2, R13, len, 0, b, 16384, AGT_TLS_FIRST), 0);
	assert_int_equal(o->n, 0);
	assert_int_equal(chunk(a, 7, 0xd2, R13, len, 16384, b + 16384, 1, AGT_TLS_LAST), 0);
	assert_int_equal(o->n, 1);
	assert_int_equal(o->e[0].len, 16384);
	assert_memory_equal(o->e[0].data, b, 16384);
	/* the first chunk lost (ring full): the record is lost, counted, nothing half-sent */
	assert_int_equal(chunk(a, 7, 0xd2, R13, len, 16384, b + 16384, 1, AGT_TLS_LAST), 0);
	assert_int_equal(o->n, 1);
	assert_int_equal(tls_aead_stats(a)->lost, 1);
	/* the last chunk lost: found when the next record starts */
	assert_int_equal(chunk(a, 7, 0xd2, R13, len, 0, b, 16384, AGT_TLS_FIRST), 0);
	assert_int_equal(rec13(a, 7, 0xd2, R13, "next", 23, 0), 0);
	assert_int_equal(o->n, 2);
	assert_memory_equal(o->e[1].data, "next", 4);
	assert_int_equal(tls_aead_stats(a)->lost, 2);
	/* cut by --tls-max-bytes: LAST before the end */
	assert_int_equal(
	    chunk(a, 7, 0xd2, R13, len, 0, b, 16384, AGT_TLS_FIRST | AGT_TLS_LAST | AGT_TLS_TRUNC),
	    0);
	assert_int_equal(o->n, 2);
	assert_int_equal(tls_aead_stats(a)->lost, 3);
	/* malformed: a chunk past its record, an unknown op, a size that lies */
	assert_int_equal(chunk(a, 7, 0xd2, R13, 4, 2, "abc", 3, 0), -EINVAL);
	assert_int_equal(chunk(a, 7, 0xd2, 9, 4, 0, "abcd", 4, AGT_TLS_FIRST), -EINVAL);
	{
		struct agt_tls_data r = {0};

		r.h.type = AGT_REC_TLS_DATA;
		r.h.size = sizeof(r) + 10;
		r.op = R13;
		r.len = 10;
		r.call_len = 10;
		assert_int_equal(tls_aead_record(a, &r, sizeof(r)), -EINVAL);
	}
	free(b);
	tls_aead__free(a);
	free(o);
}

static void test_tls_aead_tls12_has_no_inner_type(void **state)
{
	struct out *o = calloc(1, sizeof(*o));
	struct tls_aead *a = tls_aead__new(on_out, o);
	unsigned char b[4] = {'o', 'k', 0,
			      0}; /* TLS 1.2: the plaintext is the content, zeros too */

	(void)state;
	assert_int_equal(bind(a, 7, 0xe2, 0x4000, AGT_TLS_READ), 0);
	assert_int_equal(
	    chunk(a, 7, 0xe2, AGT_TLS_OPEN12, 4, 0, b, 4, AGT_TLS_FIRST | AGT_TLS_LAST), 0);
	assert_int_equal(o->n, 1);
	assert_int_equal(o->e[0].len, 4);
	assert_memory_equal(o->e[0].data, b, 4);
	tls_aead__free(a);
	free(o);
}

static void test_tls_aead_reused_socket_and_key_update(void **state)
{
	struct out *o = calloc(1, sizeof(*o));
	struct tls_aead *a = tls_aead__new(on_out, o);
	uint64_t first;

	(void)state;
	assert_int_equal(rec13(a, 7, 0xf1, W13, PREFACE, 23, 0), 0);
	assert_int_equal(bind(a, 7, 0xf1, 0x6000, AGT_TLS_WRITE), 0);
	first = o->e[0].ssl;
	/* a new sealing key whose data continues the stream: TLS 1.3 KeyUpdate, same connection */
	assert_int_equal(rec13(a, 7, 0xf3, W13, "more frames", 23, 0), 0);
	assert_int_equal(bind(a, 7, 0xf3, 0x6000, AGT_TLS_WRITE), 0);
	assert_int_equal(o->n, 2);
	assert_int_equal(o->e[1].ssl, first);
	/* one that starts with the HTTP/2 preface: a new connection at a reused socket address */
	assert_int_equal(rec13(a, 7, 0xf5, W13, PREFACE, 23, 0), 0);
	assert_int_equal(bind(a, 7, 0xf5, 0x6000, AGT_TLS_WRITE), 0);
	assert_int_equal(o->n, 4);
	assert_int_equal(o->e[2].type, AGT_REC_TLS_CONN);
	assert_int_equal(o->e[2].ssl, first);
	assert_int_equal(o->e[2].event, AGT_TLS_FREE);
	assert_true(o->e[3].ssl != first);
	/* the process exits with sealed data never bound: counted lost */
	assert_int_equal(rec13(a, 7, 0xf7, W13, "orphan", 23, 0), 0);
	tls_aead_exit(a, 7);
	assert_int_equal(tls_aead_stats(a)->lost, 1);
	assert_int_equal(o->n, 4);
	tls_aead__free(a);
	free(o);
}

/*
 * Codex opens a connection per model call and rustls frees its keys with it: the next
 * connection's keys may get the same addresses. They follow it to its socket; a key opened on
 * a socket that has its own opening key stays (records rustls buffered from another socket).
 */
static void test_tls_aead_reused_key_addresses(void **state)
{
	struct out *o = calloc(1, sizeof(*o));
	struct tls_aead *a = tls_aead__new(on_out, o);
	uint64_t c1, c2;

	(void)state;
	assert_int_equal(rec13(a, 7, 0x11, W13, PREFACE, 23, 0), 0);
	assert_int_equal(bind(a, 7, 0x11, 0x1000, AGT_TLS_WRITE), 0);
	assert_int_equal(bind(a, 7, 0x12, 0x1000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 7, 0x12, R13, "resp-1", 23, 0), 0);
	c1 = o->e[0].ssl;
	assert_int_equal(o->e[1].ssl, c1);
	/* the second connection: both keys at the first one's addresses, another socket */
	assert_int_equal(rec13(a, 7, 0x11, W13, PREFACE, 23, 0), 0);
	assert_int_equal(o->n, 2); /* held: its socket is not known yet */
	assert_int_equal(bind(a, 7, 0x11, 0x2000, AGT_TLS_WRITE), 0);
	/* its handshake key came first there: it carries no data, so the socket is still new */
	assert_int_equal(bind(a, 7, 0x13, 0x2000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 7, 0x13, R13, "\x08\x00\x00\x02", 22, 0), 0);
	assert_int_equal(bind(a, 7, 0x12, 0x2000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 7, 0x12, R13, "resp-2", 23, 0), 0);
	assert_int_equal(o->n, 4);
	c2 = o->e[2].ssl;
	assert_true(c2 != c1);
	assert_int_equal(o->e[3].ssl, c2);
	assert_memory_equal(o->e[3].data, "resp-2", 6);
	/* the third: the keys' addresses and the socket's, all reused: a new connection too */
	assert_int_equal(rec13(a, 7, 0x11, W13, PREFACE, 23, 0), 0);
	assert_int_equal(bind(a, 7, 0x11, 0x2000, AGT_TLS_WRITE), 0);
	assert_int_equal(o->n, 6);
	assert_int_equal(o->e[4].type, AGT_REC_TLS_CONN);
	assert_int_equal(o->e[4].ssl, c2);
	assert_true(o->e[5].ssl != c2 && o->e[5].ssl != c1);
	/* the buffered case: socket 0x1000's reader opened after a receive on a socket with its
	 * own opening key: it stays */
	assert_int_equal(bind(a, 7, 0x31, 0x3000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 7, 0x31, R13, "resp-x", 23, 0), 0);
	assert_int_equal(bind(a, 7, 0x12, 0x3000, AGT_TLS_READ), 0);
	assert_int_equal(rec13(a, 7, 0x12, R13, "more-3", 23, 0), 0);
	assert_int_equal(o->e[o->n - 1].ssl, o->e[5].ssl);
	assert_int_equal(tls_aead_stats(a)->moves, 3);
	assert_int_equal(tls_aead_stats(a)->conflicts, 1);
	tls_aead__free(a);
	free(o);
}

/* Through tls_conns: the HTTP/1.1 parser sees the same streams an SSL_write capture gives. */
struct got {
	int n;
	int status;
	size_t req_len, resp_len;
	uint64_t ssl;
};

static void on_http(void *ctx, const struct tls_origin *o, const struct http_msg *req,
		    const struct http_msg *resp)
{
	struct got *g = ctx;

	(void)o;
	g->n++;
	g->req_len = req->body_len;
	g->ssl = o->ssl;
	if (resp) {
		g->status = resp->status;
		g->resp_len = resp->body_len;
	}
}

static void test_tls_aead_through_tls_conns(void **state)
{
	static const char REQ[] = "POST /v1/responses HTTP/1.1\r\nHost: api\r\n"
				  "Content-Length: 5\r\n\r\nhello";
	static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);

	(void)state;
	/* the records go in as the ring gives them, tls_conns hands them to tls_aead */
	{
		size_t n = strlen(REQ);
		unsigned char b[256];
		struct agt_tls_data *r = (void *)b;
		struct agt_tls_bind bd = {0};

		memset(b, 0, sizeof(b));
		r->h.type = AGT_REC_TLS_DATA;
		r->h.size = sizeof(*r) + n + 1;
		r->h.tgid = 7;
		r->ssl = 0xc1;
		r->call_len = n + 1;
		r->len = n + 1;
		r->op = W13;
		r->flags = AGT_TLS_FIRST | AGT_TLS_LAST;
		memcpy(r + 1, REQ, n);
		((unsigned char *)(r + 1))[n] = 23;
		assert_int_equal(tls_conns_record(t, r, r->h.size), 0);
		bd.h.type = AGT_REC_TLS_BIND;
		bd.h.size = sizeof(bd);
		bd.h.tgid = 7;
		bd.ctx = 0xc1;
		bd.sk = 0x9000;
		bd.op = AGT_TLS_WRITE;
		assert_int_equal(tls_conns_record(t, &bd, sizeof(bd)), 0);
		assert_int_equal(g.n, 1);
		bd.ctx = 0xc2;
		bd.op = AGT_TLS_READ;
		assert_int_equal(tls_conns_record(t, &bd, sizeof(bd)), 0);
		n = strlen(RESP);
		r->h.size = sizeof(*r) + n + 3;
		r->ssl = 0xc2;
		r->call_len = n + 3;
		r->len = n + 3;
		r->op = R13;
		memset(r + 1, 0, n + 3);
		memcpy(r + 1, RESP, n);
		((unsigned char *)(r + 1))[n] = 23;
		assert_int_equal(tls_conns_record(t, r, r->h.size), 0);
	}
	assert_int_equal(g.n, 2);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.req_len, 5);
	assert_int_equal(g.resp_len, 2);
	assert_true(g.ssl >> 63);
	assert_int_equal(tls_conns_stats(t)->bytes, strlen(REQ) + strlen(RESP));
	tls_conns__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_aead_inner_type_and_padding),
	    cmocka_unit_test(test_tls_aead_pairs_directions_by_socket),
	    cmocka_unit_test(test_tls_aead_chunks_and_gaps),
	    cmocka_unit_test(test_tls_aead_tls12_has_no_inner_type),
	    cmocka_unit_test(test_tls_aead_reused_socket_and_key_update),
	    cmocka_unit_test(test_tls_aead_reused_key_addresses),
	    cmocka_unit_test(test_tls_aead_through_tls_conns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
