// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tls_probe.c - the TLS uprobes' lifecycle and where they are attached. */
#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "agtrace.h"
#include "elfsym.h"
#include "symcache.h"

/* From linux/bpf.h of 6.6+, which this build's headers (Debian 12) predate. */
#define ATTACH_UPROBE_MULTI 48
#define UPROBE_MULTI_RETURN 1u

union link_create_attr {
	struct {
		__u32 prog_fd;
		__u32 target_fd;
		__u32 attach_type;
		__u32 flags;
		__u64 path;
		__u64 offsets;
		__u64 ref_ctr_offsets;
		__u64 cookies;
		__u32 cnt;
		__u32 flags2; /* uprobe_multi.flags */
		__u32 pid;
	} um;
	char pad[128];
};
#include "tls.skel.h"
#include "tls_probe.h"

enum { F_WRITE, F_READ, F_WRITE_EX, F_READ_EX, F_NEW, F_FREE, NFUNCS };
static const char *const funcs[NFUNCS] = {"SSL_write",	 "SSL_read", "SSL_write_ex",
					  "SSL_read_ex", "SSL_new",  "SSL_free"};

/* A uprobe_multi link (fd, libbpf 1.1 cannot create them) or a perf-event one (link). */
struct probe_link {
	struct bpf_link *link;
	int fd;
};

struct tls_probe {
	struct tls_bpf *skel;
	bool multi; /* uprobe_multi links (6.6+), else one perf-event uprobe per function */
	struct probe_link *links;
	size_t nlinks, caplinks;
	struct seen {
		dev_t dev;
		ino_t ino;
	} * seen; /* every file looked at, OpenSSL or not: each is parsed once */
	size_t nseen, capseen;
};

struct tls_probe *tls_probe__new(int tracked_fd, uint64_t max_bytes, char *err, size_t errlen)
{
	struct tls_probe *t = calloc(1, sizeof(*t));
	unsigned long ring = 16ul << 20;
	int e;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, NULL) != 1) {
		snprintf(err, errlen, "the kernel lacks bpf_loop (5.17+)");
		goto fail;
	}
	/* room for a few whole maximal calls while the consumer is busy elsewhere */
	while (ring < 4 * max_bytes && ring < (1ul << 30))
		ring <<= 1;
	/* uprobe_multi first; a kernel that does not know the attach type refuses the load */
	for (int multi = !getenv("AGTRACE_NO_UPROBE_MULTI"); multi >= 0; multi--) {
		tls_bpf__destroy(t->skel);
		t->skel = tls_bpf__open();
		if (!t->skel) {
			snprintf(err, errlen, "cannot open the TLS BPF object: %s",
				 strerror(errno));
			goto fail;
		}
		t->skel->rodata->targ_tls_max = max_bytes;
		t->skel->rodata->targ_wakeup_bytes = ring / 4;
		bpf_map__set_max_entries(t->skel->maps.tls_events, ring);
		if (multi) {
			bpf_program__set_expected_attach_type(t->skel->progs.tls_enter,
							      ATTACH_UPROBE_MULTI);
			bpf_program__set_expected_attach_type(t->skel->progs.tls_return,
							      ATTACH_UPROBE_MULTI);
		}
		e = bpf_map__reuse_fd(t->skel->maps.tracked, tracked_fd);
		if (!e)
			e = tls_bpf__load(t->skel);
		if (!e) {
			t->multi = multi;
			break;
		}
	}
	if (e) {
		snprintf(err, errlen, "cannot load the TLS BPF programs: %s", strerror(-e));
		goto fail;
	}
	return t;
fail:
	tls_probe__free(t);
	return NULL;
}

static void *destroy_link(void *arg)
{
	struct probe_link *l = arg;

	if (l->link)
		bpf_link__destroy(l->link);
	else
		close(l->fd);
	return NULL;
}

/*
 * Removing a uprobe link waits for a grace period (~60 ms here); links removed at the same time
 * share one, so each is closed on a thread of its own: 4 links (libssl and node, entry and
 * return) held the tracer's exit ~240 ms one after the other, ~60 ms together.
 */
static void destroy_links(struct probe_link *links, size_t n)
{
	pthread_t th[16];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (n > 1 && k < sizeof(th) / sizeof(th[0]) &&
		    !pthread_create(&th[k], NULL, destroy_link, &links[i]))
			k++;
		else
			destroy_link(&links[i]);
	}
	while (k)
		pthread_join(th[--k], NULL);
}

static bool is_link_fd(const struct probe_link *links, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (links[i].fd == fd)
			return true;
	return false;
}

/*
 * Removing a perf-event uprobe waits for a grace period (~90 ms here; a uprobe_multi link pays
 * it once for all its probes), so 20 of them held the tracer's exit for 2 s though its output
 * was complete. Without uprobe_multi, a detached
 * child inherits the probes and drops them as it exits; the parent only closes its references.
 * The programs stay attached meanwhile but keep nothing: the tracked map they filter on is empty.
 * AGTRACE_SYNC_DETACH=1 keeps it in the foreground.
 */
static bool detach_in_background(struct probe_link *links, size_t n)
{
	pid_t pid;

	if (n < 8 || getenv("AGTRACE_SYNC_DETACH"))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		long maxfd = sysconf(_SC_OPEN_MAX);

		setsid();
		/* nothing but the probes: a pipe or an output file must see EOF now */
		for (int fd = 0; fd < (maxfd > 0 ? maxfd : 1024); fd++)
			if (!is_link_fd(links, n, fd))
				close(fd);
		_exit(0); /* closing the links is the slow part, done by the kernel at exit */
	}
	for (size_t i = 0; i < n; i++) {
		if (links[i].link) {
			bpf_link__disconnect(links[i].link); /* close, do not detach */
			bpf_link__destroy(links[i].link);
		} else {
			close(links[i].fd);
		}
	}
	return true;
}

void tls_probe__free(struct tls_probe *t)
{
	if (!t)
		return;
	if (!detach_in_background(t->links, t->nlinks))
		destroy_links(t->links, t->nlinks);
	free(t->links);
	free(t->seen);
	tls_bpf__destroy(t->skel);
	free(t);
}

int tls_probe_ring_fd(const struct tls_probe *t)
{
	return bpf_map__fd(t->skel->maps.tls_events);
}

static int add_link(struct tls_probe *t, struct bpf_link *l, int fd)
{
	if (t->nlinks == t->caplinks) {
		size_t ncap = t->caplinks ? t->caplinks * 2 : 32;
		void *p = realloc(t->links, ncap * sizeof(*t->links));

		if (!p) {
			if (l)
				bpf_link__destroy(l);
			else
				close(fd);
			return -ENOMEM;
		}
		t->links = p;
		t->caplinks = ncap;
	}
	t->links[t->nlinks].link = l;
	t->links[t->nlinks].fd = l ? bpf_link__fd(l) : fd;
	t->nlinks++;
	return 0;
}

/* All n probes of one program on `path` as one uprobe_multi link, for every process (pid 0). */
static int attach_multi(struct tls_probe *t, struct bpf_program *prog, const char *path,
			const unsigned long *offs, const __u64 *cookies, unsigned n, bool ret)
{
	union link_create_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.um.prog_fd = bpf_program__fd(prog);
	a.um.attach_type = ATTACH_UPROBE_MULTI;
	a.um.path = (__u64)(uintptr_t)path;
	a.um.offsets = (__u64)(uintptr_t)offs;
	a.um.cookies = (__u64)(uintptr_t)cookies;
	a.um.cnt = n;
	a.um.flags2 = ret ? UPROBE_MULTI_RETURN : 0;
	fd = syscall(SYS_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	if (fd < 0)
		return -errno;
	return add_link(t, NULL, fd);
}

/* The same as perf-event uprobes, one per function, for kernels before 6.6. */
static int attach_perf(struct tls_probe *t, struct bpf_program *prog, const char *path,
		       const unsigned long *offs, const __u64 *cookies, unsigned n, bool ret)
{
	for (unsigned i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = ret, .bpf_cookie = cookies[i]);
		struct bpf_link *l;
		int err;

		/* pid -1: every process, children included; the program filters by `tracked` */
		l = bpf_program__attach_uprobe_opts(prog, -1, path, offs[i], &opts);
		if (!l)
			return -errno;
		err = add_link(t, l, -1);
		if (err)
			return err;
	}
	return 0;
}

/* Marks the file seen; false if it already was. */
static bool first_look(struct tls_probe *t, const struct stat *st)
{
	for (size_t i = 0; i < t->nseen; i++)
		if (t->seen[i].dev == st->st_dev && t->seen[i].ino == st->st_ino)
			return false;
	if (t->nseen == t->capseen) {
		size_t ncap = t->capseen ? t->capseen * 2 : 64;
		void *p = realloc(t->seen, ncap * sizeof(*t->seen));

		if (!p)
			return false;
		t->seen = p;
		t->capseen = ncap;
	}
	t->seen[t->nseen].dev = st->st_dev;
	t->seen[t->nseen].ino = st->st_ino;
	t->nseen++;
	return true;
}

int tls_probe_attach_file(struct tls_probe *t, const char *path)
{
	static const __u64 fn_of[NFUNCS] = {AGT_TLS_FN_WRITE,	 AGT_TLS_FN_READ,
					    AGT_TLS_FN_WRITE_EX, AGT_TLS_FN_READ_EX,
					    AGT_TLS_FN_NEW,	 AGT_TLS_FN_FREE};
	unsigned long eoff[NFUNCS], roff[NFUNCS];
	__u64 ecookie[NFUNCS], rcookie[NFUNCS];
	unsigned ne = 0, nr = 0;
	size_t off[NFUNCS];
	struct stat st;
	int err;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || !first_look(t, &st))
		return 0;
	/* node's symbol scan is 10-20 ms of every start-up: remembered per file version */
	if (!symcache_get("ssl1", &st, NFUNCS, off)) {
		if (elfsym_offsets(path, funcs, NFUNCS, off) < 0)
			return 0;
		symcache_put("ssl1", &st, NFUNCS, off);
	}
	if (!off[F_WRITE] || !off[F_READ])
		return 0;
	for (int f = 0; f < NFUNCS; f++) {
		if (!off[f])
			continue;
		if (f != F_NEW) { /* entry: the arguments; SSL_free: the end of a connection */
			eoff[ne] = off[f];
			ecookie[ne++] = fn_of[f];
		}
		if (f != F_FREE) { /* return: the byte count; SSL_new: the new SSL* */
			roff[nr] = off[f];
			rcookie[nr++] = fn_of[f];
		}
	}
	if (t->multi) {
		err = attach_multi(t, t->skel->progs.tls_enter, path, eoff, ecookie, ne, false);
		err = err
			  ?: attach_multi(t, t->skel->progs.tls_return, path, roff, rcookie, nr,
					  true);
	} else {
		err = attach_perf(t, t->skel->progs.tls_enter, path, eoff, ecookie, ne, false);
		err =
		    err ?: attach_perf(t, t->skel->progs.tls_return, path, roff, rcookie, nr, true);
	}
	if (err) {
		fprintf(stderr, "agtrace-bpf: cannot attach TLS uprobes to %s: %s\n", path,
			strerror(-err));
		return err;
	}
	if (getenv("AGTRACE_DEBUG"))
		fprintf(stderr, "agtrace-bpf: TLS uprobes on %s (%s)\n", path,
			t->multi ? "uprobe_multi" : "perf uprobes");
	return 1;
}

void tls_probe_attach_system(struct tls_probe *t)
{
	static const char *const pats[] = {
	    "/lib/*-linux-gnu/libssl.so*", "/usr/lib/*-linux-gnu/libssl.so*",
	    "/lib64/libssl.so*",	   "/usr/lib64/libssl.so*",
	    "/usr/lib/libssl.so*",	   "/usr/local/lib/libssl.so*",
	};
	const char *path = getenv("PATH");
	char *dirs, *save = NULL;

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		glob_t g;

		if (glob(pats[i], 0, NULL, &g))
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++)
			tls_probe_attach_file(t, g.gl_pathv[k]);
		globfree(&g);
	}
	/* node links OpenSSL statically and exports its symbols */
	dirs = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		char p[4096];

		snprintf(p, sizeof(p), "%s/node", d);
		tls_probe_attach_file(t, p);
		snprintf(p, sizeof(p), "%s/nodejs", d);
		tls_probe_attach_file(t, p);
	}
	free(dirs);
}

void tls_probe_scan_pid(struct tls_probe *t, pid_t pid)
{
	char path[64], line[4096], file[4096 + 64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char perms[8], range[64], *name;
		size_t nl;
		int n = 0;

		/* 7f..-7f.. r-xp 00000000 08:01 1234   /usr/lib/x86_64-linux-gnu/libssl.so.3 */
		if (sscanf(line, "%63s %7s %*s %*s %*s %n", range, perms, &n) < 2 ||
		    perms[2] != 'x' || !n)
			continue;
		name = line + n;
		nl = strcspn(name, "\n");
		name[nl] = '\0';
		if (name[0] != '/')
			continue;
		if (nl > 10 && !strcmp(name + nl - 10, " (deleted)")) {
			/* replaced or removed on disk (an upgrade): the mapping still reaches it */
			snprintf(file, sizeof(file), "/proc/%d/map_files/%s", pid, range);
		} else {
			/* through the process's root: it may live in another mount namespace */
			snprintf(file, sizeof(file), "/proc/%d/root%s", pid, name);
		}
		tls_probe_attach_file(t, file);
	}
	fclose(f);
}

int tls_probe_drops_fd(const struct tls_probe *t)
{
	return bpf_map__fd(t->skel->maps.tls_drops);
}
