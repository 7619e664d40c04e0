/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* errno_names.h - errno symbolic names and messages, independent of the C library's locale. */
#ifndef AGT_ERRNO_NAMES_H
#define AGT_ERRNO_NAMES_H

/* "ENOENT" for 2; NULL for a value with no name (callers print "E???" / the number). */
const char *errno_name(int err);
/* "No such file or directory" for 2 (the Linux/glibc text, as strace prints it); NULL if unknown.
 * Kernel-internal codes seen by tracers (ERESTARTSYS 512, ERESTARTNOINTR 513, ERESTARTNOHAND 514,
 * ENOIOCTLCMD 515, ERESTART_RESTARTBLOCK 516, ...) have names and strace's messages too. */
const char *errno_message(int err);
/* Number for "ENOENT", or -1. */
int errno_by_name(const char *name);

#endif
