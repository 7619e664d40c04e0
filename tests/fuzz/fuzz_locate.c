// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_locate.c - libFuzzer harness for the TLS locators, which read whatever executable a
 * traced process maps: BoringSSL (tls_bssl.c), AWS-LC (tls_awslc.c), OpenSSL 3 stripped
 * (tls_ossl.c) and Go's function table (tls_go.c, gopclntab.c), over the shared ELF readers
 * (elfscan.c) and the x86-64 decoder (x86dec.c).
 *
 * Input: the file's bytes, as they are (the seeds are small real ELF files, so mutations keep
 * a header that parses and reach the code scans). The file is a memfd, read by its
 * /proc/self/fd path as the tracer reads a mapping through /proc/PID/root.
 *
 * Checked: no crash, no sanitizer report; a located function's offset lies inside the file; a
 * refusal (<0) comes with a reason, a success or "not this stack" (>=0) with none.
 *
 *   make fuzz FUZZ=locate FUZZ_TIME=300   (seeds: tests/fuzz/corpus-locate)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tls_awslc.h"
#include "tls_bssl.h"
#include "tls_go.h"
#include "tls_ossl.h"

static int fd = -1;
static char path[64];

static void inside(size_t off, size_t size)
{
	if (off >= size)
		__builtin_trap();
}

static void reason(int r, const char *why)
{
	if ((r < 0) != (why[0] != '\0'))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_bssl b;
	struct tls_awslc_funcs a;
	struct tls_ossl_funcs o;
	struct tls_go_probes g;
	char why[256];
	int r;

	if (fd < 0) {
		/* no cache: each input is a new file, and the answers must come from its bytes */
		setenv("AGTRACE_CACHE_DIR", "/nonexistent/agtrace-fuzz", 1);
		fd = memfd_create("fuzz_locate", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();

	why[0] = '\0';
	r = tls_bssl_locate(path, &b, why, sizeof(why));
	reason(r, why);
	for (int i = 0; r > 0 && i < BSSL_NFUNCS; i++)
		if (b.off[i])
			inside(b.off[i], size);

	why[0] = '\0';
	r = tls_awslc_locate(path, &a, why, sizeof(why));
	reason(r, why);
	for (int i = 0; r > 0 && i < AWSLC_MAX; i++)
		if (a.off[i])
			inside(a.off[i], size);

	why[0] = '\0';
	r = tls_ossl_locate(path, &o, why, sizeof(why));
	reason(r, why);
	if (r > 0) {
		inside(o.write_internal, size);
		inside(o.read_internal, size);
	}

	why[0] = '\0';
	r = tls_go_locate(path, &g, why, sizeof(why));
	reason(r, why);
	if (r > 0) {
		inside(g.write, size);
		inside(g.read, size);
		for (unsigned i = 0; i < g.nread_ret && i < TLS_GO_MAX_RETS; i++)
			inside(g.read_ret[i], size);
	}
	return 0;
}
