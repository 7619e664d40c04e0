// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * structfmt.c - structures a syscall reads or fills, printed as strace prints them (without -v):
 * the abbreviated forms, `...` for the fields strace leaves out, its names for special values.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "flags.h"
#include "sbuf.h"
#include "strfmt.h"
#include "structfmt.h"
#include "xlat.h"

/*
 * struct stat differs between x86_64 (its own, 144 bytes) and aarch64 (asm-generic, 128):
 * only the offsets of the fields strace shows are needed.
 */
#if defined(__aarch64__)
#define STAT_SIZE   128
#define STAT_MODE   16
#define STAT_RDEV   32
#define STAT_SIZEOF 48
#else
#define STAT_SIZE   144
#define STAT_MODE   24
#define STAT_RDEV   40
#define STAT_SIZEOF 48
#endif

/* struct utsname: six char[65] fields */
#define UTS_FIELD 65

#define AGT_S_IFMT  0170000u
#define AGT_S_IFCHR 0020000u
#define AGT_S_IFBLK 0060000u

static const unsigned int sizes[ST_COUNT] = {
    [ST_stat] = STAT_SIZE,
    [ST_rlimit] = 16,
    [ST_rlimit64] = 16,
    [ST_sigset] = 8,
    [ST_sigaction] = 32,
    [ST_fd_pair] = 8,
    [ST_timespec] = 16,
    [ST_wstatus] = 4,
    [ST_statx] = 48,		      /* up to stx_size */
    [ST_utsname] = UTS_FIELD * 2 + 2, /* sysname and nodename, up to a 4-byte boundary */
};

unsigned int struct_size(enum sc_struct id)
{
	return id > ST_NONE && id < ST_COUNT ? sizes[id] : 0;
}

static unsigned long long get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static unsigned int get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* S_IFREG|S_ISUID|0755: the file type, the special bits by name, the permissions in octal. */
static void put_mode(struct sbuf *sb, unsigned int mode)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} special[] = {{04000, "S_ISUID"}, {02000, "S_ISGID"}, {01000, "S_ISVTX"}};
	const char *t = xlat_name(XL_stat_types, mode & AGT_S_IFMT, 32);

	if (t) {
		sb_puts(sb, t);
		sb_putc(sb, '|');
	} else if (mode & AGT_S_IFMT) {
		sb_printf(sb, "%#o|", mode & AGT_S_IFMT);
	}
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		if (mode & special[i].bit) {
			sb_puts(sb, special[i].name);
			sb_putc(sb, '|');
		}
	}
	sb_printf(sb, "%#03o", mode & 0777);
}

/* glibc's gnu_dev_major/minor split of a dev_t, as strace's makedev(). */
static void put_dev(struct sbuf *sb, unsigned long long dev)
{
	unsigned long long major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffULL);
	unsigned long long minor = (dev & 0xff) | ((dev >> 12) & ~0xffULL);

	sb_printf(sb, "makedev(%#llx, %#llx)", major, minor);
}

static void put_stat(struct sbuf *sb, const unsigned char *d)
{
	unsigned int mode = get32(d + STAT_MODE);

	sb_puts(sb, "{st_mode=");
	put_mode(sb, mode);
	if ((mode & AGT_S_IFMT) == AGT_S_IFCHR || (mode & AGT_S_IFMT) == AGT_S_IFBLK) {
		sb_puts(sb, ", st_rdev=");
		put_dev(sb, get64(d + STAT_RDEV));
	} else {
		sb_printf(sb, ", st_size=%lld", (long long)get64(d + STAT_SIZEOF));
	}
	sb_puts(sb, ", ...}");
}

/* A limit: the infinity name, a multiple of 1024 as N*1024 (strace's habit), else decimal. */
static void put_rlim(struct sbuf *sb, unsigned long long v, const char *inf)
{
	if (v == ~0ULL)
		sb_puts(sb, inf);
	else if (v && !(v % 1024))
		sb_printf(sb, "%llu*1024", v / 1024);
	else
		sb_printf(sb, "%llu", v);
}

static void put_rlimit(struct sbuf *sb, const unsigned char *d, const char *inf)
{
	sb_puts(sb, "{rlim_cur=");
	put_rlim(sb, get64(d), inf);
	sb_puts(sb, ", rlim_max=");
	put_rlim(sb, get64(d + 8), inf);
	sb_putc(sb, '}');
}

/*
 * [INT TERM]: signal names without "SIG"; when more than half of the 64 are set, strace prints
 * the ones that are not, after a '~'.
 */
static void put_sigset(struct sbuf *sb, unsigned long long set)
{
	bool first = true;

	if (__builtin_popcountll(set) > 32) {
		sb_putc(sb, '~');
		set = ~set;
	}
	sb_putc(sb, '[');
	for (int sig = 1; sig <= 64; sig++) {
		const char *name;

		if (!(set & (1ULL << (sig - 1))))
			continue;
		if (!first)
			sb_putc(sb, ' ');
		first = false;
		name = signal_name(sig);
		if (name)
			sb_puts(sb, name + 3);
		else
			sb_printf(sb, "%d", sig);
	}
	sb_putc(sb, ']');
}

#define AGT_SA_RESTORER 0x04000000ULL

/* The kernel's struct sigaction: handler, flags, restorer, mask (x86_64 and arm64 alike). */
static void put_sigaction(struct sbuf *sb, const unsigned char *d)
{
	unsigned long long handler = get64(d), flags = get64(d + 8);
	char tmp[256];

	sb_puts(sb, "{sa_handler=");
	if (handler == 0)
		sb_puts(sb, "SIG_DFL");
	else if (handler == 1)
		sb_puts(sb, "SIG_IGN");
	else
		sb_printf(sb, "%#llx", handler);
	sb_puts(sb, ", sa_mask=");
	put_sigset(sb, get64(d + 24));
	fmt_xlat(tmp, sizeof(tmp), XL_sigact_flags, flags, 64);
	sb_puts(sb, ", sa_flags=");
	sb_puts(sb, tmp);
	if (flags & AGT_SA_RESTORER)
		sb_printf(sb, ", sa_restorer=%#llx", get64(d + 16));
	sb_putc(sb, '}');
}

static void put_signame(struct sbuf *sb, int sig)
{
	const char *s = signal_name(sig);

	if (s)
		sb_puts(sb, s);
	else
		sb_printf(sb, "%d", sig);
}

/* A wait status the way strace spells it, with the W* macros that take it apart. */
static void put_wstatus(struct sbuf *sb, unsigned int st)
{
	unsigned int low = st & 0x7f;

	sb_puts(sb, "[{");
	if ((st & 0xff) == 0x7f) {
		sb_puts(sb, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		put_signame(sb, (st >> 8) & 0x7f);
		if ((st >> 8) & 0x80)
			sb_puts(sb, " | 0x80");
		st &= ~0xffffu;
	} else if (low && low != 0x7f) {
		sb_puts(sb, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		put_signame(sb, low);
		if (st & 0x80)
			sb_puts(sb, " && WCOREDUMP(s)");
		st &= ~0xffu;
	} else if (!low) {
		sb_printf(sb, "WIFEXITED(s) && WEXITSTATUS(s) == %u", (st >> 8) & 0xff);
		st &= ~0xff00u;
	} else {
		sb_printf(sb, "%#x}]", st);
		return;
	}
	sb_putc(sb, '}');
	if (st)
		sb_printf(sb, "|%#x", st);
	sb_putc(sb, ']');
}

/* statx fields by offset (include/uapi/linux/stat.h), the same on every architecture */
#define STX_MASK	0
#define STX_ATTR	8
#define STX_MODE	28
#define STX_SIZE	40
#define STATX_TYPE_MODE 0x3u
#define STATX_SIZE_BIT	0x200u

/* The abbreviated form strace prints without -v: mask, attributes, mode and size if asked. */
static void put_statx(struct sbuf *sb, const unsigned char *d)
{
	unsigned int mask = get32(d + STX_MASK);
	char tmp[512];

	fmt_xlat(tmp, sizeof(tmp), XL_statx_mask, mask, 32);
	sb_puts(sb, "{stx_mask=");
	sb_puts(sb, tmp);
	fmt_xlat(tmp, sizeof(tmp), XL_statx_attrs, get64(d + STX_ATTR), 64);
	sb_puts(sb, ", stx_attributes=");
	sb_puts(sb, tmp);
	if (mask & STATX_TYPE_MODE) {
		uint16_t mode;

		memcpy(&mode, d + STX_MODE, sizeof(mode));
		sb_puts(sb, ", stx_mode=");
		put_mode(sb, mode);
	}
	if (mask & STATX_SIZE_BIT)
		sb_printf(sb, ", stx_size=%llu", get64(d + STX_SIZE));
	sb_puts(sb, ", ...}");
}

static void put_uts_field(struct sbuf *sb, const unsigned char *f)
{
	size_t l = strnlen((const char *)f, UTS_FIELD);

	sb_add(sb, fmt_quoted(sb_pos(sb), sb_left(sb), f, l, (size_t)-1, false));
}

size_t fmt_struct(char *buf, size_t n, enum sc_struct id, const unsigned char *data, size_t len)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	if (!struct_size(id) || len < struct_size(id))
		return sb_finish(&sb);
	switch (id) {
	case ST_stat:
		put_stat(&sb, data);
		break;
	case ST_rlimit:
		put_rlimit(&sb, data, "RLIM_INFINITY");
		break;
	case ST_rlimit64:
		put_rlimit(&sb, data, "RLIM64_INFINITY");
		break;
	case ST_sigset:
		put_sigset(&sb, get64(data));
		break;
	case ST_sigaction:
		put_sigaction(&sb, data);
		break;
	case ST_fd_pair:
		sb_printf(&sb, "[%d, %d]", (int)get32(data), (int)get32(data + 4));
		break;
	case ST_timespec:
		sb_printf(&sb, "{tv_sec=%lld, tv_nsec=%lld}", (long long)get64(data),
			  (long long)get64(data + 8));
		break;
	case ST_wstatus:
		put_wstatus(&sb, get32(data));
		break;
	case ST_statx:
		put_statx(&sb, data);
		break;
	case ST_utsname:
		sb_puts(&sb, "{sysname=");
		put_uts_field(&sb, data);
		sb_puts(&sb, ", nodename=");
		put_uts_field(&sb, data + UTS_FIELD);
		sb_puts(&sb, ", ...}");
		break;
	default:
		break;
	}
	return sb_finish(&sb);
}
