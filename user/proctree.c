// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proctree.h"

bool proc_exists(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

bool proc_in_init_pidns(void)
{
	/* PROC_PID_INIT_INO: the inode of the initial PID namespace, fixed since Linux 3.8. */
	const unsigned long init_ino = 0xEFFFFFFCUL;
	struct stat st;

	if (stat("/proc/self/ns/pid", &st))
		return true;
	return st.st_ino == init_ino;
}

bool proc_is_tgid(pid_t pid)
{
	char path[64], buf[256];
	FILE *f;
	bool ret = false;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(buf, sizeof(buf), f)) {
		if (!strncmp(buf, "Tgid:", 5)) {
			ret = atoi(buf + 5) == pid;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* ppid from /proc/PID/stat: the field after the state, after the last ')' of comm. */
static pid_t read_ppid(const char *procdir, const char *pid)
{
	char path[300], buf[512];
	FILE *f;
	size_t n;
	char *p;
	int ppid;

	snprintf(path, sizeof(path), "%s/%s/stat", procdir, pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

pid_t proc_ppid(pid_t pid)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", pid);
	return read_ppid("/proc", name);
}

int proctree_add_descendants(struct pidset *set, const char *procdir)
{
	struct {
		pid_t pid, ppid;
	} *all = NULL;
	size_t n = 0, cap = 0;
	int added = 0, changed = 1;
	struct dirent *de;
	DIR *d = opendir(procdir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid_t ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		ppid = read_ppid(procdir, de->d_name);
		if (ppid <= 0)
			continue;
		if (n == cap) {
			void *t = realloc(all, (cap = cap ? cap * 2 : 256) * sizeof(*all));

			if (!t)
				break;
			all = t;
		}
		all[n].pid = atoi(de->d_name);
		all[n].ppid = ppid;
		n++;
	}
	closedir(d);
	/* Transitive closure: repeat until no process joins (trees are shallow). */
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			if (!pidset_has(set, all[i].pid) && pidset_has(set, all[i].ppid) &&
			    !pidset_add(set, all[i].pid)) {
				added++;
				changed = 1;
			}
		}
	}
	free(all);
	return added;
}
