// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * argfmt.c - one syscall argument or result, as strace prints it (text) or as a JSON value.
 *
 * Types come from the syscall table; captured user memory (paths, buffers, sockaddrs, argv)
 * from the record. Where a pointer's memory was not captured, its address is printed.
 */
#include <stdbool.h>
#include <string.h>

#include "abi.h"
#include "errno_names.h"
#include "flags.h"
#include "printer.h"
#include "redact.h"
#include "sbuf.h"
#include "sockaddr_fmt.h"
#include "strfmt.h"
#include "structfmt.h"
#include "syscall_table.h"
#include "xlat.h"

#define NO_LIMIT ((size_t)-1)

typedef size_t (*flagfmt_fn)(char *, size_t, unsigned long long);

static flagfmt_fn flag_formatter(enum sc_arg_type t)
{
	switch (t) {
	case SA_OPEN_FLAGS:
		return fmt_open_flags;
	case SA_MODE:
		return fmt_mode;
	case SA_MMAP_PROT:
		return fmt_mmap_prot;
	case SA_MMAP_FLAGS:
		return fmt_mmap_flags;
	case SA_CLONE_FLAGS:
		return fmt_clone_flags;
	case SA_SOCK_DOMAIN:
		return fmt_sock_domain;
	case SA_SOCK_TYPE:
		return fmt_sock_type;
	case SA_SIGNAL:
		return fmt_signal;
	case SA_ACCESS_MODE:
		return fmt_access_mode;
	case SA_AT_FLAGS:
		return fmt_at_flags;
	case SA_WHENCE:
		return fmt_whence;
	case SA_FCNTL_CMD:
		return fmt_fcntl_cmd;
	case SA_SIGHOW:
		return fmt_sighow;
	case SA_CLOCKID:
		return fmt_clockid;
	case SA_DIRFD:
		return fmt_dirfd;
	default:
		return NULL;
	}
}

static void put_ptr(struct sbuf *sb, unsigned long long v, bool json)
{
	if (!v) {
		sb_puts(sb, json ? "null" : "NULL");
		return;
	}
	if (json)
		sb_putc(sb, '"');
	sb_putx(sb, v);
	if (json)
		sb_putc(sb, '"');
}

/* Is the captured memory usable for this argument (present, and meaningful for the result)? */
static bool have_data(const struct sc_arg *a, const struct agt_cap *cap, long long ret)
{
	/* AGT_CAP_NONE: the kernel side could not read the memory (EFAULT): show the address */
	if (!cap || cap->kind == AGT_CAP_NONE)
		return false;
	switch (a->type) {
	case SA_BUF_OUT:
	case SA_PATH_OUT:
	case SA_STRUCT_OUT:
		return ret >= 0;
	case SA_SOCKADDR_OUT:
		return ret >= 0 && cap->len > 0;
	case SA_SOCKADDR_IN:
		return cap->len > 0;
	default:
		return true;
	}
}

static size_t limit_of(const struct sc_arg *a, int strsize)
{
	if (a->type == SA_PATH || a->type == SA_PATH_OUT || strsize < 0)
		return NO_LIMIT; /* strace never cuts file names */
	return (size_t)strsize;
}

/* Was the captured memory shorter than what the program passed? */
static bool cap_cut(const struct sc_arg *a, const struct agt_cap *cap)
{
	if (a->type == SA_PATH || a->type == SA_PATH_OUT || a->type == SA_STR)
		return cap->full != cap->len;
	return cap->full > cap->len;
}

static void put_argv_text(struct sbuf *sb, const struct agt_cap *cap, const unsigned char *d,
			  int strsize)
{
	size_t off = 0, shown = 0;

	sb_putc(sb, '[');
	while (off < cap->len) {
		size_t l = strnlen((const char *)d + off, cap->len - off);

		if (shown)
			sb_puts(sb, ", ");
		sb_add(sb, fmt_quoted(sb_pos(sb), sb_left(sb), d + off, l,
				      strsize >= 0 ? (size_t)strsize : NO_LIMIT, false));
		off += l + 1;
		shown++;
	}
	if (cap->full == 0xffffffffu || cap->full > shown)
		sb_puts(sb, shown ? ", ..." : "...");
	sb_putc(sb, ']');
}

static void put_json_str(struct sbuf *sb, const void *d, size_t len)
{
	sb_putc(sb, '"');
	sb_add(sb, json_escape(sb_pos(sb), sb_left(sb), d, len));
	sb_putc(sb, '"');
}

static void put_argv_json(struct sbuf *sb, const struct agt_cap *cap, const unsigned char *d)
{
	size_t off = 0;
	bool first = true;

	sb_putc(sb, '[');
	while (off < cap->len) {
		size_t l = strnlen((const char *)d + off, cap->len - off);

		if (!first)
			sb_putc(sb, ',');
		put_json_str(sb, d + off, l);
		off += l + 1;
		first = false;
	}
	sb_putc(sb, ']');
}

static bool is_numeric(enum sc_arg_type t)
{
	switch (t) {
	case SA_INT:
	case SA_LONG:
	case SA_UINT:
	case SA_ULONG:
	case SA_HEX:
	case SA_OCT:
	case SA_FD:
	case SA_MODE:
	case SA_UID:
		return true;
	default:
		return false;
	}
}

/* Arguments that point to user memory: a NULL one prints as NULL whatever was captured. */
static bool is_pointer(enum sc_arg_type t)
{
	switch (t) {
	case SA_PTR:
	case SA_PATH:
	case SA_PATH_OUT:
	case SA_STR:
	case SA_BUF_OUT:
	case SA_BUF_IN:
	case SA_ARGV:
	case SA_ENVP:
	case SA_SOCKADDR_IN:
	case SA_SOCKADDR_OUT:
	case SA_STRUCT_IN:
	case SA_STRUCT_OUT:
		return true;
	default:
		return false;
	}
}

/*
 * The kernel reads only the low csize bytes of a register for an int, unsigned int or umode_t
 * argument (the upper half may hold anything the caller left there): so does the decoder.
 * Zero-extended; the printers sign-extend the types that are signed.
 */
static unsigned long long to_ctype(const struct sc_arg *a, unsigned long long v)
{
	switch (a->csize) {
	case 2:
		return v & 0xffffULL;
	case 4:
		return v & 0xffffffffULL;
	default:
		return v;
	}
}

static unsigned int ctype_bits(const struct sc_arg *a)
{
	return a->csize && a->csize < 8 ? 8u * a->csize : 64u;
}

static void put_number(struct sbuf *sb, enum sc_arg_type t, unsigned long long v, bool json)
{
	switch (t) {
	case SA_INT:
	case SA_FD:
		sb_puti(sb, (int)v);
		break;
	case SA_LONG:
		sb_puti(sb, (long long)v);
		break;
	case SA_UINT:
		sb_putu(sb, (unsigned)v);
		break;
	case SA_UID: /* strace: (uid_t)-1, "no change" for setresuid and chown, reads -1 */
		if ((unsigned)v == 0xffffffffu)
			sb_puti(sb, -1);
		else
			sb_putu(sb, (unsigned)v);
		break;
	case SA_HEX:
		if (json || !v)
			sb_putu(sb, v);
		else
			sb_putx(sb, v);
		break;
	case SA_OCT:
	case SA_MODE:
		if (json)
			sb_putu(sb, v);
		else
			sb_add(sb, fmt_mode(sb_pos(sb), sb_left(sb), v));
		break;
	default:
		sb_putu(sb, v);
		break;
	}
}

/*
 * Constants that need a table or another argument (the level of a socket option, the domain
 * of a protocol): formatted as text, quoted in JSON. Returns false for other types.
 */
static bool is_named(enum sc_arg_type t)
{
	switch (t) {
	case SA_XVAL:
	case SA_XFLAGS:
	case SA_STATX_FLAGS:
	case SA_IOCTL_REQ:
	case SA_QUOTACTL_CMD:
	case SA_IPC_CMD:
	case SA_SOCKOPT:
	case SA_SOCK_PROTO:
	case SA_FUTEX_OP:
	case SA_FCNTL_ARG:
		return true;
	default:
		return false;
	}
}

/* "-12", "3": a value a contextual decoder left as a plain number (JSON keeps it a number). */
static bool is_decimal(const char *s, size_t n)
{
	size_t i = s[0] == '-';

	if (i >= n)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool put_named(struct sbuf *sb, const struct sc_arg *a, unsigned long long v,
		      const unsigned long long *all, bool json)
{
	char tmp[512];
	size_t n, cap = sizeof(tmp);
	bool bare;

	if (!is_named(a->type))
		return false;
	switch (a->type) {
	case SA_XVAL:
	case SA_XFLAGS:
		n = fmt_xlat(tmp, cap, a->xlat, v, ctype_bits(a));
		break;
	case SA_STATX_FLAGS:
		n = fmt_statx_flags(tmp, cap, v);
		break;
	case SA_IOCTL_REQ:
		n = fmt_ioctl_req(tmp, cap, v);
		break;
	case SA_QUOTACTL_CMD:
		n = fmt_quotactl_cmd(tmp, cap, v);
		break;
	case SA_IPC_CMD:
		n = fmt_ipc_cmd(tmp, cap, a->xlat, v);
		break;
	case SA_SOCKOPT: /* setsockopt(fd, level, optname, ...): the level is argument 1 */
		n = fmt_sockopt(tmp, cap, all ? to_ctype(a, all[1]) : ~0ULL, v);
		break;
	case SA_SOCK_PROTO: /* socket(domain, type, protocol) */
		n = fmt_sock_proto(tmp, cap, all ? to_ctype(a, all[0]) : ~0ULL, v);
		break;
	case SA_FCNTL_ARG: /* fcntl(fd, cmd, arg) */
		n = fmt_fcntl_arg(tmp, cap, all ? all[1] : ~0ULL, v);
		break;
	default:
		n = fmt_futex_op(tmp, cap, v);
		break;
	}
	if (n >= cap)
		n = cap - 1;
	/* names are strings in JSON; a number the context left unnamed stays a number */
	bare = !json ||
	       ((a->type == SA_SOCKOPT || a->type == SA_SOCK_PROTO || a->type == SA_FCNTL_ARG) &&
		is_decimal(tmp, n));
	if (!bare) {
		sb_putc(sb, '"');
		sb_putsn(sb, tmp, n);
		sb_putc(sb, '"');
	} else {
		sb_putsn(sb, tmp, n);
	}
	return true;
}

static void put_arg(struct sbuf *sb, const struct sc_arg *a, unsigned long long v,
		    const struct agt_cap *cap, const unsigned char *data, long long ret,
		    int strsize, bool json, const unsigned long long *all)
{
	flagfmt_fn ff = flag_formatter(a->type);
	char clean[AGT_ARGV_BYTES + AGT_CAP_BYTES];
	struct agt_cap ccap;
	bool cut;
	size_t lim;

	v = to_ctype(a, v);
	if (is_pointer(a->type) && !v) {
		put_ptr(sb, v, json);
		return;
	}
	if (put_named(sb, a, v, all, json))
		return;
	if (json ? is_numeric(a->type) : (is_numeric(a->type) && a->type != SA_MODE)) {
		put_number(sb, a->type, v, json);
		return;
	}
	if (ff) {
		if (json && a->type == SA_DIRFD && (int)v != -100) {
			sb_printf(sb, "%d", (int)v);
			return;
		}
		if (json)
			sb_putc(sb, '"');
		sb_add(sb, ff(sb_pos(sb), sb_left(sb), v));
		if (json)
			sb_putc(sb, '"');
		return;
	}
	if (!have_data(a, cap, ret)) {
		put_ptr(sb, v, json);
		return;
	}
	/* an API key in an argv, a path or a buffer head is shown as [REDACTED] (DESIGN.md §4) */
	/* the capture stopped inside the data: a key cut short at the end is still a key */
	cut = a->type == SA_ARGV || cap_cut(a, cap);
	if (a->type != SA_SOCKADDR_IN && a->type != SA_SOCKADDR_OUT && a->type != SA_STRUCT_IN &&
	    a->type != SA_STRUCT_OUT && cap->len <= sizeof(clean) - sizeof(REDACTED) &&
	    (cut ? redact_needed_cut((const char *)data, cap->len)
		 : redact_needed((const char *)data, cap->len))) {
		memcpy(clean, data, cap->len);
		ccap = *cap;
		ccap.len = (__u16)(cut ? redact_secrets_cut(clean, cap->len, sizeof(clean))
				       : redact_secrets(clean, cap->len));
		if (a->type != SA_ARGV) /* keep "was it cut" as it was: full vs len */
			ccap.full =
			    cut ? (cap->full > ccap.len ? cap->full : ccap.len + 1u) : ccap.len;
		cap = &ccap;
		data = (const unsigned char *)clean;
	}
	switch (a->type) {
	case SA_PATH:
	case SA_PATH_OUT:
	case SA_STR:
	case SA_BUF_OUT:
	case SA_BUF_IN:
		lim = limit_of(a, strsize);
		if (json) {
			size_t l = cap->len;

			if (lim != NO_LIMIT && l > lim)
				l = lim;
			put_json_str(sb, data, l);
		} else {
			sb_add(sb, fmt_quoted(sb_pos(sb), sb_left(sb), data, cap->len, lim,
					      cap_cut(a, cap)));
		}
		return;
	case SA_SOCKADDR_IN:
	case SA_SOCKADDR_OUT:
		if (json) {
			/* A unix path may hold quotes and backslashes: escape the text form. */
			char tmp[512];
			size_t l = fmt_sockaddr(tmp, sizeof(tmp), data, cap->len);

			put_json_str(sb, tmp, l < sizeof(tmp) ? l : sizeof(tmp) - 1);
		} else {
			sb_add(sb, fmt_sockaddr(sb_pos(sb), sb_left(sb), data, cap->len));
		}
		return;
	case SA_ARGV:
		if (json)
			put_argv_json(sb, cap, data);
		else
			put_argv_text(sb, cap, data, strsize);
		return;
	case SA_STRUCT_IN:
	case SA_STRUCT_OUT: {
		/* a copy shorter than the structure (a partial read) shows the address */
		char tmp[512];
		size_t l = fmt_struct(tmp, sizeof(tmp), a->xlat, data, cap->len);

		/* wait4 returning 0 (WNOHANG, nobody exited) wrote no status */
		if (!l || l >= sizeof(tmp) || (a->xlat == ST_wstatus && ret == 0))
			put_ptr(sb, v, json);
		else if (json)
			put_json_str(sb, tmp, l);
		else
			sb_putsn(sb, tmp, l);
		return;
	}
	default:
		put_ptr(sb, v, json);
		return;
	}
}

size_t argfmt_text(char *buf, size_t n, const struct sc_arg *a, unsigned long long v,
		   const struct agt_cap *cap, const unsigned char *data, long long ret, int strsize,
		   const unsigned long long *all)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_arg(&sb, a, v, cap, data, ret, strsize, false, all);
	return sb_finish(&sb);
}

size_t argfmt_json(char *buf, size_t n, const struct sc_arg *a, unsigned long long v,
		   const struct agt_cap *cap, const unsigned char *data, long long ret, int strsize,
		   const unsigned long long *all)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	put_arg(&sb, a, v, cap, data, ret, strsize, true, all);
	return sb_finish(&sb);
}

/* Syscalls whose success value is an address, printed in hex as strace does. */
static bool ret_is_addr(const char *name)
{
	static const char *const addr[] = {"mmap", "mremap", "brk", "shmat", NULL};

	for (int i = 0; name && addr[i]; i++)
		if (!strcmp(name, addr[i]))
			return true;
	return false;
}

size_t retfmt_text_args(char *buf, size_t n, const char *name, long long ret, bool noreturn,
			const unsigned long long *args)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	char aux[256];

	/* fcntl F_GETFD/F_GETFL: hex, then the flags, as strace: " = 0x8002 (flags O_RDWR|...)" */
	if (!noreturn && args && name && !strcmp(name, "fcntl") &&
	    fmt_fcntl_ret_aux(aux, sizeof(aux), args[1], ret) > 0) {
		sb_puts(&sb, " = ");
		sb_putx(&sb, (unsigned long long)ret);
		sb_puts(&sb, aux);
		return sb_finish(&sb);
	}
	return retfmt_text(buf, n, name, ret, noreturn);
}

size_t retfmt_text(char *buf, size_t n, const char *name, long long ret, bool noreturn)
{
	struct sbuf sb = SBUF_INIT(buf, n);

	if (noreturn) {
		sb_puts(&sb, " = ?");
	} else if (ret == -512 || ret == -513 || ret == -514 || ret == -516) {
		/* Restart codes never reach the program: strace prints them with "?". */
		sb_printf(&sb, " = ? %s (%s)", errno_name((int)-ret), errno_message((int)-ret));
	} else if (ret < 0 && ret >= -4095) {
		const char *en = errno_name((int)-ret), *msg = errno_message((int)-ret);

		if (en)
			sb_printf(&sb, " = -1 %s (%s)", en, msg ? msg : "Unknown error");
		else
			sb_printf(&sb, " = -1 (errno %lld)", -ret);
	} else if (name && !strcmp(name, "umask")) {
		sb_puts(&sb, " = "); /* the previous mask, in octal as strace prints it */
		sb_add(&sb, fmt_mode(sb_pos(&sb), sb_left(&sb), (unsigned long long)ret));
	} else if (ret_is_addr(name)) {
		sb_puts(&sb, " = ");
		sb_putx(&sb, (unsigned long long)ret);
	} else {
		sb_puts(&sb, " = ");
		sb_puti(&sb, ret);
	}
	return sb_finish(&sb);
}
