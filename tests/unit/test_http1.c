// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_http1.c - HTTP/1.1 client-side reassembly: framing, pairing, SSE, resync, redaction. */
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

#include "encode_fixture.h"

#include "http1.h"
#include "redact.h"

#define MAX_EV 16

/* What one callback saw, copied out (the messages die with the call). */
struct snap {
	char kind; /* 'Q': cb(req, NULL); 'R': cb(req, resp) */
	char method[16];
	char path[128]; /* Q: the request's; R: the paired request's */
	char authority[64];
	int status, version;
	char *body;
	size_t body_len;
	uint64_t wire_len, lost;
	bool complete, decode_error;
	uint64_t ts_start, ts_end;
	struct http_mark marks[32];
	size_t nmarks;
	uint64_t time_at[4]; /* http_msg_time_at at offsets 0, 5, 10, 15 */
	char hdrs[512];	     /* "name=value\n" */
};

struct log {
	struct snap ev[MAX_EV];
	int n, nq, nr;
	const char *secret; /* must appear nowhere in a delivered message */
	char *text;	    /* every event serialised, marks left out (they depend on the splits) */
	size_t text_len;
	FILE *f;
};

static bool has(const void *hay, size_t n, const char *needle)
{
	return hay && needle && memmem(hay, n, needle, strlen(needle));
}

static void check_msg(struct log *l, const struct http_msg *m)
{
	assert_true(m->body_len == 0 || m->body);
	if (m->body)
		assert_int_equal(m->body[m->body_len], '\0');
	for (size_t i = 0; i < m->nmarks; i++) {
		assert_true(m->marks[i].off <= m->body_len);
		if (i)
			assert_true(m->marks[i].off > m->marks[i - 1].off);
	}
	if (!l->secret)
		return;
	assert_false(m->path && has(m->path, strlen(m->path), l->secret));
	assert_false(m->authority && has(m->authority, strlen(m->authority), l->secret));
	assert_false(has(m->body, m->body_len, l->secret));
	for (size_t i = 0; i < m->nhdrs; i++) {
		assert_false(has(m->hdrs[i].name, strlen(m->hdrs[i].name), l->secret));
		assert_false(has(m->hdrs[i].value, strlen(m->hdrs[i].value), l->secret));
	}
}

static void snap_take(struct snap *s, char kind, const struct http_msg *req,
		      const struct http_msg *m)
{
	size_t off = 0;

	s->kind = kind;
	snprintf(s->method, sizeof(s->method), "%s", req->method);
	snprintf(s->path, sizeof(s->path), "%s", req->path ? req->path : "");
	snprintf(s->authority, sizeof(s->authority), "%s", m->authority ? m->authority : "");
	s->status = m->status;
	s->version = m->version;
	s->body = malloc(m->body_len + 1);
	assert_non_null(s->body);
	if (m->body_len)
		memcpy(s->body, m->body, m->body_len);
	s->body[m->body_len] = '\0';
	s->body_len = m->body_len;
	s->wire_len = m->wire_len;
	s->lost = m->lost;
	s->complete = m->complete;
	s->decode_error = m->decode_error;
	s->ts_start = m->ts_start;
	s->ts_end = m->ts_end;
	s->nmarks = m->nmarks < 32 ? m->nmarks : 32;
	if (s->nmarks)
		memcpy(s->marks, m->marks, s->nmarks * sizeof(*s->marks));
	for (int i = 0; i < 4; i++)
		s->time_at[i] = http_msg_time_at(m, i * 5);
	s->hdrs[0] = '\0';
	for (size_t i = 0; i < m->nhdrs && off < sizeof(s->hdrs); i++)
		off += snprintf(s->hdrs + off, sizeof(s->hdrs) - off, "%s=%s\n", m->hdrs[i].name,
				m->hdrs[i].value);
}

static void on_msg(void *ctx, const struct http_msg *req, const struct http_msg *resp)
{
	struct log *l = ctx;
	const struct http_msg *m = resp ? resp : req;

	assert_non_null(req);
	assert_true(req->is_request);
	assert_true(!resp || !resp->is_request);
	check_msg(l, req);
	if (resp)
		check_msg(l, resp);
	if (resp)
		l->nr++;
	else
		l->nq++;
	fprintf(l->f, "%c %s %s st=%d v=%d hdrs{%s", resp ? 'R' : 'Q', req->method, req->path,
		m->status, m->version, "");
	for (size_t i = 0; i < m->nhdrs; i++)
		fprintf(l->f, "%s=%s;", m->hdrs[i].name, m->hdrs[i].value);
	fprintf(l->f, "} body=%zu[", m->body_len);
	if (m->body_len)
		fwrite(m->body, 1, m->body_len, l->f);
	fprintf(l->f, "] wire=%llu lost=%llu c=%d de=%d ts=%llu-%llu\n",
		(unsigned long long)m->wire_len, (unsigned long long)m->lost, m->complete,
		m->decode_error, (unsigned long long)m->ts_start, (unsigned long long)m->ts_end);
	if (l->n < MAX_EV)
		snap_take(&l->ev[l->n], resp ? 'R' : 'Q', req, m);
	l->n++;
}

static void log_init(struct log *l)
{
	memset(l, 0, sizeof(*l));
	l->f = open_memstream(&l->text, &l->text_len);
	assert_non_null(l->f);
}

static void log_release(struct log *l)
{
	for (int i = 0; i < l->n && i < MAX_EV; i++)
		free(l->ev[i].body);
	fclose(l->f);
	free(l->text);
	memset(l, 0, sizeof(*l));
}

/* Flushed text of everything logged so far. */
static const char *log_text(struct log *l)
{
	fflush(l->f);
	return l->text;
}

static void feed(struct http1 *h, enum http_dir dir, const char *s, uint64_t ts)
{
	http1_feed(h, dir, s, strlen(s), ts);
}

/* Feeds buf in pieces of `step` bytes (0: whole), all stamped `ts`. */
static void feed_steps(struct http1 *h, enum http_dir dir, const void *buf, size_t len, size_t step,
		       uint64_t ts)
{
	const char *p = buf;

	if (!step)
		step = len;
	for (size_t off = 0; off < len; off += step)
		http1_feed(h, dir, p + off, len - off < step ? len - off : step, ts);
}

/* Appends `body` to buf as chunks of at most `csize` bytes, with the last chunk if `last`. */
static size_t chunkify(char *buf, const void *body, size_t len, size_t csize, bool last)
{
	size_t w = 0;

	for (size_t off = 0; off < len; off += csize) {
		size_t n = len - off < csize ? len - off : csize;

		w += sprintf(buf + w, "%zx\r\n", n);
		memcpy(buf + w, (const char *)body + off, n);
		w += n;
		memcpy(buf + w, "\r\n", 2);
		w += 2;
	}
	if (last)
		w += sprintf(buf + w, "0\r\n\r\n");
	return w;
}

#define REQ_A                                                                                      \
	"POST /v1/chat/completions HTTP/1.1\r\nHost: api.example.com\r\n"                          \
	"Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"stream\":false}"
#define RESP_A                                                                                     \
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"          \
	"{\"ok\":true}"
#define REQ_GET(path) "GET " path " HTTP/1.1\r\nHost: h\r\n\r\n"
#define RESP_OK	      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

static void test_http1_looks_like_request(void **state)
{
	static const struct {
		const char *s;
		bool yes;
	} cases[] = {
	    {"POST /v1 HTTP/1.1\r\n", true},
	    {"GET / HTTP/1.1", true},
	    {"OPTIONS * HTTP/1.1", true},
	    {"GET http://x/ HTTP/1.1", true},
	    {"CONNECT h:443 HTTP/1.1", false}, /* authority form is not a path */
	    {"P", true},
	    {"POS", true},
	    {"POST", true},
	    {"POST ", true},
	    {"POST h", true},
	    {"POST ht", true},
	    {"POST hx", false},
	    {"POST x", false},
	    {"POSTX /", false},
	    {"post / HTTP/1.1", false},
	    {"HTTP/1.1 200 OK", false},
	    {"{\"a\":1}", false},
	    {"DELETE /x", true},
	    {"PATCH /x", true},
	    {"TRACE /", true},
	    {"PUT /", true},
	    {"HEAD /", true},
	    {"", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(http1_looks_like_request(cases[i].s, strlen(cases[i].s)),
				 cases[i].yes);
	assert_false(http1_looks_like_request(NULL, 5));
}

static void test_http1_content_length(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	assert_non_null(h);
	feed(h, HTTP_OUT, REQ_A, 100);
	assert_int_equal(l.n, 1);
	feed(h, HTTP_IN, RESP_A, 200);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ev[0].kind, 'Q');
	assert_string_equal(l.ev[0].method, "POST");
	assert_string_equal(l.ev[0].path, "/v1/chat/completions");
	assert_string_equal(l.ev[0].authority, "api.example.com");
	assert_int_equal(l.ev[0].version, 11);
	assert_string_equal(l.ev[0].body, "{\"stream\":false}");
	assert_int_equal(l.ev[0].body_len, 16);
	assert_int_equal(l.ev[0].wire_len, 16);
	assert_true(l.ev[0].complete);
	assert_string_equal(l.ev[0].hdrs, "Host=api.example.com\nContent-Type=application/json\n"
					  "Content-Length=16\n");
	assert_int_equal(l.ev[1].kind, 'R');
	assert_string_equal(l.ev[1].path, "/v1/chat/completions");
	assert_int_equal(l.ev[1].status, 200);
	assert_string_equal(l.ev[1].body, "{\"ok\":true}");
	assert_int_equal(l.ev[1].lost, 0);
	assert_true(l.ev[1].complete);
	assert_false(l.ev[1].decode_error);
	assert_int_equal(l.ev[1].ts_start, 200);
	assert_int_equal(l.ev[1].ts_end, 200);
	http1_close(h, 300);
	assert_int_equal(l.n, 2);
	http1__free(h);
	log_release(&l);
}

static void test_http1_chunked_ext_trailers(void **state)
{
	static const char *const resp =
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5;name=val\r\nhello\r\n6 ; x=\"y\"\r\n world\r\n00A\r\n0123456789\r\n"
	    "0;last\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n";
	static const char *const req =
	    "PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n3\r\nabc\r\n0\r\n\r\n";
	static const size_t steps[] = {0, 1, 2, 5};

	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct log l;
		struct http1 *h;

		log_init(&l);
		h = http1__new(on_msg, &l, 1 << 20);
		feed_steps(h, HTTP_OUT, req, strlen(req), steps[i], 1);
		feed_steps(h, HTTP_IN, resp, strlen(resp), steps[i], 2);
		feed(h, HTTP_OUT, REQ_GET("/next"), 3);
		feed(h, HTTP_IN, RESP_OK, 4);
		assert_int_equal(l.n, 4);
		assert_string_equal(l.ev[0].body, "abc");
		assert_true(l.ev[0].complete);
		assert_int_equal(l.ev[1].kind, 'R');
		assert_string_equal(l.ev[1].path, "/up");
		assert_string_equal(l.ev[1].body, "hello world0123456789");
		assert_int_equal(l.ev[1].wire_len, 21);
		assert_true(l.ev[1].complete);
		assert_false(l.ev[1].decode_error);
		assert_string_equal(l.ev[3].path, "/next");
		assert_string_equal(l.ev[3].body, "ok");
		http1__free(h);
		log_release(&l);
	}
}

/* An exchange built from four segments: request A, response A, request B, response B. */
struct exchange {
	char *seg[4];
	size_t len[4];
	enum http_dir dir[4];
};

static void exchange_build(struct exchange *x)
{
	static const char body_b[] =
	    "The quick brown fox jumps over the lazy dog, twice: the quick "
	    "brown fox jumps over the lazy dog.";
	size_t clen;
	unsigned char *gz = encode("gzip", body_b, sizeof(body_b) - 1, &clen);
	char *p;

	x->seg[0] = strdup(REQ_A);
	x->seg[1] = strdup("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			   "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: v\r\n\r\n");
	x->seg[2] = strdup("POST /b HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
			   "Transfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n");
	p = x->seg[3] = malloc(512 + clen);
	assert_non_null(p);
	p += sprintf(p, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
			"Transfer-Encoding: chunked\r\n\r\n");
	p += chunkify(p, gz, clen, 9, true);
	for (int i = 0; i < 4; i++) {
		x->len[i] = i == 3 ? (size_t)(p - x->seg[3]) : strlen(x->seg[i]);
		x->dir[i] = i % 2 ? HTTP_IN : HTTP_OUT;
	}
	free(gz);
}

static void exchange_release(struct exchange *x)
{
	for (int i = 0; i < 4; i++)
		free(x->seg[i]);
}

/* Runs the exchange with segment `which` cut at `cut` (0: none), or everything byte by byte. */
static char *exchange_run(const struct exchange *x, int which, size_t cut, bool bytewise)
{
	struct log l;
	struct http1 *h;
	char *text;

	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	for (int i = 0; i < 4; i++) {
		uint64_t ts = 100 * (i + 1);

		if (bytewise) {
			feed_steps(h, x->dir[i], x->seg[i], x->len[i], 1, ts);
		} else if (i == which && cut) {
			http1_feed(h, x->dir[i], x->seg[i], cut, ts);
			http1_feed(h, x->dir[i], x->seg[i] + cut, x->len[i] - cut, ts);
		} else {
			http1_feed(h, x->dir[i], x->seg[i], x->len[i], ts);
		}
	}
	http1_close(h, 999);
	http1__free(h);
	text = strdup(log_text(&l));
	log_release(&l);
	return text;
}

static void test_http1_every_split(void **state)
{
	static const char first3[] =
	    "Q POST /v1/chat/completions st=0 v=11 hdrs{Host=api.example.com;Content-Type="
	    "application/json;Content-Length=16;} body=16[{\"stream\":false}] wire=16 lost=0 "
	    "c=1 de=0 ts=100-100\n"
	    "R POST /v1/chat/completions st=200 v=11 hdrs{Transfer-Encoding=chunked;} "
	    "body=11[hello world] wire=11 lost=0 c=1 de=0 ts=200-200\n"
	    "Q POST /b st=0 v=11 hdrs{Host=h;Expect=100-continue;Transfer-Encoding=chunked;} "
	    "body=4[body] wire=4 lost=0 c=1 de=0 ts=300-300\n";
	struct exchange x;
	char *ref;

	(void)state;
	exchange_build(&x);
	ref = exchange_run(&x, -1, 0, false);
	/* response B's line is checked apart: its wire length depends on zlib's output */
	assert_int_equal(strncmp(ref, first3, strlen(first3)), 0);
	assert_int_equal(strncmp(ref + strlen(first3), "R POST /b st=200 v=11 ", 22), 0);
	for (int i = 0; i < 4; i++) {
		for (size_t cut = 1; cut < x.len[i]; cut++) {
			char *t = exchange_run(&x, i, cut, false);

			assert_string_equal(t, ref);
			free(t);
		}
	}
	{
		char *t = exchange_run(&x, -1, 0, true);

		assert_string_equal(t, ref);
		free(t);
	}
	free(ref);
	exchange_release(&x);
}

/* The same exchange, checked on its last response (gzip under chunked, after a 100). */
static void test_http1_exchange_gzip_response(void **state)
{
	struct exchange x;
	struct log l;
	struct http1 *h;

	(void)state;
	exchange_build(&x);
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	for (int i = 0; i < 4; i++)
		http1_feed(h, x.dir[i], x.seg[i], x.len[i], 100 * (i + 1));
	assert_int_equal(l.n, 4);
	assert_int_equal(l.ev[3].kind, 'R');
	assert_string_equal(l.ev[3].path, "/b");
	assert_int_equal(l.ev[3].status, 200);
	assert_string_equal(l.ev[3].body, "The quick brown fox jumps over the lazy dog, twice: "
					  "the quick brown fox jumps over the lazy dog.");
	assert_true(l.ev[3].wire_len > 20 && l.ev[3].wire_len < l.ev[3].body_len);
	assert_true(l.ev[3].complete);
	assert_false(l.ev[3].decode_error);
	assert_int_equal(l.ev[3].ts_start, 400);
	http1__free(h);
	log_release(&l);
	exchange_release(&x);
}

static void test_http1_encodings(void **state)
{
	static const struct {
		const char *enc, *ce;
		bool chunked;
	} cases[] = {
	    {"gzip", "gzip", true},   {"gzip", "gzip", false},	 {"zlib", "deflate", true},
	    {"raw", "deflate", true}, {"raw", "deflate", false}, {"br", "br", true},
	    {"br", "br", false},
	};
	char plain[3000];

	(void)state;
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = "abcdefghij{}\":, \n"[(i * 7 + i / 13) % 17];
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t clen, n;
		unsigned char *comp = encode(cases[c].enc, plain, sizeof(plain), &clen);
		char *resp = malloc(clen * 2 + 512);
		struct log l;
		struct http1 *h;

		assert_non_null(resp);
		if (cases[c].chunked) {
			n = sprintf(resp,
				    "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\n"
				    "Transfer-Encoding: chunked\r\n\r\n",
				    cases[c].ce);
			n += chunkify(resp + n, comp, clen, 10, true);
		} else {
			n = sprintf(resp,
				    "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\n"
				    "Content-Length: %zu\r\n\r\n",
				    cases[c].ce, clen);
			memcpy(resp + n, comp, clen);
			n += clen;
		}
		log_init(&l);
		h = http1__new(on_msg, &l, 1 << 20);
		feed(h, HTTP_OUT, REQ_GET("/enc"), 1);
		feed_steps(h, HTTP_IN, resp, n, 3, 2);
		assert_int_equal(l.n, 2);
		assert_int_equal(l.ev[1].body_len, sizeof(plain));
		assert_memory_equal(l.ev[1].body, plain, sizeof(plain));
		assert_int_equal(l.ev[1].wire_len, clen);
		assert_true(l.ev[1].complete);
		assert_false(l.ev[1].decode_error);
		http1__free(h);
		log_release(&l);
		free(resp);
		free(comp);
	}
}

static void test_http1_bad_encoding(void **state)
{
	static const struct {
		const char *resp;
		const char *body;
		bool complete, decode_error;
	} cases[] = {
	    /* unknown coding: stored as received */
	    {"HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: 4\r\n\r\nabcd", "abcd",
	     true, true},
	    /* not gzip at all */
	    {"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd", "", true,
	     true},
	    /* bad chunk size: the response is cut there */
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n", "abc",
	     false, true},
	    /* chunk data longer than announced */
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", "abc", false,
	     true},
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct log l;
		struct http1 *h;

		log_init(&l);
		h = http1__new(on_msg, &l, 1 << 20);
		feed(h, HTTP_OUT, REQ_GET("/x"), 1);
		feed(h, HTTP_IN, cases[c].resp, 2);
		assert_int_equal(l.n, 2);
		assert_string_equal(l.ev[1].body, cases[c].body);
		assert_int_equal(l.ev[1].complete, cases[c].complete);
		assert_int_equal(l.ev[1].decode_error, cases[c].decode_error);
		/* the connection goes on */
		feed(h, HTTP_OUT, REQ_GET("/y"), 3);
		feed(h, HTTP_IN, RESP_OK, 4);
		assert_int_equal(l.n, 4);
		assert_string_equal(l.ev[3].path, "/y");
		assert_string_equal(l.ev[3].body, "ok");
		http1__free(h);
		log_release(&l);
	}
}

#define SSE_HEAD                                                                                   \
	"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"                    \
	"Transfer-Encoding: chunked\r\n\r\n"

/* Ends of an SSE stream (sent as the last chunk) and the body the delivery must carry. */
static const struct {
	const char *event;
	const char *body;
} sse_ends[] = {
    {"data: [DONE]\r\n\r\n", "data: {\"a\":1}\n\ndata: [DONE]\r\n"},
    {"data: [DONE]\n\n", "data: {\"a\":1}\n\ndata: [DONE]\n"},
    {"data:[DONE]\n\n", "data: {\"a\":1}\n\ndata:[DONE]\n"},
    {": ping\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
     "data: {\"a\":1}\n\n: ping\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"},
    {"event: message_stop\r\ndata: {}\r\n\r\n",
     "data: {\"a\":1}\n\nevent: message_stop\r\ndata: {}\r\n\r\n"},
    /* the Responses API: Codex stops reading after response.completed */
    {"event: response.output_text.done\ndata: {}\n\nevent: response.completed\ndata: {}\n\n",
     "data: {\"a\":1}\n\nevent: response.output_text.done\ndata: {}\n\nevent: "
     "response.completed\ndata: {}\n\n"},
    {"event:response.failed\r\ndata: {}\r\n\r\n",
     "data: {\"a\":1}\n\nevent:response.failed\r\ndata: {}\r\n\r\n"},
};

/* The SSE end as one chunk, followed by `more`. */
static const char *sse_last(char *buf, size_t n, size_t c, const char *more)
{
	snprintf(buf, n, "%zx\r\n%s\r\n%s", strlen(sse_ends[c].event), sse_ends[c].event, more);
	return buf;
}

/* The client stops reading at [DONE]: the last chunk never shows; the next exchange still works. */
static void test_http1_sse_done_no_terminator(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(sse_ends) / sizeof(sse_ends[0]); c++) {
		struct log l;
		struct http1 *h;
		char last[256];

		log_init(&l);
		h = http1__new(on_msg, &l, 1 << 20);
		feed(h, HTTP_OUT, REQ_A, 1);
		feed(h, HTTP_IN, SSE_HEAD "f\r\ndata: {\"a\":1}\n\n\r\n", 10);
		assert_int_equal(l.n, 1);
		feed(h, HTTP_IN, sse_last(last, sizeof(last), c, ""), 20);
		assert_int_equal(l.n, 2);
		assert_int_equal(l.ev[1].kind, 'R');
		assert_string_equal(l.ev[1].body, sse_ends[c].body);
		assert_true(l.ev[1].complete);
		assert_int_equal(l.ev[1].ts_start, 10);
		assert_int_equal(l.ev[1].ts_end, 20);
		assert_int_equal(l.ev[1].nmarks, 2);
		assert_int_equal(l.ev[1].marks[0].off, 15);
		assert_int_equal(l.ev[1].marks[0].ts, 10);
		assert_int_equal(l.ev[1].marks[1].ts, 20);
		feed(h, HTTP_OUT, REQ_GET("/second"), 30);
		feed(h, HTTP_IN, RESP_OK, 40);
		assert_int_equal(l.n, 4);
		assert_string_equal(l.ev[3].path, "/second");
		assert_int_equal(l.ev[3].status, 200);
		assert_string_equal(l.ev[3].body, "ok");
		assert_true(l.ev[3].complete);
		http1_close(h, 50);
		assert_int_equal(l.n, 4);
		http1__free(h);
		log_release(&l);
	}
}

/* The rest of the body does arrive, in the same read or later: one delivery only. */
static void test_http1_sse_terminator_later(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(sse_ends) / sizeof(sse_ends[0]); c++) {
		for (int same = 0; same < 2; same++) {
			struct log l;
			struct http1 *h;
			char last[256];

			log_init(&l);
			h = http1__new(on_msg, &l, 1 << 20);
			feed(h, HTTP_OUT, REQ_A, 1);
			feed(h, HTTP_IN, SSE_HEAD "f\r\ndata: {\"a\":1}\n\n\r\n", 10);
			feed(h, HTTP_IN, sse_last(last, sizeof(last), c, same ? "0\r\n\r\n" : ""),
			     20);
			if (!same)
				feed(h, HTTP_IN, "0\r\n\r\n", 25);
			assert_int_equal(l.n, 2);
			assert_string_equal(l.ev[1].body, sse_ends[c].body);
			assert_int_equal(l.ev[1].ts_end, 20);
			feed(h, HTTP_OUT, REQ_GET("/second"), 30);
			feed(h, HTTP_IN, RESP_OK, 40);
			http1_close(h, 50);
			assert_int_equal(l.n, 4);
			assert_string_equal(l.ev[3].path, "/second");
			assert_string_equal(l.ev[3].body, "ok");
			http1__free(h);
			log_release(&l);
		}
	}
}

/* An SSE response framed by the close and gzip-encoded: still delivered at [DONE]. */
static void test_http1_sse_gzip_close_framed(void **state)
{
	static const char sse[] = "data: {\"x\":\"y\"}\n\ndata: [DONE]\n\n";
	size_t clen;
	unsigned char *gz = encode("gzip", sse, sizeof(sse) - 1, &clen);
	char resp[512];
	size_t n;
	struct log l;
	struct http1 *h;

	(void)state;
	n = sprintf(resp, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
			  "Content-Encoding: gzip\r\n\r\n");
	memcpy(resp + n, gz, clen);
	n += clen;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, REQ_A, 1);
	feed_steps(h, HTTP_IN, resp, n, 1, 2);
	assert_int_equal(l.n, 2);
	/* the body ends with the [DONE] line: what follows is not stored */
	assert_int_equal(l.ev[1].body_len, sizeof(sse) - 2);
	assert_memory_equal(l.ev[1].body, sse, sizeof(sse) - 2);
	assert_true(l.ev[1].complete);
	http1_close(h, 3);
	assert_int_equal(l.n, 2);
	http1__free(h);
	log_release(&l);
	free(gz);
}

static void test_http1_marks_ts(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, "POST /m HTTP/1.1\r\nContent-Length: 8\r\n", 1);
	feed(h, HTTP_OUT, "\r\nabc", 2);
	feed(h, HTTP_OUT, "defgh", 3);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ev[0].ts_start, 1);
	assert_int_equal(l.ev[0].ts_end, 3);
	assert_int_equal(l.ev[0].nmarks, 2);
	assert_int_equal(l.ev[0].marks[0].off, 3);
	assert_int_equal(l.ev[0].marks[0].ts, 2);
	assert_int_equal(l.ev[0].marks[1].off, 8);
	assert_int_equal(l.ev[0].marks[1].ts, 3);

	feed(h, HTTP_IN, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 10);
	feed(h, HTTP_IN, "a\r\n0123456789\r\n", 20);
	feed(h, HTTP_IN, "5\r\n", 25); /* framing only: no mark */
	feed(h, HTTP_IN, "abcde\r\n", 30);
	feed(h, HTTP_IN, "0\r\n\r\n", 40);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ev[1].ts_start, 10);
	assert_int_equal(l.ev[1].ts_end, 40);
	assert_int_equal(l.ev[1].nmarks, 2);
	assert_int_equal(l.ev[1].marks[0].off, 10);
	assert_int_equal(l.ev[1].marks[0].ts, 20);
	assert_int_equal(l.ev[1].marks[1].off, 15);
	assert_int_equal(l.ev[1].marks[1].ts, 30);
	/* time_at(0, 5, 10, 15) */
	assert_int_equal(l.ev[1].time_at[0], 20);
	assert_int_equal(l.ev[1].time_at[1], 20);
	assert_int_equal(l.ev[1].time_at[2], 30);
	assert_int_equal(l.ev[1].time_at[3], 40);
	http1__free(h);
	log_release(&l);
}

static void test_http1_redaction(void **state)
{
	static const char req[] = "POST /v1/messages?key=sk-abcdefghijklmnopqrstuvwxyz HTTP/1.1\r\n"
				  "Host: api.anthropic.com\r\n"
				  "Authorization: Bearer SECRETxSECRETxSECRET42\r\n"
				  "x-api-key: SECRETxSECRETxSECRET42\r\n"
				  "X-Custom: token sk-abcdefghijklmnopqrstuvwxyz\r\n"
				  "Cookie: s=SECRETxSECRETxSECRET42\r\n"
				  "Content-Length: 2\r\n\r\n{}";
	static const char resp[] = "HTTP/1.1 200 OK\r\nSet-Cookie: s=SECRETxSECRETxSECRET42\r\n"
				   "Content-Length: 2\r\n\r\n{}";
	static const size_t steps[] = {0, 1, 3};

	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct log l;
		struct http1 *h;

		log_init(&l);
		l.secret = "SECRETxSECRETxSECRET42";
		h = http1__new(on_msg, &l, 1 << 20);
		feed_steps(h, HTTP_OUT, req, sizeof(req) - 1, steps[i], 1);
		feed_steps(h, HTTP_IN, resp, sizeof(resp) - 1, steps[i], 2);
		assert_int_equal(l.n, 2);
		assert_string_equal(l.ev[0].hdrs, "Host=api.anthropic.com\n"
						  "Authorization=[REDACTED]\n"
						  "x-api-key=[REDACTED]\n"
						  "X-Custom=token [REDACTED]\n"
						  "Cookie=[REDACTED]\n"
						  "Content-Length=2\n");
		assert_string_equal(l.ev[0].path, "/v1/messages?key=[REDACTED]");
		assert_string_equal(l.ev[1].hdrs, "Set-Cookie=[REDACTED]\nContent-Length=2\n");
		assert_null(strstr(log_text(&l), "SECRET"));
		assert_null(strstr(log_text(&l), "sk-abcdefghijklmnop"));
		http1__free(h);
		log_release(&l);
	}
}

static void test_http1_100_continue(void **state)
{
	static const char head[] = "POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
				   "Content-Length: 4\r\n\r\n";
	struct log l;
	struct http1 *h;

	(void)state;
	for (int same = 0; same < 2; same++) {
		log_init(&l);
		h = http1__new(on_msg, &l, 1 << 20);
		feed(h, HTTP_OUT, head, 1);
		if (same) {
			feed(h, HTTP_OUT, "abcd", 3);
			feed(h, HTTP_IN,
			     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
			     "Content-Length: 2\r\n\r\nok",
			     4);
		} else {
			feed(h, HTTP_IN, "HTTP/1.1 100 Continue\r\n\r\n", 2);
			assert_int_equal(l.n, 0);
			feed(h, HTTP_OUT, "abcd", 3);
			feed(h, HTTP_IN, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", 4);
		}
		assert_int_equal(l.n, 2);
		assert_int_equal(l.ev[0].kind, 'Q');
		assert_string_equal(l.ev[0].body, "abcd");
		assert_int_equal(l.ev[0].ts_start, 1);
		assert_int_equal(l.ev[0].ts_end, 3);
		assert_int_equal(l.ev[1].status, 201);
		assert_string_equal(l.ev[1].path, "/up");
		assert_string_equal(l.ev[1].body, "ok");
		assert_int_equal(l.ev[1].ts_start, 4);
		http1__free(h);
		log_release(&l);
	}
}

/* Responses without a body whatever their headers say: to HEAD, 204, 304. */
static void test_http1_no_body_responses(void **state)
{
	static const struct {
		const char *req, *resp;
		int status;
	} cases[] = {
	    {"HEAD /f HTTP/1.1\r\nHost: h\r\n\r\n",
	     "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 200},
	    {"HEAD /f HTTP/1.1\r\nHost: h\r\n\r\n",
	     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 200},
	    {REQ_GET("/f"), "HTTP/1.1 204 No Content\r\n\r\n", 204},
	    {REQ_GET("/f"), "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n", 304},
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct log l;
		struct http1 *h;

		log_init(&l);
		h = http1__new(on_msg, &l, 1 << 20);
		feed(h, HTTP_OUT, cases[c].req, 1);
		feed(h, HTTP_IN, cases[c].resp, 2);
		assert_int_equal(l.n, 2);
		assert_int_equal(l.ev[1].status, cases[c].status);
		assert_int_equal(l.ev[1].body_len, 0);
		assert_true(l.ev[1].complete);
		feed(h, HTTP_OUT, REQ_GET("/next"), 3);
		feed(h, HTTP_IN, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", 4);
		assert_int_equal(l.n, 4);
		assert_string_equal(l.ev[3].path, "/next");
		assert_string_equal(l.ev[3].body, "abc");
		http1__free(h);
		log_release(&l);
	}
}

static void test_http1_until_close(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, "GET /old HTTP/1.0\r\n\r\n", 1);
	feed(h, HTTP_IN, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart1", 5);
	feed(h, HTTP_IN, "part2", 6);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ev[0].version, 10);
	http1_close(h, 9);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ev[1].version, 10);
	assert_string_equal(l.ev[1].body, "part1part2");
	assert_true(l.ev[1].complete);
	assert_int_equal(l.ev[1].ts_start, 5);
	assert_int_equal(l.ev[1].ts_end, 6);
	http1__free(h);
	log_release(&l);
}

/* At close: a request cut short, and requests that never got a response. */
static void test_http1_close_abandons(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, REQ_GET("/a"), 1);
	feed(h, HTTP_OUT, "POST /b HTTP/1.1\r\nContent-Length: 100\r\n\r\n0123456789", 2);
	feed(h, HTTP_IN, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234", 3);
	assert_int_equal(l.n, 1);
	http1_close(h, 9);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.ev[1].kind, 'Q');
	assert_string_equal(l.ev[1].path, "/b");
	assert_string_equal(l.ev[1].body, "0123456789");
	assert_false(l.ev[1].complete);
	assert_int_equal(l.ev[2].kind, 'R');
	assert_string_equal(l.ev[2].path, "/a");
	assert_string_equal(l.ev[2].body, "01234");
	assert_false(l.ev[2].complete);
	assert_int_equal(l.ev[2].ts_end, 3);
	assert_int_equal(l.ev[3].kind, 'R');
	assert_string_equal(l.ev[3].path, "/b");
	assert_int_equal(l.ev[3].status, 0);
	assert_false(l.ev[3].complete);
	assert_int_equal(l.ev[3].ts_start, 9);
	assert_int_equal(l.ev[3].ts_end, 9);
	/* a head that never completes is dropped */
	feed(h, HTTP_OUT, "PUT /c HT", 10);
	http1_close(h, 11);
	assert_int_equal(l.n, 4);
	http1__free(h);
	log_release(&l);
}

/* A response that ends before its request was fully written. */
static void test_http1_response_before_request_end(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, "POST /big HTTP/1.1\r\nContent-Length: 20\r\n\r\n0123456789", 1);
	feed(h, HTTP_IN, "HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n", 2);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ev[0].kind, 'Q');
	assert_false(l.ev[0].complete);
	assert_string_equal(l.ev[0].body, "0123456789");
	assert_int_equal(l.ev[1].status, 413);
	feed(h, HTTP_OUT, "abcdefghij", 3); /* the rest: consumed silently */
	feed(h, HTTP_OUT, REQ_GET("/next"), 4);
	feed(h, HTTP_IN, RESP_OK, 5);
	http1_close(h, 6);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.ev[2].path, "/next");
	assert_true(l.ev[2].complete);
	assert_string_equal(l.ev[3].path, "/next");
	http1__free(h);
	log_release(&l);
}

static void test_http1_pipelining(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, REQ_GET("/1") REQ_GET("/2"), 1);
	feed(h, HTTP_IN, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", 2);
	feed(h, HTTP_OUT, REQ_GET("/3"), 3);
	feed(h, HTTP_IN, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nbHTTP/1.1 200 OK\r\n", 4);
	feed(h, HTTP_IN, "Content-Length: 1\r\n\r\nc", 5);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.ev[0].path, "/1");
	assert_string_equal(l.ev[1].path, "/2");
	assert_int_equal(l.ev[2].kind, 'R');
	assert_string_equal(l.ev[2].path, "/1");
	assert_string_equal(l.ev[2].body, "a");
	assert_string_equal(l.ev[3].path, "/3");
	assert_string_equal(l.ev[4].path, "/2");
	assert_string_equal(l.ev[4].body, "b");
	assert_string_equal(l.ev[5].path, "/3");
	assert_string_equal(l.ev[5].body, "c");
	http1__free(h);
	log_release(&l);
}

static void test_http1_gap_resync(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	/* a request body with a hole: delivered cut, its response still pairs */
	feed(h, HTTP_OUT, "POST /a HTTP/1.1\r\nContent-Length: 300\r\n\r\n0123456789", 1);
	http1_gap(h, HTTP_OUT, 100);
	assert_int_equal(l.n, 1);
	assert_false(l.ev[0].complete);
	assert_int_equal(l.ev[0].lost, 100);
	assert_string_equal(l.ev[0].body, "0123456789");
	feed(h, HTTP_OUT, "rest of the body", 2); /* discarded */
	feed(h, HTTP_IN, RESP_OK, 3);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.ev[1].path, "/a");
	feed(h, HTTP_OUT, REQ_GET("/b"), 4);
	/* a response with a hole: delivered cut, then the next status line starts afresh */
	feed(h, HTTP_IN, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nabc", 5);
	http1_gap(h, HTTP_IN, 40);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.ev[3].kind, 'R');
	assert_string_equal(l.ev[3].path, "/b");
	assert_string_equal(l.ev[3].body, "abc");
	assert_int_equal(l.ev[3].lost, 40);
	assert_false(l.ev[3].complete);
	feed(h, HTTP_IN, "1234567", 6); /* the body's end: discarded */
	feed(h, HTTP_OUT, REQ_GET("/c"), 7);
	feed(h, HTTP_IN, RESP_OK, 8);
	http1_close(h, 9);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.ev[4].path, "/c");
	assert_string_equal(l.ev[5].path, "/c");
	assert_string_equal(l.ev[5].body, "ok");
	assert_true(l.ev[5].complete);
	http1__free(h);
	log_release(&l);
}

/* Attached mid-connection: the first bytes are the middle of a body in both directions. */
static void test_http1_mid_connection(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, "\"tokens\": 5}", 1);
	feed(h, HTTP_IN, "lo world\"}\n\n\r\n", 2);
	feed(h, HTTP_IN, "0\r\n\r\n", 3);
	/* a whole response to a request never seen: parsed, not delivered */
	feed(h, HTTP_IN, RESP_A, 4);
	assert_int_equal(l.n, 0);
	feed(h, HTTP_OUT, REQ_A, 5);
	feed(h, HTTP_IN, RESP_OK, 6);
	http1_close(h, 7);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.ev[0].path, "/v1/chat/completions");
	assert_string_equal(l.ev[1].path, "/v1/chat/completions");
	assert_string_equal(l.ev[1].body, "ok");
	http1__free(h);
	log_release(&l);
}

static void test_http1_response_without_request(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_IN, RESP_A, 1);
	feed(h, HTTP_IN,
	     "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: [DONE]\n\n", 2);
	http1_close(h, 3);
	assert_int_equal(l.n, 0);
	http1__free(h);
	log_release(&l);
}

static void test_http1_max_body(void **state)
{
	static const char body[] = "0123456789abcdefghijklmno"; /* 25 bytes */
	struct log l;
	struct http1 *h;
	size_t clen;
	unsigned char *gz = encode("gzip", body, 25, &clen);
	char resp[256];
	size_t n;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 10);
	feed(h, HTTP_OUT, "POST /x HTTP/1.1\r\nContent-Length: 25\r\n\r\n", 1);
	feed(h, HTTP_OUT, body, 2);
	feed(h, HTTP_IN, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n19\r\n", 3);
	feed(h, HTTP_IN, body, 4);
	feed(h, HTTP_IN, "\r\n0\r\n\r\n", 5);
	n = sprintf(
	    resp, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", clen);
	memcpy(resp + n, gz, clen);
	feed(h, HTTP_OUT, REQ_GET("/gz"), 6);
	feed_steps(h, HTTP_IN, resp, n + clen, 1, 7);
	assert_int_equal(l.n, 4);
	for (int i = 0; i < 4; i++) {
		if (l.ev[i].kind == 'Q' && i == 2)
			continue; /* the GET has no body */
		assert_int_equal(l.ev[i].body_len, 10);
		assert_string_equal(l.ev[i].body, "0123456789");
		assert_int_equal(l.ev[i].lost, 15);
		assert_true(l.ev[i].complete);
	}
	assert_int_equal(l.ev[0].wire_len, 25);
	assert_int_equal(l.ev[1].wire_len, 25);
	assert_int_equal(l.ev[3].wire_len, clen);
	http1__free(h);
	log_release(&l);
	free(gz);
}

static void test_http1_garbage_heads(void **state)
{
	static const char *const junk[] = {
	    "POST /x HTTP/2.0\r\n\r\n",			 /* wrong version */
	    "POST /x HTTP/1.1\r\nNo colon here\r\n\r\n", /* bad header line */
	    "POST /x HTTP/1.1\r\nBad Name: v\r\n\r\n",	 /* space in a name */
	    "POST /x HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
	    "POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	    "POST /x HTTP/1.1\r\n continued\r\n\r\n", /* fold before any header */
	    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
	};

	(void)state;
	for (size_t c = 0; c < sizeof(junk) / sizeof(junk[0]); c++) {
		struct log l;
		struct http1 *h;

		log_init(&l);
		h = http1__new(on_msg, &l, 1 << 20);
		feed(h, HTTP_OUT, junk[c], 1);
		feed(h, HTTP_OUT, REQ_GET("/ok"), 2);
		feed(h, HTTP_IN, RESP_OK, 3);
		assert_int_equal(l.n, 2);
		assert_string_equal(l.ev[0].path, "/ok");
		assert_string_equal(l.ev[1].body, "ok");
		http1__free(h);
		log_release(&l);
	}
}

/* A header block that never ends is dropped at 64 KiB; the next request parses. */
static void test_http1_head_too_large(void **state)
{
	struct log l;
	struct http1 *h;
	char *big = malloc(70000);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', 70000);
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, "GET / HTTP/1.1\r\nX-Big: ", 1);
	http1_feed(h, HTTP_OUT, big, 70000, 2);
	feed(h, HTTP_OUT, "\r\n\r\n", 3);
	feed(h, HTTP_OUT, REQ_GET("/ok"), 4);
	feed(h, HTTP_IN, RESP_OK, 5);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.ev[0].path, "/ok");
	/* folded headers are joined; the limit is on the block, not a line */
	feed(h, HTTP_OUT, "GET /f HTTP/1.1\r\nX-F: a\r\n  b\r\n\r\n", 6);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.ev[2].hdrs, "X-F=a b\n");
	http1__free(h);
	log_release(&l);
	free(big);
}

/* Deterministic byte storm mixed with real fragments, gaps and closes: no crash, no leak, and
 * every request gets its two callbacks. */
static void test_http1_storm(void **state)
{
	static const char *const frags[] = {
	    REQ_A,
	    RESP_A,
	    REQ_GET("/g"),
	    RESP_OK,
	    SSE_HEAD,
	    "f\r\ndata: {\"a\":1}\n\n\r\n",
	    "e\r\ndata: [DONE]\n\n\r\n",
	    "0\r\n\r\n",
	    "HTTP/1.1 100 Continue\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 30\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "HTTP/1.1 200 OK\r\n\r\n",
	    "HEAD / HTTP/1.1\r\n\r\n",
	    "HTTP/1.1 101 Switching\r\n\r\n",
	    "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "ffffffffffffffffffff\r\n",
	    "\r\n",
	};
	uint32_t x = 0x12345678;
	unsigned char buf[256];

	(void)state;
	for (int round = 0; round < 40; round++) {
		struct log l;
		struct http1 *h;

		log_init(&l);
		h = http1__new(on_msg, &l, round % 3 ? 1 << 16 : 7);
		for (int i = 0; i < 3000; i++) {
			enum http_dir dir;
			uint32_t r;

			x = x * 1664525u + 1013904223u;
			r = x >> 8;
			dir = r & 1 ? HTTP_IN : HTTP_OUT;
			switch ((r >> 1) % 16) {
			case 0:
				http1_gap(h, dir, r % 100);
				break;
			case 1:
				if (r % 8 == 0)
					http1_close(h, i);
				break;
			case 2:
			case 3:
			case 4: {
				size_t n = 1 + (r >> 5) % sizeof(buf);

				for (size_t k = 0; k < n; k++) {
					x = x * 1664525u + 1013904223u;
					buf[k] = x >> 24;
				}
				http1_feed(h, dir, buf, n, i);
				break;
			}
			default: {
				const char *f =
				    frags[(r >> 5) % (sizeof(frags) / sizeof(frags[0]))];
				size_t n = strlen(f), cut = (r >> 12) % (n + 1);

				/* whole, or split in two, or truncated */
				http1_feed(h, dir, f, cut, i);
				if (r & 0x10000)
					http1_feed(h, dir, f + cut, n - cut, i);
				break;
			}
			}
		}
		http1_close(h, 1000000);
		assert_int_equal(l.nq, l.nr);
		http1__free(h);
		log_release(&l);
	}
}

/* Freeing with messages in flight calls nothing and leaks nothing (ASan checks the latter). */
static void test_http1_free_in_flight(void **state)
{
	struct log l;
	struct http1 *h;

	(void)state;
	log_init(&l);
	h = http1__new(on_msg, &l, 1 << 20);
	feed(h, HTTP_OUT, REQ_GET("/1"), 1);
	feed(h, HTTP_OUT, "POST /2 HTTP/1.1\r\nContent-Length: 10\r\n\r\nab", 2);
	feed(h, HTTP_IN, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab", 3);
	assert_int_equal(l.n, 1);
	http1__free(h);
	assert_int_equal(l.n, 1);
	http1__free(NULL);
	assert_null(http1__new(NULL, NULL, 0));
	log_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_http1_looks_like_request),
	    cmocka_unit_test(test_http1_content_length),
	    cmocka_unit_test(test_http1_chunked_ext_trailers),
	    cmocka_unit_test(test_http1_every_split),
	    cmocka_unit_test(test_http1_exchange_gzip_response),
	    cmocka_unit_test(test_http1_encodings),
	    cmocka_unit_test(test_http1_bad_encoding),
	    cmocka_unit_test(test_http1_sse_done_no_terminator),
	    cmocka_unit_test(test_http1_sse_terminator_later),
	    cmocka_unit_test(test_http1_sse_gzip_close_framed),
	    cmocka_unit_test(test_http1_marks_ts),
	    cmocka_unit_test(test_http1_redaction),
	    cmocka_unit_test(test_http1_100_continue),
	    cmocka_unit_test(test_http1_no_body_responses),
	    cmocka_unit_test(test_http1_until_close),
	    cmocka_unit_test(test_http1_close_abandons),
	    cmocka_unit_test(test_http1_response_before_request_end),
	    cmocka_unit_test(test_http1_pipelining),
	    cmocka_unit_test(test_http1_gap_resync),
	    cmocka_unit_test(test_http1_mid_connection),
	    cmocka_unit_test(test_http1_response_without_request),
	    cmocka_unit_test(test_http1_max_body),
	    cmocka_unit_test(test_http1_garbage_heads),
	    cmocka_unit_test(test_http1_head_too_large),
	    cmocka_unit_test(test_http1_storm),
	    cmocka_unit_test(test_http1_free_in_flight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
