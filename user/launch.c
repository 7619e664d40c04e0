// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch.h"

/* execvp's search, done in the parent so a missing command is an error line, not a child. */
static int resolve(const char *name, char *out, size_t n)
{
	const char *path = getenv("PATH");
	struct stat st;

	if (strchr(name, '/')) {
		if (access(name, X_OK))
			return -errno;
		snprintf(out, n, "%s", name);
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		int len = (int)(end - path);

		snprintf(out, n, "%.*s%s%s", len, path, len ? "/" : "", name);
		if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK))
			return 0;
		path = *end ? end + 1 : end;
	}
	return -ENOENT;
}

int launch_start(struct launch *l, char **cmd, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fds[2], ret;
	pid_t pid;

	l->pid = -1;
	l->gate = -1;
	ret = resolve(cmd[0], path, sizeof(path));
	if (ret) {
		snprintf(err, errlen, "cannot run '%s': %s", cmd[0], strerror(-ret));
		return ret;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		ret = -errno;
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return ret;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		char c;
		ssize_t r;

		close(fds[1]);
		do
			r = read(fds[0], &c, 1);
		while (r < 0 && errno == EINTR);
		if (r != 1)
			_exit(127); /* the tracer gave up */
		execv(path, cmd);
		fprintf(stderr, "agtrace-bpf: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	l->pid = pid;
	l->gate = fds[1];
	return 0;
}

int launch_release(struct launch *l)
{
	int ret = 0;

	if (l->gate < 0)
		return 0;
	if (write(l->gate, "x", 1) != 1)
		ret = -errno;
	close(l->gate);
	l->gate = -1;
	return ret;
}

void launch_abort(struct launch *l)
{
	if (l->gate >= 0) {
		close(l->gate); /* the child reads EOF and exits 127 */
		l->gate = -1;
	}
	if (l->pid > 0) {
		kill(l->pid, SIGKILL);
		waitpid(l->pid, NULL, 0);
		l->pid = -1;
	}
}

int launch_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
