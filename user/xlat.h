/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * xlat.h - tables of named constants (value -> name), as strace's xlat tables.
 *
 * The tables of syscall-argument constants are generated from the kernel UAPI headers by
 * scripts/gen_xlat.py into xlat_gen.c; enum xlat_id (xlat_gen.h) names them, and a syscall
 * argument refers to its table by that id (struct sc_arg.xlat).
 */
#ifndef AGT_XLAT_H
#define AGT_XLAT_H

#include <stddef.h>

#include "xlat_gen.h"

struct xlat {
	unsigned long long val;
	const char *str;
};

enum xlat_kind {
	XLAT_ENUM = 0,	/* one value: the exact name, else hex and a comment (printxval) */
	XLAT_FLAGS = 1, /* a set of bits: names joined with '|', unknown bits in hex (printflags) */
};

struct xlat_tab {
	const struct xlat *v;
	unsigned short n;
	unsigned char kind; /* enum xlat_kind */
	const char *dflt;   /* the comment after a value nothing names, e.g. "MSG_???" */
};

extern const struct xlat_tab xlat_tabs[XL_COUNT];

/*
 * Formats v with table `id` as strace would, into buf (snprintf contract: returns the length it
 * would have written). `bits` is the width of the argument's C type (32 or 64): table values
 * are compared at that width, so RUSAGE_CHILDREN (-1) matches an int argument's 0xffffffff.
 * An id without a table prints v in hex.
 */
size_t fmt_xlat(char *buf, size_t n, enum xlat_id id, unsigned long long v, unsigned int bits);
/* The name of v in table id, or NULL. */
const char *xlat_name(enum xlat_id id, unsigned long long v, unsigned int bits);

#endif
