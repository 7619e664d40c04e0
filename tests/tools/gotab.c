// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gotab - what the Go locator sees in a binary, for tests against independent oracles
 * (tests/integration/go_tests.sh compares with `go tool nm`, `go tool objdump`, GNU objdump):
 *   gotab funcs FILE    every function of Go's table: "ENTRY END NAME" (hex addresses)
 *   gotab insns FILE    every function decoded from entry to end: "ADDR" per instruction,
 *                       "BAD ADDR NAME" where the decoder gives up (the rest of that function
 *                       is skipped)
 *   gotab locate FILE   tls_go_locate's answer: the offsets, or the reason, and its time
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gopclntab.h"
#include "tls_go.h"
#include "x86dec.h"

static int funcs(struct gobin *g, int insns)
{
	for (size_t i = 0; i < gobin_nfuncs(g); i++) {
		struct gofunc f;
		const char *name = gobin_func(g, i, &f);

		if (!name) {
			fprintf(stderr, "gotab: malformed entry %zu\n", i);
			return 1;
		}
		if (!insns) {
			printf("%llx %llx %s\n", (unsigned long long)f.entry,
			       (unsigned long long)f.end, name);
			continue;
		}
		for (uint64_t a = f.entry; a < f.end;) {
			struct x86_insn in;

			if (!x86_decode(f.code + (a - f.entry), f.end - a, a, &in)) {
				printf("BAD %llx %s\n", (unsigned long long)a, name);
				break;
			}
			printf("%llx\n", (unsigned long long)a);
			a += in.len;
		}
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int locate(const char *path)
{
	struct tls_go_probes p;
	char why[256];
	double t0 = now();
	int r = tls_go_locate(path, &p, why, sizeof(why));
	double us = (now() - t0) * 1e6;

	printf("result %d\ntime_us %.0f\n", r, us);
	if (r < 0)
		printf("why %s\n", why);
	if (r <= 0)
		return 0;
	printf("write %zx\nread %zx\nclose %zx\nhs_client %zx\nhs_server %zx\n", p.write, p.read,
	       p.close, p.hs_client, p.hs_server);
	printf("read_ret");
	for (unsigned i = 0; i < p.nread_ret; i++)
		printf(" %zx", p.read_ret[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct gobin *g;
	char why[256];
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: gotab funcs|insns|locate FILE\n");
		return 2;
	}
	if (!strcmp(argv[1], "locate"))
		return locate(argv[2]);
	r = gobin__open(argv[2], &g, why, sizeof(why));
	if (r <= 0) {
		fprintf(stderr, "gotab: %s: %s\n", argv[2], r ? why : "not a Go binary");
		return 1;
	}
	if (gobin_error(g)) {
		fprintf(stderr, "gotab: %s: %s\n", argv[2], gobin_error(g));
		gobin__free(g);
		return 1;
	}
	fprintf(stderr, "gotab: %s %s magic 0x%08x, %zu functions\n", argv[2], gobin_version(g),
		gobin_magic(g), gobin_nfuncs(g));
	r = funcs(g, !strcmp(argv[1], "insns"));
	gobin__free(g);
	return r;
}
