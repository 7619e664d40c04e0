// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tls_conn.c - TLS records -> connections -> HTTP/1.1 or HTTP/2 parsers. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "agtrace.h"
#include "http1.h"
#include "http2.h"
#include "tls_aead.h"
#include "tls_conn.h"

enum proto { PROTO_UNKNOWN, PROTO_H1, PROTO_H2 };

/* Progress through one SSL_read/SSL_write call's chunks, per direction. */
struct call_pos {
	bool in_call;
	uint64_t call_len;
	uint64_t next_off;
};

struct conn {
	uint32_t tgid;
	uint64_t ssl;
	uint32_t gen;
	enum proto proto;
	struct http1 *h1;
	struct http2 *h2;
	struct call_pos pos[2];
	struct tls_conns *owner;
	struct tls_origin origin; /* of the record being fed */
};

struct tls_conns {
	tls_http_cb cb;
	void *ctx;
	size_t max_body;
	struct conn **c;
	size_t n, cap;
	/* generations outlive their connection: (tgid, ssl) -> next gen */
	struct gen_ent {
		uint32_t tgid;
		uint64_t ssl;
		uint32_t gen;
	} * gens;
	size_t ngens, capgens;
	struct tls_conn_stats st;
	uint64_t last_ts;      /* of the newest record: the end of connections cut at exit */
	struct tls_aead *aead; /* rustls' records at AWS-LC's AEAD, made plain (lazily) */
};

static void on_http(void *ctx, const struct http_msg *req, const struct http_msg *resp)
{
	struct conn *c = ctx;

	c->origin.version = c->proto == PROTO_H2 ? 20 : 11;
	c->owner->cb(c->owner->ctx, &c->origin, req, resp);
}

struct tls_conns *tls_conns__new(tls_http_cb cb, void *ctx, size_t max_body)
{
	struct tls_conns *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cb = cb;
	t->ctx = ctx;
	t->max_body = max_body;
	return t;
}

static uint32_t *gen_slot(struct tls_conns *t, uint32_t tgid, uint64_t ssl)
{
	for (size_t i = 0; i < t->ngens; i++)
		if (t->gens[i].tgid == tgid && t->gens[i].ssl == ssl)
			return &t->gens[i].gen;
	if (t->ngens == t->capgens) {
		size_t ncap = t->capgens ? t->capgens * 2 : 16;
		void *p = realloc(t->gens, ncap * sizeof(*t->gens));

		if (!p)
			return NULL;
		t->gens = p;
		t->capgens = ncap;
	}
	t->gens[t->ngens] = (struct gen_ent){.tgid = tgid, .ssl = ssl, .gen = 0};
	return &t->gens[t->ngens++].gen;
}

/* Ends connection i: pending messages are delivered (the parsers' close), then it is freed. */
static void conn_end(struct tls_conns *t, size_t i, uint64_t ts)
{
	struct conn *c = t->c[i];

	if (c->h1)
		http1_close(c->h1, ts);
	if (c->h2)
		http2_close(c->h2, ts);
	http1__free(c->h1);
	http2__free(c->h2);
	free(c);
	t->c[i] = t->c[--t->n];
}

static struct conn *conn_find(struct tls_conns *t, uint32_t tgid, uint64_t ssl, size_t *idx)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->c[i]->tgid == tgid && t->c[i]->ssl == ssl) {
			if (idx)
				*idx = i;
			return t->c[i];
		}
	return NULL;
}

static struct conn *conn_new(struct tls_conns *t, uint32_t tgid, uint64_t ssl)
{
	uint32_t *gen = gen_slot(t, tgid, ssl);
	struct conn *c;

	if (!gen)
		return NULL;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		void *p = realloc(t->c, ncap * sizeof(*t->c));

		if (!p)
			return NULL;
		t->c = p;
		t->cap = ncap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->tgid = tgid;
	c->ssl = ssl;
	c->gen = ++*gen;
	c->owner = t;
	t->c[t->n++] = c;
	t->st.conns++;
	return c;
}

/* Attached mid-connection: HTTP/2 frames (9-byte headers, known types) tile a write exactly. */
static bool looks_like_h2_frames(const unsigned char *p, size_t len)
{
	size_t off = 0;
	int frames = 0;

	while (off + 9 <= len) {
		size_t flen = (size_t)p[off] << 16 | (size_t)p[off + 1] << 8 | p[off + 2];

		if (p[off + 3] > 9 || flen > (1u << 24) - 1)
			return false;
		off += 9 + flen;
		frames++;
	}
	return frames > 0 && off == len;
}

static int conn_pick_proto(struct tls_conns *t, struct conn *c, const void *data, size_t len)
{
	if (len >= HTTP2_PREFACE_LEN && !memcmp(data, HTTP2_PREFACE, HTTP2_PREFACE_LEN))
		c->proto = PROTO_H2;
	else if (!http1_looks_like_request(data, len) && looks_like_h2_frames(data, len))
		c->proto = PROTO_H2;
	else
		c->proto = PROTO_H1;
	if (c->proto == PROTO_H2)
		c->h2 = http2__new(on_http, c, t->max_body);
	else
		c->h1 = http1__new(on_http, c, t->max_body);
	return c->h1 || c->h2 ? 0 : -ENOMEM;
}

static void conn_gap(struct tls_conns *t, struct conn *c, enum http_dir dir, uint64_t n)
{
	if (!n)
		return;
	t->st.lost_bytes += n;
	if (c->h1)
		http1_gap(c->h1, dir, n);
	if (c->h2)
		http2_gap(c->h2, dir, n);
}

/* Closes the call in progress in `dir`, counting the chunks that never came. */
static void call_end(struct tls_conns *t, struct conn *c, enum http_dir dir)
{
	struct call_pos *pos = &c->pos[dir];

	if (pos->in_call && pos->next_off < pos->call_len)
		conn_gap(t, c, dir, pos->call_len - pos->next_off);
	pos->in_call = false;
}

static void conn_feed(struct conn *c, enum http_dir dir, const void *data, size_t len, uint64_t ts)
{
	if (c->h1)
		http1_feed(c->h1, dir, data, len, ts);
	if (c->h2)
		http2_feed(c->h2, dir, data, len, ts);
}

static void set_origin(struct conn *c, const struct agt_hdr *h)
{
	c->origin.tgid = h->tgid;
	c->origin.tid = h->tid;
	memcpy(c->origin.comm, h->comm, sizeof(c->origin.comm));
	c->origin.comm[sizeof(c->origin.comm) - 1] = '\0';
	c->origin.ssl = c->ssl;
	c->origin.gen = c->gen;
}

static int on_data(struct tls_conns *t, const struct agt_tls_data *r)
{
	enum http_dir dir = r->op == AGT_TLS_WRITE ? HTTP_OUT : HTTP_IN;
	struct conn *c = conn_find(t, r->h.tgid, r->ssl, NULL);
	struct call_pos *pos;
	const void *data = r + 1;

	if (!c && !(c = conn_new(t, r->h.tgid, r->ssl)))
		return -ENOMEM;
	set_origin(c, &r->h);
	if (c->proto == PROTO_UNKNOWN && conn_pick_proto(t, c, data, r->len))
		return -ENOMEM;
	pos = &c->pos[dir];
	/*
	 * A call's chunks arrive back to back, so data the other way means that direction's call
	 * is over: if its last chunks never came, the loss is its message's (a request's, before
	 * the response is paired with it).
	 */
	call_end(t, c, !dir);
	if ((r->flags & AGT_TLS_FIRST) || !pos->in_call || r->call_len != pos->call_len ||
	    r->off < pos->next_off) {
		/* a new call: what the previous one still owed is lost, as are this one's missing
		 * first chunks (counted below from its offset) */
		call_end(t, c, dir);
		pos->in_call = true;
		pos->call_len = r->call_len;
		pos->next_off = 0;
	}
	if (r->off > pos->next_off)
		conn_gap(t, c, dir, r->off - pos->next_off);
	t->st.bytes += r->len;
	conn_feed(c, dir, data, r->len, r->h.ts);
	pos->next_off = (uint64_t)r->off + r->len;
	if (r->flags & AGT_TLS_LAST) {
		if (pos->next_off < pos->call_len) /* AGT_TLS_TRUNC: beyond the capture cap */
			conn_gap(t, c, dir, pos->call_len - pos->next_off);
		pos->in_call = false;
	}
	return 0;
}

static void on_conn(struct tls_conns *t, const struct agt_tls_conn *r)
{
	size_t i;
	struct conn *c = conn_find(t, r->h.tgid, r->ssl, &i);

	/*
	 * NEW and FREE both end whatever used this address; the next data starts a connection of
	 * the next generation.
	 */
	if (c) {
		set_origin(c, &r->h);
		conn_end(t, i, r->h.ts);
	}
}

static int aead_out(void *ctx, const void *rec, size_t size)
{
	return tls_conns_record(ctx, rec, size);
}

/* An AEAD-level record (tls_aead.h): it comes back through aead_out as plain ones. */
static int aead_record(struct tls_conns *t, const void *data, size_t size)
{
	uint64_t lost;
	int err;

	if (!t->aead && !(t->aead = tls_aead__new(aead_out, t)))
		return -ENOMEM;
	lost = tls_aead_stats(t->aead)->lost;
	err = tls_aead_record(t->aead, data, size);
	t->st.lost_bytes += tls_aead_stats(t->aead)->lost - lost; /* records, not bytes: >0 */
	if (err == -EINVAL)
		t->st.bad++;
	return err;
}

int tls_conns_record(struct tls_conns *t, const void *data, size_t size)
{
	const struct agt_hdr *h = data;

	if (tls_aead_owns(data, size))
		return aead_record(t, data, size);
	t->st.records++;
	if (size < sizeof(*h) || h->size > size)
		goto bad;
	if (h->ts > t->last_ts)
		t->last_ts = h->ts;
	if (h->type == AGT_REC_TLS_DATA) {
		const struct agt_tls_data *r = data;

		if (h->size < sizeof(*r) || sizeof(*r) + r->len != h->size ||
		    r->len > AGT_TLS_CHUNK || r->op > AGT_TLS_READ || r->off >= r->call_len ||
		    r->off + (uint64_t)r->len > r->call_len)
			goto bad;
		return on_data(t, r);
	}
	if (h->type == AGT_REC_TLS_CONN && h->size >= sizeof(struct agt_tls_conn)) {
		on_conn(t, data);
		return 0;
	}
bad:
	t->st.bad++;
	return -EINVAL;
}

void tls_conns_exit(struct tls_conns *t, uint32_t tgid, uint64_t ts)
{
	tls_aead_exit(t->aead, tgid);
	for (size_t i = 0; i < t->n;) {
		if (t->c[i]->tgid == tgid)
			conn_end(t, i, ts); /* moves the last entry into i */
		else
			i++;
	}
	for (size_t i = 0; i < t->ngens;) {
		if (t->gens[i].tgid == tgid)
			t->gens[i] = t->gens[--t->ngens];
		else
			i++;
	}
}

const struct tls_conn_stats *tls_conns_stats(const struct tls_conns *t)
{
	return &t->st;
}

void tls_conns__free(struct tls_conns *t)
{
	if (!t)
		return;
	while (t->n)
		conn_end(t, t->n - 1, t->last_ts);
	free(t->c);
	free(t->gens);
	tls_aead__free(t->aead);
	free(t);
}
