// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench_recording.c - analyzer figures for DESIGN.md §8: time to open and index a recording,
 * time per goto (binary search) and per snapshot lookup, peak RSS against the decompressed size.
 *
 *   scripts/gen_recording.py --out /tmp/bench --events 1000000
 *   cc -O2 -std=gnu11 -D_GNU_SOURCE -Ianalyze tests/fuzz/bench_recording.c \
 *       $(ls analyze/[a-z]*.c) -lcjson -lz -lzstd -lm -o bench_recording
 *   ./bench_recording /tmp/bench/4242-20260329-101500
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recording.h"
#include "replay.h"
#include "snapshot.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long vm_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key) + 1);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	const int gotos = 1000000;
	struct recording *r;
	struct snapfinder *f;
	struct replay *s;
	struct rec_err err;
	double t0, t1, t2, t3;
	size_t n, bytes = 0, idx, hits = 0;
	uint64_t x = 88172645463325252ULL;

	if (argc != 2) {
		fprintf(stderr, "usage: %s RECORDING_DIR\n", argv[0]);
		return 1;
	}
	t0 = now();
	if (recording__open_dir(&r, argv[1], &err)) {
		fprintf(stderr, "agtrace-bpf: %s\n", err.msg);
		return 1;
	}
	t1 = now();
	n = recording__count(r);
	for (size_t i = 0; i < n; i++)
		bytes += recording__event(r, i)->len + 1;
	s = replay__new(r, stdout, stderr);
	f = snapfinder__new(r);
	for (int i = 0; i < gotos; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		hits += !replay__goto(s, x % n);
	}
	t2 = now();
	for (int i = 0; i < gotos; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		hits += !snapfinder__find(f, x % n, &idx);
	}
	t3 = now();
	printf("events %zu, decompressed %.1f MiB\n", n, bytes / 1048576.0);
	printf("load+index %.3f s (%.0f events/s, %.1f MiB/s)\n", t1 - t0, n / (t1 - t0),
	       bytes / 1048576.0 / (t1 - t0));
	printf("goto %.0f ns each, snapshot find %.0f ns each (%zu hits)\n", (t2 - t1) * 1e9 / gotos,
	       (t3 - t2) * 1e9 / gotos, hits);
	printf("peak RSS %.1f MiB (%.2fx decompressed)\n", vm_kb("VmHWM:") / 1024.0,
	       vm_kb("VmHWM:") * 1024.0 / bytes);
	snapfinder__free(f);
	replay__free(s);
	recording__free(r);
	return 0;
}
