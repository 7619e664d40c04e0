/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* sha256.h - SHA-256 (FIPS 180-4) of a buffer, for the system prompt hashes of a context diff. */
#ifndef AGT_SHA256_H
#define AGT_SHA256_H

#include <stddef.h>

/* Writes the digest of data as 64 lowercase hex digits and a NUL into hex (65 bytes). */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
