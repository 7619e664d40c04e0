// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_http2.c - HTTP/2 reassembly: fixtures are real frames with header blocks from libnghttp2's
 * HPACK deflater (one per direction, as a client and a server would keep them).
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
#include <nghttp2/nghttp2.h>

#include "encode_fixture.h"

#include "http2.h"
#include "redact.h"

#define T_DATA	       0
#define T_HEADERS      1
#define T_PRIORITY     2
#define T_RST_STREAM   3
#define T_SETTINGS     4
#define T_PUSH_PROMISE 5
#define T_PING	       6
#define T_GOAWAY       7
#define T_WINDOW       8
#define T_CONTINUATION 9

#define END_STREAM  0x1
#define END_HEADERS 0x4
#define PADDED	    0x8
#define PRIORITY    0x20

/* ---- byte buffers and frames --------------------------------------------------------------- */

struct buf {
	unsigned char *p;
	size_t len;
	size_t cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void frame_hdr(struct buf *b, size_t len, uint8_t type, uint8_t flags, uint32_t sid)
{
	unsigned char h[9] = {len >> 16, len >> 8,  len,      type, flags,
			      sid >> 24, sid >> 16, sid >> 8, sid};

	put(b, h, sizeof(h));
}

static void frame(struct buf *b, uint8_t type, uint8_t flags, uint32_t sid, const void *pl,
		  size_t n)
{
	frame_hdr(b, n, type, flags, sid);
	put(b, pl, n);
}

static void frame_str(struct buf *b, uint8_t type, uint8_t flags, uint32_t sid, const char *s)
{
	frame(b, type, flags, sid, s, strlen(s));
}

/* DATA with the PADDED flag and `pad` bytes of padding that must not reach the body. */
static void data_padded(struct buf *b, uint8_t flags, uint32_t sid, const char *s, uint8_t pad)
{
	unsigned char padding[255];

	memset(padding, 'P', sizeof(padding));
	frame_hdr(b, 1 + strlen(s) + pad, T_DATA, flags | PADDED, sid);
	put(b, &pad, 1);
	put(b, s, strlen(s));
	put(b, padding, pad);
}

static void settings(struct buf *b)
{
	/* SETTINGS_MAX_CONCURRENT_STREAMS = 100, SETTINGS_INITIAL_WINDOW_SIZE = 65535 */
	static const unsigned char s[] = {0, 3, 0, 0, 0, 100, 0, 4, 0, 0, 0xff, 0xff};

	frame(b, T_SETTINGS, 0, 0, s, sizeof(s));
}

/* A header block from `kv` (name, value, ..., NULL) through deflater `df`. */
static void hpack(nghttp2_hd_deflater *df, struct buf *out, const char *const *kv)
{
	nghttp2_nv nva[32];
	size_t n = 0;
	ssize_t rv;
	size_t bound;

	for (; kv[2 * n]; n++) {
		nva[n].name = (uint8_t *)kv[2 * n];
		nva[n].value = (uint8_t *)kv[2 * n + 1];
		nva[n].namelen = strlen(kv[2 * n]);
		nva[n].valuelen = strlen(kv[2 * n + 1]);
		nva[n].flags = NGHTTP2_NV_FLAG_NONE;
	}
	bound = nghttp2_hd_deflate_bound(df, nva, n);
	out->len = 0;
	if (out->cap < bound) {
		out->cap = bound;
		out->p = realloc(out->p, bound);
		assert_non_null(out->p);
	}
	rv = nghttp2_hd_deflate_hd(df, out->p, bound, nva, n);
	assert_true(rv > 0);
	out->len = (size_t)rv;
}

/* A header block of literals with literal names, no indexing: decodable with any table. */
static void hpack_literal(struct buf *out, const char *const *kv)
{
	out->len = 0;
	for (size_t i = 0; kv[i]; i += 2) {
		unsigned char z = 0, nl = strlen(kv[i]), vl = strlen(kv[i + 1]);

		assert_true(nl < 127 && vl < 127);
		put(out, &z, 1);
		put(out, &nl, 1);
		put(out, kv[i], nl);
		put(out, &vl, 1);
		put(out, kv[i + 1], vl);
	}
}

static void headers(struct buf *b, uint8_t flags, uint32_t sid, const struct buf *blk)
{
	frame(b, T_HEADERS, flags | END_HEADERS, sid, blk->p, blk->len);
}

/* ---- a conversation: the feeds in the order the tracer would see them ----------------------- */

#define MAX_STEPS 64

struct script {
	enum http_dir dir[MAX_STEPS];
	struct buf step[MAX_STEPS];
	uint64_t ts[MAX_STEPS];
	uint64_t gap[MAX_STEPS]; /* http2_gap() before this step */
	int n;
};

static struct buf *step(struct script *s, enum http_dir dir, uint64_t ts)
{
	assert_true(s->n < MAX_STEPS);
	s->dir[s->n] = dir;
	s->ts[s->n] = ts;
	return &s->step[s->n++];
}

static void script_free(struct script *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->step[i].p);
	memset(s, 0, sizeof(*s));
}

/* ---- what the parser delivers, deep-copied --------------------------------------------------- */

struct got {
	bool has_resp;
	struct http_msg req;
	struct http_msg resp;
};

struct rec {
	struct got g[64];
	int n;
	int order_errors; /* a response whose request was not delivered before it */
	uint32_t req_seen[2048];
	int nreq_seen;
	bool overflow;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void msg_copy(struct http_msg *d, const struct http_msg *s)
{
	*d = *s;
	d->path = dup_or_null(s->path);
	d->authority = dup_or_null(s->authority);
	d->hdrs = calloc(s->nhdrs + 1, sizeof(*d->hdrs));
	for (size_t i = 0; i < s->nhdrs; i++) {
		d->hdrs[i].name = strdup(s->hdrs[i].name);
		d->hdrs[i].value = strdup(s->hdrs[i].value);
	}
	d->body = NULL;
	if (s->body) {
		d->body = malloc(s->body_len + 1);
		memcpy(d->body, s->body, s->body_len + 1);
	}
	d->marks = calloc(s->nmarks + 1, sizeof(*d->marks));
	if (s->nmarks)
		memcpy(d->marks, s->marks, s->nmarks * sizeof(*d->marks));
}

static void on_msg(void *ctx, const struct http_msg *req, const struct http_msg *resp)
{
	struct rec *r = ctx;
	struct got *g;

	/* the contract every consumer relies on */
	assert_non_null(req);
	assert_true(req->is_request);
	assert_non_null(req->path);
	if (req->body) {
		assert_int_equal(req->body[req->body_len], 0);
	}
	if (!resp) {
		if (r->nreq_seen == 2048)
			r->overflow = true;
		else
			r->req_seen[r->nreq_seen++] = req->stream_id;
		return;
	}
	assert_false(resp->is_request);
	assert_int_equal(resp->stream_id, req->stream_id);
	if (resp->body) {
		assert_int_equal(resp->body[resp->body_len], 0);
	}
	{
		bool seen = false;

		for (int i = 0; i < r->nreq_seen; i++)
			seen |= r->req_seen[i] == req->stream_id;
		r->order_errors += !seen && !r->overflow;
	}
	if (r->n == 64)
		return;
	g = &r->g[r->n++];
	g->has_resp = true;
	msg_copy(&g->req, req);
	msg_copy(&g->resp, resp);
}

static void rec_free(struct rec *r)
{
	for (int i = 0; i < r->n; i++) {
		http_msg_release(&r->g[i].req);
		http_msg_release(&r->g[i].resp);
	}
	memset(r, 0, sizeof(*r));
}

static struct got *got_sid(struct rec *r, uint32_t sid)
{
	for (int i = 0; i < r->n; i++)
		if (r->g[i].req.stream_id == sid)
			return &r->g[i];
	return NULL;
}

/* Splits each step at `split` (0: whole; 1: byte by byte via split_every). */
static void run(const struct script *s, struct rec *r, size_t max_body, size_t split, bool bytewise,
		bool close, struct http2_stats *st)
{
	struct http2 *h = http2__new(on_msg, r, max_body);

	assert_non_null(h);
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < s->n; i++) {
		const struct buf *b = &s->step[i];

		if (s->gap[i])
			http2_gap(h, s->dir[i], s->gap[i]);
		if (bytewise) {
			for (size_t k = 0; k < b->len; k++)
				http2_feed(h, s->dir[i], b->p + k, 1, s->ts[i]);
		} else if (split && split < b->len) {
			http2_feed(h, s->dir[i], b->p, split, s->ts[i]);
			http2_feed(h, s->dir[i], b->p + split, b->len - split, s->ts[i]);
		} else {
			http2_feed(h, s->dir[i], b->p, b->len, s->ts[i]);
		}
	}
	if (close)
		http2_close(h, 999999);
	if (st)
		http2_get_stats(h, st);
	http2__free(h);
}

/* Everything delivered but the marks (one per feed, so they follow the split), as text. */
static char *dump(const struct rec *r)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (int i = 0; i < r->n; i++) {
		const struct http_msg *m[2] = {&r->g[i].req, &r->g[i].resp};

		for (int k = 0; k < 2; k++) {
			fprintf(
			    f,
			    "%d sid=%u m=%s p=%s a=%s st=%d bl=%zu w=%llu l=%llu c=%d e=%d "
			    "t=%llu-%llu\n",
			    k, m[k]->stream_id, m[k]->method, m[k]->path ? m[k]->path : "(null)",
			    m[k]->authority ? m[k]->authority : "(null)", m[k]->status,
			    m[k]->body_len, (unsigned long long)m[k]->wire_len,
			    (unsigned long long)m[k]->lost, m[k]->complete, m[k]->decode_error,
			    (unsigned long long)m[k]->ts_start, (unsigned long long)m[k]->ts_end);
			for (size_t j = 0; j < m[k]->nhdrs; j++)
				fprintf(f, " %s: %s\n", m[k]->hdrs[j].name, m[k]->hdrs[j].value);
			if (m[k]->body)
				fwrite(m[k]->body, 1, m[k]->body_len, f);
			fputc('\n', f);
		}
	}
	fclose(f);
	return out;
}

static const char *const REQ_HDRS[] = {
    ":method",	    "POST",
    ":scheme",	    "https",
    ":path",	    "/v1/chat/completions",
    ":authority",   "api.openai.com",
    "content-type", "application/json",
    "user-agent",   "test/1.0",
    NULL,
};
static const char REQ_BODY[] = "{\"model\":\"gpt-4o\",\"messages\":[]}";
static const char *const RESP_HDRS[] = {
    ":status", "200", "content-type", "application/json", "x-request-id", "req_123", NULL,
};
static const char RESP_BODY1[] = "{\"id\":\"chatcmpl-1\",";
static const char RESP_BODY2[] = "\"choices\":[]}";

struct peers {
	nghttp2_hd_deflater *client;
	nghttp2_hd_deflater *server;
	struct buf blk;
};

static void peers_init(struct peers *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(nghttp2_hd_deflate_new(&p->client, 4096), 0);
	assert_int_equal(nghttp2_hd_deflate_new(&p->server, 4096), 0);
}

static void peers_free(struct peers *p)
{
	nghttp2_hd_deflate_del(p->client);
	nghttp2_hd_deflate_del(p->server);
	free(p->blk.p);
}

/* The basic exchange: preface, SETTINGS both ways, one request and its response on stream 1. */
static void basic_script(struct script *s, struct peers *p)
{
	struct buf *b;

	b = step(s, HTTP_OUT, 1000);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	settings(b);
	b = step(s, HTTP_IN, 2000);
	settings(b);
	frame(b, T_SETTINGS, 0x1, 0, NULL, 0);
	b = step(s, HTTP_OUT, 3000);
	frame(b, T_SETTINGS, 0x1, 0, NULL, 0);
	hpack(p->client, &p->blk, REQ_HDRS);
	headers(b, 0, 1, &p->blk);
	frame_str(b, T_DATA, END_STREAM, 1, REQ_BODY);
	b = step(s, HTTP_IN, 4000);
	hpack(p->server, &p->blk, RESP_HDRS);
	headers(b, 0, 1, &p->blk);
	frame_str(b, T_DATA, 0, 1, RESP_BODY1);
	b = step(s, HTTP_IN, 5000);
	frame(b, T_WINDOW, 0, 0, "\0\0\x10\0", 4);
	frame(b, T_PING, 0, 0, "12345678", 8);
	frame_str(b, T_DATA, END_STREAM, 1, RESP_BODY2);
}

static void assert_basic(const struct got *g)
{
	assert_non_null(g);
	assert_true(g->req.is_request);
	assert_int_equal(g->req.version, 20);
	assert_int_equal(g->req.stream_id, 1);
	assert_string_equal(g->req.method, "POST");
	assert_string_equal(g->req.path, "/v1/chat/completions");
	assert_string_equal(g->req.authority, "api.openai.com");
	assert_int_equal(g->req.nhdrs, 2);
	assert_string_equal(g->req.hdrs[0].name, "content-type");
	assert_string_equal(g->req.hdrs[0].value, "application/json");
	assert_string_equal(g->req.hdrs[1].name, "user-agent");
	assert_string_equal(g->req.hdrs[1].value, "test/1.0");
	assert_int_equal(g->req.body_len, strlen(REQ_BODY));
	assert_string_equal((char *)g->req.body, REQ_BODY);
	assert_int_equal(g->req.wire_len, strlen(REQ_BODY));
	assert_true(g->req.complete);
	assert_int_equal(g->req.lost, 0);

	assert_false(g->resp.is_request);
	assert_int_equal(g->resp.version, 20);
	assert_int_equal(g->resp.stream_id, 1);
	assert_int_equal(g->resp.status, 200);
	assert_null(g->resp.path);
	assert_int_equal(g->resp.nhdrs, 2);
	assert_string_equal(g->resp.hdrs[0].name, "content-type");
	assert_string_equal(g->resp.hdrs[1].name, "x-request-id");
	assert_string_equal(g->resp.hdrs[1].value, "req_123");
	assert_string_equal((char *)g->resp.body, "{\"id\":\"chatcmpl-1\",\"choices\":[]}");
	assert_int_equal(g->resp.body_len, strlen(RESP_BODY1) + strlen(RESP_BODY2));
	assert_int_equal(g->resp.wire_len, g->resp.body_len);
	assert_true(g->resp.complete);
	assert_false(g->resp.decode_error);
	assert_int_equal(g->resp.lost, 0);
}

static void test_http2_basic_exchange(void **state)
{
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct http2_stats st;
	const struct got *g;

	(void)state;
	peers_init(&p);
	basic_script(&s, &p);
	run(&s, &r, 1 << 20, 0, false, false, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.nreq_seen, 1);
	assert_int_equal(r.order_errors, 0);
	g = &r.g[0];
	assert_basic(g);
	/* request: HEADERS and DATA in the write at 3000; response: 4000 .. 5000 */
	assert_int_equal(g->req.ts_start, 3000);
	assert_int_equal(g->req.ts_end, 3000);
	assert_int_equal(g->resp.ts_start, 4000);
	assert_int_equal(g->resp.ts_end, 5000);
	assert_int_equal(st.desyncs, 0);
	assert_int_equal(st.hpack_errors, 0);
	assert_int_equal(st.skipped, 0);
	rec_free(&r);
	/* nothing left open: close delivers nothing more */
	run(&s, &r, 1 << 20, 0, false, true, NULL);
	assert_int_equal(r.n, 1);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* Streams 1 and 3 interleaved; the second request's block reuses the first's table entries. */
static void test_http2_concurrent_streams(void **state)
{
	static const char *const req3[] = {
	    ":method",
	    "POST",
	    ":scheme",
	    "https",
	    ":path",
	    "/v1/chat/completions",
	    ":authority",
	    "api.openai.com",
	    "content-type",
	    "application/json",
	    "user-agent",
	    "test/1.0",
	    "x-stainless-retry",
	    "1",
	    NULL,
	};
	static const char *const resp3[] = {
	    ":status", "429", "content-type", "application/json", "x-request-id", "req_456", NULL,
	};
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	size_t first_len, resp_first_len;
	const struct got *g1, *g3;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 10);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	settings(b);
	hpack(p.client, &p.blk, REQ_HDRS);
	first_len = p.blk.len;
	headers(b, 0, 1, &p.blk);
	b = step(&s, HTTP_OUT, 20);
	hpack(p.client, &p.blk, req3);
	/* :authority, content-type and user-agent are one byte each now (the new header is not) */
	assert_true(p.blk.len + 10 < first_len);
	headers(b, 0, 3, &p.blk);
	frame_str(b, T_DATA, 0, 1, "{\"a\":");
	frame_str(b, T_DATA, 0, 3, "{\"b\":");
	b = step(&s, HTTP_OUT, 30);
	frame_str(b, T_DATA, END_STREAM, 3, "3}");
	frame_str(b, T_DATA, END_STREAM, 1, "1}");
	b = step(&s, HTTP_IN, 40);
	settings(b);
	hpack(p.server, &p.blk, RESP_HDRS);
	resp_first_len = p.blk.len;
	headers(b, 0, 3, &p.blk);
	hpack(p.server, &p.blk, resp3);
	assert_true(p.blk.len < resp_first_len);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, 0, 1, "one-");
	frame_str(b, T_DATA, 0, 3, "three-");
	b = step(&s, HTTP_IN, 50);
	frame_str(b, T_DATA, END_STREAM, 1, "done");
	frame_str(b, T_DATA, END_STREAM, 3, "done");

	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.nreq_seen, 2);
	/* requests delivered in END_STREAM order: 3 first */
	assert_int_equal(r.req_seen[0], 3);
	assert_int_equal(r.req_seen[1], 1);
	assert_int_equal(r.order_errors, 0);
	/* responses: 1 ended first */
	assert_int_equal(r.g[0].req.stream_id, 1);
	g1 = got_sid(&r, 1);
	g3 = got_sid(&r, 3);
	assert_string_equal(g1->req.path, "/v1/chat/completions");
	assert_string_equal((char *)g1->req.body, "{\"a\":1}");
	assert_int_equal(g1->req.nhdrs, 2);
	assert_string_equal(g3->req.method, "POST");
	assert_string_equal(g3->req.path, "/v1/chat/completions");
	assert_string_equal(g3->req.authority, "api.openai.com");
	assert_int_equal(g3->req.nhdrs, 3);
	assert_string_equal(g3->req.hdrs[1].value, "test/1.0");
	assert_string_equal(g3->req.hdrs[2].name, "x-stainless-retry");
	assert_string_equal(g3->req.hdrs[2].value, "1");
	assert_string_equal((char *)g3->req.body, "{\"b\":3}");
	/* stream 1 got resp3 (429), stream 3 got RESP_HDRS (200) */
	assert_int_equal(g1->resp.status, 429);
	assert_string_equal(g1->resp.hdrs[1].value, "req_456");
	assert_int_equal(g3->resp.status, 200);
	assert_string_equal(g3->resp.hdrs[1].value, "req_123");
	assert_string_equal((char *)g1->resp.body, "one-done");
	assert_string_equal((char *)g3->resp.body, "three-done");
	assert_true(g1->resp.complete && g3->resp.complete);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* A header block over HEADERS and two CONTINUATIONs, fragments split mid-field. */
static void test_http2_continuation(void **state)
{
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	size_t a, c;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	a = p.blk.len / 3;
	c = 2 * p.blk.len / 3;
	frame(b, T_HEADERS, END_STREAM, 1, p.blk.p, a);
	frame(b, T_CONTINUATION, 0, 1, p.blk.p + a, c - a);
	frame(b, T_CONTINUATION, END_HEADERS, 1, p.blk.p + c, p.blk.len - c);
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, RESP_HDRS);
	frame(b, T_HEADERS, 0, 1, p.blk.p, 2);
	frame(b, T_CONTINUATION, END_HEADERS, 1, p.blk.p + 2, p.blk.len - 2);
	frame_str(b, T_DATA, END_STREAM, 1, "ok");

	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.g[0].req.method, "POST");
	assert_string_equal(r.g[0].req.path, "/v1/chat/completions");
	assert_int_equal(r.g[0].req.nhdrs, 2);
	/* END_STREAM on the HEADERS: the request has no body */
	assert_null(r.g[0].req.body);
	assert_int_equal(r.g[0].req.body_len, 0);
	assert_true(r.g[0].req.complete);
	assert_int_equal(r.g[0].resp.status, 200);
	assert_string_equal(r.g[0].resp.hdrs[1].value, "req_123");
	assert_string_equal((char *)r.g[0].resp.body, "ok");
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/*
 * A header block ends after all of its bytes went to the inflater: with END_HEADERS on the
 * HEADERS, and with an empty CONTINUATION that only carries END_HEADERS. The end of a block was
 * fed as (NULL, 0) and advanced NULL by 0, undefined behaviour that clang's UBSan reports
 * (make unit CC=clang; gcc's does not check it). Found by tests/fuzz/fuzz_tls.c.
 */
static void test_http2_block_end(void **state)
{
	static const char *const req_hdrs[] = {":method", "POST",  ":path", "/v1/messages",
					       ":scheme", "https", NULL};
	static const char *const resp_hdrs[] = {":status", "201", NULL};
	struct script s = {0};
	struct buf blk = {0}, *b;
	struct rec r;

	(void)state;
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack_literal(&blk, req_hdrs);
	frame(b, T_HEADERS, END_STREAM, 1, blk.p, blk.len);
	frame(b, T_CONTINUATION, END_HEADERS, 1, NULL, 0);
	b = step(&s, HTTP_IN, 2);
	hpack_literal(&blk, resp_hdrs);
	headers(b, END_STREAM, 1, &blk);

	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.g[0].req.method, "POST");
	assert_string_equal(r.g[0].req.path, "/v1/messages");
	assert_true(r.g[0].req.complete);
	assert_int_equal(r.g[0].resp.status, 201);
	assert_true(r.g[0].resp.complete);
	rec_free(&r);
	script_free(&s);
	free(blk.p);
}

/* PADDED and PRIORITY on HEADERS, PADDED on DATA (including an empty one and zero padding). */
static void test_http2_padded_priority(void **state)
{
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	unsigned char pad = 7, prio[5] = {0x80, 0, 0, 0, 15};
	unsigned char padding[7] = "ZZZZZZZ";

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	frame_hdr(b, 1 + 5 + p.blk.len + pad, T_HEADERS, END_HEADERS | PADDED | PRIORITY, 1);
	put(b, &pad, 1);
	put(b, prio, 5);
	put(b, p.blk.p, p.blk.len);
	put(b, padding, pad);
	data_padded(b, 0, 1, "{\"x\":", 10);
	data_padded(b, 0, 1, "", 3);
	data_padded(b, END_STREAM, 1, "1}", 0);
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, RESP_HDRS);
	frame_hdr(b, 5 + p.blk.len, T_HEADERS, END_HEADERS | PRIORITY, 1);
	put(b, prio, 5);
	put(b, p.blk.p, p.blk.len);
	frame(b, T_PRIORITY, 0, 1, prio, 5);
	data_padded(b, END_STREAM, 1, "fine", 200);

	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.g[0].req.path, "/v1/chat/completions");
	assert_string_equal((char *)r.g[0].req.body, "{\"x\":1}");
	assert_int_equal(r.g[0].req.wire_len, 7);
	assert_int_equal(r.g[0].resp.status, 200);
	assert_string_equal((char *)r.g[0].resp.body, "fine");
	assert_int_equal(r.g[0].resp.wire_len, 4);
	assert_true(r.g[0].resp.complete);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

static void gzip_buf(const char *in, struct buf *out)
{
	size_t n;
	unsigned char *gz = encode("gzip", in, strlen(in), &n);

	out->len = 0;
	put(out, gz, n);
	free(gz);
}

static const char GZ_TEXT[] =
    "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
    "\"message\":{\"role\":\"assistant\",\"content\":\"hello hello hello hello\"}}]}";

/* A gzip response body over three DATA frames, decoded as a stream. */
static void gzip_script(struct script *s, struct peers *p)
{
	static const char *const resp[] = {
	    ":status", "200", "content-type", "application/json", "content-encoding", "gzip", NULL,
	};
	struct buf gz = {0};
	struct buf *b;
	size_t a, c;

	b = step(s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	settings(b);
	hpack(p->client, &p->blk, REQ_HDRS);
	headers(b, 0, 1, &p->blk);
	frame_str(b, T_DATA, END_STREAM, 1, REQ_BODY);
	gzip_buf(GZ_TEXT, &gz);
	a = gz.len / 3;
	c = 2 * gz.len / 3;
	b = step(s, HTTP_IN, 2);
	settings(b);
	hpack(p->server, &p->blk, resp);
	headers(b, 0, 1, &p->blk);
	frame(b, T_DATA, 0, 1, gz.p, a);
	b = step(s, HTTP_IN, 3);
	frame(b, T_DATA, 0, 1, gz.p + a, c - a);
	frame(b, T_DATA, END_STREAM, 1, gz.p + c, gz.len - c);
	free(gz.p);
}

static void test_http2_gzip_body(void **state)
{
	struct script s = {0};
	struct peers p;
	struct rec r;

	(void)state;
	peers_init(&p);
	gzip_script(&s, &p);
	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	assert_string_equal(http_header_get(&r.g[0].resp, "content-encoding"), "gzip");
	assert_int_equal(r.g[0].resp.body_len, strlen(GZ_TEXT));
	assert_string_equal((char *)r.g[0].resp.body, GZ_TEXT);
	assert_true(r.g[0].resp.wire_len < strlen(GZ_TEXT));
	assert_false(r.g[0].resp.decode_error);
	assert_true(r.g[0].resp.complete);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* Every split of every feed, and byte-by-byte feeding, deliver the very same messages. */
static void test_http2_split_points(void **state)
{
	void (*const scripts[])(struct script *, struct peers *) = {basic_script, gzip_script};

	(void)state;
	for (size_t k = 0; k < sizeof(scripts) / sizeof(scripts[0]); k++) {
		struct script s = {0};
		struct peers p;
		struct rec r;
		char *want, *got;
		size_t longest = 0;

		peers_init(&p);
		scripts[k](&s, &p);
		run(&s, &r, 1 << 20, 0, false, false, NULL);
		assert_int_equal(r.n, 1);
		want = dump(&r);
		rec_free(&r);
		for (int i = 0; i < s.n; i++)
			longest = s.step[i].len > longest ? s.step[i].len : longest;
		for (size_t split = 1; split < longest; split++) {
			run(&s, &r, 1 << 20, split, false, false, NULL);
			got = dump(&r);
			assert_string_equal(got, want);
			free(got);
			rec_free(&r);
		}
		run(&s, &r, 1 << 20, 0, true, false, NULL);
		got = dump(&r);
		assert_string_equal(got, want);
		if (k == 0)
			assert_basic(&r.g[0]);
		free(got);
		rec_free(&r);
		free(want);
		script_free(&s);
		peers_free(&p);
	}
}

static const char *const SSE_RESP[] = {
    ":status", "200", "content-type", "text/event-stream; charset=utf-8", NULL,
};

/* The SDK stops reading at data: [DONE]: the response is complete there, END_STREAM or not. */
static void test_http2_sse_done(void **state)
{
	static const char ev1[] = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n";
	static const char ev2[] = "data: [DONE]\r\n\r\n";
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	char want[256];

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 1, REQ_BODY);
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, SSE_RESP);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, 0, 1, ev1);
	b = step(&s, HTTP_IN, 3);
	frame_str(b, T_DATA, 0, 1, ev2);
	b = step(&s, HTTP_IN, 4);
	frame_str(b, T_DATA, END_STREAM, 1, ": trailing junk\n");
	frame(b, T_RST_STREAM, 0, 1, "\0\0\0\0", 4);

	run(&s, &r, 1 << 20, 0, false, true, NULL);
	assert_int_equal(r.n, 1);
	assert_true(r.g[0].resp.complete);
	/* the body ends after the [DONE] line */
	snprintf(want, sizeof(want), "%sdata: [DONE]\r\n", ev1);
	assert_string_equal((char *)r.g[0].resp.body, want);
	assert_int_equal(r.g[0].resp.ts_end, 3);
	/* the rest of that frame crossed the wire all the same */
	assert_int_equal(r.g[0].resp.wire_len, strlen(ev1) + strlen(ev2));
	rec_free(&r);
	script_free(&s);

	peers_free(&p);

	/* Anthropic: the end of the message_stop event, split mid-line across frames */
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, END_STREAM, 5, &p.blk);
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, SSE_RESP);
	headers(b, 0, 5, &p.blk);
	frame_str(b, T_DATA, 0, 5, "event: message_delta\ndata: {}\n\nevent: message_st");
	b = step(&s, HTTP_IN, 3);
	frame_str(b, T_DATA, 0, 5, "op\ndata: {\"type\":\"message_stop\"}\n\nevent: ping\n");
	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	assert_true(r.g[0].resp.complete);
	assert_string_equal((char *)r.g[0].resp.body,
			    "event: message_delta\ndata: {}\n\nevent: message_stop\n"
			    "data: {\"type\":\"message_stop\"}\n\n");
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
	/* the Responses API: complete at the end of response.completed, END_STREAM never read */
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, END_STREAM, 5, &p.blk);
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, SSE_RESP);
	headers(b, 0, 5, &p.blk);
	frame_str(b, T_DATA, 0, 5, "event: response.output_text.done\ndata: {}\n\n");
	b = step(&s, HTTP_IN, 3);
	frame_str(b, T_DATA, 0, 5, "event: response.completed\ndata: {\"x\":1}\n\n");
	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	assert_true(r.g[0].resp.complete);
	assert_int_equal(r.g[0].resp.ts_end, 3);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* RST_STREAM from either side abandons the response; the request still comes first. */
static void test_http2_rst_stream(void **state)
{
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 1, REQ_BODY);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, 0, 3, &p.blk);
	frame_str(b, T_DATA, 0, 3, "{\"partial\":"); /* no END_STREAM */
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, RESP_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, 0, 1, "half");
	frame(b, T_RST_STREAM, 0, 1, "\0\0\0\x2", 4);
	frame_str(b, T_DATA, END_STREAM, 1, "late"); /* ignored: the stream is gone */
	b = step(&s, HTTP_OUT, 3);
	frame(b, T_RST_STREAM, 0, 3, "\0\0\0\x8", 4); /* client cancels stream 3 */
	frame_str(b, T_DATA, END_STREAM, 3, "x}");    /* never recreates it */

	run(&s, &r, 1 << 20, 0, false, true, NULL);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.nreq_seen, 2);
	assert_int_equal(r.order_errors, 0);
	assert_int_equal(r.g[0].req.stream_id, 1);
	assert_true(r.g[0].req.complete);
	assert_false(r.g[0].resp.complete);
	assert_int_equal(r.g[0].resp.status, 200);
	assert_string_equal((char *)r.g[0].resp.body, "half");
	assert_int_equal(r.g[0].resp.ts_end, 2);
	assert_int_equal(r.g[1].req.stream_id, 3);
	assert_false(r.g[1].req.complete);
	assert_string_equal((char *)r.g[1].req.body, "{\"partial\":");
	assert_false(r.g[1].resp.complete);
	assert_int_equal(r.g[1].resp.status, 0);
	assert_null(r.g[1].resp.body);
	/* nothing of the response arrived: it spans the abort's time */
	assert_int_equal(r.g[1].resp.ts_start, 3);
	assert_int_equal(r.g[1].resp.ts_end, 3);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* close and GOAWAY abandon what is still open. */
static void test_http2_close_goaway(void **state)
{
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	const struct got *g;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	for (uint32_t sid = 1; sid <= 7; sid += 2) {
		hpack(p.client, &p.blk, REQ_HDRS);
		headers(b, 0, sid, &p.blk);
		frame_str(b, T_DATA, sid == 7 ? 0 : END_STREAM, sid, "{}");
	}
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, RESP_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, 0, 1, "streaming");
	/* the server processed up to stream 3: 5 and 7 are refused */
	frame(b, T_GOAWAY, 0, 0, "\0\0\0\x3\0\0\0\0debug", 13);
	b = step(&s, HTTP_IN, 3);
	hpack(p.server, &p.blk, RESP_HDRS);
	headers(b, 0, 3, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 3, "three");

	run(&s, &r, 1 << 20, 0, false, true, NULL);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.order_errors, 0);
	/* GOAWAY first: 5 (its request complete), 7 (request still open, delivered incomplete) */
	assert_int_equal(r.g[0].req.stream_id, 5);
	assert_true(r.g[0].req.complete);
	assert_false(r.g[0].resp.complete);
	assert_int_equal(r.g[0].resp.ts_end, 2);
	assert_int_equal(r.g[1].req.stream_id, 7);
	assert_false(r.g[1].req.complete);
	assert_false(r.g[1].resp.complete);
	assert_int_equal(r.g[2].req.stream_id, 3);
	assert_true(r.g[2].resp.complete);
	assert_string_equal((char *)r.g[2].resp.body, "three");
	/* close: stream 1, mid-body */
	g = &r.g[3];
	assert_int_equal(g->req.stream_id, 1);
	assert_false(g->resp.complete);
	assert_int_equal(g->resp.status, 200);
	assert_string_equal((char *)g->resp.body, "streaming");
	assert_int_equal(g->resp.ts_start, 2);
	assert_int_equal(g->resp.ts_end, 999999);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* Credentials are replaced before they are stored: the secret is nowhere in what is delivered. */
static void test_http2_redaction(void **state)
{
	static const char secret[] = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
	const char *const req[] = {
	    ":method",
	    "POST",
	    ":scheme",
	    "https",
	    ":path",
	    "/v1/messages",
	    ":authority",
	    "api.anthropic.com",
	    "authorization",
	    "Bearer sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
	    "x-api-key",
	    secret,
	    "content-type",
	    "application/json",
	    NULL,
	};
	const char *const resp[] = {
	    ":status", "200", "set-cookie", "session=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
	    NULL,
	};
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	char *text;

	(void)state;
	peers_init(&p);
	for (int round = 0; round < 2; round++) {
		uint32_t sid = 1 + 2 * round;

		b = step(&s, HTTP_OUT, 1);
		if (!round)
			put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
		/* the second round's secrets come from the dynamic table */
		hpack(p.client, &p.blk, req);
		headers(b, END_STREAM, sid, &p.blk);
		b = step(&s, HTTP_IN, 2);
		hpack(p.server, &p.blk, resp);
		headers(b, END_STREAM, sid, &p.blk);
	}
	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(http_header_get(&r.g[i].req, "authorization"), REDACTED);
		assert_string_equal(http_header_get(&r.g[i].req, "x-api-key"), REDACTED);
		assert_string_equal(http_header_get(&r.g[i].req, "content-type"),
				    "application/json");
		assert_string_equal(http_header_get(&r.g[i].resp, "set-cookie"), REDACTED);
	}
	text = dump(&r);
	assert_non_null(strstr(text, "api.anthropic.com"));
	assert_null(strstr(text, "AbCdEfGhIjKlMnOp"));
	free(text);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* Bodies stop at max_body decoded bytes; the rest is counted as lost. */
static void test_http2_max_body(void **state)
{
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 1, "0123456789abcdef");
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, RESP_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, 0, 1, "0123");
	b = step(&s, HTTP_IN, 3);
	frame_str(b, T_DATA, 0, 1, "456789");
	b = step(&s, HTTP_IN, 4);
	frame_str(b, T_DATA, END_STREAM, 1, "abcdef");

	run(&s, &r, 10, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.g[0].req.body_len, 10);
	assert_string_equal((char *)r.g[0].req.body, "0123456789");
	assert_int_equal(r.g[0].req.lost, 6);
	assert_int_equal(r.g[0].req.wire_len, 16);
	assert_int_equal(r.g[0].resp.body_len, 10);
	assert_string_equal((char *)r.g[0].resp.body, "0123456789");
	assert_int_equal(r.g[0].resp.lost, 6);
	assert_int_equal(r.g[0].resp.wire_len, 16);
	assert_true(r.g[0].resp.complete);
	/* the feed that added nothing made no mark */
	assert_int_equal(r.g[0].resp.nmarks, 2);
	assert_int_equal(r.g[0].resp.marks[1].off, 10);
	assert_int_equal(r.g[0].resp.marks[1].ts, 3);
	rec_free(&r);

	run(&s, &r, 0, 0, false, false, NULL);
	assert_null(r.g[0].resp.body);
	assert_int_equal(r.g[0].resp.lost, 16);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/*
 * Attached mid-connection: the next request's block refers to table entries we never saw, so
 * stream 5 is headerless but its bodies are collected (the gzip one decoded by its magic); a later
 * stream whose blocks are all literals decodes fine with the fresh table.
 */
static void test_http2_mid_connection(void **state)
{
	static const char *const resp_gz[] = {
	    ":status", "200", "content-type", "application/json", "content-encoding", "gzip", NULL,
	};
	static const char *const lit_req[] = {
	    ":method",	  "GET",
	    ":path",	  "/v1/models",
	    ":authority", "api.openai.com",
	    "accept",	  "application/json",
	    NULL,
	};
	static const char *const lit_resp[] = {":status", "404", "server", "x", NULL};
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b, gz = {0};
	struct http2_stats st;
	const struct got *g;

	(void)state;
	peers_init(&p);
	/* before we attach: stream 1 fills both encoders' tables */
	hpack(p.client, &p.blk, REQ_HDRS);
	hpack(p.server, &p.blk, resp_gz);

	b = step(&s, HTTP_OUT, 10);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, 0, 5, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 5, REQ_BODY);
	b = step(&s, HTTP_IN, 20);
	hpack(p.server, &p.blk, resp_gz);
	headers(b, 0, 5, &p.blk);
	gzip_buf(GZ_TEXT, &gz);
	frame(b, T_DATA, END_STREAM, 5, gz.p, gz.len);
	b = step(&s, HTTP_OUT, 30);
	hpack_literal(&p.blk, lit_req);
	headers(b, END_STREAM, 7, &p.blk);
	b = step(&s, HTTP_IN, 40);
	hpack_literal(&p.blk, lit_resp);
	headers(b, 0, 7, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 7, "nope");

	run(&s, &r, 1 << 20, 0, false, false, &st);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.order_errors, 0);
	g = got_sid(&r, 5);
	assert_non_null(g);
	assert_string_equal(g->req.method, "");
	assert_string_equal(g->req.path, "");
	assert_null(g->req.authority);
	assert_int_equal(g->req.nhdrs, 0);
	assert_string_equal((char *)g->req.body, REQ_BODY);
	assert_true(g->req.complete);
	assert_int_equal(g->resp.status, 0);
	assert_int_equal(g->resp.nhdrs, 0);
	assert_string_equal((char *)g->resp.body, GZ_TEXT);
	assert_true(g->resp.complete);
	g = got_sid(&r, 7);
	assert_non_null(g);
	assert_string_equal(g->req.method, "GET");
	assert_string_equal(g->req.path, "/v1/models");
	assert_string_equal(g->req.authority, "api.openai.com");
	assert_int_equal(g->req.nhdrs, 1);
	assert_string_equal(g->req.hdrs[0].value, "application/json");
	assert_int_equal(g->resp.status, 404);
	assert_string_equal(http_header_get(&g->resp, "server"), "x");
	assert_string_equal((char *)g->resp.body, "nope");
	assert_int_equal(st.hpack_errors, 2);
	assert_int_equal(st.desyncs, 0);
	rec_free(&r);

	/* a stream whose HEADERS went before we attached: DATA alone makes it */
	script_free(&s);
	b = step(&s, HTTP_OUT, 10);
	frame_str(b, T_DATA, END_STREAM, 9, "{\"tail\":1}");
	b = step(&s, HTTP_IN, 20);
	frame_str(b, T_DATA, END_STREAM, 9, "answer");
	frame_str(b, T_DATA, END_STREAM, 11, "no request seen: dropped");
	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.g[0].req.stream_id, 9);
	assert_string_equal((char *)r.g[0].req.body, "{\"tail\":1}");
	assert_string_equal((char *)r.g[0].resp.body, "answer");
	rec_free(&r);
	free(gz.p);
	script_free(&s);
	peers_free(&p);
}

/* A gap loses sync; the next feed that starts with a frame resyncs; the open body counts the loss.
 */
static void test_http2_gap_resync(void **state)
{
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	struct http2_stats st;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 1, REQ_BODY);
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, RESP_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_hdr(b, 20, T_DATA, 0, 1); /* 20 bytes announced, 8 arrive, 12 lost */
	put(b, "01234567", 8);
	/* this one starts mid-frame (the rest of a lost record): skipped */
	b = step(&s, HTTP_IN, 3);
	s.gap[s.n - 1] = 12 + 9 + 100;
	put(b, "garbage-tail-of-a-frame", 23);
	frame_str(b, T_DATA, 0, 1, "xxxxx");
	b = step(&s, HTTP_IN, 4);
	frame_str(b, T_DATA, 0, 1, "-after-gap");
	frame_str(b, T_DATA, END_STREAM, 1, "-end");

	run(&s, &r, 1 << 20, 0, false, false, &st);
	assert_int_equal(r.n, 1);
	assert_true(r.g[0].resp.complete);
	assert_int_equal(r.g[0].resp.status, 200);
	assert_string_equal((char *)r.g[0].resp.body, "01234567-after-gap-end");
	/* the gap, and the feed skipped while hunting */
	assert_int_equal(r.g[0].resp.lost, 121 + 23 + 14);
	assert_int_equal(r.g[0].req.lost, 0);
	assert_int_equal(st.desyncs, 1);
	assert_int_equal(st.skipped, 37);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* Trailers are appended; 1xx blocks are skipped; PUSH_PROMISE blocks keep HPACK in step. */
static void test_http2_trailers_1xx_push(void **state)
{
	static const char *const cont[] = {":status", "100", "x-interim", "yes", NULL};
	static const char *const promise[] = {
	    ":method",	   "GET",	 ":scheme",	   "https",    ":path",
	    "/pushed.css", ":authority", "pushed.example", "x-pushed", "value-worth-indexing",
	    NULL,
	};
	static const char *const resp[] = {
	    ":status", "200", "x-pushed", "value-worth-indexing", ":authority", "ignored", NULL,
	};
	static const char *const trailers[] = {"grpc-status", "0", "grpc-message", "ok", NULL};
	static const char *const req_trailers[] = {"x-checksum", "abc", NULL};
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	const struct got *g;
	struct http2_stats st;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, 0, 1, "body");
	hpack(p.client, &p.blk, req_trailers);
	headers(b, END_STREAM, 1, &p.blk);
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, cont);
	headers(b, 0, 1, &p.blk);
	hpack(p.server, &p.blk, promise);
	frame_hdr(b, 4 + p.blk.len, T_PUSH_PROMISE, END_HEADERS, 1);
	put(b, "\0\0\0\x2", 4);
	put(b, p.blk.p, p.blk.len);
	hpack(p.server, &p.blk, resp);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, 0, 2, "pushed body: no request, dropped");
	frame_str(b, T_DATA, 0, 1, "resp");
	hpack(p.server, &p.blk, trailers);
	headers(b, END_STREAM, 1, &p.blk);

	run(&s, &r, 1 << 20, 0, false, true, &st);
	assert_int_equal(r.n, 1);
	g = &r.g[0];
	assert_int_equal(g->req.nhdrs, 3);
	assert_string_equal(g->req.hdrs[2].name, "x-checksum");
	assert_string_equal((char *)g->req.body, "body");
	assert_true(g->req.complete);
	assert_int_equal(g->resp.status, 200);
	assert_null(http_header_get(&g->resp, "x-interim"));
	assert_null(g->resp.authority);
	assert_int_equal(g->resp.nhdrs, 3);
	assert_string_equal(g->resp.hdrs[0].name, "x-pushed");
	assert_string_equal(g->resp.hdrs[0].value, "value-worth-indexing");
	assert_string_equal(g->resp.hdrs[1].name, "grpc-status");
	assert_string_equal(g->resp.hdrs[2].value, "ok");
	assert_string_equal((char *)g->resp.body, "resp");
	assert_true(g->resp.complete);
	assert_int_equal(st.hpack_errors, 0);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* One mark per feed that added body bytes, stamped with that feed's time. */
static void test_http2_marks(void **state)
{
	static const char *const resp[] = {":status", "200", NULL};
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	const struct http_msg *m;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 100);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, END_STREAM, 1, &p.blk);
	b = step(&s, HTTP_IN, 200);
	hpack(p.server, &p.blk, resp);
	headers(b, 0, 1, &p.blk);
	b = step(&s, HTTP_IN, 300);
	frame_str(b, T_DATA, 0, 1, "aaaa");
	frame_str(b, T_DATA, 0, 1, "bb");
	b = step(&s, HTTP_IN, 400);
	frame_hdr(b, 6, T_DATA, END_STREAM, 1); /* split over two feeds */
	put(b, "ccc", 3);
	b = step(&s, HTTP_IN, 500);
	put(b, "ddd", 3);

	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 1);
	m = &r.g[0].resp;
	assert_string_equal((char *)m->body, "aaaabbcccddd");
	assert_int_equal(m->ts_start, 200);
	assert_int_equal(m->ts_end, 500);
	assert_int_equal(m->nmarks, 3);
	assert_int_equal(m->marks[0].off, 6);
	assert_int_equal(m->marks[0].ts, 300);
	assert_int_equal(m->marks[1].off, 9);
	assert_int_equal(m->marks[1].ts, 400);
	assert_int_equal(m->marks[2].off, 12);
	assert_int_equal(m->marks[2].ts, 500);
	assert_int_equal(http_msg_time_at(m, 0), 300);
	assert_int_equal(http_msg_time_at(m, 5), 300);
	assert_int_equal(http_msg_time_at(m, 6), 400);
	assert_int_equal(http_msg_time_at(m, 11), 500);
	/* the request: no body, no marks */
	assert_int_equal(r.g[0].req.nmarks, 0);
	assert_int_equal(r.g[0].req.ts_start, 100);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* The client's SETTINGS raise what the server may send: bigger frames, a bigger HPACK table. */
static void test_http2_settings(void **state)
{
	/* SETTINGS_HEADER_TABLE_SIZE = 131072, SETTINGS_MAX_FRAME_SIZE = 32768 */
	static const unsigned char set[] = {0, 1, 0, 2, 0, 0, 0, 5, 0, 0, 0x80, 0};
	static const char *const resp[] = {":status", "200", "x-big", "value", NULL};
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b, big = {0};
	struct http2_stats st;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	frame(b, T_SETTINGS, 0, 0, set, sizeof(set));
	hpack(p.client, &p.blk, REQ_HDRS);
	headers(b, END_STREAM, 1, &p.blk);
	b = step(&s, HTTP_IN, 2);
	/* the server's encoder takes up the larger table: an update above 64 KiB, in band */
	assert_int_equal(nghttp2_hd_deflate_change_table_size(p.server, 131072), 0);
	hpack(p.server, &p.blk, resp);
	headers(b, 0, 1, &p.blk);
	for (int i = 0; i < 20000; i++)
		put(&big, "y", 1);
	frame(b, T_DATA, END_STREAM, 1, big.p, big.len);

	run(&s, &r, 1 << 20, 0, false, false, &st);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.g[0].resp.status, 200);
	assert_string_equal(http_header_get(&r.g[0].resp, "x-big"), "value");
	assert_int_equal(r.g[0].resp.body_len, 20000);
	assert_true(r.g[0].resp.complete);
	assert_int_equal(st.desyncs, 0);
	assert_int_equal(st.hpack_errors, 0);
	rec_free(&r);
	script_free(&s);

	/* without the client's SETTINGS the 20000-byte frame breaks sync */
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack_literal(&p.blk, REQ_HDRS);
	headers(b, END_STREAM, 1, &p.blk);
	b = step(&s, HTTP_IN, 2);
	frame_str(b, T_DATA, 0, 1, "x");
	frame(b, T_DATA, END_STREAM, 1, big.p, big.len);
	run(&s, &r, 1 << 20, 0, false, true, &st);
	assert_int_equal(r.n, 1);
	assert_false(r.g[0].resp.complete);
	assert_string_equal((char *)r.g[0].resp.body, "x");
	/* its header and payload: skipped, and lost to the open response */
	assert_int_equal(r.g[0].resp.lost, 9 + big.len);
	assert_int_equal(st.desyncs, 1);
	assert_int_equal(st.skipped, 9 + big.len);
	rec_free(&r);
	script_free(&s);
	free(big.p);
	peers_free(&p);
}

/* Encodings we cannot decode keep the wire bytes, flagged; Host stands in for :authority. */
static void test_http2_odd_encodings(void **state)
{
	static const char *const req[] = {
	    ":method", "POST", ":path", "/x", "host", "example.com", NULL,
	};
	static const char *const zstd[] = {":status", "200", "content-encoding", "zstd", NULL};
	static const char *const gz[] = {":status", "200", "content-encoding", "gzip", NULL};
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	const struct got *g;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, req);
	headers(b, END_STREAM, 1, &p.blk);
	hpack(p.client, &p.blk, req);
	headers(b, END_STREAM, 3, &p.blk);
	b = step(&s, HTTP_IN, 2);
	hpack(p.server, &p.blk, zstd);
	headers(b, 0, 1, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 1, "\x28\xb5\x2f\xfd-raw");
	hpack(p.server, &p.blk, gz);
	headers(b, 0, 3, &p.blk);
	frame_str(b, T_DATA, END_STREAM, 3, "not gzip at all");

	run(&s, &r, 1 << 20, 0, false, false, NULL);
	assert_int_equal(r.n, 2);
	g = got_sid(&r, 1);
	assert_string_equal(g->req.authority, "example.com");
	assert_string_equal(http_header_get(&g->req, "host"), "example.com");
	assert_true(g->resp.decode_error);
	assert_string_equal((char *)g->resp.body, "\x28\xb5\x2f\xfd-raw");
	assert_true(g->resp.complete);
	g = got_sid(&r, 3);
	assert_true(g->resp.decode_error);
	assert_int_equal(g->resp.wire_len, 15);
	assert_true(g->resp.body_len < 15);
	assert_true(g->resp.complete);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

/* Protocol breakage: a CONTINUATION for another stream, an impossible PING, a short preface. */
static void test_http2_protocol_errors(void **state)
{
	static const char *const lit[] = {":method", "GET", ":path", "/ok", NULL};
	struct script s = {0};
	struct peers p;
	struct rec r;
	struct buf *b;
	struct http2_stats st;

	(void)state;
	peers_init(&p);
	b = step(&s, HTTP_OUT, 1);
	put(b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	hpack(p.client, &p.blk, REQ_HDRS);
	frame(b, T_HEADERS, END_STREAM, 1, p.blk.p, 4);
	frame(b, T_CONTINUATION, END_HEADERS, 3, p.blk.p + 4, p.blk.len - 4);
	b = step(&s, HTTP_OUT, 2);
	hpack_literal(&p.blk, lit);
	headers(b, 0, 5, &p.blk);
	frame(b, T_PING, 0, 0, "1234567", 7); /* PING is 8 bytes: sync lost */
	frame_str(b, T_DATA, END_STREAM, 5, "lost");
	b = step(&s, HTTP_OUT, 3);
	frame_str(b, T_DATA, END_STREAM, 5, "found");
	hpack_literal(&p.blk, lit);
	headers(b, END_STREAM, 7, &p.blk);

	run(&s, &r, 1 << 20, 0, false, true, &st);
	/* 1: abandoned block, headerless; 5: its first DATA skipped; 7 fine */
	assert_int_equal(r.n, 3);
	assert_int_equal(r.g[0].req.stream_id, 1);
	assert_string_equal(r.g[0].req.path, "");
	assert_true(r.g[0].req.complete);
	assert_int_equal(r.g[1].req.stream_id, 5);
	assert_string_equal(r.g[1].req.path, "/ok");
	assert_string_equal((char *)r.g[1].req.body, "found");
	assert_int_equal(r.g[1].req.lost, 9 + 7 + 9 + 4);
	assert_int_equal(r.g[2].req.stream_id, 7);
	assert_string_equal(r.g[2].req.method, "GET");
	assert_int_equal(st.desyncs, 1);
	assert_int_equal(st.hpack_errors, 1);
	rec_free(&r);
	script_free(&s);

	/* a preface cut short by something else: nothing is parsed from that write */
	b = step(&s, HTTP_OUT, 1);
	put(b, "PRI * HTTP/1.1\r\n", 16);
	hpack_literal(&p.blk, lit);
	headers(b, END_STREAM, 1, &p.blk);
	b = step(&s, HTTP_OUT, 2);
	headers(b, END_STREAM, 3, &p.blk);
	run(&s, &r, 1 << 20, 0, false, true, &st);
	assert_int_equal(r.nreq_seen, 1);
	assert_int_equal(r.req_seen[0], 3);
	assert_int_equal(st.skipped, 16 - 11 + 9 + p.blk.len);
	rec_free(&r);
	script_free(&s);
	peers_free(&p);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Garbage, truncations and gaps: no crash, no leak, every delivery keeps the contract. */
static void test_http2_garbage_storm(void **state)
{
	struct peers p;
	struct script base = {0};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned char junk[4096];

	(void)state;
	peers_init(&p);
	basic_script(&base, &p);
	for (int round = 0; round < 400; round++) {
		struct rec r = {0};
		struct http2 *h = http2__new(on_msg, &r, 64 + round % 512);
		int mode = round % 4;

		assert_non_null(h);
		if (mode)
			http2_feed(h, HTTP_OUT, HTTP2_PREFACE, HTTP2_PREFACE_LEN, 1);
		for (int i = 0; i < 60; i++) {
			enum http_dir dir = xorshift(&x) & 1 ? HTTP_IN : HTTP_OUT;
			size_t n = xorshift(&x) % sizeof(junk);
			uint64_t what = xorshift(&x) % 8;

			for (size_t k = 0; k < n; k++)
				junk[k] = (unsigned char)xorshift(&x);
			if (what == 0) {
				http2_gap(h, dir, xorshift(&x) % 100000);
			} else if (what == 1 && mode >= 2) {
				/* a real feed, maybe cut short */
				const struct buf *b = &base.step[xorshift(&x) % base.n];

				http2_feed(h, dir, b->p, xorshift(&x) % (b->len + 1), i);
			} else if (what == 2) {
				/* frame-shaped junk: plausible headers, random payloads */
				size_t len = n > 9 ? n - 9 : 0;

				junk[0] = len >> 16;
				junk[1] = len >> 8;
				junk[2] = len;
				junk[3] %= 10;
				junk[5] &= 0;
				junk[8] |= 1;
				http2_feed(h, dir, junk, n, i);
			} else {
				http2_feed(h, dir, junk, n, i);
			}
		}
		if (round % 2)
			http2_close(h, 1000);
		http2__free(h);
		assert_int_equal(r.order_errors, 0);
		rec_free(&r);
	}
	http2__free(NULL);
	http2_feed(NULL, HTTP_OUT, "x", 1, 0);
	http2_gap(NULL, HTTP_IN, 1);
	http2_close(NULL, 0);
	script_free(&base);
	peers_free(&p);
}

/* Over the open-stream cap, the oldest is abandoned (delivered incomplete). */
static void test_http2_stream_cap(void **state)
{
	struct http2 *h;
	struct rec r = {0};
	struct peers p;
	struct buf b = {0};
	struct http2_stats st;

	(void)state;
	peers_init(&p);
	h = http2__new(on_msg, &r, 1024);
	assert_non_null(h);
	put(&b, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
	for (uint32_t i = 0; i < 1030; i++) {
		hpack(p.client, &p.blk, REQ_HDRS);
		headers(&b, 0, 1 + 2 * i, &p.blk);
	}
	http2_feed(h, HTTP_OUT, b.p, b.len, 7);
	http2_get_stats(h, &st);
	assert_int_equal(st.streams_dropped, 6);
	assert_int_equal(r.nreq_seen, 6);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.g[0].req.stream_id, 1);
	assert_int_equal(r.g[5].req.stream_id, 11);
	assert_false(r.g[5].resp.complete);
	http2__free(h); /* no callbacks for the 1024 still open */
	assert_int_equal(r.n, 6);
	rec_free(&r);
	free(b.p);
	peers_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_http2_basic_exchange),
	    cmocka_unit_test(test_http2_concurrent_streams),
	    cmocka_unit_test(test_http2_continuation),
	    cmocka_unit_test(test_http2_block_end),
	    cmocka_unit_test(test_http2_padded_priority),
	    cmocka_unit_test(test_http2_gzip_body),
	    cmocka_unit_test(test_http2_split_points),
	    cmocka_unit_test(test_http2_sse_done),
	    cmocka_unit_test(test_http2_rst_stream),
	    cmocka_unit_test(test_http2_close_goaway),
	    cmocka_unit_test(test_http2_redaction),
	    cmocka_unit_test(test_http2_max_body),
	    cmocka_unit_test(test_http2_mid_connection),
	    cmocka_unit_test(test_http2_gap_resync),
	    cmocka_unit_test(test_http2_trailers_1xx_push),
	    cmocka_unit_test(test_http2_marks),
	    cmocka_unit_test(test_http2_settings),
	    cmocka_unit_test(test_http2_odd_encodings),
	    cmocka_unit_test(test_http2_protocol_errors),
	    cmocka_unit_test(test_http2_garbage_storm),
	    cmocka_unit_test(test_http2_stream_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
