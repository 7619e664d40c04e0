// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sockaddr_fmt.c - struct sockaddr as captured from a traced process.
 *
 * The bytes come from another process and the length from the syscall, so nothing about them
 * can be trusted: fields are read with memcpy at their UAPI offsets (the capture buffer need
 * not be aligned, and the host's struct definitions are not used), never past `len`, and a
 * family whose fixed fields do not fit in `len` is reported as truncated rather than guessed.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sbuf.h"
#include "sockaddr_fmt.h"
#include "strfmt.h"

/* UAPI family numbers (include/linux/socket.h). */
#define AGT_AF_UNSPEC  0
#define AGT_AF_UNIX    1
#define AGT_AF_INET    2
#define AGT_AF_INET6   10
#define AGT_AF_NETLINK 16

/* Field offsets and sizes of the UAPI structs, all after the 2-byte family. */
#define SIN_PORT_OFF   2 /* sockaddr_in: __be16 port, then 4-byte address */
#define SIN_ADDR_OFF   4
#define SIN_MIN_LEN    8 /* up to the address; sin_zero is padding */
#define SIN6_PORT_OFF  2 /* sockaddr_in6: port, flowinfo, 16-byte address, scope id */
#define SIN6_ADDR_OFF  8
#define SIN6_SCOPE_OFF 24
#define SIN6_MIN_LEN   24 /* RFC 2133's struct had no scope id */
#define SIN6_FULL_LEN  28
#define SUN_PATH_OFF   2
#define SUN_PATH_MAX   108
#define NL_PID_OFF     4 /* sockaddr_nl: family, pad, u32 pid, u32 groups */
#define NL_GROUPS_OFF  8
#define NL_MIN_LEN     12

/*
 * The pieces with numbers are formatted into a small local buffer and appended, rather than with
 * sb_printf() straight into the caller's: sb_pos() does pointer arithmetic on the caller's buffer,
 * which is undefined for the NULL buffer that n == 0 allows.
 */
#define PIECE_MAX 128

static void put_truncated(struct sbuf *sb, const char *fam)
{
	sb_puts(sb, "{sa_family=");
	sb_puts(sb, fam);
	sb_puts(sb, ", <truncated>}");
}

/* All len bytes, quoted like a string argument (no length limit: at most sun_path's 108). */
static void put_quoted(struct sbuf *sb, const unsigned char *p, size_t len)
{
	if (sb_left(sb))
		sb_add(sb, fmt_quoted(sb_pos(sb), sb_left(sb), p, len, len, false));
	else
		sb_add(sb, fmt_quoted(NULL, 0, p, len, len, false));
}

static void put_inet(struct sbuf *sb, const unsigned char *p, size_t len)
{
	char addr[INET_ADDRSTRLEN], piece[PIECE_MAX];
	uint16_t port;

	if (len < SIN_MIN_LEN) {
		put_truncated(sb, "AF_INET");
		return;
	}
	memcpy(&port, p + SIN_PORT_OFF, sizeof(port));
	if (!inet_ntop(AF_INET, p + SIN_ADDR_OFF, addr, sizeof(addr)))
		strcpy(addr, "?");
	snprintf(piece, sizeof(piece), "{AF_INET, %s:%u}", addr, ntohs(port));
	sb_puts(sb, piece);
}

/* [addr]:port, with %scope for a nonzero scope id (link-local), the URL (RFC 6874) notation. */
static void put_inet6(struct sbuf *sb, const unsigned char *p, size_t len)
{
	char addr[INET6_ADDRSTRLEN], piece[PIECE_MAX];
	uint32_t scope = 0;
	uint16_t port;

	if (len < SIN6_MIN_LEN) {
		put_truncated(sb, "AF_INET6");
		return;
	}
	memcpy(&port, p + SIN6_PORT_OFF, sizeof(port));
	if (len >= SIN6_FULL_LEN)
		memcpy(&scope, p + SIN6_SCOPE_OFF, sizeof(scope));
	if (!inet_ntop(AF_INET6, p + SIN6_ADDR_OFF, addr, sizeof(addr)))
		strcpy(addr, "?");
	if (scope)
		snprintf(piece, sizeof(piece), "{AF_INET6, [%s%%%u]:%u}", addr, scope, ntohs(port));
	else
		snprintf(piece, sizeof(piece), "{AF_INET6, [%s]:%u}", addr, ntohs(port));
	sb_puts(sb, piece);
}

/*
 * The path is len - 2 bytes (at most sun_path's 108) and need not be NUL-terminated. Empty is
 * an unnamed socket (socketpair, unbound); a leading NUL makes the rest an abstract name, which
 * is binary and may contain NULs, so all of its bytes are shown; otherwise a file name ends at
 * the first NUL.
 */
static void put_unix(struct sbuf *sb, const unsigned char *p, size_t len)
{
	const unsigned char *path = p + SUN_PATH_OFF;
	size_t plen = len - SUN_PATH_OFF;

	if (plen > SUN_PATH_MAX)
		plen = SUN_PATH_MAX;
	if (!plen) {
		sb_puts(sb, "{AF_UNIX}");
		return;
	}
	sb_puts(sb, "{AF_UNIX, ");
	if (path[0] == '\0') {
		sb_putc(sb, '@');
		put_quoted(sb, path + 1, plen - 1);
	} else {
		const unsigned char *nul = memchr(path, '\0', plen);

		put_quoted(sb, path, nul ? (size_t)(nul - path) : plen);
	}
	sb_putc(sb, '}');
}

static void put_netlink(struct sbuf *sb, const unsigned char *p, size_t len)
{
	char piece[PIECE_MAX];
	uint32_t pid, groups;

	if (len < NL_MIN_LEN) {
		put_truncated(sb, "AF_NETLINK");
		return;
	}
	memcpy(&pid, p + NL_PID_OFF, sizeof(pid));
	memcpy(&groups, p + NL_GROUPS_OFF, sizeof(groups));
	snprintf(piece, sizeof(piece), "{AF_NETLINK, pid=%u, groups=%08x}", pid, groups);
	sb_puts(sb, piece);
}

/*
 * NULL prints as NULL; fewer bytes than the family field prints "{}" for none and
 * "{<truncated>}" for one, as no family can be named.
 */
size_t fmt_sockaddr(char *buf, size_t n, const void *sa, size_t len)
{
	struct sbuf sb = SBUF_INIT(buf, n);
	const unsigned char *p = sa;
	char piece[PIECE_MAX];
	uint16_t fam;

	if (!sa) {
		sb_puts(&sb, "NULL");
		return sb_finish(&sb);
	}
	if (len < sizeof(fam)) {
		sb_puts(&sb, len ? "{<truncated>}" : "{}");
		return sb_finish(&sb);
	}
	memcpy(&fam, p, sizeof(fam)); /* sa_family_t is host-endian */
	switch (fam) {
	case AGT_AF_UNSPEC:
		sb_puts(&sb, "{AF_UNSPEC}");
		break;
	case AGT_AF_UNIX:
		put_unix(&sb, p, len);
		break;
	case AGT_AF_INET:
		put_inet(&sb, p, len);
		break;
	case AGT_AF_INET6:
		put_inet6(&sb, p, len);
		break;
	case AGT_AF_NETLINK:
		put_netlink(&sb, p, len);
		break;
	default:
		snprintf(piece, sizeof(piece), "{sa_family=%u}", fam);
		sb_puts(&sb, piece);
		break;
	}
	return sb_finish(&sb);
}
