// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_argfmt.c - whole lines from raw records, through printer_record() and the argument
 * formatters: the DESIGN.md §3 text and JSON contracts, to the byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "abi.h"
#include "printer.h"

#define T0 1000000000ull

struct rec {
	struct agt_syscall s;
	unsigned char tail[512];
};

/* Formats one record with a fresh printer and returns the output (static buffer). */
static const char *render(const void *rec, size_t size, bool json, int strsize)
{
	static char out[4096];
	FILE *f = tmpfile();
	struct printer p = {0};
	size_t n;

	assert_non_null(f);
	p.ob = outbuf__new(fileno(f), 0);
	assert_non_null(p.ob);
	p.json = json;
	p.strsize = strsize;
	p.t0 = T0;
	printer_record(&p, rec, size);
	outbuf__free(p.ob);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

/* An x86_64 syscall record for pid 4242/4243 "python3" with one capture on argument `arg`. */
static size_t make(struct rec *r, int nr, const unsigned long long *args, long long ret, int arg,
		   unsigned kind, const char *data, unsigned len, unsigned full)
{
	size_t off = sizeof(r->s);

	memset(r, 0, sizeof(*r));
	r->s.h.type = AGT_REC_SYSCALL;
	r->s.h.tgid = 4242;
	r->s.h.tid = 4243;
	r->s.h.ts = T0 + 1834000;
	memcpy(r->s.h.comm, "python3", 8);
	r->s.nr = nr;
	memcpy(r->s.args, args, sizeof(r->s.args));
	r->s.ret = ret;
	r->s.dur = 21000;
	if (arg >= 0) {
		struct agt_cap *c = (void *)((char *)r + off);

		c->arg = arg;
		c->kind = kind;
		c->len = len;
		c->full = full;
		memcpy((char *)r + off + sizeof(*c), data, len);
		off += sizeof(*c) + ((len + 7) & ~7u);
		r->s.ncap = 1;
	}
	r->s.h.size = off;
	return off;
}

static const unsigned long long openat_args[6] = {
    (unsigned long long)-100, 0x7ffd0000, 0x80000, 0, 0, 0};

static void test_argfmt_openat_text(void **state)
{
	struct rec r;
	size_t n = make(&r, 257, openat_args, 3, 1, AGT_CAP_STR, "/etc/hosts", 10, 10);

	(void)state;
	assert_string_equal(render(&r, n, false, 50),
			    "[pid 4243] +0.001834 openat(AT_FDCWD, \"/etc/hosts\", "
			    "O_RDONLY|O_CLOEXEC) = 3 <0.000021>\n");
}

static void test_argfmt_openat_enoent_text(void **state)
{
	struct rec r;
	size_t n = make(&r, 257, openat_args, -2, 1, AGT_CAP_STR, "/etc/hosts", 10, 10);

	(void)state;
	assert_string_equal(render(&r, n, false, 50),
			    "[pid 4243] +0.001834 openat(AT_FDCWD, \"/etc/hosts\", "
			    "O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory) "
			    "<0.000021>\n");
}

static void test_argfmt_openat_json(void **state)
{
	struct rec r;
	size_t n = make(&r, 257, openat_args, 3, 1, AGT_CAP_STR, "/etc/hosts", 10, 10);

	(void)state;
	assert_string_equal(
	    render(&r, n, true, 50),
	    "{\"seq_num\":0,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,\"comm\":\"python3\","
	    "\"type\":\"syscall\",\"syscall\":{\"syscall\":\"openat\",\"nr\":257,\"args\":{"
	    "\"dirfd\":\"AT_FDCWD\",\"pathname\":\"/etc/hosts\",\"flags\":\"O_RDONLY|O_CLOEXEC\","
	    "\"mode\":0},\"result\":3,\"err\":\"\",\"duration\":21000}}\n");
}

static void test_argfmt_openat_json_enoent(void **state)
{
	struct rec r;
	size_t n = make(&r, 257, openat_args, -2, 1, AGT_CAP_STR, "/etc/hosts", 10, 10);

	(void)state;
	assert_non_null(strstr(render(&r, n, true, 50), "\"result\":-1,\"err\":\"ENOENT\""));
}

static void test_argfmt_read_cut_at_strsize(void **state)
{
	const unsigned long long args[6] = {3, 0x1000, 832, 0, 0, 0};
	struct rec r;
	size_t n = make(&r, 0, args, 832, 1, AGT_CAP_BUF_RET, "\177ELF\2\1\1abcdefgh", 15, 832);

	(void)state;
	assert_string_equal(render(&r, n, false, 5),
			    "[pid 4243] +0.001834 read(3, \"\\177ELF\\2\"..., 832) = 832 "
			    "<0.000021>\n");
}

static void test_argfmt_read_failed_prints_pointer(void **state)
{
	const unsigned long long args[6] = {3, 0x1000, 832, 0, 0, 0};
	struct rec r;
	size_t n = make(&r, 0, args, -11, 1, AGT_CAP_BUF_RET, "", 0, 0);

	(void)state;
	assert_string_equal(render(&r, n, false, 50),
			    "[pid 4243] +0.001834 read(3, 0x1000, 832) = -1 EAGAIN (Resource "
			    "temporarily unavailable) <0.000021>\n");
}

static void test_argfmt_connect_sockaddr(void **state)
{
	const unsigned long long args[6] = {4, 0x2000, 16, 0, 0, 0};
	/* struct sockaddr_in for 127.0.0.1:443, bytes as the kernel side copies them */
	const char sa[16] = {2, 0, 0x01, 0xbb, 127, 0, 0, 1};
	struct rec r;
	size_t n = make(&r, 42, args, 0, 1, AGT_CAP_SOCKADDR, sa, 16, 16);

	(void)state;
	assert_string_equal(render(&r, n, false, 50),
			    "[pid 4243] +0.001834 connect(4, {AF_INET, 127.0.0.1:443}, 16) = 0 "
			    "<0.000021>\n");
	assert_non_null(strstr(render(&r, n, true, 50), "\"addr\":\"{AF_INET, 127.0.0.1:443}\""));
}

static void test_argfmt_exit_group_noreturn(void **state)
{
	const unsigned long long args[6] = {3, 0, 0, 0, 0, 0};
	struct rec r;
	size_t n = make(&r, 231, args, 0, -1, 0, NULL, 0, 0);

	(void)state;
	r.s.flags = AGT_SYS_NORETURN;
	assert_string_equal(render(&r, n, false, 50), "[pid 4243] +0.001834 exit_group(3) = ?\n");
	assert_non_null(strstr(render(&r, n, true, 50), "\"result\":null"));
}

/* An entry not seen (attached mid-call): no duration, "<?>". */
static void test_argfmt_resumed_call(void **state)
{
	const unsigned long long args[6] = {0x1200011, 0, 0, 0, 0, 0};
	struct rec r;
	size_t n = make(&r, 56, args, 77, -1, 0, NULL, 0, 0);

	(void)state;
	r.s.flags = AGT_SYS_NOENTRY;
	assert_non_null(strstr(render(&r, n, false, 50), ") = 77 <?>\n"));
	assert_non_null(strstr(render(&r, n, true, 50),
			       "\"result\":77,\"err\":\"\",\"duration\":21000,\"resumed\":true}}"));
}

static void test_argfmt_malformed_record(void **state)
{
	struct rec r;
	size_t n = make(&r, 257, openat_args, 3, 1, AGT_CAP_STR, "/etc/hosts", 10, 10);
	struct agt_cap *c = (void *)((char *)&r + sizeof(r.s));

	(void)state;
	c->len = 400; /* runs past the record */
	assert_string_equal(render(&r, n, false, 50), "");
	assert_string_equal(render(&r, 10, false, 50), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_argfmt_openat_text),
	    cmocka_unit_test(test_argfmt_openat_enoent_text),
	    cmocka_unit_test(test_argfmt_openat_json),
	    cmocka_unit_test(test_argfmt_openat_json_enoent),
	    cmocka_unit_test(test_argfmt_read_cut_at_strsize),
	    cmocka_unit_test(test_argfmt_read_failed_prints_pointer),
	    cmocka_unit_test(test_argfmt_connect_sockaddr),
	    cmocka_unit_test(test_argfmt_exit_group_noreturn),
	    cmocka_unit_test(test_argfmt_resumed_call),
	    cmocka_unit_test(test_argfmt_malformed_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
