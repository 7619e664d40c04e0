/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gopclntab.h - Go's own function table (runtime.pclntab) read from an ELF file.
 *
 * Every Go binary carries, for its runtime's stack traces, a table of its functions: names and
 * entry addresses. `go build -ldflags='-s -w'` strips .symtab and DWARF but not this table,
 * which lives in the .gopclntab section (.data.rel.ro.gopclntab in PIE builds). Its layout
 * changed with Go 1.2, 1.16, 1.18 and 1.20 (each with its own magic); this reader knows the
 * 1.18 layout, which 1.20 kept under a new magic, and refuses the others by name.
 */
#ifndef AGT_GOPCLNTAB_H
#define AGT_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gobin;

struct gofunc {
	uint64_t entry;	     /* virtual address of the first instruction */
	uint64_t end;	     /* of the next function: code, then INT3 padding, up to here */
	uint64_t off;	     /* file offset of entry (what a uprobe is attached at) */
	const uint8_t *code; /* entry..end, inside the mapped file */
};

/*
 * Opens `path` if it is a Go binary: 1 with *out set (free with gobin__free; when its table
 * cannot be read with confidence, gobin_error says why and the lookups find nothing), 0 if it is
 * not a Go ELF binary (decided from the section headers alone: cheap), or -1 with `why` for a Go
 * binary without a table at all or when memory runs out.
 */
/* Formats the reason into why (snprintf contract) and returns -1: the refusals' one shape. */
int gobin_fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int gobin__open(const char *path, struct gobin **out, char *why, size_t whylen);
void gobin__free(struct gobin *g);

/*
 * Why the function table cannot be used (an unsupported Go version, a corrupt table): one short
 * phrase, or NULL when it was read.
 */
const char *gobin_error(const struct gobin *g);
/* Whether the table's bytes contain `s` (function names are stored as plain strings). */
bool gobin_mentions(const struct gobin *g, const char *s);

/* The Go version the linker wrote into .go.buildinfo ("go1.19.8"), or "" when unknown. */
const char *gobin_version(const struct gobin *g);
/* The table's magic (0xfffffff0: Go 1.18/1.19, 0xfffffff1: 1.20+). */
uint32_t gobin_magic(const struct gobin *g);
/* Number of functions in the table. */
size_t gobin_nfuncs(const struct gobin *g);

/*
 * Function i of the table (0 <= i < gobin_nfuncs): its name (NUL-terminated, inside the mapped
 * file) and addresses. Returns the name, or NULL (and *f untouched) if the entry is malformed.
 */
const char *gobin_func(const struct gobin *g, size_t i, struct gofunc *f);

/*
 * Looks up each of names[0..n) (full Go names, "crypto/tls.(*Conn).Write"); fills out[i] and
 * sets found[i] to how many functions carry that name (0, 1, or more: ambiguous). Returns the
 * number of names found exactly once.
 */
int gobin_lookup(const struct gobin *g, const char *const *names, size_t n, struct gofunc *out,
		 unsigned *found);

#endif
