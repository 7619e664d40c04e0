// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bssl_locate - the BoringSSL locator's dry run: where agtrace-bpf would put its uprobes in each
 * FILE, and how long finding them took. AGTRACE_CACHE_DIR picks the symbol cache (the second
 * run of a file is the cached one).
 *
 * usage: bssl_locate FILE...
 * output: FILE: write=0xOFF read=0xOFF new=0xOFF sites=N parsed=N funcs=N refused=N ms=T [cached]
 *         FILE: not BoringSSL ms=T
 *         FILE: not located: WHY ms=T
 * exit: 0 if every FILE was located, 1 otherwise.
 */
#include <stdio.h>
#include <time.h>

#include "tls_bssl.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	int status = argc > 1 ? 0 : 1;

	for (int i = 1; i < argc; i++) {
		struct tls_bssl b;
		char why[160];
		double t0 = now_ms();
		int r = tls_bssl_locate(argv[i], &b, why, sizeof(why));
		double ms = now_ms() - t0;

		if (r > 0)
			printf("%s: write=%#zx read=%#zx new=%#zx sites=%u parsed=%u funcs=%u "
			       "refused=%u ms=%.1f%s\n",
			       argv[i], b.off[BSSL_WRITE], b.off[BSSL_READ], b.off[BSSL_NEW],
			       b.nsites, b.nparsed, b.nfuncs, b.nrefused, ms,
			       b.cached ? " cached" : "");
		else if (r == 0)
			printf("%s: not BoringSSL ms=%.1f%s\n", argv[i], ms,
			       b.cached ? " cached" : "");
		else
			printf("%s: not located: %s (sites=%u parsed=%u funcs=%u refused=%u) "
			       "ms=%.1f\n",
			       argv[i], why, b.nsites, b.nparsed, b.nfuncs, b.nrefused, ms);
		if (r <= 0)
			status = 1;
	}
	return status;
}
