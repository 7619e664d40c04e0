// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_sockaddr_fmt.c - fmt_sockaddr on well-formed, short and odd addresses.
 *
 * Every address is copied into a heap block of exactly `len` bytes before formatting, so
 * AddressSanitizer fails the test on any read past the length the syscall reported.
 * Links with strfmt.c (unix socket paths use its quoting).
 */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "sockaddr_fmt.h"

/* Formats the first len bytes of sa from an exact-size copy; checks text and returned length. */
static void check(const void *sa, size_t len, const char *want)
{
	unsigned char *copy = malloc(len ? len : 1);
	char buf[512];
	size_t r;

	assert_non_null(copy);
	memcpy(copy, sa, len);
	memset(buf, 'X', sizeof(buf));
	r = fmt_sockaddr(buf, sizeof(buf), copy, len);
	free(copy);
	if (strcmp(buf, want))
		fail_msg("len %zu: got %s, want %s", len, buf, want);
	assert_int_equal(r, strlen(want));
}

static struct sockaddr_in sin4(const char *addr, uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &s.sin_addr), 1);
	return s;
}

static struct sockaddr_in6 sin6(const char *addr, uint16_t port, uint32_t scope)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	s.sin6_port = htons(port);
	s.sin6_scope_id = scope;
	s.sin6_flowinfo = htonl(0x12345);
	assert_int_equal(inet_pton(AF_INET6, addr, &s.sin6_addr), 1);
	return s;
}

static void test_sockaddr_fmt_inet(void **state)
{
	struct sockaddr_in s = sin4("127.0.0.1", 443);

	(void)state;
	check(&s, sizeof(s), "{AF_INET, 127.0.0.1:443}");
	s = sin4("0.0.0.0", 0);
	check(&s, sizeof(s), "{AF_INET, 0.0.0.0:0}");
	s = sin4("255.255.255.255", 65535);
	check(&s, sizeof(s), "{AF_INET, 255.255.255.255:65535}");
	s = sin4("10.1.2.3", 53);
	/* the address ends at byte 8; sin_zero is padding */
	check(&s, 8, "{AF_INET, 10.1.2.3:53}");
	check(&s, 7, "{sa_family=AF_INET, <truncated>}");
	check(&s, 4, "{sa_family=AF_INET, <truncated>}");
	check(&s, 2, "{sa_family=AF_INET, <truncated>}");
}

static void test_sockaddr_fmt_inet6(void **state)
{
	struct sockaddr_in6 s = sin6("::1", 8080, 0);

	(void)state;
	check(&s, sizeof(s), "{AF_INET6, [::1]:8080}");
	/* RFC 2133's 24-byte struct, without sin6_scope_id */
	check(&s, 24, "{AF_INET6, [::1]:8080}");
	check(&s, 23, "{sa_family=AF_INET6, <truncated>}");
	check(&s, 8, "{sa_family=AF_INET6, <truncated>}");
	check(&s, 2, "{sa_family=AF_INET6, <truncated>}");
	s = sin6("::", 0, 0);
	check(&s, sizeof(s), "{AF_INET6, [::]:0}");
	s = sin6("2001:db8::8a2e:370:7334", 443, 0);
	check(&s, sizeof(s), "{AF_INET6, [2001:db8::8a2e:370:7334]:443}");
	s = sin6("::ffff:192.0.2.1", 80, 0);
	check(&s, sizeof(s), "{AF_INET6, [::ffff:192.0.2.1]:80}");
	s = sin6("fe80::1", 22, 2);
	check(&s, sizeof(s), "{AF_INET6, [fe80::1%2]:22}");
	/* a scope id cut off by the length is not read */
	check(&s, 24, "{AF_INET6, [fe80::1]:22}");
	check(&s, 27, "{AF_INET6, [fe80::1]:22}");
}

/* sun_path plus the 2-byte family: what a program passes for a path of plen bytes. */
static size_t unix_len(size_t plen)
{
	return offsetof(struct sockaddr_un, sun_path) + plen;
}

static void test_sockaddr_fmt_unix(void **state)
{
	struct sockaddr_un s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.sun_family = AF_UNIX;
	strcpy(s.sun_path, "/run/x.sock");
	/* with the NUL, as SUN_LEN-less programs pass sizeof(struct sockaddr_un) */
	check(&s, sizeof(s), "{AF_UNIX, \"/run/x.sock\"}");
	check(&s, unix_len(12), "{AF_UNIX, \"/run/x.sock\"}");
	/* without the NUL: the kernel accepts it and so must we, without reading further */
	check(&s, unix_len(11), "{AF_UNIX, \"/run/x.sock\"}");
	check(&s, unix_len(4), "{AF_UNIX, \"/run\"}");
	/* unnamed: socketpair, getsockname on an unbound socket */
	check(&s, unix_len(0), "{AF_UNIX}");
	/* non-printable bytes in a path are quoted like any string */
	memcpy(s.sun_path, "a\"b\\c\n\001\377", 9);
	check(&s, unix_len(9), "{AF_UNIX, \"a\\\"b\\\\c\\n\\1\\377\"}");
}

static void test_sockaddr_fmt_unix_abstract(void **state)
{
	struct sockaddr_un s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.sun_family = AF_UNIX;
	memcpy(s.sun_path, "\0name", 5);
	check(&s, unix_len(5), "{AF_UNIX, @\"name\"}");
	/* abstract names are not NUL-terminated: every byte up to len belongs to the name */
	check(&s, unix_len(7), "{AF_UNIX, @\"name\\0\\0\"}");
	memcpy(s.sun_path,
	       "\0a\0"
	       "1",
	       4);
	check(&s, unix_len(4), "{AF_UNIX, @\"a\\0001\"}");
	/* a lone NUL is an empty abstract name, not an unnamed socket */
	check(&s, unix_len(1), "{AF_UNIX, @\"\"}");
}

/* A length beyond struct sockaddr_un: the path stops at sun_path's 108 bytes. */
static void test_sockaddr_fmt_unix_long(void **state)
{
	unsigned char raw[2 + 130];
	char want[200];
	sa_family_t fam = AF_UNIX;

	(void)state;
	memcpy(raw, &fam, sizeof(fam));
	memset(raw + 2, 'a', sizeof(raw) - 2);
	strcpy(want, "{AF_UNIX, \"");
	memset(want + strlen(want), 'a', 108);
	strcpy(want + 11 + 108, "\"}");
	check(raw, sizeof(raw), want);
	check(raw, 2 + 108, want);
	raw[2] = '\0';
	want[10] = '@';
	want[11] = '"';
	want[11 + 108] = '\0';
	strcat(want, "\"}");
	check(raw, sizeof(raw), want);
}

static void test_sockaddr_fmt_netlink(void **state)
{
	struct sockaddr_nl s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.nl_family = AF_NETLINK;
	check(&s, sizeof(s), "{AF_NETLINK, pid=0, groups=00000000}");
	s.nl_pid = 1234;
	s.nl_groups = 0x10;
	check(&s, sizeof(s), "{AF_NETLINK, pid=1234, groups=00000010}");
	s.nl_pid = 4294967295u;
	s.nl_groups = 0xffffffffu;
	check(&s, sizeof(s), "{AF_NETLINK, pid=4294967295, groups=ffffffff}");
	check(&s, 11, "{sa_family=AF_NETLINK, <truncated>}");
	check(&s, 2, "{sa_family=AF_NETLINK, <truncated>}");
}

static void test_sockaddr_fmt_other(void **state)
{
	unsigned char raw[16] = {0};
	sa_family_t fam;

	(void)state;
	fam = AF_UNSPEC;
	memcpy(raw, &fam, sizeof(fam));
	check(raw, 2, "{AF_UNSPEC}");
	check(raw, sizeof(raw), "{AF_UNSPEC}");
	fam = 42;
	memcpy(raw, &fam, sizeof(fam));
	check(raw, sizeof(raw), "{sa_family=42}");
	fam = AF_PACKET;
	memcpy(raw, &fam, sizeof(fam));
	check(raw, sizeof(raw), "{sa_family=17}");
	fam = 0xffff;
	memcpy(raw, &fam, sizeof(fam));
	check(raw, 2, "{sa_family=65535}");
}

/* Fewer bytes than the family field, and no address at all. */
static void test_sockaddr_fmt_tiny(void **state)
{
	struct sockaddr_in s = sin4("127.0.0.1", 1);
	char buf[64];

	(void)state;
	check(&s, 0, "{}");
	check(&s, 1, "{<truncated>}");
	assert_int_equal(fmt_sockaddr(buf, sizeof(buf), NULL, 16), 4);
	assert_string_equal(buf, "NULL");
}

/* The family field may sit at any alignment in a capture buffer. */
static void test_sockaddr_fmt_unaligned(void **state)
{
	struct sockaddr_in6 s = sin6("fe80::2", 5353, 7);
	unsigned char raw[sizeof(s) + 1];
	char buf[128];

	(void)state;
	memcpy(raw + 1, &s, sizeof(s));
	fmt_sockaddr(buf, sizeof(buf), raw + 1, sizeof(s));
	assert_string_equal(buf, "{AF_INET6, [fe80::2%7]:5353}");
}

/* snprintf contract: n == 0 writes nothing, any n gets a NUL-terminated prefix, full length. */
static void check_contract(const void *sa, size_t len, const char *want)
{
	size_t wlen = strlen(want);
	char buf[256];

	assert_true(wlen + 2 < sizeof(buf));
	assert_int_equal(fmt_sockaddr(NULL, 0, sa, len), wlen);
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_sockaddr(buf, 0, sa, len), wlen);
	assert_int_equal(buf[0], 'X');
	for (size_t n = 1; n <= wlen + 1; n++) {
		memset(buf, 'X', sizeof(buf));
		assert_int_equal(fmt_sockaddr(buf, n, sa, len), wlen);
		assert_int_equal(strlen(buf), n - 1);
		assert_memory_equal(buf, want, n - 1);
		assert_int_equal(buf[n], 'X');
	}
}

static void test_sockaddr_fmt_snprintf_contract(void **state)
{
	struct sockaddr_in s4 = sin4("192.168.1.20", 8443);
	struct sockaddr_in6 s6 = sin6("fe80::1", 22, 2);
	struct sockaddr_un su;
	struct sockaddr_nl nl;

	(void)state;
	memset(&su, 0, sizeof(su));
	su.sun_family = AF_UNIX;
	strcpy(su.sun_path, "/tmp/a\tb");
	memset(&nl, 0, sizeof(nl));
	nl.nl_family = AF_NETLINK;
	check_contract(&s4, sizeof(s4), "{AF_INET, 192.168.1.20:8443}");
	check_contract(&s4, 4, "{sa_family=AF_INET, <truncated>}");
	check_contract(&s6, sizeof(s6), "{AF_INET6, [fe80::1%2]:22}");
	check_contract(&su, sizeof(su), "{AF_UNIX, \"/tmp/a\\tb\"}");
	check_contract(&su, 2, "{AF_UNIX}");
	check_contract(&nl, sizeof(nl), "{AF_NETLINK, pid=0, groups=00000000}");
	check_contract(&s4, 0, "{}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sockaddr_fmt_inet),
	    cmocka_unit_test(test_sockaddr_fmt_inet6),
	    cmocka_unit_test(test_sockaddr_fmt_unix),
	    cmocka_unit_test(test_sockaddr_fmt_unix_abstract),
	    cmocka_unit_test(test_sockaddr_fmt_unix_long),
	    cmocka_unit_test(test_sockaddr_fmt_netlink),
	    cmocka_unit_test(test_sockaddr_fmt_other),
	    cmocka_unit_test(test_sockaddr_fmt_tiny),
	    cmocka_unit_test(test_sockaddr_fmt_unaligned),
	    cmocka_unit_test(test_sockaddr_fmt_snprintf_contract),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
