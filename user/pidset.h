/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* pidset.h - the set of live traced processes, mirrored from fork/exit records. */
#ifndef AGT_PIDSET_H
#define AGT_PIDSET_H

#include <stdbool.h>
#include <sys/types.h>

struct pidset {
	pid_t *slot; /* open addressing; 0 = empty, -1 = deleted */
	unsigned cap;
	unsigned n;
	unsigned used; /* n + deleted slots */
};

/* 0 or -ENOMEM. */
int pidset_add(struct pidset *s, pid_t pid);
bool pidset_has(const struct pidset *s, pid_t pid);
/* true if pid was present. */
bool pidset_del(struct pidset *s, pid_t pid);
/* Frees the table; the struct is reusable (zeroed). */
void pidset_release(struct pidset *s);

#endif
