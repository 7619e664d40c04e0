// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flags.c - strace-style decoding of flag sets and enums in syscall arguments.
 *
 * The reference is what strace 6.x prints, down to the order of the names (strace's xlat order,
 * not always bit order) and its conventions for values it cannot name:
 *  - a flag set with some unknown bits ends with "|0x..." (O_RDONLY|0x40000000);
 *  - a value with nothing known at all is hex followed by a C comment naming the namespace,
 *    e.g. 0x10 then PROT_??? in a comment, so a reader can tell "undecoded" from "decoded as
 *    a number" (0x10 alone);
 *  - an empty flag set is "0" unless the namespace has a name for zero (PROT_NONE, F_OK).
 * Which argument width the kernel reads also follows strace: most of these are int-sized, so
 * only the low 32 bits are looked at; mmap prot and clone flags are full words.
 *
 * Values are hard-coded from the kernel UAPI headers (not the build host's libc headers, which
 * lag behind and differ between architectures); x86_64 and aarch64 agree on all of them except
 * four open(2) flags, selected at compile time for the architecture being traced.
 */
#include <stdbool.h>
#include <stddef.h>

#include "flags.h"
#include "sbuf.h"
#include "xlat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Numbers are written digit by digit rather than with sb_printf(): this is the per-argument hot
 * path, and vsnprintf() is much slower than the few digits need. (It also keeps a NULL buffer
 * with n == 0 valid: sb_printf() would do arithmetic on the NULL pointer.)
 */
static void put_base(struct sbuf *sb, unsigned long long v, unsigned int base)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24]; /* 22 octal digits hold 64 bits */
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	sb_putsn(sb, tmp + i, sizeof(tmp) - i);
}

/* "%#llx": 0x1f, and 0 as plain 0. */
static void put_hex(struct sbuf *sb, unsigned long long v)
{
	if (v)
		sb_puts(sb, "0x");
	put_base(sb, v, 16);
}

/* The "|0x.." of bits left over after the names. */
static void put_or_hex(struct sbuf *sb, unsigned long long v)
{
	sb_putc(sb, '|');
	put_hex(sb, v);
}

static void put_dec(struct sbuf *sb, long long v)
{
	if (v < 0) {
		sb_putc(sb, '-');
		put_base(sb, -(unsigned long long)v, 10);
	} else {
		put_base(sb, (unsigned long long)v, 10);
	}
}

/*
 * Hex plus the comment strace appends to a value none of whose bits it could name: dflt (e.g.
 * "PROT_???") between C comment delimiters.
 */
static void put_unknown(struct sbuf *sb, unsigned long long v, const char *dflt)
{
	put_hex(sb, v);
	if (dflt) {
		sb_puts(sb, " /* ");
		sb_puts(sb, dflt);
		sb_puts(sb, " */");
	}
}

/*
 * Prints the names of the entries of tab whose bits are all set in *v, in table order, joined
 * with '|', and clears those bits from *v: what is left is unknown, for the caller to print.
 * Entries are matched greedily, so a multi-bit name (O_SYNC, O_TMPFILE) must come before the
 * single bits it contains. `sep` says something was printed before (the first name then needs
 * a leading '|'). Returns true if a name was printed.
 */
static bool put_flag_names(struct sbuf *sb, const struct xlat *tab, size_t cnt,
			   unsigned long long *v, bool sep)
{
	bool any = false;

	for (size_t i = 0; i < cnt && *v; i++) {
		if (!tab[i].val || (*v & tab[i].val) != tab[i].val)
			continue;
		if (sep || any)
			sb_putc(sb, '|');
		sb_puts(sb, tab[i].str);
		*v &= ~tab[i].val;
		any = true;
	}
	return any;
}

/*
 * A whole flag set, strace's printflags(): names, then "|0x.." for unknown bits; nothing known
 * gives put_unknown()'s hex and comment (plain hex if dflt is NULL); zero gives the table's zero
 * name if it has one, else "0".
 */
static void put_flags(struct sbuf *sb, const struct xlat *tab, size_t cnt, unsigned long long v,
		      const char *dflt)
{
	if (!v) {
		for (size_t i = 0; i < cnt; i++) {
			if (!tab[i].val) {
				sb_puts(sb, tab[i].str);
				return;
			}
		}
		sb_putc(sb, '0');
		return;
	}
	if (put_flag_names(sb, tab, cnt, &v, false)) {
		if (v)
			put_or_hex(sb, v);
	} else {
		put_unknown(sb, v, dflt);
	}
}

/* An enum, strace's printxval(): the exact name, or put_unknown()'s hex and comment. */
static void put_xval(struct sbuf *sb, const struct xlat *tab, size_t cnt, unsigned long long v,
		     const char *dflt)
{
	for (size_t i = 0; i < cnt; i++) {
		if (tab[i].val == v) {
			sb_puts(sb, tab[i].str);
			return;
		}
	}
	put_unknown(sb, v, dflt);
}

/* An enum whose names are indexed by value (NULL for holes). */
static void put_indexed(struct sbuf *sb, const char *const *names, size_t cnt, unsigned long long v,
			const char *dflt)
{
	if (v < cnt && names[v])
		sb_puts(sb, names[v]);
	else
		put_unknown(sb, v, dflt);
}

/* ---- open(2) ---- */

#if defined(__aarch64__) || defined(__arm__)
/* arm overrides these four (arch/arm64/include/uapi/asm/fcntl.h). */
#define AGT_O_DIRECTORY 040000
#define AGT_O_NOFOLLOW	0100000
#define AGT_O_DIRECT	0200000
#define AGT_O_LARGEFILE 0400000
#else
/* asm-generic, used by x86_64. */
#define AGT_O_DIRECT	040000
#define AGT_O_LARGEFILE 0100000
#define AGT_O_DIRECTORY 0200000
#define AGT_O_NOFOLLOW	0400000
#endif
#define AGT_O_DSYNC	010000
#define AGT___O_SYNC	04000000
#define AGT___O_TMPFILE 020000000
#define AGT_O_ACCMODE	03

static const char *const open_access[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};

/*
 * strace's order. O_SYNC is __O_SYNC|O_DSYNC and O_TMPFILE is __O_TMPFILE|O_DIRECTORY, so they
 * are listed before their parts: one name for the combination, not "O_DSYNC|__O_SYNC".
 */
static const struct xlat open_flags[] = {
    {0100, "O_CREAT"},
    {0200, "O_EXCL"},
    {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},
    {02000, "O_APPEND"},
    {04000, "O_NONBLOCK"},
    {AGT___O_SYNC | AGT_O_DSYNC, "O_SYNC"},
    {AGT___O_SYNC, "__O_SYNC"},
    {AGT_O_DSYNC, "O_DSYNC"},
    {AGT_O_DIRECT, "O_DIRECT"},
    {AGT_O_LARGEFILE, "O_LARGEFILE"},
    {AGT_O_NOFOLLOW, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},
    {02000000, "O_CLOEXEC"},
    {010000000, "O_PATH"},
    {AGT___O_TMPFILE | AGT_O_DIRECTORY, "O_TMPFILE"},
    {AGT___O_TMPFILE, "__O_TMPFILE"},
    {AGT_O_DIRECTORY, "O_DIRECTORY"},
    {020000, "FASYNC"}, /* strace's name for O_ASYNC */
};

/* The access mode always comes first and always prints, so there is no "0" or "O_???" case. */
size_t fmt_open_flags(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	unsigned long long rest = (unsigned int)v & ~(unsigned long long)AGT_O_ACCMODE;

	sb_puts(&sb, open_access[v & AGT_O_ACCMODE]);
	put_flag_names(&sb, open_flags, ARRAY_SIZE(open_flags), &rest, true);
	if (rest)
		put_or_hex(&sb, rest);
	return sb_finish(&sb);
}

/*
 * strace prints modes with "%#03o": a leading 0, then zero-padded to 3 characters, so 0644,
 * 022, 007 and 000 (strace 6.1 prints mkdirat(..., 000), umask(000); flags.h's one-line
 * summary says "0").
 */
size_t fmt_mode(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	unsigned int m = (unsigned int)v;

	sb_putc(&sb, '0');
	if (m < 010)
		sb_putc(&sb, '0');
	if (m)
		put_base(&sb, m, 8);
	else
		sb_putc(&sb, '0');
	return sb_finish(&sb);
}

/* ---- mmap(2) ---- */

static const struct xlat mmap_prot[] = {
    {0, "PROT_NONE"},
    {0x1, "PROT_READ"},
    {0x2, "PROT_WRITE"},
    {0x4, "PROT_EXEC"},
    {0x8, "PROT_SEM"},
    {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
};

size_t fmt_mmap_prot(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_flags(&sb, mmap_prot, ARRAY_SIZE(mmap_prot), v, "PROT_???");
	return sb_finish(&sb);
}

#define AGT_MAP_TYPE	   0xfULL
#define AGT_MAP_HUGE_SHIFT 26
#define AGT_MAP_HUGE_MASK  0x3fULL

/* The sharing type is an enum in the low nibble, not a flag: 0 is the historical MAP_FILE. */
static const char *const mmap_type[] = {"MAP_FILE", "MAP_SHARED", "MAP_PRIVATE",
					"MAP_SHARED_VALIDATE"};

/* strace's order (mmap_flags.in), which is not bit order. */
static const struct xlat mmap_flags[] = {
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
#if defined(__x86_64__) || defined(__i386__)
    {0x40, "MAP_32BIT"},
#endif
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
};

/*
 * TYPE|FLAGS|0xUNKNOWN|N<<MAP_HUGE_SHIFT. The huge page size (log2, bits 26..31) is a number,
 * not flags, and is taken out before the flags are named (MAP_UNINITIALIZED, 0x4000000, falls
 * inside it and is never printed, as in strace).
 */
size_t fmt_mmap_flags(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	unsigned long long huge_bits = AGT_MAP_HUGE_MASK << AGT_MAP_HUGE_SHIFT;
	unsigned long long rest, huge;

	v = (unsigned int)v;
	huge = (v & huge_bits) >> AGT_MAP_HUGE_SHIFT;
	rest = v & ~AGT_MAP_TYPE & ~huge_bits;
	put_indexed(&sb, mmap_type, ARRAY_SIZE(mmap_type), v & AGT_MAP_TYPE, "MAP_???");
	put_flag_names(&sb, mmap_flags, ARRAY_SIZE(mmap_flags), &rest, true);
	if (rest)
		put_or_hex(&sb, rest);
	if (huge) {
		sb_putc(&sb, '|');
		put_base(&sb, huge, 10);
		sb_puts(&sb, "<<MAP_HUGE_SHIFT");
	}
	return sb_finish(&sb);
}

/* ---- signals ---- */

#define AGT_SIGRTMIN 32
#define AGT_SIGRTMAX 64

/*
 * Kernel numbering (x86_64 and asm-generic agree); strace prints SIGABRT and SIGIO, not the
 * SIGIOT and SIGPOLL aliases. Real-time signals are named relative to the kernel's SIGRTMIN (32),
 * not glibc's (34, after the two it reserves), so SIGRT_1 is 33.
 */
static const char *const signal_names[AGT_SIGRTMAX + 1] = {
    [1] = "SIGHUP",	[2] = "SIGINT",	   [3] = "SIGQUIT",   [4] = "SIGILL",	 [5] = "SIGTRAP",
    [6] = "SIGABRT",	[7] = "SIGBUS",	   [8] = "SIGFPE",    [9] = "SIGKILL",	 [10] = "SIGUSR1",
    [11] = "SIGSEGV",	[12] = "SIGUSR2",  [13] = "SIGPIPE",  [14] = "SIGALRM",	 [15] = "SIGTERM",
    [16] = "SIGSTKFLT", [17] = "SIGCHLD",  [18] = "SIGCONT",  [19] = "SIGSTOP",	 [20] = "SIGTSTP",
    [21] = "SIGTTIN",	[22] = "SIGTTOU",  [23] = "SIGURG",   [24] = "SIGXCPU",	 [25] = "SIGXFSZ",
    [26] = "SIGVTALRM", [27] = "SIGPROF",  [28] = "SIGWINCH", [29] = "SIGIO",	 [30] = "SIGPWR",
    [31] = "SIGSYS",	[32] = "SIGRTMIN", [33] = "SIGRT_1",  [34] = "SIGRT_2",	 [35] = "SIGRT_3",
    [36] = "SIGRT_4",	[37] = "SIGRT_5",  [38] = "SIGRT_6",  [39] = "SIGRT_7",	 [40] = "SIGRT_8",
    [41] = "SIGRT_9",	[42] = "SIGRT_10", [43] = "SIGRT_11", [44] = "SIGRT_12", [45] = "SIGRT_13",
    [46] = "SIGRT_14",	[47] = "SIGRT_15", [48] = "SIGRT_16", [49] = "SIGRT_17", [50] = "SIGRT_18",
    [51] = "SIGRT_19",	[52] = "SIGRT_20", [53] = "SIGRT_21", [54] = "SIGRT_22", [55] = "SIGRT_23",
    [56] = "SIGRT_24",	[57] = "SIGRT_25", [58] = "SIGRT_26", [59] = "SIGRT_27", [60] = "SIGRT_28",
    [61] = "SIGRT_29",	[62] = "SIGRT_30", [63] = "SIGRT_31", [64] = "SIGRT_32",
};

const char *signal_name(int sig)
{
	if (sig <= 0 || sig > AGT_SIGRTMAX)
		return NULL;
	return signal_names[sig];
}

/* A name, or the number in decimal (0 is "no signal", negatives are errors: strace prints -1). */
static void put_signal(struct sbuf *sb, int sig)
{
	const char *s = signal_name(sig);

	if (s)
		sb_puts(sb, s);
	else
		put_dec(sb, sig);
}

/* The kernel reads signal numbers as int, so only the low 32 bits count. */
size_t fmt_signal(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_signal(&sb, (int)(unsigned int)v);
	return sb_finish(&sb);
}

/* ---- clone(2) ---- */

#define AGT_CSIGNAL 0xffULL

/* Bit order, as in strace; CLONE_DETACHED (0x400000) is ignored by the kernel and unnamed. */
static const struct xlat clone_flags[] = {
    {0x00000100, "CLONE_VM"},
    {0x00000200, "CLONE_FS"},
    {0x00000400, "CLONE_FILES"},
    {0x00000800, "CLONE_SIGHAND"},
    {0x00001000, "CLONE_PIDFD"},
    {0x00002000, "CLONE_PTRACE"},
    {0x00004000, "CLONE_VFORK"},
    {0x00008000, "CLONE_PARENT"},
    {0x00010000, "CLONE_THREAD"},
    {0x00020000, "CLONE_NEWNS"},
    {0x00040000, "CLONE_SYSVSEM"},
    {0x00080000, "CLONE_SETTLS"},
    {0x00100000, "CLONE_PARENT_SETTID"},
    {0x00200000, "CLONE_CHILD_CLEARTID"},
    {0x00800000, "CLONE_UNTRACED"},
    {0x01000000, "CLONE_CHILD_SETTID"},
    {0x02000000, "CLONE_NEWCGROUP"},
    {0x04000000, "CLONE_NEWUTS"},
    {0x08000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
};

/* FLAGS|SIGNAL: the low byte is the signal sent to the parent on exit, not a flag. */
size_t fmt_clone_flags(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	unsigned long long rest = v & ~AGT_CSIGNAL;
	int sig = (int)(v & AGT_CSIGNAL);

	if (rest)
		put_flags(&sb, clone_flags, ARRAY_SIZE(clone_flags), rest, "CLONE_???");
	if (sig) {
		if (rest)
			sb_putc(&sb, '|');
		put_signal(&sb, sig);
	}
	if (!v)
		sb_putc(&sb, '0');
	return sb_finish(&sb);
}

/* ---- sockets ---- */

static const char *const addr_families[] = {
    "AF_UNSPEC",     "AF_UNIX",	     "AF_INET",	    "AF_AX25",	"AF_IPX",     "AF_APPLETALK",
    "AF_NETROM",     "AF_BRIDGE",    "AF_ATMPVC",   "AF_X25",	"AF_INET6",   "AF_ROSE",
    "AF_DECnet",     "AF_NETBEUI",   "AF_SECURITY", "AF_KEY",	"AF_NETLINK", "AF_PACKET",
    "AF_ASH",	     "AF_ECONET",    "AF_ATMSVC",   "AF_RDS",	"AF_SNA",     "AF_IRDA",
    "AF_PPPOX",	     "AF_WANPIPE",   "AF_LLC",	    "AF_IB",	"AF_MPLS",    "AF_CAN",
    "AF_TIPC",	     "AF_BLUETOOTH", "AF_IUCV",	    "AF_RXRPC", "AF_ISDN",    "AF_PHONET",
    "AF_IEEE802154", "AF_CAIF",	     "AF_ALG",	    "AF_NFC",	"AF_VSOCK",   "AF_KCM",
    "AF_QIPCRTR",    "AF_SMC",	     "AF_XDP",	    "AF_MCTP",
};

size_t fmt_sock_domain(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_indexed(&sb, addr_families, ARRAY_SIZE(addr_families), (unsigned int)v, "AF_???");
	return sb_finish(&sb);
}

#define AGT_SOCK_TYPE_MASK 0xfULL

/* Indexed by the type nibble; 0 is not a type, so a zero nibble falls through to flags. */
static const char *const sock_types[] = {
    [1] = "SOCK_STREAM",    [2] = "SOCK_DGRAM", [3] = "SOCK_RAW",     [4] = "SOCK_RDM",
    [5] = "SOCK_SEQPACKET", [6] = "SOCK_DCCP",	[10] = "SOCK_PACKET",
};

static const struct xlat sock_type_flags[] = {
    {02000000, "SOCK_CLOEXEC"},
    {04000, "SOCK_NONBLOCK"},
};

/*
 * TYPE|SOCK_CLOEXEC|SOCK_NONBLOCK. As in strace, an unknown type nibble is not split off: the
 * whole value is then printed as a flag set ("0x7" with a SOCK_??? comment, SOCK_CLOEXEC|0x100).
 */
size_t fmt_sock_type(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	unsigned long long type;

	v = (unsigned int)v;
	type = v & AGT_SOCK_TYPE_MASK;
	if (type < ARRAY_SIZE(sock_types) && sock_types[type]) {
		sb_puts(&sb, sock_types[type]);
		v &= ~AGT_SOCK_TYPE_MASK;
		if (v) {
			sb_putc(&sb, '|');
			put_flags(&sb, sock_type_flags, ARRAY_SIZE(sock_type_flags), v, "SOCK_???");
		}
	} else {
		put_flags(&sb, sock_type_flags, ARRAY_SIZE(sock_type_flags), v, "SOCK_???");
	}
	return sb_finish(&sb);
}

/* ---- files ---- */

static const struct xlat access_modes[] = {
    {0, "F_OK"},
    {4, "R_OK"},
    {2, "W_OK"},
    {1, "X_OK"},
};

size_t fmt_access_mode(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_flags(&sb, access_modes, ARRAY_SIZE(access_modes), (unsigned int)v, "?_OK");
	return sb_finish(&sb);
}

/* newfstatat, fchownat, linkat, unlinkat, utimensat...: strace's at_flags (no AT_STATX_*). */
size_t fmt_at_flags(char *buf, size_t n, unsigned long long v)
{
	return fmt_xlat(buf, n, XL_at_flags, v, 32);
}

static const char *const whence_names[] = {"SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA",
					   "SEEK_HOLE"};

size_t fmt_whence(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_indexed(&sb, whence_names, ARRAY_SIZE(whence_names), (unsigned int)v, "SEEK_???");
	return sb_finish(&sb);
}

/*
 * F_GETLK64..F_SETLKW64 (12..14) only exist for 32-bit ABIs but strace names them everywhere.
 * F_DUPFD_QUERY and F_CREATED_QUERY (Linux 6.10, 6.12) are named by strace releases after 6.1.
 */
static const struct xlat fcntl_cmds[] = {
    {0, "F_DUPFD"},	     {1, "F_GETFD"},
    {2, "F_SETFD"},	     {3, "F_GETFL"},
    {4, "F_SETFL"},	     {5, "F_GETLK"},
    {6, "F_SETLK"},	     {7, "F_SETLKW"},
    {8, "F_SETOWN"},	     {9, "F_GETOWN"},
    {10, "F_SETSIG"},	     {11, "F_GETSIG"},
    {12, "F_GETLK64"},	     {13, "F_SETLK64"},
    {14, "F_SETLKW64"},	     {15, "F_SETOWN_EX"},
    {16, "F_GETOWN_EX"},     {17, "F_GETOWNER_UIDS"},
    {36, "F_OFD_GETLK"},     {37, "F_OFD_SETLK"},
    {38, "F_OFD_SETLKW"},    {1024, "F_SETLEASE"},
    {1025, "F_GETLEASE"},    {1026, "F_NOTIFY"},
    {1027, "F_DUPFD_QUERY"}, {1028, "F_CREATED_QUERY"},
    {1029, "F_CANCELLK"},    {1030, "F_DUPFD_CLOEXEC"},
    {1031, "F_SETPIPE_SZ"},  {1032, "F_GETPIPE_SZ"},
    {1033, "F_ADD_SEALS"},   {1034, "F_GET_SEALS"},
};

size_t fmt_fcntl_cmd(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_xval(&sb, fcntl_cmds, ARRAY_SIZE(fcntl_cmds), (unsigned int)v, "F_???");
	return sb_finish(&sb);
}

static const char *const sighow_names[] = {"SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK"};

size_t fmt_sighow(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_indexed(&sb, sighow_names, ARRAY_SIZE(sighow_names), (unsigned int)v, "SIG_???");
	return sb_finish(&sb);
}

static const char *const clock_names[] = {
    "CLOCK_REALTIME",	       "CLOCK_MONOTONIC",     "CLOCK_PROCESS_CPUTIME_ID",
    "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE",
    "CLOCK_MONOTONIC_COARSE",  "CLOCK_BOOTTIME",      "CLOCK_REALTIME_ALARM",
    "CLOCK_BOOTTIME_ALARM",    "CLOCK_SGI_CYCLE",     "CLOCK_TAI",
};

/* Negative ids (per-process/thread CPU clocks) print as unsigned hex, as strace 6.1 does. */
size_t fmt_clockid(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_indexed(&sb, clock_names, ARRAY_SIZE(clock_names), (unsigned int)v, "CLOCK_???");
	return sb_finish(&sb);
}

#define AGT_AT_FDCWD (-100)

/* dirfd is an int: a 64-bit register holding 0xffffff9c or 0xffffffffffffff9c is AT_FDCWD. */
size_t fmt_dirfd(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	int fd = (int)(unsigned int)v;

	if (fd == AGT_AT_FDCWD)
		sb_puts(&sb, "AT_FDCWD");
	else
		put_dec(&sb, fd);
	return sb_finish(&sb);
}

/* ---- tables generated from the UAPI headers (xlat_gen.c) ---- */

static unsigned long long width_mask(unsigned int bits)
{
	return bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
}

const char *xlat_name(enum xlat_id id, unsigned long long v, unsigned int bits)
{
	unsigned long long m = width_mask(bits);
	const struct xlat_tab *t;

	if (id <= XL_NONE || id >= XL_COUNT)
		return NULL;
	t = &xlat_tabs[id];
	for (size_t i = 0; i < t->n; i++)
		if ((t->v[i].val & m) == (v & m))
			return t->v[i].str;
	return NULL;
}

static void put_tab(struct sbuf *sb, enum xlat_id id, unsigned long long v, unsigned int bits)
{
	const struct xlat_tab *t;
	const char *s;

	v &= width_mask(bits);
	if (id <= XL_NONE || id >= XL_COUNT) {
		put_hex(sb, v);
		return;
	}
	t = &xlat_tabs[id];
	if (t->kind == XLAT_FLAGS) {
		put_flags(sb, t->v, t->n, v, t->dflt);
		return;
	}
	s = xlat_name(id, v, bits);
	if (s)
		sb_puts(sb, s);
	else
		put_unknown(sb, v, t->dflt);
}

size_t fmt_xlat(char *buf, size_t n, enum xlat_id id, unsigned long long v, unsigned int bits)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_tab(&sb, id, v, bits);
	return sb_finish(&sb);
}

#define AGT_AT_STATX_SYNC_TYPE 0x6000ULL

/*
 * statx(2) flags: the sync type is a two-bit enum inside the flags, printed first and named
 * even when zero (AT_STATX_SYNC_AS_STAT), then the AT_* flags.
 */
size_t fmt_statx_flags(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	unsigned long long rest;

	v = (unsigned int)v;
	rest = v & ~AGT_AT_STATX_SYNC_TYPE;
	put_tab(&sb, XL_statx_sync, v & AGT_AT_STATX_SYNC_TYPE, 32);
	if (rest) {
		sb_putc(&sb, '|');
		put_tab(&sb, XL_at_flags, rest, 32);
	}
	return sb_finish(&sb);
}

/* asm-generic/ioctl.h: dir(2) size(14) type(8) nr(8); x86_64 and aarch64 share it. */
static const char *const ioc_dirs[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
				       "_IOC_READ|_IOC_WRITE"};

/* A known request by name, else its fields as strace does: _IOC(_IOC_READ, 0x54, 0x99, 0x4). */
size_t fmt_ioctl_req(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	const char *s;

	v = (unsigned int)v;
	s = xlat_name(XL_ioctl_requests, v, 32);
	if (s) {
		sb_puts(&sb, s);
	} else {
		sb_puts(&sb, "_IOC(");
		sb_puts(&sb, ioc_dirs[(v >> 30) & 3]);
		sb_puts(&sb, ", ");
		put_hex(&sb, (v >> 8) & 0xff);
		sb_puts(&sb, ", ");
		put_hex(&sb, v & 0xff);
		sb_puts(&sb, ", ");
		put_hex(&sb, (v >> 16) & 0x3fff);
		sb_putc(&sb, ')');
	}
	return sb_finish(&sb);
}

/* QCMD(cmd, type) = cmd << 8 | type: printed back in that form. */
size_t fmt_quotactl_cmd(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	v = (unsigned int)v;
	sb_puts(&sb, "QCMD(");
	put_tab(&sb, XL_quotactl_commands, v >> 8, 32);
	sb_puts(&sb, ", ");
	put_tab(&sb, XL_quota_types, v & 0xff, 32);
	sb_putc(&sb, ')');
	return sb_finish(&sb);
}

#define AGT_IPC_64 0x100ULL

/* msgctl/semctl/shmctl: the command, after IPC_64| when the 64-bit layout flag is set. */
size_t fmt_ipc_cmd(char *buf, size_t n, int id, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	v = (unsigned int)v;
	if (v & AGT_IPC_64) {
		sb_puts(&sb, "IPC_64|");
		v &= ~AGT_IPC_64;
	}
	put_tab(&sb, id, v, 32);
	return sb_finish(&sb);
}

#define AGT_SOL_IP     0
#define AGT_SOL_SOCKET 1
#define AGT_SOL_TCP    6
#define AGT_SOL_IPV6   41

/* An option name means something only within its level; other levels print the number. */
size_t fmt_sockopt(char *buf, size_t n, unsigned long long level, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	enum xlat_id id = XL_NONE;

	switch ((int)level) {
	case AGT_SOL_SOCKET:
		id = XL_sockopt_socket;
		break;
	case AGT_SOL_TCP:
		id = XL_sockopt_tcp;
		break;
	case AGT_SOL_IP:
		id = XL_sockopt_ip;
		break;
	case AGT_SOL_IPV6:
		id = XL_sockopt_ipv6;
		break;
	}
	if (id != XL_NONE)
		put_tab(&sb, id, v, 32);
	else
		put_dec(&sb, (int)v);
	return sb_finish(&sb);
}

#define AGT_AF_INET    2
#define AGT_AF_INET6   10
#define AGT_AF_NETLINK 16

/* socket(2) protocol: IPPROTO_* for inet sockets, NETLINK_* for netlink, else a number. */
size_t fmt_sock_proto(char *buf, size_t n, unsigned long long domain, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	switch ((int)domain) {
	case AGT_AF_INET:
	case AGT_AF_INET6:
		put_tab(&sb, XL_inet_protocols, v, 32);
		break;
	case AGT_AF_NETLINK:
		put_tab(&sb, XL_netlink_protocols, v, 32);
		break;
	default:
		put_dec(&sb, (int)v);
	}
	return sb_finish(&sb);
}

#define AGT_FUTEX_PRIVATE_FLAG	 128u
#define AGT_FUTEX_CLOCK_REALTIME 256u

/* futex op: the command with _PRIVATE appended, then |FUTEX_CLOCK_REALTIME, as strace. */
size_t fmt_futex_op(char *buf, size_t n, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	unsigned int op = (unsigned int)v;
	unsigned int cmd = op & ~(AGT_FUTEX_PRIVATE_FLAG | AGT_FUTEX_CLOCK_REALTIME);
	const char *s = xlat_name(XL_futex_ops, cmd, 32);

	if (!s) {
		put_unknown(&sb, op, "FUTEX_???");
		return sb_finish(&sb);
	}
	sb_puts(&sb, s);
	if (op & AGT_FUTEX_PRIVATE_FLAG)
		sb_puts(&sb, "_PRIVATE");
	if (op & AGT_FUTEX_CLOCK_REALTIME)
		sb_puts(&sb, "|FUTEX_CLOCK_REALTIME");
	return sb_finish(&sb);
}

/* ---- fcntl(2): the argument and the result mean what the command says ---- */

enum {
	AGT_F_DUPFD = 0,
	AGT_F_GETFD = 1,
	AGT_F_SETFD = 2,
	AGT_F_GETFL = 3,
	AGT_F_SETFL = 4,
	AGT_F_SETOWN = 8,
	AGT_F_GETOWN = 9,
	AGT_F_SETSIG = 10,
	AGT_F_GETSIG = 11,
	AGT_F_GETLEASE = 1025,
	AGT_F_DUPFD_CLOEXEC = 1030,
	AGT_F_SETPIPE_SZ = 1031,
	AGT_F_GETPIPE_SZ = 1032,
	AGT_F_GET_SEALS = 1034,
};

int fcntl_cmd_has_arg(unsigned long long cmd)
{
	switch ((unsigned int)cmd) {
	case AGT_F_GETFD:
	case AGT_F_GETFL:
	case AGT_F_GETOWN:
	case AGT_F_GETSIG:
	case AGT_F_GETLEASE:
	case AGT_F_GETPIPE_SZ:
	case AGT_F_GET_SEALS:
		return 0;
	default:
		return 1;
	}
}

size_t fmt_fcntl_arg(char *buf, size_t n, unsigned long long cmd, unsigned long long v)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	switch ((unsigned int)cmd) {
	case AGT_F_SETFD:
		put_tab(&sb, XL_fd_flags, v, 32);
		break;
	case AGT_F_SETFL:
		sb_add(&sb, fmt_open_flags(sb_pos(&sb), sb_left(&sb), v));
		break;
	case AGT_F_DUPFD:
	case AGT_F_DUPFD_CLOEXEC:
	case AGT_F_SETPIPE_SZ:
	case AGT_F_SETOWN:
		put_dec(&sb, (int)v);
		break;
	case AGT_F_SETSIG:
		put_signal(&sb, (int)v);
		break;
	default:
		put_hex(&sb, v);
	}
	return sb_finish(&sb);
}

size_t fmt_fcntl_ret_aux(char *buf, size_t n, unsigned long long cmd, long long ret)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	if (ret < 0)
		return sb_finish(&sb);
	if ((unsigned int)cmd == AGT_F_GETFD && ret) {
		sb_puts(&sb, " (flags ");
		put_tab(&sb, XL_fd_flags, (unsigned long long)ret, 32);
		sb_putc(&sb, ')');
	} else if ((unsigned int)cmd == AGT_F_GETFL) {
		sb_puts(&sb, " (flags ");
		sb_add(&sb, fmt_open_flags(sb_pos(&sb), sb_left(&sb), (unsigned long long)ret));
		sb_putc(&sb, ')');
	}
	return sb_finish(&sb);
}
