// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* elfscan.c - stripped x86-64 ELF objects read for code shapes (elfscan.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfscan.h"

/* DWARF pointer encodings (.eh_frame_hdr, CIE augmentation 'R') */
#define PE_UDATA4  0x03
#define PE_SDATA4  0x0b
#define PE_PCREL   0x10
#define PE_DATAREL 0x30

static bool in_file(const struct elfscan *m, uint64_t off, uint64_t n)
{
	return off <= m->len && n <= m->len - off;
}

/* The section headers we need, by name; false if the file is not an ELF64 x86-64 object. */
static bool read_sections(struct elfscan *m)
{
	const Elf64_Ehdr *eh = (const void *)m->p;
	const Elf64_Shdr *sh, *shstr;

	if (m->len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_shentsize != sizeof(*sh) || !eh->e_shnum ||
	    eh->e_shstrndx >= eh->e_shnum || eh->e_shoff % _Alignof(Elf64_Shdr) ||
	    !in_file(m, eh->e_shoff, eh->e_shnum * sizeof(*sh)))
		return false; /* (a real ELF's headers are aligned; a hostile one is refused) */
	sh = (const void *)(m->p + eh->e_shoff);
	shstr = &sh[eh->e_shstrndx];
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const char *name;
		struct elfscan_sec *s = NULL;

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
		*s = (struct elfscan_sec){sh[i].sh_addr, sh[i].sh_offset, sh[i].sh_size};
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
static int cie_fde_encoding(const struct elfscan *m, uint64_t cie)
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

/* .eh_frame_hdr's sorted table, then the FDE's range: pc must lie inside it. */
bool elfscan_func_of(const struct elfscan *m, uint64_t pc, uint64_t *start, uint64_t *end)
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


int elfscan_open(struct elfscan *m, const char *path)
{
	struct stat st;
	int fd;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return -ENOEXEC;
	}
	m->len = st.st_size;
	m->p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->p == MAP_FAILED) {
		m->p = NULL;
		return -errno;
	}
	return read_sections(m) ? 0 : -ENOEXEC;
}

void elfscan_close(struct elfscan *m)
{
	if (m->p)
		munmap((void *)m->p, m->len);
	m->p = NULL;
}

uint64_t elfscan_rodata_str(const struct elfscan *m, const char *suffix, size_t len, size_t *pos)
{
	const unsigned char *r = m->p + m->rodata.off, *q, *s;

	while (*pos < m->rodata.size &&
	       (q = memmem(r + *pos, m->rodata.size - *pos, suffix, len))) {
		*pos = q - r + 1;
		if ((size_t)(q - r) + len >= m->rodata.size || q[len])
			continue; /* not the end of a string */
		/* the whole string: back to the NUL before it (a build directory prefix) */
		for (s = q; s > r && s[-1] && q - s < 4096; s--)
			;
		*pos = q - r + len;
		return m->rodata.addr + (s - r);
	}
	*pos = m->rodata.size;
	return 0;
}

const char *elfscan_str_at(const struct elfscan *m, uint64_t a)
{
	if (a < m->rodata.addr || a >= m->rodata.addr + m->rodata.size)
		return NULL;
	if (!memchr(m->p + m->rodata.off + (a - m->rodata.addr), '\0',
		    m->rodata.addr + m->rodata.size - a))
		return NULL;
	return (const char *)m->p + m->rodata.off + (a - m->rodata.addr);
}

size_t elfscan_next_lea(const struct elfscan *m, size_t from, unsigned reg, uint64_t target)
{
	const unsigned char *t = m->p + m->text.off, *q = t + from;
	const unsigned char pat[3] = {0x48, 0x8d, (unsigned char)(0x05 | reg << 3)};
	size_t tlen = m->text.size;

	while (q < t + tlen && (q = memmem(q, tlen - (q - t), pat, sizeof(pat))) &&
	       q + 7 <= t + tlen) {
		size_t k = q - t;

		if (m->text.addr + k + 7 + rd32(q + 3) == target)
			return k;
		q++;
	}
	return (size_t)-1;
}

uint64_t elfscan_text_off(const struct elfscan *m, uint64_t vaddr)
{
	return vaddr - m->text.addr + m->text.off;
}
