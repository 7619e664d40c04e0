// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_gopclntab.c - Go's function table read from synthetic ELF files: the 1.18 and 1.20
 * layouts, the versions refused by name, corrupt tables, a PIE whose text start is a relocation,
 * files that are no Go binary. (The built Go agent is compared with Go's own reader and with
 * `go tool nm` in tests/integration/go_tests.sh.)
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gopclntab.h"
#include "tls_go.h"

/*
 * The synthetic binary: one R+X PT_LOAD mapping the file at 0x400000; .text at file 0x1000
 * (0x401000); .gopclntab at 0x2000; .go.buildinfo at 0x3000; .rela.dyn at 0x3100;
 * section headers at 0x4000, names at 0x3800.
 */
#define VBASE	 0x400000ull
#define TEXT_OFF 0x1000
#define TAB_OFF	 0x2000
#define INFO_OFF 0x3000
#define RELA_OFF 0x3100
#define MOD_OFF	 0x3200
#define STR_OFF	 0x3800
#define SH_OFF	 0x4000
#define FILE_SZ	 0x4400

struct spec {
	uint32_t magic;
	uint64_t nfunc;
	uint64_t text;	  /* textStart in the header */
	bool rela;	  /* a R_X86_64_RELATIVE filling textStart with 0x401000 */
	bool swap;	  /* entries 1 and 2 out of order */
	bool bad_entry;	  /* _func[1].entryOff disagrees with the functab */
	bool pclntab;	  /* has a .gopclntab section */
	bool buildid;	  /* has a .note.go.buildid section */
	bool pie_name;	  /* the section is .data.rel.ro.gopclntab */
	bool module;	  /* a .go.module section with the runtime\'s moduledata (Go 1.26) */
	uint64_t md_text; /* its text field */
	bool md_badlen;	  /* its ftab length disagrees with the header */
};

static const char *const fnames[] = {"main.a", "main.b", "crypto/tls.(*Conn).Write"};
static const uint32_t fentry[] = {0x0, 0x20, 0x60}, text_end = 0x100;

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Writes the binary `s` describes to a temporary file; returns its path (static buffer). */
static const char *make_elf(const struct spec *s)
{
	static char path[64];
	uint8_t *f = calloc(1, FILE_SZ), *t = f + TAB_OFF;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
	Elf64_Phdr *ph = (Elf64_Phdr *)(f + sizeof(*eh));
	Elf64_Shdr *sh = (Elf64_Shdr *)(f + SH_OFF);
	uint32_t nameoff = 72, pclnoff, funcs, n = 0;
	char *strs = (char *)f + STR_OFF;
	size_t sl = 1;
	int fd;

	assert_non_null(f);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	eh->e_shoff = SH_OFF;
	eh->e_shentsize = sizeof(*sh);
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_vaddr = VBASE;
	ph->p_filesz = ph->p_memsz = FILE_SZ;
	/* the table: header, names, functab, _func records */
	put32(t, s->magic);
	t[6] = 1;
	t[7] = 8;
	put64(t + 8, s->nfunc);
	put64(t + 24, s->text);
	put64(t + 32, nameoff);
	for (int i = 0; i < 3; i++) {
		strcpy((char *)t + nameoff + n, fnames[i]);
		n += strlen(fnames[i]) + 1;
	}
	pclnoff = (nameoff + n + 7) & ~7u;
	put64(t + 64, pclnoff);
	funcs = 4 * 8;
	for (int i = 0; i <= 3; i++) {
		uint32_t e = i < 3 ? fentry[i] : text_end, name = 0;

		if (s->swap && i == 1)
			e = fentry[2];
		else if (s->swap && i == 2)
			e = fentry[1];
		put32(t + pclnoff + 8 * i, e);
		put32(t + pclnoff + 8 * i + 4, i < 3 ? funcs + 16 * i : 0);
		if (i == 3)
			break;
		for (int k = 0; k < i; k++)
			name += strlen(fnames[k]) + 1;
		put32(t + pclnoff + funcs + 16 * i, s->bad_entry && i == 1 ? e + 4 : e);
		put32(t + pclnoff + funcs + 16 * i + 4, name);
	}
	/* the code: a RET at each function's start, INT3 padding */
	memset(f + TEXT_OFF, 0xcc, text_end);
	for (int i = 0; i < 3; i++)
		f[TEXT_OFF + fentry[i]] = 0xc3;
	/* .go.buildinfo, 1.18+ form: the version inline */
	memcpy(f + INFO_OFF, "\xff Go buildinf:\x08\x02", 16);
	memcpy(f + INFO_OFF + 32, "\x08go1.21.0", 9);
	/* moduledata: pcHeader, funcnametab, ..., ftab (at 128: ptr, len), ..., text (at 176) */
	{
		uint8_t *md = f + MOD_OFF + 8; /* not at the section's start: it is searched */

		put64(md, VBASE + TAB_OFF);
		put64(md + 8, VBASE + TAB_OFF + nameoff);
		put64(md + 128, VBASE + TAB_OFF + pclnoff);
		put64(md + 136, s->nfunc + (s->md_badlen ? 2 : 1));
		put64(md + 176, s->md_text);
	}
	/* a RELATIVE relocation of the textStart field */
	{
		Elf64_Rela *r = (Elf64_Rela *)(f + RELA_OFF);

		r->r_offset = VBASE + TAB_OFF + 24;
		r->r_info = ELF64_R_INFO(0, R_X86_64_RELATIVE);
		r->r_addend = VBASE + TEXT_OFF;
	}
#define SECTION(nm, type, off, size, entsize)                                                      \
	do {                                                                                       \
		n = eh->e_shnum++;                                                                 \
		sh[n].sh_name = sl;                                                                \
		strcpy(strs + sl, nm);                                                             \
		sl += strlen(nm) + 1;                                                              \
		sh[n].sh_type = type;                                                              \
		sh[n].sh_addr = VBASE + (off);                                                     \
		sh[n].sh_offset = off;                                                             \
		sh[n].sh_size = size;                                                              \
		sh[n].sh_entsize = entsize;                                                        \
	} while (0)
	eh->e_shnum = 1; /* the null section */
	SECTION(".text", SHT_PROGBITS, TEXT_OFF, text_end, 0);
	if (s->pclntab)
		SECTION(s->pie_name ? ".data.rel.ro.gopclntab" : ".gopclntab", SHT_PROGBITS,
			TAB_OFF, pclnoff + funcs + 16 * 3, 0);
	SECTION(".go.buildinfo", SHT_PROGBITS, INFO_OFF, 64, 0);
	if (s->rela)
		SECTION(".rela.dyn", SHT_RELA, RELA_OFF, sizeof(Elf64_Rela), sizeof(Elf64_Rela));
	if (s->module)
		SECTION(".go.module", SHT_PROGBITS, MOD_OFF, 0x100, 0);
	if (s->buildid)
		SECTION(".note.go.buildid", SHT_NOTE, INFO_OFF + 0x80, 16, 0);
	SECTION(".shstrtab", SHT_STRTAB, STR_OFF, 0x200, 0);
	eh->e_shstrndx = eh->e_shnum - 1;
#undef SECTION
	snprintf(path, sizeof(path), "/tmp/agtrace-gopcln.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, f, FILE_SZ), FILE_SZ);
	close(fd);
	free(f);
	return path;
}

static const struct spec good = {
    .magic = 0xfffffff0, .nfunc = 3, .text = VBASE + TEXT_OFF, .pclntab = true};

static void test_gopclntab_reads_118_and_120(void **state)
{
	uint32_t magics[] = {0xfffffff0, 0xfffffff1};

	(void)state;
	for (int m = 0; m < 2; m++) {
		struct spec s = good;
		struct gobin *g;
		struct gofunc f[3];
		unsigned found[3];
		char why[128];
		const char *p;

		s.magic = magics[m];
		s.pie_name = m == 1;
		p = make_elf(&s);
		assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 1);
		assert_null(gobin_error(g));
		assert_int_equal(gobin_magic(g), magics[m]);
		assert_string_equal(gobin_version(g), "go1.21.0");
		assert_int_equal(gobin_nfuncs(g), 3);
		assert_int_equal(gobin_lookup(g, fnames, 3, f, found), 3);
		for (int i = 0; i < 3; i++) {
			assert_int_equal(found[i], 1);
			assert_int_equal(f[i].entry, VBASE + TEXT_OFF + fentry[i]);
			assert_int_equal(f[i].end,
					 VBASE + TEXT_OFF + (i < 2 ? fentry[i + 1] : text_end));
			assert_int_equal(f[i].off, TEXT_OFF + fentry[i]);
			assert_int_equal(f[i].code[0], 0xc3);
		}
		gobin__free(g);
		unlink(p);
	}
}

/* A PIE linked by the system linker: textStart 0 in the file, the value in a relocation. */
static void test_gopclntab_text_start_from_relocation(void **state)
{
	struct spec s = good;
	struct gobin *g;
	struct gofunc f;
	char why[128];
	const char *p;

	(void)state;
	s.text = 0;
	s.rela = true;
	p = make_elf(&s);
	assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 1);
	assert_null(gobin_error(g));
	assert_string_equal(gobin_func(g, 2, &f), "crypto/tls.(*Conn).Write");
	assert_int_equal(f.entry, VBASE + TEXT_OFF + 0x60);
	gobin__free(g);
	unlink(p);
	s.rela = false; /* and without one: refused, not guessed */
	p = make_elf(&s);
	assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 1);
	assert_string_equal(gobin_error(g), "text start 0x0 not in an executable segment");
	assert_null(gobin_func(g, 0, &f));
	gobin__free(g);
	unlink(p);
}

/* Go 1.26: textStart 0, no relocation; the text start is the runtime's moduledata.text. */
static void test_gopclntab_text_start_from_moduledata(void **state)
{
	struct spec s = good;
	struct gobin *g;
	struct gofunc f;
	char why[128];
	const char *p;

	(void)state;
	s.magic = 0xfffffff1;
	s.text = 0;
	s.module = true;
	s.md_text = VBASE + TEXT_OFF;
	p = make_elf(&s);
	assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 1);
	assert_null(gobin_error(g));
	assert_string_equal(gobin_func(g, 1, &f), "main.b");
	assert_int_equal(f.entry, VBASE + TEXT_OFF + 0x20);
	assert_int_equal(f.off, TEXT_OFF + 0x20);
	gobin__free(g);
	unlink(p);
	/* a moduledata whose ftab length disagrees with the header is not this table's */
	s.md_badlen = true;
	p = make_elf(&s);
	assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 1);
	assert_string_equal(gobin_error(g), "text start 0x0 not in an executable segment");
	gobin__free(g);
	unlink(p);
}

static void test_gopclntab_refuses_by_name(void **state)
{
	static const struct {
		uint32_t magic;
		uint64_t nfunc;
		bool swap, bad_entry;
		const char *err;
	} cases[] = {
	    {0xfffffffa, 3, 0, 0, "Go 1.16/1.17 function table (only 1.18+ is read)"},
	    {0xfffffffb, 3, 0, 0, "Go <1.16: stack-based calling convention"},
	    {0xfffffff5, 3, 0, 0, "unknown Go function table (magic 0xfffffff5)"},
	    {0xfffffff0, 1ull << 40, 0, 0, "function table offsets out of range"},
	    {0xfffffff0, 0, 0, 0, "function table offsets out of range"},
	    {0xfffffff0, 3, 1, 0, "function table entry 2 out of order"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct spec s = good;
		struct gofunc f[3];
		unsigned found[3];
		struct gobin *g;
		char why[128];
		const char *p;

		s.magic = cases[i].magic;
		s.nfunc = cases[i].nfunc;
		s.swap = cases[i].swap;
		p = make_elf(&s);
		assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 1);
		assert_non_null(gobin_error(g));
		assert_string_equal(gobin_error(g), cases[i].err);
		assert_int_equal(gobin_lookup(g, fnames, 3, f, found), 0);
		assert_true(gobin_mentions(g, "crypto/tls.(*Conn).Write"));
		assert_false(gobin_mentions(g, "crypto/tls.(*Conn).Read"));
		gobin__free(g);
		unlink(p);
	}
}

/* One record whose entry disagrees with the functab: that function is unreadable, not moved. */
static void test_gopclntab_bad_record(void **state)
{
	struct spec s = good;
	struct gofunc f[3];
	unsigned found[3];
	struct gobin *g;
	char why[128];
	const char *p;

	(void)state;
	s.bad_entry = true;
	p = make_elf(&s);
	assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 1);
	assert_null(gobin_func(g, 1, &f[0]));
	assert_int_equal(gobin_lookup(g, fnames, 3, f, found), 2);
	assert_int_equal(found[1], 0);
	assert_null(gobin_func(g, 3, &f[0])); /* past the end */
	gobin__free(g);
	unlink(p);
}

static void test_gopclntab_not_go(void **state)
{
	struct spec s = good;
	struct gobin *g;
	char why[128];
	const char *p;
	char junk[] = "/tmp/agtrace-gopcln-junk.XXXXXX";
	int fd;

	(void)state;
	/* an ELF without Go's sections, a text file, a missing file, a cut ELF header: 0 */
	s.pclntab = false;
	p = make_elf(&s);
	/* .go.buildinfo alone says Go: without a table that is a refusal, with a reason */
	assert_int_equal(gobin__open(p, &g, why, sizeof(why)), -1);
	assert_string_equal(why, "Go crypto/tls not located: no .gopclntab section");
	assert_null(g);
	unlink(p);
	fd = mkstemp(junk);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
	close(fd);
	assert_int_equal(gobin__open(junk, &g, why, sizeof(why)), 0);
	assert_int_equal(gobin__open("/nonexistent/agtrace", &g, why, sizeof(why)), 0);
	p = make_elf(&good);
	assert_int_equal(truncate(p, 40), 0);
	assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 0);
	unlink(p);
	/* the section headers cut off: no section found, not a crash */
	p = make_elf(&good);
	assert_int_equal(truncate(p, SH_OFF + 100), 0);
	assert_int_equal(gobin__open(p, &g, why, sizeof(why)), 0);
	unlink(p);
	unlink(junk);
	/* this test binary is C: the locator says "not mine" */
	{
		struct tls_go_probes pr;

		assert_int_equal(tls_go_locate("/proc/self/exe", &pr, why, sizeof(why)), 0);
		assert_string_equal(why, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gopclntab_reads_118_and_120),
	    cmocka_unit_test(test_gopclntab_text_start_from_relocation),
	    cmocka_unit_test(test_gopclntab_text_start_from_moduledata),
	    cmocka_unit_test(test_gopclntab_refuses_by_name),
	    cmocka_unit_test(test_gopclntab_bad_record),
	    cmocka_unit_test(test_gopclntab_not_go),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
