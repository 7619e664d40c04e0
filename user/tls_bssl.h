/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_bssl.h - SSL_write, SSL_read and SSL_new in a binary that links BoringSSL statically and
 * carries none of its symbols (Bun, and the agents compiled with it: Claude Code, opencode).
 *
 * Found by what the code does, not by byte patterns or offset tables: BoringSSL reports every
 * error as ERR_put_error(ERR_LIB_SSL, [0,] reason, __FILE__, __LINE__), so each error site
 * loads the address of the ".../ssl/ssl_lib.cc" string and a reason code into argument
 * registers right before a call. The functions that hold these sites are found from direct
 * call targets and verified by walking their control flow to each site; a function is named
 * by the exact set of reasons it reports (SSL_write: the only one with SSL_R_BAD_LENGTH and
 * SSL_R_UNINITIALIZED; SSL_read: the SSL_peek guard and the read loop's reasons, itself or in
 * the function it calls; SSL_new: SSL_R_NULL_SSL_CTX) and must be the only one. Anything
 * ambiguous or unverified is refused. See README.md "Bun and BoringSSL".
 */
#ifndef AGT_TLS_BSSL_H
#define AGT_TLS_BSSL_H

#include <stddef.h>
#include <stdint.h>

enum { BSSL_WRITE, BSSL_READ, BSSL_NEW, BSSL_NFUNCS };

/* What was found: file offsets for uprobes (0: not located), and how the scan went. */
struct tls_bssl {
	size_t off[BSSL_NFUNCS];
	uint64_t va[BSSL_NFUNCS];
	unsigned nsites;   /* error sites that name ssl_lib.cc */
	unsigned nparsed;  /* of which the reason was read */
	unsigned nfuncs;   /* verified functions holding them */
	unsigned nrefused; /* sites left out: no verified function reaches them */
	int cached;	   /* the answer came from the symbol cache */
};

/* The part of a file the scan reads: its code, and where read-only strings may live. */
struct bssl_image {
	const uint8_t *text;
	uint64_t text_va;
	size_t text_len;
	const uint8_t *ro[4]; /* read-only, non-executable segments */
	uint64_t ro_va[4];
	size_t ro_len[4];
	unsigned nro;
	/*
	 * Function bounds from the unwind tables, sorted by start, if the file has them (else
	 * NULL): exact where present; LTO builds may cover only part of their code.
	 */
	const uint64_t *fde_starts, *fde_ends;
	size_t nfde;
};

/*
 * Locates the functions in the ELF file `path`. Returns 1 when SSL_write and SSL_read are
 * located (SSL_new too if out->off[BSSL_NEW]), 0 when the file does not carry BoringSSL's
 * ssl_lib.cc (most files: decided from a scan of its read-only data, remembered in the symbol
 * cache), <0 when it does but the functions cannot be located with confidence: `why` then says
 * so in one short phrase. `why` is emptied on success.
 */
int tls_bssl_locate(const char *path, struct tls_bssl *out, char *why, size_t whylen);

/* The same on an image in memory (tests); va[] filled, off[] left 0. */
int bssl_locate_image(const struct bssl_image *im, struct tls_bssl *out, char *why, size_t whylen);

#endif
