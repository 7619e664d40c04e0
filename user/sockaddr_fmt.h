/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* sockaddr_fmt.h - struct sockaddr as strace prints it. */
#ifndef AGT_SOCKADDR_FMT_H
#define AGT_SOCKADDR_FMT_H

#include <stddef.h>

/*
 * {AF_INET, 127.0.0.1:443}, {AF_INET6, [::1]:8080}, {AF_UNIX, "/run/x.sock"}, abstract unix as
 * {AF_UNIX, @"name"}, unnamed unix {AF_UNIX}, {AF_NETLINK, pid=0, groups=00000000},
 * {AF_UNSPEC}, unknown families {sa_family=42}. A buffer shorter than the family needs
 * prints what it can: {sa_family=AF_INET, <truncated>}. snprintf contract.
 */
size_t fmt_sockaddr(char *buf, size_t n, const void *sa, size_t len);

#endif
