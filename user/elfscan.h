/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * elfscan.h - reading a stripped x86-64 ELF object for what its code does: sections by name,
 * function bounds from .eh_frame_hdr (kept by Rust and most C toolchains even when stripped),
 * rip-relative `lea` references to a string. Plain reads over an mmap of the file, no libelf:
 * the locators built on it (tls_awslc.c, tls_ossl.c) must answer "not here" cheaply.
 */
#ifndef AGT_ELFSCAN_H
#define AGT_ELFSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elfscan_sec {
	uint64_t addr, off, size; /* vaddr, file offset, bytes; size 0: absent */
};

struct elfscan {
	const unsigned char *p;
	size_t len;
	struct elfscan_sec rodata, text, ehhdr, ehframe;
};

/* x86-64 registers as `lea` encodes them (ModRM reg field) */
enum { ELFSCAN_RCX = 1, ELFSCAN_RDX = 2, ELFSCAN_RDI = 7 };

/*
 * Maps `path` and finds its sections: 0, or -ENOEXEC when it is not an ELF64 x86-64 object with
 * .rodata and .text, -errno when it cannot be read. elfscan_close() in both cases.
 */
int elfscan_open(struct elfscan *m, const char *path);
void elfscan_close(struct elfscan *m);
/*
 * The next NUL-terminated string of .rodata that ends with `suffix` (len bytes, no NUL), from
 * *pos on (0 at first): its vaddr, 0 when there is none; *pos moves past it.
 */
uint64_t elfscan_rodata_str(const struct elfscan *m, const char *suffix, size_t len, size_t *pos);
/* The string of .rodata at vaddr `a` (NULL if outside): for checks, not for copying. */
const char *elfscan_str_at(const struct elfscan *m, uint64_t a);
/*
 * The next `lea reg, [rip + rel32]` (REX.W) in .text at or after text offset `from` that loads
 * `target`: its text offset, or (size_t)-1.
 */
size_t elfscan_next_lea(const struct elfscan *m, size_t from, unsigned reg, uint64_t target);
/* The function containing `pc` from .eh_frame_hdr and its FDE: true with [*start, *end). */
bool elfscan_func_of(const struct elfscan *m, uint64_t pc, uint64_t *start, uint64_t *end);
/* The file offset (what a uprobe needs) of a .text vaddr. */
uint64_t elfscan_text_off(const struct elfscan *m, uint64_t vaddr);

#endif
