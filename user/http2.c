// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * http2.c - HTTP/2 client-side reassembly (RFC 9113) for one connection.
 *
 * Each direction is parsed as a byte stream: only a frame's 9-byte header and a few prefix bytes
 * (pad length, priority, control fields) are ever buffered, DATA is decoded into the body as it
 * arrives (so marks time a token to the record that carried it) and header-block fragments go
 * straight into the direction's HPACK inflater.
 *
 * Decisions the header leaves open:
 * - Streams are created by the client's HEADERS, or, once the client side is not known to be in
 *   sync from the preface (attached mid-connection, after a gap), by its DATA: such a request is
 *   "headerless" (method "", path "", no headers) and delivered all the same so the LLM layer can
 *   sniff its body; it counts as seen, so its response is delivered too. A headerless body that
 *   starts with the gzip magic is gunzipped. Frames from the server for streams we do not track
 *   are ignored, but their header blocks are still decoded to keep HPACK in step.
 * - A header block that fails to decode leaves its message headerless (nothing of the partial
 *   block is kept, per http2.h) and the inflater is replaced by a fresh one. The fresh table only
 *   ever holds entries from blocks decoded since, which are the newest entries of the encoder's
 *   table in the same order: indices it resolves are right, the others fail. The same reset
 *   happens whenever frame sync is lost.
 * - A second header block on a side of a stream is a trailer section: its regular headers are
 *   appended to hdrs (pseudo-headers dropped). 1xx response blocks are skipped.
 * - A request is delivered at the client's END_STREAM. When the response ends (END_STREAM, the
 *   SSE end), or the stream is reset, refused by GOAWAY, evicted, or the connection closes first,
 *   a request not yet delivered is delivered then with complete=false, so a response callback
 *   always follows its request's. Aborted responses get ts_end (and, if nothing arrived,
 *   ts_start) = the time of the abort.
 * - SSE: like HTTP/1.1, a text/event-stream response ends at the line `data: [DONE]` or at the
 *   end of an `event: message_stop` (or Responses API `response.completed`/`.incomplete`/
 *   `.failed`) event; the body stops after that line.
 * - Sync: a frame header that breaks RFC 9113's fixed rules (lengths of PING, RST_STREAM...,
 *   stream 0 where one is required, length over the peer's SETTINGS_MAX_FRAME_SIZE) or an
 *   http2_gap() loses sync. The direction then skips whole feeds until one starts with a chain of
 *   plausible frame headers (known type, only defined flags, length <= the max frame size (16384
 *   if unknown), stream id odd and < 2^24, or 0 where required), every header inside the feed
 *   checked. SSL_write writes whole frames, so the client side resyncs at its next write; the
 *   server side when a TLS record happens to start at a frame. Bytes skipped (and gap bytes)
 *   count as lost on every message still open in that direction. A mid-connection start is
 *   handled the same way, from the first feed; the server's side is taken to start at a frame
 *   only if the client's preface came before its first byte.
 * - The fresh-table argument above fails only if the encoder shrank its table below 4096 bytes
 *   before we attached and then sent a field too big for it: rare, and a wrong value, not a crash.
 * - HPACK: the inflaters accept dynamic table size updates up to 64 KiB (more if the peer's
 *   SETTINGS_HEADER_TABLE_SIZE says so, capped at 1 MiB), so a mid-connection start does not
 *   need the SETTINGS it missed.
 * - Bounds: 1024 open streams (the oldest is abandoned, delivered incomplete), 256 headers and
 *   256 KiB per header block, 512 headers per message, max_body decoded bytes per body.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nghttp2/nghttp2.h>

#include "decomp.h"
#include "http2.h"
#include "redact.h"

#define FRAME_HDR_LEN	    9
#define DEFAULT_MAX_FRAME   16384u    /* SETTINGS_MAX_FRAME_SIZE's initial value */
#define LARGEST_FRAME	    0xffffffu /* what the 24-bit length can say */
#define HPACK_TABLE_DEFAULT 65536u    /* table size updates accepted without SETTINGS */
#define HPACK_TABLE_CAP	    (1u << 20)
#define MAX_STREAMS	    1024
#define CLOSED_RING	    256
#define BLOCK_MAX_HDRS	    256
#define BLOCK_MAX_BYTES	    (256 * 1024)
#define MSG_MAX_HDRS	    512
#define HUNT_MAX_SID	    0xffffffu

enum {
	F_DATA = 0,
	F_HEADERS = 1,
	F_PRIORITY = 2,
	F_RST_STREAM = 3,
	F_SETTINGS = 4,
	F_PUSH_PROMISE = 5,
	F_PING = 6,
	F_GOAWAY = 7,
	F_WINDOW_UPDATE = 8,
	F_CONTINUATION = 9,
};

#define FL_END_STREAM  0x01
#define FL_ACK	       0x01
#define FL_END_HEADERS 0x04
#define FL_PADDED      0x08
#define FL_PRIORITY    0x20

#define SETTINGS_HEADER_TABLE_SIZE 0x1
#define SETTINGS_MAX_FRAME_SIZE	   0x5

enum h2_state {
	ST_PREFACE, /* client side: matching the connection preface */
	ST_HUNT,    /* out of sync: waiting for a feed that starts with a frame */
	ST_HEAD,    /* collecting a frame header */
	ST_PREFIX,  /* pad length, priority, promised stream id, control fields */
	ST_CONTENT, /* data, header block fragment, settings... */
	ST_PAD,
};

/* A header block in progress: HEADERS or PUSH_PROMISE plus its CONTINUATIONs. */
struct h2_block {
	bool active;
	bool failed;
	bool push;
	bool end_stream;
	uint32_t sid;
	uint64_t ts;
	char method[16];
	char *path;
	char *authority;
	int status;
	struct http_header *hdrs;
	size_t nhdrs;
	size_t cap;
	size_t bytes;
};

struct h2_dir {
	enum h2_state st;
	bool clean; /* in sync since the preface: every stream's HEADERS was seen */
	size_t preface_got;
	unsigned char hdr[FRAME_HDR_LEN];
	size_t hdr_got;
	/* the frame being parsed */
	uint32_t flen;
	uint8_t type;
	uint8_t flags;
	uint32_t sid;
	bool skip; /* its content means nothing to us */
	unsigned char pre[8];
	size_t pre_need;
	size_t pre_got;
	uint32_t content_left;
	uint32_t pad_left;
	unsigned char setting[6];
	size_t setting_got;
	/* limits the peer announced for what this direction may send */
	uint32_t max_frame;
	bool max_frame_known;
	uint32_t hpack_max;
	nghttp2_hd_inflater *inf;
	struct h2_block blk;
};

/* One side (request or response) of a stream. */
struct h2_half {
	struct http_msg m;
	struct decomp *dec;
	size_t body_cap;
	size_t marks_cap;
	uint64_t mark_seq; /* feed that made the last mark */
	bool started;
	bool hdrs_done; /* the header block was seen, or given up on */
	bool headerless;
	bool ended;
	bool delivered;
	bool dec_ready; /* decoding chosen at the first DATA */
	bool raw;	/* stored as it came (identity, or no decoder) */
	bool sse;
	bool sse_done;
	bool sse_stop; /* inside a last event (message_stop, response.completed...) */
	char line[32]; /* the start of the current SSE line: "event: response.incomplete" fits */
	size_t line_len;
};

struct h2_stream {
	uint32_t id;
	struct h2_half req;
	struct h2_half resp;
};

struct http2 {
	http_cb cb;
	void *ctx;
	size_t max_body;
	struct h2_dir dir[2];
	struct h2_stream **streams; /* oldest first */
	size_t nstreams;
	size_t streams_cap;
	uint32_t closed[CLOSED_RING]; /* recently finished stream ids: never recreated */
	size_t nclosed;
	uint64_t ts;  /* the record being fed */
	uint64_t seq; /* counts feeds, for one mark per feed */
	bool in_seen;
	bool finished;
	struct http2_stats stats;
};

static void dir_desync(struct http2 *h, enum http_dir di);
static void dir_skip(struct http2 *h, enum http_dir di, size_t n);

/* ---- stream table ------------------------------------------------------------------------ */

static struct h2_stream *stream_find(struct http2 *h, uint32_t sid)
{
	for (size_t i = h->nstreams; i > 0; i--)
		if (h->streams[i - 1]->id == sid)
			return h->streams[i - 1];
	return NULL;
}

static bool stream_closed(const struct http2 *h, uint32_t sid)
{
	size_t n = h->nclosed < CLOSED_RING ? h->nclosed : CLOSED_RING;

	for (size_t i = 0; i < n; i++)
		if (h->closed[i] == sid)
			return true;
	return false;
}

static void half_release(struct h2_half *f)
{
	decomp__free(f->dec);
	http_msg_release(&f->m);
}

static void stream_remove(struct http2 *h, struct h2_stream *s)
{
	size_t i;

	for (i = 0; i < h->nstreams; i++)
		if (h->streams[i] == s)
			break;
	if (i == h->nstreams)
		return;
	memmove(&h->streams[i], &h->streams[i + 1], (h->nstreams - i - 1) * sizeof(h->streams[0]));
	h->nstreams--;
	h->closed[h->nclosed++ % CLOSED_RING] = s->id;
	half_release(&s->req);
	half_release(&s->resp);
	free(s);
}

static void half_touch(struct h2_half *f, uint64_t start, uint64_t now)
{
	if (!f->started) {
		f->started = true;
		f->m.ts_start = start;
	}
	f->m.ts_end = now;
}

static void deliver_req(struct http2 *h, struct h2_stream *s)
{
	if (s->req.delivered)
		return;
	s->req.delivered = true;
	if (!s->req.m.path)
		s->req.m.path = strdup(""); /* headerless: NULL only if even this fails */
	if (h->cb)
		h->cb(h->ctx, &s->req.m, NULL);
}

/* Delivers the response (its request first if need be) and frees the stream. */
static void deliver_resp(struct http2 *h, struct h2_stream *s, bool complete)
{
	deliver_req(h, s);
	s->resp.m.complete = complete;
	if (!complete)
		half_touch(&s->resp, h->ts, h->ts);
	if (h->cb)
		h->cb(h->ctx, &s->req.m, &s->resp.m);
	stream_remove(h, s);
}

static struct h2_stream *stream_new(struct http2 *h, uint32_t sid)
{
	struct h2_stream *s;

	if (h->nstreams == MAX_STREAMS) {
		h->stats.streams_dropped++;
		deliver_resp(h, h->streams[0], false);
	}
	if (h->nstreams == h->streams_cap) {
		size_t cap = h->streams_cap ? h->streams_cap * 2 : 8;
		struct h2_stream **n = realloc(h->streams, cap * sizeof(*n));

		if (!n)
			return NULL;
		h->streams = n;
		h->streams_cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->id = sid;
	s->req.m.is_request = true;
	s->req.m.version = 20;
	s->req.m.stream_id = sid;
	s->resp.m.version = 20;
	s->resp.m.stream_id = sid;
	h->streams[h->nstreams++] = s;
	return s;
}

/* Client-initiated streams have odd ids; a finished one is never brought back by stray frames. */
static struct h2_stream *stream_get_out(struct http2 *h, uint32_t sid)
{
	struct h2_stream *s = stream_find(h, sid);

	if (s || !(sid & 1) || stream_closed(h, sid))
		return s;
	return stream_new(h, sid);
}

/* `n` bytes of this direction are missing: every message still open in it lost them. */
static void lost_open(struct http2 *h, enum http_dir di, uint64_t n)
{
	for (size_t i = 0; i < h->nstreams; i++) {
		struct h2_half *f = di == HTTP_OUT ? &h->streams[i]->req : &h->streams[i]->resp;

		if (!f->ended)
			f->m.lost += n;
	}
}

/* ---- bodies -------------------------------------------------------------------------------- */

struct body_sink {
	struct http2 *h;
	struct h2_half *f;
};

static bool line_is(const char *line, size_t len, const char *s)
{
	return strlen(s) == len && !memcmp(line, s, len);
}

/*
 * An `event:` line naming the last event of a stream: Anthropic's message_stop, the Responses
 * API's response.completed/incomplete/failed (Codex stops reading there: the frame that ends the
 * HTTP/2 stream may never be decrypted before it exits).
 */
static bool stop_event(const char *line, size_t len)
{
	static const char *const names[] = {"message_stop", "response.completed",
					    "response.incomplete", "response.failed"};
	size_t off = len > 6 && line[6] == ' ' ? 7 : 6;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len - off == strlen(names[i]) && !memcmp(line + off, names[i], len - off))
			return true;
	return false;
}

/*
 * Follows the SSE lines of decoded bytes; returns how many of the `n` belong to the body, which
 * ends after the line that ends the stream.
 */
static size_t sse_scan(struct h2_half *f, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = f->line_len;
		bool fits = len <= sizeof(f->line);

		if (p[i] != '\n') {
			if (len < sizeof(f->line))
				f->line[len] = (char)p[i];
			if (len <= sizeof(f->line))
				f->line_len++;
			continue;
		}
		f->line_len = 0;
		if (fits && len && f->line[len - 1] == '\r')
			len--;
		if (!len) {
			if (f->sse_stop) {
				f->sse_done = true;
				return i + 1;
			}
			continue;
		}
		if (fits && (line_is(f->line, len, "data: [DONE]") ||
			     line_is(f->line, len, "data:[DONE]"))) {
			f->sse_done = true;
			return i + 1;
		}
		if (len >= 6 && !memcmp(f->line, "event:", 6))
			f->sse_stop = fits && stop_event(f->line, len);
	}
	return n;
}

static int body_reserve(struct h2_half *f, size_t need, size_t limit)
{
	size_t cap;
	unsigned char *b;

	if (need <= f->body_cap)
		return 0;
	cap = f->body_cap ? f->body_cap * 2 : 1024;
	if (cap < need)
		cap = need;
	if (cap > limit)
		cap = limit > need ? limit : need;
	b = realloc(f->m.body, cap);
	if (!b)
		return -ENOMEM;
	f->m.body = b;
	f->body_cap = cap;
	return 0;
}

static void mark_add(struct http2 *h, struct h2_half *f)
{
	struct http_msg *m = &f->m;

	if (m->nmarks && f->mark_seq == h->seq) {
		m->marks[m->nmarks - 1].off = m->body_len;
		return;
	}
	if (m->nmarks == f->marks_cap) {
		size_t cap = f->marks_cap ? f->marks_cap * 2 : 16;
		struct http_mark *n = realloc(m->marks, cap * sizeof(*n));

		if (!n)
			return; /* the time of these bytes falls back to a later mark or ts_end */
		m->marks = n;
		f->marks_cap = cap;
	}
	m->marks[m->nmarks].off = m->body_len;
	m->marks[m->nmarks].ts = h->ts;
	m->nmarks++;
	f->mark_seq = h->seq;
}

/* Decoded bytes: stored up to max_body, the rest counted as lost. */
static void body_emit(void *arg, const void *out, size_t n)
{
	struct body_sink *k = arg;
	struct h2_half *f = k->f;
	size_t room, take;

	if (f->sse_done)
		return;
	if (f->sse)
		n = sse_scan(f, out, n);
	room = k->h->max_body > f->m.body_len ? k->h->max_body - f->m.body_len : 0;
	take = n < room ? n : room;
	if (take && body_reserve(f, f->m.body_len + take + 1, k->h->max_body + 1))
		take = 0;
	f->m.lost += n - take;
	if (!take)
		return;
	memcpy(f->m.body + f->m.body_len, out, take);
	f->m.body_len += take;
	f->m.body[f->m.body_len] = '\0';
	mark_add(k->h, f);
}

static void half_decoder(struct h2_half *f, const unsigned char *p, size_t n)
{
	const char *ce = http_header_get(&f->m, "content-encoding");
	const char *ct = http_header_get(&f->m, "content-type");
	enum decomp_kind kind = decomp_kind_of(ce);

	f->dec_ready = true;
	if (f->headerless && n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		kind = DECOMP_GZIP;
	f->sse = !f->m.is_request && ct && !strncasecmp(ct, "text/event-stream", 17);
	if (kind == DECOMP_IDENTITY) {
		f->raw = true;
		return;
	}
	f->dec = decomp__new(kind);
	if (!f->dec) {
		/* unknown coding or no memory: keep the wire bytes, flagged as not decoded */
		f->raw = true;
		f->m.decode_error = true;
	}
}

static void half_data(struct http2 *h, struct h2_half *f, const unsigned char *p, size_t n)
{
	struct body_sink k = {.h = h, .f = f};

	half_touch(f, h->ts, h->ts);
	f->m.wire_len += n;
	if (!f->dec_ready)
		half_decoder(f, p, n);
	if (f->raw)
		body_emit(&k, p, n);
	else if (!f->m.decode_error && decomp_feed(f->dec, p, n, body_emit, &k) < 0)
		f->m.decode_error = true;
}

/* END_STREAM from one side; for the server's side this frees the stream. */
static void half_end(struct http2 *h, struct h2_stream *s, enum http_dir di)
{
	struct h2_half *f = di == HTTP_OUT ? &s->req : &s->resp;

	f->ended = true;
	f->m.complete = true;
	half_touch(f, h->ts, h->ts);
	if (di == HTTP_OUT)
		deliver_req(h, s);
	else
		deliver_resp(h, s, true);
}

/* ---- header blocks ------------------------------------------------------------------------- */

static nghttp2_hd_inflater *inflater_new(const struct h2_dir *d)
{
	nghttp2_hd_inflater *inf;

	if (nghttp2_hd_inflate_new(&inf))
		return NULL;
	/* only raises the bound on in-band table size updates: safe at any time */
	nghttp2_hd_inflate_change_table_size(inf, d->hpack_max);
	return inf;
}

static void inflater_reset(struct h2_dir *d)
{
	nghttp2_hd_inflate_del(d->inf);
	d->inf = inflater_new(d);
}

static void block_clear(struct h2_block *b)
{
	for (size_t i = 0; i < b->nhdrs; i++) {
		free(b->hdrs[i].name);
		free(b->hdrs[i].value);
	}
	free(b->hdrs);
	free(b->path);
	free(b->authority);
	memset(b, 0, sizeof(*b));
}

static void block_fail(struct http2 *h, struct h2_dir *d)
{
	struct h2_block *b = &d->blk;

	if (b->failed)
		return;
	b->failed = true;
	h->stats.hpack_errors++;
	inflater_reset(d);
	for (size_t i = 0; i < b->nhdrs; i++) {
		free(b->hdrs[i].name);
		free(b->hdrs[i].value);
	}
	b->nhdrs = 0;
}

static bool nv_name_is(const nghttp2_nv *nv, const char *s)
{
	return strlen(s) == nv->namelen && !memcmp(nv->name, s, nv->namelen);
}

static int parse_status(const uint8_t *v, size_t len)
{
	if (len != 3)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
	return (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
}

/* One decoded field, copied out at once (nv may point into the input or the inflater). */
static void block_add(struct h2_block *b, const nghttp2_nv *nv)
{
	char *name, *value;

	if (nv->namelen && nv->name[0] == ':') {
		if (nv_name_is(nv, ":method")) {
			size_t n = nv->valuelen < sizeof(b->method) - 1 ? nv->valuelen
									: sizeof(b->method) - 1;

			memcpy(b->method, nv->value, n);
			b->method[n] = '\0';
		} else if (nv_name_is(nv, ":path")) {
			free(b->path);
			b->path = strndup((const char *)nv->value, nv->valuelen);
		} else if (nv_name_is(nv, ":authority")) {
			free(b->authority);
			b->authority = strndup((const char *)nv->value, nv->valuelen);
		} else if (nv_name_is(nv, ":status")) {
			b->status = parse_status(nv->value, nv->valuelen);
		}
		return;
	}
	if (b->nhdrs == BLOCK_MAX_HDRS || b->bytes + nv->namelen + nv->valuelen > BLOCK_MAX_BYTES)
		return;
	if (b->nhdrs == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct http_header *n = realloc(b->hdrs, cap * sizeof(*n));

		if (!n)
			return;
		b->hdrs = n;
		b->cap = cap;
	}
	name = strndup((const char *)nv->name, nv->namelen);
	if (redact_header_name((const char *)nv->name, nv->namelen))
		value = strdup(REDACTED);
	else
		value = strndup((const char *)nv->value, nv->valuelen);
	if (!name || !value) {
		free(name);
		free(value);
		return;
	}
	b->hdrs[b->nhdrs].name = name;
	b->hdrs[b->nhdrs].value = value;
	b->nhdrs++;
	b->bytes += nv->namelen + nv->valuelen;
}

/* Feeds a fragment to the inflater; `final` (with no input) ends the block. */
static void block_inflate(struct http2 *h, struct h2_dir *d, const uint8_t *in, size_t len,
			  bool final)
{
	struct h2_block *b = &d->blk;

	if (b->failed)
		return;
	if (!d->inf) {
		block_fail(h, d);
		return;
	}
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(d->inf, &nv, &flags, in, len, final);

		if (rv < 0 || (size_t)rv > len) {
			block_fail(h, d);
			return;
		}
		if (rv) { /* in is NULL for the end of a block: no arithmetic on it */
			in += rv;
			len -= rv;
		}
		if (flags & NGHTTP2_HD_INFLATE_EMIT)
			block_add(b, &nv);
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(d->inf);
			return;
		}
		if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && (!len || !rv))
			break;
	}
	if (final || len)
		block_fail(h, d); /* truncated block, or no progress */
}

static void msg_add_hdrs(struct http_msg *m, struct h2_block *b)
{
	size_t n = b->nhdrs, i;
	struct http_header *hdrs;

	if (m->nhdrs + n > MSG_MAX_HDRS)
		n = m->nhdrs < MSG_MAX_HDRS ? MSG_MAX_HDRS - m->nhdrs : 0;
	if (n) {
		hdrs = realloc(m->hdrs, (m->nhdrs + n) * sizeof(*hdrs));
		if (hdrs) {
			m->hdrs = hdrs;
			memcpy(&m->hdrs[m->nhdrs], b->hdrs, n * sizeof(*hdrs));
			m->nhdrs += n;
		} else {
			n = 0;
		}
	}
	/* what did not fit stays in the block and is freed with it */
	for (i = 0; i < n; i++)
		b->hdrs[i].name = b->hdrs[i].value = NULL;
}

/* Request pseudo-headers only on requests, :status only on responses. */
static void msg_set_headers(struct http_msg *m, struct h2_block *b)
{
	msg_add_hdrs(m, b);
	if (!m->is_request) {
		m->status = b->status;
		return;
	}
	memcpy(m->method, b->method, sizeof(m->method));
	m->path = b->path;
	m->authority = b->authority;
	b->path = b->authority = NULL;
	if (!m->authority && http_header_get(m, "host"))
		m->authority = strdup(http_header_get(m, "host"));
}

/* The block is over (END_HEADERS, or given up on): hand it to its stream. */
static void block_finish(struct http2 *h, enum http_dir di)
{
	struct h2_dir *d = &h->dir[di];
	struct h2_block *b = &d->blk;
	struct h2_stream *s;
	struct h2_half *f;

	if (b->push)
		goto out;
	s = di == HTTP_OUT ? stream_get_out(h, b->sid) : stream_find(h, b->sid);
	if (!s)
		goto out;
	f = di == HTTP_OUT ? &s->req : &s->resp;
	if (f->ended)
		goto out;
	if (!f->hdrs_done) {
		if (b->failed) {
			f->headerless = true;
		} else if (di == HTTP_IN && b->status >= 100 && b->status < 200) {
			goto out; /* informational: the final header block is still to come */
		} else {
			msg_set_headers(&f->m, b);
		}
		f->hdrs_done = true;
	} else if (!b->failed) {
		msg_add_hdrs(&f->m, b); /* trailers */
	}
	half_touch(f, b->ts, h->ts);
	if (b->end_stream)
		half_end(h, s, di);
out:
	block_clear(b);
}

/* A block that never got its END_HEADERS (another frame came, or sync was lost). */
static void block_abandon(struct http2 *h, enum http_dir di)
{
	struct h2_dir *d = &h->dir[di];

	if (!d->blk.active)
		return;
	block_fail(h, d);
	block_finish(h, di);
}

static void block_begin(struct http2 *h, enum http_dir di, bool push)
{
	struct h2_dir *d = &h->dir[di];
	struct h2_block *b = &d->blk;

	block_clear(b);
	b->active = true;
	b->push = push;
	b->end_stream = !push && (d->flags & FL_END_STREAM);
	b->sid = d->sid;
	b->ts = h->ts;
	if (!d->inf)
		d->inf = inflater_new(d);
	else /* between blocks: a raise from SETTINGS can be applied now */
		nghttp2_hd_inflate_change_table_size(d->inf, d->hpack_max);
}

/* ---- frames -------------------------------------------------------------------------------- */

struct frame_hdr {
	uint32_t len;
	uint8_t type;
	uint8_t flags;
	uint32_t sid;
};

static struct frame_hdr frame_hdr_parse(const unsigned char *p)
{
	struct frame_hdr f = {
	    .len = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2],
	    .type = p[3],
	    .flags = p[4],
	    .sid = ((uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8]) &
		   0x7fffffff,
	};

	return f;
}

/* RFC 9113's fixed rules: a peer breaking them gets its connection closed, so we lost sync. */
static bool frame_valid(const struct h2_dir *d, const struct frame_hdr *f)
{
	if (f->len > d->max_frame)
		return false;
	switch (f->type) {
	case F_DATA:
	case F_HEADERS:
	case F_CONTINUATION:
		return f->sid;
	case F_PRIORITY:
		return f->sid && f->len == 5;
	case F_RST_STREAM:
		return f->sid && f->len == 4;
	case F_SETTINGS:
		return !f->sid && f->len % 6 == 0 && (!(f->flags & FL_ACK) || !f->len);
	case F_PUSH_PROMISE:
		return f->sid && f->len >= 4;
	case F_PING:
		return !f->sid && f->len == 8;
	case F_GOAWAY:
		return !f->sid && f->len >= 8;
	case F_WINDOW_UPDATE:
		return f->len == 4;
	default:
		return true; /* extension frames are ignored, whatever they hold */
	}
}

/* Stricter, for telling a frame boundary from the middle of a payload. */
static bool frame_plausible(const struct h2_dir *d, enum http_dir di, const struct frame_hdr *f)
{
	static const uint8_t flags_ok[] = {
	    [F_DATA] = FL_END_STREAM | FL_PADDED,
	    [F_HEADERS] = FL_END_STREAM | FL_END_HEADERS | FL_PADDED | FL_PRIORITY,
	    [F_PRIORITY] = 0,
	    [F_RST_STREAM] = 0,
	    [F_SETTINGS] = FL_ACK,
	    [F_PUSH_PROMISE] = FL_END_HEADERS | FL_PADDED,
	    [F_PING] = FL_ACK,
	    [F_GOAWAY] = 0,
	    [F_WINDOW_UPDATE] = 0,
	    [F_CONTINUATION] = FL_END_HEADERS,
	};
	uint32_t max = d->max_frame_known ? d->max_frame : DEFAULT_MAX_FRAME;

	if (f->type > F_CONTINUATION || (f->flags & ~flags_ok[f->type]) || f->len > max ||
	    f->sid > HUNT_MAX_SID || !frame_valid(d, f))
		return false;
	switch (f->type) {
	case F_SETTINGS:
	case F_PING:
	case F_GOAWAY:
	case F_WINDOW_UPDATE:
		return true;
	case F_PUSH_PROMISE:
		return di == HTTP_IN && (f->sid & 1);
	default:
		return f->sid & 1;
	}
}

/* A feed may resync us if every frame header it holds, starting at its first byte, is plausible. */
static bool hunt_ok(const struct h2_dir *d, enum http_dir di, const unsigned char *p, size_t len)
{
	size_t off = 0;

	if (len < FRAME_HDR_LEN)
		return false;
	while (len - off >= FRAME_HDR_LEN) {
		struct frame_hdr f = frame_hdr_parse(p + off);

		if (!frame_plausible(d, di, &f))
			return false;
		off += FRAME_HDR_LEN + f.len;
		if (off >= len)
			break;
	}
	return true;
}

static void settings_entry(struct http2 *h, enum http_dir di, const unsigned char *e)
{
	struct h2_dir *peer = &h->dir[!di]; /* the limits bind what the other side sends */
	uint16_t id = (uint16_t)(e[0] << 8 | e[1]);
	uint32_t v = (uint32_t)e[2] << 24 | (uint32_t)e[3] << 16 | (uint32_t)e[4] << 8 | e[5];

	if (id == SETTINGS_MAX_FRAME_SIZE && v >= DEFAULT_MAX_FRAME && v <= LARGEST_FRAME) {
		/* raising only: the sender may use the old, larger limit until it sees the new one
		 */
		if (!peer->max_frame_known || v > peer->max_frame)
			peer->max_frame = v;
		peer->max_frame_known = true;
	} else if (id == SETTINGS_HEADER_TABLE_SIZE && v > peer->hpack_max) {
		peer->hpack_max = v < HPACK_TABLE_CAP ? v : HPACK_TABLE_CAP; /* at the next block */
	}
}

static struct h2_half *frame_half(struct http2 *h, enum http_dir di, struct h2_stream **sp)
{
	struct h2_stream *s = stream_find(h, h->dir[di].sid);

	*sp = s;
	if (!s)
		return NULL;
	return di == HTTP_OUT ? &s->req : &s->resp;
}

static void frame_begin(struct http2 *h, enum http_dir di)
{
	struct h2_dir *d = &h->dir[di];
	struct frame_hdr f = frame_hdr_parse(d->hdr);

	if (!frame_valid(d, &f)) {
		dir_desync(h, di);
		dir_skip(h, di, FRAME_HDR_LEN);
		return;
	}
	d->flen = f.len;
	d->type = f.type;
	d->flags = f.flags;
	d->sid = f.sid;
	d->skip = false;
	d->pre_got = 0;
	d->setting_got = 0;
	d->content_left = d->pad_left = 0;
	if (d->blk.active && f.type != F_CONTINUATION)
		block_abandon(h, di);

	switch (f.type) {
	case F_DATA:
		d->pre_need = f.flags & FL_PADDED ? 1 : 0;
		break;
	case F_HEADERS:
		d->pre_need = (f.flags & FL_PADDED ? 1 : 0) + (f.flags & FL_PRIORITY ? 5 : 0);
		break;
	case F_PUSH_PROMISE:
		d->pre_need = (f.flags & FL_PADDED ? 1 : 0) + 4;
		break;
	case F_GOAWAY:
		d->pre_need = 8;
		break;
	default:
		d->pre_need = 0;
		break;
	}
	if (d->pre_need > f.len) {
		dir_desync(h, di);
		dir_skip(h, di, FRAME_HDR_LEN);
		return;
	}

	switch (f.type) {
	case F_DATA: {
		struct h2_stream *s =
		    di == HTTP_OUT && !d->clean ? stream_get_out(h, f.sid) : stream_find(h, f.sid);
		struct h2_half *hf = s ? (di == HTTP_OUT ? &s->req : &s->resp) : NULL;

		if (!hf || hf->ended) {
			d->skip = true;
		} else if (!hf->hdrs_done) {
			/* its header block was before we attached, or lost */
			hf->hdrs_done = true;
			hf->headerless = true;
		}
		break;
	}
	case F_HEADERS:
		block_begin(h, di, false);
		break;
	case F_PUSH_PROMISE:
		block_begin(h, di, true);
		break;
	case F_CONTINUATION:
		if (!d->blk.active) {
			d->skip = true; /* we joined in the middle of a block */
		} else if (d->blk.sid != f.sid) {
			block_abandon(h, di);
			d->skip = true;
		}
		break;
	default:
		break;
	}
	d->st = ST_PREFIX;
}

static void frame_end(struct http2 *h, enum http_dir di)
{
	struct h2_dir *d = &h->dir[di];
	struct h2_stream *s;
	struct h2_half *f;

	switch (d->type) {
	case F_DATA:
		f = frame_half(h, di, &s);
		if (!d->skip && f && !f->ended && (d->flags & FL_END_STREAM))
			half_end(h, s, di);
		break;
	case F_HEADERS:
	case F_PUSH_PROMISE:
	case F_CONTINUATION:
		if (!d->skip && d->blk.active && (d->flags & FL_END_HEADERS)) {
			block_inflate(h, d, NULL, 0, true);
			block_finish(h, di);
		}
		break;
	case F_RST_STREAM:
		s = stream_find(h, d->sid);
		if (s)
			deliver_resp(h, s, false);
		break;
	case F_GOAWAY:
		if (di == HTTP_IN) {
			/* streams above the server's last one were never processed */
			uint32_t last = ((uint32_t)d->pre[0] << 24 | (uint32_t)d->pre[1] << 16 |
					 (uint32_t)d->pre[2] << 8 | d->pre[3]) &
					0x7fffffff;

			for (size_t i = 0; i < h->nstreams;) {
				if (h->streams[i]->id > last)
					deliver_resp(h, h->streams[i], false);
				else
					i++;
			}
		}
		break;
	default:
		break;
	}
	d->st = ST_HEAD;
	d->hdr_got = 0;
}

/* The prefix is in: work out how the rest of the frame splits into content and padding. */
static void frame_prefix_done(struct http2 *h, enum http_dir di)
{
	struct h2_dir *d = &h->dir[di];
	uint32_t pad = 0;

	if ((d->type == F_DATA || d->type == F_HEADERS || d->type == F_PUSH_PROMISE) &&
	    (d->flags & FL_PADDED))
		pad = d->pre[0];
	if (d->pre_need + pad > d->flen) {
		dir_desync(h, di);
		dir_skip(h, di, FRAME_HDR_LEN + d->pre_need);
		return;
	}
	d->content_left = d->flen - d->pre_need - pad;
	d->pad_left = pad;
	d->st = ST_CONTENT;
}

static void frame_content(struct http2 *h, enum http_dir di, const unsigned char *p, size_t n)
{
	struct h2_dir *d = &h->dir[di];
	struct h2_stream *s;
	struct h2_half *f;

	if (d->skip)
		return;
	switch (d->type) {
	case F_DATA:
		f = frame_half(h, di, &s);
		if (!f || f->ended)
			return;
		half_data(h, f, p, n);
		if (f->sse_done)
			deliver_resp(h, s, true); /* what follows on this stream is ignored */
		break;
	case F_HEADERS:
	case F_PUSH_PROMISE:
	case F_CONTINUATION:
		if (d->blk.active)
			block_inflate(h, d, p, n, false);
		break;
	case F_SETTINGS:
		for (size_t i = 0; i < n; i++) {
			d->setting[d->setting_got++] = p[i];
			if (d->setting_got == sizeof(d->setting)) {
				settings_entry(h, di, d->setting);
				d->setting_got = 0;
			}
		}
		break;
	default:
		break;
	}
}

/* Lost sync: the frame in progress, the header block and the HPACK table are all suspect. */
static void dir_desync(struct http2 *h, enum http_dir di)
{
	struct h2_dir *d = &h->dir[di];

	h->stats.desyncs++;
	d->st = ST_HUNT;
	d->clean = false;
	block_abandon(h, di);
	inflater_reset(d);
}

static void dir_skip(struct http2 *h, enum http_dir di, size_t n)
{
	h->stats.skipped += n;
	lost_open(h, di, n);
}

static void dir_feed(struct http2 *h, enum http_dir di, const unsigned char *p, size_t len)
{
	struct h2_dir *d = &h->dir[di];
	size_t i = 0;

	if (d->st == ST_PREFACE) {
		while (i < len && d->preface_got < HTTP2_PREFACE_LEN &&
		       p[i] == (unsigned char)HTTP2_PREFACE[d->preface_got]) {
			i++;
			d->preface_got++;
		}
		if (d->preface_got == HTTP2_PREFACE_LEN) {
			d->st = ST_HEAD;
			d->clean = true;
			for (int k = 0; k < 2; k++) {
				if (!h->dir[k].max_frame_known)
					h->dir[k].max_frame = DEFAULT_MAX_FRAME;
				h->dir[k].max_frame_known = true;
			}
			/* the server's side starts at its first byte too */
			if (!h->in_seen)
				h->dir[HTTP_IN].st = ST_HEAD;
		} else if (i < len) {
			/* not a fresh connection: look for frames from this write on */
			d->st = ST_HUNT;
			if (i) {
				dir_skip(h, di, len - i);
				return;
			}
		} else {
			return;
		}
	}
	if (d->st == ST_HUNT) {
		if (i || !hunt_ok(d, di, p, len)) {
			dir_skip(h, di, len - i);
			return;
		}
		d->st = ST_HEAD;
		d->hdr_got = 0;
	}
	while (i < len) {
		size_t take;

		switch (d->st) {
		case ST_HEAD:
			take = FRAME_HDR_LEN - d->hdr_got;
			take = take < len - i ? take : len - i;
			memcpy(d->hdr + d->hdr_got, p + i, take);
			d->hdr_got += take;
			i += take;
			if (d->hdr_got == FRAME_HDR_LEN)
				frame_begin(h, di);
			break;
		case ST_PREFIX:
			take = d->pre_need - d->pre_got;
			take = take < len - i ? take : len - i;
			memcpy(d->pre + d->pre_got, p + i, take);
			d->pre_got += take;
			i += take;
			break;
		case ST_CONTENT:
			take = d->content_left < len - i ? d->content_left : len - i;
			frame_content(h, di, p + i, take);
			d->content_left -= take;
			i += take;
			break;
		case ST_PAD:
			take = d->pad_left < len - i ? d->pad_left : len - i;
			d->pad_left -= take;
			i += take;
			break;
		default:
			dir_skip(h, di, len - i); /* sync lost in this feed */
			return;
		}
		/* a frame that ends exactly here must end now, not when the next byte comes */
		if (d->st == ST_PREFIX && d->pre_got == d->pre_need)
			frame_prefix_done(h, di);
		if (d->st == ST_CONTENT && !d->content_left)
			d->st = ST_PAD;
		if (d->st == ST_PAD && !d->pad_left)
			frame_end(h, di);
	}
}

/* ---- API ----------------------------------------------------------------------------------- */

struct http2 *http2__new(http_cb cb, void *ctx, size_t max_body)
{
	struct http2 *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->cb = cb;
	h->ctx = ctx;
	h->max_body = max_body;
	for (int i = 0; i < 2; i++) {
		struct h2_dir *d = &h->dir[i];

		d->st = i == HTTP_OUT ? ST_PREFACE : ST_HUNT;
		d->max_frame = LARGEST_FRAME;
		d->hpack_max = HPACK_TABLE_DEFAULT;
		d->inf = inflater_new(d);
		if (!d->inf) {
			http2__free(h);
			return NULL;
		}
	}
	return h;
}

void http2__free(struct http2 *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nstreams; i++) {
		half_release(&h->streams[i]->req);
		half_release(&h->streams[i]->resp);
		free(h->streams[i]);
	}
	free(h->streams);
	for (int i = 0; i < 2; i++) {
		block_clear(&h->dir[i].blk);
		nghttp2_hd_inflate_del(h->dir[i].inf);
	}
	free(h);
}

void http2_feed(struct http2 *h, enum http_dir dir, const void *data, size_t len, uint64_t ts)
{
	if (!h || h->finished || (dir != HTTP_OUT && dir != HTTP_IN) || !data || !len)
		return;
	h->ts = ts;
	h->seq++;
	if (dir == HTTP_IN)
		h->in_seen = true;
	dir_feed(h, dir, data, len);
}

void http2_gap(struct http2 *h, enum http_dir dir, uint64_t n)
{
	struct h2_dir *d;

	if (!h || h->finished || (dir != HTTP_OUT && dir != HTTP_IN) || !n)
		return;
	d = &h->dir[dir];
	if (dir == HTTP_IN)
		h->in_seen = true;
	lost_open(h, dir, n);
	if (d->st == ST_HUNT)
		return;
	dir_desync(h, dir);
}

void http2_close(struct http2 *h, uint64_t ts)
{
	if (!h || h->finished)
		return;
	h->ts = ts;
	h->seq++;
	h->finished = true;
	for (int i = 0; i < 2; i++)
		block_clear(&h->dir[i].blk);
	while (h->nstreams)
		deliver_resp(h, h->streams[0], false);
}

void http2_get_stats(const struct http2 *h, struct http2_stats *out)
{
	if (h)
		*out = h->stats;
	else
		memset(out, 0, sizeof(*out));
}
