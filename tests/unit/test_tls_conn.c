// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_tls_conn.c - TLS records back into connections: chunks, gaps, generations, protocols. */
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
#include "http2.h"
#include "tls_conn.h"

#define MAXGOT 16

struct got {
	int n;
	struct {
		struct tls_origin o;
		bool resp;
		char method[16];
		char path[64];
		int status;
		size_t req_len, resp_len;
		uint64_t req_lost, resp_lost;
		bool complete;
		unsigned char first_byte, last_byte;
	} e[MAXGOT];
};

static void on_http(void *ctx, const struct tls_origin *o, const struct http_msg *req,
		    const struct http_msg *resp)
{
	struct got *g = ctx;

	if (g->n == MAXGOT)
		return;
	g->e[g->n].o = *o;
	g->e[g->n].resp = resp != NULL;
	snprintf(g->e[g->n].method, sizeof(g->e[g->n].method), "%s", req->method);
	snprintf(g->e[g->n].path, sizeof(g->e[g->n].path), "%s", req->path ? req->path : "");
	g->e[g->n].req_len = req->body_len;
	g->e[g->n].req_lost = req->lost;
	if (req->body_len) {
		g->e[g->n].first_byte = req->body[0];
		g->e[g->n].last_byte = req->body[req->body_len - 1];
	}
	if (resp) {
		g->e[g->n].status = resp->status;
		g->e[g->n].resp_len = resp->body_len;
		g->e[g->n].resp_lost = resp->lost;
		g->e[g->n].complete = resp->complete;
	}
	g->n++;
}

/* Feeds one TLS data record: `len` bytes at offset `off` of a call that moved call_len. */
static int feed(struct tls_conns *t, uint32_t tgid, uint64_t ssl, int op, uint64_t call_len,
		uint32_t off, const void *data, size_t len, uint8_t flags, uint64_t ts)
{
	size_t size = sizeof(struct agt_tls_data) + len;
	struct agt_tls_data *r = calloc(1, size);
	int ret;

	assert_non_null(r);
	r->h.type = AGT_REC_TLS_DATA;
	r->h.size = (uint16_t)size;
	r->h.tgid = tgid;
	r->h.tid = tgid + 1;
	r->h.ts = ts;
	strcpy(r->h.comm, "agent");
	r->ssl = ssl;
	r->call_len = call_len;
	r->off = off;
	r->len = (uint16_t)len;
	r->op = (uint8_t)op;
	r->flags = flags;
	memcpy(r + 1, data, len);
	ret = tls_conns_record(t, r, size);
	free(r);
	return ret;
}

/* A whole call in one record. */
static int feed1(struct tls_conns *t, uint32_t tgid, uint64_t ssl, int op, const char *s,
		 uint64_t ts)
{
	return feed(t, tgid, ssl, op, strlen(s), 0, s, strlen(s), AGT_TLS_FIRST | AGT_TLS_LAST, ts);
}

static void conn_event(struct tls_conns *t, uint32_t tgid, uint64_t ssl, uint32_t ev)
{
	struct agt_tls_conn r = {0};

	r.h.type = AGT_REC_TLS_CONN;
	r.h.size = sizeof(r);
	r.h.tgid = tgid;
	r.h.tid = tgid;
	r.h.ts = 99;
	r.ssl = ssl;
	r.event = ev;
	assert_int_equal(tls_conns_record(t, &r, sizeof(r)), 0);
}

static const char REQ[] = "POST /v1/chat/completions HTTP/1.1\r\nHost: api\r\n"
			  "Content-Length: 5\r\n\r\nhello";
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

static void test_tls_conn_request_response(void **state)
{
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);

	(void)state;
	assert_int_equal(feed1(t, 100, 0xabc, AGT_TLS_WRITE, REQ, 10), 0);
	assert_int_equal(feed1(t, 100, 0xabc, AGT_TLS_READ, RESP, 20), 0);
	assert_int_equal(g.n, 2);
	assert_false(g.e[0].resp);
	assert_string_equal(g.e[0].method, "POST");
	assert_string_equal(g.e[0].path, "/v1/chat/completions");
	assert_int_equal(g.e[0].req_len, 5);
	assert_true(g.e[1].resp);
	assert_int_equal(g.e[1].status, 200);
	assert_int_equal(g.e[1].resp_len, 2);
	assert_int_equal(g.e[1].o.tgid, 100);
	assert_int_equal(g.e[1].o.tid, 101);
	assert_string_equal(g.e[1].o.comm, "agent");
	assert_int_equal(g.e[1].o.ssl, 0xabc);
	assert_int_equal(g.e[1].o.gen, 1);
	assert_int_equal(g.e[1].o.version, 11);
	assert_int_equal(tls_conns_stats(t)->bytes, strlen(REQ) + strlen(RESP));
	assert_int_equal(tls_conns_stats(t)->lost_bytes, 0);
	assert_int_equal(tls_conns_stats(t)->conns, 1);
	tls_conns__free(t);
}

/* A request whose body crosses three chunks of one SSL_write, reassembled exactly. */
static char *big_request(size_t body, size_t *len)
{
	char head[128];
	int h = snprintf(head, sizeof(head),
			 "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", body);
	char *s = malloc(h + body);

	memcpy(s, head, h);
	for (size_t i = 0; i < body; i++)
		s[h + i] = (char)('a' + i % 26);
	*len = h + body;
	return s;
}

static void test_tls_conn_chunks(void **state)
{
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);
	size_t len, C = AGT_TLS_CHUNK;
	char *s = big_request(40000, &len);

	(void)state;
	assert_int_equal(feed(t, 7, 1, AGT_TLS_WRITE, len, 0, s, C, AGT_TLS_FIRST, 5), 0);
	assert_int_equal(feed(t, 7, 1, AGT_TLS_WRITE, len, C, s + C, C, 0, 5), 0);
	assert_int_equal(
	    feed(t, 7, 1, AGT_TLS_WRITE, len, 2 * C, s + 2 * C, len - 2 * C, AGT_TLS_LAST, 5), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.e[0].req_len, 40000);
	assert_int_equal(g.e[0].req_lost, 0);
	assert_int_equal(g.e[0].first_byte, 'a');
	assert_int_equal(g.e[0].last_byte, 'a' + 39999 % 26);
	assert_int_equal(tls_conns_stats(t)->lost_bytes, 0);
	free(s);
	tls_conns__free(t);
}

/* The ring dropped the middle chunk: its bytes are counted, not silently skipped. */
static void test_tls_conn_missing_chunk(void **state)
{
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);
	size_t len, C = AGT_TLS_CHUNK;
	char *s = big_request(40000, &len);

	(void)state;
	feed(t, 7, 1, AGT_TLS_WRITE, len, 0, s, C, AGT_TLS_FIRST, 5);
	feed(t, 7, 1, AGT_TLS_WRITE, len, 2 * C, s + 2 * C, len - 2 * C, AGT_TLS_LAST, 5);
	assert_int_equal(tls_conns_stats(t)->lost_bytes, C);
	/*
	 * The server got the whole request and answers it first: the response pairs with the cut
	 * request, which says how much of it is missing.
	 */
	feed1(t, 7, 1, AGT_TLS_READ, RESP, 7);
	assert_true(g.e[g.n - 1].resp);
	assert_int_equal(g.e[g.n - 1].status, 200);
	assert_int_equal(g.e[g.n - 1].req_lost, C);
	/* the next request on the connection is whole again */
	feed1(t, 7, 1, AGT_TLS_WRITE, REQ, 8);
	feed1(t, 7, 1, AGT_TLS_READ, RESP, 9);
	assert_true(g.e[g.n - 1].resp);
	assert_int_equal(g.e[g.n - 1].req_len, 5);
	assert_int_equal(g.e[g.n - 1].req_lost, 0);
	free(s);
	tls_conns__free(t);
}

/*
 * The last chunk of a request is dropped: the loss is the request's when the response starts
 * (not when the next request does), and a later request whose first chunk is dropped still
 * pairs with its own response.
 */
static void test_tls_conn_lost_last_and_first(void **state)
{
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);
	size_t len1, len2, C = AGT_TLS_CHUNK;
	char *r1 = big_request(49152 - 60, &len1), *r2 = big_request(20000, &len2);

	(void)state;
	feed(t, 7, 1, AGT_TLS_WRITE, len1, 0, r1, C, AGT_TLS_FIRST, 1);
	feed(t, 7, 1, AGT_TLS_WRITE, len1, C, r1 + C, C, 0, 1);
	/* chunk 3 of 3 (LAST) never arrives */
	feed1(t, 7, 1, AGT_TLS_READ, RESP, 2);
	assert_int_equal(tls_conns_stats(t)->lost_bytes, len1 - 2 * C);
	assert_true(g.e[g.n - 1].resp);
	assert_int_equal(g.e[g.n - 1].req_lost, len1 - 2 * C);
	/* request 2: its FIRST chunk is dropped, the second (LAST) arrives */
	feed(t, 7, 1, AGT_TLS_WRITE, len2, C, r2 + C, len2 - C, AGT_TLS_LAST, 3);
	assert_int_equal(tls_conns_stats(t)->lost_bytes, len1 - 2 * C + C);
	feed1(t, 7, 1, AGT_TLS_READ, RESP, 4);
	/* request 2 was never seen whole (no request line): its response pairs with nothing, and
	 * certainly not with request 1 again */
	{
		int resps = 0;

		for (int i = 0; i < g.n; i++)
			resps += g.e[i].resp;
		assert_int_equal(resps, 1);
	}
	free(r1);
	free(r2);
	tls_conns__free(t);
}

/* A call beyond --tls-max-bytes: the uncaptured tail is counted from call_len. */
static void test_tls_conn_truncated_call(void **state)
{
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);
	size_t len, C = AGT_TLS_CHUNK;
	char *s = big_request(3 * C, &len);

	(void)state;
	feed(t, 7, 1, AGT_TLS_WRITE, len, 0, s, C, AGT_TLS_FIRST | AGT_TLS_LAST | AGT_TLS_TRUNC, 5);
	assert_int_equal(tls_conns_stats(t)->lost_bytes, len - C);
	free(s);
	tls_conns__free(t);
}

/* SSL_free ends a connection (pending response delivered); the address reused is a new one. */
static void test_tls_conn_generations(void **state)
{
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);
	const char *until_close = "HTTP/1.1 200 OK\r\n\r\nstreamed until close";

	(void)state;
	conn_event(t, 5, 0x10, AGT_TLS_NEW);
	feed1(t, 5, 0x10, AGT_TLS_WRITE, REQ, 1);
	feed1(t, 5, 0x10, AGT_TLS_READ, until_close, 2);
	assert_int_equal(g.n, 1);
	conn_event(t, 5, 0x10, AGT_TLS_FREE);
	assert_int_equal(g.n, 2);
	assert_true(g.e[1].resp);
	assert_int_equal(g.e[1].resp_len, strlen("streamed until close"));
	assert_int_equal(g.e[1].o.gen, 1);
	conn_event(t, 5, 0x10, AGT_TLS_NEW);
	feed1(t, 5, 0x10, AGT_TLS_WRITE, REQ, 3);
	feed1(t, 5, 0x10, AGT_TLS_READ, RESP, 4);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.e[3].o.gen, 2);
	/* same address in another process: its own connection */
	feed1(t, 6, 0x10, AGT_TLS_WRITE, REQ, 5);
	assert_int_equal(g.e[4].o.gen, 1);
	assert_int_equal(tls_conns_stats(t)->conns, 3);
	tls_conns__free(t);
}

/* The process exits without SSL_free: its connections end then. */
static void test_tls_conn_exit(void **state)
{
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);

	(void)state;
	feed1(t, 5, 0x10, AGT_TLS_WRITE, REQ, 1);
	feed1(t, 5, 0x10, AGT_TLS_READ, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", 2);
	assert_int_equal(g.n, 1);
	tls_conns_exit(t, 6, 3); /* another process: nothing */
	assert_int_equal(g.n, 1);
	tls_conns_exit(t, 5, 3);
	assert_int_equal(g.n, 2);
	assert_false(g.e[1].complete);
	assert_int_equal(g.e[1].resp_len, 4);
	tls_conns__free(t);
}

static void test_tls_conn_malformed(void **state)
{
	struct tls_conns *t = tls_conns__new(on_http, NULL, 1 << 20);
	struct agt_tls_data r = {0};

	(void)state;
	r.h.type = AGT_REC_TLS_DATA;
	r.h.size = sizeof(r) + 10; /* claims data it does not carry */
	r.len = 10;
	r.call_len = 10;
	assert_int_equal(tls_conns_record(t, &r, sizeof(r)), -EINVAL);
	r.h.size = sizeof(r);
	r.len = 0;
	r.off = 20; /* past the call */
	assert_int_equal(tls_conns_record(t, &r, sizeof(r)), -EINVAL);
	r.h.type = 77;
	r.off = 0;
	assert_int_equal(tls_conns_record(t, &r, sizeof(r)), -EINVAL);
	assert_int_equal(tls_conns_record(t, &r, 3), -EINVAL);
	assert_int_equal(tls_conns_stats(t)->bad, 4);
	tls_conns__free(t);
}

/* The HTTP/2 preface picks the HTTP/2 parser. */
static void test_tls_conn_h2_preface(void **state)
{
	struct got g = {0};
	struct tls_conns *t = tls_conns__new(on_http, &g, 1 << 20);
	/* preface + an empty SETTINGS frame */
	unsigned char buf[HTTP2_PREFACE_LEN + 9] = {0};

	(void)state;
	memcpy(buf, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	buf[HTTP2_PREFACE_LEN + 3] = 4;
	assert_int_equal(feed(t, 9, 2, AGT_TLS_WRITE, sizeof(buf), 0, buf, sizeof(buf),
			      AGT_TLS_FIRST | AGT_TLS_LAST, 1),
			 0);
	assert_int_equal(tls_conns_stats(t)->conns, 1);
	assert_int_equal(g.n, 0);
	tls_conns__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_conn_request_response),
	    cmocka_unit_test(test_tls_conn_chunks),
	    cmocka_unit_test(test_tls_conn_missing_chunk),
	    cmocka_unit_test(test_tls_conn_truncated_call),
	    cmocka_unit_test(test_tls_conn_lost_last_and_first),
	    cmocka_unit_test(test_tls_conn_generations),
	    cmocka_unit_test(test_tls_conn_exit),
	    cmocka_unit_test(test_tls_conn_malformed),
	    cmocka_unit_test(test_tls_conn_h2_preface),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
