// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_record.c - validation of raw ring-buffer records: rec_check, rec_syscall_caps and
 * rec_exec_parts. Every record under test is copied into a heap block of exactly its size, so
 * ASan reports any read past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi.h"
#include "record.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SYS_SIZE      sizeof(struct agt_syscall)

/* Scratch space for building records, 8-byte aligned like the ring buffer's. */
static union {
	uint64_t align;
	unsigned char b[2048];
	struct agt_hdr h;
	struct agt_syscall sys;
	struct agt_exec exec;
} rec;

/* An exact-size heap copy of the first `size` bytes of rec. */
static void *copy(size_t size)
{
	void *p = malloc(size ? size : 1);

	assert_non_null(p);
	memcpy(p, rec.b, size);
	return p;
}

static void hdr(__u16 type, __u16 size)
{
	memset(&rec, 0, sizeof(rec));
	rec.h.type = type;
	rec.h.size = size;
	rec.h.tgid = 4242;
	rec.h.tid = 4243;
	memcpy(rec.h.comm, "python3", 7);
}

/* Appends a capture item at off; returns the offset of the next one. */
static size_t put_cap(size_t off, __u8 arg, __u8 kind, const char *data, __u16 len, __u32 full)
{
	struct agt_cap c = {.arg = arg, .kind = kind, .len = len, .full = full};

	memcpy(rec.b + off, &c, sizeof(c));
	memcpy(rec.b + off + sizeof(c), data, len);
	return off + sizeof(c) + ((len + 7u) & ~7u);
}

static int check(size_t size)
{
	void *p = copy(size);
	int r = rec_check(p, size);

	free(p);
	return r;
}

static void test_record_check_well_formed(void **state)
{
	static const struct {
		__u16 type;
		size_t min;
	} types[] = {
	    {AGT_REC_SYSCALL, sizeof(struct agt_syscall)},
	    {AGT_REC_FORK, sizeof(struct agt_fork)},
	    {AGT_REC_EXEC, sizeof(struct agt_exec)},
	    {AGT_REC_EXIT, sizeof(struct agt_exit)},
	};

	(void)state;
	assert_int_equal(sizeof(struct agt_syscall), 112);
	assert_int_equal(sizeof(struct agt_fork), 48);
	assert_int_equal(sizeof(struct agt_exec), 56);
	assert_int_equal(sizeof(struct agt_exit), 56);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		/* exactly the fixed part */
		hdr(types[i].type, types[i].min);
		assert_int_equal(check(types[i].min), types[i].type);
		/* a longer record, and a ring-buffer slot longer than the record */
		hdr(types[i].type, types[i].min + 24);
		assert_int_equal(check(types[i].min + 24), types[i].type);
		assert_int_equal(check(types[i].min + 64), types[i].type);
	}
	/* larger than anything the kernel side builds: garbage, rejected */
	hdr(AGT_REC_SYSCALL, AGT_SYSCALL_MAX + 8);
	assert_int_equal(check(AGT_SYSCALL_MAX + 8), -EINVAL);
	hdr(AGT_REC_EXEC, AGT_EXEC_MAX + 1);
	assert_int_equal(check(AGT_EXEC_MAX + 1), -EINVAL);
}

static void test_record_check_malformed(void **state)
{
	static const struct {
		__u16 type;
		__u16 hsize; /* agt_hdr.size */
		size_t size; /* what the ring buffer reported */
	} cases[] = {
	    /* shorter than a header */
	    {AGT_REC_SYSCALL, 112, 0},
	    {AGT_REC_SYSCALL, 112, 1},
	    {AGT_REC_SYSCALL, 112, sizeof(struct agt_hdr) - 1},
	    /* the header claims more than there is */
	    {AGT_REC_SYSCALL, 113, 112},
	    {AGT_REC_FORK, 49, 48},
	    {AGT_REC_EXEC, 0xffff, 56},
	    {AGT_REC_EXIT, 57, 56},
	    /* shorter than its type's fixed part */
	    {AGT_REC_SYSCALL, 111, 112},
	    {AGT_REC_SYSCALL, sizeof(struct agt_hdr), sizeof(struct agt_hdr)},
	    {AGT_REC_FORK, 47, 48},
	    {AGT_REC_EXEC, 55, 56},
	    {AGT_REC_EXIT, 55, 56},
	    {AGT_REC_SYSCALL, 0, 112},
	    /* unknown types */
	    {0, 112, 112},
	    {5, 112, 112},
	    {0x101, 112, 112},
	    {0xffff, 112, 112},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r;

		hdr(cases[i].type, cases[i].hsize);
		r = check(cases[i].size);
		if (r != -EINVAL)
			fail_msg("case %zu: %d", i, r);
	}
}

/* Random bytes are never accepted with a size the header does not fit in. */
static void test_record_check_garbage(void **state)
{
	unsigned int seed = 12345;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t size = (size_t)(rand_r(&seed) % 200);
		int r;

		for (size_t k = 0; k < sizeof(rec.b); k++)
			rec.b[k] = (unsigned char)rand_r(&seed);
		if (i % 2)
			rec.h.type = (__u16)(1 + rand_r(&seed) % 4);
		r = check(size);
		if (r == -EINVAL)
			continue;
		assert_true(r >= AGT_REC_SYSCALL && r <= AGT_REC_EXIT);
		assert_int_equal(r, rec.h.type);
		assert_true(rec.h.size <= size);
		assert_true(size >= sizeof(struct agt_hdr));
	}
}

/* openat's path in arg 1 and a 3-byte buffer in arg 2, the second item without tail padding. */
static size_t two_caps(void)
{
	size_t off;

	hdr(AGT_REC_SYSCALL, 0);
	rec.sys.nr = 257;
	rec.sys.ncap = 2;
	off = put_cap(SYS_SIZE, 1, AGT_CAP_STR, "/etc/hosts", 10, 10);
	assert_int_equal(off, SYS_SIZE + 8 + 16);
	off = put_cap(off, 2, AGT_CAP_BUF_RET, "abc", 3, 3);
	assert_int_equal(off, SYS_SIZE + 8 + 16 + 8 + 8);
	return off - 5; /* the record ends right after "abc" */
}

static void test_record_caps_two_items(void **state)
{
	size_t size = two_caps();
	struct agt_syscall *r;
	struct rec_caps caps;
	unsigned char *base;

	(void)state;
	assert_int_equal(size, 147);
	rec.h.size = (__u16)size;
	r = copy(size);
	base = (unsigned char *)r;
	assert_int_equal(rec_check(r, size), AGT_REC_SYSCALL);
	memset(&caps, 0xa5, sizeof(caps));
	assert_int_equal(rec_syscall_caps(r, size, &caps), 0);
	assert_ptr_equal(caps.cap[1], base + 112);
	assert_ptr_equal(caps.data[1], base + 120);
	assert_int_equal(caps.cap[1]->arg, 1);
	assert_int_equal(caps.cap[1]->kind, AGT_CAP_STR);
	assert_int_equal(caps.cap[1]->len, 10);
	assert_int_equal(caps.cap[1]->full, 10);
	assert_memory_equal(caps.data[1], "/etc/hosts", 10);
	assert_ptr_equal(caps.cap[2], base + 136);
	assert_ptr_equal(caps.data[2], base + 144);
	assert_int_equal(caps.cap[2]->kind, AGT_CAP_BUF_RET);
	assert_int_equal(caps.cap[2]->len, 3);
	assert_memory_equal(caps.data[2], "abc", 3);
	for (int i = 0; i < AGT_NARGS; i++) {
		if (i == 1 || i == 2)
			continue;
		assert_null(caps.cap[i]);
		assert_null(caps.data[i]);
	}
	/* the ring buffer slot may be longer than the record */
	free(r);
	r = copy(size + 5);
	assert_int_equal(rec_syscall_caps(r, size + 5, &caps), 0);
	assert_ptr_equal(caps.data[2], (unsigned char *)r + 144);
	free(r);
}

static void test_record_caps_none(void **state)
{
	struct agt_syscall *r;
	struct rec_caps caps;

	(void)state;
	hdr(AGT_REC_SYSCALL, SYS_SIZE);
	r = copy(SYS_SIZE);
	memset(&caps, 0xa5, sizeof(caps));
	assert_int_equal(rec_syscall_caps(r, SYS_SIZE, &caps), 0);
	for (int i = 0; i < AGT_NARGS; i++) {
		assert_null(caps.cap[i]);
		assert_null(caps.data[i]);
	}
	free(r);
}

/* A zero-length capture (empty string) is an item with no bytes. */
static void test_record_caps_empty_item(void **state)
{
	struct agt_syscall *r;
	struct rec_caps caps;
	size_t off;

	(void)state;
	hdr(AGT_REC_SYSCALL, 0);
	rec.sys.ncap = 1;
	off = put_cap(SYS_SIZE, 0, AGT_CAP_STR, "", 0, 0);
	assert_int_equal(off, SYS_SIZE + 8);
	rec.h.size = (__u16)off;
	r = copy(off);
	assert_int_equal(rec_syscall_caps(r, off, &caps), 0);
	assert_ptr_equal(caps.cap[0], (unsigned char *)r + SYS_SIZE);
	assert_ptr_equal(caps.data[0], (unsigned char *)r + SYS_SIZE + 8);
	assert_int_equal(caps.cap[0]->len, 0);
	free(r);
}

static void test_record_caps_malformed(void **state)
{
	struct {
		const char *what;
		int ncap;     /* ncap to claim */
		int len2;     /* len of the second item */
		int arg2;     /* arg of the second item */
		int cut;      /* bytes taken off hdr.size */
		int slot_cut; /* bytes taken off the ring buffer's size */
	} cases[] = {
	    {"len runs one byte past the end", 2, 4, 2, 0, 0},
	    {"len runs far past the end", 2, 0xffff, 2, 0, 0},
	    {"hdr.size ends inside the data", 2, 3, 2, 1, 0},
	    {"ring-buffer size ends inside the data", 2, 3, 2, 0, 1},
	    {"hdr.size ends inside the second item header", 2, 3, 2, 8, 0},
	    {"more items claimed than present", 3, 3, 2, 0, 0},
	    {"arg index 6", 2, 3, 6, 0, 0},
	    {"arg index 255", 2, 3, 255, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t size = two_caps(), slot;
		struct agt_cap *c2 = (struct agt_cap *)(rec.b + 136);
		struct agt_syscall *r;
		struct rec_caps caps;
		int ret;

		rec.sys.ncap = (__u8)cases[i].ncap;
		c2->len = (__u16)cases[i].len2;
		c2->arg = (__u8)cases[i].arg2;
		rec.h.size = (__u16)(size - cases[i].cut);
		slot = size - cases[i].slot_cut;
		r = copy(slot);
		ret = rec_syscall_caps(r, slot, &caps);
		free(r);
		if (ret != -EINVAL)
			fail_msg("%s: %d", cases[i].what, ret);
	}
}

/* The most items the kernel side builds, at the maximum length, fit. */
static void test_record_caps_max(void **state)
{
	static char big[AGT_CAP_BYTES];
	struct agt_syscall *r;
	struct rec_caps caps;
	size_t off;

	(void)state;
	memset(big, 'x', sizeof(big));
	hdr(AGT_REC_SYSCALL, 0);
	rec.sys.ncap = AGT_CAP_MAX;
	off = SYS_SIZE;
	for (int i = 0; i < AGT_CAP_MAX; i++)
		off = put_cap(off, (__u8)(AGT_NARGS - 1 - i), AGT_CAP_BUF_ARG, big, AGT_CAP_BYTES,
			      100000);
	assert_true(off <= AGT_SYSCALL_MAX);
	rec.h.size = (__u16)off;
	r = copy(off);
	assert_int_equal(rec_check(r, off), AGT_REC_SYSCALL);
	assert_int_equal(rec_syscall_caps(r, off, &caps), 0);
	assert_int_equal(caps.cap[AGT_NARGS - 1]->len, AGT_CAP_BYTES);
	assert_int_equal(caps.cap[AGT_NARGS - 2]->len, AGT_CAP_BYTES);
	assert_ptr_equal(caps.data[AGT_NARGS - 2],
			 (unsigned char *)r + SYS_SIZE + 2 * 8 + AGT_CAP_BYTES);
	free(r);
}

static void exec_rec(const char *fn, __u16 fnlen, const char *argv, __u16 argvlen)
{
	hdr(AGT_REC_EXEC, (__u16)(sizeof(struct agt_exec) + fnlen + argvlen));
	rec.exec.filename_len = fnlen;
	rec.exec.argv_len = argvlen;
	rec.exec.argc = 2;
	memcpy(rec.b + sizeof(struct agt_exec), fn, fnlen);
	memcpy(rec.b + sizeof(struct agt_exec) + fnlen, argv, argvlen);
}

/* A batch of three records (two 8-aligned, the last 122 bytes), then a bad header. */
static void test_record_chunk_iteration(void **state)
{
	_Alignas(8) unsigned char buf[112 + 160 + 122 + 64];
	const unsigned short sizes[] = {112, 156, 122};
	size_t offs[] = {0, 112, 272}, off = 0, len, total = 272 + 122;
	const void *rec;

	(void)state;
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 3; i++) {
		struct agt_hdr *h = (void *)(buf + offs[i]);

		h->type = AGT_REC_SYSCALL;
		h->size = sizes[i];
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rec_chunk_next(buf, total, &off, &rec, &len), 1);
		assert_ptr_equal(rec, buf + offs[i]);
		assert_int_equal(len, sizes[i]);
	}
	assert_true(off > total); /* 272 + 128: past the unaligned end */
	assert_int_equal(rec_chunk_next(buf, total, &off, &rec, &len), 0);

	/* a header claiming more than the entry holds stops the walk */
	off = 0;
	((struct agt_hdr *)(buf + 112))->size = 4000;
	assert_int_equal(rec_chunk_next(buf, total, &off, &rec, &len), 1);
	assert_int_equal(rec_chunk_next(buf, total, &off, &rec, &len), -EINVAL);
	/* a size below the header's own */
	off = 112;
	((struct agt_hdr *)(buf + 112))->size = 8;
	assert_int_equal(rec_chunk_next(buf, total, &off, &rec, &len), -EINVAL);
	/* fewer bytes left than a header: the end, not an error */
	off = 0;
	assert_int_equal(rec_chunk_next(buf, 20, &off, &rec, &len), 0);
}

static void test_record_exec_parts(void **state)
{
	size_t size = sizeof(struct agt_exec) + 7 + 6;
	const char *fn = NULL, *argv = NULL;
	struct agt_exec *r;

	(void)state;
	exec_rec("/bin/ls", 7, "ls\0-l", 6);
	assert_int_equal(rec.h.size, 69);
	r = copy(size);
	assert_int_equal(rec_check(r, size), AGT_REC_EXEC);
	assert_int_equal(rec_exec_parts(r, size, &fn, &argv), 0);
	assert_ptr_equal(fn, (char *)r + 56);
	assert_ptr_equal(argv, (char *)r + 63);
	assert_memory_equal(fn, "/bin/ls", 7);
	assert_memory_equal(argv, "ls\0-l", 6);
	free(r);

	/* nothing but the fixed part */
	exec_rec("", 0, "", 0);
	r = copy(sizeof(struct agt_exec));
	assert_int_equal(rec_exec_parts(r, sizeof(struct agt_exec), &fn, &argv), 0);
	assert_ptr_equal(fn, (char *)r + 56);
	assert_ptr_equal(argv, (char *)r + 56);
	free(r);
}

static void test_record_exec_parts_bounds(void **state)
{
	struct {
		const char *what;
		int fnlen, argvlen; /* claimed lengths; the record holds 7 + 6 bytes */
		int hcut, slot_cut;
	} cases[] = {
	    {"argv one byte too long", 7, 7, 0, 0},	{"filename one byte too long", 8, 6, 0, 0},
	    {"both maximal", 0xffff, 0xffff, 0, 0},	{"hdr.size one short", 7, 6, 1, 0},
	    {"ring-buffer size one short", 7, 6, 0, 1},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t size = sizeof(struct agt_exec) + 13, slot = size - cases[i].slot_cut;
		const char *fn = NULL, *argv = NULL;
		struct agt_exec *r;
		int ret;

		exec_rec("/bin/ls", 7, "ls\0-l", 6);
		rec.exec.filename_len = (__u16)cases[i].fnlen;
		rec.exec.argv_len = (__u16)cases[i].argvlen;
		rec.h.size = (__u16)(size - cases[i].hcut);
		r = copy(slot);
		ret = rec_exec_parts(r, slot, &fn, &argv);
		free(r);
		if (ret != -EINVAL)
			fail_msg("%s: %d", cases[i].what, ret);
		assert_null(fn);
		assert_null(argv);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record_check_well_formed),
	    cmocka_unit_test(test_record_check_malformed),
	    cmocka_unit_test(test_record_check_garbage),
	    cmocka_unit_test(test_record_caps_two_items),
	    cmocka_unit_test(test_record_caps_none),
	    cmocka_unit_test(test_record_caps_empty_item),
	    cmocka_unit_test(test_record_caps_malformed),
	    cmocka_unit_test(test_record_caps_max),
	    cmocka_unit_test(test_record_chunk_iteration),
	    cmocka_unit_test(test_record_exec_parts),
	    cmocka_unit_test(test_record_exec_parts_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
