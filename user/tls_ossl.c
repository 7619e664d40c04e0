// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tls_ossl.c - stripped static OpenSSL 3, located by the names its errors carry (tls_ossl.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfscan.h"
#include "tls_ossl.h"

#define SSL_LIB_FILE "ssl/ssl_lib.c"
#define NEAR	     40 /* bytes around the name's lea where ERR_set_debug's file lea must be */

static int32_t rd32(const unsigned char *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The vaddr of the next .rodata string that is exactly `name`, from *pos on, 0 if none (a name
 * can be there more than once: each function's __func__ is its own object).
 */
static uint64_t exact_str(const struct elfscan *m, const char *name, size_t *pos)
{
	size_t n = strlen(name);
	uint64_t a;

	while ((a = elfscan_rodata_str(m, name, n, pos))) {
		const char *s = elfscan_str_at(m, a);

		if (s && !strcmp(s, name))
			return a;
	}
	return 0;
}

/* Whether a `lea rdi, [rip + ...]` of a string ending in ssl/ssl_lib.c is near text offset k. */
static bool file_near(const struct elfscan *m, size_t k)
{
	const unsigned char *t = m->p + m->text.off;
	size_t lo = k > NEAR ? k - NEAR : 0, hi = k + NEAR;

	if (hi + 7 > m->text.size)
		hi = m->text.size - 7;
	for (size_t i = lo; i < hi; i++) {
		const char *s;
		size_t n;

		if (t[i] != 0x48 || t[i + 1] != 0x8d || t[i + 2] != (0x05 | ELFSCAN_RDI << 3))
			continue;
		s = elfscan_str_at(m, m->text.addr + i + 7 + rd32(t + i + 3));
		n = s ? strlen(s) : 0;
		if (n >= sizeof(SSL_LIB_FILE) - 1 &&
		    !strcmp(s + n - (sizeof(SSL_LIB_FILE) - 1), SSL_LIB_FILE))
			return true;
	}
	return false;
}

/*
 * The function whose ERR_set_debug sites load `name` (with ssl_lib.c as the file): 1 and *start,
 * 0 when no site does, -1 when the sites lie in several functions or outside any (why set).
 */
static int func_named(const struct elfscan *m, const char *name, uint64_t *start, char *why,
		      size_t whylen)
{
	uint64_t str, fs, fe, fn = 0;
	size_t pos = 0;
	int nfn = 0;

	while ((str = exact_str(m, name, &pos))) {
		for (size_t k = 0; (k = elfscan_next_lea(m, k, ELFSCAN_RDX, str)) != (size_t)-1;
		     k++) {
			if (!file_near(m, k))
				continue; /* the name used for something else */
			if (!elfscan_func_of(m, m->text.addr + k, &fs, &fe)) {
				snprintf(why, whylen,
					 "OpenSSL 3 linked in, %s not located (no unwind entry)",
					 name);
				return -1;
			}
			if (nfn && fs != fn) {
				snprintf(why, whylen,
					 "OpenSSL 3 linked in, %s not located (2 candidates)",
					 name);
				return -1;
			}
			fn = fs;
			nfn = 1;
		}
	}
	*start = fn;
	return nfn;
}

/* The minor version of "OpenSSL 3.N.P ..." in .rodata, -1 if there is none. */
static int ossl3_minor(const struct elfscan *m)
{
	const char *r = (const char *)m->p + m->rodata.off, *q = r;
	size_t len = m->rodata.size;

	while ((q = memmem(q, len - (q - r), "OpenSSL 3.", 10))) {
		char *end;
		long minor = strtol(q + 10, &end, 10);

		q += 10;
		if (end > q && end < r + len && *end == '.' && minor >= 0 && minor < 100)
			return (int)minor;
	}
	return -1;
}

int tls_ossl_locate(const char *path, struct tls_ossl_funcs *out, char *why, size_t whylen)
{
	struct elfscan m;
	uint64_t w = 0, r = 0, n = 0;
	int ret = 0, minor, rw, rr;

	memset(out, 0, sizeof(*out));
	if (why && whylen)
		why[0] = '\0';
	if (elfscan_open(&m, path) || !exact_str(&m, "ssl_write_internal", &(size_t){0}))
		goto out; /* not OpenSSL 3's libssl */
	ret = -1;
	if (!m.ehhdr.size || !m.ehframe.size) {
		snprintf(why, whylen,
			 "OpenSSL 3 linked in, SSL functions not located (no .eh_frame_hdr)");
		goto out;
	}
	minor = ossl3_minor(&m);
	if (minor < 0) {
		snprintf(why, whylen, "OpenSSL 3 linked in, its version string not found");
		goto out;
	}
	rw = func_named(&m, "ssl_write_internal", &w, why, whylen);
	rr = rw < 0 ? -1 : func_named(&m, "ssl_read_internal", &r, why, whylen);
	if (rw < 0 || rr < 0)
		goto out;
	if (!rw || !rr) {
		snprintf(why, whylen, "OpenSSL 3 linked in, %s not located (0 candidates)",
			 rw ? "ssl_read_internal" : "ssl_write_internal");
		goto out;
	}
	if (func_named(&m, "SSL_new", &n, why, whylen) < 0)
		n = 0; /* optional: a reused SSL* is then told apart only by its data */
	out->write_internal = elfscan_text_off(&m, w);
	out->read_internal = elfscan_text_off(&m, r);
	out->ssl_new = n ? elfscan_text_off(&m, n) : 0;
	out->write_count_arg = minor >= 2 ? 5 : 4;
	if (why && whylen)
		why[0] = '\0';
	ret = 1;
out:
	elfscan_close(&m);
	return ret;
}
