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
#include "tls_bssl.h"
#include "tls_coverage.h"
#include "tls_awslc.h"
#include "tls_go.h"
#include "tls_ossl.h"

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
#include "tls_sock.skel.h"

enum { F_WRITE, F_READ, F_WRITE_EX, F_READ_EX, F_NEW, F_FREE, NFUNCS };
static const char *const funcs[NFUNCS] = {"SSL_write",	 "SSL_read", "SSL_write_ex",
					  "SSL_read_ex", "SSL_new",  "SSL_free"};

/*
 * How the programs reach OpenSSL, best first; each is tried by doing it (tls_probe__new):
 * MULTI  uprobe_multi links (6.6+), attach cookies, bpf_loop copy;
 * PERF   one perf-event uprobe per function, attach cookies (5.15+), bpf_loop copy (5.17+);
 * CHAIN  one perf-event uprobe per function with a program each, tail-call copy chain (5.10+).
 */
enum tls_mode { TLS_MULTI, TLS_PERF, TLS_CHAIN, NMODES };
static const char *const mode_names[NMODES] = {"uprobe_multi+bpf_loop", "perf uprobes+bpf_loop",
					       "perf uprobes+tail calls"};

/* A uprobe_multi link (fd, libbpf 1.1 cannot create them) or a perf-event one (link). */
struct probe_link {
	struct bpf_link *link;
	int fd;
};

struct tls_probe {
	struct tls_bpf *skel;
	enum tls_mode mode;
	uint64_t chain_max; /* TLS_CHAIN: bytes one call can have copied */
	struct probe_link *links;
	size_t nlinks, caplinks;
	struct seen {
		dev_t dev;
		ino_t ino;
		enum tls_file_state state;
		const char *stack; /* static: "OpenSSL"... (NULL: no TLS stack recognised) */
		char *why;	   /* TLS_FILE_BLIND: why no probe is there */
	} * seen;		   /* every file looked at, OpenSSL or not: each is parsed once */
	size_t nseen, capseen;
	struct tls_sock_bpf *sock; /* socket tracepoints, loaded with the first AWS-LC binary */
};

/*
 * The chain's links: the return program and up to 32 tail calls (MAX_TAIL_CALL_CNT on every
 * kernel it serves), each copying CHAIN_CHUNKS (tls.bpf.c) chunks.
 */
#define CHAIN_LINKS  33
#define CHAIN_CHUNKS 16

/*
 * What the canary probe sits on: a function of the tracer itself that nothing else calls. The
 * empty asm keeps it from being folded away or inlined.
 */
__attribute__((noinline)) void agt_tls_canary(void)
{
	asm volatile("" ::: "memory");
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

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Closes every fd but the links' with a few close_range() calls (5.9+) over the gaps between
 * them, not a close() per possible fd: a burst of a thousand syscalls is what the detaching
 * tracer's teardown must not race with (see tracer_run's cleanup). Falls back to the loop.
 */
static void close_all_but(const struct probe_link *links, size_t n)
{
	long maxfd = sysconf(_SC_OPEN_MAX);
	int *keep = malloc((n + 1) * sizeof(*keep));
	unsigned lo = 0;

	if (keep) {
		for (size_t i = 0; i < n; i++)
			keep[i] = links[i].fd;
		qsort(keep, n, sizeof(*keep), cmp_int);
		for (size_t i = 0; i < n; i++) {
			if ((unsigned)keep[i] > lo &&
			    syscall(SYS_close_range, lo, (unsigned)keep[i] - 1, 0) &&
			    errno == ENOSYS)
				break;
			lo = keep[i] + 1;
		}
		free(keep);
		if (!syscall(SYS_close_range, lo, ~0u, 0))
			return;
	}
	for (int fd = 0; fd < (maxfd > 0 ? maxfd : 1024); fd++)
		if (!is_link_fd(links, n, fd))
			close(fd);
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
		setsid();
		/* nothing but the probes: a pipe or an output file must see EOF now */
		close_all_but(links, n);
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
	tls_sock_bpf__destroy(t->sock);
	free(t->links);
	for (size_t i = 0; i < t->nseen; i++)
		free(t->seen[i].why);
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

/*
 * The same as perf-event uprobes, one per function, for kernels before 6.6: progs[i] on offs[i],
 * with cookies[i] where the kernel has attach cookies (cookies NULL: TLS_CHAIN, where each
 * function has its own program instead).
 */
static int attach_perf(struct tls_probe *t, struct bpf_program *const *progs, const char *path,
		       const unsigned long *offs, const __u64 *cookies, unsigned n, bool ret)
{
	for (unsigned i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = ret,
			    .bpf_cookie = cookies ? cookies[i] : 0);
		struct bpf_link *l;
		int err;

		/* pid -1: every process, children included; the program filters by `tracked` */
		l = bpf_program__attach_uprobe_opts(progs[i], -1, path, offs[i], &opts);
		if (!l)
			return -errno;
		err = add_link(t, l, -1);
		if (err)
			return err;
	}
	return 0;
}

static struct seen *seen_find(struct tls_probe *t, const struct stat *st)
{
	for (size_t i = 0; i < t->nseen; i++)
		if (t->seen[i].dev == st->st_dev && t->seen[i].ino == st->st_ino)
			return &t->seen[i];
	return NULL;
}

/* A new record for the file (state TLS_FILE_NONE); NULL when out of memory. */
static struct seen *seen_add(struct tls_probe *t, const struct stat *st)
{
	if (t->nseen == t->capseen) {
		size_t ncap = t->capseen ? t->capseen * 2 : 64;
		void *p = realloc(t->seen, ncap * sizeof(*t->seen));

		if (!p)
			return NULL;
		t->seen = p;
		t->capseen = ncap;
	}
	memset(&t->seen[t->nseen], 0, sizeof(t->seen[t->nseen]));
	t->seen[t->nseen].dev = st->st_dev;
	t->seen[t->nseen].ino = st->st_ino;
	return &t->seen[t->nseen++];
}

static void seen_blind(struct seen *s, const char *stack, const char *why)
{
	s->state = TLS_FILE_BLIND;
	s->stack = stack;
	free(s->why);
	s->why = strdup(why);
}


/* The TLS_CHAIN program of function f at its entry or return (NULL: no probe there). */
static struct bpf_program *chain_prog(const struct tls_bpf *skel, int f, bool ret)
{
	static const int slot[NFUNCS][2] = {
	    [F_WRITE] = {0, 6},	  [F_READ] = {1, 6}, [F_WRITE_EX] = {2, 6},
	    [F_READ_EX] = {3, 6}, [F_NEW] = {-1, 5}, [F_FREE] = {4, -1},
	};
	struct bpf_program *const progs[] = {skel->progs.tls_write_c,	 skel->progs.tls_read_c,
					     skel->progs.tls_write_ex_c, skel->progs.tls_read_ex_c,
					     skel->progs.tls_free_c,	 skel->progs.tls_new_c,
					     skel->progs.tls_return_c};
	int i = slot[f][ret];

	return i < 0 ? NULL : progs[i];
}

/*
 * Probes on `nfn` functions of `path` at offs[] (fns[]: which F_*): entries and returns, in the
 * probe's mode. Returns 0 or -errno (what is attached stays in t->links, closed at the end).
 */
static int attach_funcs(struct tls_probe *t, const char *path, const int *fns, const size_t *offs,
			unsigned nfn)
{
	static const __u64 fn_of[NFUNCS + 1] = {
	    AGT_TLS_FN_WRITE, AGT_TLS_FN_READ, AGT_TLS_FN_WRITE_EX, AGT_TLS_FN_READ_EX,
	    AGT_TLS_FN_NEW,   AGT_TLS_FN_FREE, AGT_TLS_FN_CANARY};
	struct bpf_program *eprog[NFUNCS + 1], *rprog[NFUNCS + 1];
	unsigned long eoff[NFUNCS + 1] = {0}, roff[NFUNCS + 1] = {0};
	__u64 ecookie[NFUNCS + 1] = {0}, rcookie[NFUNCS + 1] = {0};
	unsigned ne = 0, nr = 0;
	struct tls_bpf *sk = t->skel;
	int err;

	for (unsigned i = 0; i < nfn; i++) {
		int f = fns[i];

		if (f == NFUNCS) { /* the canary: entry only */
			eprog[ne] =
			    t->mode == TLS_CHAIN ? sk->progs.tls_canary_c : sk->progs.tls_enter;
			eoff[ne] = offs[i];
			ecookie[ne++] = fn_of[f];
			continue;
		}
		if (f != F_NEW) { /* entry: the arguments; SSL_free: the end of a connection */
			eprog[ne] =
			    t->mode == TLS_CHAIN ? chain_prog(sk, f, false) : sk->progs.tls_enter;
			eoff[ne] = offs[i];
			ecookie[ne++] = fn_of[f];
		}
		if (f != F_FREE) { /* return: the byte count; SSL_new: the new SSL* */
			rprog[nr] =
			    t->mode == TLS_CHAIN ? chain_prog(sk, f, true) : sk->progs.tls_return;
			roff[nr] = offs[i];
			rcookie[nr++] = fn_of[f];
		}
	}
	switch (t->mode) {
	case TLS_MULTI:
		err = attach_multi(t, sk->progs.tls_enter, path, eoff, ecookie, ne, false);
		if (!err && nr)
			err = attach_multi(t, sk->progs.tls_return, path, roff, rcookie, nr, true);
		return err;
	case TLS_PERF:
		err = attach_perf(t, eprog, path, eoff, ecookie, ne, false);
		return err ?: attach_perf(t, rprog, path, roff, rcookie, nr, true);
	default:
		err = attach_perf(t, eprog, path, eoff, NULL, ne, false);
		return err ?: attach_perf(t, rprog, path, roff, NULL, nr, true);
	}
}

/*
 * The file being looked at (the last seen record) carries `stack` but is not attached: blind,
 * unless another stack in it is attached (attach_file decides); the first reason is kept.
 */
static void set_why(struct tls_probe *t, const char *stack, const char *why)
{
	struct seen *s = &t->seen[t->nseen - 1];

	if (!s->why)
		seen_blind(s, stack, why);
}

/*
 * Entry probes (eoff/ecookie, ne) and return probes (roff/rcookie, nr) of `path` on the
 * cookie-dispatched tls_enter/tls_return, in the probe's mode (not TLS_CHAIN: no cookies
 * there). 0 or -errno, said on stderr.
 */
static int attach_cookied(struct tls_probe *t, const char *path, const unsigned long *eoff,
			  const __u64 *ecookie, unsigned ne, const unsigned long *roff,
			  const __u64 *rcookie, unsigned nr)
{
	struct bpf_program *eprog[8], *rprog[8];
	int err;

	if (ne > 8 || nr > 8)
		return -E2BIG;
	for (unsigned i = 0; i < ne; i++)
		eprog[i] = t->skel->progs.tls_enter;
	for (unsigned i = 0; i < nr; i++)
		rprog[i] = t->skel->progs.tls_return;
	if (t->mode == TLS_MULTI) {
		err = attach_multi(t, t->skel->progs.tls_enter, path, eoff, ecookie, ne, false);
		if (!err && nr)
			err = attach_multi(t, t->skel->progs.tls_return, path, roff, rcookie, nr,
					   true);
	} else {
		err = attach_perf(t, eprog, path, eoff, ecookie, ne, false);
		if (!err)
			err = attach_perf(t, rprog, path, roff, rcookie, nr, true);
	}
	if (err)
		fprintf(stderr, "agtrace-bpf: cannot attach TLS uprobes to %s: %s\n", path,
			strerror(-err));
	return err;
}

/*
 * The programs on the socket send/receive tracepoints that say which socket an AEAD key serves
 * (tls_sock.bpf.c), sharing the TLS object's ring, drop counter and per-thread map. Loaded only
 * when needed: a kernel without them loses rustls capture, not the rest. 0 or -errno.
 */
static int sock_load(struct tls_probe *t)
{
	struct tls_sock_bpf *s = tls_sock_bpf__open();
	int err;

	if (!s)
		return -errno;
	s->rodata->targ_wakeup_bytes = t->skel->rodata->targ_wakeup_bytes;
	err = bpf_map__reuse_fd(s->maps.tracked, bpf_map__fd(t->skel->maps.tracked));
	err = err ?: bpf_map__reuse_fd(s->maps.tls_events, bpf_map__fd(t->skel->maps.tls_events));
	err = err ?: bpf_map__reuse_fd(s->maps.tls_drops, bpf_map__fd(t->skel->maps.tls_drops));
	err =
	    err ?: bpf_map__reuse_fd(s->maps.aead_threads, bpf_map__fd(t->skel->maps.aead_threads));
	err = err ?: tls_sock_bpf__load(s);
	err = err ?: tls_sock_bpf__attach(s);
	if (err) {
		tls_sock_bpf__destroy(s);
		return err;
	}
	t->sock = s;
	return 0;
}

/*
 * AWS-LC's AEAD in `path` (rustls: Codex, Copilot's runtime.node), located by tls_awslc.c and
 * remembered per file version: seal at entry, open at entry and return, all through the
 * cookie-dispatched tls_enter/tls_return, plus the kprobes that tell which socket a key serves.
 * 1 attached, 0 no AWS-LC, <0 found but not attached (why in the file's seen record).
 */
static int attach_awslc(struct tls_probe *t, const char *path, const struct stat *st)
{
	static const __u64 cookie_of[AWSLC_NFN] = {
	    AGT_TLS_FN_AEAD_SEAL, AGT_TLS_FN_AEAD_SEAL_SCATTER, AGT_TLS_FN_AEAD_OPEN,
	    AGT_TLS_FN_AEAD_OPEN_GATHER};
	unsigned long eoff[AWSLC_MAX], roff[AWSLC_MAX];
	__u64 ecookie[AWSLC_MAX], rcookie[AWSLC_MAX];
	struct tls_awslc_funcs f = {0};
	unsigned ne = 0, nr = 0;
	char why[160] = "";
	int ret, err;

	if (symcache_get("awslc1", st, AWSLC_MAX, f.off)) {
		for (int i = 0; i < AWSLC_MAX; i++)
			f.n += !!f.off[i];
		ret = f.n;
	} else {
		ret = tls_awslc_locate(path, &f, why, sizeof(why));
		if (ret >= 0)
			symcache_put("awslc1", st, AWSLC_MAX, f.off);
	}
	if (ret > 0 && t->mode == TLS_CHAIN) {
		snprintf(why, sizeof(why),
			 "AWS-LC located, but this kernel's TLS mode (%s) cannot capture it",
			 mode_names[t->mode]);
		ret = -1;
	}
	if (ret < 0) {
		set_why(t, "AWS-LC", why);
		return -1;
	}
	if (!ret)
		return 0;
	for (int i = 0; i < AWSLC_MAX; i++) {
		int fn = i % AWSLC_NFN;

		if (!f.off[i])
			continue;
		eoff[ne] = f.off[i];
		ecookie[ne++] = cookie_of[fn];
		if (fn == AWSLC_OPEN || fn == AWSLC_OPEN_GATHER) {
			roff[nr] = f.off[i];
			rcookie[nr++] = cookie_of[fn];
		}
	}
	if (!t->sock) {
		err = sock_load(t);
		if (err) {
			snprintf(why, sizeof(why),
				 "AWS-LC located, but the socket tracepoints that pair its keys "
				 "(6.3+) cannot load: %s",
				 strerror(-err));
			set_why(t, "AWS-LC", why);
			return err;
		}
	}
	err = attach_cookied(t, path, eoff, ecookie, ne, roff, rcookie, nr);
	if (err)
		return err;
	if (getenv("AGTRACE_DEBUG"))
		fprintf(stderr,
			"agtrace-bpf: TLS uprobes on %s (%s, AWS-LC AEAD: %u functions located)\n",
			path, mode_names[t->mode], f.n);
	return 1;
}

/*
 * OpenSSL 3 linked statically into a stripped binary (Copilot's runtime.node), located by
 * tls_ossl.c and remembered per file version: ssl_write_internal/ssl_read_internal, which every
 * SSL_write/SSL_read form goes through, with the _ex programs (the count behind a pointer), and
 * SSL_new. 1 attached, 0 none, <0 found but not attached (why kept).
 */
static int attach_ossl(struct tls_probe *t, const char *path, const struct stat *st)
{
	struct tls_ossl_funcs f = {0};
	size_t c[4];
	char why[160] = "";
	int ret, fns[3], n = 0;
	size_t offs[3];
	__u64 cookie[3];
	unsigned long eoff[3], roff[3];
	__u64 ecookie[3], rcookie[3];
	unsigned ne = 0, nr = 0;

	if (symcache_get("ossl3", st, 4, c)) {
		f = (struct tls_ossl_funcs){c[0], c[1], c[2], (int)c[3]};
		ret = f.write_internal && f.read_internal;
	} else {
		ret = tls_ossl_locate(path, &f, why, sizeof(why));
		c[0] = f.write_internal;
		c[1] = f.read_internal;
		c[2] = f.ssl_new;
		c[3] = f.write_count_arg;
		if (ret >= 0)
			symcache_put("ossl3", st, 4, c);
	}
	if (ret > 0 && t->mode == TLS_CHAIN) {
		snprintf(why, sizeof(why),
			 "OpenSSL 3 located, but this kernel's TLS mode (%s) cannot capture it",
			 mode_names[t->mode]);
		ret = -1;
	}
	if (ret < 0) {
		set_why(t, "OpenSSL 3", why);
		return -1;
	}
	if (!ret)
		return 0;
	fns[n] = F_WRITE;
	offs[n] = f.write_internal;
	cookie[n++] = f.write_count_arg == 5 ? AGT_TLS_FN_WRITE_EX5 : AGT_TLS_FN_WRITE_EX;
	fns[n] = F_READ;
	offs[n] = f.read_internal;
	cookie[n++] = AGT_TLS_FN_READ_EX;
	if (f.ssl_new) {
		fns[n] = F_NEW;
		offs[n] = f.ssl_new;
		cookie[n++] = AGT_TLS_FN_NEW;
	}
	for (int i = 0; i < n; i++) {
		if (fns[i] != F_NEW) {
			eoff[ne] = offs[i];
			ecookie[ne++] = cookie[i];
		}
		roff[nr] = offs[i];
		rcookie[nr++] = cookie[i];
	}
	ret = attach_cookied(t, path, eoff, ecookie, ne, roff, rcookie, nr);
	if (ret)
		return ret;
	if (getenv("AGTRACE_DEBUG"))
		fprintf(
		    stderr,
		    "agtrace-bpf: TLS uprobes on %s (%s, OpenSSL 3 stripped: ssl_write_internal, "
		    "ssl_read_internal%s located)\n",
		    path, mode_names[t->mode], f.ssl_new ? ", SSL_new" : "");
	return 1;
}

/* The OpenSSL with exported symbols in `path` (libssl, node): 1 attached, 0 none, -errno. */
static int attach_openssl(struct tls_probe *t, const char *path, const struct stat *st)
{
	size_t off[NFUNCS], offs[NFUNCS];
	int fns[NFUNCS];
	unsigned n = 0;
	int err;

	/* node's symbol scan is 10-20 ms of every start-up: remembered per file version */
	if (!symcache_get("ssl1", st, NFUNCS, off)) {
		if (elfsym_offsets(path, funcs, NFUNCS, off) < 0)
			return 0;
		symcache_put("ssl1", st, NFUNCS, off);
	}
	if (!off[F_WRITE] || !off[F_READ])
		return 0;
	for (int f = 0; f < NFUNCS; f++) {
		if (off[f]) {
			fns[n] = f;
			offs[n++] = off[f];
		}
	}
	err = attach_funcs(t, path, fns, offs, n);
	return err ? err : 1;
}

/*
 * BoringSSL linked in without symbols (Bun and what it compiles): SSL_write, SSL_read and, when
 * found, SSL_new, located from the code (tls_bssl.h). Returns 1 attached, 0 not BoringSSL or
 * not located (then s is marked blind, with why), -errno if the attach failed.
 */
static int attach_bssl(struct tls_probe *t, const char *path, struct seen *s)
{
	const int want[] = {F_WRITE, F_READ, F_NEW};
	int fns[3];
	size_t offs[3];
	struct tls_bssl b;
	char why[160];
	unsigned n = 0;
	int r, err;

	r = tls_bssl_locate(path, &b, why, sizeof(why));
	if (r < 0)
		seen_blind(s, "BoringSSL", why);
	if (r <= 0)
		return 0;
	for (int i = 0; i < BSSL_NFUNCS; i++) {
		if (b.off[i]) {
			fns[n] = want[i];
			offs[n++] = b.off[i];
		}
	}
	err = attach_funcs(t, path, fns, offs, n);
	if (err)
		return err;
	if (getenv("AGTRACE_DEBUG"))
		fprintf(
		    stderr,
		    "agtrace-bpf: TLS uprobes on %s (BoringSSL located: SSL_write %#zx, SSL_read "
		    "%#zx, SSL_new %#zx%s; %s)\n",
		    path, b.off[BSSL_WRITE], b.off[BSSL_READ], b.off[BSSL_NEW],
		    b.off[BSSL_NEW] ? "" : " not found: connections told apart by SSL* only",
		    mode_names[t->mode]);
	return 1;
}

/*
 * Go's crypto/tls in `path` (tls_go.h): every probe on one program with cookies, or in
 * TLS_CHAIN a program per kind of probe. Returns 1 attached, 0 not Go with crypto/tls or not
 * located (then s is marked blind, with why), -errno if the attach failed.
 */
static int attach_go(struct tls_probe *t, const char *path, struct seen *s)
{
	enum { MAXP = 5 + TLS_GO_MAX_RETS };
	struct bpf_program *progs[MAXP];
	unsigned long offs[MAXP];
	__u64 cookies[MAXP];
	struct tls_bpf *sk = t->skel;
	bool chain = t->mode == TLS_CHAIN;
	struct tls_go_probes p;
	char why[192];
	unsigned n = 0;
	int r;

	r = tls_go_locate(path, &p, why, sizeof(why));
	if (r < 0)
		seen_blind(s, "Go crypto/tls", why);
	if (r <= 0)
		return 0;
#define ADD(off, cookie, chain_prog)                                                               \
	do {                                                                                       \
		progs[n] = chain ? sk->progs.chain_prog : sk->progs.tls_enter;                     \
		offs[n] = (off);                                                                   \
		cookies[n++] = (cookie);                                                           \
	} while (0)
	ADD(p.write, AGT_TLS_FN_GO_WRITE, tls_go_write_c);
	ADD(p.read, AGT_TLS_FN_GO_READ, tls_go_read_c);
	if (p.close)
		ADD(p.close, AGT_TLS_FN_GO_CLOSE, tls_go_close_c);
	if (p.hs_client)
		ADD(p.hs_client, AGT_TLS_FN_GO_NEW, tls_go_new_c);
	if (p.hs_server)
		ADD(p.hs_server, AGT_TLS_FN_GO_NEW, tls_go_new_c);
	for (unsigned i = 0; i < p.nread_ret; i++)
		ADD(p.read_ret[i], AGT_TLS_FN_GO_READ_RET, tls_go_read_ret_c);
#undef ADD
	if (t->mode == TLS_MULTI)
		r = attach_multi(t, sk->progs.tls_enter, path, offs, cookies, n, false);
	else
		r = attach_perf(t, progs, path, offs, chain ? NULL : cookies, n, false);
	if (r)
		return r;
	if (getenv("AGTRACE_DEBUG"))
		fprintf(stderr, "agtrace-bpf: Go TLS uprobes on %s (%s, %u probes)\n", path,
			mode_names[t->mode], n);
	return 1;
}

static enum tls_file_state attach_file(struct tls_probe *t, const char *path, const char **stackp,
				       const char **why)
{
	struct stat st;
	struct seen *s;
	const char *lib, *stack;
	char msg[256];
	int err;

	*stackp = *why = NULL;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return TLS_FILE_NONE;
	s = seen_find(t, &st);
	if (s)
		goto out;
	s = seen_add(t, &st);
	if (!s)
		return TLS_FILE_NONE;
	stack = "OpenSSL";
	err = attach_openssl(t, path, &st);
	if (!err) {
		stack = "BoringSSL";
		err = attach_bssl(t, path, s);
	}
	if (!err && s->state != TLS_FILE_BLIND) {
		stack = "Go crypto/tls";
		err = attach_go(t, path, s);
	}
	if (!err) {
		/* stripped: AWS-LC under rustls, OpenSSL 3 linked in (both, in Codex) */
		int a = attach_awslc(t, path, &st), o = attach_ossl(t, path, &st);

		stack = a > 0 && o > 0 ? "AWS-LC + OpenSSL 3" : a > 0 ? "AWS-LC" : "OpenSSL 3";
		err = a > 0 || o > 0;
	}
	if (err > 0) {
		s->state = TLS_FILE_PROBED;
		s->stack = stack;
		if (getenv("AGTRACE_DEBUG") && !strcmp(stack, "OpenSSL"))
			fprintf(stderr, "agtrace-bpf: TLS uprobes on %s (%s)\n", path,
				mode_names[t->mode]);
	} else if (err < 0) {
		snprintf(msg, sizeof(msg), "%s: cannot attach uprobes: %s", stack, strerror(-err));
		fprintf(stderr, "agtrace-bpf: %s: %s\n", path, msg);
		seen_blind(s, stack, msg);
	} else if (s->state == TLS_FILE_BLIND) {
		/* a stack found but not located: s->why says why */
	} else if ((lib = tls_unprobed_library(path))) {
		snprintf(msg, sizeof(msg), "%s: no probes for this library", lib);
		seen_blind(s, lib, msg);
	}
	if (s->state == TLS_FILE_BLIND && getenv("AGTRACE_DEBUG"))
		fprintf(stderr, "agtrace-bpf: %s: %s\n", path, s->why);
out:
	*stackp = s->stack;
	*why = s->why;
	return s->state;
}

enum tls_file_state tls_probe_file_known(struct tls_probe *t, const char *path,
					 const char **stack, const char **why)
{
	struct stat st;
	struct seen *s;

	*stack = *why = NULL;
	if (stat(path, &st) || !(s = seen_find(t, &st)))
		return TLS_FILE_NONE;
	*stack = s->stack;
	*why = s->why;
	return s->state;
}

int tls_probe_attach_file(struct tls_probe *t, const char *path)
{
	const char *stack, *why;
	struct stat st;
	bool fresh = !stat(path, &st) && !seen_find(t, &st);

	return attach_file(t, path, &stack, &why) == TLS_FILE_PROBED && fresh;
}

/*
 * The file and offset of the code at `addr` in this process, from /proc/self/maps: works on a
 * stripped tracer too. Returns 0 or -errno.
 */
static int self_code_offset(const void *addr, char *path, size_t pathlen, size_t *off)
{
	unsigned long a = (unsigned long)addr, lo, hi, pgoff;
	char line[4096 + 128];
	int ret = -ENOENT;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		int n = 0;

		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &lo, &hi, &pgoff, &n) < 3 || !n ||
		    a < lo || a >= hi || line[n] != '/')
			continue;
		line[n + strcspn(line + n, "\n")] = '\0';
		snprintf(path, pathlen, "%s", line + n);
		*off = a - lo + pgoff;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static __u64 canary_hits(const struct tls_probe *t)
{
	__u32 zero = 0;
	__u64 n = 0;

	bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.tls_canary), &zero, &n);
	return n;
}

/*
 * Proves the mode works by doing what tracing will do: a probe on the tracer's own canary
 * function, attached as the OpenSSL probes will be, must fire when the function runs. A
 * program that loads proves nothing (6.1 loads uprobe_multi programs and refuses their links).
 * The link stays with the others: removing a uprobe costs a grace period. 0 or -errno.
 */
static int canary_check(struct tls_probe *t)
{
	int fn = NFUNCS; /* the canary */
	char path[4096];
	size_t off;
	int err;

	err = self_code_offset((const void *)agt_tls_canary, path, sizeof(path), &off);
	if (err)
		return err;
	err = attach_funcs(t, path, &fn, &off, 1);
	if (err)
		return err;
	agt_tls_canary();
	return canary_hits(t) ? 0 : -ENOEXEC; /* attached but silent */
}

/* The TLS_CHAIN programs: loaded only in that mode, the others only outside it. */
static void set_chain_autoload(struct tls_bpf *sk, bool chain)
{
	struct bpf_program *progs[] = {
	    sk->progs.tls_chain_c,    sk->progs.tls_write_c,   sk->progs.tls_read_c,
	    sk->progs.tls_write_ex_c, sk->progs.tls_read_ex_c, sk->progs.tls_free_c,
	    sk->progs.tls_new_c,      sk->progs.tls_return_c,  sk->progs.tls_canary_c,
	    sk->progs.tls_go_write_c, sk->progs.tls_go_read_c, sk->progs.tls_go_read_ret_c,
	    sk->progs.tls_go_new_c,   sk->progs.tls_go_close_c};

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		bpf_program__set_autoload(progs[i], chain);
	bpf_program__set_autoload(sk->progs.tls_enter, !chain);
	bpf_program__set_autoload(sk->progs.tls_return, !chain);
}

/* Opens and loads the programs of `mode` (after any earlier attempt's); 0 or -errno. */
static int load_mode(struct tls_probe *t, enum tls_mode mode, int tracked_fd, uint64_t max_bytes,
		     unsigned long ring)
{
	struct tls_bpf *sk;
	int err, zero = 0, fd;

	tls_bpf__destroy(t->skel);
	t->skel = sk = tls_bpf__open();
	if (!sk)
		return -errno;
	t->mode = mode;
	t->chain_max = (uint64_t)CHAIN_LINKS * CHAIN_CHUNKS * AGT_TLS_CHUNK;
	sk->rodata->targ_tls_max = max_bytes;
	sk->rodata->targ_wakeup_bytes = ring / 4;
	sk->rodata->targ_chain_max = t->chain_max;
	bpf_map__set_max_entries(sk->maps.tls_events, ring);
	set_chain_autoload(sk, mode == TLS_CHAIN);
	if (mode == TLS_MULTI) {
		bpf_program__set_expected_attach_type(sk->progs.tls_enter, ATTACH_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(sk->progs.tls_return, ATTACH_UPROBE_MULTI);
	}
	err = bpf_map__reuse_fd(sk->maps.tracked, tracked_fd);
	if (!err)
		err = tls_bpf__load(sk);
	if (err)
		return err;
	if (mode == TLS_CHAIN) { /* the chain's next link is itself */
		fd = bpf_program__fd(sk->progs.tls_chain_c);
		if (bpf_map_update_elem(bpf_map__fd(sk->maps.tls_chain), &zero, &fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

struct tls_probe *tls_probe__new(int tracked_fd, uint64_t max_bytes, bool quiet, char *err,
				 size_t errlen)
{
	struct tls_probe *t = calloc(1, sizeof(*t));
	unsigned long ring = 16ul << 20;
	char why[NMODES][160] = {{0}};
	int first = getenv("AGTRACE_NO_UPROBE_MULTI") ? TLS_PERF : TLS_MULTI;
	int mode, e;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (getenv("AGTRACE_TLS_CHAIN")) /* tests: the old kernels' path on this one */
		first = TLS_CHAIN;
	/* room for a few whole maximal calls while the consumer is busy elsewhere */
	while (ring < 4 * max_bytes && ring < (1ul << 30))
		ring <<= 1;
	for (mode = first; mode < NMODES; mode++) {
		e = load_mode(t, mode, tracked_fd, max_bytes, ring);
		if (e) {
			snprintf(why[mode], sizeof(why[mode]), "cannot load: %s", strerror(-e));
			continue;
		}
		e = canary_check(t);
		if (!e)
			break;
		if (e == -ENOEXEC)
			snprintf(why[mode], sizeof(why[mode]), "a test probe never fired");
		else
			snprintf(why[mode], sizeof(why[mode]), "cannot attach: %s", strerror(-e));
		destroy_links(t->links, t->nlinks);
		t->nlinks = 0;
	}
	if (mode == NMODES) {
		snprintf(err, errlen, "no uprobe mode works here (%s: %s; %s: %s; %s: %s)",
			 mode_names[TLS_MULTI], why[TLS_MULTI][0] ? why[TLS_MULTI] : "skipped",
			 mode_names[TLS_PERF], why[TLS_PERF][0] ? why[TLS_PERF] : "skipped",
			 mode_names[TLS_CHAIN], why[TLS_CHAIN]);
		tls_probe__free(t);
		return NULL;
	}
	/* one line per fallback, naming what it costs */
	if (!quiet && first == TLS_MULTI && mode > TLS_MULTI)
		fprintf(stderr,
			"agtrace-bpf: uprobe_multi unavailable (%s): one perf-event uprobe per "
			"OpenSSL function instead (slower attach and detach)\n",
			why[TLS_MULTI]);
	if (!quiet && first <= TLS_PERF && mode == TLS_CHAIN)
		fprintf(stderr,
			"agtrace-bpf: bpf_loop or attach cookies unavailable (%s): TLS data copied "
			"by a tail-call chain, at most %llu bytes per SSL call\n",
			why[TLS_PERF], (unsigned long long)t->chain_max);
	if (!quiet && mode == TLS_CHAIN && max_bytes > t->chain_max)
		fprintf(
		    stderr,
		    "agtrace-bpf: --tls-max-bytes %llu exceeds what this kernel copies per call: "
		    "beyond %llu bytes a call is cut (counted as lost)\n",
		    (unsigned long long)max_bytes, (unsigned long long)t->chain_max);
	return t;
}

const char *tls_probe_mode(const struct tls_probe *t)
{
	return mode_names[t->mode];
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

void tls_probe_attach_command(struct tls_probe *t, const char *cmd)
{
	const char *path = getenv("PATH");
	char *dirs, *save = NULL;

	if (strchr(cmd, '/')) {
		tls_probe_attach_file(t, cmd);
		return;
	}
	dirs = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		char p[4096];

		snprintf(p, sizeof(p), "%s/%s", d, cmd);
		if (!access(p, X_OK)) {
			tls_probe_attach_file(t, p);
			break;
		}
	}
	free(dirs);
}

/* One mapped file: attached if it can be, and what it means for the process's coverage. */
static void scan_one(struct tls_probe *t, const char *file, const char *name,
		     struct tls_pid_cov *cov)
{
	const char *stack, *why;
	enum tls_file_state st = attach_file(t, file, &stack, &why);

	if (!cov || st == TLS_FILE_NONE)
		return;
	if (st == TLS_FILE_PROBED && !cov->probed[0]) {
		snprintf(cov->probed, sizeof(cov->probed), "%s", name);
		cov->probed_stack = stack;
	} else if (st == TLS_FILE_BLIND && !cov->blind[0]) {
		snprintf(cov->blind, sizeof(cov->blind), "%s", name);
		cov->blind_stack = stack;
		snprintf(cov->why, sizeof(cov->why), "%s", why ? why : "no probes");
	}
}

void tls_probe_scan_pid(struct tls_probe *t, pid_t pid, struct tls_pid_cov *cov)
{
	char path[64], line[4096], file[4096 + 64];
	FILE *f;

	if (cov) {
		ssize_t n;

		memset(cov, 0, sizeof(*cov));
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		n = readlink(path, cov->exe, sizeof(cov->exe) - 1);
		cov->exe[n > 0 ? n : 0] = '\0';
	}
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
		/* read, and not empty: an exited process not yet reaped has no mappings left */
		if (cov)
			cov->mapped = true;
		scan_one(t, file, name, cov);
	}
	fclose(f);
}

int tls_probe_drops_fd(const struct tls_probe *t)
{
	return bpf_map__fd(t->skel->maps.tls_drops);
}
