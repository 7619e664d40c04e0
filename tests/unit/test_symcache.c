// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_symcache.c - offsets remembered across runs, keyed by file version, trusted only if ours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "symcache.h"

static char dir[] = "/tmp/agtrace-symcache.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	setenv("AGTRACE_CACHE_DIR", dir, 1);
	symcache_reset();
	return 0;
}

static int teardown(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/symbols", dir);
	unlink(path);
	rmdir(dir);
	symcache_reset();
	return 0;
}

static struct stat file_version(unsigned long long ino, long mtime_ns)
{
	struct stat st = {0};

	st.st_dev = 0x803;
	st.st_ino = ino;
	st.st_size = 98932688;
	st.st_mtim.tv_sec = 1774300000;
	st.st_mtim.tv_nsec = mtime_ns;
	return st;
}

static void test_symcache_roundtrip(void **state)
{
	const size_t offs[6] = {0x1d2a10, 0x1d2990, 0x1d2b40, 0x1d2ab0, 0x1c0f00, 0};
	struct stat st = file_version(4242, 5), other = file_version(4242, 6);
	size_t got[6];
	char path[256];
	struct stat fst;

	(void)state;
	assert_int_equal(symcache_get("ssl1", &st, 6, got), 0);
	symcache_put("ssl1", &st, 6, offs);
	assert_int_equal(symcache_get("ssl1", &st, 6, got), 1);
	assert_memory_equal(got, offs, sizeof(offs));
	/* from the file, as the next run reads it */
	symcache_reset();
	assert_int_equal(symcache_get("ssl1", &st, 6, got), 1);
	assert_memory_equal(got, offs, sizeof(offs));
	/* another version of the file (mtime), another lookup, another count: not cached */
	assert_int_equal(symcache_get("ssl1", &other, 6, got), 0);
	assert_int_equal(symcache_get("ssl2", &st, 6, got), 0);
	assert_int_equal(symcache_get("ssl1", &st, 5, got), 0);
	/* private: 0600 in a 0700 directory */
	snprintf(path, sizeof(path), "%s/symbols", dir);
	assert_int_equal(stat(path, &fst), 0);
	assert_int_equal(fst.st_mode & 0777, 0600);
	/* a file others could write is not trusted */
	chmod(path, 0666);
	symcache_reset();
	assert_int_equal(symcache_get("ssl1", &st, 6, got), 0);
	chmod(path, 0600);
	/* a torn last line (a short write) for the same file is skipped, the rest still read */
	{
		FILE *f = fopen(path, "a");

		assert_non_null(f);
		fputs("ssl1 2051 4242 98932688 1774300000000000005 6 1d2a", f);
		fclose(f);
	}
	symcache_reset();
	assert_int_equal(symcache_get("ssl1", &st, 6, got), 1);
	assert_memory_equal(got, offs, sizeof(offs));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_symcache_roundtrip, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
