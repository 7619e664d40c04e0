/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * syscall_table.h - syscall names, argument signatures and strace classes, per architecture.
 *
 * The tables describe the kernel ABI of the architecture (x86_64 numbers, aarch64/asm-generic
 * numbers). Argument names follow the man pages (dirfd, pathname, flags, mode), types tell the
 * decoder how to print a raw value and the loader what user memory to capture.
 */
#ifndef AGT_SYSCALL_TABLE_H
#define AGT_SYSCALL_TABLE_H

#include <stdbool.h>

enum sc_arch {
	SC_ARCH_X86_64 = 0,
	SC_ARCH_AARCH64 = 1,
};

#if defined(__aarch64__)
#define SC_ARCH_NATIVE SC_ARCH_AARCH64
#else
#define SC_ARCH_NATIVE SC_ARCH_X86_64
#endif

enum sc_arg_type {
	SA_INT = 0,	 /* int: low 32 bits, signed decimal */
	SA_LONG,	 /* long / off_t / ssize_t: signed decimal */
	SA_UINT,	 /* unsigned int: low 32 bits, unsigned decimal */
	SA_ULONG,	 /* size_t / unsigned long: unsigned decimal */
	SA_HEX,		 /* flags word we do not decode: 0x1f */
	SA_OCT,		 /* octal, e.g. umask: 022 */
	SA_PTR,		 /* pointer we do not follow: NULL or 0x7ffd... */
	SA_FD,		 /* file descriptor: signed decimal */
	SA_DIRFD,	 /* AT_FDCWD or decimal */
	SA_PATH,	 /* const char *pathname (captured) */
	SA_STR,		 /* other NUL-terminated string (captured) */
	SA_BUF_OUT,	 /* buffer the kernel fills, length = return value (read) */
	SA_BUF_IN,	 /* buffer given to the kernel, length = next argument (write) */
	SA_ARGV,	 /* char *const argv[] (captured) */
	SA_ENVP,	 /* char *const envp[] (not captured, printed as pointer) */
	SA_OPEN_FLAGS,	 /* O_RDONLY|O_CLOEXEC */
	SA_MODE,	 /* 0644 (octal, 0 prints as 0) */
	SA_MMAP_PROT,	 /* PROT_READ|PROT_WRITE */
	SA_MMAP_FLAGS,	 /* MAP_PRIVATE|MAP_ANONYMOUS */
	SA_CLONE_FLAGS,	 /* CLONE_VM|CLONE_FS|...|SIGCHLD */
	SA_SOCK_DOMAIN,	 /* AF_INET */
	SA_SOCK_TYPE,	 /* SOCK_STREAM|SOCK_CLOEXEC */
	SA_SOCKADDR_IN,	 /* const struct sockaddr *, length = next argument (connect, bind) */
	SA_SOCKADDR_OUT, /* struct sockaddr *, length behind next argument (accept, recvfrom) */
	SA_SIGNAL,	 /* SIGTERM */
	SA_ACCESS_MODE,	 /* F_OK or R_OK|W_OK|X_OK */
	SA_AT_FLAGS,	 /* AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH, 0 prints as 0 */
	SA_WHENCE,	 /* SEEK_SET */
	SA_FCNTL_CMD,	 /* F_GETFL */
	SA_SIGHOW,	 /* SIG_BLOCK */
	SA_CLOCKID,	 /* CLOCK_MONOTONIC */
	SA_XVAL,	 /* one value named by table sc_arg.xlat: RLIMIT_NOFILE, 0x63 + comment */
	SA_XFLAGS,	 /* a flag set named by table sc_arg.xlat: MSG_TRUNC|0x1000000 */
	SA_UID,		 /* uid_t / gid_t: unsigned decimal, (uid_t)-1 as -1 */
	SA_PATH_OUT,	 /* char * the kernel fills with a path (getcwd): shown on success */
	SA_STATX_FLAGS,	 /* AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW */
	SA_IOCTL_REQ,	 /* TCGETS, or _IOC(_IOC_READ, 0x54, 0x99, 0x4) */
	SA_QUOTACTL_CMD, /* QCMD(Q_GETQUOTA, USRQUOTA) */
	SA_IPC_CMD,	 /* IPC_STAT, IPC_64|IPC_STAT (table sc_arg.xlat) */
	SA_SOCKOPT,	 /* setsockopt/getsockopt optname: by the level in the previous argument */
	SA_SOCK_PROTO,	 /* socket protocol: by the domain in the first argument */
	SA_FUTEX_OP,	 /* FUTEX_WAIT_PRIVATE, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME */
	SA_STRUCT_IN,	 /* structure given to the kernel (sc_arg.xlat: enum sc_struct), captured */
	SA_STRUCT_OUT,	 /* structure the kernel fills, shown on success (enum sc_struct) */
	SA_FCNTL_ARG,	 /* fcntl's third argument, by the command: FD_CLOEXEC, O_NONBLOCK, 3 */
	SA_TYPE_COUNT
};

/* strace's trace classes (-e trace=%file ...), a bit each. */
enum sc_class {
	SC_FILE = 1u << 0,	   /* %file: takes a file name */
	SC_DESC = 1u << 1,	   /* %desc: takes or returns a file descriptor */
	SC_NETWORK = 1u << 2,	   /* %network (%net) */
	SC_PROCESS = 1u << 3,	   /* %process */
	SC_MEMORY = 1u << 4,	   /* %memory */
	SC_SIGNAL = 1u << 5,	   /* %signal */
	SC_IPC = 1u << 6,	   /* %ipc */
	SC_CREDS = 1u << 7,	   /* %creds */
	SC_CLOCK = 1u << 8,	   /* %clock */
	SC_STAT = 1u << 9,	   /* %stat */
	SC_LSTAT = 1u << 10,	   /* %lstat */
	SC_FSTAT = 1u << 11,	   /* %fstat */
	SC_STAT_LIKE = 1u << 12,   /* %%stat: every stat variant */
	SC_STATFS = 1u << 13,	   /* %statfs */
	SC_FSTATFS = 1u << 14,	   /* %fstatfs */
	SC_STATFS_LIKE = 1u << 15, /* %%statfs */
	SC_PURE = 1u << 16,	   /* %pure: no args, always succeed (getpid...) */
};

/*
 * One argument. `csize` is the size in bytes of the C type in the kernel's signature (2 for
 * umode_t, 4 for int and unsigned int, 8 for longs and pointers; 0 means 8): the kernel reads
 * only that many low bytes of the register, so the decoder looks at no more. `xlat` is the
 * table (enum xlat_id) of SA_XVAL, SA_XFLAGS and SA_IPC_CMD, or the structure (enum sc_struct,
 * structfmt.h) of SA_STRUCT_IN and SA_STRUCT_OUT.
 */
struct sc_arg {
	const char *name;
	enum sc_arg_type type;
	unsigned char csize;
	unsigned short xlat;
};

struct sc_desc {
	const char *name;
	unsigned char nargs;
	unsigned int classes; /* enum sc_class bits */
	struct sc_arg args[6];
};

/* The description of syscall `nr` on `arch`; NULL when the number is unused or out of range. */
const struct sc_desc *sc_lookup_arch(enum sc_arch arch, int nr);
/* Same on the architecture this binary was built for. */
const struct sc_desc *sc_lookup(int nr);
/* Name of `nr` on the native arch, or NULL if unknown. */
const char *sc_name(int nr);
/* Number of the syscall called `name` on `arch`, or -1. */
int sc_by_name_arch(enum sc_arch arch, const char *name);
int sc_by_name(const char *name);
/* One past the highest number in the arch's table. */
int sc_count_arch(enum sc_arch arch);
int sc_count(void);
/* "%file", "%net", "file" (strace accepts both forms) ... -> enum sc_class bits; 0 if unknown. */
unsigned int sc_class_by_name(const char *name);

#endif
