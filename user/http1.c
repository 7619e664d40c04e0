// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * http1.c - HTTP/1.1 reassembly for one client connection (contract in http1.h).
 *
 * Each direction is a small state machine: RESYNC (skipping to a feed that starts a message),
 * IDLE (between messages), HEAD (collecting the header block) and BODY (following the framing).
 * Requests go on a FIFO when their head is parsed; a final response takes the oldest one.
 *
 * Behaviour the header leaves open, decided here:
 *  - Every request whose head was parsed gets exactly two callbacks, cb(req, NULL) then
 *    cb(req, resp), unless the parser is freed first. A request cut short (gap, close, garbage in
 *    its body, or its response finished first) is delivered with complete=false. A request still
 *    waiting for its response at close gets an empty abandoned response: status 0,
 *    complete=false, ts_start = ts_end = the close time.
 *  - A message whose head never completed is dropped without a callback.
 *  - A message already delivered (SSE end seen, or a request answered before it was fully
 *    written) is "silent": the rest of its framing is consumed without storing. A feed that starts
 *    like a new message of that direction ends a silent message: clients that stop reading at
 *    `data: [DONE]` never consume the last chunk, and the next response follows.
 *  - Responses with no request to pair (attached mid-connection) are parsed silently.
 *  - Content-Encoding the decoder does not know: the body is stored as received, decode_error set.
 *  - Trailers are consumed and discarded. Obsolete line folding joins the value with one space.
 *  - Header values and the request target also go through redact_secrets() (keys in query
 *    strings or custom headers); bodies are left to the caller.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decomp.h"
#include "http1.h"
#include "redact.h"

#define HEAD_MAX     (64 * 1024) /* header block, and chunk-size or trailer lines */
#define LINE_KEEP    32		 /* bytes of a chunk line kept: the size is in the first 16 */
#define SSE_LINE_MAX 32		 /* longest SSE line that can end a stream, plus slack */
#define SIZE_MAX_OK  (1ULL << 60)

enum h1_state { ST_RESYNC, ST_IDLE, ST_HEAD, ST_BODY };
enum h1_framing { FR_NONE, FR_LENGTH, FR_CHUNKED, FR_CLOSE };
enum h1_chunk { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER };

struct h1_req {
	struct http_msg msg;
	struct h1_req *next; /* FIFO of requests waiting for a response */
	bool delivered;	     /* cb(req, NULL) was called */
	bool out_done;	     /* the OUT side no longer references it */
	bool resp_done;	     /* its response was delivered or abandoned */
};

struct h1_side {
	struct http1 *h;
	enum http_dir dir;
	enum h1_state state;
	/* header block being collected */
	char *head;
	size_t head_len, head_cap;
	uint64_t head_ts;
	/* message being received */
	struct http_msg *msg; /* OUT: &req->msg; IN: &resp */
	struct http_msg resp;
	struct h1_req *req; /* OUT: request being written; IN: request being answered or NULL */
	bool silent;	    /* delivered or unpaired: follow the framing, store nothing */
	size_t body_cap, marks_cap;
	struct decomp *dec;
	/* framing */
	enum h1_framing framing;
	enum h1_chunk chunk;
	uint64_t left; /* Content-Length or chunk bytes still to come */
	char line[LINE_KEEP];
	size_t line_len; /* whole line so far, of which LINE_KEEP bytes are kept */
	size_t trailer_len;
	/* text/event-stream end detection on the decoded body */
	bool sse, sse_done, sse_stop, sse_long;
	char sse_line[SSE_LINE_MAX];
	size_t sse_len;
};

struct http1 {
	http_cb cb;
	void *ctx;
	size_t max_body;
	struct h1_side side[2];
	struct h1_req *queue, *queue_tail; /* oldest first */
	uint64_t dropped;		   /* messages dropped for lack of memory */
};

static const char *const methods[] = {
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE",
};

bool http1_looks_like_request(const void *data, size_t len)
{
	const char *p = data;

	if (!data || !len)
		return false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t ml = strlen(methods[i]);
		const char *t;
		size_t tl;

		if (len <= ml) {
			if (!memcmp(p, methods[i], len))
				return true;
			continue;
		}
		if (memcmp(p, methods[i], ml) || p[ml] != ' ')
			continue;
		t = p + ml + 1;
		tl = len - ml - 1 < 4 ? len - ml - 1 : 4;
		/* origin form, asterisk form, absolute form (proxies) */
		if (!tl || *t == '/' || *t == '*' || !memcmp(t, "http", tl))
			return true;
	}
	return false;
}

static bool looks_like_status(const void *data, size_t len)
{
	static const char start[] = "HTTP/1.";

	return len && !memcmp(data, start, len < sizeof(start) - 1 ? len : sizeof(start) - 1);
}

static bool starts_message(enum http_dir dir, const void *data, size_t len)
{
	return dir == HTTP_OUT ? http1_looks_like_request(data, len) : looks_like_status(data, len);
}

/* ---- request lifetime ---- */

static void req_put(struct h1_req *r)
{
	if (r && r->out_done && r->resp_done) {
		http_msg_release(&r->msg);
		free(r);
	}
}

static void queue_push(struct http1 *h, struct h1_req *r)
{
	r->next = NULL;
	if (h->queue_tail)
		h->queue_tail->next = r;
	else
		h->queue = r;
	h->queue_tail = r;
}

static struct h1_req *queue_pop(struct http1 *h)
{
	struct h1_req *r = h->queue;

	if (r) {
		h->queue = r->next;
		if (!h->queue)
			h->queue_tail = NULL;
		r->next = NULL;
	}
	return r;
}

/* ---- body and marks ---- */

static void msg_mark(struct h1_side *s, uint64_t ts)
{
	struct http_msg *m = s->msg;
	size_t last = m->nmarks ? m->marks[m->nmarks - 1].off : 0;

	if (m->body_len <= last)
		return;
	if (m->nmarks == s->marks_cap) {
		size_t ncap = s->marks_cap ? s->marks_cap * 2 : 16;
		struct http_mark *nm = realloc(m->marks, ncap * sizeof(*nm));

		if (!nm)
			return; /* a missing mark only coarsens timing */
		m->marks = nm;
		s->marks_cap = ncap;
	}
	m->marks[m->nmarks].off = m->body_len;
	m->marks[m->nmarks].ts = ts;
	m->nmarks++;
}

static void body_store(struct h1_side *s, const unsigned char *p, size_t n)
{
	struct http_msg *m = s->msg;
	size_t max = s->h->max_body;
	size_t take = max - m->body_len < n ? max - m->body_len : n;

	m->lost += n - take;
	if (!take)
		return;
	if (m->body_len + take + 1 > s->body_cap) {
		size_t ncap = s->body_cap ? s->body_cap : 1024;
		unsigned char *nb;

		while (ncap < m->body_len + take + 1)
			ncap = ncap > max / 2 ? max + 1 : ncap * 2;
		nb = realloc(m->body, ncap);
		if (!nb) {
			m->lost += take;
			return;
		}
		m->body = nb;
		s->body_cap = ncap;
	}
	memcpy(m->body + m->body_len, p, take);
	m->body_len += take;
	m->body[m->body_len] = '\0';
}

static bool sse_line_is(const struct h1_side *s, size_t len, const char *text)
{
	return strlen(text) == len && !memcmp(s->sse_line, text, len);
}

/* A complete SSE line was collected; true if it ends the stream. */
static bool sse_line_end(struct h1_side *s)
{
	size_t len = s->sse_len;
	bool end;

	if (s->sse_long)
		return false; /* a long line (an event's data) is never a terminator */
	if (len && s->sse_line[len - 1] == '\r')
		len--;
	if (!len) {
		/* blank line: the end of an event, the last one if it was message_stop */
		end = s->sse_stop;
		s->sse_stop = false;
		return end;
	}
	if (sse_line_is(s, len, "data: [DONE]") || sse_line_is(s, len, "data:[DONE]"))
		return true;
	if (len > 6 && !memcmp(s->sse_line, "event:", 6)) {
		/* the last event of a stream: Anthropic's, the Responses API's */
		static const char *const names[] = {"message_stop", "response.completed",
						    "response.incomplete", "response.failed"};
		size_t off = s->sse_line[6] == ' ' ? 7 : 6;

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (len - off == strlen(names[i]) &&
			    !memcmp(s->sse_line + off, names[i], len - off))
				s->sse_stop = true;
	}
	return false;
}

/* Returns how many of p[0..n) belong to the stream: all, or up to the line that ends it. */
static size_t sse_scan(struct h1_side *s, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			bool end = sse_line_end(s);

			s->sse_len = 0;
			s->sse_long = false;
			if (end) {
				s->sse_done = true;
				return i + 1;
			}
		} else if (s->sse_len < SSE_LINE_MAX) {
			s->sse_line[s->sse_len++] = p[i];
		} else {
			s->sse_long = true;
		}
	}
	return n;
}

/* decomp emit callback, and the path of undecoded bodies */
static void body_emit(void *ctx, const void *out, size_t n)
{
	struct h1_side *s = ctx;

	if (s->silent || s->sse_done)
		return;
	if (s->sse)
		n = sse_scan(s, out, n);
	body_store(s, out, n);
}

/* ---- delivery ---- */

static void req_deliver(struct http1 *h, struct h1_req *r)
{
	struct h1_side *out = &h->side[HTTP_OUT];

	if (r->delivered)
		return;
	r->delivered = true;
	if (out->req == r) {
		msg_mark(out, r->msg.ts_end);
		out->silent = true; /* whatever of it still arrives is not stored */
	}
	h->cb(h->ctx, &r->msg, NULL);
}

/* Hands the side's message to the callback; the side stays in its framing, silent. */
static void msg_deliver(struct h1_side *s)
{
	struct http1 *h = s->h;
	struct h1_req *r = s->req;

	if (s->silent)
		return;
	if (s->dir == HTTP_OUT) {
		req_deliver(h, r);
		return;
	}
	msg_mark(s, s->resp.ts_end);
	s->silent = true;
	if (r) {
		req_deliver(h, r);
		h->cb(h->ctx, &r->msg, &s->resp);
		r->resp_done = true;
		s->req = NULL;
		req_put(r);
	}
	http_msg_release(&s->resp);
	s->msg = NULL;
}

/* The message on this side ends (framed, cut or abandoned): deliver it unless already done. */
static void msg_end(struct h1_side *s, bool complete)
{
	if (!s->silent && s->msg)
		s->msg->complete = complete;
	msg_deliver(s);
	if (s->dir == HTTP_OUT && s->req) {
		s->req->out_done = true;
		req_put(s->req);
	}
	if (s->dir == HTTP_IN)
		http_msg_release(&s->resp);
	s->req = NULL;
	s->msg = NULL;
	s->silent = false;
	decomp__free(s->dec);
	s->dec = NULL;
	s->framing = FR_NONE;
	s->body_cap = s->marks_cap = 0;
	s->sse = s->sse_done = s->sse_stop = s->sse_long = false;
	s->sse_len = 0;
	s->line_len = s->trailer_len = 0;
	s->state = ST_IDLE;
}

/* Garbage or a hole: give up on the message in progress and skip to the next message start. */
static void side_resync(struct h1_side *s)
{
	if (s->state == ST_BODY)
		msg_end(s, false);
	s->head_len = 0;
	s->state = ST_RESYNC;
}

/* ---- body framing ---- */

static void body_data(struct h1_side *s, const unsigned char *p, size_t n)
{
	struct http_msg *m = s->msg;

	if (s->silent)
		return;
	m->wire_len += n;
	if (s->dec) {
		if (decomp_feed(s->dec, p, n, body_emit, s))
			m->decode_error = true;
	} else {
		body_emit(s, p, n);
	}
	if (s->sse_done) {
		m->complete = true;
		msg_deliver(s);
	}
}

/* Collects a CRLF-terminated line; returns bytes used and sets *done once the LF was seen. */
static size_t line_take(struct h1_side *s, const unsigned char *p, size_t len, bool *done)
{
	const unsigned char *lf = memchr(p, '\n', len);
	size_t n = lf ? (size_t)(lf - p) : len;

	for (size_t i = 0; i < n && s->line_len + i < LINE_KEEP; i++)
		s->line[s->line_len + i] = p[i];
	s->line_len += n;
	*done = lf != NULL;
	return lf ? n + 1 : n;
}

static bool line_empty(const struct h1_side *s)
{
	return !s->line_len || (s->line_len == 1 && s->line[0] == '\r');
}

/* Chunk-size line: hex digits, then optional whitespace, extensions or CR. */
static int chunk_size(const struct h1_side *s, uint64_t *size)
{
	size_t kept = s->line_len < LINE_KEEP ? s->line_len : LINE_KEEP;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < kept; i++) {
		char c = s->line[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (v >= SIZE_MAX_OK >> 4)
			return -EINVAL;
		v = v << 4 | d;
	}
	if (!i)
		return -EINVAL;
	if (i == kept) {
		if (kept < s->line_len)
			return -EINVAL; /* digits run past what was kept */
	} else if (s->line[i] != ' ' && s->line[i] != '\t' && s->line[i] != ';' &&
		   s->line[i] != '\r') {
		return -EINVAL;
	}
	*size = v;
	return 0;
}

static size_t chunked_feed(struct h1_side *s, const unsigned char *p, size_t len)
{
	size_t n;
	bool done;

	if (s->chunk == CH_DATA) {
		n = s->left < len ? s->left : len;
		body_data(s, p, n);
		s->left -= n;
		if (!s->left) {
			s->chunk = CH_DATA_END;
			s->line_len = 0;
		}
		return n;
	}
	n = line_take(s, p, len, &done);
	if (s->line_len > HEAD_MAX)
		goto bad;
	if (!done)
		return n;
	switch (s->chunk) {
	case CH_SIZE:
		if (chunk_size(s, &s->left))
			goto bad;
		s->chunk = s->left ? CH_DATA : CH_TRAILER;
		break;
	case CH_DATA_END:
		if (!line_empty(s))
			goto bad;
		s->chunk = CH_SIZE;
		break;
	case CH_TRAILER:
		if (line_empty(s)) {
			s->line_len = 0;
			msg_end(s, true);
			return n;
		}
		s->trailer_len += s->line_len;
		if (s->trailer_len > HEAD_MAX)
			goto bad;
		break;
	default:
		break;
	}
	s->line_len = 0;
	return n;
bad:
	if (!s->silent)
		s->msg->decode_error = true;
	side_resync(s);
	return n;
}

static size_t body_feed(struct h1_side *s, const unsigned char *p, size_t len)
{
	size_t n;

	switch (s->framing) {
	case FR_LENGTH:
		n = s->left < len ? s->left : len;
		body_data(s, p, n);
		s->left -= n;
		if (!s->left)
			msg_end(s, true);
		return n;
	case FR_CHUNKED:
		return chunked_feed(s, p, len);
	case FR_CLOSE:
		body_data(s, p, len);
		return len;
	default:
		msg_end(s, true);
		return 0;
	}
}

/* ---- header block ---- */

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Next line of the header block at *pos, without its CR LF; false at the end. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *lf;

	if (*pos >= len)
		return false;
	*line = buf + *pos;
	lf = memchr(*line, '\n', len - *pos);
	*n = lf ? (size_t)(lf - *line) : len - *pos;
	*pos += *n + (lf ? 1 : 0);
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	return true;
}

static char *dup_redacted(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	if (redact_needed(d, n))
		redact_secrets(d, n);
	return d;
}

static int version_of(const char *s, size_t n)
{
	if (n != 8 || memcmp(s, "HTTP/1.", 7))
		return -EINVAL;
	if (s[7] == '0')
		return 10;
	if (s[7] == '1')
		return 11;
	return -EINVAL;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Appends an obs-fold continuation to the last header value. */
static int header_fold(struct http_msg *m, const char *v, size_t vn)
{
	struct http_header *hd = &m->hdrs[m->nhdrs - 1];
	size_t old = strlen(hd->value);
	char *nv;

	if (!strcmp(hd->value, REDACTED) && redact_header_name(hd->name, strlen(hd->name)))
		return 0;
	nv = realloc(hd->value, old + 1 + vn + 1);
	if (!nv)
		return -ENOMEM;
	nv[old] = ' ';
	memcpy(nv + old + 1, v, vn);
	nv[old + 1 + vn] = '\0';
	hd->value = nv;
	if (redact_needed(nv, old + 1 + vn))
		redact_secrets(nv, old + 1 + vn);
	return 0;
}

static int header_add(struct http_msg *m, size_t *cap, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);
	const char *v;
	size_t nn, vn;
	struct http_header *hd;

	if (line[0] == ' ' || line[0] == '\t') {
		if (!m->nhdrs)
			return -EINVAL;
		v = line;
		vn = n;
		trim(&v, &vn);
		return header_fold(m, v, vn);
	}
	if (!colon || colon == line)
		return -EINVAL;
	nn = colon - line;
	for (size_t i = 0; i < nn; i++)
		if (!is_tchar(line[i]))
			return -EINVAL;
	v = colon + 1;
	vn = n - nn - 1;
	trim(&v, &vn);
	if (m->nhdrs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct http_header *nh = realloc(m->hdrs, ncap * sizeof(*nh));

		if (!nh)
			return -ENOMEM;
		m->hdrs = nh;
		*cap = ncap;
	}
	hd = &m->hdrs[m->nhdrs];
	hd->name = strndup(line, nn);
	if (redact_header_name(line, nn))
		hd->value = strdup(REDACTED);
	else
		hd->value = dup_redacted(v, vn);
	if (!hd->name || !hd->value) {
		free(hd->name);
		free(hd->value);
		return -ENOMEM;
	}
	m->nhdrs++;
	return 0;
}

/* Parses the header lines after the start line into m; 0, -EINVAL or -ENOMEM. */
static int fields_parse(struct http_msg *m, const char *buf, size_t len, size_t pos)
{
	size_t cap = 0, n;
	const char *line;
	const char *host;

	while (next_line(buf, len, &pos, &line, &n)) {
		int err;

		if (!n)
			break; /* the blank line that ends the block */
		err = header_add(m, &cap, line, n);
		if (err)
			return err;
	}
	host = http_header_get(m, "host");
	if (host && !(m->authority = strdup(host)))
		return -ENOMEM;
	return 0;
}

static bool value_has_token(const char *v, const char *tok)
{
	size_t tl = strlen(tok);

	/* comma-separated list, any case: "gzip, chunked" */
	while (*v) {
		size_t n;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		n = strcspn(v, ",");
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		if (n == tl && !strncasecmp(v, tok, tl))
			return true;
		v += strcspn(v, ",");
	}
	return false;
}

/* Framing from the headers (RFC 9112 §6.3): chunked wins over Content-Length. */
static int framing_of(const struct http_msg *m, enum h1_framing *fr, uint64_t *len)
{
	bool have_cl = false, te = false;
	uint64_t cl = 0;

	*fr = FR_NONE;
	*len = 0;
	for (size_t i = 0; i < m->nhdrs; i++) {
		const char *v = m->hdrs[i].value;

		if (!strcasecmp(m->hdrs[i].name, "transfer-encoding")) {
			te = true;
			if (value_has_token(v, "chunked"))
				*fr = FR_CHUNKED;
		} else if (!strcasecmp(m->hdrs[i].name, "content-length")) {
			uint64_t x = 0;

			if (!*v)
				return -EINVAL;
			for (const char *c = v; *c; c++) {
				if (*c < '0' || *c > '9' || x >= SIZE_MAX_OK / 10)
					return -EINVAL;
				x = x * 10 + (*c - '0');
			}
			if (have_cl && x != cl)
				return -EINVAL;
			have_cl = true;
			cl = x;
		}
	}
	if (*fr == FR_CHUNKED)
		return 0;
	if (te) {
		*fr = FR_CLOSE; /* a transfer coding without chunked: only the close ends it */
		return 0;
	}
	if (have_cl) {
		*fr = FR_LENGTH;
		*len = cl;
	}
	return 0;
}

static bool value_starts(const char *v, const char *prefix)
{
	if (!v)
		return false;
	while (*v == ' ' || *v == '\t')
		v++;
	return !strncasecmp(v, prefix, strlen(prefix));
}

/* Enters the body of the parsed message, or ends it at once if it has none. */
static void body_begin(struct h1_side *s, enum h1_framing fr, uint64_t len)
{
	struct http_msg *m = s->msg;
	enum decomp_kind k;

	if (fr == FR_NONE || (fr == FR_LENGTH && !len)) {
		msg_end(s, true);
		return;
	}
	s->state = ST_BODY;
	s->framing = fr;
	s->left = len;
	s->chunk = CH_SIZE;
	s->line_len = s->trailer_len = 0;
	if (s->silent)
		return;
	k = decomp_kind_of(http_header_get(m, "content-encoding"));

	if (k == DECOMP_UNKNOWN) {
		m->decode_error = true; /* stored as received */
	} else if (k != DECOMP_IDENTITY) {
		s->dec = decomp__new(k);
		if (!s->dec) {
			m->decode_error = true;
			s->h->dropped++;
		}
	}
	s->sse =
	    !m->is_request && value_starts(http_header_get(m, "content-type"), "text/event-stream");
}

static int request_line(struct http_msg *m, const char *line, size_t n)
{
	const char *sp1 = memchr(line, ' ', n), *sp2;
	size_t ml;
	int v;

	if (!sp1)
		return -EINVAL;
	ml = sp1 - line;
	if (!ml || ml >= sizeof(m->method))
		return -EINVAL;
	for (size_t i = 0; i < ml; i++)
		if (!is_tchar(line[i]))
			return -EINVAL;
	sp2 = memchr(sp1 + 1, ' ', n - ml - 1);
	if (!sp2 || sp2 == sp1 + 1)
		return -EINVAL;
	v = version_of(sp2 + 1, n - (size_t)(sp2 + 1 - line));
	if (v < 0)
		return v;
	for (const char *c = sp1 + 1; c < sp2; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return -EINVAL;
	memcpy(m->method, line, ml);
	m->method[ml] = '\0';
	m->version = v;
	m->path = dup_redacted(sp1 + 1, sp2 - sp1 - 1);
	return m->path ? 0 : -ENOMEM;
}

static void request_parsed(struct h1_side *s, uint64_t ts)
{
	struct http1 *h = s->h;
	struct h1_req *r = calloc(1, sizeof(*r));
	const char *line = NULL;
	size_t pos = 0, n = 0;
	enum h1_framing fr;
	uint64_t len;
	int err;

	if (!r) {
		err = -ENOMEM;
		goto fail;
	}
	r->msg.is_request = true;
	r->msg.ts_start = s->head_ts;
	r->msg.ts_end = ts;
	next_line(s->head, s->head_len, &pos, &line, &n);
	err = request_line(&r->msg, line, n);
	if (!err)
		err = fields_parse(&r->msg, s->head, s->head_len, pos);
	if (!err)
		err = framing_of(&r->msg, &fr, &len);
	if (err)
		goto fail;
	if (fr == FR_CLOSE)
		fr = FR_NONE; /* a request cannot be framed by the close */
	queue_push(h, r);
	s->req = r;
	s->msg = &r->msg;
	s->silent = false;
	body_begin(s, fr, len);
	return;
fail:
	if (err == -ENOMEM)
		h->dropped++;
	if (r) {
		http_msg_release(&r->msg);
		free(r);
	}
	side_resync(s);
}

static int status_line(struct http_msg *m, const char *line, size_t n)
{
	int v;

	if (n < 12 || line[8] != ' ')
		return -EINVAL;
	v = version_of(line, 8);
	if (v < 0)
		return v;
	for (int i = 9; i < 12; i++)
		if (line[i] < '0' || line[i] > '9')
			return -EINVAL;
	if (n > 12 && line[12] != ' ')
		return -EINVAL;
	m->version = v;
	m->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	return m->status >= 100 ? 0 : -EINVAL;
}

static void response_parsed(struct h1_side *s, uint64_t ts)
{
	struct http1 *h = s->h;
	struct http_msg *m = &s->resp;
	struct h1_req *r;
	const char *line = NULL;
	size_t pos = 0, n = 0;
	enum h1_framing fr;
	uint64_t len;
	bool tunnel;
	int err;

	memset(m, 0, sizeof(*m));
	m->ts_start = s->head_ts;
	m->ts_end = ts;
	next_line(s->head, s->head_len, &pos, &line, &n);
	err = status_line(m, line, n);
	if (!err)
		err = fields_parse(m, s->head, s->head_len, pos);
	if (!err)
		err = framing_of(m, &fr, &len);
	if (err) {
		if (err == -ENOMEM)
			h->dropped++;
		http_msg_release(m);
		side_resync(s);
		return;
	}
	if (m->status < 200 && m->status != 101) {
		/* interim (100 Continue, 103 Early Hints): the final response follows */
		http_msg_release(m);
		s->state = ST_IDLE;
		return;
	}
	if (fr == FR_NONE)
		fr = FR_CLOSE; /* neither length nor chunked: the body runs to the close */
	r = queue_pop(h);
	s->req = r;
	s->msg = m;
	s->silent = !r;
	/* 101 and a successful CONNECT turn the connection into something that is not HTTP */
	tunnel = m->status == 101 ||
		 (r && !strcmp(r->msg.method, "CONNECT") && m->status >= 200 && m->status < 300);
	if (tunnel || m->status == 204 || m->status == 304 || (r && !strcmp(r->msg.method, "HEAD")))
		fr = FR_NONE;
	body_begin(s, fr, len);
	if (tunnel)
		side_resync(s);
}

/* Adds header bytes; returns how many were used (the block's end stops it). */
static size_t head_feed(struct h1_side *s, const unsigned char *p, size_t len, uint64_t ts)
{
	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if (s->head_len == s->head_cap) {
			size_t ncap = s->head_cap ? s->head_cap * 2 : 1024;
			char *nh;

			if (s->head_len >= HEAD_MAX) {
				side_resync(s); /* no header block is that long: garbage */
				return i;
			}
			nh = realloc(s->head, ncap);
			if (!nh) {
				s->h->dropped++;
				side_resync(s);
				return i;
			}
			s->head = nh;
			s->head_cap = ncap;
		}
		s->head[s->head_len++] = c;
		/* garbage shows in the first bytes: give up then rather than after 64 KiB */
		if (s->head_len <= 16 && !starts_message(s->dir, s->head, s->head_len)) {
			side_resync(s);
			return i + 1;
		}
		if (c != '\n' || s->head_len < 2)
			continue;
		if (s->head[s->head_len - 2] == '\n' ||
		    (s->head_len >= 3 && s->head[s->head_len - 2] == '\r' &&
		     s->head[s->head_len - 3] == '\n')) {
			s->state = ST_IDLE; /* the parsers move it on */
			if (s->dir == HTTP_OUT)
				request_parsed(s, ts);
			else
				response_parsed(s, ts);
			s->head_len = 0;
			return i + 1;
		}
	}
	return len;
}

/* ---- public API ---- */

struct http1 *http1__new(http_cb cb, void *ctx, size_t max_body)
{
	struct http1 *h;

	if (!cb)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->cb = cb;
	h->ctx = ctx;
	/* so that body_len + 1 and capacity doubling cannot overflow */
	h->max_body = max_body < SIZE_MAX / 4 ? max_body : SIZE_MAX / 4;
	for (int d = 0; d < 2; d++) {
		h->side[d].h = h;
		h->side[d].dir = d;
		h->side[d].state = ST_RESYNC; /* the first feed must start a message */
	}
	return h;
}

void http1__free(struct http1 *h)
{
	struct h1_req *r;

	if (!h)
		return;
	/* each request is released once both of its sides have let go of it */
	if (h->side[HTTP_IN].req) {
		h->side[HTTP_IN].req->resp_done = true;
		req_put(h->side[HTTP_IN].req);
	}
	while ((r = queue_pop(h))) {
		r->resp_done = true;
		req_put(r);
	}
	if (h->side[HTTP_OUT].req) {
		h->side[HTTP_OUT].req->out_done = true;
		req_put(h->side[HTTP_OUT].req);
	}
	http_msg_release(&h->side[HTTP_IN].resp);
	for (int d = 0; d < 2; d++) {
		decomp__free(h->side[d].dec);
		free(h->side[d].head);
	}
	free(h);
}

void http1_feed(struct http1 *h, enum http_dir dir, const void *data, size_t len, uint64_t ts)
{
	const unsigned char *p = data;
	struct h1_side *s;

	if (!h || (dir != HTTP_OUT && dir != HTTP_IN) || !data || !len)
		return;
	s = &h->side[dir];
	if (s->state == ST_RESYNC) {
		if (!starts_message(dir, p, len))
			return;
		s->state = ST_IDLE;
	} else if (s->state == ST_BODY && s->silent && starts_message(dir, p, len)) {
		msg_end(s, false); /* the reader moved on without the rest of a delivered body */
	}
	while (len && s->state != ST_RESYNC) {
		size_t n = 0;

		switch (s->state) {
		case ST_IDLE:
			/* stray CR LF between messages is ignored (RFC 9112 §2.2) */
			if (*p == '\r' || *p == '\n') {
				n = 1;
				break;
			}
			s->state = ST_HEAD;
			s->head_len = 0;
			s->head_ts = ts;
			break;
		case ST_HEAD:
			n = head_feed(s, p, len, ts);
			break;
		case ST_BODY:
			if (!s->silent)
				s->msg->ts_end = ts;
			n = body_feed(s, p, len);
			break;
		default:
			break;
		}
		p += n;
		len -= n;
	}
	if (s->state == ST_BODY && !s->silent)
		msg_mark(s, ts);
}

void http1_gap(struct http1 *h, enum http_dir dir, uint64_t n)
{
	struct h1_side *s;

	if (!h || (dir != HTTP_OUT && dir != HTTP_IN))
		return;
	s = &h->side[dir];
	if (s->state == ST_BODY && !s->silent)
		s->msg->lost += n;
	side_resync(s);
}

void http1_close(struct http1 *h, uint64_t ts)
{
	struct h1_side *in;
	struct h1_req *r;

	if (!h)
		return;
	in = &h->side[HTTP_IN];
	/* the request first, so it is delivered before any response to it */
	side_resync(&h->side[HTTP_OUT]);
	if (in->state == ST_BODY)
		msg_end(in, in->framing == FR_CLOSE);
	side_resync(in);
	while ((r = queue_pop(h))) {
		struct http_msg none = {.version = r->msg.version, .ts_start = ts, .ts_end = ts};

		req_deliver(h, r);
		h->cb(h->ctx, &r->msg, &none);
		r->resp_done = true;
		req_put(r);
	}
}
