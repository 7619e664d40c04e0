// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_capspec.c - the capture spec the kernel side follows: one nibble per argument
 * (argument i at bits 4*i..4*i+3), derived from the syscall table's argument types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi.h"
#include "capspec.h"
#include "syscall_table.h"

#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define NIB(arg, kind) ((__u32)(kind) << (4 * (arg)))

static __u32 spec_of(const char *name, bool at_entry)
{
	int nr = sc_by_name(name);

	if (nr < 0)
		fail_msg("no syscall %s", name);
	return capspec_for(sc_lookup(nr), at_entry);
}

static void test_capspec_table(void **state)
{
	static const struct {
		const char *name;
		bool at_entry;
		__u32 want;
	} cases[] = {
	    {"openat", false, NIB(1, AGT_CAP_STR)},
	    {"openat", true, NIB(1, AGT_CAP_STR_ENTRY)},
	    {"execve", true, NIB(0, AGT_CAP_STR_ENTRY) | NIB(1, AGT_CAP_ARGV)},
	    {"execve", false, NIB(0, AGT_CAP_STR) | NIB(1, AGT_CAP_ARGV)},
	    {"execveat", true, NIB(1, AGT_CAP_STR_ENTRY) | NIB(2, AGT_CAP_ARGV)},
	    {"read", false, NIB(1, AGT_CAP_BUF_RET)},
	    {"write", false, NIB(1, AGT_CAP_BUF_ARG)},
	    {"connect", false, NIB(1, AGT_CAP_SOCKADDR)},
	    {"bind", false, NIB(1, AGT_CAP_SOCKADDR)},
	    {"accept", false, NIB(1, AGT_CAP_SOCKADDR_P)},
	    {"accept4", false, NIB(1, AGT_CAP_SOCKADDR_P)},
	    {"sendto", false, NIB(1, AGT_CAP_BUF_ARG) | NIB(4, AGT_CAP_SOCKADDR)},
	    {"recvfrom", false, NIB(1, AGT_CAP_BUF_RET) | NIB(4, AGT_CAP_SOCKADDR_P)},
	    {"renameat2", false, NIB(1, AGT_CAP_STR) | NIB(3, AGT_CAP_STR)},
	    {"getppid", false, 0},
	    {"getppid", true, 0},
	    {"getpid", false, 0},
	    {"exit_group", false, 0},
	    {"clone", false, 0},
	    {"socket", false, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		__u32 got = spec_of(cases[i].name, cases[i].at_entry);

		if (got != cases[i].want)
			fail_msg("%s%s: %#x, want %#x", cases[i].name,
				 cases[i].at_entry ? " (at entry)" : "", got, cases[i].want);
	}
}

static void test_capspec_null(void **state)
{
	(void)state;
	assert_int_equal(capspec_for(NULL, false), 0);
	assert_int_equal(capspec_for(NULL, true), 0);
}

/* Every type maps to one kind; at most AGT_CAP_MAX items, the first ones. */
static void test_capspec_synthetic(void **state)
{
	static const struct {
		enum sc_arg_type t;
		__u32 kind, entry_kind;
	} kinds[] = {
	    {SA_PATH, AGT_CAP_STR, AGT_CAP_STR_ENTRY},
	    {SA_STR, AGT_CAP_STR, AGT_CAP_STR_ENTRY},
	    {SA_ARGV, AGT_CAP_ARGV, AGT_CAP_ARGV},
	    {SA_SOCKADDR_IN, AGT_CAP_SOCKADDR, AGT_CAP_SOCKADDR},
	    {SA_SOCKADDR_OUT, AGT_CAP_SOCKADDR_P, AGT_CAP_SOCKADDR_P},
	    {SA_BUF_OUT, AGT_CAP_BUF_RET, AGT_CAP_BUF_RET},
	    {SA_BUF_IN, AGT_CAP_BUF_ARG, AGT_CAP_BUF_ARG},
	    {SA_ENVP, 0, 0},
	    {SA_PTR, 0, 0},
	    {SA_INT, 0, 0},
	    {SA_FD, 0, 0},
	    {SA_DIRFD, 0, 0},
	    {SA_OPEN_FLAGS, 0, 0},
	};
	struct sc_desc d = {.name = "fake", .nargs = 6};

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (int arg = 0; arg < AGT_NARGS; arg++) {
			for (int i = 0; i < AGT_NARGS; i++)
				d.args[i].type = i == arg ? kinds[k].t : SA_INT;
			assert_int_equal(capspec_for(&d, false), NIB(arg, kinds[k].kind));
			assert_int_equal(capspec_for(&d, true), NIB(arg, kinds[k].entry_kind));
		}
	}
	/* three paths: only the first AGT_CAP_MAX are captured */
	assert_int_equal(AGT_CAP_MAX, 2);
	for (int i = 0; i < AGT_NARGS; i++)
		d.args[i].type = SA_INT;
	d.args[1].type = SA_PATH;
	d.args[3].type = SA_PATH;
	d.args[5].type = SA_STR;
	assert_int_equal(capspec_for(&d, false), NIB(1, AGT_CAP_STR) | NIB(3, AGT_CAP_STR));
	/* arguments past nargs are not looked at */
	d.nargs = 2;
	assert_int_equal(capspec_for(&d, false), NIB(1, AGT_CAP_STR));
	d.nargs = 0;
	assert_int_equal(capspec_for(&d, false), 0);
}

static void test_capspec_fill(void **state)
{
	__u32 *spec = malloc((AGT_NR_MAX + 1) * sizeof(*spec));
	int n = sc_count() < AGT_NR_MAX ? sc_count() : AGT_NR_MAX;

	(void)state;
	assert_non_null(spec);
	for (int i = 0; i <= AGT_NR_MAX; i++)
		spec[i] = 0xdeadbeef;
	capspec_fill(spec, AGT_NR_MAX, true);
	assert_int_equal(spec[AGT_NR_MAX], 0xdeadbeef); /* no write past n */
	for (int nr = 0; nr < AGT_NR_MAX; nr++) {
		const struct sc_desc *d = sc_lookup(nr);
		bool exec = d && (!strcmp(d->name, "execve") || !strcmp(d->name, "execveat"));

		assert_int_equal(spec[nr], capspec_for(d, exec));
		if (nr >= n || !d)
			assert_int_equal(spec[nr], 0);
	}
	/* execve reads its strings at entry (the image is gone at exit), openat at exit */
	assert_int_equal(spec[sc_by_name("execve")],
			 NIB(0, AGT_CAP_STR_ENTRY) | NIB(1, AGT_CAP_ARGV));
	assert_int_equal(spec[sc_by_name("execveat")],
			 NIB(1, AGT_CAP_STR_ENTRY) | NIB(2, AGT_CAP_ARGV));
	assert_int_equal(spec[sc_by_name("openat")], NIB(1, AGT_CAP_STR));
	assert_int_equal(spec[sc_by_name("getppid")], 0);
#if defined(__x86_64__)
	assert_int_equal(spec[257], NIB(1, AGT_CAP_STR));
	assert_int_equal(spec[59], NIB(0, AGT_CAP_STR_ENTRY) | NIB(1, AGT_CAP_ARGV));
	assert_int_equal(spec[0], NIB(1, AGT_CAP_BUF_RET));
	assert_int_equal(spec[110], 0);
	/* fstat's struct stat (144 bytes), prlimit64's two rlimits (16 bytes): size in the top byte
	 */
	assert_int_equal(spec[5], NIB(1, AGT_CAP_FIXED) | (144 / 4) << AGT_CAP_FIXED_SHIFT);
	assert_int_equal(spec[302], NIB(2, AGT_CAP_FIXED) | NIB(3, AGT_CAP_FIXED) |
					(16 / 4) << AGT_CAP_FIXED_SHIFT);
	/* newfstatat: its path and its stat */
	assert_int_equal(spec[262], NIB(1, AGT_CAP_STR) | NIB(2, AGT_CAP_FIXED) |
					(144 / 4) << AGT_CAP_FIXED_SHIFT);
#endif
	/* never more than AGT_CAP_MAX nibbles set */
	for (int nr = 0; nr < AGT_NR_MAX; nr++) {
		int items = 0;
		bool fixed = false;

		for (int a = 0; a < AGT_NARGS; a++) {
			items += ((spec[nr] >> (4 * a)) & 0xf) != 0;
			fixed |= ((spec[nr] >> (4 * a)) & 0xf) == AGT_CAP_FIXED;
		}
		assert_true(items <= AGT_CAP_MAX);
		/* above the nibbles, only the size of a structure capture */
		if (!fixed)
			assert_int_equal(spec[nr] >> (4 * AGT_NARGS), 0);
		else
			assert_true(AGT_CAP_FIXED_SIZE(spec[nr]) > 0 &&
				    AGT_CAP_FIXED_SIZE(spec[nr]) <= AGT_CAP_BYTES);
	}
	/* a shorter fill leaves the rest alone */
	for (int i = 0; i <= AGT_NR_MAX; i++)
		spec[i] = 0xdeadbeef;
	capspec_fill(spec, 10, true);
	assert_int_equal(spec[10], 0xdeadbeef);
	free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_capspec_table),
	    cmocka_unit_test(test_capspec_null),
	    cmocka_unit_test(test_capspec_synthetic),
	    cmocka_unit_test(test_capspec_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
