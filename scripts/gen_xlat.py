#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Regenerate user/xlat_gen.c and user/xlat_gen.h: the named constants of syscall arguments.

Like scripts/gen_syscall_table.py, the output is checked in and the build never runs this:

    scripts/gen_xlat.py            # rewrite both files
    scripts/gen_xlat.py --check    # exit 1 if the checked-in files are stale

Every value comes from the kernel UAPI headers (linux-libc-dev) or the C library's headers that
mirror them: for each table the script collects names (a list, or every #define / enum member
of a header matching a pattern) and compiles a small C program that includes the headers and
prints each name's value, so macros such as _IOR('T', 1, int) are evaluated by the compiler,
never by hand. The names and their order are strace's where strace names the value (first
name wins for aliases), so the text agrees with `strace -f`.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_C = os.path.join(ROOT, "user", "xlat_gen.c")
OUT_H = os.path.join(ROOT, "user", "xlat_gen.h")
INC = "/usr/include"


def defines(header, pattern, exclude=None):
    """#define names of `header` matching `pattern` (a regex on the name), in header order."""
    text = open(os.path.join(INC, header)).read()
    names = []
    for m in re.finditer(r"^#[ \t]*define[ \t]+(\w+)[ \t]+\S", text, re.M):
        n = m.group(1)
        if re.fullmatch(pattern, n) and not (exclude and re.fullmatch(exclude, n)):
            if n not in names:
                names.append(n)
    return names


def enum_members(header, enum, pattern=r"\w+", exclude=None):
    """Members of `enum NAME {...}` in `header`, in order."""
    text = open(os.path.join(INC, header)).read()
    m = re.search(r"enum\s+" + enum + r"\s*\{(.*?)\};", text, re.S)
    if not m:
        sys.exit(f"{header}: enum {enum} not found")
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    out = []
    for item in body.split(","):
        name = item.split("=")[0].strip()
        if name and re.fullmatch(pattern, name) and not (exclude and re.fullmatch(exclude, name)):
            out.append(name)
    return out


# name: (kind, default for unknown values, [headers], names)
#   kind "flags": a set of bits (strace's printflags), "enum": one value (printxval).
#   The default is what strace writes in the comment after an unknown value ("MSG_???").
TABLES = {
    # *at(2) flags: each syscall accepts its own subset (strace's at_flags, faccessat_flags).
    "at_flags": ("flags", "AT_???", ["fcntl.h"],
                 ["AT_SYMLINK_NOFOLLOW", "AT_REMOVEDIR", "AT_SYMLINK_FOLLOW", "AT_NO_AUTOMOUNT",
                  "AT_EMPTY_PATH", "AT_RECURSIVE"]),
    "faccessat_flags": ("flags", "AT_???", ["fcntl.h"],
                        ["AT_SYMLINK_NOFOLLOW", "AT_EACCESS", "AT_EMPTY_PATH"]),
    "statx_sync": ("enum", "AT_STATX_???", ["fcntl.h"],
                   ["AT_STATX_SYNC_AS_STAT", "AT_STATX_FORCE_SYNC", "AT_STATX_DONT_SYNC"]),
    "statx_mask": ("flags", "STATX_???", ["linux/stat.h"],
                   ["STATX_ALL", "STATX_BASIC_STATS"] +
                   defines("linux/stat.h", r"STATX_[A-Z_]+",
                           r"STATX_(ALL|BASIC_STATS|ATTR_\w+|_RESERVED)")),
    # namespaces: unshare takes CLONE_* (not the exit signal in the low byte), setns CLONE_NEW*
    "unshare_flags": ("flags", "CLONE_???", ["linux/sched.h"],
                      ["CLONE_NEWTIME", "CLONE_VM", "CLONE_FS", "CLONE_FILES", "CLONE_SIGHAND",
                       "CLONE_THREAD", "CLONE_NEWNS", "CLONE_SYSVSEM", "CLONE_NEWCGROUP",
                       "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWUSER", "CLONE_NEWPID",
                       "CLONE_NEWNET"]),
    "setns_types": ("flags", "CLONE_NEW???", ["linux/sched.h"],
                    ["CLONE_NEWTIME", "CLONE_NEWNS", "CLONE_NEWCGROUP", "CLONE_NEWUTS",
                     "CLONE_NEWIPC", "CLONE_NEWUSER", "CLONE_NEWPID", "CLONE_NEWNET"]),
    "arch_prctl_codes": ("enum", "ARCH_???", ["asm/prctl.h"],
                         defines("x86_64-linux-gnu/asm/prctl.h", r"ARCH_\w+")),
    "rlimit_resources": ("enum", "RLIMIT_???", ["asm-generic/resource.h"],
                         defines("asm-generic/resource.h", r"RLIMIT_\w+", r"RLIMIT_NLIMITS")),
    "getrandom_flags": ("flags", "GRND_???", ["linux/random.h"],
                        defines("linux/random.h", r"GRND_\w+")),
    "msg_flags": ("flags", "MSG_???", ["sys/socket.h"],
                  [n if n != "MSG_PROXY" else "MSG_PROBE=MSG_PROXY"
                   for n in defines("x86_64-linux-gnu/bits/socket.h", r"MSG_\w+", r"MSG_TRYHARD")] +
                  # kernel-internal (include/linux/socket.h, not UAPI), yet strace names it
                  ["MSG_CMSG_COMPAT=0x80000000"]),
    # sic: strace's comment for an unknown level has two question marks
    "socket_levels": ("enum", "SOL_??", ["sys/socket.h", "netinet/in.h", "netinet/tcp.h",
                                         "netinet/udp.h"],
                      ["SOL_IP", "SOL_SOCKET", "SOL_TCP", "SOL_UDP", "SOL_IPV6", "SOL_ICMPV6",
                       "SOL_RAW", "SOL_PACKET", "SOL_NETLINK", "SOL_TLS", "SOL_XDP",
                       "SOL_MPTCP", "SOL_ALG"]),
    "sockopt_socket": ("enum", "SO_???", ["asm/socket.h"],
                       defines("asm-generic/socket.h", r"SO_\w+",
                               r"SO_(TIMESTAMP|TIMESTAMPNS|TIMESTAMPING|RCVTIMEO|SNDTIMEO|"
                               r"\w+_OLD|\w+_NEW|GET_FILTER|DETACH_BPF|ATTACH_BPF|"
                               r"DETACH_REUSEPORT_BPF)")),
    "sockopt_tcp": ("enum", "TCP_???", ["netinet/tcp.h"],
                    defines("netinet/tcp.h", r"TCP_[A-Z_0-9]+",
                            r"TCP_(MSS|MAXWIN|MAX_WINSHIFT|\w+_MASK|\w+_SHIFT|NO_QUEUE|"
                            r"RECV_QUEUE|SEND_QUEUE|QUEUES_NR|ESTABLISHED|SYN_\w+|FIN_\w+|"
                            r"TIME_WAIT|CLOSE\w*|LAST_ACK|LISTEN|CLOSING|CA_\w+|"
                            r"COOKIE_\w+|MD5SIG_\w+|FASTOPEN_\w+|OPT_\w+|AO_\w+|"
                            r"TCP_SNDBUF\w*|REPAIR_ON|REPAIR_OFF\w*|NLA_\w+|MSS_\w+)")),
    "sockopt_ip": ("enum", "IP_???", ["netinet/in.h"],
                   defines("x86_64-linux-gnu/bits/in.h", r"IP_[A-Z0-9_]+",
                           r"IP_(DEFAULT_\w+|MAX_\w+|PMTUDISC_\w+|UNICAST_IF|"
                           r"RECVRETOPTS|RETOPTS)")),
    "sockopt_ipv6": ("enum", "IPV6_???", ["netinet/in.h"],
                     defines("x86_64-linux-gnu/bits/in.h", r"IPV6_[A-Z0-9_]+",
                             r"IPV6_(PMTUDISC_\w+|ADD_MEMBERSHIP|DROP_MEMBERSHIP|RXHOPOPTS|"
                             r"RXDSTOPTS|PREFER_\w+|RTHDR_\w+|\w+_ANY)")),
    "inet_protocols": ("enum", "IPPROTO_???", ["netinet/in.h"],
                       ["IPPROTO_IP", "IPPROTO_ICMP", "IPPROTO_IGMP", "IPPROTO_IPIP",
                        "IPPROTO_TCP", "IPPROTO_EGP", "IPPROTO_PUP", "IPPROTO_UDP",
                        "IPPROTO_IDP", "IPPROTO_TP", "IPPROTO_DCCP", "IPPROTO_IPV6",
                        "IPPROTO_RSVP", "IPPROTO_GRE", "IPPROTO_ESP", "IPPROTO_AH",
                        "IPPROTO_ICMPV6", "IPPROTO_MTP", "IPPROTO_BEETPH", "IPPROTO_ENCAP",
                        "IPPROTO_PIM", "IPPROTO_COMP", "IPPROTO_L2TP", "IPPROTO_SCTP",
                        "IPPROTO_UDPLITE", "IPPROTO_MPLS", "IPPROTO_ETHERNET", "IPPROTO_RAW",
                        "IPPROTO_MPTCP"]),
    "netlink_protocols": ("enum", "NETLINK_???", ["linux/netlink.h"],
                          ["NETLINK_ROUTE", "NETLINK_UNUSED", "NETLINK_USERSOCK",
                           "NETLINK_FIREWALL", "NETLINK_SOCK_DIAG", "NETLINK_NFLOG",
                           "NETLINK_XFRM", "NETLINK_SELINUX", "NETLINK_ISCSI", "NETLINK_AUDIT",
                           "NETLINK_FIB_LOOKUP", "NETLINK_CONNECTOR", "NETLINK_NETFILTER",
                           "NETLINK_IP6_FW", "NETLINK_DNRTMSG", "NETLINK_KOBJECT_UEVENT",
                           "NETLINK_GENERIC", "NETLINK_SCSITRANSPORT", "NETLINK_ECRYPTFS",
                           "NETLINK_RDMA", "NETLINK_CRYPTO", "NETLINK_SMC"]),
    "shutdown_modes": ("enum", "SHUT_???", ["sys/socket.h"], ["SHUT_RD", "SHUT_WR", "SHUT_RDWR"]),
    "prctl_options": ("enum", "PR_???", ["linux/prctl.h"],
                      defines("linux/prctl.h",
                              r"PR_(SET|GET|CAPBSET|TASK_PERF|MCE_KILL|MPX|SVE_|SME_|PAC_|"
                              r"SCHED_CORE|CAP_AMBIENT|RISCV_|PPC_|FUTEX_HASH|LOCK_SHADOW|"
                              r"TIMER_CREATE)\w*",
                              r"PR_(SET_MM_\w+|SET_PTRACER_ANY|SCHED_CORE_\w+|MCE_KILL_(CLEAR|"
                              r"SET|LATE|EARLY|DEFAULT)|CAP_AMBIENT_\w+|SVE_(SET_VL_ONEXEC|"
                              r"VL_\w+)|SME_(SET_VL_ONEXEC|VL_\w+)|PAC_AP\w+|PAC_\w+KEY|"
                              r"SET_VMA_ANON_NAME|GET_SPECULATION_CTRL_\w+|"
                              r"\w+_(ENABLE|DISABLE|MASK|SHIFT|MODE_\w+|\w*_BIT)|"
                              r"RISCV_V_\w+|RISCV_CTX_\w+|PPC_DEXCR_\w+|FUTEX_HASH_\w+)")),
    "bpf_commands": ("enum", "BPF_???", ["linux/bpf.h"],
                     enum_members("linux/bpf.h", "bpf_cmd", exclude=r"__MAX_BPF_CMD|BPF_PROG_RUN")),
    "keyctl_commands": ("enum", "KEYCTL_???", ["linux/keyctl.h"],
                        defines("linux/keyctl.h", r"KEYCTL_\w+",
                                r"KEYCTL_(CAPS\w+|SUPPORTS_\w+|MOVE_EXCL)")),
    "msgctl_commands": ("enum", "MSG_???", ["sys/msg.h"],
                        ["IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO", "MSG_STAT", "MSG_INFO",
                         "MSG_STAT_ANY"]),
    "semctl_commands": ("enum", "SEM_???", ["sys/sem.h"],
                        ["IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO", "GETPID", "GETVAL",
                         "GETALL", "GETNCNT", "GETZCNT", "SETVAL", "SETALL", "SEM_STAT",
                         "SEM_INFO", "SEM_STAT_ANY"]),
    "shmctl_commands": ("enum", "SHM_???", ["sys/shm.h"],
                        ["IPC_RMID", "IPC_SET", "IPC_STAT", "IPC_INFO", "SHM_LOCK",
                         "SHM_UNLOCK", "SHM_STAT", "SHM_INFO", "SHM_STAT_ANY"]),
    "quotactl_commands": ("enum", "Q_???", ["linux/quota.h", "linux/dqblk_xfs.h"],
                          defines("linux/quota.h", r"Q_\w+") +
                          defines("linux/dqblk_xfs.h", r"Q_X\w+")),
    "quota_types": ("enum", "???QUOTA", ["linux/quota.h"], ["USRQUOTA", "GRPQUOTA", "PRJQUOTA"]),
    "fanotify_mark_flags": ("flags", "FAN_MARK_???", ["linux/fanotify.h"],
                            defines("linux/fanotify.h", r"FAN_MARK_\w+",
                                    r"FAN_MARK_(TYPE_MASK|INODE|IGNORE_SURV)")),
    "fanotify_events": ("flags", "FAN_???", ["linux/fanotify.h"],
                        defines("linux/fanotify.h",
                                r"FAN_(ACCESS|MODIFY|ATTRIB|CLOSE_WRITE|CLOSE_NOWRITE|OPEN|"
                                r"MOVED_FROM|MOVED_TO|CREATE|DELETE|DELETE_SELF|MOVE_SELF|"
                                r"OPEN_EXEC|Q_OVERFLOW|FS_ERROR|OPEN_PERM|ACCESS_PERM|"
                                r"OPEN_EXEC_PERM|EVENT_ON_CHILD|RENAME|ONDIR)")),
    "mlockall_flags": ("flags", "MCL_???", ["sys/mman.h"], ["MCL_CURRENT", "MCL_FUTURE",
                                                            "MCL_ONFAULT"]),
    "mlock_flags": ("flags", "MLOCK_???", ["sys/mman.h"], ["MLOCK_ONFAULT"]),
    "msync_flags": ("flags", "MS_???", ["sys/mman.h"], ["MS_ASYNC", "MS_INVALIDATE", "MS_SYNC"]),
    "mremap_flags": ("flags", "MREMAP_???", ["linux/mman.h"],
                     defines("linux/mman.h", r"MREMAP_\w+")),
    "madvise_advice": ("enum", "MADV_???", ["asm-generic/mman-common.h"],
                       defines("asm-generic/mman-common.h", r"MADV_\w+")),
    "itimer_which": ("enum", "ITIMER_???", ["sys/time.h"],
                     ["ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF"]),
    "wait4_options": ("flags", "W???", ["linux/wait.h"],
                      ["WNOHANG", "WUNTRACED", "WEXITED", "WCONTINUED", "WNOWAIT",
                       "__WNOTHREAD", "__WALL", "__WCLONE"]),
    "futex_ops": ("enum", "FUTEX_???", ["linux/futex.h"],
                  defines("linux/futex.h",
                          r"FUTEX_(WAIT|WAKE|FD|REQUEUE|CMP_REQUEUE|WAKE_OP|LOCK_PI|"
                          r"UNLOCK_PI|TRYLOCK_PI|WAIT_BITSET|WAKE_BITSET|WAIT_REQUEUE_PI|"
                          r"CMP_REQUEUE_PI|LOCK_PI2)")),
    "epoll_ctl_ops": ("enum", "EPOLL_CTL_???", ["sys/epoll.h"],
                      ["EPOLL_CTL_ADD", "EPOLL_CTL_DEL", "EPOLL_CTL_MOD"]),
    "o_cloexec_flags": ("flags", "O_???", ["fcntl.h"], ["O_CLOEXEC"]),
    "pipe2_flags": ("flags", "O_???", ["fcntl.h"],
                    ["O_NONBLOCK", "O_CLOEXEC", "O_DIRECT", "O_NOTIFICATION_PIPE"]),
    "epoll_create_flags": ("flags", "EPOLL_???", ["sys/epoll.h"], ["EPOLL_CLOEXEC"]),
    "eventfd_flags": ("flags", "EFD_???", ["sys/eventfd.h"],
                      ["EFD_SEMAPHORE", "EFD_CLOEXEC", "EFD_NONBLOCK"]),
    "inotify_init_flags": ("flags", "IN_???", ["sys/inotify.h"], ["IN_NONBLOCK", "IN_CLOEXEC"]),
    "timerfd_create_flags": ("flags", "TFD_???", ["sys/timerfd.h"],
                             ["TFD_NONBLOCK", "TFD_CLOEXEC"]),
    "timerfd_settime_flags": ("flags", "TFD_TIMER_???", ["sys/timerfd.h"],
                              ["TFD_TIMER_ABSTIME", "TFD_TIMER_CANCEL_ON_SET"]),
    "timer_flags": ("flags", "TIMER_???", ["time.h"], ["TIMER_ABSTIME"]),
    "memfd_create_flags": ("flags", "MFD_???", ["linux/memfd.h"],
                           ["MFD_CLOEXEC", "MFD_ALLOW_SEALING", "MFD_HUGETLB", "MFD_NOEXEC_SEAL",
                            "MFD_EXEC"]),
    "flock_ops": ("flags", "LOCK_???", ["sys/file.h"],
                  ["LOCK_SH", "LOCK_EX", "LOCK_NB", "LOCK_UN"]),
    "rusage_who": ("enum", "RUSAGE_???", ["sys/resource.h"],
                   ["RUSAGE_SELF", "RUSAGE_CHILDREN", "RUSAGE_THREAD"]),
    "priorities": ("enum", "PRIO_???", ["sys/resource.h"],
                   ["PRIO_PROCESS", "PRIO_PGRP", "PRIO_USER"]),
    "renameat2_flags": ("flags", "RENAME_???", ["linux/fs.h"],
                        ["RENAME_NOREPLACE", "RENAME_EXCHANGE", "RENAME_WHITEOUT"]),
    "umount_flags": ("flags", "MNT_???", ["sys/mount.h"],
                     ["MNT_FORCE", "MNT_DETACH", "MNT_EXPIRE", "UMOUNT_NOFOLLOW"]),
    "sched_policies": ("enum", "SCHED_???", ["sched.h"],
                       ["SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO",
                        "SCHED_IDLE", "SCHED_DEADLINE", "SCHED_EXT"]),
    "fadvise_advice": ("enum", "POSIX_FADV_???", ["fcntl.h"],
                       ["POSIX_FADV_NORMAL", "POSIX_FADV_RANDOM", "POSIX_FADV_SEQUENTIAL",
                        "POSIX_FADV_WILLNEED", "POSIX_FADV_DONTNEED", "POSIX_FADV_NOREUSE"]),
    "fd_flags": ("flags", "FD_???", ["fcntl.h"], ["FD_CLOEXEC"]),
    # structures (user/structfmt.c)
    "statx_attrs": ("flags", "STATX_ATTR_???", ["linux/stat.h"],
                    ["STATX_ATTR_COMPRESSED", "STATX_ATTR_IMMUTABLE", "STATX_ATTR_APPEND",
                     "STATX_ATTR_NODUMP", "STATX_ATTR_ENCRYPTED", "STATX_ATTR_AUTOMOUNT",
                     "STATX_ATTR_MOUNT_ROOT", "STATX_ATTR_VERITY", "STATX_ATTR_DAX",
                     "STATX_ATTR_WRITE_ATOMIC"]),
    "sigact_flags": ("flags", "SA_???", ["asm/signal.h"],
                     ["SA_RESTORER", "SA_ONSTACK", "SA_RESTART", "SA_NODEFER", "SA_RESETHAND",
                      "SA_SIGINFO", "SA_NOCLDSTOP", "SA_NOCLDWAIT"]),
    "stat_types": ("enum", "S_IF???", ["sys/stat.h"],
                   ["S_IFREG", "S_IFSOCK", "S_IFIFO", "S_IFLNK", "S_IFDIR", "S_IFBLK", "S_IFCHR"]),
    "close_range_flags": ("flags", "CLOSE_RANGE_???", ["linux/close_range.h"],
                          ["CLOSE_RANGE_UNSHARE", "CLOSE_RANGE_CLOEXEC"]),
    "ioctl_requests": ("enum", None, ["asm/termbits.h", "asm/ioctls.h", "linux/serial.h",
                                      "linux/blktrace_api.h", "linux/fiemap.h", "linux/fs.h",
                                      "linux/sockios.h"],
                       defines("asm-generic/ioctls.h", r"(T[A-Z0-9_]+|FIO\w+)",
                               r"(TIOCPKT_\w+|TIOCSER_\w+|TIOCM_\w+)") +
                       defines("linux/fs.h", r"(BLK\w+|FS_IOC\w+|FI[A-Z]+\w*)",
                               r"(BLOCK_SIZE\w*|FS_IOC_\w+32)") +
                       defines("linux/sockios.h", r"SIOC\w+",
                               r"(SIOCDEVPRIVATE|SIOCPROTOPRIVATE|SIOCGSTAMP\w*)")),
}
# io_uring_register's opcodes are an anonymous enum: pick its members by prefix.
TABLES["io_uring_register_opcodes"] = (
    "enum", "IORING_REGISTER_???", ["linux/io_uring.h"],
    [n for n in re.findall(r"^\s*(IORING_(?:UN)?REGISTER_\w+)\s*[=,]",
                           open(os.path.join(INC, "linux/io_uring.h")).read(), re.M)
     if not re.fullmatch(r"IORING_REGISTER_(LAST|USE_REGISTERED_RING|FILES_SKIP)", n)])


def evaluate(name, includes, names):
    """Values of `names` after including `includes`: {name: int}; names unknown here are left out."""
    with tempfile.TemporaryDirectory() as d:
        c, exe = os.path.join(d, "x.c"), os.path.join(d, "x")
        values = {}
        todo = list(names)
        # A name that is not a macro may still be an enum member; one that is neither fails to
        # compile: drop those one by one, so a table keeps what this system's headers know.
        while todo:
            body = "".join(f"\tprintf(\"{n.split('=')[0]} %llu\\n\", "
                           f"(unsigned long long)({n.split('=')[-1]}));\n" for n in todo)
            open(c, "w").write("".join(f"#include <{h}>\n" for h in ["stdio.h"] + includes) +
                               "int main(void)\n{\n" + body + "\treturn 0;\n}\n")
            r = subprocess.run(["cc", "-D_GNU_SOURCE", "-w", c, "-o", exe],
                               capture_output=True, text=True)
            if r.returncode == 0:
                break
            src = open(c).read().splitlines()
            bad = set()
            for ln in re.findall(r"x\.c:(\d+):\d+: error", r.stderr):
                m = re.search(r'printf\("(\w+) ', src[int(ln) - 1])
                if m:
                    bad.update(t for t in todo if t.split("=")[0] == m.group(1))
            if not bad:
                sys.exit(f"{name}: cannot compile:\n{r.stderr}")
            for b in sorted(bad):
                print(f"note: {name}: {b} not in this system's headers", file=sys.stderr)
            todo = [n for n in todo if n not in bad]
        if todo:
            out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                n, v = line.split()
                values[n] = int(v)
    return values


def build():
    tables = {}
    for name, (kind, dflt, includes, names) in TABLES.items():
        vals = evaluate(name, includes, names)
        entries, seen = [], set()
        for n in names:
            n = n.split("=")[0]  # NAME=EXPR: strace's name for a value the headers spell EXPR
            if n not in vals:
                continue
            v = vals[n]
            if kind == "enum" and v in seen:
                continue  # an alias: the first name is strace's
            seen.add(v)
            entries.append((v, n))
        tables[name] = (kind, dflt, entries)
    return tables


def c_str(s):
    return "NULL" if s is None else f'"{s}"'


def gen_h(tables):
    lines = ["/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */",
             "/* Generated by scripts/gen_xlat.py from the kernel UAPI headers; do not edit. */",
             "#ifndef AGT_XLAT_GEN_H", "#define AGT_XLAT_GEN_H", "",
             "enum xlat_id {", "\tXL_NONE = 0,"]
    lines += [f"\tXL_{n}," for n in tables]
    lines += ["\tXL_COUNT", "};", "", "#endif", ""]
    return "\n".join(lines)


def gen_c(tables):
    lines = ["// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)",
             "/* Generated by scripts/gen_xlat.py from the kernel UAPI headers; do not edit. */",
             "#include <stddef.h>", "", '#include "xlat.h"', "",
             "/* clang-format off */"]
    for n, (kind, dflt, entries) in tables.items():
        lines.append(f"static const struct xlat xl_{n}[] = {{")
        for v, s in entries:
            lines.append(f'\t{{{v:#x}ULL, "{s}"}},')
        lines.append("};")
    lines.append("")
    lines.append("const struct xlat_tab xlat_tabs[XL_COUNT] = {")
    for n, (kind, dflt, entries) in tables.items():
        k = "XLAT_FLAGS" if kind == "flags" else "XLAT_ENUM"
        lines.append(f"\t[XL_{n}] = {{xl_{n}, {len(entries)}, {k}, {c_str(dflt)}}},")
    lines.append("};")
    lines.append("/* clang-format on */")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only compare with the checked-in files")
    ap.add_argument("--dump", action="store_true", help="print the tables")
    opts = ap.parse_args()
    tables = build()
    if opts.dump:
        for n, (kind, dflt, entries) in tables.items():
            print(n, kind, " ".join(f"{s}={v:#x}" for v, s in entries))
        return 0
    stale = False
    for path, text in ((OUT_H, gen_h(tables)), (OUT_C, gen_c(tables))):
        old = open(path).read() if os.path.exists(path) else ""
        if old != text:
            stale = True
            if not opts.check:
                open(path, "w").write(text)
    if opts.check and stale:
        print("user/xlat_gen.[ch] are stale; run scripts/gen_xlat.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
