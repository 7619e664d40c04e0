/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * flags.h - strace-style decoding of flag sets and enums in syscall arguments.
 *
 * Every function writes a NUL-terminated string into buf (at most n bytes, n may be 0) and
 * returns the length it would have written, like snprintf. Unknown bits are printed in hex
 * after the known ones: O_RDONLY|0x40000000. Values are the Linux x86_64/aarch64 ABI values
 * (hard-coded, not taken from the build host's headers where they could differ).
 */
#ifndef AGT_FLAGS_H
#define AGT_FLAGS_H

#include <stddef.h>

size_t fmt_open_flags(char *buf, size_t n, unsigned long long v); /* O_WRONLY|O_CREAT|O_TRUNC */
size_t fmt_mode(char *buf, size_t n, unsigned long long v);	  /* 0644, 0 -> "0" */
size_t fmt_mmap_prot(char *buf, size_t n,
		     unsigned long long v); /* PROT_NONE, PROT_READ|PROT_EXEC */
size_t fmt_mmap_flags(char *buf, size_t n, unsigned long long v);  /* MAP_PRIVATE|MAP_ANONYMOUS */
size_t fmt_clone_flags(char *buf, size_t n, unsigned long long v); /* CLONE_VM|...|SIGCHLD */
size_t fmt_sock_domain(char *buf, size_t n, unsigned long long v); /* AF_INET, AF_UNIX */
size_t fmt_sock_type(char *buf, size_t n, unsigned long long v);   /* SOCK_STREAM|SOCK_CLOEXEC */
size_t fmt_signal(char *buf, size_t n, unsigned long long v);	   /* SIGTERM, SIGRT_3, 0 -> "0" */
size_t fmt_access_mode(char *buf, size_t n, unsigned long long v); /* F_OK, R_OK|W_OK */
size_t fmt_at_flags(char *buf, size_t n, unsigned long long v);	   /* AT_SYMLINK_NOFOLLOW, 0 */
size_t fmt_whence(char *buf, size_t n, unsigned long long v);	   /* SEEK_SET .. SEEK_HOLE */
size_t fmt_fcntl_cmd(char *buf, size_t n,
		     unsigned long long v); /* F_GETFL, F_SETFD, F_DUPFD_CLOEXEC */
size_t fmt_sighow(char *buf, size_t n, unsigned long long v);  /* SIG_BLOCK */
size_t fmt_clockid(char *buf, size_t n, unsigned long long v); /* CLOCK_MONOTONIC */
size_t fmt_dirfd(char *buf, size_t n, unsigned long long v);   /* AT_FDCWD or decimal int */

size_t fmt_statx_flags(char *buf, size_t n, unsigned long long v);  /* AT_STATX_SYNC_AS_STAT */
size_t fmt_ioctl_req(char *buf, size_t n, unsigned long long v);    /* TCGETS, _IOC(...) */
size_t fmt_quotactl_cmd(char *buf, size_t n, unsigned long long v); /* QCMD(Q_GETQUOTA, USRQUOTA) */
/* IPC_STAT, IPC_64|IPC_STAT; id is the command table (enum xlat_id) */
size_t fmt_ipc_cmd(char *buf, size_t n, int id, unsigned long long v);
/* SO_REUSEADDR at SOL_SOCKET, TCP_NODELAY at SOL_TCP, else decimal */
size_t fmt_sockopt(char *buf, size_t n, unsigned long long level, unsigned long long v);
/* IPPROTO_TCP for AF_INET/AF_INET6, NETLINK_ROUTE for AF_NETLINK, else decimal */
size_t fmt_sock_proto(char *buf, size_t n, unsigned long long domain, unsigned long long v);
size_t fmt_futex_op(char *buf, size_t n, unsigned long long v); /* FUTEX_WAIT_PRIVATE */
/* fcntl's argument by its command: FD_CLOEXEC (F_SETFD), O_RDONLY|O_NONBLOCK (F_SETFL), 3 */
size_t fmt_fcntl_arg(char *buf, size_t n, unsigned long long cmd, unsigned long long v);
/* fcntl commands that take no argument: strace prints two (fcntl(3, F_GETFD)) */
int fcntl_cmd_has_arg(unsigned long long cmd);
/* " (flags FD_CLOEXEC)" after F_GETFD's and F_GETFL's result; 0 (nothing) for other commands */
size_t fmt_fcntl_ret_aux(char *buf, size_t n, unsigned long long cmd, long long ret);

/* Signal name without value decoration: "SIGTERM" for 15, NULL if none (used for exit events). */
const char *signal_name(int sig);

#endif
