// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_xlat.c - the constants tables generated from the UAPI headers and the formatters built
 * on them, against what strace 6.1 prints for the same values (taken from `strace -f` runs of
 * raw syscalls), unknown values included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flags.h"
#include "xlat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	enum xlat_id id;
	unsigned int bits;
	unsigned long long v;
	const char *want;
} xlat_cases[] = {
    {XL_arch_prctl_codes, 32, 0x1002, "ARCH_SET_FS"},
    {XL_arch_prctl_codes, 32, 0x9999, "0x9999 /* ARCH_??? */"},
    {XL_rlimit_resources, 32, 7, "RLIMIT_NOFILE"},
    {XL_rlimit_resources, 32, 3, "RLIMIT_STACK"},
    {XL_rlimit_resources, 32, 99, "0x63 /* RLIMIT_??? */"},
    {XL_getrandom_flags, 32, 0x13, "GRND_NONBLOCK|GRND_RANDOM|0x10"},
    {XL_getrandom_flags, 32, 0, "0"},
    {XL_msg_flags, 32, 0x20, "MSG_TRUNC"},
    {XL_msg_flags, 32, 0x80000020, "MSG_TRUNC|MSG_CMSG_COMPAT"},
    {XL_msg_flags, 32, 0x1000020, "MSG_TRUNC|0x1000000"},
    {XL_msg_flags, 32, 0x1000000, "0x1000000 /* MSG_??? */"},
    {XL_msg_flags, 32, 0x4040, "MSG_DONTWAIT|MSG_NOSIGNAL"},
    {XL_socket_levels, 32, 1, "SOL_SOCKET"},
    {XL_socket_levels, 32, 6, "SOL_TCP"},
    {XL_socket_levels, 32, 99, "0x63 /* SOL_?? */"},
    {XL_prctl_options, 32, 15, "PR_SET_NAME"},
    {XL_prctl_options, 32, 0xffffffff, "0xffffffff /* PR_??? */"},
    {XL_bpf_commands, 32, 5, "BPF_PROG_LOAD"},
    {XL_bpf_commands, 32, 999, "0x3e7 /* BPF_??? */"},
    {XL_keyctl_commands, 32, 999, "0x3e7 /* KEYCTL_??? */"},
    {XL_keyctl_commands, 32, 0, "KEYCTL_GET_KEYRING_ID"},
    {XL_io_uring_register_opcodes, 32, 999, "0x3e7 /* IORING_REGISTER_??? */"},
    {XL_io_uring_register_opcodes, 32, 0, "IORING_REGISTER_BUFFERS"},
    {XL_fanotify_mark_flags, 32, 1, "FAN_MARK_ADD"},
    {XL_fanotify_events, 32, 8, "FAN_CLOSE_WRITE"},
    {XL_mlockall_flags, 32, 0x100, "0x100 /* MCL_??? */"},
    {XL_mlockall_flags, 32, 3, "MCL_CURRENT|MCL_FUTURE"},
    {XL_msync_flags, 32, 0x11, "MS_ASYNC|0x10"},
    {XL_mremap_flags, 32, 0x10, "0x10 /* MREMAP_??? */"},
    {XL_mremap_flags, 32, 1, "MREMAP_MAYMOVE"},
    {XL_itimer_which, 32, 5, "0x5 /* ITIMER_??? */"},
    {XL_itimer_which, 32, 0, "ITIMER_REAL"},
    {XL_wait4_options, 32, 1, "WNOHANG"},
    {XL_wait4_options, 32, 0x40000000, "__WALL"},
    {XL_madvise_advice, 32, 4, "MADV_DONTNEED"},
    {XL_rusage_who, 32, 0xffffffff, "RUSAGE_CHILDREN"},
    {XL_unshare_flags, 64, 0x4000080, "CLONE_NEWTIME|CLONE_NEWUTS"},
    {XL_unshare_flags, 64, 0x11, "0x11 /* CLONE_??? */"},
    {XL_setns_types, 32, 0, "0"},
    {XL_faccessat_flags, 32, 0x200, "AT_EACCESS"},
    {XL_statx_mask, 32, 0x7ff, "STATX_BASIC_STATS"},
    {XL_statx_mask, 32, 0x17ff, "STATX_BASIC_STATS|STATX_MNT_ID"},
};

static void test_xlat_tables(void **state)
{
	char buf[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(xlat_cases); i++) {
		size_t r = fmt_xlat(buf, sizeof(buf), xlat_cases[i].id, xlat_cases[i].v,
				    xlat_cases[i].bits);

		if (strcmp(buf, xlat_cases[i].want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf, xlat_cases[i].want);
		assert_int_equal(r, strlen(xlat_cases[i].want));
	}
}

typedef size_t (*fmt1_fn)(char *, size_t, unsigned long long);

static const struct {
	fmt1_fn fn;
	unsigned long long v;
	const char *want;
} fmt_cases[] = {
    {fmt_statx_flags, 0, "AT_STATX_SYNC_AS_STAT"},
    {fmt_statx_flags, 0x4100, "AT_STATX_DONT_SYNC|AT_SYMLINK_NOFOLLOW"},
    {fmt_statx_flags, 0x2000, "AT_STATX_FORCE_SYNC"},
    {fmt_statx_flags, 0x1000, "AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH"},
    {fmt_ioctl_req, 0x5413, "TIOCGWINSZ"},
    {fmt_ioctl_req, 0x5401, "TCGETS"},
    {fmt_ioctl_req, 0x541b, "FIONREAD"},
    {fmt_ioctl_req, 0x80081272, "BLKGETSIZE64"},
    {fmt_ioctl_req, 0x8912, "SIOCGIFCONF"},
    {fmt_ioctl_req, 0x40049409, "FICLONE"},
    {fmt_ioctl_req, 0x5499, "_IOC(_IOC_NONE, 0x54, 0x99, 0)"},
    {fmt_ioctl_req, 0x80045499, "_IOC(_IOC_READ, 0x54, 0x99, 0x4)"},
    {fmt_ioctl_req, 0xc0085499, "_IOC(_IOC_READ|_IOC_WRITE, 0x54, 0x99, 0x8)"},
    {fmt_ioctl_req, 0xdeadbeef40105499ULL, "_IOC(_IOC_WRITE, 0x54, 0x99, 0x10)"},
    {fmt_quotactl_cmd, 0x80000700, "QCMD(Q_GETQUOTA, USRQUOTA)"},
    {fmt_quotactl_cmd, 0x800007, "QCMD(0x8000 /* Q_??? */, 0x7 /* ???QUOTA */)"},
    {fmt_quotactl_cmd, 0x999, "QCMD(0x9 /* Q_??? */, 0x99 /* ???QUOTA */)"},
    {fmt_futex_op, 0x80, "FUTEX_WAIT_PRIVATE"},
    {fmt_futex_op, 0x189, "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"},
    {fmt_futex_op, 1, "FUTEX_WAKE"},
    {fmt_futex_op, 0x7f, "0x7f /* FUTEX_??? */"},
};

static void test_xlat_formatters(void **state)
{
	char buf[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fmt_cases); i++) {
		size_t r = fmt_cases[i].fn(buf, sizeof(buf), fmt_cases[i].v);

		if (strcmp(buf, fmt_cases[i].want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf, fmt_cases[i].want);
		assert_int_equal(r, strlen(fmt_cases[i].want));
	}
}

/* Values named by another argument: the command table, the level, the domain. */
static void test_xlat_contextual(void **state)
{
	char buf[256];

	(void)state;
	fmt_ipc_cmd(buf, sizeof(buf), XL_msgctl_commands, 0x102);
	assert_string_equal(buf, "IPC_64|IPC_STAT");
	fmt_ipc_cmd(buf, sizeof(buf), XL_shmctl_commands, 0x3e7);
	assert_string_equal(buf, "IPC_64|0x2e7 /* SHM_??? */");
	fmt_ipc_cmd(buf, sizeof(buf), XL_semctl_commands, 12);
	assert_string_equal(buf, "GETVAL");
	fmt_sockopt(buf, sizeof(buf), 1, 2);
	assert_string_equal(buf, "SO_REUSEADDR");
	fmt_sockopt(buf, sizeof(buf), 1, 77);
	assert_string_equal(buf, "0x4d /* SO_??? */");
	fmt_sockopt(buf, sizeof(buf), 6, 1);
	assert_string_equal(buf, "TCP_NODELAY");
	fmt_sockopt(buf, sizeof(buf), 41, 26);
	assert_string_equal(buf, "IPV6_V6ONLY");
	fmt_sockopt(buf, sizeof(buf), 99, 5);
	assert_string_equal(buf, "5");
	fmt_sock_proto(buf, sizeof(buf), 2, 0);
	assert_string_equal(buf, "IPPROTO_IP");
	fmt_sock_proto(buf, sizeof(buf), 10, 6);
	assert_string_equal(buf, "IPPROTO_TCP");
	fmt_sock_proto(buf, sizeof(buf), 2, 99);
	assert_string_equal(buf, "0x63 /* IPPROTO_??? */");
	fmt_sock_proto(buf, sizeof(buf), 16, 0);
	assert_string_equal(buf, "NETLINK_ROUTE");
	fmt_sock_proto(buf, sizeof(buf), 1, 0);
	assert_string_equal(buf, "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xlat_tables),
	    cmocka_unit_test(test_xlat_formatters),
	    cmocka_unit_test(test_xlat_contextual),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
