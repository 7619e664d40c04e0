/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* proctree.h - what /proc says about processes: existence, and descendants of a set. */
#ifndef AGT_PROCTREE_H
#define AGT_PROCTREE_H

#include <stdbool.h>
#include <sys/types.h>

#include "pidset.h"

/* Is there a process (thread group) with this id? Zombies count as existing. */
bool proc_exists(pid_t pid);
/*
 * Does this process see the initial PID namespace? The kernel side records global ids, so a
 * tracer in a nested namespace would trace the wrong processes. True when it cannot tell.
 */
bool proc_in_init_pidns(void);
/* Is pid a thread group leader (a process id rather than another thread's id)? */
bool proc_is_tgid(pid_t pid);
/* The parent of a live process (/proc/PID/stat), or -1. */
pid_t proc_ppid(pid_t pid);
/*
 * Adds every live descendant of the processes in `set` to `set` (from /proc/PID/stat ppid),
 * so -p also covers the tool processes an agent already runs. Returns how many were added.
 */
int proctree_add_descendants(struct pidset *set, const char *procdir);

#endif
