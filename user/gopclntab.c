// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gopclntab.c - Go's function table read from an ELF file (see gopclntab.h).
 *
 * The layout, from Go's runtime/symtab.go (pcHeader, functab, _func) for 1.18 and later:
 *   header:  magic u32, pad u8 u8, minLC u8, ptrSize u8, nfunc, nfiles, textStart,
 *            funcnameOffset, cuOffset, filetabOffset, pctabOffset, pclnOffset (8 bytes each)
 *   at pclnOffset: nfunc+1 pairs {entryoff u32, funcoff u32}, entryoff relative to textStart,
 *            the last pair's entryoff the end of the text; funcoff relative to pclnOffset
 *   _func at pclnOffset+funcoff: entryOff u32 (again: checked), nameOff i32 into funcnametab
 * Every offset and size is checked against the section before use: the file is input.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gopclntab.h"

#define MAGIC_12  0xfffffffbu /* Go 1.2 - 1.15 */
#define MAGIC_116 0xfffffffau /* Go 1.16 - 1.17 */
#define MAGIC_118 0xfffffff0u /* Go 1.18 - 1.19 */
#define MAGIC_120 0xfffffff1u /* Go 1.20 and later (same layout as 1.18) */
#define HDR_SIZE  72

struct gobin {
	const uint8_t *map; /* the whole file */
	size_t size;
	const uint8_t *tab; /* the pclntab section */
	size_t tabsize;
	uint32_t magic;
	uint64_t nfunc;
	uint64_t text; /* textStart */
	const uint8_t *names, *functab, *pcln;
	size_t namessize, pclnsize;
	uint64_t xvaddr, xoff, xsize; /* the executable PT_LOAD holding the text */
	char version[32];
	char err[160]; /* why the table cannot be read, "" when it was */
};

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v)); /* little-endian host: the only one this tracer runs on */
	return v;
}

static uint64_t u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int gobin_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Section i's header, or NULL if it lies outside the file. */
static const Elf64_Shdr *shdr(const struct gobin *g, const Elf64_Ehdr *eh, unsigned i)
{
	uint64_t at = eh->e_shoff + (uint64_t)i * sizeof(Elf64_Shdr);

	/* e_shoff is the file's word: past the end (or wrapping round) and misaligned are refused */
	if (i >= eh->e_shnum || eh->e_shoff > g->size || eh->e_shoff % _Alignof(Elf64_Shdr) ||
	    at < eh->e_shoff || at > g->size || sizeof(Elf64_Shdr) > g->size - at)
		return NULL;
	return (const Elf64_Shdr *)(g->map + at);
}

/* Whether section s's bytes lie inside the file. */
static bool in_file(const struct gobin *g, const Elf64_Shdr *s)
{
	return s->sh_type != SHT_NOBITS && s->sh_offset <= g->size &&
	       s->sh_size <= g->size - s->sh_offset;
}

/* The version string of .go.buildinfo (Go 1.18+ writes it inline: varint length, bytes). */
static void read_version(struct gobin *g, const Elf64_Shdr *s)
{
	const uint8_t *p;
	uint64_t len = 0;
	unsigned shift = 0;
	size_t i = 32;

	if (!s || !in_file(g, s) || s->sh_size < 33)
		return;
	p = g->map + s->sh_offset;
	if (memcmp(p, "\xff Go buildinf:", 14) || !(p[15] & 2))
		return;
	while (i < s->sh_size && shift < 35) {
		len |= (uint64_t)(p[i] & 0x7f) << shift;
		if (!(p[i++] & 0x80))
			break;
		shift += 7;
	}
	if (len && len < sizeof(g->version) && i + len <= s->sh_size) {
		memcpy(g->version, p + i, len);
		g->version[len] = '\0';
		for (size_t k = 0; k < len; k++)
			if (g->version[k] < 0x21 || g->version[k] > 0x7e)
				g->version[0] = '\0';
	}
}

/*
 * The 8-byte value at virtual address `va` as the loaded program sees it: the file's bytes, or,
 * where the system linker left 0 there for the dynamic loader to fill (a PIE), the addend of
 * the R_X86_64_RELATIVE relocation of that address. 0 when neither is known.
 */
static uint64_t load_u64(const struct gobin *g, const Elf64_Ehdr *eh, uint64_t va)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *s = shdr(g, eh, i);

		if (s && s->sh_type == SHT_PROGBITS && in_file(g, s) && va >= s->sh_addr &&
		    va - s->sh_addr <= s->sh_size - 8 && s->sh_size >= 8) {
			v = u64(g->map + s->sh_offset + (va - s->sh_addr));
			break;
		}
	}
	if (v)
		return v;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *s = shdr(g, eh, i);

		if (!s || s->sh_type != SHT_RELA || !in_file(g, s) ||
		    s->sh_entsize != sizeof(Elf64_Rela))
			continue;
		for (uint64_t k = 0; k < s->sh_size / sizeof(Elf64_Rela); k++) {
			const Elf64_Rela *r = (const Elf64_Rela *)(g->map + s->sh_offset) + k;

			if (r->r_offset == va && ELF64_R_TYPE(r->r_info) == R_X86_64_RELATIVE)
				return r->r_addend;
		}
	}
	return 0;
}

/*
 * The runtime's moduledata for this table: its `text` field (0 when not found). Go 1.26 leaves
 * the header's textStart 0 and the runtime takes the text start from moduledata, which it keeps
 * in a .go.module section (before, runtime.firstmoduledata in .noptrdata). The layout, stable
 * since 1.16: pcHeader *, then six slices (funcnametab, cutab, filetab, pctab, pclntable, ftab;
 * 24 bytes each), findfunctab, minpc, maxpc, text, etext. A candidate counts only when its
 * funcnametab and ftab point where the header says and ftab has nfunc+1 entries.
 */
static uint64_t moduledata_text(const struct gobin *g, const Elf64_Ehdr *eh, uint64_t tab_va,
				uint64_t nameoff, uint64_t pclnoff)
{
	static const char *const where[] = {".go.module", ".noptrdata", ".data.rel.ro", ".data"};
	const Elf64_Shdr *strs = shdr(g, eh, eh->e_shstrndx);

	for (size_t w = 0; strs && w < sizeof(where) / sizeof(where[0]); w++) {
		for (unsigned i = 0; i < eh->e_shnum; i++) {
			const Elf64_Shdr *s = shdr(g, eh, i);

			if (!s || s->sh_name >= strs->sh_size || !in_file(g, s) ||
			    s->sh_type != SHT_PROGBITS || s->sh_size < 192 ||
			    strncmp((const char *)g->map + strs->sh_offset + s->sh_name, where[w],
				    strs->sh_size - s->sh_name))
				continue;
			for (uint64_t o = 0; o + 192 <= s->sh_size; o += 8) {
				uint64_t md = s->sh_addr + o;

				if (load_u64(g, eh, md) != tab_va ||
				    load_u64(g, eh, md + 8) != tab_va + nameoff ||
				    load_u64(g, eh, md + 128) != tab_va + pclnoff ||
				    load_u64(g, eh, md + 136) != g->nfunc + 1)
					continue;
				return load_u64(g, eh, md + 176);
			}
		}
	}
	return 0;
}

/* The executable segment holding `text`: code addresses become file offsets through it. */
static bool find_text_segment(struct gobin *g, const Elf64_Ehdr *eh)
{
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > g->size ||
	    eh->e_phoff % _Alignof(Elf64_Phdr) ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > g->size - eh->e_phoff)
		return false;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(g->map + eh->e_phoff) + i;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || g->text < ph->p_vaddr ||
		    g->text - ph->p_vaddr >= ph->p_filesz || ph->p_offset > g->size ||
		    ph->p_filesz > g->size - ph->p_offset)
			continue;
		g->xvaddr = ph->p_vaddr;
		g->xoff = ph->p_offset;
		g->xsize = ph->p_filesz;
		return true;
	}
	return false;
}

/* Checks the 1.18+ header and lays the tables out; 0 or -1 with `why`. */
static int parse_118(struct gobin *g, const Elf64_Ehdr *eh, const Elf64_Shdr *tab, char *why,
		     size_t whylen)
{
	uint64_t nameoff, pclnoff, prev = 0;

	if (g->tabsize < HDR_SIZE || g->tab[4] || g->tab[5] || g->tab[6] != 1 || g->tab[7] != 8)
		return gobin_fail(why, whylen, "malformed function table header");
	g->nfunc = u64(g->tab + 8);
	nameoff = u64(g->tab + 32);
	pclnoff = u64(g->tab + 64);
	if (!g->nfunc || nameoff >= g->tabsize || pclnoff >= g->tabsize ||
	    g->nfunc > (g->tabsize - pclnoff) / 8 - 1)
		return gobin_fail(why, whylen, "function table offsets out of range");
	g->names = g->tab + nameoff;
	g->namessize = g->tabsize - nameoff;
	g->pcln = g->tab + pclnoff;
	g->pclnsize = g->tabsize - pclnoff;
	g->functab = g->pcln;
	/* the header's textStart (a relocation's in a PIE); Go 1.26+: moduledata's text */
	g->text = load_u64(g, eh, tab->sh_addr + 24);
	if (!g->text)
		g->text = moduledata_text(g, eh, tab->sh_addr, nameoff, pclnoff);
	if (!g->text || !find_text_segment(g, eh))
		return gobin_fail(why, whylen, "text start 0x%llx not in an executable segment",
			    (unsigned long long)g->text);
	/* entries ascend and stay inside the segment: what lookups and end addresses rely on */
	for (uint64_t i = 0; i <= g->nfunc; i++) {
		uint64_t e = u32(g->functab + 8 * i);

		if (e < prev || g->text - g->xvaddr + e > g->xsize)
			return gobin_fail(why, whylen, "function table entry %llu out of order",
				    (unsigned long long)i);
		prev = e;
	}
	return 0;
}

int gobin__open(const char *path, struct gobin **out, char *why, size_t whylen)
{
	const Elf64_Shdr *tab = NULL, *info = NULL, *strs;
	bool buildid = false;
	struct gobin *g;
	const Elf64_Ehdr *eh;
	struct stat st;
	int fd, ret = 0;

	*out = NULL;
	if (whylen)
		why[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return 0;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		close(fd);
		return gobin_fail(why, whylen, "out of memory");
	}
	g->size = st.st_size;
	g->map = mmap(NULL, g->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (g->map == MAP_FAILED) {
		g->map = NULL;
		goto out;
	}
	eh = (const Elf64_Ehdr *)g->map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr))
		goto out;
	strs = shdr(g, eh, eh->e_shstrndx);
	if (!strs || !in_file(g, strs))
		goto out;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *s = shdr(g, eh, i);
		const char *name;

		if (!s || s->sh_name >= strs->sh_size)
			continue;
		name = (const char *)g->map + strs->sh_offset + s->sh_name;
		if (strnlen(name, strs->sh_size - s->sh_name) == strs->sh_size - s->sh_name)
			continue;
		if (!strcmp(name, ".gopclntab") || !strcmp(name, ".data.rel.ro.gopclntab"))
			tab = s;
		else if (!strcmp(name, ".go.buildinfo"))
			info = s;
		else if (!strcmp(name, ".note.go.buildid"))
			buildid = true;
	}
	if (!tab) {
		if (info || buildid)
			ret = gobin_fail(why, whylen, "Go crypto/tls not located: no .gopclntab section");
		goto out;
	}
	read_version(g, info);
	if (!in_file(g, tab) || tab->sh_size < 8) {
		ret = gobin_fail(why, whylen, "Go crypto/tls not located: .gopclntab outside the file");
		goto out;
	}
	g->tab = g->map + tab->sh_offset;
	g->tabsize = tab->sh_size;
	g->magic = u32(g->tab);
	/* a table this reader refuses still makes a Go binary: the caller decides what to say */
	switch (g->magic) {
	case MAGIC_118:
	case MAGIC_120:
		parse_118(g, eh, tab, g->err, sizeof(g->err));
		break;
	case MAGIC_116:
		gobin_fail(g->err, sizeof(g->err), "Go 1.16/1.17 function table (only 1.18+ is read)");
		break;
	case MAGIC_12:
		gobin_fail(g->err, sizeof(g->err), "Go <1.16: stack-based calling convention");
		break;
	default:
		gobin_fail(g->err, sizeof(g->err), "unknown Go function table (magic 0x%08x)", g->magic);
	}
	*out = g;
	return 1;
out:
	gobin__free(g);
	return ret;
}

void gobin__free(struct gobin *g)
{
	if (!g)
		return;
	if (g->map)
		munmap((void *)g->map, g->size);
	free(g);
}

const char *gobin_error(const struct gobin *g)
{
	return g->err[0] ? g->err : NULL;
}

bool gobin_mentions(const struct gobin *g, const char *s)
{
	return memmem(g->tab, g->tabsize, s, strlen(s)) != NULL;
}

const char *gobin_version(const struct gobin *g)
{
	return g->version;
}

uint32_t gobin_magic(const struct gobin *g)
{
	return g->magic;
}

size_t gobin_nfuncs(const struct gobin *g)
{
	return g->nfunc;
}

const char *gobin_func(const struct gobin *g, size_t i, struct gofunc *f)
{
	uint32_t entryoff, funcoff, nameoff;
	const char *name;

	if (g->err[0] || i >= g->nfunc)
		return NULL;
	entryoff = u32(g->functab + 8 * i);
	funcoff = u32(g->functab + 8 * i + 4);
	if (funcoff > g->pclnsize || g->pclnsize - funcoff < 8 ||
	    u32(g->pcln + funcoff) != entryoff)
		return NULL;
	nameoff = u32(g->pcln + funcoff + 4);
	if (nameoff >= g->namessize)
		return NULL;
	name = (const char *)g->names + nameoff;
	if (strnlen(name, g->namessize - nameoff) == g->namessize - nameoff)
		return NULL;
	f->entry = g->text + entryoff;
	f->end = g->text + u32(g->functab + 8 * (i + 1));
	f->off = g->xoff + (f->entry - g->xvaddr);
	f->code = g->map + f->off;
	return name;
}

int gobin_lookup(const struct gobin *g, const char *const *names, size_t n, struct gofunc *out,
		 unsigned *found)
{
	int unique = 0;

	memset(found, 0, n * sizeof(*found));
	if (g->err[0])
		return 0;
	for (size_t i = 0; i < g->nfunc; i++) {
		struct gofunc f;
		const char *name = gobin_func(g, i, &f);

		if (!name)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (strcmp(name, names[k]))
				continue;
			if (!found[k]++)
				out[k] = f;
		}
	}
	for (size_t k = 0; k < n; k++)
		unique += found[k] == 1;
	return unique;
}
