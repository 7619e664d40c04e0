// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tls_awslc.c - AWS-LC's EVP_AEAD_CTX_seal/open in stripped binaries, located by their error
 * reporting (see tls_awslc.h). Plain ELF64 reading over an mmap of the file: no libelf, because
 * the one expensive step (a search of .rodata) must stay cheap for the many files that are not
 * AWS-LC at all.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tls_awslc.h"

/* The file name AWS-LC's OPENSSL_PUT_ERROR passes for the AEAD front end (any build prefix). */
#define AEAD_FILE "/crypto/fipsmodule/cipher/aead.c"

#define ERR_LIB_CIPHER 30
/* include/openssl/cipher.h: stable across BoringSSL and AWS-LC releases */
#define R_BAD_DECRYPT	       101
#define R_BUFFER_TOO_SMALL     103
#define R_CTRL_NOT_IMPLEMENTED 104
#define R_INVALID_OPERATION    112
#define R_OUTPUT_ALIASES_INPUT 115
#define R_TOO_LARGE	       117
#define R_MIN		       100
#define R_MAX		       140

/* DWARF pointer encodings (.eh_frame_hdr, CIE augmentation 'R') */
#define PE_UDATA4  0x03
#define PE_SDATA4  0x0b
#define PE_PCREL   0x10
#define PE_DATAREL 0x30

#define MAX_REFS  64 /* call sites naming aead.c: 15 in AWS-LC 1.x */
#define MAX_FUNCS 16

struct sec {
	uint64_t addr, off, size;
};

struct elfmap {
	const unsigned char *p;
	size_t len;
	struct sec rodata, text, ehhdr, ehframe;
};

/* One function's ERR_put_error(ERR_LIB_CIPHER, ...) call sites naming aead.c. */
struct func {
	uint64_t start, end;
	uint32_t reasons; /* bit (reason - R_MIN) */
};

static void set_why(char *why, size_t whylen, const char *fmt, const char *a, int n)
{
	if (why && whylen)
		snprintf(why, whylen, fmt, a, n);
}

static bool in_file(const struct elfmap *m, uint64_t off, uint64_t n)
{
	return off <= m->len && n <= m->len - off;
}

/* The section headers we need, by name; false if the file is not an ELF64 x86-64 object. */
static bool read_sections(struct elfmap *m)
{
	const Elf64_Ehdr *eh = (const void *)m->p;
	const Elf64_Shdr *sh, *shstr;

	if (m->len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_shentsize != sizeof(*sh) || !eh->e_shnum ||
	    eh->e_shstrndx >= eh->e_shnum || !in_file(m, eh->e_shoff, eh->e_shnum * sizeof(*sh)))
		return false;
	sh = (const void *)(m->p + eh->e_shoff);
	shstr = &sh[eh->e_shstrndx];
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const char *name;
		struct sec *s = NULL;

		if (sh[i].sh_name >= shstr->sh_size ||
		    !in_file(m, shstr->sh_offset, shstr->sh_size))
			continue;
		name = (const char *)m->p + shstr->sh_offset + sh[i].sh_name;
		if (!strncmp(name, ".rodata", 8))
			s = &m->rodata;
		else if (!strncmp(name, ".text", 6))
			s = &m->text;
		else if (!strncmp(name, ".eh_frame_hdr", 14))
			s = &m->ehhdr;
		else if (!strncmp(name, ".eh_frame", 10))
			s = &m->ehframe;
		if (!s || sh[i].sh_type != SHT_PROGBITS ||
		    !in_file(m, sh[i].sh_offset, sh[i].sh_size))
			continue;
		*s = (struct sec){sh[i].sh_addr, sh[i].sh_offset, sh[i].sh_size};
	}
	return m->rodata.size && m->text.size;
}

static int32_t rd32(const unsigned char *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t uleb(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	return v;
}

/*
 * The pointer encoding of FDE addresses from the CIE at file offset `cie` (its 'R' augmentation),
 * -1 if the CIE cannot be read.
 */
static int cie_fde_encoding(const struct elfmap *m, uint64_t cie)
{
	const unsigned char *p, *end;
	const char *aug;
	uint32_t len;

	if (!in_file(m, cie, 8))
		return -1;
	len = (uint32_t)rd32(m->p + cie);
	if (len == 0xffffffffu || !in_file(m, cie + 4, len) || rd32(m->p + cie + 4) != 0)
		return -1;
	p = m->p + cie + 8;
	end = m->p + cie + 4 + len;
	if (p >= end)
		return -1;
	p++; /* version */
	aug = (const char *)p;
	p = memchr(p, '\0', end - p);
	if (!p++)
		return -1;
	uleb(&p, end); /* code alignment */
	uleb(&p, end); /* data alignment (sleb: only skipped) */
	uleb(&p, end); /* return address register (one byte in version 1: same bytes) */
	if (aug[0] != 'z')
		return 0x00; /* absolute native pointers */
	uleb(&p, end);	     /* augmentation data length */
	for (const char *a = aug + 1; *a && p < end; a++) {
		if (*a == 'R')
			return *p;
		if (*a == 'L')
			p++;
		else if (*a == 'P')
			return -1; /* a personality before R: rare, not needed for our CIEs */
		else if (*a != 'S' && *a != 'B')
			return -1;
	}
	return -1;
}

/*
 * The function containing `pc` from .eh_frame_hdr's sorted table and its FDE's range:
 * true with [*start, *end) when pc lies inside an FDE's range.
 */
static bool func_of(const struct elfmap *m, uint64_t pc, uint64_t *start, uint64_t *end)
{
	const unsigned char *h = m->p + m->ehhdr.off, *tab;
	uint32_t n;
	size_t lo = 0, hi;
	uint64_t fde, cie;
	int enc;

	if (m->ehhdr.size < 12 || h[0] != 1 || h[2] != PE_UDATA4 ||
	    h[3] != (PE_DATAREL | PE_SDATA4) || (h[1] & 0x0f) != PE_SDATA4)
		return false;
	n = (uint32_t)rd32(h + 8);
	if ((uint64_t)n * 8 > m->ehhdr.size - 12 || !n)
		return false;
	tab = h + 12;
	hi = n;
	while (hi - lo > 1) { /* last entry with initial location <= pc */
		size_t mid = lo + (hi - lo) / 2;

		if (m->ehhdr.addr + rd32(tab + 8 * mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*start = m->ehhdr.addr + rd32(tab + 8 * lo);
	if (*start > pc || !m->ehframe.size)
		return false;
	fde = m->ehhdr.addr + rd32(tab + 8 * lo + 4); /* vaddr */
	if (fde < m->ehframe.addr || fde + 16 > m->ehframe.addr + m->ehframe.size)
		return false;
	fde = fde - m->ehframe.addr + m->ehframe.off; /* file offset */
	cie = fde + 4 - (uint32_t)rd32(m->p + fde + 4);
	enc = cie_fde_encoding(m, cie);
	if (enc != (PE_PCREL | PE_SDATA4))
		return false;
	/* pc_begin (pc-relative, checked against the table) and pc_range (a plain sdata4) */
	if (fde - m->ehframe.off + m->ehframe.addr + 8 + rd32(m->p + fde + 8) != *start)
		return false;
	*end = *start + (uint32_t)rd32(m->p + fde + 12);
	return pc < *end;
}

/*
 * The CIPHER reason code of the ERR_put_error call whose file argument is the `lea` at text
 * offset k: `mov edi, 30` and one `mov edx, imm32` with a reason-sized immediate within the few
 * instructions after it (or, failing that, before it). 0 when the site does not look like one.
 */
static int site_reason(const unsigned char *t, size_t tlen, size_t k)
{
	static const unsigned char edi[5] = {0xbf, ERR_LIB_CIPHER, 0, 0, 0};
	int pass;

	for (pass = 0; pass < 2; pass++) {
		size_t lo = pass ? (k > 24 ? k - 24 : 0) : k + 7;
		size_t hi = pass ? k : (k + 7 + 24 < tlen ? k + 7 + 24 : tlen);
		bool lib = false;
		int reason = 0, nreason = 0;

		for (size_t i = lo; i + 5 <= hi; i++) {
			if (!memcmp(t + i, edi, sizeof(edi)))
				lib = true;
			if (t[i] == 0xba && t[i + 2] == 0 && t[i + 3] == 0 && t[i + 4] == 0 &&
			    t[i + 1] >= R_MIN && t[i + 1] <= R_MAX && t[i + 1] != reason) {
				reason = t[i + 1];
				nreason++;
			}
		}
		if (lib && nreason == 1)
			return reason;
		if (lib || nreason)
			return 0; /* something else is going on: not a site we can read */
	}
	return 0;
}

#define BIT(r) (1u << ((r)-R_MIN))

static bool has(uint32_t set, uint32_t want)
{
	return (set & want) == want;
}

/* Which function a reason set says this is, or -1. */
static int classify(uint32_t r)
{
	if (has(r, BIT(R_TOO_LARGE) | BIT(R_BUFFER_TOO_SMALL) | BIT(R_OUTPUT_ALIASES_INPUT)))
		return AWSLC_SEAL;
	if (has(r, BIT(R_BAD_DECRYPT) | BIT(R_BUFFER_TOO_SMALL) | BIT(R_OUTPUT_ALIASES_INPUT)))
		return AWSLC_OPEN; /* open_gather may be inlined into it: CTRL_NOT_IMPLEMENTED too
				    */
	if (has(r, BIT(R_INVALID_OPERATION) | BIT(R_OUTPUT_ALIASES_INPUT)) &&
	    !(r & (BIT(R_TOO_LARGE) | BIT(R_BAD_DECRYPT))))
		return AWSLC_SEAL_SCATTER;
	if (has(r, BIT(R_CTRL_NOT_IMPLEMENTED) | BIT(R_OUTPUT_ALIASES_INPUT)) &&
	    !(r & (BIT(R_BAD_DECRYPT) | BIT(R_BUFFER_TOO_SMALL))))
		return AWSLC_OPEN_GATHER;
	return -1;
}

static const char *const fn_names[AWSLC_NFN] = {"EVP_AEAD_CTX_seal", "EVP_AEAD_CTX_seal_scatter",
						"EVP_AEAD_CTX_open", "EVP_AEAD_CTX_open_gather"};

/*
 * The AEAD functions of the AWS-LC copy whose aead.c name is at `str` (a vaddr) added to out.
 * 1 located, <0 refused (why set).
 */
static int locate_copy(const struct elfmap *m, uint64_t str, unsigned copy,
		       struct tls_awslc_funcs *out, char *why, size_t whylen)
{
	const unsigned char *t = m->p + m->text.off, *q = t;
	const unsigned char pat[3] = {0x48, 0x8d, 0x0d}; /* lea rcx, [rip + rel32] */
	struct func f[MAX_FUNCS];
	unsigned nf = 0, nrefs = 0;
	uint64_t found[AWSLC_NFN] = {0};
	int count[AWSLC_NFN] = {0};
	size_t tlen = m->text.size;

	if (!m->ehhdr.size || !m->ehframe.size) {
		set_why(why, whylen, "AWS-LC linked in, %s: no .eh_frame_hdr%.0d",
			"AEAD functions not located", 0);
		return -1;
	}
	while ((q = memmem(q, tlen - (q - t), pat, sizeof(pat))) && q + 7 <= t + tlen) {
		size_t k = q - t;
		uint64_t pc = m->text.addr + k, start, end;
		int reason;
		unsigned i;

		q++;
		if (pc + 7 + rd32(t + k + 3) != str)
			continue;
		if (++nrefs > MAX_REFS) {
			set_why(why, whylen, "AWS-LC linked in, %s: too many references (%d)",
				"aead.c", nrefs);
			return -1;
		}
		reason = site_reason(t, tlen, k);
		if (!reason)
			continue; /* not an error report (or one we cannot read): ignored */
		if (!func_of(m, pc, &start, &end)) {
			set_why(why, whylen,
				"AWS-LC linked in, %s: no unwind entry for a call site%.0d",
				"AEAD functions not located", 0);
			return -1;
		}
		for (i = 0; i < nf && f[i].start != start; i++)
			;
		if (i == nf) {
			if (nf == MAX_FUNCS)
				continue;
			f[nf++] = (struct func){start, end, 0};
		}
		f[i].reasons |= BIT(reason);
	}
	if (!nrefs) {
		/* the name is there (another part of AWS-LC kept it), the AEAD code is not */
		set_why(why, whylen,
			"AWS-LC linked in without its %s (no call site): TLS records go through "
			"another crypto provider (ring?)%.0d",
			"AEAD", 0);
		return -1;
	}
	for (unsigned i = 0; i < nf; i++) {
		int c = classify(f[i].reasons);

		if (c < 0)
			continue;
		count[c]++;
		found[c] = f[i].start;
	}
	for (int c = 0; c < AWSLC_NFN; c++) {
		bool needed = c == AWSLC_SEAL || c == AWSLC_OPEN;

		if (count[c] > 1 || (needed && !count[c])) {
			set_why(why, whylen, "AWS-LC linked in, %s not located (%d candidates)",
				fn_names[c], count[c]);
			return -1;
		}
	}
	for (int c = 0; c < AWSLC_NFN; c++) {
		if (!count[c])
			continue;
		out->off[copy * AWSLC_NFN + c] = found[c] - m->text.addr + m->text.off;
		out->n++;
	}
	return 1;
}

int tls_awslc_locate(const char *path, struct tls_awslc_funcs *out, char *why, size_t whylen)
{
	const size_t nlen = sizeof(AEAD_FILE); /* with the NUL: the name ends there */
	struct elfmap m = {0};
	const unsigned char *r, *q;
	struct stat st;
	int fd, ret = 0, copies = 0;

	memset(out, 0, sizeof(*out));
	if (why && whylen)
		why[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return 0;
	}
	m.len = st.st_size;
	m.p = mmap(NULL, m.len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m.p == MAP_FAILED)
		return 0;
	if (!read_sections(&m))
		goto out;
	r = m.p + m.rodata.off;
	q = r;
	while ((q = memmem(q, m.rodata.size - (q - r), AEAD_FILE, nlen))) {
		const unsigned char *s = q;
		int err;

		/* the whole string: back to the NUL before it (a build directory prefix) */
		while (s > r && s[-1] && q - s < 4096)
			s--;
		q += nlen;
		if (copies == AWSLC_MAX_COPIES) {
			set_why(why, whylen, "AWS-LC linked in, %s: more than %d copies", "aead.c",
				AWSLC_MAX_COPIES);
			ret = -1;
			goto out;
		}
		err = locate_copy(&m, m.rodata.addr + (s - r), copies++, out, why, whylen);
		if (err < 0) {
			ret = err;
			goto out;
		}
	}
	ret = copies ? (int)out->n : 0;
out:
	if (ret <= 0)
		memset(out, 0, sizeof(*out));
	munmap((void *)m.p, m.len);
	return ret;
}
