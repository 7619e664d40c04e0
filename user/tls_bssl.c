// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tls_bssl.c - BoringSSL's SSL_write/SSL_read/SSL_new in a stripped binary (see tls_bssl.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symcache.h"
#include "tls_bssl.h"
#include "x86dec.h"

/* BoringSSL's include/openssl/err.h and ssl.h: stable numbers, part of its ABI. */
#define ERR_LIB_SSL			  16
#define ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED 66
#define ERR_R_INTERNAL_ERROR		  68
#define SSL_R_BAD_HELLO_REQUEST		  110
#define SSL_R_BAD_LENGTH		  111
#define SSL_R_CONNECTION_TYPE_NOT_SET	  134
#define SSL_R_NO_RENEGOTIATION		  182
#define SSL_R_NULL_SSL_CTX		  185
#define SSL_R_PROTOCOL_IS_SHUTDOWN	  194
#define SSL_R_SSL_HANDSHAKE_FAILURE	  215
#define SSL_R_UNINITIALIZED		  226

#define MAX_FILES 4	     /* ".../ssl/ssl_lib.cc" strings */
#define MAX_SITES 4096	     /* error sites naming them */
#define FN_MAX	  (64 << 10) /* bytes a function may span */
#define FN_WINDOW (1 << 20)  /* how far below the first site function starts are looked for */
#define FN_SITES  32
#define FN_CALLS  64
#define WORK_MAX  4096

/* One reason reported at one place. */
struct site {
	uint64_t at; /* the instruction loading the file name */
	int reason;
	int line;
};

/* A function start and what walking its code found. */
struct fn {
	uint64_t start;
	bool bad; /* an undecodable instruction on some path: nothing here is trusted */
	unsigned nsites;
	struct site sites[FN_SITES];
	unsigned nunparsed; /* file name loaded, reason or library not read */
	unsigned ncalls;
	uint64_t calls[FN_CALLS];
};

struct scan {
	const struct bssl_image *im;
	uint64_t file[MAX_FILES];
	unsigned nfile;
	uint64_t *sites; /* file-name loads, sorted */
	size_t nsites;
	uint64_t *targets; /* direct call/jmp targets near them, sorted, unique */
	size_t ntargets;
	struct fn *fns;
	size_t nfns;
};

static bool in_text(const struct bssl_image *im, uint64_t va)
{
	return va >= im->text_va && va < im->text_va + im->text_len;
}

static const uint8_t *text_at(const struct bssl_image *im, uint64_t va)
{
	return im->text + (va - im->text_va);
}

/*
 * The addresses of the NUL-terminated strings ending in "ssl/ssl_lib.cc": BoringSSL's (C++);
 * OpenSSL's is ssl_lib.c. Returns how many (several if the build left copies).
 */
static unsigned find_file_names(const struct bssl_image *im, uint64_t *out, unsigned max)
{
	static const char needle[] = "ssl/ssl_lib.cc"; /* with its NUL */
	unsigned n = 0;

	for (unsigned s = 0; s < im->nro; s++) {
		const uint8_t *base = im->ro[s], *p = base, *end = base + im->ro_len[s];

		while (n < max && (p = memmem(p, end - p, needle, sizeof(needle)))) {
			const uint8_t *start = p;

			while (start > base && start[-1] >= 0x20 && start[-1] < 0x7f)
				start--;
			/* a whole string: "ssl/ssl_lib.cc" itself or a path ending in it */
			if ((start == base || start[-1] == '\0') && (start == p || p[-1] == '/'))
				out[n++] = im->ro_va[s] + (start - base);
			p += sizeof(needle);
		}
	}
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool is_file(const struct scan *sc, uint64_t va)
{
	for (unsigned i = 0; i < sc->nfile; i++)
		if (sc->file[i] == va)
			return true;
	return false;
}

static int push(uint64_t **arr, size_t *n, size_t *cap, uint64_t v, size_t max)
{
	if (*n >= max)
		return -E2BIG;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		void *p = realloc(*arr, nc * sizeof(**arr));

		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = nc;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

/*
 * Every instruction that loads a file name's address: lea r64, [rip + disp32] (position
 * independent code), or mov r32, imm32 (a non-PIE executable below 4 GiB, as Bun's are).
 * A raw scan: whether each is real code is settled later, by walking a function to it.
 */
static int find_sites(struct scan *sc)
{
	const struct bssl_image *im = sc->im;
	const uint8_t *t = im->text;
	size_t cap = 0, n = im->text_len;
	int err;

	for (const uint8_t *q = t + 1; n >= 7 && (q = memchr(q, 0x8d, t + n - 6 - q)); q++) {
		size_t i = q - 1 - t; /* memchr: the scan runs at memory speed, not byte by byte */
		int32_t d;

		if ((t[i] & 0xfb) != 0x48 || (t[i + 2] & 0xc7) != 0x05)
			continue;
		memcpy(&d, t + i + 3, 4);
		if (is_file(sc, im->text_va + i + 7 + (int64_t)d)) {
			err = push(&sc->sites, &sc->nsites, &cap, im->text_va + i, MAX_SITES);
			if (err)
				return err;
		}
	}
	for (unsigned f = 0; f < sc->nfile; f++) {
		uint32_t imm = (uint32_t)sc->file[f];
		const uint8_t *p = t, *end = t + n;

		if (sc->file[f] >> 32)
			continue;
		while ((p = memmem(p, end - p, &imm, 4))) {
			size_t i = p - t;

			if (i >= 1 && t[i - 1] >= 0xb8 && t[i - 1] <= 0xbf) {
				bool rex = i >= 2 && t[i - 2] == 0x41;
				uint64_t at = im->text_va + i - 1 - rex;

				err = push(&sc->sites, &sc->nsites, &cap, at, MAX_SITES);
				if (err)
					return err;
			}
			p++;
		}
	}
	if (sc->nsites)
		qsort(sc->sites, sc->nsites, sizeof(*sc->sites), cmp_u64);
	return 0;
}

/* Some site lies within FN_MAX above `va`: only then can a function starting there hold one. */
static bool site_above(const struct scan *sc, uint64_t va)
{
	size_t lo = 0, hi = sc->nsites;

	while (lo < hi) { /* the first site >= va */
		size_t mid = (lo + hi) / 2;

		if (sc->sites[mid] < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sc->nsites && sc->sites[lo] - va < FN_MAX;
}

/*
 * Targets of every e8 rel32 (call) in the text that land 16-aligned at most FN_MAX below a
 * site, and the unwind table's starts between FN_WINDOW below the first site and the last: the candidates for
 * the starts of the functions holding them. Not jmp targets: a jmp reaches a block of its own
 * function as often as another function. Raw bytes, so some are not real calls; a start is
 * only believed once its code is walked.
 */
static int find_targets(struct scan *sc)
{
	const struct bssl_image *im = sc->im;
	uint64_t lo = sc->sites[0] > FN_WINDOW ? sc->sites[0] - FN_WINDOW : 0;
	uint64_t hi = sc->sites[sc->nsites - 1];
	const uint8_t *t = im->text;
	size_t cap = 0, k = 0;
	int err;

	for (size_t i = 0; i < im->nfde; i++) { /* unwind entries: starts for certain */
		if (im->fde_starts[i] < lo || im->fde_starts[i] > hi)
			continue;
		err = push(&sc->targets, &sc->ntargets, &cap, im->fde_starts[i], 1 << 24);
		if (err)
			return err;
	}
	for (const uint8_t *q = t;
	     im->text_len >= 5 && (q = memchr(q, 0xe8, t + im->text_len - 4 - q)); q++) {
		size_t i = q - t;
		int32_t d;
		uint64_t to;

		memcpy(&d, t + i + 1, 4);
		to = im->text_va + i + 5 + (int64_t)d;
		if (to < lo || to > hi || (to & 15) || !site_above(sc, to))
			continue;
		err = push(&sc->targets, &sc->ntargets, &cap, to, (size_t)1 << 24);
		if (err)
			return err;
	}
	if (sc->ntargets)
		qsort(sc->targets, sc->ntargets, sizeof(*sc->targets), cmp_u64);
	for (size_t i = 0; i < sc->ntargets; i++) /* unique */
		if (!k || sc->targets[k - 1] != sc->targets[i])
			sc->targets[k++] = sc->targets[i];
	sc->ntargets = k;
	return 0;
}

static bool is_target(const struct scan *sc, uint64_t va)
{
	return sc->ntargets && bsearch(&va, sc->targets, sc->ntargets, sizeof(va), cmp_u64);
}

/* A nop of exactly k bytes ends right before va: an assembler's alignment padding. */
static bool nop_before(const struct bssl_image *im, uint64_t va)
{
	for (unsigned k = 1; k <= 15 && va - k >= im->text_va; k++) {
		const uint8_t *p = text_at(im, va - k);
		struct x86_insn in;
		unsigned i = 0;

		if (x86_decode(p, k, va - k, &in) != (int)k)
			continue;
		while (i < k && (p[i] == 0x66 || p[i] == 0x2e))
			i++;
		if ((i + 1 == k && p[i] == 0x90) || (i + 2 < k && p[i] == 0x0f && p[i + 1] == 0x1f))
			return true;
	}
	return false;
}

/*
 * The bytes before va end with an instruction that does not fall through: pop rbp + ret, a
 * jmp, ud2, or a call (to abort and the like: a function may end with one).
 */
static bool end_before(const struct bssl_image *im, uint64_t va)
{
	const uint8_t *p = text_at(im, va);

	/* pop rbp; ret: the epilogue of every function here (frame pointers are kept) */
	if (va - im->text_va >= 2 && p[-2] == 0x5d && p[-1] == 0xc3)
		return true;
	if (va - im->text_va >= 5 && (p[-5] == 0xe9 || p[-5] == 0xe8))
		return true;
	return va - im->text_va >= 2 && (p[-2] == 0xeb || (p[-2] == 0x0f && p[-1] == 0x0b));
}

/*
 * Looks like a function's first byte: an unwind table entry, or 16-aligned right after
 * padding (lld's int3 between sections, an assembler's nops inside one), or after the end of
 * a function that ended exactly on the boundary (end_before).
 */
static bool starts_fn(const struct bssl_image *im, uint64_t va)
{
	if (!in_text(im, va))
		return false;
	if (im->fde_starts && bsearch(&va, im->fde_starts, im->nfde, sizeof(va), cmp_u64))
		return true;
	if (va & 15)
		return false;
	if (va == im->text_va)
		return true;
	return *text_at(im, va - 1) == 0xcc || end_before(im, va) || nop_before(im, va);
}

/* Register constants of the current straight run of constant loads. */
struct regs {
	uint32_t known;
	uint64_t val[16];
	uint64_t src[16]; /* the instruction that loaded it */
};

static bool reg(const struct regs *r, int i, uint64_t *v)
{
	if (!(r->known & (1u << i)))
		return false;
	*v = r->val[i];
	return true;
}

/*
 * At a call or jmp: if the run loaded a file name into the third or fourth argument, an error
 * site. ERR_put_error(lib, 0, reason, file, line) puts it in rcx; a build whose link-time
 * optimizer dropped the always-zero argument, (lib, reason, file, line), in rdx.
 */
static void note_site(const struct scan *sc, struct fn *f, const struct regs *r)
{
	uint64_t file, lib, reason, line, zero;
	int freg = -1;

	if (reg(r, X86_RCX, &file) && is_file(sc, file))
		freg = X86_RCX;
	else if (reg(r, X86_RDX, &file) && is_file(sc, file))
		freg = X86_RDX;
	if (freg < 0)
		return;
	if (!reg(r, X86_RDI, &lib) || lib != ERR_LIB_SSL ||
	    !reg(r, freg == X86_RCX ? X86_RDX : X86_RSI, &reason) || reason > 4095 ||
	    (freg == X86_RCX && (!reg(r, X86_RSI, &zero) || zero))) {
		f->nunparsed++;
		return;
	}
	if (!reg(r, freg == X86_RCX ? X86_R8 : X86_RCX, &line))
		line = 0;
	for (unsigned i = 0; i < f->nsites; i++)
		if (f->sites[i].at == r->src[freg])
			return; /* reached again from another path */
	if (f->nsites < FN_SITES)
		f->sites[f->nsites++] = (struct site){r->src[freg], (int)reason, (int)line};
	else
		f->bad = true;
}

static void add_call(struct fn *f, uint64_t to)
{
	for (unsigned i = 0; i < f->ncalls; i++)
		if (f->calls[i] == to)
			return;
	if (f->ncalls < FN_CALLS)
		f->calls[f->ncalls++] = to;
}

/*
 * Walks the function at `start` along its control flow (both ways of every branch; calls
 * return; jumps to what looks like another function are tail calls, not followed), within
 * FN_MAX bytes, noting its error sites and direct calls. Any instruction the decoder does not
 * know marks the function bad: a walk that lost its way proves nothing.
 */
static int walk_fn(const struct scan *sc, struct fn *f)
{
	const struct bssl_image *im = sc->im;
	uint64_t start = f->start, end = start + FN_MAX;
	uint8_t *seen = calloc(FN_MAX / 8, 1);
	uint64_t *work = malloc(WORK_MAX * sizeof(*work));
	size_t nwork = 0;

	if (!seen || !work) {
		free(seen);
		free(work);
		return -ENOMEM;
	}
	if (end > im->text_va + im->text_len)
		end = im->text_va + im->text_len;
	work[nwork++] = start;
	while (nwork && !f->bad) {
		uint64_t a = work[--nwork];
		struct regs r = {0};
		bool replay = false; /* past code already walked: only to finish a run */

		for (;;) {
			struct x86_insn in;
			size_t bit;

			if (a < start || a >= end ||
			    (a != start && is_target(sc, a) && starts_fn(im, a)))
				break; /* fell into the next function */
			bit = a - start;
			if (seen[bit / 8] & (1u << (bit % 8))) {
				if (!r.known)
					break;
				replay = true;
			}
			seen[bit / 8] |= 1u << (bit % 8);
			if (!x86_decode(text_at(im, a), im->text_va + im->text_len - a, a, &in)) {
				f->bad = true;
				break;
			}
			if (in.sets_const) {
				r.known |= 1u << in.const_reg;
				r.val[in.const_reg] = in.const_val;
				r.src[in.const_reg] = a;
				a += in.len;
				continue;
			}
			if (in.moves_reg && r.known) { /* e.g. saving rdi before loading it */
				r.known &= ~(1u << in.dst_reg);
				a += in.len;
				continue;
			}
			if (in.flow == X86_CALL || in.flow == X86_JMP)
				note_site(sc, f, &r);
			memset(&r, 0, sizeof(r));
			if (replay)
				break;
			if (in.flow == X86_CALL)
				add_call(f, in.target);
			if ((in.flow == X86_JCC || in.flow == X86_JMP) && in.target >= start &&
			    in.target < end && in.target != start &&
			    !(is_target(sc, in.target) && starts_fn(im, in.target))) {
				if (nwork == WORK_MAX) {
					f->bad = true;
					break;
				}
				work[nwork++] = in.target;
			}
			if (in.flow == X86_JMP || in.flow == X86_RET || in.flow == X86_INT3 ||
			    in.flow == X86_JMP_IND || in.flow == X86_TRAP)
				break;
			a += in.len;
		}
	}
	free(seen);
	free(work);
	return 0;
}

static struct fn *fn_of(struct scan *sc, uint64_t start)
{
	for (size_t i = 0; i < sc->nfns; i++)
		if (sc->fns[i].start == start)
			return &sc->fns[i];
	return NULL;
}

/* How many of the n sorted values are <= v. */
static size_t upper(const uint64_t *a, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (a[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Where the function holding `at` starts: the unwind entry covering it, else the nearest
 * candidate start below it that looks like one (candidates that do not are stray call
 * targets: raw bytes that happened to read as a call), and is not an unwind entry that ended
 * before `at`. 0 if none.
 */
static uint64_t start_of(const struct scan *sc, uint64_t at)
{
	const struct bssl_image *im = sc->im;
	size_t k = upper(im->fde_starts, im->nfde, at), j;

	if (k && at < im->fde_ends[k - 1])
		return im->fde_starts[k - 1];
	for (j = upper(sc->targets, sc->ntargets, at); j > 0; j--) {
		uint64_t s = sc->targets[j - 1];

		if (at - s >= FN_MAX)
			return 0;
		if (!starts_fn(im, s))
			continue;
		k = upper(im->fde_starts, im->nfde, s);
		if (k && im->fde_starts[k - 1] == s) /* an unwind entry, not covering `at` */
			return 0;
		return s;
	}
	return 0;
}

/* The verified function holding site `at`, walked once per start; NULL if none. */
static struct fn *function_of_site(struct scan *sc, uint64_t at, int *err)
{
	uint64_t start = start_of(sc, at);
	struct fn *f;

	if (!start)
		return NULL;
	f = fn_of(sc, start);
	if (!f) {
		void *p = realloc(sc->fns, (sc->nfns + 1) * sizeof(*sc->fns));

		if (!p) {
			*err = -ENOMEM;
			return NULL;
		}
		sc->fns = p;
		f = &sc->fns[sc->nfns++];
		memset(f, 0, sizeof(*f));
		f->start = start;
		*err = walk_fn(sc, f);
	}
	if (f->bad)
		return NULL;
	for (unsigned i = 0; i < f->nsites; i++)
		if (f->sites[i].at == at)
			return f;
	return NULL;
}

static bool has(const struct fn *f, int reason)
{
	for (unsigned i = 0; i < f->nsites; i++)
		if (f->sites[i].reason == reason)
			return true;
	return false;
}

/* Every reason f reports is one of allowed[0..n). */
static bool only(const struct fn *f, const int *allowed, size_t n)
{
	for (unsigned i = 0; i < f->nsites; i++) {
		size_t k = 0;

		while (k < n && allowed[k] != f->sites[i].reason)
			k++;
		if (k == n)
			return false;
	}
	return true;
}

static bool calls(const struct fn *f, uint64_t to)
{
	for (unsigned i = 0; i < f->ncalls; i++)
		if (f->calls[i] == to)
			return true;
	return false;
}

/*
 * SSL_read's loop, ssl_read_impl: it reports UNINITIALIZED and HANDSHAKE_FAILURE (so does
 * SSL_write, with BAD_LENGTH too), and what the functions it may have inlined report
 * (SSL_do_handshake, ssl_do_post_handshake, SSL_renegotiate), nothing else.
 */
static bool is_read_impl(const struct fn *f)
{
	static const int set[] = {ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED,
				  SSL_R_UNINITIALIZED,
				  SSL_R_SSL_HANDSHAKE_FAILURE,
				  SSL_R_CONNECTION_TYPE_NOT_SET,
				  SSL_R_NO_RENEGOTIATION,
				  SSL_R_BAD_HELLO_REQUEST,
				  ERR_R_INTERNAL_ERROR};

	return has(f, SSL_R_UNINITIALIZED) && has(f, SSL_R_SSL_HANDSHAKE_FAILURE) &&
	       !has(f, SSL_R_BAD_LENGTH) && only(f, set, sizeof(set) / sizeof(set[0]));
}

/* The same sites (reason and source line: the same inlined code), wherever they are. */
static bool same_sites(const struct fn *a, const struct fn *b)
{
	if (a->nsites != b->nsites)
		return false;
	for (unsigned i = 0; i < a->nsites; i++) {
		unsigned k = 0;

		while (k < b->nsites && (b->sites[k].reason != a->sites[i].reason ||
					 b->sites[k].line != a->sites[i].line))
			k++;
		if (k == b->nsites)
			return false;
	}
	return true;
}

/* Every function b calls, a calls too, and some more. */
static bool calls_more(const struct fn *a, const struct fn *b)
{
	for (unsigned i = 0; i < b->ncalls; i++)
		if (!calls(a, b->calls[i]))
			return false;
	return a->ncalls > b->ncalls;
}

/*
 * SSL_read or SSL_peek: the peek guard alone, calling the read loop (`called`), or with the
 * loop inlined (!called).
 */
static bool is_read(const struct scan *sc, const struct fn *f, bool called)
{
	if (f->bad || !has(f, ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED))
		return false;
	if (!called)
		return is_read_impl(f);
	if (f->nsites != 1)
		return false;
	for (size_t k = 0; k < sc->nfns; k++) {
		const struct fn *g = &sc->fns[k];

		if (g != f && !g->bad && is_read_impl(g) && calls(f, g->start))
			return true;
	}
	return false;
}

/* The source line of f's first site reporting `reason` (0: none, or not known). */
static int line_of(const struct fn *f, int reason)
{
	for (unsigned i = 0; i < f->nsites; i++)
		if (f->sites[i].reason == reason)
			return f->sites[i].line;
	return 0;
}

/*
 * The read loop SSL_read (or the SSL_peek it inlined) calls, if it calls one; NULL when the
 * loop is inlined into it.
 */
static const struct fn *read_loop_of(const struct scan *sc, const struct fn *r)
{
	for (size_t k = 0; k < sc->nfns; k++)
		if (&sc->fns[k] != r && !sc->fns[k].bad && is_read_impl(&sc->fns[k]) &&
		    calls(r, sc->fns[k].start))
			return &sc->fns[k];
	return NULL;
}

/*
 * Older BoringSSL (Android 13's) has no BAD_LENGTH check in SSL_write: there SSL_write reports
 * what an SSL_read with its loop inlined reports. Told apart only when SSL_read calls its loop
 * out of line: SSL_write is then the one other function with the guard and the loop's two.
 */
static const struct fn *write_without_length(const struct scan *sc, const struct fn *r,
					     const int *wset, size_t nwset, unsigned *n)
{
	const struct fn *loop = read_loop_of(sc, r), *w = NULL;

	*n = 0;
	if (!loop)
		return NULL;
	for (size_t i = 0; i < sc->nfns; i++) {
		const struct fn *f = &sc->fns[i];

		if (f->bad || f == r || f == loop || same_sites(f, r) ||
		    !has(f, ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED) || !has(f, SSL_R_UNINITIALIZED) ||
		    !has(f, SSL_R_SSL_HANDSHAKE_FAILURE) || !only(f, wset, nwset))
			continue;
		w = f;
		(*n)++;
	}
	return w;
}

/*
 * Names the functions by their reasons. Each must be the only candidate: two functions that
 * both look like SSL_write (say, an inlined copy) leave SSL_write unlocated. The one pair
 * told apart is SSL_read and an out-of-line SSL_peek (non-LTO builds): SSL_read is SSL_peek
 * inlined (the same sites, same lines) plus the consuming of the data, so it calls what
 * SSL_peek calls and more.
 */
static int identify(struct scan *sc, struct tls_bssl *out, char *why, size_t whylen)
{
	/* SSL_write's own, and SSL_do_handshake's if inlined */
	static const int wset[] = {
	    ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED, SSL_R_UNINITIALIZED,
	    SSL_R_SSL_HANDSHAKE_FAILURE,       SSL_R_BAD_LENGTH,
	    SSL_R_PROTOCOL_IS_SHUTDOWN,	       SSL_R_CONNECTION_TYPE_NOT_SET};
	static const int nset[] = {SSL_R_NULL_SSL_CTX};
	const struct fn *w = NULL, *r[3] = {NULL}, *n = NULL;
	unsigned nw = 0, nr = 0, nn = 0;

	for (size_t i = 0; i < sc->nfns; i++) {
		const struct fn *f = &sc->fns[i];

		if (f->bad || !f->nsites)
			continue;
		if (has(f, SSL_R_BAD_LENGTH) && has(f, SSL_R_UNINITIALIZED) &&
		    only(f, wset, sizeof(wset) / sizeof(wset[0]))) {
			w = f;
			nw++;
		}
		if (has(f, SSL_R_NULL_SSL_CTX) && only(f, nset, 1)) {
			n = f;
			nn++;
		}
	}
	/* the guard calling the loop, else the two in one (then the loop is nobody else's) */
	for (int called = 1; called >= 0 && !nr; called--) {
		for (size_t i = 0; i < sc->nfns; i++) {
			if (!is_read(sc, &sc->fns[i], called))
				continue;
			if (nr < 3)
				r[nr] = &sc->fns[i];
			nr++;
		}
	}
	if (nr == 2 && same_sites(r[0], r[1]) &&
	    (calls_more(r[0], r[1]) || calls_more(r[1], r[0]))) {
		if (calls_more(r[1], r[0]))
			r[0] = r[1];
		nr = 1;
	}
	if (nw == 0 && nr == 1)
		w = write_without_length(sc, r[0], wset, sizeof(wset) / sizeof(wset[0]), &nw);
	if (nw != 1 || nr != 1) {
		snprintf(why, whylen, "BoringSSL statically linked, %s not located (%u candidates)",
			 nw != 1 ? "SSL_write" : "SSL_read", nw != 1 ? nw : nr);
		return -ENOENT;
	}
	if (w == r[0]) {
		snprintf(why, whylen, "BoringSSL statically linked, SSL_write and SSL_read alike");
		return -ENOENT;
	}
	/*
	 * A cross-check from the source's layout, stable since 2017: ssl_lib.cc defines the read
	 * loop, then SSL_read's guard (SSL_peek), then SSL_write, so their __LINE__s ascend.
	 */
	{
		const struct fn *loop = read_loop_of(sc, r[0]);
		int lw = line_of(w, SSL_R_UNINITIALIZED);
		int lg = line_of(r[0], ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED);
		int ll = line_of(loop ? loop : r[0], SSL_R_UNINITIALIZED);

		if (!(ll < lg && lg < lw)) {
			snprintf(
			    why, whylen,
			    "BoringSSL statically linked, SSL_read/SSL_write out of source order "
			    "(lines %d, %d, %d)",
			    ll, lg, lw);
			return -ENOENT;
		}
	}
	out->va[BSSL_WRITE] = w->start;
	out->va[BSSL_READ] = r[0]->start;
	out->va[BSSL_NEW] = nn == 1 ? n->start : 0;
	return 1;
}

/* AGTRACE_BSSL_DEBUG: what the scan saw, for a build it cannot place. */
static void dump(const struct scan *sc)
{
	for (size_t i = 0; i < sc->nsites; i++)
		fprintf(stderr, "bssl: site %#llx\n", (unsigned long long)sc->sites[i]);
	for (size_t i = 0; i < sc->nfns; i++) {
		const struct fn *f = &sc->fns[i];

		fprintf(stderr,
			"bssl: fn %#llx%s unparsed=%u calls=%u:", (unsigned long long)f->start,
			f->bad ? " BAD" : "", f->nunparsed, f->ncalls);
		for (unsigned k = 0; k < f->nsites; k++)
			fprintf(stderr, " %d@%d(%#llx)", f->sites[k].reason, f->sites[k].line,
				(unsigned long long)f->sites[k].at);
		fprintf(stderr, "\n");
	}
}

static void scan_free(struct scan *sc)
{
	free(sc->sites);
	free(sc->targets);
	free(sc->fns);
}

int bssl_locate_image(const struct bssl_image *im, struct tls_bssl *out, char *why, size_t whylen)
{
	struct scan sc = {.im = im};
	int ret, err = 0;

	memset(out, 0, sizeof(*out));
	if (whylen)
		why[0] = '\0';
	sc.nfile = find_file_names(im, sc.file, MAX_FILES);
	if (!sc.nfile)
		return 0;
	ret = find_sites(&sc);
	if (!ret && !sc.nsites) {
		snprintf(why, whylen,
			 "BoringSSL statically linked, no error site found in its code");
		ret = -ENOENT;
	}
	if (!ret)
		ret = find_targets(&sc);
	if (ret)
		goto cleanup;
	out->nsites = sc.nsites;
	for (size_t i = 0; i < sc.nsites && !err; i++) {
		if (!function_of_site(&sc, sc.sites[i], &err))
			out->nrefused++;
	}
	if (err) {
		ret = err;
		goto cleanup;
	}
	for (size_t i = 0; i < sc.nfns; i++) {
		if (sc.fns[i].bad)
			continue;
		out->nfuncs += sc.fns[i].nsites > 0;
		out->nparsed += sc.fns[i].nsites;
	}
	if (getenv("AGTRACE_BSSL_DEBUG"))
		dump(&sc);
	ret = identify(&sc, out, why, whylen);
cleanup:
	if (ret < 0 && whylen && !why[0])
		snprintf(why, whylen, "BoringSSL statically linked, scan failed: %s",
			 strerror(-ret));
	scan_free(&sc);
	return ret;
}

/* The file offset of `va` through the executable PT_LOAD that maps it (0: none). */
static size_t va_to_off(const Elf64_Phdr *ph, unsigned n, uint64_t va)
{
	for (unsigned i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) && va >= ph[i].p_vaddr &&
		    va < ph[i].p_vaddr + ph[i].p_filesz)
			return va - ph[i].p_vaddr + ph[i].p_offset;
	return 0;
}

/*
 * Function starts from .eh_frame_hdr's binary search table (PT_GNU_EH_FRAME), in the usual
 * encoding (sdata4 relative to the header); false if absent or encoded otherwise.
 */
static bool fde_table(const uint8_t *m, size_t sz, const Elf64_Phdr *ph, struct bssl_image *im)
{
	const uint8_t *h;
	uint32_t count;
	uint64_t *starts, *ends;

	if (ph->p_offset > sz || ph->p_filesz > sz - ph->p_offset || ph->p_filesz < 12)
		return false;
	h = m + ph->p_offset; /* only now: a pointer past the mapping is undefined even unread */
	if (h[0] != 1 || h[2] != 0x03 || h[3] != 0x3b ||
	    (h[1] & 0x0f) != 0x0b) /* version 1, udata4 count, datarel sdata4 table */
		return false;
	memcpy(&count, h + 8, 4);
	if (!count || count > (ph->p_filesz - 12) / 8)
		return false;
	starts = malloc(count * sizeof(*starts));
	ends = malloc(count * sizeof(*ends));
	if (!starts || !ends)
		goto bad;
	for (uint32_t i = 0; i < count; i++) {
		int32_t loc, fde, begin;
		uint32_t range;
		size_t off;

		memcpy(&loc, h + 12 + 8 * i, 4);
		memcpy(&fde, h + 16 + 8 * i, 4);
		starts[i] = ph->p_vaddr + (int64_t)loc;
		if (i && starts[i] < starts[i - 1]) /* the table must be sorted to be searched */
			goto bad;
		/* the FDE: length, CIE pointer, pc_begin (pcrel sdata4), pc_range */
		off = ph->p_offset + (int64_t)fde;
		if (off > sz || sz - off < 16)
			goto bad;
		memcpy(&begin, m + off + 8, 4);
		memcpy(&range, m + off + 12, 4);
		if (ph->p_vaddr + (int64_t)fde + 8 + begin != starts[i])
			goto bad; /* another pointer encoding: not read here */
		ends[i] = starts[i] + range;
	}
	im->fde_starts = starts;
	im->fde_ends = ends;
	im->nfde = count;
	return true;
bad:
	free(starts);
	free(ends);
	return false;
}

/*
 * The image from an ELF file mapped at m (size sz): the largest executable segment is the
 * code, read-only ones hold the strings. Program headers, not sections: they survive strip.
 */
static bool elf_image(const uint8_t *m, size_t sz, struct bssl_image *im, const Elf64_Phdr **php,
		      unsigned *nph)
{
	const Elf64_Ehdr *eh = (const void *)m;
	const Elf64_Phdr *ph;

	memset(im, 0, sizeof(*im));
	if (sz < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(*ph) || eh->e_phoff > sz ||
	    eh->e_phoff % _Alignof(Elf64_Phdr) || /* every real ELF's are; a hostile one is refused */
	    eh->e_phnum > (sz - eh->e_phoff) / sizeof(*ph))
		return false;
	ph = (const void *)(m + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_offset > sz ||
		    ph[i].p_filesz > sz - ph[i].p_offset)
			continue;
		if (ph[i].p_flags & PF_X) {
			if (ph[i].p_filesz > im->text_len) {
				im->text = m + ph[i].p_offset;
				im->text_va = ph[i].p_vaddr;
				im->text_len = ph[i].p_filesz;
			}
		} else if (!(ph[i].p_flags & PF_W) && im->nro < 4) {
			im->ro[im->nro] = m + ph[i].p_offset;
			im->ro_va[im->nro] = ph[i].p_vaddr;
			im->ro_len[im->nro++] = ph[i].p_filesz;
		}
	}
	for (unsigned i = 0; i < eh->e_phnum && !im->fde_starts; i++)
		if (ph[i].p_type == PT_GNU_EH_FRAME)
			fde_table(m, sz, &ph[i], im);
	*php = ph;
	*nph = eh->e_phnum;
	return im->text_len && im->nro;
}

int tls_bssl_locate(const char *path, struct tls_bssl *out, char *why, size_t whylen)
{
	size_t cached[BSSL_NFUNCS + 1];
	const Elf64_Phdr *ph = NULL;
	struct bssl_image im = {0};
	struct stat st;
	unsigned nph = 0;
	void *m = MAP_FAILED;
	int fd, ret = 0;

	memset(out, 0, sizeof(*out));
	if (whylen)
		why[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr))
		goto cleanup;
	/* the last slot: 1 located, 0 not BoringSSL; failures are not remembered */
	if (symcache_get("bssl1", &st, BSSL_NFUNCS + 1, cached)) {
		memcpy(out->off, cached, sizeof(out->off));
		out->cached = 1;
		ret = cached[BSSL_NFUNCS] ? 1 : 0;
		goto cleanup;
	}
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		goto cleanup;
	if (!elf_image(m, st.st_size, &im, &ph, &nph)) {
		ret = 0;
	} else {
		ret = bssl_locate_image(&im, out, why, whylen);
		for (int i = 0; ret > 0 && i < BSSL_NFUNCS; i++) {
			out->off[i] = out->va[i] ? va_to_off(ph, nph, out->va[i]) : 0;
			if (out->va[i] && !out->off[i]) {
				snprintf(why, whylen,
					 "BoringSSL statically linked, code not mapped "
					 "from the file");
				ret = -ENOENT;
			}
		}
	}
	if (ret >= 0) {
		memcpy(cached, out->off, sizeof(out->off));
		cached[BSSL_NFUNCS] = ret > 0;
		symcache_put("bssl1", &st, BSSL_NFUNCS + 1, cached);
	}
cleanup:
	free((void *)im.fde_starts);
	free((void *)im.fde_ends);
	if (m != MAP_FAILED)
		munmap(m, st.st_size);
	close(fd);
	return ret;
}
