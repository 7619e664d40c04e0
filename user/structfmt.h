/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * structfmt.h - structures a syscall reads or fills, printed as strace prints them (without -v).
 *
 * The kernel side copies a structure argument whole (a fixed size per structure, struct_size());
 * these format the copy: stat results, rlimits, signal masks and actions, the fd pair of
 * pipe/socketpair, timespecs. Layouts are the kernel's for the architecture being traced.
 */
#ifndef AGT_STRUCTFMT_H
#define AGT_STRUCTFMT_H

#include <stddef.h>

enum sc_struct {
	ST_NONE = 0,
	ST_stat,      /* struct stat: {st_mode=S_IFREG|0644, st_size=44303, ...} */
	ST_rlimit,    /* getrlimit/setrlimit: {rlim_cur=8192*1024, rlim_max=RLIM_INFINITY} */
	ST_rlimit64,  /* prlimit64: the same with RLIM64_INFINITY */
	ST_sigset,    /* kernel sigset_t: [CHLD], ~[RTMIN RT_1] */
	ST_sigaction, /* struct sigaction (rt_sigaction): {sa_handler=SIG_DFL, sa_mask=[], ...} */
	ST_fd_pair,   /* int[2] of pipe, pipe2, socketpair: [3, 4] */
	ST_timespec,  /* struct __kernel_timespec: {tv_sec=1, tv_nsec=0} */
	ST_wstatus,   /* int *wstatus of wait4: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] */
	ST_statx,   /* struct statx: {stx_mask=..., stx_attributes=0, stx_mode=S_IFDIR|0755, ...} */
	ST_utsname, /* struct utsname, its first two fields: {sysname="Linux", nodename="vm", ...}
		     */
	ST_COUNT
};

/* Bytes the kernel side copies for a structure (a multiple of 4, at most 256); 0 if unknown. */
unsigned int struct_size(enum sc_struct id);

/*
 * Formats the len bytes of structure `id` at data (snprintf contract). Returns 0 and writes
 * nothing when len is shorter than the structure: the caller then prints the address.
 */
size_t fmt_struct(char *buf, size_t n, enum sc_struct id, const unsigned char *data, size_t len);

#endif
