/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_ossl.h - OpenSSL 3 linked statically into a stripped binary (Copilot CLI's runtime.node:
 * reqwest over native-tls), its read and write located by their own names.
 *
 * OpenSSL 3's ERR_raise(lib, reason) expands to ERR_new(); ERR_set_debug(OPENSSL_FILE,
 * OPENSSL_LINE, OPENSSL_FUNC); ERR_set_error(...): every function that reports an error loads
 * its own name (__func__) into rdx and its source file into rdi. ssl_write_internal and
 * ssl_read_internal, which SSL_write/SSL_write_ex and SSL_read/SSL_read_ex all go through, are
 * thus the functions whose code loads "ssl_write_internal"/"ssl_read_internal" next to
 * ".../ssl/ssl_lib.c"; SSL_new likewise. x86-64 only.
 */
#ifndef AGT_TLS_OSSL_H
#define AGT_TLS_OSSL_H

#include <stddef.h>

struct tls_ossl_funcs {
	size_t write_internal; /* file offsets; 0 if absent */
	size_t read_internal;
	size_t ssl_new;
	/*
	 * Which argument of ssl_write_internal is the size_t *written: 4 before OpenSSL 3.2
	 * (s, buf, num, written), 5 from 3.2 on (s, buf, num, flags, written).
	 */
	int write_count_arg;
};

/*
 * >0 located (write and read), 0 no OpenSSL 3 in the file (cheap), <0 OpenSSL 3 there but not
 * located with confidence (why set: one function name loaded by several functions, an unknown
 * 3.x release...).
 */
int tls_ossl_locate(const char *path, struct tls_ossl_funcs *out, char *why, size_t whylen);

#endif
