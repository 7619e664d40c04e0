/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_aead.h - TLS records seen at an AEAD (rustls on AWS-LC, bpf/tls_aead.bpf.h) back into the
 * per-connection byte streams an SSL_write/SSL_read capture gives, so tls_conn.c and the HTTP
 * parsers take them unchanged.
 *
 * Each EVP_AEAD_CTX is one key, so one direction of one connection, and seals/opens its records
 * in order: its records are reassembled from their chunks, TLS 1.3's inner content type and
 * padding are stripped (the type is the last non-zero byte), and only application_data goes on.
 * A key belongs to the connection of the TCP socket its thread sends on next (sealing) or last
 * received from (opening), which agt_tls_bind records say; that pairs the two directions. The
 * first bind of a key holds (a key never changes connection). Sealed records wait for their
 * key's bind (it follows them). A socket whose connection already has a
 * sealing key and sees another one start with an HTTP/2 preface or an HTTP/1 request is a new
 * connection at a reused address; otherwise the new key is a TLS 1.3 KeyUpdate of the same one.
 */
#ifndef AGT_TLS_AEAD_H
#define AGT_TLS_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the plain stream goes: one agt_tls_data (op WRITE/READ) or agt_tls_conn record. */
typedef int (*tls_aead_out)(void *ctx, const void *rec, size_t size);

struct tls_aead;

struct tls_aead_stats {
	uint64_t records; /* whole TLS records reassembled */
	uint64_t app;	  /* of them application_data, sent on */
	uint64_t other;	  /* handshake, alert... (dropped) */
	uint64_t lost;	  /* records cut (ring full, capture cap) or never bound to a socket */
	uint64_t bad;	  /* malformed (all zeros, bad chunk) */
	uint64_t binds;
	uint64_t conflicts; /* binds of a bound key to another socket, ignored */
	uint64_t moves;	    /* keys moved to a new connection (their address reused) */
};

struct tls_aead *tls_aead__new(tls_aead_out out, void *ctx);
void tls_aead__free(struct tls_aead *a); /* NULL is a no-op */
/* Whether a ring record is this module's (AEAD data or a bind). */
bool tls_aead_owns(const void *data, size_t size);
/* One such record; 0 or -EINVAL (malformed) / -ENOMEM. */
int tls_aead_record(struct tls_aead *a, const void *data, size_t size);
/* The process exited: its keys and sockets are forgotten (unbound records counted lost). */
void tls_aead_exit(struct tls_aead *a, uint32_t tgid);
const struct tls_aead_stats *tls_aead_stats(const struct tls_aead *a);

#endif
