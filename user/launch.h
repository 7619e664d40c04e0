/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * launch.h - start COMMAND held at a gate, so the tracer can attach before its first syscall.
 *
 * The child is forked at once and blocks reading a pipe; the tracer loads and attaches, marks
 * the child pending in the kernel (its execve turns tracing on) and opens the gate. The path is
 * resolved here, before the fork, so the trace shows one execve, as strace does.
 */
#ifndef AGT_LAUNCH_H
#define AGT_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

struct launch {
	pid_t pid;
	int gate; /* write end; -1 once released */
};

/* Forks the gated child; 0, or -errno with a one-line message in err. */
int launch_start(struct launch *l, char **cmd, char *err, size_t errlen);
/* Opens the gate (the child execs). 0 or -errno. */
int launch_release(struct launch *l);
/* Kills a child that was never released (setup failed) and reaps it. */
void launch_abort(struct launch *l);
/* waitpid status -> shell-style exit code: status, or 128+signal. */
int launch_exit_code(int status);

#endif
