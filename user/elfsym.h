/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* elfsym.h - file offsets of named functions in an ELF object, for uprobes. */
#ifndef AGT_ELFSYM_H
#define AGT_ELFSYM_H

#include <stddef.h>

/*
 * Looks up each of names[0..n) among the defined function symbols of `path` (.dynsym, then
 * .symtab; a versioned "SSL_write@@OPENSSL_3.0.0" matches "SSL_write") and stores its file
 * offset in offs[i] (0 if absent). One pass over the file whatever n is: node is 100 MB.
 * Returns how many were found, or -errno if the file is not a readable ELF object.
 */
int elfsym_offsets(const char *path, const char *const *names, size_t n, size_t *offs);

#endif
