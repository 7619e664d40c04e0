// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tls_go.c - crypto/tls.(*Conn).Write/Read located in Go binaries (see tls_go.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gopclntab.h"
#include "symcache.h"
#include "tls_go.h"
#include "x86len.h"

enum { GO_WRITE, GO_READ, GO_CLOSE, GO_HS_CLIENT, GO_HS_SERVER, GO_NFUNCS };
static const char *const go_names[GO_NFUNCS] = {
    "crypto/tls.(*Conn).Write",		  "crypto/tls.(*Conn).Read",
    "crypto/tls.(*Conn).Close",		  "crypto/tls.(*Conn).clientHandshake",
    "crypto/tls.(*Conn).serverHandshake",
};

/* symcache entries hold 8 offsets: the functions and the RET counts, then each RET list */
#define CACHE_N 8

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

int tls_go_find_rets(const unsigned char *code, size_t len, size_t base, size_t *rets, unsigned max,
		     char *why, size_t whylen)
{
	unsigned n = 0;
	size_t i = 0;

	while (i < len) {
		struct x86_insn in;

		if (x86_decode(code + i, len - i, &in) < 0)
			return fail(why, whylen, "unknown instruction at +0x%zx", i);
		switch (in.flow) {
		case X86_FLOW_RET:
			if (n == max)
				return fail(why, whylen, "more than %u RET instructions", max);
			rets[n++] = base + i;
			break;
		case X86_FLOW_JMP:
			if ((int64_t)i + in.target < 0 || (uint64_t)((int64_t)i + in.target) >= len)
				return fail(why, whylen, "jump out of the function at +0x%zx", i);
			break;
		case X86_FLOW_JMP_IND:
			return fail(why, whylen, "indirect jump at +0x%zx", i);
		case X86_FLOW_NEXT:
			break;
		}
		i += in.len;
	}
	if (!n)
		return fail(why, whylen, "no RET instruction");
	return n;
}

static bool cache_get(const struct stat *st, struct tls_go_probes *p)
{
	size_t f[CACHE_N], w[CACHE_N], r[CACHE_N];

	if (!symcache_get("go1f", st, CACHE_N, f) || !symcache_get("go1w", st, CACHE_N, w) ||
	    !symcache_get("go1r", st, CACHE_N, r) || !f[5] || f[5] > CACHE_N || !f[6] ||
	    f[6] > CACHE_N || !f[GO_WRITE] || !f[GO_READ])
		return false;
	p->write = f[GO_WRITE];
	p->read = f[GO_READ];
	p->close = f[GO_CLOSE];
	p->hs_client = f[GO_HS_CLIENT];
	p->hs_server = f[GO_HS_SERVER];
	p->nwrite_ret = f[5];
	p->nread_ret = f[6];
	memcpy(p->write_ret, w, p->nwrite_ret * sizeof(*w));
	memcpy(p->read_ret, r, p->nread_ret * sizeof(*r));
	return true;
}

/* Remembered only when each RET list fits an entry; a bigger one is simply located again. */
static void cache_put(const struct stat *st, const struct tls_go_probes *p)
{
	size_t f[CACHE_N] = {p->write,	   p->read,	  p->close,	p->hs_client,
			     p->hs_server, p->nwrite_ret, p->nread_ret, 0};
	size_t w[CACHE_N] = {0}, r[CACHE_N] = {0};

	if (p->nwrite_ret > CACHE_N || p->nread_ret > CACHE_N)
		return;
	memcpy(w, p->write_ret, p->nwrite_ret * sizeof(*w));
	memcpy(r, p->read_ret, p->nread_ret * sizeof(*r));
	/* the lists first: an entry is used only when all three are there */
	symcache_put("go1w", st, CACHE_N, w);
	symcache_put("go1r", st, CACHE_N, r);
	symcache_put("go1f", st, CACHE_N, f);
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
	if (cache_get(&st, out))
		return 1;
	ret = gobin__open(path, &g, why, whylen);
	if (ret <= 0)
		return ret; /* not Go (0), or a Go binary this reader refuses (why set) */
	v = gobin_version(g)[0] ? gobin_version(g) : "Go";
	if (gobin_error(g)) {
		/* an old or unknown table: a refusal only if crypto/tls is in there */
		ret = gobin_mentions(g, go_names[GO_WRITE])
			  ? fail(why, whylen, "%s (crypto/tls)", gobin_error(g))
			  : 0;
		goto out;
	}
	gobin_lookup(g, go_names, GO_NFUNCS, f, found);
	if (!found[GO_WRITE] && !found[GO_READ]) {
		ret = 0; /* Go, but no crypto/tls */
		goto out;
	}
	for (int i = 0; i < GO_NFUNCS; i++) {
		if (found[i] > 1 || (i <= GO_READ && !found[i])) {
			ret = fail(why, whylen, "%s crypto/tls: %s %s", v, go_names[i] + 11,
				   found[i] ? "ambiguous" : "not found");
			goto out;
		}
	}
	ret = tls_go_find_rets(f[GO_WRITE].code, f[GO_WRITE].end - f[GO_WRITE].entry,
			       f[GO_WRITE].off, out->write_ret, TLS_GO_MAX_RETS, sub, sizeof(sub));
	if (ret < 0) {
		ret = fail(why, whylen, "%s crypto/tls: (*Conn).Write not decoded: %s", v, sub);
		goto out;
	}
	out->nwrite_ret = ret;
	ret = tls_go_find_rets(f[GO_READ].code, f[GO_READ].end - f[GO_READ].entry, f[GO_READ].off,
			       out->read_ret, TLS_GO_MAX_RETS, sub, sizeof(sub));
	if (ret < 0) {
		ret = fail(why, whylen, "%s crypto/tls: (*Conn).Read not decoded: %s", v, sub);
		goto out;
	}
	out->nread_ret = ret;
	out->write = f[GO_WRITE].off;
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
