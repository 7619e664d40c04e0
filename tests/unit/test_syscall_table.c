// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_syscall_table.c - the syscall tables: numbers, signatures, strace classes.
 *
 * Expected values come from the kernel ABI (asm/unistd_64.h, asm-generic/unistd.h), the man
 * pages (argument names) and strace's syscallent.h (classes), not from the tables themselves.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "syscall_table.h"
#include "xlat_gen.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ALL_CLASSES                                                                                \
	(SC_FILE | SC_DESC | SC_NETWORK | SC_PROCESS | SC_MEMORY | SC_SIGNAL | SC_IPC | SC_CREDS | \
	 SC_CLOCK | SC_STAT | SC_LSTAT | SC_FSTAT | SC_STAT_LIKE | SC_STATFS | SC_FSTATFS |        \
	 SC_STATFS_LIKE | SC_PURE)

static const enum sc_arch arches[] = {SC_ARCH_X86_64, SC_ARCH_AARCH64};

/* A full signature, checked field by field (C sizes and tables: test_syscall_table_ctypes). */
struct want_arg {
	const char *name;
	enum sc_arg_type type;
};

struct sig_case {
	enum sc_arch arch;
	int nr;
	const char *name;
	int nargs;
	unsigned int classes;
	struct want_arg args[6];
};

static const struct sig_case sig_cases[] = {
    {SC_ARCH_X86_64,
     0,
     "read",
     3,
     SC_DESC,
     {{"fd", SA_FD}, {"buf", SA_BUF_OUT}, {"count", SA_ULONG}}},
    {SC_ARCH_X86_64,
     1,
     "write",
     3,
     SC_DESC,
     {{"fd", SA_FD}, {"buf", SA_BUF_IN}, {"count", SA_ULONG}}},
    {SC_ARCH_X86_64,
     257,
     "openat",
     4,
     SC_DESC | SC_FILE,
     {{"dirfd", SA_DIRFD}, {"pathname", SA_PATH}, {"flags", SA_OPEN_FLAGS}, {"mode", SA_MODE}}},
    {SC_ARCH_X86_64,
     59,
     "execve",
     3,
     SC_FILE | SC_PROCESS,
     {{"pathname", SA_PATH}, {"argv", SA_ARGV}, {"envp", SA_ENVP}}},
    {SC_ARCH_X86_64, 231, "exit_group", 1, SC_PROCESS, {{"status", SA_INT}}},
    {SC_ARCH_X86_64, 39, "getpid", 0, SC_PURE, {{0}}},
    {SC_ARCH_X86_64, 102, "getuid", 0, SC_CREDS | SC_PURE, {{0}}},
    {SC_ARCH_X86_64,
     42,
     "connect",
     3,
     SC_NETWORK, /* strace: TN only, connect is not in %desc */
     {{"sockfd", SA_FD}, {"addr", SA_SOCKADDR_IN}, {"addrlen", SA_INT}}},
    {SC_ARCH_X86_64,
     43,
     "accept",
     3,
     SC_NETWORK,
     {{"sockfd", SA_FD}, {"addr", SA_SOCKADDR_OUT}, {"addrlen", SA_PTR}}},
    {SC_ARCH_X86_64,
     41,
     "socket",
     3,
     SC_NETWORK,
     {{"domain", SA_SOCK_DOMAIN}, {"type", SA_SOCK_TYPE}, {"protocol", SA_SOCK_PROTO}}},
    {SC_ARCH_X86_64,
     44,
     "sendto",
     6,
     SC_NETWORK,
     {{"sockfd", SA_FD},
      {"buf", SA_BUF_IN},
      {"len", SA_ULONG},
      {"flags", SA_XFLAGS},
      {"dest_addr", SA_SOCKADDR_IN},
      {"addrlen", SA_INT}}},
    {SC_ARCH_X86_64,
     45,
     "recvfrom",
     6,
     SC_NETWORK,
     {{"sockfd", SA_FD},
      {"buf", SA_BUF_OUT},
      {"len", SA_ULONG},
      {"flags", SA_XFLAGS},
      {"src_addr", SA_SOCKADDR_OUT},
      {"addrlen", SA_PTR}}},
    {SC_ARCH_X86_64,
     9,
     "mmap",
     6,
     SC_DESC | SC_MEMORY,
     {{"addr", SA_PTR},
      {"length", SA_ULONG},
      {"prot", SA_MMAP_PROT},
      {"flags", SA_MMAP_FLAGS},
      {"fd", SA_FD},
      {"offset", SA_HEX}}},
    {SC_ARCH_X86_64,
     56,
     "clone",
     5,
     SC_PROCESS,
     {{"flags", SA_CLONE_FLAGS},
      {"stack", SA_PTR},
      {"parent_tid", SA_PTR},
      {"child_tid", SA_PTR},
      {"tls", SA_PTR}}},
    {SC_ARCH_X86_64,
     13,
     "rt_sigaction",
     4,
     SC_SIGNAL,
     {{"signum", SA_SIGNAL},
      {"act", SA_STRUCT_IN},
      {"oldact", SA_STRUCT_OUT},
      {"sigsetsize", SA_ULONG}}},
    {SC_ARCH_X86_64,
     14,
     "rt_sigprocmask",
     4,
     SC_SIGNAL,
     {{"how", SA_SIGHOW},
      {"set", SA_STRUCT_IN},
      {"oldset", SA_STRUCT_OUT},
      {"sigsetsize", SA_ULONG}}},
    {SC_ARCH_X86_64, 62, "kill", 2, SC_SIGNAL | SC_PROCESS, {{"pid", SA_INT}, {"sig", SA_SIGNAL}}},
    {SC_ARCH_X86_64,
     8,
     "lseek",
     3,
     SC_DESC,
     {{"fd", SA_FD}, {"offset", SA_LONG}, {"whence", SA_WHENCE}}},
    {SC_ARCH_X86_64,
     72,
     "fcntl",
     3,
     SC_DESC,
     {{"fd", SA_FD}, {"cmd", SA_FCNTL_CMD}, {"arg", SA_FCNTL_ARG}}},
    {SC_ARCH_X86_64, 95, "umask", 1, 0, {{"mask", SA_MODE}}},
    {SC_ARCH_X86_64, 21, "access", 2, SC_FILE, {{"pathname", SA_PATH}, {"mode", SA_ACCESS_MODE}}},
    {SC_ARCH_X86_64,
     228,
     "clock_gettime",
     2,
     SC_CLOCK,
     {{"clockid", SA_CLOCKID}, {"tp", SA_STRUCT_OUT}}},
    {SC_ARCH_X86_64,
     4,
     "stat",
     2,
     SC_FILE | SC_STAT | SC_STAT_LIKE,
     {{"pathname", SA_PATH}, {"statbuf", SA_STRUCT_OUT}}},
    {SC_ARCH_X86_64,
     5,
     "fstat",
     2,
     SC_DESC | SC_FSTAT | SC_STAT_LIKE,
     {{"fd", SA_FD}, {"statbuf", SA_STRUCT_OUT}}},
    {SC_ARCH_X86_64,
     6,
     "lstat",
     2,
     SC_FILE | SC_LSTAT | SC_STAT_LIKE,
     {{"pathname", SA_PATH}, {"statbuf", SA_STRUCT_OUT}}},
    {SC_ARCH_X86_64,
     262,
     "newfstatat",
     4,
     SC_DESC | SC_FILE | SC_FSTAT | SC_STAT_LIKE,
     {{"dirfd", SA_DIRFD},
      {"pathname", SA_PATH},
      {"statbuf", SA_STRUCT_OUT},
      {"flags", SA_AT_FLAGS}}},
    {SC_ARCH_X86_64,
     137,
     "statfs",
     2,
     SC_FILE | SC_STATFS | SC_STATFS_LIKE,
     {{"path", SA_PATH}, {"buf", SA_PTR}}},
    {SC_ARCH_X86_64,
     138,
     "fstatfs",
     2,
     SC_DESC | SC_FSTATFS | SC_STATFS_LIKE,
     {{"fd", SA_FD}, {"buf", SA_PTR}}},
    {SC_ARCH_X86_64,
     264,
     "renameat",
     4,
     SC_DESC | SC_FILE,
     {{"olddirfd", SA_DIRFD}, {"oldpath", SA_PATH}, {"newdirfd", SA_DIRFD}, {"newpath", SA_PATH}}},
    {SC_ARCH_X86_64, 319, "memfd_create", 2, SC_DESC, {{"name", SA_STR}, {"flags", SA_XFLAGS}}},
    {SC_ARCH_X86_64, 335, "uretprobe", 0, 0, {{0}}},
    {SC_ARCH_X86_64, 336, "uprobe", 0, 0, {{0}}},
    {SC_ARCH_X86_64,
     462,
     "mseal",
     3,
     SC_MEMORY,
     {{"addr", SA_PTR}, {"len", SA_ULONG}, {"flags", SA_HEX}}},
    {SC_ARCH_X86_64,
     464,
     "getxattrat",
     6,
     SC_DESC | SC_FILE,
     {{"dirfd", SA_DIRFD},
      {"pathname", SA_PATH},
      {"at_flags", SA_AT_FLAGS},
      {"name", SA_STR},
      {"args", SA_PTR},
      {"size", SA_ULONG}}},
    {SC_ARCH_X86_64,
     457,
     "statmount",
     4,
     0,
     {{"req", SA_PTR}, {"buf", SA_PTR}, {"bufsize", SA_ULONG}, {"flags", SA_HEX}}},
    /* aarch64: asm-generic numbers, same descriptions. */
    {SC_ARCH_AARCH64,
     63,
     "read",
     3,
     SC_DESC,
     {{"fd", SA_FD}, {"buf", SA_BUF_OUT}, {"count", SA_ULONG}}},
    {SC_ARCH_AARCH64,
     56,
     "openat",
     4,
     SC_DESC | SC_FILE,
     {{"dirfd", SA_DIRFD}, {"pathname", SA_PATH}, {"flags", SA_OPEN_FLAGS}, {"mode", SA_MODE}}},
    {SC_ARCH_AARCH64,
     221,
     "execve",
     3,
     SC_FILE | SC_PROCESS,
     {{"pathname", SA_PATH}, {"argv", SA_ARGV}, {"envp", SA_ENVP}}},
    {SC_ARCH_AARCH64, 94, "exit_group", 1, SC_PROCESS, {{"status", SA_INT}}},
    {SC_ARCH_AARCH64, 172, "getpid", 0, SC_PURE, {{0}}},
    {SC_ARCH_AARCH64,
     220,
     "clone", /* CLONE_BACKWARDS: tls before child_tid */
     5,
     SC_PROCESS,
     {{"flags", SA_CLONE_FLAGS},
      {"stack", SA_PTR},
      {"parent_tid", SA_PTR},
      {"tls", SA_PTR},
      {"child_tid", SA_PTR}}},
    {SC_ARCH_AARCH64,
     222,
     "mmap",
     6,
     SC_DESC | SC_MEMORY,
     {{"addr", SA_PTR},
      {"length", SA_ULONG},
      {"prot", SA_MMAP_PROT},
      {"flags", SA_MMAP_FLAGS},
      {"fd", SA_FD},
      {"offset", SA_HEX}}},
    {SC_ARCH_AARCH64,
     79,
     "newfstatat",
     4,
     SC_DESC | SC_FILE | SC_FSTAT | SC_STAT_LIKE,
     {{"dirfd", SA_DIRFD},
      {"pathname", SA_PATH},
      {"statbuf", SA_STRUCT_OUT},
      {"flags", SA_AT_FLAGS}}},
    {SC_ARCH_AARCH64,
     203,
     "connect",
     3,
     SC_NETWORK,
     {{"sockfd", SA_FD}, {"addr", SA_SOCKADDR_IN}, {"addrlen", SA_INT}}},
    {SC_ARCH_AARCH64, 435, "clone3", 2, SC_PROCESS, {{"cl_args", SA_PTR}, {"size", SA_ULONG}}},
    {SC_ARCH_AARCH64,
     453,
     "map_shadow_stack",
     3,
     SC_MEMORY,
     {{"addr", SA_PTR}, {"size", SA_ULONG}, {"flags", SA_HEX}}},
};

static bool sig_matches(const struct sc_desc *d, const struct sig_case *c)
{
	if (!d || strcmp(d->name, c->name) != 0 || d->nargs != c->nargs || d->classes != c->classes)
		return false;
	for (int a = 0; a < c->nargs; a++) {
		if (!d->args[a].name || strcmp(d->args[a].name, c->args[a].name) != 0 ||
		    d->args[a].type != c->args[a].type)
			return false;
	}
	return true;
}

static void test_syscall_table_signatures(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sig_cases); i++) {
		const struct sig_case *c = &sig_cases[i];
		const struct sc_desc *d = sc_lookup_arch(c->arch, c->nr);

		if (!sig_matches(d, c))
			print_error("arch %d nr %d: want %s\n", c->arch, c->nr, c->name);
		assert_non_null(d);
		assert_string_equal(d->name, c->name);
		assert_int_equal(d->nargs, c->nargs);
		assert_int_equal(d->classes, c->classes);
		for (int a = 0; a < c->nargs; a++) {
			assert_non_null(d->args[a].name);
			assert_string_equal(d->args[a].name, c->args[a].name);
			assert_int_equal(d->args[a].type, c->args[a].type);
		}
		for (int a = c->nargs; a < 6; a++)
			assert_null(d->args[a].name);
	}
}

/* Number <-> name on each architecture. */
static const struct {
	enum sc_arch arch;
	const char *name;
	int nr;
} name_cases[] = {
    {SC_ARCH_X86_64, "read", 0},
    {SC_ARCH_X86_64, "openat", 257},
    {SC_ARCH_X86_64, "execve", 59},
    {SC_ARCH_X86_64, "clone", 56},
    {SC_ARCH_X86_64, "exit_group", 231},
    {SC_ARCH_X86_64, "rseq", 334},
    {SC_ARCH_X86_64, "uretprobe", 335},
    {SC_ARCH_X86_64, "pidfd_send_signal", 424},
    {SC_ARCH_X86_64, "set_mempolicy_home_node", 450},
    {SC_ARCH_X86_64, "cachestat", 451},
    {SC_ARCH_X86_64, "statmount", 457},
    {SC_ARCH_X86_64, "listmount", 458},
    {SC_ARCH_X86_64, "lsm_list_modules", 461},
    {SC_ARCH_X86_64, "setxattrat", 463},
    {SC_ARCH_X86_64, "removexattrat", 466},
    {SC_ARCH_X86_64, "open_tree_attr", 467},
    {SC_ARCH_X86_64, "file_getattr", 468},
    {SC_ARCH_X86_64, "file_setattr", 469},
    {SC_ARCH_X86_64, "_sysctl", 156},
    {SC_ARCH_X86_64, "umount2", 166},
    {SC_ARCH_X86_64, "sendfile", 40},
    {SC_ARCH_X86_64, "uname", 63},
    {SC_ARCH_X86_64, "open", 2},
    {SC_ARCH_X86_64, "nosuchcall", -1},
    {SC_ARCH_X86_64, "", -1},
    {SC_ARCH_X86_64, "OPENAT", -1},
    {SC_ARCH_AARCH64, "io_setup", 0},
    {SC_ARCH_AARCH64, "openat", 56},
    {SC_ARCH_AARCH64, "read", 63},
    {SC_ARCH_AARCH64, "execve", 221},
    {SC_ARCH_AARCH64, "clone", 220},
    {SC_ARCH_AARCH64, "fcntl", 25},
    {SC_ARCH_AARCH64, "fstat", 80},
    {SC_ARCH_AARCH64, "renameat", 38},
    {SC_ARCH_AARCH64, "getrlimit", 163},
    {SC_ARCH_AARCH64, "wait4", 260},
    {SC_ARCH_AARCH64, "kexec_file_load", 294},
    {SC_ARCH_AARCH64, "memfd_secret", 447},
    {SC_ARCH_AARCH64, "file_setattr", 469},
    /* Legacy calls asm-generic never had, and x86-only ones. */
    {SC_ARCH_AARCH64, "open", -1},
    {SC_ARCH_AARCH64, "stat", -1},
    {SC_ARCH_AARCH64, "fork", -1},
    {SC_ARCH_AARCH64, "arch_prctl", -1},
    {SC_ARCH_AARCH64, "uretprobe", -1},
    {SC_ARCH_AARCH64, "fcntl64", -1},
    {SC_ARCH_AARCH64, "arch_specific_syscall", -1},
};

static void test_syscall_table_by_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(name_cases); i++) {
		int nr = sc_by_name_arch(name_cases[i].arch, name_cases[i].name);

		if (nr != name_cases[i].nr)
			print_error("arch %d \"%s\"\n", name_cases[i].arch, name_cases[i].name);
		assert_int_equal(nr, name_cases[i].nr);
		if (name_cases[i].nr >= 0) {
			const struct sc_desc *d =
			    sc_lookup_arch(name_cases[i].arch, name_cases[i].nr);

			assert_non_null(d);
			assert_string_equal(d->name, name_cases[i].name);
		}
	}
	assert_int_equal(sc_by_name_arch(SC_ARCH_X86_64, NULL), -1);
	assert_int_equal(sc_by_name_arch((enum sc_arch)2, "read"), -1);
	assert_int_equal(sc_by_name("openat"), SC_ARCH_NATIVE == SC_ARCH_X86_64 ? 257 : 56);
	assert_int_equal(sc_by_name(NULL), -1);
}

/* Numbers that name no syscall: gaps, the ends of the tables, garbage. */
static const struct {
	enum sc_arch arch;
	int nr;
} unknown_cases[] = {
    {SC_ARCH_X86_64, -1},	{SC_ARCH_X86_64, INT_MIN},  {SC_ARCH_X86_64, 337},
    {SC_ARCH_X86_64, 400},	{SC_ARCH_X86_64, 423},	    {SC_ARCH_X86_64, 471},
    {SC_ARCH_X86_64, 512},	{SC_ARCH_X86_64, 100000},   {SC_ARCH_X86_64, INT_MAX},
    {SC_ARCH_AARCH64, -1},	{SC_ARCH_AARCH64, INT_MIN}, {SC_ARCH_AARCH64, 244},
    {SC_ARCH_AARCH64, 259},	{SC_ARCH_AARCH64, 295},	    {SC_ARCH_AARCH64, 335},
    {SC_ARCH_AARCH64, 403},	{SC_ARCH_AARCH64, 423},	    {SC_ARCH_AARCH64, 471},
    {SC_ARCH_AARCH64, INT_MAX}, {(enum sc_arch)2, 0},	    {(enum sc_arch) - 1, 0},
};

static void test_syscall_table_unknown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(unknown_cases); i++) {
		const struct sc_desc *d =
		    sc_lookup_arch(unknown_cases[i].arch, unknown_cases[i].nr);

		if (d)
			print_error("arch %d nr %d: %s\n", unknown_cases[i].arch,
				    unknown_cases[i].nr, d->name);
		assert_null(d);
	}
	assert_null(sc_lookup(-1));
	assert_null(sc_lookup(sc_count()));
	assert_null(sc_name(-5));
	assert_null(sc_name(INT_MAX));
	assert_int_equal(sc_count_arch((enum sc_arch)2), 0);
}

static int populated(enum sc_arch arch)
{
	int n = 0;

	for (int nr = 0; nr < sc_count_arch(arch); nr++)
		n += sc_lookup_arch(arch, nr) != NULL;
	return n;
}

static void test_syscall_table_counts(void **state)
{
	(void)state;
	/* Highest: listns (470) on both. */
	assert_int_equal(sc_count_arch(SC_ARCH_X86_64), 471);
	assert_int_equal(sc_count_arch(SC_ARCH_AARCH64), 471);
	assert_non_null(sc_lookup_arch(SC_ARCH_X86_64, 470));
	assert_non_null(sc_lookup_arch(SC_ARCH_AARCH64, 470));
	/* x86_64: 0-336, 424-470. aarch64: 0-243, 260-294, 424-470. */
	assert_int_equal(populated(SC_ARCH_X86_64), 337 + 47);
	assert_int_equal(populated(SC_ARCH_AARCH64), 244 + 35 + 47);
}

static void test_syscall_table_native(void **state)
{
	(void)state;
	assert_int_equal(sc_count(), sc_count_arch(SC_ARCH_NATIVE));
	for (int nr = -2; nr < sc_count() + 2; nr++) {
		const struct sc_desc *d = sc_lookup_arch(SC_ARCH_NATIVE, nr);

		assert_ptr_equal(sc_lookup(nr), d);
		if (d)
			assert_string_equal(sc_name(nr), d->name);
		else
			assert_null(sc_name(nr));
	}
#if defined(__x86_64__)
	assert_string_equal(sc_name(0), "read");
	assert_string_equal(sc_name(257), "openat");
#elif defined(__aarch64__)
	assert_string_equal(sc_name(63), "read");
	assert_string_equal(sc_name(56), "openat");
#endif
}

/* Every file name argument must be SA_PATH so the loader captures it. */
static const struct {
	const char *name;
	int arg;
} path_cases[] = {
    {"open", 0},
    {"openat", 1},
    {"openat2", 1},
    {"creat", 0},
    {"stat", 0},
    {"lstat", 0},
    {"newfstatat", 1},
    {"statx", 1},
    {"access", 0},
    {"faccessat", 1},
    {"faccessat2", 1},
    {"unlink", 0},
    {"unlinkat", 1},
    {"rename", 0},
    {"rename", 1},
    {"renameat", 1},
    {"renameat", 3},
    {"renameat2", 1},
    {"renameat2", 3},
    {"mkdir", 0},
    {"mkdirat", 1},
    {"rmdir", 0},
    {"chdir", 0},
    {"chroot", 0},
    {"chmod", 0},
    {"fchmodat", 1},
    {"fchmodat2", 1},
    {"chown", 0},
    {"lchown", 0},
    {"fchownat", 1},
    {"readlink", 0},
    {"readlinkat", 1},
    {"truncate", 0},
    {"execve", 0},
    {"execveat", 1},
    {"mount", 0},
    {"mount", 1},
    {"umount2", 0},
    {"symlink", 0},
    {"symlink", 1},
    {"symlinkat", 0},
    {"symlinkat", 2},
    {"link", 0},
    {"link", 1},
    {"linkat", 1},
    {"linkat", 3},
    {"mknod", 0},
    {"mknodat", 1},
    {"utime", 0},
    {"utimes", 0},
    {"utimensat", 1},
    {"futimesat", 1},
    {"statfs", 0},
    {"swapon", 0},
    {"swapoff", 0},
    {"acct", 0},
    {"pivot_root", 0},
    {"pivot_root", 1},
    {"setxattr", 0},
    {"getxattr", 0},
    {"listxattr", 0},
    {"removexattr", 0},
    {"inotify_add_watch", 1},
    {"fanotify_mark", 4},
    {"name_to_handle_at", 1},
    {"open_tree", 1},
    {"move_mount", 1},
    {"move_mount", 3},
    {"fspick", 1},
    {"mount_setattr", 1},
    {"quotactl", 1},
    {"getxattrat", 1},
    {"file_getattr", 1},
};

/* And non-path strings SA_STR. */
static const struct {
	const char *name;
	int arg;
} str_cases[] = {
    {"memfd_create", 0}, {"setxattr", 1}, {"getxattr", 1},	{"fgetxattr", 1},
    {"removexattr", 1},	 {"mq_open", 0},  {"mq_unlink", 0},	{"fsopen", 0},
    {"add_key", 0},	 {"add_key", 1},  {"delete_module", 0}, {"setxattrat", 3},
};

static void test_syscall_table_string_args(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(path_cases); i++) {
		int nr = sc_by_name_arch(SC_ARCH_X86_64, path_cases[i].name);
		const struct sc_desc *d = sc_lookup_arch(SC_ARCH_X86_64, nr);

		if (!d || path_cases[i].arg >= d->nargs ||
		    d->args[path_cases[i].arg].type != SA_PATH)
			print_error("%s arg %d\n", path_cases[i].name, path_cases[i].arg);
		assert_non_null(d);
		assert_true(path_cases[i].arg < d->nargs);
		assert_int_equal(d->args[path_cases[i].arg].type, SA_PATH);
	}
	for (size_t i = 0; i < ARRAY_SIZE(str_cases); i++) {
		int nr = sc_by_name_arch(SC_ARCH_X86_64, str_cases[i].name);
		const struct sc_desc *d = sc_lookup_arch(SC_ARCH_X86_64, nr);

		if (!d || str_cases[i].arg >= d->nargs || d->args[str_cases[i].arg].type != SA_STR)
			print_error("%s arg %d\n", str_cases[i].name, str_cases[i].arg);
		assert_non_null(d);
		assert_true(str_cases[i].arg < d->nargs);
		assert_int_equal(d->args[str_cases[i].arg].type, SA_STR);
	}
}

/* Classes of a few calls whose strace flags are easy to get wrong. */
static const struct {
	const char *name;
	unsigned int classes;
} class_cases[] = {
    {"openat", SC_DESC | SC_FILE},
    {"open", SC_DESC | SC_FILE},
    {"close", SC_DESC},
    {"connect", SC_NETWORK},
    {"sendfile", SC_DESC | SC_NETWORK},
    {"clone", SC_PROCESS},
    {"clone3", SC_PROCESS},
    {"execveat", SC_DESC | SC_FILE | SC_PROCESS},
    {"mmap", SC_DESC | SC_MEMORY},
    {"munmap", SC_MEMORY},
    {"shmat", SC_IPC | SC_MEMORY},
    {"tgkill", SC_SIGNAL | SC_PROCESS},
    {"signalfd4", SC_DESC | SC_SIGNAL},
    {"pidfd_send_signal", SC_DESC | SC_SIGNAL | SC_PROCESS},
    {"gettid", SC_PURE},
    {"getppid", SC_PURE},
    {"getegid", SC_CREDS | SC_PURE},
    {"setresuid", SC_CREDS},
    {"prctl", SC_CREDS},
    {"gettimeofday", SC_CLOCK},
    {"clock_nanosleep", 0},
    {"ustat", SC_STATFS_LIKE},
    {"statx", SC_DESC | SC_FILE | SC_FSTAT | SC_STAT_LIKE},
    {"getcwd", SC_FILE},
    {"inotify_add_watch", SC_DESC | SC_FILE},
    {"io_uring_register", SC_DESC | SC_MEMORY},
    {"umask", 0},
    {"sched_yield", 0},
};

static void test_syscall_table_classes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(class_cases); i++) {
		for (size_t a = 0; a < ARRAY_SIZE(arches); a++) {
			int nr = sc_by_name_arch(arches[a], class_cases[i].name);

			if (nr < 0)
				continue; /* open, ... do not exist on aarch64 */
			unsigned int got = sc_lookup_arch(arches[a], nr)->classes;

			if (got != class_cases[i].classes)
				print_error("arch %d %s\n", arches[a], class_cases[i].name);
			assert_int_equal(got, class_cases[i].classes);
		}
	}
}

static const struct {
	const char *name;
	unsigned int classes;
} class_name_cases[] = {
    {"%file", SC_FILE},
    {"file", SC_FILE},
    {"%desc", SC_DESC},
    {"desc", SC_DESC},
    {"%net", SC_NETWORK},
    {"%network", SC_NETWORK},
    {"network", SC_NETWORK},
    {"%process", SC_PROCESS},
    {"process", SC_PROCESS},
    {"%memory", SC_MEMORY},
    {"memory", SC_MEMORY},
    {"%signal", SC_SIGNAL},
    {"signal", SC_SIGNAL},
    {"%ipc", SC_IPC},
    {"ipc", SC_IPC},
    {"%creds", SC_CREDS},
    {"%clock", SC_CLOCK},
    {"%stat", SC_STAT},
    {"%lstat", SC_LSTAT},
    {"%fstat", SC_FSTAT},
    {"%%stat", SC_STAT_LIKE},
    {"%statfs", SC_STATFS},
    {"%fstatfs", SC_FSTATFS},
    {"%%statfs", SC_STATFS_LIKE},
    {"%pure", SC_PURE},
    /* Unknown, or not accepted by strace. */
    {"", 0},
    {"%", 0},
    {"%%", 0},
    {"%FILE", 0},
    {"net", 0},
    {"creds", 0},
    {"pure", 0},
    {"%files", 0},
    {"file ", 0},
    {"%nonsense", 0},
};

static void test_syscall_table_class_by_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(class_name_cases); i++) {
		unsigned int got = sc_class_by_name(class_name_cases[i].name);

		if (got != class_name_cases[i].classes)
			print_error("\"%s\"\n", class_name_cases[i].name);
		assert_int_equal(got, class_name_cases[i].classes);
	}
	assert_int_equal(sc_class_by_name(NULL), 0);
}

/* Each %class selects at least the calls strace puts in it, and only those. */
static void test_syscall_table_class_members(void **state)
{
	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(arches); a++) {
		int stat_like = 0, statfs_like = 0;

		for (int nr = 0; nr < sc_count_arch(arches[a]); nr++) {
			const struct sc_desc *d = sc_lookup_arch(arches[a], nr);

			if (!d)
				continue;
			if (d->classes & (SC_STAT | SC_LSTAT | SC_FSTAT))
				assert_true(d->classes & SC_STAT_LIKE);
			if (d->classes & (SC_STATFS | SC_FSTATFS))
				assert_true(d->classes & SC_STATFS_LIKE);
			stat_like += !!(d->classes & SC_STAT_LIKE);
			statfs_like += !!(d->classes & SC_STATFS_LIKE);
		}
		/* x86_64: stat lstat fstat newfstatat statx; aarch64: fstat newfstatat statx. */
		assert_int_equal(stat_like, arches[a] == SC_ARCH_X86_64 ? 5 : 3);
		/* x86_64: statfs fstatfs ustat; aarch64: statfs fstatfs. */
		assert_int_equal(statfs_like, arches[a] == SC_ARCH_X86_64 ? 3 : 2);
	}
}

static bool is_capture(enum sc_arg_type t)
{
	switch (t) {
	case SA_PATH:
	case SA_STR:
	case SA_BUF_OUT:
	case SA_BUF_IN:
	case SA_ARGV:
	case SA_SOCKADDR_IN:
	case SA_SOCKADDR_OUT:
		return true;
	default:
		return false;
	}
}

/* What is wrong with the description of `nr`, or NULL: the invariants every entry must keep. */
static const char *entry_problem(enum sc_arch arch, int nr, const struct sc_desc *d)
{
	int captures = 0;

	if (!d->name || !d->name[0])
		return "no name";
	if (d->nargs > 6)
		return "more than 6 arguments";
	if (d->classes & ~ALL_CLASSES)
		return "unknown class bits";
	if ((d->classes & SC_PURE) && d->nargs)
		return "%pure with arguments";
	/* Names are unique within an architecture, so by-name lookups round-trip. */
	if (sc_by_name_arch(arch, d->name) != nr)
		return "name not unique";
	for (int i = 0; i < 6; i++) {
		const struct sc_arg *arg = &d->args[i];

		if (i >= d->nargs) {
			if (arg->name)
				return "argument past nargs";
			continue;
		}
		if (!arg->name || !arg->name[0])
			return "unnamed argument";
		if ((unsigned int)arg->type >= SA_TYPE_COUNT)
			return "argument type out of range";
		for (int j = 0; j < i; j++) {
			if (strcmp(arg->name, d->args[j].name) == 0)
				return "two arguments with one name";
		}
		captures += is_capture(arg->type);
		/* The length of these is (or is behind) the next argument. */
		if ((arg->type == SA_BUF_IN || arg->type == SA_SOCKADDR_IN ||
		     arg->type == SA_SOCKADDR_OUT) &&
		    i + 1 >= d->nargs)
			return "buffer without a length argument";
		if (arg->type == SA_ENVP && (i == 0 || d->args[i - 1].type != SA_ARGV))
			return "envp not after argv";
	}
	/* The kernel side captures the memory of two arguments only. */
	if (captures > 2)
		return "more than 2 capture-type arguments";
	return NULL;
}

static void test_syscall_table_consistency(void **state)
{
	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(arches); a++) {
		enum sc_arch arch = arches[a];
		int count = sc_count_arch(arch);

		assert_true(count > 0);
		assert_null(sc_lookup_arch(arch, count));
		assert_non_null(sc_lookup_arch(arch, count - 1));
		for (int nr = 0; nr < count; nr++) {
			const struct sc_desc *d = sc_lookup_arch(arch, nr);
			const char *problem;

			if (!d)
				continue;
			problem = entry_problem(arch, nr, d);
			if (problem)
				print_error("arch %d nr %d %s: %s\n", arch, nr, d->name, problem);
			assert_null(problem);
		}
	}
}

/*
 * The C type of arguments, from the kernel's signatures: the size the decoder truncates a
 * register to and, for plain numbers, the sign; and the constants table of named arguments.
 */
static const struct {
	const char *name;
	int arg;
	enum sc_arg_type type;
	unsigned char csize;
	unsigned short xlat;
} ctype_cases[] = {
    {"dup3", 0, SA_FD, 4, XL_NONE},
    {"dup3", 2, SA_XFLAGS, 4, XL_o_cloexec_flags},
    {"umask", 0, SA_MODE, 4, XL_NONE},
    {"open", 2, SA_MODE, 2, XL_NONE},
    {"read", 2, SA_ULONG, 8, XL_NONE},
    {"lseek", 1, SA_LONG, 8, XL_NONE},
    {"setsockopt", 1, SA_XVAL, 4, XL_socket_levels},
    {"setsockopt", 4, SA_INT, 4, XL_NONE},
    {"setuid", 0, SA_UID, 4, XL_NONE},
    {"chown", 1, SA_UID, 4, XL_NONE},
    {"kill", 0, SA_INT, 4, XL_NONE},
    {"unshare", 0, SA_XFLAGS, 8, XL_unshare_flags},
    {"setns", 1, SA_XFLAGS, 4, XL_setns_types},
    {"faccessat2", 3, SA_XFLAGS, 4, XL_faccessat_flags},
    {"statx", 2, SA_STATX_FLAGS, 4, XL_NONE},
    {"unlinkat", 2, SA_AT_FLAGS, 4, XL_NONE},
    {"getcwd", 0, SA_PATH_OUT, 8, XL_NONE},
    {"prctl", 0, SA_XVAL, 4, XL_prctl_options},
    {"arch_prctl", 0, SA_XVAL, 4, XL_arch_prctl_codes},
    {"prlimit64", 1, SA_XVAL, 4, XL_rlimit_resources},
    {"getrandom", 2, SA_XFLAGS, 4, XL_getrandom_flags},
    {"recvfrom", 3, SA_XFLAGS, 4, XL_msg_flags},
    {"ioctl", 1, SA_IOCTL_REQ, 4, XL_NONE},
    {"bpf", 0, SA_XVAL, 4, XL_bpf_commands},
    {"msgctl", 1, SA_IPC_CMD, 4, XL_msgctl_commands},
    {"quotactl", 0, SA_QUOTACTL_CMD, 4, XL_NONE},
    {"setitimer", 0, SA_XVAL, 4, XL_itimer_which},
};

static void test_syscall_table_ctypes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ctype_cases); i++) {
		int nr = sc_by_name_arch(SC_ARCH_X86_64, ctype_cases[i].name);
		const struct sc_desc *d = sc_lookup_arch(SC_ARCH_X86_64, nr);
		const struct sc_arg *a;

		assert_non_null(d);
		a = &d->args[ctype_cases[i].arg];
		if (a->type != ctype_cases[i].type || a->csize != ctype_cases[i].csize ||
		    a->xlat != ctype_cases[i].xlat)
			fail_msg("%s arg %d: type %d size %d xlat %d", ctype_cases[i].name,
				 ctype_cases[i].arg, a->type, a->csize, a->xlat);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_syscall_table_signatures),
	    cmocka_unit_test(test_syscall_table_ctypes),
	    cmocka_unit_test(test_syscall_table_by_name),
	    cmocka_unit_test(test_syscall_table_unknown),
	    cmocka_unit_test(test_syscall_table_counts),
	    cmocka_unit_test(test_syscall_table_native),
	    cmocka_unit_test(test_syscall_table_string_args),
	    cmocka_unit_test(test_syscall_table_classes),
	    cmocka_unit_test(test_syscall_table_class_by_name),
	    cmocka_unit_test(test_syscall_table_class_members),
	    cmocka_unit_test(test_syscall_table_consistency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
