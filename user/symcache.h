/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * symcache.h - function offsets found in a binary, remembered across runs.
 *
 * Scanning the symbols of node (100 MB) for SSL_write & co. costs 10-20 ms of every start-up;
 * the answer only changes when the file does. Entries are keyed by (device, inode, size,
 * mtime in ns) and kept in one small text file, `symbols` in $AGTRACE_CACHE_DIR, else
 * /var/cache/agtrace-bpf as root, else $XDG_CACHE_HOME/agtrace-bpf or ~/.cache/agtrace-bpf.
 * The file is trusted only if it belongs to the caller and nobody else can write it (a forged
 * offset would put a uprobe in the middle of an instruction).
 */
#ifndef AGT_SYMCACHE_H
#define AGT_SYMCACHE_H

#include <stddef.h>
#include <sys/stat.h>

#define SYMCACHE_MAX_NAMES 8

/*
 * The n (<= SYMCACHE_MAX_NAMES) offsets remembered for the file `st` describes, for the lookup
 * identified by `tag` (which names were asked, e.g. "ssl1"): 1 found (offs filled, zeros for
 * names the file lacks), 0 not cached (or no usable cache).
 */
int symcache_get(const char *tag, const struct stat *st, size_t n, size_t *offs);
/* Remembers them; best effort (a cache that cannot be written is skipped silently). */
void symcache_put(const char *tag, const struct stat *st, size_t n, const size_t *offs);
/* Forgets what was read from the cache file (tests; the next get reads it again). */
void symcache_reset(void);

#endif
