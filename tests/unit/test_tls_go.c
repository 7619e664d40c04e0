// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tls_go.c - where the Go probes go inside a function: its RET instructions, and the first
 * instruction past the prologue's stack check; every case where the code cannot be walked
 * exactly is refused. Byte sequences are Go 1.19's own (go tool objdump of crypto/tls).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tls_go.h"

static void test_tls_go_rets(void **state)
{
	/* entry 0x1000 in the file: RETs at +0x14 and +0x1a */
	static const unsigned char fn[] = {
	    0x49, 0x3b, 0x66, 0x10,				  /* 0: cmp rsp, [r14+0x10] */
	    0x0f, 0x86, 0x10, 0x00, 0x00, 0x00,			  /* 4: jbe 0x1a */
	    0x48, 0x83, 0xec, 0x18,				  /* a: sub rsp, 0x18 */
	    0x74, 0x05,						  /* e: je 0x15 */
	    0x48, 0x83, 0xc4, 0x18,				  /* 10: add rsp, 0x18 */
	    0xc3,						  /* 14: ret */
	    0x48, 0x83, 0xc4, 0x18, 0xc3,			  /* 15: add rsp, 0x18; 19: ret */
	    0xe8, 0x00, 0x00, 0x00, 0x00,			  /* 1a: call morestack */
	    0xeb, 0xdf,						  /* 1f: jmp 0 */
	    0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, /* 21: padding */
	};
	size_t rets[8];
	char why[96];

	(void)state;
	assert_int_equal(tls_go_find_rets(fn, sizeof(fn), 0x1000, rets, 8, why, sizeof(why)), 2);
	assert_int_equal(rets[0], 0x1014);
	assert_int_equal(rets[1], 0x1019);
	/* more RETs than room: refused, not cut */
	assert_int_equal(tls_go_find_rets(fn, sizeof(fn), 0x1000, rets, 1, why, sizeof(why)), -1);
	assert_string_equal(why, "more than 1 RET instructions");
	/* the stack check: past its JBE, at +0xa */
	assert_int_equal(tls_go_after_stack_check(fn, sizeof(fn), why, sizeof(why)), 0xa);
}

static void test_tls_go_rets_refused(void **state)
{
	static const struct {
		const char *what;
		unsigned char b[16];
		size_t n;
		const char *why;
	} cases[] = {
	    {"tail call",
	     {0x90, 0xe9, 0x00, 0x10, 0x00, 0x00, 0xc3},
	     7,
	     "jump out of the function at +0x1"},
	    {"jump before the entry", {0xc3, 0xeb, 0xfc}, 3, "jump out of the function at +0x1"},
	    {"indirect jump (a jump table)", {0xc3, 0xff, 0xe0}, 3, "indirect jump at +0x1"},
	    {"unknown instruction", {0xc3, 0x06}, 2, "unknown instruction at +0x1"},
	    {"cut instruction at the end", {0xc3, 0xe8, 0x00}, 3, "unknown instruction at +0x1"},
	    {"no RET", {0x90, 0x90, 0xcc}, 3, "no RET instruction"},
	};
	size_t rets[8];
	char why[96];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = tls_go_find_rets(cases[i].b, cases[i].n, 0, rets, 8, why, sizeof(why));

		if (r != -1 || strcmp(why, cases[i].why))
			fail_msg("%s: %d \"%s\", expected -1 \"%s\"", cases[i].what, r, why,
				 cases[i].why);
	}
}

static void test_tls_go_stack_check(void **state)
{
	/* (*Conn).Write's prologue in Go 1.19: LEAQ -0x68(SP), R12; CMPQ R12, 16(R14); JBE */
	unsigned char big[0x80];
	static const unsigned char head[] = {0x4c, 0x8d, 0x64, 0x24, 0x98, 0x4d, 0x3b, 0x66,
					     0x10, 0x0f, 0x86, 0x61, 0x00, 0x00, 0x00};
	/* at 0x6c: spill, call morestack_noctxt, reload, jmp entry (rel32 -0x80) */
	static const unsigned char tail[] = {0x48, 0x89, 0x44, 0x24, 0x08, 0xe8, 0,
					     0,	   0,	 0,    0x48, 0x8b, 0x44, 0x24,
					     0x08, 0xe9, 0x80, 0xff, 0xff, 0xff};
	char why[96];

	(void)state;
	memset(big, 0x90, sizeof(big));
	memcpy(big, head, sizeof(head));
	memcpy(big + 0x6c, tail, sizeof(tail));
	big[11] = 0x5d; /* JBE at 9 (6 bytes): 0xf + 0x5d = the block at 0x6c */
	assert_int_equal(tls_go_after_stack_check(big, sizeof(big), why, sizeof(why)), 0xf);

	/* the block never jumps back to the entry: refused */
	big[0x6c + 16] = 0x81;
	assert_int_equal(tls_go_after_stack_check(big, sizeof(big), why, sizeof(why)), -1);
	assert_string_equal(why, "stack check does not lead to a call and a jump to the entry");
	big[0x6c + 16] = 0x80;
	/* a jump back without the CALL first: refused */
	big[0x6c + 5] = 0x90;
	memset(big + 0x6c + 6, 0x90, 4);
	assert_int_equal(tls_go_after_stack_check(big, sizeof(big), why, sizeof(why)), -1);
	big[0x6c + 5] = 0xe8;
	memset(big + 0x6c + 6, 0, 4);
	assert_int_equal(tls_go_after_stack_check(big, sizeof(big), why, sizeof(why)), 0xf);
	/* JBE out of the function */
	big[11] = 0x75; /* 0xf + 0x75 = 0x84, past the end */
	assert_int_equal(tls_go_after_stack_check(big, sizeof(big), why, sizeof(why)), -1);
	assert_string_equal(why, "stack check jumps outside the function");
	big[11] = 0x5d;
	/* a JA instead of JBE */
	big[10] = 0x87;
	assert_int_equal(tls_go_after_stack_check(big, sizeof(big), why, sizeof(why)), -1);
	assert_string_equal(why, "no JBE after the stack check");
	/* a NOSPLIT function: no check at all */
	assert_int_equal(tls_go_after_stack_check((const unsigned char *)"\x48\x89\xe5\xc3", 4, why,
						  sizeof(why)),
			 -1);
	assert_string_equal(why, "no stack check in the prologue");
	/* LEAQ into R12 but then a compare of something else */
	big[10] = 0x86;
	big[5] = 0x49;
	assert_int_equal(tls_go_after_stack_check(big, sizeof(big), why, sizeof(why)), -1);
	assert_string_equal(why, "no stack check in the prologue");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_go_rets),
	    cmocka_unit_test(test_tls_go_rets_refused),
	    cmocka_unit_test(test_tls_go_stack_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
