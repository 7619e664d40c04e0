/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * record.h - validation of raw ring-buffer records before anything reads them.
 *
 * The kernel side is ours, but a record is still bytes from another program: every length is
 * checked against the size the ring buffer reported, so a bad record is rejected, never read
 * past its end.
 */
#ifndef AGT_RECORD_H
#define AGT_RECORD_H

#include <linux/types.h>
#include <stddef.h>

#include "abi.h"

/* Captured memory of one syscall, indexed by argument. */
struct rec_caps {
	const struct agt_cap *cap[AGT_NARGS]; /* NULL where the argument has no capture */
	const unsigned char *data[AGT_NARGS];
};

/*
 * Steps through one ring-buffer entry: a single record, or (tp_btf) a batch of records back to
 * back, each starting 8-byte aligned and sized by its header. Start with *off = 0. Returns 1
 * with *rec and *len set to the next record, 0 at the end, -EINVAL for a header that does not fit
 * (the rest of the entry is then unreadable).
 */
int rec_chunk_next(const void *data, size_t size, size_t *off, const void **rec, size_t *len);
/* Returns the record type if data/size hold a well-formed record, or -EINVAL. */
int rec_check(const void *data, size_t size);
/* Fills caps from a checked syscall record; returns 0 or -EINVAL for a malformed item list. */
int rec_syscall_caps(const struct agt_syscall *r, size_t size, struct rec_caps *caps);
/* Pointers to an exec record's filename and argv bytes (lengths in the record); 0 or -EINVAL. */
int rec_exec_parts(const struct agt_exec *r, size_t size, const char **filename, const char **argv);

#endif
