/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rec_err.h - one-line error messages for the offline readers.
 *
 * Library functions never print: they fill a struct rec_err with one lowercase line that names
 * the file (and line, when there is one) and what is wrong, and return -errno. The verbs print it
 * as "agtrace-bpf: <msg>".
 */
#ifndef AGT_REC_ERR_H
#define AGT_REC_ERR_H

#include <stdarg.h>
#include <stdio.h>

#define REC_ERR_MAX 512

struct rec_err {
	char msg[REC_ERR_MAX];
};

/* Formats the message into err (which may be NULL) and returns code, so callers can
 * `return rec_errf(err, -EINVAL, "...")`. */
static inline __attribute__((format(printf, 3, 4))) int rec_errf(struct rec_err *err, int code,
								 const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

#endif
