// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench_rec_io.c - the recording's events file on its own, for `make bench` (scripts/bench_rec.sh):
 *
 *   bench_rec_io write LINES.jsonl BASE   the recorder's writer thread fed the lines in 1 MiB
 *                                         blocks as fast as it takes them (queue big enough for
 *                                         all): events/s from open to close (fsyncs
 *                                         included), events per CPU-second of the writer
 *                                         thread (the process's CPU time less this
 *                                         thread's), bytes on disk.
 *                                         AGTRACE_REC_CODEC=gzip for the format before zstd.
 *   bench_rec_io read DIR [CHUNK]         evfile_read over the whole events file, CHUNK bytes
 *                                         a call (default 1 MiB): MB/s and lines/s of
 *                                         decompression alone.
 *
 * Built -O2 against the core objects by `make .output/bench_rec_io`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "evfile.h"
#include "recorder.h"

#define BLOCK (1u << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return NULL;
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		return NULL;
	fclose(f);
	*len = n;
	return buf;
}

static int bench_write(const char *lines, const char *base)
{
	char err[256], path[4096], qsize[32];
	struct recorder *r;
	size_t len, off = 0, n = 0;
	struct stat st;
	double t0, t1, c0, c1, m0, m1;
	char *buf = slurp(lines, &len);
	const char *codec = getenv("AGTRACE_REC_CODEC");

	if (!buf) {
		fprintf(stderr, "bench_rec_io: cannot read %s\n", lines);
		return 1;
	}
	for (char *p = buf; (p = memchr(p, '\n', buf + len - p)); p++)
		n++;
	snprintf(qsize, sizeof(qsize), "%zu", len + (64u << 20));
	setenv("AGTRACE_REC_QUEUE", qsize, 1);
	t0 = now();
	c0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
	m0 = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	r = recorder__open(base, 1, "bench", err, sizeof(err));
	if (!r) {
		fprintf(stderr, "bench_rec_io: %s\n", err);
		return 1;
	}
	while (off < len) {
		size_t end = off + BLOCK < len ? off + BLOCK : len;
		char *nl = memrchr(buf + off, '\n', end - off);

		end = nl ? (size_t)(nl + 1 - buf) : len;
		recorder_events(r, buf + off, end - off);
		off = end;
	}
	if (recorder_dropped(r))
		fprintf(stderr, "bench_rec_io: %llu lines dropped\n",
			(unsigned long long)recorder_dropped(r));
	snprintf(path, sizeof(path), "%s/%s", recorder_dir(r),
		 codec && !strcmp(codec, "gzip") ? EVFILE_GZIP : EVFILE_ZSTD);
	if (recorder__close(r, NULL))
		return 1;
	t1 = now();
	c1 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
	m1 = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	if (stat(path, &st))
		return 1;
	printf("%s: %zu events (%.1f MB JSON) in %.3f s: %.0f events/s (%.0f MB/s), "
	       "writer thread %.0f events per CPU-second; %.1f MB on disk, %.1f bytes/event\n",
	       strrchr(path, '/') + 1, n, len / 1e6, t1 - t0, n / (t1 - t0), len / 1e6 / (t1 - t0),
	       n / ((c1 - c0) - (m1 - m0)), st.st_size / 1e6, (double)st.st_size / n);
	free(buf);
	return 0;
}

static int bench_read(const char *dir, size_t chunk)
{
	static char buf[1 << 20];
	struct rec_err err;
	struct evfile *f;
	size_t total = 0, lines = 0;
	ssize_t n;
	double t0 = now(), t1;

	if (evfile__open(&f, dir, &err)) {
		fprintf(stderr, "bench_rec_io: %s\n", err.msg);
		return 1;
	}
	if (!chunk || chunk > sizeof(buf))
		chunk = sizeof(buf);
	while ((n = evfile_read(f, buf, chunk)) > 0) {
		total += n;
		for (char *p = buf; (p = memchr(p, '\n', buf + n - p)); p++)
			lines++;
	}
	t1 = now();
	printf("%s: %zu lines (%.1f MB) in %.3f s: %.0f MB/s, %.0f lines/s%s%s\n",
	       strrchr(evfile_path(f), '/') + 1, lines, total / 1e6, t1 - t0,
	       total / 1e6 / (t1 - t0), lines / (t1 - t0), n < 0 ? "; warning: " : "",
	       n < 0 ? evfile_warning(f) : "");
	evfile__free(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "write"))
		return bench_write(argv[2], argv[3]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "read"))
		return bench_read(argv[2], argc == 4 ? strtoul(argv[3], NULL, 0) : 0);
	fprintf(stderr, "usage: bench_rec_io write LINES.jsonl BASE | read DIR [CHUNK]\n");
	return 1;
}
