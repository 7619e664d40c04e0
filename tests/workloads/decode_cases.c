// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * decode_cases.c - syscalls whose arguments a tracer can easily decode wrongly, for the
 * integration test that compares agtrace-bpf's lines with strace -f's on the same calls.
 *
 * Raw syscall() is used throughout so that what reaches the kernel is exactly what is written
 * here: garbage in the upper half of 32-bit registers, NULL and unreadable pointers, buffers
 * shorter than the result. Every call is deterministic (same arguments, same result) so the
 * two tracers' lines can be compared value by value.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set in the upper half of 32-bit arguments: the kernel ignores it, so must the decoder. */
#define HI 0xdeadbeef00000000ull

#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

static void null_and_bad_pointers(void)
{
	char path[] = "/tmp/agtrace-decode-cases";
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	syscall(SYS_chdir, NULL);
	/* a NULL pathname means "the file fd refers to" */
	syscall(SYS_utimensat, fd, NULL, NULL, 0);
	syscall(SYS_getcwd, (char *)-1, 4097);
	syscall(SYS_execve, "/nonexistent/agtrace", NULL, NULL);
	close(fd);
	unlink(path);
}

static void failed_input_buffer(void)
{
	syscall(SYS_write, -1, "hello", 5);
	syscall(SYS_sendto, -1, "world", 5, 0, NULL, 0);
}

/* MSG_TRUNC returns the datagram's full length (5) although the buffer holds only 1 byte. */
static void output_longer_than_buffer(void)
{
	int sv[2];
	char one[1];

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return;
	send(sv[0], "abcde", 5, 0);
	syscall(SYS_recvfrom, sv[1], one, 1, MSG_TRUNC, NULL, NULL);
	close(sv[0]);
	close(sv[1]);
}

static void at_flags_per_syscall(void)
{
	struct statx stx;

	syscall(SYS_faccessat2, AT_FDCWD, "/", F_OK, AT_EACCESS);
	syscall(SYS_unlinkat, AT_FDCWD, "/nonexistent/agtrace", AT_REMOVEDIR);
	syscall(SYS_unlinkat, AT_FDCWD, "/nonexistent/agtrace", 0x2000);
	syscall(SYS_linkat, AT_FDCWD, "/nonexistent/a", AT_FDCWD, "/nonexistent/b",
		AT_SYMLINK_FOLLOW);
	syscall(SYS_linkat, AT_FDCWD, "/nonexistent/a", AT_FDCWD, "/nonexistent/b", 0x4000);
	syscall(SYS_utimensat, AT_FDCWD, "/nonexistent/agtrace", NULL, AT_SYMLINK_NOFOLLOW);
	syscall(SYS_statx, AT_FDCWD, "/", AT_STATX_SYNC_AS_STAT, 0, &stx);
	syscall(SYS_statx, AT_FDCWD, "/", AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, 0, &stx);
}

static void int_args_with_upper_garbage(void)
{
	long old;

	syscall(SYS_dup3, HI | 0, HI | 0, HI | 0);
	old = syscall(SYS_umask, HI | 0);
	syscall(SYS_umask, HI | (unsigned long)old);
	syscall(SYS_close, HI | 0xffffffffull);
	syscall(SYS_lseek, HI | 0xffffffffull, 0, HI | SEEK_SET);
}

static void namespaces(void)
{
	int fd = open("/proc/self/ns/uts", O_RDONLY);

	syscall(SYS_unshare, 0x11);
	syscall(SYS_unshare, CLONE_NEWUTS | CLONE_NEWTIME);
	syscall(SYS_setns, fd, CLONE_NEWUTS);
	syscall(SYS_setns, -1, 0);
	close(fd);
}

static void signedness(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	syscall(SYS_prctl, -1, 0, 0, 0, 0);
	syscall(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, &one, -1);
	syscall(SYS_kill, -1, 0);
	close(s);
}

int main(void)
{
	null_and_bad_pointers();
	failed_input_buffer();
	output_longer_than_buffer();
	at_flags_per_syscall();
	int_args_with_upper_garbage();
	namespaces();
	signedness();
	return 0;
}
