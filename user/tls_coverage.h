/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_coverage.h - never silent about TLS the tracer cannot see.
 *
 * A traced process that does a TLS handshake (a ClientHello it writes or a ServerHello it reads,
 * seen in the syscall buffers) or connects to port 443 through a library without probes gets one
 * line on stderr and a `coverage` event naming the process, the binary and why ("BoringSSL
 * statically linked, functions not located"). A process whose probed library saw none of its
 * handshakes' plaintext by the time it exits is reported the same way: it used another stack.
 * Covered processes get a `coverage` event too (status "probed"), without the stderr line.
 */
#ifndef AGT_TLS_COVERAGE_H
#define AGT_TLS_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "tls_probe.h"

struct tls_coverage;

/* Where the events go: h names the process; obj is the event's JSON object ("coverage": obj). */
typedef void (*tls_cov_emit_fn)(void *ctx, const struct agt_hdr *h, const char *obj, size_t len);

/*
 * Reads tgid's mappings again into *cov (tls_probe_scan_pid): asked before a process is called
 * blind, because the scan at its exec can run before the dynamic loader has mapped its TLS
 * library (seen on an emulated 6.1 guest: wget's libgnutls not mapped yet).
 */
typedef void (*tls_cov_rescan_fn)(void *ctx, uint32_t tgid, struct tls_pid_cov *cov);

/*
 * What the tracer already knows of a file a process mapped executable (tls_probe_file_known):
 * its state, stack and why. Learned from the process's own openat + mmap, which stay true when the
 * process is gone before /proc/PID/maps can be read (a fast curl against a local server).
 */
typedef enum tls_file_state (*tls_cov_classify_fn)(void *ctx, const char *path,
						    const char **stack, const char **why);

/*
 * quiet: no stderr lines (the events are still emitted). rescan and classify may be NULL
 * (without classify, only libraries known by name count). NULL on ENOMEM.
 */
struct tls_coverage *tls_coverage__new(tls_cov_emit_fn emit, tls_cov_rescan_fn rescan,
				       tls_cov_classify_fn classify, void *ctx, bool quiet);
void tls_coverage__free(struct tls_coverage *c);
/*
 * What a scan of tgid's mappings found: after an exec, exec_ts is the exec's timestamp (the old
 * image is forgotten); 0 for a rescan (what it finds adds to what was known).
 */
void tls_coverage_image(struct tls_coverage *c, uint32_t tgid, const struct tls_pid_cov *cov,
			uint64_t exec_ts);
/* A syscall record (checked): handshakes and port-443 connects. */
void tls_coverage_syscall(struct tls_coverage *c, const struct agt_syscall *r, size_t size);
/* A record of tgid's TLS probes (plaintext or a connection event), stamped ts. */
void tls_coverage_plaintext(struct tls_coverage *c, uint32_t tgid, uint64_t ts);
/* The process ended (h: its exit record's header). */
void tls_coverage_exit(struct tls_coverage *c, const struct agt_hdr *h);
/*
 * The TLS library a file is, by its name, when the tracer has no probes for any of its kind
 * ("GnuTLS", "NSS", "wolfSSL", "Mbed TLS", "s2n-tls"); NULL otherwise.
 */
const char *tls_unprobed_library(const char *path);

/* Processes reported blind so far. */
unsigned long tls_coverage_blind(const struct tls_coverage *c);

#endif
