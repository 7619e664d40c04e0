/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_probe.h - loading bpf/tls.bpf.c and attaching its uprobes to every OpenSSL the traced
 * processes can use: the system's libssl and node up front (a process that has not loaded libssl
 * yet will), then every executable mapping of the traced processes, rescanned as they appear.
 */
#ifndef AGT_TLS_PROBE_H
#define AGT_TLS_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct tls_probe;
struct ring_buffer;

/*
 * Opens and loads the TLS programs sharing the tracer's `tracked` map (fd), in the best mode
 * this kernel runs - proven by a probe on the tracer's own code that must fire - and says on
 * stderr what each fallback costs (unless quiet). Returns NULL with a reason in err when no mode
 * works - the caller goes on without TLS capture.
 */
struct tls_probe *tls_probe__new(int tracked_fd, uint64_t max_bytes, bool quiet, char *err,
				 size_t errlen);
/* How the probes are attached and the data copied, e.g. "uprobe_multi+bpf_loop". */
const char *tls_probe_mode(const struct tls_probe *t);
void tls_probe__free(struct tls_probe *t); /* NULL is a no-op */
int tls_probe_ring_fd(const struct tls_probe *t);
/* Attaches to `path` if it defines SSL_write/SSL_read; 1 attached, 0 not OpenSSL or already done.
 */
int tls_probe_attach_file(struct tls_probe *t, const char *path);
/*
 * The binary `cmd` names (a path, or a name looked up in PATH as execvp does), before it runs:
 * a Bun single binary's BoringSSL takes a scan to locate, and a Go binary carries its TLS
 * itself; neither must race its first call.
 */
void tls_probe_attach_command(struct tls_probe *t, const char *cmd);
/* The libssl in the standard library directories and node/nodejs in PATH. */
void tls_probe_attach_system(struct tls_probe *t);
/* What the tracer knows of a file's TLS stack. */
enum tls_file_state {
	TLS_FILE_NONE,	 /* no TLS stack recognised */
	TLS_FILE_PROBED, /* its plaintext boundary has probes */
	TLS_FILE_BLIND,	 /* a TLS stack the probes cannot see (why: see tls_pid_cov) */
};

/* A process's TLS coverage, from its mappings: the first probed and the first blind file. */
struct tls_pid_cov {
	bool mapped;	  /* its mappings were read (false: it had ended, or is a zombie) */
	char exe[256];	  /* the program (/proc/PID/exe), read while the process is there */
	char probed[256]; /* path as mapped ("" if none) */
	const char *probed_stack;
	char blind[256];
	const char *blind_stack;
	char why[256]; /* e.g. "BoringSSL statically linked, functions not located" */
};

/*
 * What the tracer already knows of the file at `path` (one stat, no parsing: it runs on the
 * consumer's hot path): its state, and for PROBED/BLIND its stack and (BLIND) why; NONE for a
 * file not looked at yet. The strings live with the probe.
 */
enum tls_file_state tls_probe_file_known(struct tls_probe *t, const char *path,
					 const char **stack, const char **why);
/* Every executable file mapping of `pid` (through /proc/PID/root); cov (may be NULL) filled. */
void tls_probe_scan_pid(struct tls_probe *t, pid_t pid, struct tls_pid_cov *cov);
/* The per-CPU counter (one __u64 per CPU at key 0) of TLS records the ring had no room for. */
int tls_probe_drops_fd(const struct tls_probe *t);

#endif
