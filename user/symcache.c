// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* symcache.c - function offsets found in a binary, remembered across runs (see symcache.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symcache.h"

#define MAX_ENTRIES 4096

struct entry {
	char tag[16];
	unsigned long long dev, ino, size, mtime_ns;
	unsigned int n;
	size_t offs[SYMCACHE_MAX_NAMES];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *entries;
static size_t nentries;
static bool loaded;

/* The cache directory, or false if none can be named. */
static bool cache_dir(char *buf, size_t n)
{
	const char *d = getenv("AGTRACE_CACHE_DIR"), *home;
	int len;

	if (d && *d)
		len = snprintf(buf, n, "%s", d);
	else if (geteuid() == 0)
		len = snprintf(buf, n, "/var/cache/agtrace-bpf");
	else if ((d = getenv("XDG_CACHE_HOME")) && *d)
		len = snprintf(buf, n, "%s/agtrace-bpf", d);
	else if ((home = getenv("HOME")) && *home)
		len = snprintf(buf, n, "%s/.cache/agtrace-bpf", home);
	else
		return false;
	return len > 0 && (size_t)len < n;
}

static bool cache_file(char *buf, size_t n)
{
	char dir[4096];
	int len;

	if (!cache_dir(dir, sizeof(dir)))
		return false;
	len = snprintf(buf, n, "%s/symbols", dir);
	return len > 0 && (size_t)len < n;
}

static unsigned long long mtime_ns(const struct stat *st)
{
	return st->st_mtim.tv_sec * 1000000000ull + st->st_mtim.tv_nsec;
}

static bool same_file(const struct entry *e, const char *tag, const struct stat *st, size_t n)
{
	return e->n == n && e->dev == (unsigned long long)st->st_dev &&
	       e->ino == (unsigned long long)st->st_ino &&
	       e->size == (unsigned long long)st->st_size && e->mtime_ns == mtime_ns(st) &&
	       !strcmp(e->tag, tag);
}

static void add_entry(const struct entry *e)
{
	if (!entries)
		entries = calloc(MAX_ENTRIES, sizeof(*entries));
	if (!entries || nentries >= MAX_ENTRIES)
		return;
	entries[nentries++] = *e;
}

/* Reads the cache file once; a file someone else could have written is ignored. */
static void load(void)
{
	char path[4200], line[512];
	struct stat st;
	FILE *f;
	int fd;

	loaded = true;
	if (!cache_file(path, sizeof(path)))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (nentries >= MAX_ENTRIES) {
			/* grown too big (binaries replaced again and again): start afresh */
			unlink(path);
			break;
		}
		struct entry e = {0};
		char *p = line, *end;
		unsigned int got = 0;
		int used = 0;

		/* a line cut short (a writer killed mid-write) is not an entry */
		if (!strchr(line, '\n'))
			continue;
		if (sscanf(p, "%15s %llu %llu %llu %llu %u%n", e.tag, &e.dev, &e.ino, &e.size,
			   &e.mtime_ns, &e.n, &used) != 6 ||
		    e.n > SYMCACHE_MAX_NAMES)
			continue;
		p += used;
		for (unsigned i = 0; i < e.n; i++, got++) {
			e.offs[i] = strtoull(p, &end, 16);
			if (end == p)
				break;
			p = end;
		}
		if (got == e.n)
			add_entry(&e);
	}
	fclose(f);
}

int symcache_get(const char *tag, const struct stat *st, size_t n, size_t *offs)
{
	int found = 0;

	if (n > SYMCACHE_MAX_NAMES || strlen(tag) >= sizeof(((struct entry *)0)->tag))
		return 0;
	pthread_mutex_lock(&lock);
	if (!loaded)
		load();
	for (size_t i = nentries; i-- > 0;) { /* the newest entry wins */
		if (same_file(&entries[i], tag, st, n)) {
			memcpy(offs, entries[i].offs, n * sizeof(*offs));
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return found;
}

void symcache_put(const char *tag, const struct stat *st, size_t n, const size_t *offs)
{
	struct entry e = {0};
	char path[4200], dir[4096], line[512];
	int fd, len;

	if (n > SYMCACHE_MAX_NAMES || strlen(tag) >= sizeof(e.tag) ||
	    !cache_dir(dir, sizeof(dir)) || !cache_file(path, sizeof(path)))
		return;
	snprintf(e.tag, sizeof(e.tag), "%s", tag);
	e.dev = st->st_dev;
	e.ino = st->st_ino;
	e.size = st->st_size;
	e.mtime_ns = mtime_ns(st);
	e.n = n;
	memcpy(e.offs, offs, n * sizeof(*offs));
	len = snprintf(line, sizeof(line), "%s %llu %llu %llu %llu %u", e.tag, e.dev, e.ino, e.size,
		       e.mtime_ns, e.n);
	for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len, " %zx", offs[i]);
	if (len <= 0 || (size_t)len >= sizeof(line) - 1)
		return;
	line[len++] = '\n';
	pthread_mutex_lock(&lock);
	add_entry(&e);
	pthread_mutex_unlock(&lock);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return;
	/* one write of a whole line with O_APPEND: concurrent tracers do not interleave lines */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, len) != len) {
		/* a short write leaves a partial line, which load() skips */
	}
	close(fd);
}

void symcache_reset(void)
{
	pthread_mutex_lock(&lock);
	free(entries);
	entries = NULL;
	nentries = 0;
	loaded = false;
	pthread_mutex_unlock(&lock);
}
