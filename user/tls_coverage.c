// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tls_coverage.c - never silent about TLS the tracer cannot see (see tls_coverage.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "record.h"
#include "sbuf.h"
#include "strfmt.h"
#include "tls_coverage.h"

enum {
	P_HELLO = 1 << 0,     /* a TLS handshake in its syscall buffers */
	P_PORT443 = 1 << 1,   /* a connect to port 443 */
	P_PLAIN = 1 << 2,     /* a record from its TLS probes: a connection or plaintext */
	P_TOLD_BLIND = 1 << 3, /* reported blind (stderr line + event) */
	P_TOLD_OK = 1 << 4,   /* reported probed (event) */
};

#define NOPENED 8 /* files a process opened lately: what its next executable mmap maps */

struct proc {
	struct proc *next;
	uint32_t tgid;
	unsigned flags;
	uint64_t plain_ts; /* the last record from its probes */
	struct tls_pid_cov cov;
	struct {
		int fd;
		char path[256];
	} opened[NOPENED];
	unsigned nopened;
};

#define NBUCKETS 256

struct tls_coverage {
	struct proc *b[NBUCKETS];
	tls_cov_emit_fn emit;
	tls_cov_rescan_fn rescan;
	tls_cov_classify_fn classify;
	void *ctx;
	bool quiet;
	unsigned long blind;
};

struct tls_coverage *tls_coverage__new(tls_cov_emit_fn emit, tls_cov_rescan_fn rescan,
				       tls_cov_classify_fn classify, void *ctx, bool quiet)
{
	struct tls_coverage *c = calloc(1, sizeof(*c));

	if (c) {
		c->emit = emit;
		c->rescan = rescan;
		c->classify = classify;
		c->ctx = ctx;
		c->quiet = quiet;
	}
	return c;
}

void tls_coverage__free(struct tls_coverage *c)
{
	if (!c)
		return;
	for (int i = 0; i < NBUCKETS; i++) {
		for (struct proc *p = c->b[i], *n; p; p = n) {
			n = p->next;
			free(p);
		}
	}
	free(c);
}

const char *tls_unprobed_library(const char *path)
{
	static const struct {
		const char *prefix, *stack;
	} libs[] = {
	    {"libgnutls.so", "GnuTLS"},	  {"libnss3.so", "NSS"},	 {"libssl3.so", "NSS"},
	    {"libwolfssl.so", "wolfSSL"}, {"libmbedtls.so", "Mbed TLS"}, {"libs2n.so", "s2n-tls"},
	};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (!strncmp(base, libs[i].prefix, strlen(libs[i].prefix)))
			return libs[i].stack;
	return NULL;
}

unsigned long tls_coverage_blind(const struct tls_coverage *c)
{
	return c ? c->blind : 0;
}

static struct proc **slot(struct tls_coverage *c, uint32_t tgid)
{
	struct proc **pp = &c->b[(tgid * 2654435761u) >> 24];

	while (*pp && (*pp)->tgid != tgid)
		pp = &(*pp)->next;
	return pp;
}

static struct proc *get(struct tls_coverage *c, uint32_t tgid, bool create)
{
	struct proc **pp = slot(c, tgid);

	if (!*pp && create) {
		*pp = calloc(1, sizeof(**pp));
		if (*pp)
			(*pp)->tgid = tgid;
	}
	return *pp;
}

void tls_coverage_image(struct tls_coverage *c, uint32_t tgid, const struct tls_pid_cov *cov,
			uint64_t exec_ts)
{
	struct proc *p;

	if (!c || !cov)
		return;
	p = get(c, tgid, true);
	if (!p)
		return;
	if (exec_ts) {
		/*
		 * The TLS ring is read before the syscall ring: a short-lived process's plaintext
		 * can come in ahead of its own exec. What came after the exec belongs to the image.
		 */
		p->flags = p->plain_ts >= exec_ts ? P_PLAIN : 0;
		p->cov = *cov;
		return;
	}
	/* a rescan: libraries loaded since (dlopen) add to what was known */
	if (!p->cov.exe[0])
		memcpy(p->cov.exe, cov->exe, sizeof(cov->exe));
	p->cov.mapped |= cov->mapped;
	if (!p->cov.probed[0] && cov->probed[0]) {
		memcpy(p->cov.probed, cov->probed, sizeof(cov->probed));
		p->cov.probed_stack = cov->probed_stack;
	}
	if (!p->cov.blind[0] && cov->blind[0]) {
		memcpy(p->cov.blind, cov->blind, sizeof(cov->blind));
		memcpy(p->cov.why, cov->why, sizeof(cov->why));
		p->cov.blind_stack = cov->blind_stack;
	}
}

/* The program the process runs, for a report about it: /proc/PID/exe, else its comm. */
static void exe_of(uint32_t tgid, const char *comm, char *buf, size_t n)
{
	char link[64];
	ssize_t k;

	snprintf(link, sizeof(link), "/proc/%u/exe", tgid);
	k = readlink(link, buf, n - 1);
	if (k > 0) {
		buf[k] = '\0';
		return;
	}
	snprintf(buf, n, "%.*s", AGT_COMM_LEN, comm);
}

static void put_str(struct sbuf *sb, const char *key, const char *v)
{
	sb_puts(sb, key);
	if (!v) {
		sb_puts(sb, "null");
		return;
	}
	sb_puts(sb, "\"");
	sb_add(sb, json_escape(sb_pos(sb), sb_left(sb), v, strlen(v)));
	sb_puts(sb, "\"");
}

/* One coverage event (and, for a blind process, the stderr line). */
static void report(struct tls_coverage *c, struct proc *p, const struct agt_hdr *h, bool blind,
		   const char *binary, const char *stack, const char *why, const char *seen)
{
	char obj[1536];
	struct sbuf sb = SBUF_INIT(obj, sizeof(obj));

	p->flags |= blind ? P_TOLD_BLIND : P_TOLD_OK;
	if (blind) {
		c->blind++;
		if (!c->quiet)
			fprintf(stderr, "agtrace-bpf: pid %u talks TLS the tracer cannot see: %s: %s\n",
				p->tgid, binary, why);
	}
	put_str(&sb, "{\"status\":", blind ? "blind" : "probed");
	put_str(&sb, ",\"binary\":", binary);
	put_str(&sb, ",\"tls\":", stack);
	put_str(&sb, ",\"why\":", why);
	put_str(&sb, ",\"seen\":", seen);
	sb_puts(&sb, "}");
	if (sb.len < sizeof(obj) && c->emit)
		c->emit(c->ctx, h, obj, sb.len);
}

static const char *program(struct proc *p, const struct agt_hdr *h, char *buf, size_t n)
{
	if (p->cov.exe[0])
		return p->cov.exe;
	exe_of(p->tgid, h->comm, buf, n);
	return buf;
}

/* The process talked TLS (seen: how we know): report what covers it, once. */
static void talked(struct tls_coverage *c, struct proc *p, const struct agt_hdr *h,
		   const char *seen)
{
	char exe[4096];

	if (p->flags & (P_TOLD_BLIND | P_TOLD_OK))
		return;
	if (!p->cov.probed[0] && c->rescan) {
		/*
		 * No probed library known: it may have been mapped since the exec's scan (libssl
		 * beside a libgnutls that librtmp pulls into curl), so look again. Gone already:
		 * what its probes saw decides at its exit.
		 */
		struct tls_pid_cov now = {0};

		c->rescan(c->ctx, p->tgid, &now);
		tls_coverage_image(c, p->tgid, &now, 0);
		if (!now.mapped && !p->cov.probed[0])
			return;
	}
	if (p->cov.blind[0] && !p->cov.probed[0])
		report(c, p, h, true, p->cov.blind, p->cov.blind_stack, p->cov.why, seen);
	else if (p->cov.probed[0]) /* whether its TLS really goes there is known at exit */
		report(c, p, h, false, p->cov.probed, p->cov.probed_stack, NULL, seen);
	else if (p->cov.mapped)
		report(c, p, h, true, program(p, h, exe, sizeof(exe)), NULL,
		       "no TLS library the tracer can probe in its mappings (no OpenSSL symbols, no "
		       "stack it can locate)",
		       seen);
	/* else: it ended before its mappings were read; its exit decides */
}

/*
 * A TLS handshake record at the start of buf: type 22, version 3.0-3.4, a length a record can
 * have, then (when the buffer goes on) the handshake message type: ClientHello (1) written,
 * ServerHello (2) read. GnuTLS reads the 5-byte record header alone, so that is enough.
 */
static bool handshake(const unsigned char *d, size_t n, unsigned char msg)
{
	if (n < 5 || d[0] != 0x16 || d[1] != 0x03 || d[2] > 0x04)
		return false;
	if (((unsigned)d[3] << 8 | d[4]) > 16384 + 2048)
		return false;
	return n == 5 || d[5] == msg;
}

static bool port443(const unsigned char *d, size_t n)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;

	if (n >= sizeof(in) && ((const struct sockaddr *)d)->sa_family == AF_INET) {
		memcpy(&in, d, sizeof(in));
		return ntohs(in.sin_port) == 443;
	}
	if (n >= sizeof(in6) && ((const struct sockaddr *)d)->sa_family == AF_INET6) {
		memcpy(&in6, d, sizeof(in6));
		return ntohs(in6.sin6_port) == 443;
	}
	return false;
}

/*
 * A library the process opens and then maps executable, known by its name from the syscalls
 * themselves: unlike /proc/PID/maps, still there when the consumer gets to a process that has
 * already exited (a fast wget on a slow machine).
 */
static void track_mapping(struct tls_coverage *c, const struct agt_syscall *r,
			  const struct rec_caps *caps)
{
	struct proc *p;
	const char *lib;

	if (r->nr == SYS_openat && r->ret >= 0 && caps->cap[1]) {
		const struct agt_cap *cap = caps->cap[1];
		size_t n = cap->len < 255 ? cap->len : 255;
		char path[256];
		unsigned slot;

		memcpy(path, caps->data[1], n);
		path[n] = '\0';
		/* shared objects only (ld.so's and dlopen's opens), or names known to be TLS */
		if (!strstr(path, ".so") && !tls_unprobed_library(path))
			return;
		p = get(c, r->h.tgid, true);
		if (!p)
			return;
		slot = p->nopened++ % NOPENED;
		p->opened[slot].fd = (int)r->ret;
		memcpy(p->opened[slot].path, path, n + 1);
		return;
	}
	/* mmap(addr, len, prot, flags, fd, off) of a file, executable */
	if (r->nr != SYS_mmap || r->ret < 0 || !(r->args[2] & 4 /* PROT_EXEC */) ||
	    (r->args[3] & 0x20 /* MAP_ANONYMOUS */) || (long long)r->args[4] < 0)
		return;
	p = get(c, r->h.tgid, false);
	if (!p)
		return;
	for (unsigned i = 0; i < NOPENED && i < p->nopened; i++) {
		enum tls_file_state st = TLS_FILE_NONE;
		const char *why = NULL, *path = p->opened[i].path;
		char real[4096];

		if (p->opened[i].fd != (int)r->args[4])
			continue;
		p->opened[i].fd = -1; /* one mapping per open */
		if (c->classify)
			st = c->classify(c->ctx, path, &lib, &why);
		/* not looked at yet (that is not done here, on the hot path): known by its name? */
		if (st == TLS_FILE_NONE && (lib = tls_unprobed_library(path))) {
			st = TLS_FILE_BLIND;
			why = NULL;
		}
		if ((st == TLS_FILE_PROBED && !p->cov.probed[0]) ||
		    (st == TLS_FILE_BLIND && !p->cov.blind[0])) {
			/* the file itself (ld.so opens the soname's link), as /proc/PID/maps says */
			if (path[0] == '/' && realpath(path, real) && strlen(real) < 256)
				path = real;
		}
		if (st == TLS_FILE_PROBED && !p->cov.probed[0]) {
			snprintf(p->cov.probed, sizeof(p->cov.probed), "%.255s", path);
			p->cov.probed_stack = lib;
		} else if (st == TLS_FILE_BLIND && !p->cov.blind[0]) {
			snprintf(p->cov.blind, sizeof(p->cov.blind), "%.255s", path);
			p->cov.blind_stack = lib;
			if (why)
				snprintf(p->cov.why, sizeof(p->cov.why), "%s", why);
			else
				snprintf(p->cov.why, sizeof(p->cov.why),
					 "%s: no probes for this library", lib);
		}
		return;
	}
}

void tls_coverage_syscall(struct tls_coverage *c, const struct agt_syscall *r, size_t size)
{
	struct rec_caps caps;
	const struct agt_cap *cap;
	const char *seen = NULL;
	struct proc *p;

	if (!c)
		return;
	/* the native numbers: a compat process's calls are not looked at */
	if (r->nr == SYS_openat || r->nr == SYS_mmap) {
		if (!rec_syscall_caps(r, size, &caps))
			track_mapping(c, r, &caps);
		return;
	}
	if (r->nr != SYS_write && r->nr != SYS_sendto && r->nr != SYS_read &&
	    r->nr != SYS_recvfrom && r->nr != SYS_connect)
		return;
	if (rec_syscall_caps(r, size, &caps))
		return;
	cap = caps.cap[1];
	if (!cap)
		return;
	if (r->nr == SYS_connect) {
		if ((r->ret == 0 || r->ret == -EINPROGRESS) && port443(caps.data[1], cap->len))
			seen = "port 443";
	} else if (r->ret > 0) {
		bool out = r->nr == SYS_write || r->nr == SYS_sendto;

		if (handshake(caps.data[1], cap->len, out ? 1 : 2))
			seen = out ? "ClientHello" : "ServerHello";
	}
	if (!seen)
		return;
	p = get(c, r->h.tgid, true);
	if (!p)
		return;
	p->flags |= r->nr == SYS_connect ? P_PORT443 : P_HELLO;
	talked(c, p, &r->h, seen);
}

void tls_coverage_plaintext(struct tls_coverage *c, uint32_t tgid, uint64_t ts)
{
	struct proc *p = c ? get(c, tgid, true) : NULL;

	if (p) {
		p->flags |= P_PLAIN;
		if (ts > p->plain_ts)
			p->plain_ts = ts;
	}
}

void tls_coverage_exit(struct tls_coverage *c, const struct agt_hdr *h)
{
	struct proc **pp, *p;
	char why[800], exe[4096];

	if (!c)
		return;
	pp = slot(c, h->tgid);
	p = *pp;
	if (!p)
		return;
	/* handshakes, a probed library, and not a byte of plaintext: another stack did the TLS */
	if ((p->flags & P_HELLO) && !(p->flags & (P_PLAIN | P_TOLD_BLIND)) && p->cov.probed[0]) {
		snprintf(why, sizeof(why),
			 "TLS handshakes seen but no plaintext through %s (%s): another TLS stack "
			 "%s",
			 p->cov.probed, p->cov.probed_stack ? p->cov.probed_stack : "probed",
			 p->cov.blind[0] ? p->cov.why : "is in use");
		report(c, p, h, true, p->cov.blind[0] ? p->cov.blind : p->cov.probed,
		       p->cov.blind[0] ? p->cov.blind_stack : NULL, why, "exit");
	} else if ((p->flags & (P_HELLO | P_PORT443)) && !(p->flags & (P_TOLD_BLIND | P_TOLD_OK))) {
		/* its mappings were never read: what the probes saw of it decides */
		if (p->cov.blind[0] && !(p->flags & P_PLAIN))
			report(c, p, h, true, p->cov.blind, p->cov.blind_stack, p->cov.why, "exit");
		else if (p->flags & P_PLAIN)
			report(c, p, h, false, program(p, h, exe, sizeof(exe)), NULL, NULL, "exit");
		else
			report(c, p, h, true, program(p, h, exe, sizeof(exe)), NULL,
			       "ended before its mappings were read, and no probe saw its TLS",
			       "exit");
	}
	*pp = p->next;
	free(p);
}
