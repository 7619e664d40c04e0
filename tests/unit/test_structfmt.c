// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_structfmt.c - structures as strace 6.1 prints them without -v (the expected strings are
 * strace's output for the same bytes), and the address fallback for a short copy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "structfmt.h"

static size_t put64(unsigned char *b, size_t off, uint64_t v)
{
	memcpy(b + off, &v, 8);
	return off + 8;
}

static void put32(unsigned char *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, 4);
}

static const char *fmt(enum sc_struct id, const unsigned char *d, size_t len)
{
	static char buf[512];
	size_t n = fmt_struct(buf, sizeof(buf), id, d, len);

	assert_int_equal(n, strlen(buf));
	return buf;
}

static void test_structfmt_stat(void **state)
{
	unsigned char b[256] = {0};

	(void)state;
#if defined(__aarch64__)
	put32(b, 16, 0100644);
	put64(b, 48, 44303);
#else
	put32(b, 24, 0100644);
	put64(b, 48, 44303);
#endif
	assert_string_equal(fmt(ST_stat, b, struct_size(ST_stat)),
			    "{st_mode=S_IFREG|0644, st_size=44303, ...}");
#if defined(__aarch64__)
	put32(b, 16, 020666);
	put64(b, 32, 0x103);
#else
	put32(b, 24, 020666);
	put64(b, 40, 0x103);
#endif
	assert_string_equal(fmt(ST_stat, b, struct_size(ST_stat)),
			    "{st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}");
#if defined(__aarch64__)
	put32(b, 16, 0104755);
#else
	put32(b, 24, 0104755);
#endif
	assert_string_equal(fmt(ST_stat, b, struct_size(ST_stat)),
			    "{st_mode=S_IFREG|S_ISUID|0755, st_size=44303, ...}");
	/* a partial copy: nothing, the caller prints the address */
	assert_string_equal(fmt(ST_stat, b, 16), "");
}

static void test_structfmt_rlimit(void **state)
{
	unsigned char b[16];

	(void)state;
	put64(b, 0, 8192 * 1024);
	put64(b, 8, ~0ULL);
	assert_string_equal(fmt(ST_rlimit64, b, 16),
			    "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");
	assert_string_equal(fmt(ST_rlimit, b, 16), "{rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}");
	put64(b, 0, 1000);
	put64(b, 8, 0);
	assert_string_equal(fmt(ST_rlimit, b, 16), "{rlim_cur=1000, rlim_max=0}");
}

static void test_structfmt_signals(void **state)
{
	unsigned char b[32] = {0};

	(void)state;
	assert_string_equal(fmt(ST_sigset, b, 8), "[]");
	put64(b, 0, 1ULL << 16); /* SIGCHLD */
	assert_string_equal(fmt(ST_sigset, b, 8), "[CHLD]");
	put64(b, 0, (1ULL << 1) | (1ULL << 14)); /* SIGINT, SIGTERM */
	assert_string_equal(fmt(ST_sigset, b, 8), "[INT TERM]");
	put64(b, 0, ~((1ULL << 31) | (1ULL << 32))); /* all but SIGRTMIN, SIGRT_1 */
	assert_string_equal(fmt(ST_sigset, b, 8), "~[RTMIN RT_1]");
	/* sigaction: handler, flags, restorer, mask */
	put64(b, 0, 0);
	put64(b, 8, 0x14000000); /* SA_RESTORER|SA_RESTART */
	put64(b, 16, 0x7f0011223340);
	put64(b, 24, 0);
	assert_string_equal(fmt(ST_sigaction, b, 32),
			    "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, "
			    "sa_restorer=0x7f0011223340}");
	put64(b, 0, 1);
	put64(b, 8, 0);
	assert_string_equal(fmt(ST_sigaction, b, 32),
			    "{sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}");
}

static void test_structfmt_small(void **state)
{
	unsigned char b[48] = {0};

	(void)state;
	put32(b, 0, 3);
	put32(b, 4, 4);
	assert_string_equal(fmt(ST_fd_pair, b, 8), "[3, 4]");
	put64(b, 0, 1);
	put64(b, 8, 500000000);
	assert_string_equal(fmt(ST_timespec, b, 16), "{tv_sec=1, tv_nsec=500000000}");
	put32(b, 0, 0);
	assert_string_equal(fmt(ST_wstatus, b, 4), "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]");
	put32(b, 0, 3 << 8);
	assert_string_equal(fmt(ST_wstatus, b, 4), "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]");
	put32(b, 0, 9);
	assert_string_equal(fmt(ST_wstatus, b, 4), "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]");
	put32(b, 0, 0x80 | 11);
	assert_string_equal(fmt(ST_wstatus, b, 4),
			    "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]");
	put32(b, 0, (19 << 8) | 0x7f);
	assert_string_equal(fmt(ST_wstatus, b, 4), "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]");
	/* statx: mask, attributes, mode, size */
	memset(b, 0, sizeof(b));
	put32(b, 0, 0x17ff);
	put64(b, 8, 0x2000);
	b[28] = 0xed; /* 040755 */
	b[29] = 0x41;
	put64(b, 40, 4096);
	assert_string_equal(fmt(ST_statx, b, 48),
			    "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, "
			    "stx_attributes=STATX_ATTR_MOUNT_ROOT, stx_mode=S_IFDIR|0755, "
			    "stx_size=4096, ...}");
}

static void test_structfmt_utsname(void **state)
{
	unsigned char b[136] = {0};

	(void)state;
	memcpy(b, "Linux", 5);
	memcpy(b + 65, "vm", 2);
	assert_string_equal(fmt(ST_utsname, b, struct_size(ST_utsname)),
			    "{sysname=\"Linux\", nodename=\"vm\", ...}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_structfmt_stat),    cmocka_unit_test(test_structfmt_rlimit),
	    cmocka_unit_test(test_structfmt_signals), cmocka_unit_test(test_structfmt_small),
	    cmocka_unit_test(test_structfmt_utsname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
