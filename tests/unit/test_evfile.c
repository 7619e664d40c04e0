// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_evfile.c - a recording's events file as decompressed bytes: zstd frames, gzip members,
 * truncated and corrupt tails, garbage, empty and missing files, which file wins.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "evfile.h"
#include "rec_fixture.h"

/* A growing byte buffer for building files. */
struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* One complete zstd frame of text (with a checksum, as the recorder writes). */
static void zstd_frame(struct bytes *b, const char *text, size_t len)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(len);
	unsigned char *out = malloc(cap);
	size_t n;

	assert_non_null(out);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	n = ZSTD_compress2(cc, out, cap, text, len);
	assert_false(ZSTD_isError(n));
	put(b, out, n);
	free(out);
	ZSTD_freeCCtx(cc);
}

/* A zstd frame flushed but never ended: what a writer killed between flushes leaves. */
static void zstd_unfinished(struct bytes *b, const char *text)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	unsigned char out[1 << 16];
	ZSTD_inBuffer in = {text, strlen(text), 0};
	ZSTD_outBuffer o = {out, sizeof(out), 0};
	size_t left;

	do
		left = ZSTD_compressStream2(cc, &o, &in, ZSTD_e_flush);
	while (left && !ZSTD_isError(left));
	assert_false(ZSTD_isError(left));
	put(b, out, o.pos);
	ZSTD_freeCCtx(cc);
}

/* One complete gzip member of text. */
static void gzip_member(struct bytes *b, const char *text, size_t len)
{
	z_stream z = {0};
	size_t cap = len + len / 8 + 128;
	unsigned char *out = malloc(cap);

	assert_non_null(out);
	assert_int_equal(deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	put(b, out, cap - z.avail_out);
	deflateEnd(&z);
	free(out);
}

/* Reads the whole stream in chunks of step bytes; returns the last evfile_read result. */
static ssize_t read_all(struct evfile *f, struct bytes *out, size_t step)
{
	unsigned char buf[1 << 16];
	ssize_t n;

	assert_true(step <= sizeof(buf));
	while ((n = evfile_read(f, buf, step)) > 0)
		put(out, buf, (size_t)n);
	return n;
}

static const char text_a[] =
    "{\"seq_num\":1,\"type\":\"syscall\"}\n{\"seq_num\":2,\"type\":\"x\"}\n";
static const char text_b[] = "{\"seq_num\":3,\"type\":\"process\"}\n";

enum codec { ZST, GZ };

/*
 * Whole files read back byte for byte, whatever the read size; how each stream ends (clean,
 * truncated, corrupt) and the warning that says so.
 */
static void test_evfile_streams(void **state)
{
	static const struct {
		const char *what;
		enum codec codec;
		int build; /* see below */
		const char *want;
		ssize_t end;
		bool truncated;
		const char *warning;
	} cases[] = {
	    {"zstd, two frames", ZST, 0, "AB", 0, false, NULL},
	    {"zstd, frame then unfinished frame", ZST, 1, "AB", -1, true, "unexpected end of file"},
	    {"zstd, second frame cut short", ZST, 2, "A", -1, true, "unexpected end of file"},
	    {"zstd, frame then garbage", ZST, 3, "A", -1, false, "Unknown frame descriptor"},
	    {"zstd, skippable frame first", ZST, 4, "AB", 0, false, NULL},
	    {"zstd, empty frame only (recorder just opened)", ZST, 5, "", 0, false, NULL},
	    {"zstd, empty file", ZST, 6, "", 0, false, NULL},
	    {"zstd, header only", ZST, 7, "", -1, true, "unexpected end of file"},
	    {"gzip, two members", GZ, 0, "AB", 0, false, NULL},
	    {"gzip, second member cut short", GZ, 2, "A", -1, true, "unexpected end of file"},
	    {"gzip, member then garbage (ignored, as gzread always did)", GZ, 3, "A", 0, false,
	     NULL},
	    {"gzip, empty file", GZ, 6, "", 0, false, NULL},
	};
	static const size_t steps[] = {1, 7, 4096, 65536};
	char *base = fx_base(), dir[4096];

	(void)state;
	fx_dir(base, "r", dir, sizeof(dir));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bytes file = {0}, want = {0};
		const char *name = cases[i].codec == ZST ? EVFILE_ZSTD : EVFILE_GZIP;
		void (*whole)(struct bytes *, const char *, size_t) =
		    cases[i].codec == ZST ? zstd_frame : gzip_member;

		switch (cases[i].build) {
		case 0:
		case 1:
		case 2:
		case 3:
			whole(&file, text_a, strlen(text_a));
			if (cases[i].build == 0) {
				whole(&file, text_b, strlen(text_b));
			} else if (cases[i].build == 1) {
				zstd_unfinished(&file, text_b);
			} else if (cases[i].build == 2) {
				size_t keep = file.len;

				/* a killed writer's last frame: its magic and no more */
				whole(&file, text_b, strlen(text_b));
				file.len = keep + 4;
			} else {
				put(&file, "\x01\x02garbage", 9);
			}
			break;
		case 4:
			put(&file, "\x50\x2a\x4d\x18\x03\x00\x00\x00xyz", 11);
			whole(&file, text_a, strlen(text_a));
			whole(&file, text_b, strlen(text_b));
			break;
		case 5:
			whole(&file, "", 0);
			break;
		case 6:
			break;
		case 7:
			zstd_frame(&file, text_a, strlen(text_a));
			file.len = 6;
			break;
		}
		for (const char *w = cases[i].want; *w; w++)
			put(&want, *w == 'A' ? text_a : text_b,
			    strlen(*w == 'A' ? text_a : text_b));
		unlink(strcat(strcpy((char[4200]){0}, dir), "/" EVFILE_ZSTD));
		unlink(strcat(strcpy((char[4200]){0}, dir), "/" EVFILE_GZIP));
		fx_write(dir, name, file.p, file.len);

		for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			struct bytes got = {0};
			struct evfile *f;
			struct rec_err err;
			char path[4200];
			ssize_t end;

			if (evfile__open(&f, dir, &err))
				fail_msg("%s: %s", cases[i].what, err.msg);
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			assert_string_equal(evfile_path(f), path);
			end = read_all(f, &got, steps[s]);
			if (got.len != want.len || (got.len && memcmp(got.p, want.p, got.len)))
				fail_msg("%s, reads of %zu: %zu bytes, want %zu", cases[i].what,
					 steps[s], got.len, want.len);
			if (end != cases[i].end)
				fail_msg("%s: ends with %zd, want %zd", cases[i].what, end,
					 cases[i].end);
			assert_int_equal(evfile_read(f, (char[8]){0}, 8), end); /* sticky */
			assert_int_equal(evfile_truncated(f), cases[i].truncated);
			if (cases[i].warning)
				assert_string_equal(evfile_warning(f), cases[i].warning);
			else
				assert_null(evfile_warning(f));
			evfile__free(f);
			free(got.p);
		}
		free(file.p);
		free(want.p);
	}
	fx_rm(base);
}

/* Files that hold no events at all: an error at open naming the file. */
static void test_evfile_refused(void **state)
{
	static const struct {
		enum codec codec;
		const char *data;
		size_t len;
		int ret;
		const char *msg; /* after "<path>: " */
	} cases[] = {
	    {ZST, "{\"seq_num\":1}\n", 14, -EINVAL, "not zstd data"},
	    {ZST, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10, -EINVAL, "not zstd data"},
	    {ZST,
	     "\x28\xb5\x2f\xfd\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 20,
	     -EINVAL, "not zstd data (Unsupported frame parameter)"},
	    {GZ, "{\"seq_num\":1}\n", 14, -EINVAL, "not gzip data"},
	    {GZ, "\x28\xb5\x2f\xfd\x00\x00", 6, -EINVAL, "not gzip data"},
	    {GZ, "\x1f\x8b\x07\x00\x00\x00\x00\x00\x00\x03\x03\x00", 12, -EINVAL,
	     "not gzip data (unknown compression method)"},
	};
	char *base = fx_base(), dir[4096], want[4400];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = cases[i].codec == ZST ? EVFILE_ZSTD : EVFILE_GZIP;
		struct evfile *f = (struct evfile *)1;
		struct rec_err err;
		char id[16];

		snprintf(id, sizeof(id), "r%zu", i);
		fx_dir(base, id, dir, sizeof(dir));
		fx_write(dir, name, cases[i].data, cases[i].len);
		if (evfile__open(&f, dir, &err) != cases[i].ret)
			fail_msg("case %zu: not refused (%s)", i, f ? "opened" : err.msg);
		assert_null(f);
		snprintf(want, sizeof(want), "%s/%s: %s", dir, name, cases[i].msg);
		assert_string_equal(err.msg, want);
	}
	fx_rm(base);
}

/* No events file: -ENOENT naming today's name. Both files: the zstd one is read. */
static void test_evfile_missing_and_precedence(void **state)
{
	char *base = fx_base(), dir[4096], want[4400];
	struct bytes z = {0}, g = {0}, got = {0};
	struct rec_err err;
	struct evfile *f;

	(void)state;
	fx_dir(base, "m", dir, sizeof(dir));
	assert_int_equal(evfile__open(&f, dir, &err), -ENOENT);
	assert_null(f);
	snprintf(want, sizeof(want), "%s/events.jsonl.zst: No such file or directory", dir);
	assert_string_equal(err.msg, want);

	gzip_member(&g, text_a, strlen(text_a));
	fx_write(dir, EVFILE_GZIP, g.p, g.len);
	assert_int_equal(evfile__open(&f, dir, &err), 0);
	assert_int_equal(read_all(f, &got, 4096), 0);
	assert_int_equal(got.len, strlen(text_a));
	evfile__free(f);

	got.len = 0;
	zstd_frame(&z, text_b, strlen(text_b));
	fx_write(dir, EVFILE_ZSTD, z.p, z.len);
	assert_int_equal(evfile__open(&f, dir, &err), 0);
	assert_int_equal(read_all(f, &got, 4096), 0);
	assert_int_equal(got.len, strlen(text_b));
	assert_memory_equal(got.p, text_b, got.len);
	snprintf(want, sizeof(want), "%s/events.jsonl.zst", dir);
	assert_string_equal(evfile_path(f), want);
	evfile__free(f);
	evfile__free(NULL);
	free(z.p), free(g.p), free(got.p);
	fx_rm(base);
}

/* Megabytes over many frames, larger than every internal buffer, read in odd sizes. */
static void test_evfile_large(void **state)
{
	const size_t lines = 200000;
	struct bytes text = {0}, file = {0}, got = {0};
	char *base = fx_base(), dir[4096], line[128];
	size_t frame_start = 0;
	struct rec_err err;
	struct evfile *f;

	(void)state;
	fx_dir(base, "l", dir, sizeof(dir));
	for (size_t i = 0; i < lines; i++) {
		int n = snprintf(line, sizeof(line),
				 "{\"seq_num\":%zu,\"type\":\"syscall\",\"h\":%zu}\n", i,
				 (i * 2654435761u) % 1000003);

		put(&text, line, (size_t)n);
		if (i % 50000 == 49999) {
			zstd_frame(&file, (char *)text.p + frame_start, text.len - frame_start);
			frame_start = text.len;
		}
	}
	fx_write(dir, EVFILE_ZSTD, file.p, file.len);
	assert_int_equal(evfile__open(&f, dir, &err), 0);
	assert_int_equal(read_all(f, &got, 65521), 0);
	assert_int_equal(got.len, text.len);
	assert_memory_equal(got.p, text.p, text.len);
	assert_null(evfile_warning(f));
	evfile__free(f);
	free(text.p), free(file.p), free(got.p);
	fx_rm(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_evfile_streams),
	    cmocka_unit_test(test_evfile_refused),
	    cmocka_unit_test(test_evfile_missing_and_precedence),
	    cmocka_unit_test(test_evfile_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
