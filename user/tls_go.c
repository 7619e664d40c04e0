// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tls_go.c - crypto/tls.(*Conn).Write/Read located in Go binaries (see tls_go.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gopclntab.h"
#include "symcache.h"
#include "tls_go.h"
#include "x86dec.h"

enum { GO_WRITE, GO_READ, GO_CLOSE, GO_HS_CLIENT, GO_HS_SERVER, GO_NFUNCS };
static const char *const go_names[GO_NFUNCS] = {
    "crypto/tls.(*Conn).Write",		  "crypto/tls.(*Conn).Read",
    "crypto/tls.(*Conn).Close",		  "crypto/tls.(*Conn).clientHandshake",
    "crypto/tls.(*Conn).serverHandshake",
};

/* symcache entries hold 8 offsets: the functions and the RET counts, then each RET list */
#define CACHE_N 8


int tls_go_find_rets(const unsigned char *code, size_t len, size_t base, size_t *rets,
		     unsigned max, char *why, size_t whylen)
{
	unsigned n = 0;
	size_t i = 0;

	while (i < len) {
		struct x86_insn in;

		/* addresses relative to the function's start: a target outside is >= len */
		if (!x86_decode(code + i, len - i, i, &in))
			return gobin_fail(why, whylen, "unknown instruction at +0x%zx", i);
		switch (in.flow) {
		case X86_RET:
			if (n == max)
				return gobin_fail(why, whylen, "more than %u RET instructions", max);
			rets[n++] = base + i;
			break;
		case X86_JMP:
		case X86_JCC:
			if (in.target >= len)
				return gobin_fail(why, whylen, "jump out of the function at +0x%zx", i);
			break;
		case X86_JMP_IND:
			return gobin_fail(why, whylen, "indirect jump at +0x%zx", i);
		default: /* calls return here; INT3 and traps are padding or never return */
			break;
		}
		i += in.len;
	}
	if (!n)
		return gobin_fail(why, whylen, "no RET instruction");
	return n;
}

int tls_go_after_stack_check(const unsigned char *code, size_t len, char *why, size_t whylen)
{
	static const unsigned char cmp_sp[] = {0x49, 0x3b, 0x66, 0x10};  /* CMPQ SP, 16(R14) */
	static const unsigned char cmp_r12[] = {0x4d, 0x3b, 0x66, 0x10}; /* CMPQ R12, 16(R14) */
	struct x86_insn in;
	size_t i = 0, after, t;
	bool call = false;

	/* LEAQ -frame(SP), R12 first when the frame is big enough to count */
	if (len > 4 && code[0] == 0x4c && code[1] == 0x8d && (code[2] == 0x64 || code[2] == 0xa4) &&
	    code[3] == 0x24) {
		if (!x86_decode(code, len, 0, &in))
			return gobin_fail(why, whylen, "prologue not decoded");
		i = in.len;
		if (len - i < 4 || memcmp(code + i, cmp_r12, 4))
			return gobin_fail(why, whylen, "no stack check in the prologue");
	} else if (len < 4 || memcmp(code, cmp_sp, 4)) {
		return gobin_fail(why, whylen, "no stack check in the prologue");
	}
	i += 4;
	if (!x86_decode(code + i, len - i, i, &in) || in.flow != X86_JCC ||
	    !((in.len == 6 && code[i] == 0x0f && code[i + 1] == 0x86) ||
	      (in.len == 2 && code[i] == 0x76)))
		return gobin_fail(why, whylen, "no JBE after the stack check");
	after = i + in.len;
	if (in.target <= after || in.target >= len)
		return gobin_fail(why, whylen, "stack check jumps outside the function");
	/* the morestack block: spills, CALL runtime.morestack*, reloads, JMP entry */
	t = in.target;
	for (int k = 0; k < 32 && t < len; k++) {
		if (!x86_decode(code + t, len - t, t, &in))
			break;
		if (in.flow == X86_CALL)
			call = true;
		else if (in.flow == X86_JMP && in.target == 0 && call)
			return after;
		else if (in.flow != X86_NEXT)
			break;
		t += in.len;
	}
	return gobin_fail(why, whylen, "stack check does not lead to a call and a jump to the entry");
}

/* Slot 7 of a "go2f" entry: the file is Go without crypto/tls (a Go tool), nothing else set. */
#define CACHE_NO_TLS 1

/* 1 located (p filled), 0 known to have no crypto/tls, -1 not cached. */
static int cache_get(const struct stat *st, struct tls_go_probes *p)
{
	size_t f[CACHE_N], r[CACHE_N];

	if (!symcache_get("go2f", st, CACHE_N, f))
		return -1;
	if (f[7] == CACHE_NO_TLS)
		return 0;
	if (!symcache_get("go2r", st, CACHE_N, r) || !f[5] || f[5] > CACHE_N || !f[GO_WRITE] ||
	    !f[GO_READ])
		return -1;
	p->write = f[GO_WRITE];
	p->read = f[GO_READ];
	p->close = f[GO_CLOSE];
	p->hs_client = f[GO_HS_CLIENT];
	p->hs_server = f[GO_HS_SERVER];
	p->nread_ret = f[5];
	memcpy(p->read_ret, r, p->nread_ret * sizeof(*r));
	return 1;
}

/* Remembered only when the RET list fits an entry; a longer one is simply located again. */
static void cache_put(const struct stat *st, const struct tls_go_probes *p)
{
	size_t f[CACHE_N] = {p->write,	   p->read,	 p->close, p->hs_client,
			     p->hs_server, p->nread_ret, 0,	   0};
	size_t r[CACHE_N] = {0};

	if (p->nread_ret > CACHE_N)
		return;
	memcpy(r, p->read_ret, p->nread_ret * sizeof(*r));
	/* the list first: an entry is used only when both are there */
	symcache_put("go2r", st, CACHE_N, r);
	symcache_put("go2f", st, CACHE_N, f);
}

int tls_go_locate(const char *path, struct tls_go_probes *out, char *why, size_t whylen)
{
	struct gofunc f[GO_NFUNCS];
	unsigned found[GO_NFUNCS];
	struct gobin *g = NULL;
	struct stat st;
	char sub[96];
	const char *v;
	int ret;

	memset(out, 0, sizeof(*out));
	if (whylen)
		why[0] = '\0';
	if (stat(path, &st))
		return 0;
	ret = cache_get(&st, out);
	if (ret >= 0)
		return ret;
	ret = gobin__open(path, &g, why, whylen);
	if (ret <= 0)
		return ret; /* not Go (0), or a Go binary this reader refuses (why set) */
	v = gobin_version(g)[0] ? gobin_version(g) : "version unknown";
	if (gobin_error(g)) {
		/* an old or unknown table: a refusal only if crypto/tls is in there */
		ret =
		    gobin_mentions(g, go_names[GO_WRITE])
			? gobin_fail(why, whylen, "Go crypto/tls not located (%s): %s", v, gobin_error(g))
			: 0;
		goto out;
	}
	gobin_lookup(g, go_names, GO_NFUNCS, f, found);
	if (!found[GO_WRITE] && !found[GO_READ]) {
		/* Go, but no crypto/tls: remembered too, a big Go tool's table is ms to read */
		size_t f[CACHE_N] = {[7] = CACHE_NO_TLS};

		symcache_put("go2f", &st, CACHE_N, f);
		ret = 0;
		goto out;
	}
	for (int i = 0; i < GO_NFUNCS; i++) {
		if (found[i] > 1 || (i <= GO_READ && !found[i])) {
			ret = gobin_fail(why, whylen, "Go crypto/tls (%s): %s %s", v, go_names[i] + 11,
				   found[i] ? "ambiguous" : "not found");
			goto out;
		}
	}
	ret = tls_go_after_stack_check(f[GO_WRITE].code, f[GO_WRITE].end - f[GO_WRITE].entry, sub,
				       sizeof(sub));
	if (ret < 0) {
		ret =
		    gobin_fail(why, whylen, "Go crypto/tls (%s): (*Conn).Write not located: %s", v, sub);
		goto out;
	}
	out->write = f[GO_WRITE].off + ret;
	ret = tls_go_find_rets(f[GO_READ].code, f[GO_READ].end - f[GO_READ].entry, f[GO_READ].off,
			       out->read_ret, TLS_GO_MAX_RETS, sub, sizeof(sub));
	if (ret < 0) {
		ret = gobin_fail(why, whylen, "Go crypto/tls (%s): (*Conn).Read not located: %s", v, sub);
		goto out;
	}
	out->nread_ret = ret;
	out->read = f[GO_READ].off;
	out->close = found[GO_CLOSE] ? f[GO_CLOSE].off : 0;
	out->hs_client = found[GO_HS_CLIENT] ? f[GO_HS_CLIENT].off : 0;
	out->hs_server = found[GO_HS_SERVER] ? f[GO_HS_SERVER].off : 0;
	cache_put(&st, out);
	ret = 1;
out:
	gobin__free(g);
	if (ret <= 0)
		memset(out, 0, sizeof(*out));
	return ret;
}
