// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* elfsym.c - function symbol -> file offset, the way uprobes need it. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "elfsym.h"

/* Symbol names compare up to an '@' version suffix. */
static bool name_is(const char *sym, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(sym, want, n) && (sym[n] == '\0' || sym[n] == '@');
}

/* A virtual address to its offset in the file, through the executable PT_LOAD that maps it. */
static size_t vaddr_to_off(Elf *e, GElf_Addr addr)
{
	size_t nph;

	if (elf_getphdrnum(e, &nph))
		return 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_memsz)
			return addr - ph.p_vaddr + ph.p_offset;
	}
	return 0;
}

static int scan_table(Elf *e, Elf_Scn *scn, const char *const *names, size_t n, size_t *offs)
{
	GElf_Shdr sh;
	Elf_Data *d;
	int found = 0;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
		return 0;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym s;
		const char *name;

		if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		name = elf_strptr(e, sh.sh_link, s.st_name);
		if (!name)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (offs[k] || !name_is(name, names[k]))
				continue;
			offs[k] = vaddr_to_off(e, s.st_value);
			found += offs[k] != 0;
		}
	}
	return found;
}

int elfsym_offsets(const char *path, const char *const *names, size_t n, size_t *offs)
{
	Elf_Scn *scn = NULL;
	Elf *e = NULL;
	int fd, found = 0, ret;

	memset(offs, 0, n * sizeof(*offs));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		ret = -ENOEXEC;
		goto cleanup;
	}
	/* .dynsym first: exported symbols are the ones a libssl user calls */
	for (int pass = 0; pass < 2 && (size_t)found < n; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;

			if (gelf_getshdr(scn, &sh) &&
			    sh.sh_type == (pass == 0 ? SHT_DYNSYM : SHT_SYMTAB))
				found += scan_table(e, scn, names, n, offs);
		}
	}
	ret = found;
cleanup:
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}
