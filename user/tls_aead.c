// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tls_aead.c - AEAD-level TLS records -> the per-connection plaintext streams (tls_aead.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "agtrace.h"
#include "http1.h"
#include "http2.h"
#include "tls_aead.h"

#define MAX_KEYS      1024	   /* beyond: the least recently used key is forgotten */
#define MAX_PENDING   (4u << 20)   /* bytes an unbound key may hold before they count as lost */
#define MAX_RECORD    (1u << 16)   /* TLS: 2^14 + 256 at most; chunks beyond that are malformed */
#define CONN_ID_SPACE (1ull << 63) /* synthetic connection ids: never a real SSL* */

struct pend {
	struct agt_hdr h;
	unsigned char *data;
	size_t len;
};

/* One AEAD key: one direction of one connection. */
struct key {
	uint32_t tgid;
	uint64_t ctx;
	__u32 op; /* AGT_TLS_WRITE or AGT_TLS_READ */
	bool bound, app;
	uint64_t sk, conn_id, last_ts;
	/* the record being reassembled from its chunks */
	bool in_rec, rec_bad;
	uint64_t call_len, got;
	unsigned char *buf;
	/* application data sealed before the bind that says where it goes */
	struct pend *pend;
	size_t npend, cappend, pend_bytes;
};

/* One TCP socket of a process: the connection its keys feed. */
struct sock {
	uint32_t tgid;
	uint64_t sk, id, wctx, rctx; /* its current sealing and opening keys */
	bool data;
};

struct tls_aead {
	tls_aead_out out;
	void *ctx;
	struct key *keys;
	size_t nkeys, capkeys;
	struct sock *socks;
	size_t nsocks, capsocks;
	uint64_t next_id;
	struct tls_aead_stats st;
	unsigned char rec[sizeof(struct agt_tls_data) + AGT_TLS_CHUNK];
};

struct tls_aead *tls_aead__new(tls_aead_out out, void *ctx)
{
	struct tls_aead *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->out = out;
	a->ctx = ctx;
	return a;
}

static void key_release(struct tls_aead *a, struct key *k)
{
	for (size_t i = 0; i < k->npend; i++) {
		free(k->pend[i].data);
		a->st.lost++;
	}
	free(k->pend);
	free(k->buf);
}

void tls_aead__free(struct tls_aead *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nkeys; i++)
		key_release(a, &a->keys[i]);
	if (getenv("AGTRACE_DEBUG"))
		fprintf(
		    stderr,
		    "agtrace-bpf: AEAD records %llu (application data %llu, other %llu, lost %llu, "
		    "bad %llu), socket binds %llu (keys moved %llu, conflicting binds %llu)\n",
		    (unsigned long long)a->st.records, (unsigned long long)a->st.app,
		    (unsigned long long)a->st.other, (unsigned long long)a->st.lost,
		    (unsigned long long)a->st.bad, (unsigned long long)a->st.binds,
		    (unsigned long long)a->st.moves, (unsigned long long)a->st.conflicts);
	free(a->keys);
	free(a->socks);
	free(a);
}

bool tls_aead_owns(const void *data, size_t size)
{
	const struct agt_hdr *h = data;

	if (size < sizeof(*h))
		return false;
	if (h->type == AGT_REC_TLS_BIND)
		return true;
	return h->type == AGT_REC_TLS_DATA && size >= sizeof(struct agt_tls_data) &&
	       ((const struct agt_tls_data *)data)->op >= AGT_TLS_SEAL13;
}

const struct tls_aead_stats *tls_aead_stats(const struct tls_aead *a)
{
	return &a->st;
}

static struct key *key_get(struct tls_aead *a, uint32_t tgid, uint64_t ctx, __u32 op)
{
	struct key *k;

	for (size_t i = 0; i < a->nkeys; i++)
		if (a->keys[i].tgid == tgid && a->keys[i].ctx == ctx && a->keys[i].op == op)
			return &a->keys[i];
	if (a->nkeys == MAX_KEYS) { /* forget the least recently used */
		size_t old = 0;

		for (size_t i = 1; i < a->nkeys; i++)
			if (a->keys[i].last_ts < a->keys[old].last_ts)
				old = i;
		key_release(a, &a->keys[old]);
		a->keys[old] = a->keys[--a->nkeys];
	}
	if (a->nkeys == a->capkeys) {
		size_t ncap = a->capkeys ? a->capkeys * 2 : 16;
		void *p = realloc(a->keys, ncap * sizeof(*a->keys));

		if (!p)
			return NULL;
		a->keys = p;
		a->capkeys = ncap;
	}
	k = &a->keys[a->nkeys++];
	*k = (struct key){.tgid = tgid, .ctx = ctx, .op = op};
	return k;
}

static struct sock *sock_get(struct tls_aead *a, uint32_t tgid, uint64_t sk)
{
	for (size_t i = 0; i < a->nsocks; i++)
		if (a->socks[i].tgid == tgid && a->socks[i].sk == sk)
			return &a->socks[i];
	if (a->nsocks == a->capsocks) {
		size_t ncap = a->capsocks ? a->capsocks * 2 : 16;
		void *p = realloc(a->socks, ncap * sizeof(*a->socks));

		if (!p)
			return NULL;
		a->socks = p;
		a->capsocks = ncap;
	}
	a->socks[a->nsocks] =
	    (struct sock){.tgid = tgid, .sk = sk, .id = CONN_ID_SPACE | ++a->next_id};
	return &a->socks[a->nsocks++];
}

/* The socket record of a key's current binding, if any. */
static struct sock *sock_of(struct tls_aead *a, const struct key *k)
{
	for (size_t i = 0; k->bound && i < a->nsocks; i++)
		if (a->socks[i].tgid == k->tgid && a->socks[i].sk == k->sk)
			return &a->socks[i];
	return NULL;
}

/* Application data of a bound key, as the SSL_write/SSL_read capture would have delivered it. */
static void deliver(struct tls_aead *a, const struct key *k, const struct agt_hdr *h,
		    const unsigned char *data, size_t len)
{
	struct agt_tls_data *r = (void *)a->rec;
	struct sock *s = sock_of(a, k);
	uint64_t id = s ? s->id : k->conn_id; /* the socket's current connection (renewed) */

	if (s) { /* the socket's key of this direction is the one carrying its data */
		s->data = true;
		if (k->op == AGT_TLS_WRITE)
			s->wctx = k->ctx;
		else
			s->rctx = k->ctx;
	}
	for (size_t off = 0; off < len; off += AGT_TLS_CHUNK) {
		size_t n = len - off < AGT_TLS_CHUNK ? len - off : AGT_TLS_CHUNK;

		r->h = *h;
		r->h.type = AGT_REC_TLS_DATA;
		r->h.size = sizeof(*r) + n;
		r->ssl = id;
		r->call_len = len;
		r->off = off;
		r->len = n;
		r->op = k->op;
		r->flags = (off ? 0 : AGT_TLS_FIRST) | (off + n == len ? AGT_TLS_LAST : 0);
		memcpy(r + 1, data + off, n);
		a->out(a->ctx, r, sizeof(*r) + n);
	}
}

static int pend_add(struct tls_aead *a, struct key *k, const struct agt_hdr *h,
		    const unsigned char *data, size_t len)
{
	struct pend *p;

	if (k->pend_bytes + len > MAX_PENDING) {
		a->st.lost++;
		return 0;
	}
	if (k->npend == k->cappend) {
		size_t ncap = k->cappend ? k->cappend * 2 : 4;

		p = realloc(k->pend, ncap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		k->pend = p;
		k->cappend = ncap;
	}
	p = &k->pend[k->npend];
	p->data = malloc(len);
	if (!p->data)
		return -ENOMEM;
	memcpy(p->data, data, len);
	p->len = len;
	p->h = *h;
	k->npend++;
	k->pend_bytes += len;
	return 0;
}

/* A whole record's plaintext: its application data goes on (or waits for the key's bind). */
static int record_done(struct tls_aead *a, struct key *k, const struct agt_hdr *h,
		       const unsigned char *d, size_t len, bool tls13)
{
	a->st.records++;
	if (tls13) { /* content, content type, zeros */
		while (len && !d[len - 1])
			len--;
		if (!len) {
			a->st.bad++;
			return -EINVAL;
		}
		if (d[--len] != 23) {
			a->st.other++;
			return 0;
		}
	}
	a->st.app++;
	k->app = true;
	if (!len)
		return 0;
	/*
	 * A sealed record goes out with the sealing thread's next send, whose bind names the
	 * socket: held until then, every time, not only before the key's first bind, because
	 * rustls frees a connection's keys with it and the next connection's may get the same
	 * address (Codex: one connection per model call).
	 */
	if (!k->bound || k->op == AGT_TLS_WRITE)
		return pend_add(a, k, h, d, len);
	deliver(a, k, h, d, len);
	return 0;
}

static int on_data(struct tls_aead *a, const struct agt_tls_data *r)
{
	bool seal = r->op == AGT_TLS_SEAL13 || r->op == AGT_TLS_SEAL12;
	bool tls13 = r->op == AGT_TLS_SEAL13 || r->op == AGT_TLS_OPEN13;
	const unsigned char *data = (const void *)(r + 1);
	struct key *k = key_get(a, r->h.tgid, r->ssl, seal ? AGT_TLS_WRITE : AGT_TLS_READ);

	if (!k)
		return -ENOMEM;
	k->last_ts = r->h.ts;
	if ((r->flags & AGT_TLS_FIRST) || !k->in_rec || r->call_len != k->call_len) {
		if (k->in_rec)
			a->st.lost++; /* the previous record's last chunks never came */
		k->in_rec = true;
		k->rec_bad = false;
		k->call_len = r->call_len;
		k->got = 0;
	}
	if (r->off != k->got)
		k->rec_bad = true;		    /* a chunk is missing (the ring was full) */
	if (r->off == 0 && r->len == r->call_len) { /* the common case: one chunk, no copy */
		k->in_rec = false;
		return record_done(a, k, &r->h, data, r->len, tls13);
	}
	if (!k->rec_bad) {
		if (!k->buf && !(k->buf = malloc(MAX_RECORD)))
			return -ENOMEM;
		memcpy(k->buf + r->off, data, r->len);
		k->got = (uint64_t)r->off + r->len;
	}
	if (!(r->flags & AGT_TLS_LAST))
		return 0;
	k->in_rec = false;
	if (k->rec_bad || k->got != k->call_len) { /* a gap, or cut by --tls-max-bytes */
		a->st.lost++;
		return 0;
	}
	return record_done(a, k, &r->h, k->buf, k->got, tls13);
}

/* Whether application data opens a connection: the HTTP/2 preface or an HTTP/1 request. */
static bool starts_conn(const struct pend *p)
{
	return (p->len >= HTTP2_PREFACE_LEN &&
		!memcmp(p->data, HTTP2_PREFACE, HTTP2_PREFACE_LEN)) ||
	       http1_looks_like_request(p->data, p->len);
}

/* Ends the connection of socket s and starts the next one at the same address. */
static void sock_renew(struct tls_aead *a, struct sock *s, const struct agt_hdr *h)
{
	struct agt_tls_conn c = {.h = *h, .ssl = s->id, .event = AGT_TLS_FREE};

	c.h.type = AGT_REC_TLS_CONN;
	c.h.size = sizeof(c);
	a->out(a->ctx, &c, sizeof(c));
	s->id = CONN_ID_SPACE | ++a->next_id;
	s->wctx = 0;
	s->rctx = 0;
	s->data = false;
}

/* Whether a held record opens an HTTP/2 connection: a key never sends the preface twice. */
static bool is_preface(const struct pend *p)
{
	return p->len >= HTTP2_PREFACE_LEN && !memcmp(p->data, HTTP2_PREFACE, HTTP2_PREFACE_LEN);
}

/*
 * A bind for a key bound to another socket: the key's address was reused by a new connection
 * (rustls frees a connection's keys with it), or - reads only - a thread received on one socket
 * and then opened records rustls had buffered from another. A socket whose data no key of this
 * direction has carried yet (its handshake keys carry none) is a new connection: the key moves
 * there. One with its own is the buffered case: the key stays (counted in conflicts). A held record starting with the HTTP/2 preface
 * moves the key whatever the socket says.
 */
static bool moves(struct tls_aead *a, struct key *k, const struct agt_tls_bind *b,
		  const struct sock *s)
{
	uint64_t cur = b->op == AGT_TLS_WRITE ? s->wctx : s->rctx;
	struct sock *old;

	if (b->op == AGT_TLS_WRITE && k->npend && is_preface(&k->pend[0])) {
		/* moves, to the same socket address too (a new connection there: renewed) */
	} else if (k->sk == b->sk) {
		return false;
	} else if (cur && cur != k->ctx) {
		a->st.conflicts++;
		return false;
	}
	old = sock_of(a, k);
	if (old && old->wctx == k->ctx)
		old->wctx = 0;
	if (old && old->rctx == k->ctx)
		old->rctx = 0;
	a->st.moves++;
	return true;
}

static int on_bind(struct tls_aead *a, const struct agt_tls_bind *b)
{
	struct key *k = key_get(a, b->h.tgid, b->ctx, b->op);
	struct sock *s;

	if (!k)
		return -ENOMEM;
	a->st.binds++;
	k->last_ts = b->h.ts;
	s = sock_get(a, b->h.tgid, b->sk);
	if (!s)
		return -ENOMEM;
	if (k->bound && moves(a, k, b, s))
		k->bound = false;
	if (!k->bound) {
		if (b->op == AGT_TLS_WRITE && k->app && s->wctx != k->ctx && s->data && k->npend &&
		    starts_conn(&k->pend[0]))
			sock_renew(a, s, &b->h); /* a new connection at a reused socket address */
		k->bound = true;
		k->sk = b->sk;
		k->conn_id = s->id;
	}
	for (size_t i = 0; i < k->npend; i++) {
		deliver(a, k, &k->pend[i].h, k->pend[i].data, k->pend[i].len);
		free(k->pend[i].data);
	}
	k->npend = 0;
	k->pend_bytes = 0;
	return 0;
}

int tls_aead_record(struct tls_aead *a, const void *data, size_t size)
{
	const struct agt_hdr *h = data;

	if (size < sizeof(*h) || h->size > size)
		goto bad;
	if (h->type == AGT_REC_TLS_BIND) {
		const struct agt_tls_bind *b = data;

		if (h->size < sizeof(*b) || b->op > AGT_TLS_READ)
			goto bad;
		return on_bind(a, b);
	}
	if (h->type == AGT_REC_TLS_DATA) {
		const struct agt_tls_data *r = data;

		if (h->size < sizeof(*r) || sizeof(*r) + r->len != h->size ||
		    r->len > AGT_TLS_CHUNK || r->op < AGT_TLS_SEAL13 || r->op > AGT_TLS_OPEN12 ||
		    r->off >= r->call_len || r->off + (uint64_t)r->len > r->call_len ||
		    r->call_len > MAX_RECORD)
			goto bad;
		return on_data(a, r);
	}
bad:
	a->st.bad++;
	return -EINVAL;
}

void tls_aead_exit(struct tls_aead *a, uint32_t tgid)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nkeys;) {
		if (a->keys[i].tgid == tgid) {
			key_release(a, &a->keys[i]);
			a->keys[i] = a->keys[--a->nkeys];
		} else {
			i++;
		}
	}
	for (size_t i = 0; i < a->nsocks;) {
		if (a->socks[i].tgid == tgid)
			a->socks[i] = a->socks[--a->nsocks];
		else
			i++;
	}
}
