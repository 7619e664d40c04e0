// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_pidset.c - the open-addressing set of live traced pids. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pidset.h"

static void test_pidset_empty(void **state)
{
	struct pidset s = {0};

	(void)state;
	assert_false(pidset_has(&s, 1));
	assert_false(pidset_has(&s, 0));
	assert_false(pidset_has(&s, -1));
	assert_false(pidset_del(&s, 1));
	pidset_release(&s);
	assert_null(s.slot);
	assert_int_equal(s.cap, 0);
}

static void test_pidset_add_has_del(void **state)
{
	struct pidset s = {0};

	(void)state;
	assert_int_equal(pidset_add(&s, 4242), 0);
	assert_int_equal(pidset_add(&s, 1), 0);
	assert_int_equal(pidset_add(&s, 0x3fffffff), 0);
	assert_int_equal(s.n, 3);
	assert_true(pidset_has(&s, 4242));
	assert_true(pidset_has(&s, 1));
	assert_true(pidset_has(&s, 0x3fffffff));
	assert_false(pidset_has(&s, 4243));
	assert_false(pidset_has(&s, 2));
	/* adding a member again changes nothing */
	assert_int_equal(pidset_add(&s, 4242), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.used, 3);
	assert_true(pidset_del(&s, 4242));
	assert_false(pidset_has(&s, 4242));
	assert_false(pidset_del(&s, 4242));
	assert_int_equal(s.n, 2);
	assert_true(pidset_has(&s, 1));
	assert_true(pidset_has(&s, 0x3fffffff));
	pidset_release(&s);
}

/* 0 is the empty marker and -1 the tombstone: neither may become a member. */
static void test_pidset_invalid_pids(void **state)
{
	struct pidset s = {0};

	(void)state;
	assert_int_equal(pidset_add(&s, 0), -EINVAL);
	assert_int_equal(pidset_add(&s, -1), -EINVAL);
	assert_int_equal(pidset_add(&s, -4242), -EINVAL);
	assert_int_equal(s.n, 0);
	assert_int_equal(pidset_add(&s, 7), 0);
	assert_true(pidset_del(&s, 7));
	/* the tombstone left behind is not "pid -1" */
	assert_false(pidset_has(&s, -1));
	assert_false(pidset_del(&s, -1));
	assert_false(pidset_has(&s, 0));
	assert_false(pidset_del(&s, 0));
	assert_int_equal(s.n, 0);
	pidset_release(&s);
}

static void test_pidset_growth(void **state)
{
	struct pidset s = {0};
	const int count = 5000;

	(void)state;
	for (int pid = 1; pid <= count; pid++) {
		assert_int_equal(pidset_add(&s, pid * 7), 0);
		assert_int_equal(s.n, pid);
		/* never more than half full, always a power of two */
		assert_true(s.used * 2 <= s.cap);
		assert_int_equal(s.cap & (s.cap - 1), 0);
	}
	assert_int_equal(s.cap, 16384);
	for (int pid = 1; pid <= count * 7 + 10; pid++)
		assert_int_equal(pidset_has(&s, pid), pid % 7 == 0 && pid <= count * 7);
	/* delete the odd multiples, the rest are still there */
	for (int pid = 1; pid <= count; pid += 2)
		assert_true(pidset_del(&s, pid * 7));
	assert_int_equal(s.n, count / 2);
	for (int pid = 1; pid <= count; pid++)
		assert_int_equal(pidset_has(&s, pid * 7), pid % 2 == 0);
	pidset_release(&s);
}

static void test_pidset_tombstone_reuse(void **state)
{
	struct pidset s = {0};

	(void)state;
	assert_int_equal(pidset_add(&s, 100), 0);
	assert_int_equal(s.used, 1);
	assert_true(pidset_del(&s, 100));
	assert_int_equal(s.n, 0);
	assert_int_equal(s.used, 1); /* the slot is a tombstone now */
	/* the same pid lands in its own tombstone */
	assert_int_equal(pidset_add(&s, 100), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.used, 1);
	pidset_release(&s);
}

/* A long run of short-lived pids does not grow the table: tombstones are recycled. */
static void test_pidset_churn(void **state)
{
	struct pidset s = {0};

	(void)state;
	assert_int_equal(pidset_add(&s, 1), 0);
	for (int pid = 2; pid < 200000; pid++) {
		assert_int_equal(pidset_add(&s, pid), 0);
		assert_true(pidset_has(&s, pid));
		assert_true(pidset_del(&s, pid));
		assert_true(s.used * 2 <= s.cap);
	}
	assert_int_equal(s.cap, 64);
	assert_int_equal(s.n, 1);
	assert_true(pidset_has(&s, 1));
	assert_false(pidset_has(&s, 199999));
	pidset_release(&s);
}

/* Collisions: pids that hash to the same slot probe past each other's tombstones. */
static void test_pidset_collisions(void **state)
{
	struct pidset s = {0};
	pid_t same[8];

	(void)state;
	/* with 64 slots the hash keeps the low 6 bits of pid * 2654435761: pid + 64k collides */
	for (int i = 0; i < 8; i++) {
		same[i] = 5 + 64 * i;
		assert_int_equal(pidset_add(&s, same[i]), 0);
	}
	assert_int_equal(s.cap, 64);
	assert_true(pidset_del(&s, same[0]));
	assert_true(pidset_del(&s, same[3]));
	for (int i = 0; i < 8; i++)
		assert_int_equal(pidset_has(&s, same[i]), i != 0 && i != 3);
	assert_int_equal(pidset_add(&s, same[3]), 0);
	assert_int_equal(pidset_add(&s, same[7]), 0); /* present: not added twice */
	assert_int_equal(s.n, 7);
	assert_true(pidset_del(&s, same[7]));
	assert_false(pidset_has(&s, same[7]));
	assert_int_equal(s.n, 6);
	pidset_release(&s);
}

static void test_pidset_release_reuse(void **state)
{
	struct pidset s = {0};

	(void)state;
	for (pid_t pid = 1; pid <= 100; pid++)
		assert_int_equal(pidset_add(&s, pid), 0);
	pidset_release(&s);
	assert_null(s.slot);
	assert_int_equal(s.cap, 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.used, 0);
	assert_false(pidset_has(&s, 1));
	assert_int_equal(pidset_add(&s, 3), 0);
	assert_true(pidset_has(&s, 3));
	assert_false(pidset_has(&s, 1));
	assert_int_equal(s.n, 1);
	pidset_release(&s);
	pidset_release(&s); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pidset_empty),
	    cmocka_unit_test(test_pidset_add_has_del),
	    cmocka_unit_test(test_pidset_invalid_pids),
	    cmocka_unit_test(test_pidset_growth),
	    cmocka_unit_test(test_pidset_tombstone_reuse),
	    cmocka_unit_test(test_pidset_churn),
	    cmocka_unit_test(test_pidset_collisions),
	    cmocka_unit_test(test_pidset_release_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
