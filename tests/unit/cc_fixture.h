/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cc_fixture.h - shared objects the C compiler builds during a test, for the locators' tests:
 * code shaped like the library they look for, checked against the object's own symbol table
 * (which the locators never read). Header-only: each test binary is built on its own. Include
 * after <cmocka.h>; the test's group setup/teardown are cc_setup/cc_teardown.
 */
#ifndef AGT_CC_FIXTURE_H
#define AGT_CC_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char cc_dir[64];

/*
 * Compiles src into the shared object `name` in the test's directory, -O2 without inlining
 * (the functions must stay functions) plus `extra` flags. Returns its path (static buffer).
 */
static char *cc_build(const char *name, const char *src, const char *extra)
{
	static char so[160];
	char c[160], cmd[512];
	FILE *f;

	snprintf(c, sizeof(c), "%s/%s.c", cc_dir, name);
	snprintf(so, sizeof(so), "%s/%s.so", cc_dir, name);
	f = fopen(c, "w");
	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -O2 -fPIC -shared -fno-inline %s -o %s %s 2>/dev/null",
		 extra, so, c);
	assert_int_equal(system(cmd), 0);
	return so;
}

static int cc_setup(void **state)
{
	(void)state;
	snprintf(cc_dir, sizeof(cc_dir), "/tmp/agt-cc.XXXXXX");
	return mkdtemp(cc_dir) ? 0 : -1;
}

static int cc_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", cc_dir);
	return system(cmd);
}

#endif
