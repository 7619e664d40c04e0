// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_errno_names.c - errno_names.c against what strace 6.1 prints after "= -1 ".
 *
 * The kernel-internal rows were checked with strace -e inject=...:error=N: ERESTART* get
 * strace's own explanations, the others glibc's "Unknown error N".
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "errno_names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct errno_case {
	int err;
	const char *name;
	const char *msg;
};

static const struct errno_case known[] = {
    {1, "EPERM", "Operation not permitted"},
    {2, "ENOENT", "No such file or directory"},
    {4, "EINTR", "Interrupted system call"},
    {5, "EIO", "Input/output error"},
    {9, "EBADF", "Bad file descriptor"},
    {11, "EAGAIN", "Resource temporarily unavailable"},
    {12, "ENOMEM", "Cannot allocate memory"},
    {13, "EACCES", "Permission denied"},
    {14, "EFAULT", "Bad address"},
    {17, "EEXIST", "File exists"},
    {22, "EINVAL", "Invalid argument"},
    {25, "ENOTTY", "Inappropriate ioctl for device"},
    {32, "EPIPE", "Broken pipe"},
    {35, "EDEADLK", "Resource deadlock avoided"},
    {38, "ENOSYS", "Function not implemented"},
    {40, "ELOOP", "Too many levels of symbolic links"},
    {61, "ENODATA", "No data available"},
    {75, "EOVERFLOW", "Value too large for defined data type"},
    {81, "ELIBSCN", ".lib section in a.out corrupted"},
    {85, "ERESTART", "Interrupted system call should be restarted"},
    {95, "EOPNOTSUPP", "Operation not supported"},
    {97, "EAFNOSUPPORT", "Address family not supported by protocol"},
    {104, "ECONNRESET", "Connection reset by peer"},
    {110, "ETIMEDOUT", "Connection timed out"},
    {111, "ECONNREFUSED", "Connection refused"},
    {115, "EINPROGRESS", "Operation now in progress"},
    {125, "ECANCELED", "Operation canceled"},
    {132, "ERFKILL", "Operation not possible due to RF-kill"},
    {133, "EHWPOISON", "Memory page has hardware error"},
    {512, "ERESTARTSYS", "To be restarted if SA_RESTART is set"},
    {513, "ERESTARTNOINTR", "To be restarted"},
    {514, "ERESTARTNOHAND", "To be restarted if no handler"},
    {515, "ENOIOCTLCMD", "Unknown error 515"},
    {516, "ERESTART_RESTARTBLOCK", "Interrupted by signal"},
    {517, "EPROBE_DEFER", "Unknown error 517"},
    {518, "EOPENSTALE", "Unknown error 518"},
    {519, "ENOPARAM", "Unknown error 519"}, /* named by the kernel, not by strace 6.1 */
    {521, "EBADHANDLE", "Unknown error 521"},
    {522, "ENOTSYNC", "Unknown error 522"},
    {523, "EBADCOOKIE", "Unknown error 523"},
    {524, "ENOTSUPP", "Unknown error 524"},
    {525, "ETOOSMALL", "Unknown error 525"},
    {526, "ESERVERFAULT", "Unknown error 526"},
    {527, "EBADTYPE", "Unknown error 527"},
    {528, "EJUKEBOX", "Unknown error 528"},
    {529, "EIOCBQUEUED", "Unknown error 529"},
    {530, "ERECALLCONFLICT", "Unknown error 530"},
    {531, "ENOGRACE", "Unknown error 531"}, /* named by the kernel, not by strace 6.1 */
};

static void test_errno_names_known(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		const struct errno_case *c = &known[i];

		assert_non_null(errno_name(c->err));
		assert_string_equal(errno_name(c->err), c->name);
		assert_string_equal(errno_message(c->err), c->msg);
		assert_int_equal(errno_by_name(c->name), c->err);
	}
}

/* Numbers strace prints as "(errno N)": Linux never assigned them, or they are not errors. */
static void test_errno_names_unknown(void **state)
{
	static const int unknown[] = {0,   -1,	-2,  41,   58,	    134,    200,
				      511, 520, 532, 4095, INT_MAX, INT_MIN};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		assert_null(errno_name(unknown[i]));
		assert_null(errno_message(unknown[i]));
	}
}

/* Every real errno has a name and a message, and the name maps back to the same number. */
static void test_errno_names_complete(void **state)
{
	(void)state;
	for (int e = 1; e <= 133; e++) {
		const char *n = errno_name(e);

		if (e == 41 || e == 58) {
			assert_null(n);
			continue;
		}
		assert_non_null(n);
		assert_non_null(errno_message(e));
		assert_int_equal(n[0], 'E');
		assert_int_equal(errno_by_name(n), e);
	}
	for (int e = 512; e <= 531; e++) {
		const char *n = errno_name(e);

		if (e == 520) {
			assert_null(n);
			continue;
		}
		assert_non_null(n);
		assert_int_equal(errno_by_name(n), e);
	}
}

/* Aliases are accepted by name but the primary name is what gets printed. */
static void test_errno_names_aliases(void **state)
{
	(void)state;
	assert_int_equal(errno_by_name("EWOULDBLOCK"), 11);
	assert_string_equal(errno_name(11), "EAGAIN");
	assert_int_equal(errno_by_name("EDEADLOCK"), 35);
	assert_string_equal(errno_name(35), "EDEADLK");
	assert_int_equal(errno_by_name("ENOTSUP"), 95);
	assert_string_equal(errno_name(95), "EOPNOTSUPP");
}

static void test_errno_names_by_name_invalid(void **state)
{
	(void)state;
	assert_int_equal(errno_by_name(NULL), -1);
	assert_int_equal(errno_by_name(""), -1);
	assert_int_equal(errno_by_name("E"), -1);
	assert_int_equal(errno_by_name("enoent"), -1); /* names are case-sensitive */
	assert_int_equal(errno_by_name("ENOENT "), -1);
	assert_int_equal(errno_by_name("ENOEN"), -1);
	assert_int_equal(errno_by_name("2"), -1);
	assert_int_equal(errno_by_name("E???"), -1);
}

#ifdef __GLIBC__
/*
 * The table is hard-coded so that output does not depend on the C library; on glibc, whose text
 * strace prints, it must agree with strerror() in the C locale, which is the default here.
 */
static void test_errno_names_matches_glibc(void **state)
{
	(void)state;
	for (int e = 1; e <= 133; e++) {
		const char *m = errno_message(e);

		if (!m)
			continue;
		if (strcmp(m, strerror(e)))
			fail_msg("errno %d: table \"%s\", glibc \"%s\"", e, m, strerror(e));
	}
	for (int e = 515; e <= 531; e++) {
		char want[32];

		if (e == 516 || !errno_message(e))
			continue;
		snprintf(want, sizeof(want), "Unknown error %d", e);
		assert_string_equal(errno_message(e), want);
		assert_string_equal(strerror(e), want);
	}
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errno_names_known),
	    cmocka_unit_test(test_errno_names_unknown),
	    cmocka_unit_test(test_errno_names_complete),
	    cmocka_unit_test(test_errno_names_aliases),
	    cmocka_unit_test(test_errno_names_by_name_invalid),
#ifdef __GLIBC__
	    cmocka_unit_test(test_errno_names_matches_glibc),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
