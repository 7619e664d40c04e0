/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * numfmt.h - formatting shared by the analyzers' text and JSON printers: thousands separators
 * ("12,345"), one-decimal rounding without libm (the binary does not link it), and an asprintf
 * that returns the string.
 */
#ifndef AGT_NUMFMT_H
#define AGT_NUMFMT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NUMFMT_LEN 40

/* asprintf that returns the string (the caller frees), or NULL. */
static inline __attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

/* v rounded half away from zero to one decimal. */
static inline double numfmt_round1(double v)
{
	if (v != v || v > 9e17 || v < -9e17)
		return v;
	return v >= 0 ? (double)(long long)(v * 10 + 0.5) / 10
		      : -(double)(long long)(-v * 10 + 0.5) / 10;
}

/* v with a ',' every three digits, in buf (NUMFMT_LEN bytes); returns buf. */
static inline const char *numfmt_int(char *buf, long long v)
{
	char tmp[NUMFMT_LEN];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t len, o = 0;

	len = (size_t)snprintf(tmp, sizeof(tmp), "%llu", u);
	if (v < 0)
		buf[o++] = '-';
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* v rounded to one decimal, thousands grouped ("2,500.5"), in buf (NUMFMT_LEN bytes). */
static inline const char *numfmt_dec1(char *buf, double v)
{
	long long tenths;
	size_t o;

	if (v != v || v > 9e17 || v < -9e17) {
		snprintf(buf, NUMFMT_LEN, "%g", v);
		return buf;
	}
	tenths = (long long)(v >= 0 ? v * 10 + 0.5 : v * 10 - 0.5);
	if (tenths < 0) {
		buf[0] = '-';
		numfmt_int(buf + 1, -tenths / 10);
	} else {
		numfmt_int(buf, tenths / 10);
	}
	o = strlen(buf);
	snprintf(buf + o, NUMFMT_LEN - o, ".%lld", (tenths < 0 ? -tenths : tenths) % 10);
	return buf;
}

#endif
