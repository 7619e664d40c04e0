/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * evfile.h - the decompressed bytes of a recording's events file, read sequentially, whatever
 * its codec. The one place that knows how events are stored on disk.
 */
#ifndef AGT_EVFILE_H
#define AGT_EVFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "rec_err.h"

struct evfile;

/* Opens the events file in recording directory dir. 0, or -errno with err set (one line naming
 * the file). An absent events file is -ENOENT. */
int evfile__open(struct evfile **out, const char *dir, struct rec_err *err);
/* Reads up to n decompressed bytes: the count, 0 at the end, or -1 when the stream is corrupt
 * or truncated after some data (what was read is all there is; see evfile_warning). */
ssize_t evfile_read(struct evfile *f, void *buf, size_t n);
/* NULL, or one line saying why the stream ended early. */
const char *evfile_warning(const struct evfile *f);
/* The file's path (for messages). */
const char *evfile_path(const struct evfile *f);
/* NULL is a no-op. */
void evfile__free(struct evfile *f);

#endif
