/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_awslc.h - AWS-LC's AEAD entry points in a stripped binary (Codex, Copilot's runtime.node:
 * rustls on aws-lc-rs), found by what the code does rather than by name.
 *
 * rustls keeps its own record layer; the plaintext of every TLS record goes into
 * EVP_AEAD_CTX_seal (or _seal_scatter) and comes out of EVP_AEAD_CTX_open (or _open_gather).
 * Those functions report errors with ERR_put_error(ERR_LIB_CIPHER, 0, reason,
 * ".../fipsmodule/cipher/aead.c", line), so each one's call sites carry a rip-relative `lea`
 * of that file name and a fixed set of reason codes: TOO_LARGE + BUFFER_TOO_SMALL +
 * OUTPUT_ALIASES_INPUT is seal and nothing else, BAD_DECRYPT + BUFFER_TOO_SMALL +
 * OUTPUT_ALIASES_INPUT is open. The function around the call sites comes from .eh_frame_hdr
 * (Rust binaries keep it even when stripped). x86-64 only.
 */
#ifndef AGT_TLS_AWSLC_H
#define AGT_TLS_AWSLC_H

#include <stddef.h>

enum awslc_fn {
	AWSLC_SEAL,	    /* EVP_AEAD_CTX_seal: plaintext in, at entry */
	AWSLC_SEAL_SCATTER, /* EVP_AEAD_CTX_seal_scatter */
	AWSLC_OPEN,	    /* EVP_AEAD_CTX_open: plaintext out, at return */
	AWSLC_OPEN_GATHER,  /* EVP_AEAD_CTX_open_gather */
	AWSLC_NFN,
};

#define AWSLC_MAX_COPIES 2 /* AWS-LC linked in more than once (two aws-lc-sys versions) */
#define AWSLC_MAX	 (AWSLC_NFN * AWSLC_MAX_COPIES)

/* off[copy * AWSLC_NFN + fn]: the file offset of a function (for uprobes), 0 if absent. */
struct tls_awslc_funcs {
	unsigned n; /* how many are not 0 */
	size_t off[AWSLC_MAX];
};

/*
 * Locates the AEAD functions of the AWS-LC copies linked into `path`. Returns >0 (the number of
 * functions in *out) when seal and open were both located in every copy, 0 when the file carries
 * no AWS-LC (cheap: one search of .rodata), <0 when it does but they cannot be located with
 * confidence, with one short phrase in `why` (empty on success). Never guesses: a reason set
 * matched by two functions, or a call site outside its function's unwind range, is a refusal.
 */
int tls_awslc_locate(const char *path, struct tls_awslc_funcs *out, char *why, size_t whylen);

#endif
