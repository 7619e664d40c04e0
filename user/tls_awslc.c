// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tls_awslc.c - AWS-LC's EVP_AEAD_CTX_seal/open in stripped binaries, located by their error
 * reporting (see tls_awslc.h), over elfscan.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "elfscan.h"
#include "tls_awslc.h"

/* The file name AWS-LC's OPENSSL_PUT_ERROR passes for the AEAD front end (any build prefix). */
#define AEAD_FILE "/crypto/fipsmodule/cipher/aead.c"

#define ERR_LIB_CIPHER 30
/* include/openssl/cipher.h: stable across BoringSSL and AWS-LC releases */
#define R_BAD_DECRYPT	       101
#define R_BUFFER_TOO_SMALL     103
#define R_CTRL_NOT_IMPLEMENTED 104
#define R_INVALID_OPERATION    112
#define R_OUTPUT_ALIASES_INPUT 115
#define R_TOO_LARGE	       117
#define R_MIN		       100
#define R_MAX		       140

#define MAX_REFS  64 /* call sites naming aead.c: 15 in AWS-LC 1.x */
#define MAX_FUNCS 16

/* One function's ERR_put_error(ERR_LIB_CIPHER, ...) call sites naming aead.c. */
struct func {
	uint64_t start, end;
	uint32_t reasons; /* bit (reason - R_MIN) */
};

static void set_why(char *why, size_t whylen, const char *fmt, const char *a, int n)
{
	if (why && whylen)
		snprintf(why, whylen, fmt, a, n);
}

/*
 * The CIPHER reason code of the ERR_put_error call whose file argument is the `lea` at text
 * offset k: `mov edi, 30` and one `mov edx, imm32` with a reason-sized immediate within the few
 * instructions after it (or, failing that, before it). 0 when the site does not look like one.
 */
static int site_reason(const unsigned char *t, size_t tlen, size_t k)
{
	static const unsigned char edi[5] = {0xbf, ERR_LIB_CIPHER, 0, 0, 0};
	int pass;

	for (pass = 0; pass < 2; pass++) {
		size_t lo = pass ? (k > 24 ? k - 24 : 0) : k + 7;
		size_t hi = pass ? k : (k + 7 + 24 < tlen ? k + 7 + 24 : tlen);
		bool lib = false;
		int reason = 0, nreason = 0;

		for (size_t i = lo; i + 5 <= hi; i++) {
			if (!memcmp(t + i, edi, sizeof(edi)))
				lib = true;
			if (t[i] == 0xba && t[i + 2] == 0 && t[i + 3] == 0 && t[i + 4] == 0 &&
			    t[i + 1] >= R_MIN && t[i + 1] <= R_MAX && t[i + 1] != reason) {
				reason = t[i + 1];
				nreason++;
			}
		}
		if (lib && nreason == 1)
			return reason;
		if (lib || nreason)
			return 0; /* something else is going on: not a site we can read */
	}
	return 0;
}

#define BIT(r) (1u << ((r)-R_MIN))

static bool has(uint32_t set, uint32_t want)
{
	return (set & want) == want;
}

/* Which function a reason set says this is, or -1. */
static int classify(uint32_t r)
{
	if (has(r, BIT(R_TOO_LARGE) | BIT(R_BUFFER_TOO_SMALL) | BIT(R_OUTPUT_ALIASES_INPUT)))
		return AWSLC_SEAL;
	if (has(r, BIT(R_BAD_DECRYPT) | BIT(R_BUFFER_TOO_SMALL) | BIT(R_OUTPUT_ALIASES_INPUT)))
		return AWSLC_OPEN; /* open_gather may be inlined into it: CTRL_NOT_IMPLEMENTED too
				    */
	if (has(r, BIT(R_INVALID_OPERATION) | BIT(R_OUTPUT_ALIASES_INPUT)) &&
	    !(r & (BIT(R_TOO_LARGE) | BIT(R_BAD_DECRYPT))))
		return AWSLC_SEAL_SCATTER;
	if (has(r, BIT(R_CTRL_NOT_IMPLEMENTED) | BIT(R_OUTPUT_ALIASES_INPUT)) &&
	    !(r & (BIT(R_BAD_DECRYPT) | BIT(R_BUFFER_TOO_SMALL))))
		return AWSLC_OPEN_GATHER;
	return -1;
}

static const char *const fn_names[AWSLC_NFN] = {"EVP_AEAD_CTX_seal", "EVP_AEAD_CTX_seal_scatter",
						"EVP_AEAD_CTX_open", "EVP_AEAD_CTX_open_gather"};

/*
 * The AEAD functions of the AWS-LC copy whose aead.c name is at `str` (a vaddr) added to out.
 * 1 located, <0 refused (why set).
 */
static int locate_copy(const struct elfscan *m, uint64_t str, unsigned copy,
		       struct tls_awslc_funcs *out, char *why, size_t whylen)
{
	const unsigned char *t = m->p + m->text.off;
	struct func f[MAX_FUNCS];
	unsigned nf = 0, nrefs = 0;
	uint64_t found[AWSLC_NFN] = {0};
	int count[AWSLC_NFN] = {0};
	size_t tlen = m->text.size, k;

	if (!m->ehhdr.size || !m->ehframe.size) {
		set_why(why, whylen, "AWS-LC linked in, %s: no .eh_frame_hdr%.0d",
			"AEAD functions not located", 0);
		return -1;
	}
	for (k = 0; (k = elfscan_next_lea(m, k, ELFSCAN_RCX, str)) != (size_t)-1; k++) {
		uint64_t pc = m->text.addr + k, start, end;
		int reason;
		unsigned i;

		if (++nrefs > MAX_REFS) {
			set_why(why, whylen, "AWS-LC linked in, %s: too many references (%d)",
				"aead.c", nrefs);
			return -1;
		}
		reason = site_reason(t, tlen, k);
		if (!reason)
			continue; /* not an error report (or one we cannot read): ignored */
		if (!elfscan_func_of(m, pc, &start, &end)) {
			set_why(why, whylen,
				"AWS-LC linked in, %s: no unwind entry for a call site%.0d",
				"AEAD functions not located", 0);
			return -1;
		}
		for (i = 0; i < nf && f[i].start != start; i++)
			;
		if (i == nf) {
			if (nf == MAX_FUNCS)
				continue;
			f[nf++] = (struct func){start, end, 0};
		}
		f[i].reasons |= BIT(reason);
	}
	if (!nrefs) {
		/* the name is there (another part of AWS-LC kept it), the AEAD code is not */
		set_why(why, whylen,
			"AWS-LC linked in without its %s (no call site): TLS records go through "
			"another crypto provider (ring?)%.0d",
			"AEAD", 0);
		return -1;
	}
	for (unsigned i = 0; i < nf; i++) {
		int c = classify(f[i].reasons);

		if (c < 0)
			continue;
		count[c]++;
		found[c] = f[i].start;
	}
	for (int c = 0; c < AWSLC_NFN; c++) {
		bool needed = c == AWSLC_SEAL || c == AWSLC_OPEN;

		if (count[c] > 1 || (needed && !count[c])) {
			set_why(why, whylen, "AWS-LC linked in, %s not located (%d candidates)",
				fn_names[c], count[c]);
			return -1;
		}
	}
	for (int c = 0; c < AWSLC_NFN; c++) {
		if (!count[c])
			continue;
		out->off[copy * AWSLC_NFN + c] = elfscan_text_off(m, found[c]);
		out->n++;
	}
	return 1;
}

int tls_awslc_locate(const char *path, struct tls_awslc_funcs *out, char *why, size_t whylen)
{
	struct elfscan m;
	size_t pos = 0;
	uint64_t str;
	int ret = 0;
	unsigned copies = 0;

	memset(out, 0, sizeof(*out));
	if (why && whylen)
		why[0] = '\0';
	if (elfscan_open(&m, path))
		goto out;
	while ((str = elfscan_rodata_str(&m, AEAD_FILE, strlen(AEAD_FILE), &pos))) {
		if (copies == AWSLC_MAX_COPIES) {
			set_why(why, whylen, "AWS-LC linked in, %s: more than %d copies", "aead.c",
				AWSLC_MAX_COPIES);
			ret = -1;
			goto out;
		}
		ret = locate_copy(&m, str, copies++, out, why, whylen);
		if (ret < 0)
			goto out;
	}
	ret = copies ? (int)out->n : 0;
out:
	if (ret <= 0)
		memset(out, 0, sizeof(*out));
	elfscan_close(&m);
	return ret;
}
