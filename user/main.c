// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c - agtrace-bpf entry point: parse, check the environment, trace.
 *
 * Every failure before tracing starts is one line on stderr and exit status 1, checked in the
 * order a user can act on: the command line, the target, privileges, kernel support.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launch.h"
#include "opts.h"
#include "proctree.h"
#include "tracer.h"
#include "verbs.h"

#define CAP_BPF_BIT	  39
#define CAP_PERFMON_BIT	  38
#define CAP_SYS_ADMIN_BIT 21

static bool has_cap(const struct __user_cap_data_struct *d, int bit)
{
	return d[bit / 32].effective & (1u << (bit % 32));
}

/* Root, or CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN, which implies both on older kernels). */
static bool privileged(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {0};

	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0;
	return has_cap(d, CAP_SYS_ADMIN_BIT) ||
	       (has_cap(d, CAP_BPF_BIT) && has_cap(d, CAP_PERFMON_BIT));
}

/* Offline verbs (analyze/): they read recordings and need no privileges. */
static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
} verbs[] = {
    {"records", verb_records}, {"replay", verb_replay}, {"diff", verb_diff},
    {"fork", verb_fork},       {"tree", verb_tree},	{"blame", verb_blame},
    {"stats", verb_stats},     {"growth", verb_growth}, {"ctx", verb_ctx},
};

int main(int argc, char **argv)
{
	const char *btf = getenv("AGTRACE_BTF_PATH");
	struct launch l = {.pid = -1, .gate = -1};
	char err[512];
	struct opts o;
	int ret;

	for (size_t i = 0; argc > 1 && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);

	/* `record` takes the tracing options; it records instead of printing lines */
	bool record = argc > 1 && !strcmp(argv[1], "record");

	ret = opts_parse(&o, argc - record, argv + record, err, sizeof(err));
	if (ret > 0)
		return 0;
	if (!ret && record && o.summary) {
		snprintf(err, sizeof(err),
			 "-c counts in the kernel and keeps no events: it cannot record");
		ret = -1;
	}
	if (ret < 0) {
		fprintf(stderr, "agtrace-bpf: %s\n", err);
		return 1;
	}
	if (record) {
		o.record = true;
		o.no_live = !o.outfile; /* lines only where asked: -o FILE */
	}
	if (!proc_in_init_pidns()) {
		fprintf(stderr,
			"agtrace-bpf: running inside a PID namespace: the kernel reports "
			"global process ids, run agtrace-bpf in the host's PID namespace\n");
		return 1;
	}
	for (int i = 0; i < o.npids; i++) {
		if (!proc_exists(o.pids[i])) {
			fprintf(stderr, "agtrace-bpf: no such process: %d\n", o.pids[i]);
			return 1;
		}
		if (!proc_is_tgid(o.pids[i])) {
			fprintf(stderr, "agtrace-bpf: %d is a thread, not a process: use its pid\n",
				o.pids[i]);
			return 1;
		}
	}
	if (!privileged()) {
		fprintf(stderr, "agtrace-bpf: permission denied: loading BPF programs needs root "
				"or CAP_BPF and CAP_PERFMON\n");
		return 1;
	}
	if (!btf)
		btf = "/sys/kernel/btf/vmlinux";
	if (access(btf, R_OK)) {
		fprintf(stderr,
			"agtrace-bpf: kernel BTF not available (%s: %s): a kernel built "
			"with CONFIG_DEBUG_INFO_BTF=y is required\n",
			btf, strerror(errno));
		return 1;
	}
	if (o.cmd) {
		if (launch_start(&l, o.cmd, err, sizeof(err))) {
			fprintf(stderr, "agtrace-bpf: %s\n", err);
			return 1;
		}
	}
	ret = tracer_run(&o, o.cmd ? &l : NULL);
	if (o.cmd && l.gate >= 0)
		launch_abort(&l);
	return ret;
}
