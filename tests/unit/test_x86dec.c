// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_x86dec.c - the minimal x86-64 decoder: lengths, control flow and constant loads of the
 * instructions the BoringSSL locator walks (taken from Bun's and libcrypto's code, as objdump
 * decodes them), and refusals of what it does not know.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "x86dec.h"

struct dcase {
	const char *hex;
	uint64_t addr;
	int len; /* 0: refused */
	enum x86_flow flow;
	uint64_t target;
	int creg; /* -1: no constant */
	uint64_t cval;
	int mreg; /* -1: not a register move */
};

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		sscanf(s, "%2x", &v);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static const struct dcase cases[] = {
    {"55", 0, 1, X86_NEXT, 0, -1, 0, -1},			  /* push rbp */
    {"48 89 e5", 0, 3, X86_NEXT, 0, -1, 0, X86_RBP},		  /* mov rbp, rsp */
    {"4c 89 f7", 0, 3, X86_NEXT, 0, -1, 0, X86_RDI},		  /* mov rdi, r14 */
    {"41 89 d7", 0, 3, X86_NEXT, 0, -1, 0, 15},			  /* mov r15d, edx */
    {"ba d9 1a 31 00", 0, 5, X86_NEXT, 0, X86_RDX, 0x311ad9, -1}, /* mov edx, imm32 */
    {"bf 10 00 00 00", 0, 5, X86_NEXT, 0, X86_RDI, 16, -1},	  /* mov edi, 16 */
    {"41 b8 d6 01 00 00", 0, 6, X86_NEXT, 0, X86_R8, 0x1d6, -1},  /* mov r8d, 0x1d6 */
    {"48 b8 88 77 66 55 44 33 22 11", 0, 10, X86_NEXT, 0, X86_RAX, 0x1122334455667788ull, -1},
    {"48 c7 c1 ff ff ff ff", 0, 7, X86_NEXT, 0, X86_RCX, ~0ull, -1},	   /* mov rcx, -1 */
    {"31 f6", 0, 2, X86_NEXT, 0, X86_RSI, 0, -1},			   /* xor esi, esi */
    {"45 31 c0", 0, 3, X86_NEXT, 0, X86_R8, 0, -1},			   /* xor r8d, r8d */
    {"31 c6", 0, 2, X86_NEXT, 0, -1, 0, -1},				   /* xor esi, eax */
    {"48 8d 0d 10 00 00 00", 0x1000, 7, X86_NEXT, 0, X86_RCX, 0x1017, -1}, /* lea rcx, [rip+] */
    {"48 8d 45 e8", 0, 4, X86_NEXT, 0, -1, 0, -1},			   /* lea rax, [rbp-0x18] */
    {"e8 f9 65 fc ff", 0x61d0fb2, 5, X86_CALL, 0x61975b0, -1, 0, -1},
    {"e9 5e ff ff ff", 0x61d0fa0, 5, X86_JMP, 0x61d0f03, -1, 0, -1},
    {"eb 1f", 0x61d10ba, 2, X86_JMP, 0x61d10db, -1, 0, -1},
    {"74 2d", 0x61d1060, 2, X86_JCC, 0x61d108f, -1, 0, -1},
    {"0f 84 8a 00 00 00", 0x61d1094, 6, X86_JCC, 0x61d1124, -1, 0, -1},
    {"c3", 0, 1, X86_RET, 0, -1, 0, -1},
    {"cc", 0, 1, X86_INT3, 0, -1, 0, -1},
    {"0f 0b", 0, 2, X86_TRAP, 0, -1, 0, -1},
    {"ff 50 48", 0, 3, X86_CALL_IND, 0, -1, 0, -1},	       /* call [rax+0x48] */
    {"ff e0", 0, 2, X86_JMP_IND, 0, -1, 0, -1},		       /* jmp rax */
    {"48 c7 45 c8 00 00 00 00", 0, 8, X86_NEXT, 0, -1, 0, -1}, /* mov qword [rbp-0x38], 0 */
    {"c7 80 c4 00 00 00 00 00 00 00", 0, 10, X86_NEXT, 0, -1, 0, -1},
    {"48 83 bb 98 00 00 00 00", 0, 8, X86_NEXT, 0, -1, 0, -1},	      /* cmp qword [rbx+0x98], 0 */
    {"f6 87 a4 00 00 00 01", 0, 7, X86_NEXT, 0, -1, 0, -1},	      /* test byte [rdi+0xa4], 1 */
    {"f7 c1 00 01 00 00", 0, 6, X86_NEXT, 0, -1, 0, -1},	      /* test ecx, 0x100 */
    {"66 2e 0f 1f 84 00 00 00 00 00", 0, 10, X86_NEXT, 0, -1, 0, -1}, /* nop */
    {"0f 1f 44 00 00", 0, 5, X86_NEXT, 0, -1, 0, -1},
    {"f3 0f 1e fa", 0, 4, X86_NEXT, 0, -1, 0, -1},	       /* endbr64 */
    {"66 0f 3a 0f c1 08", 0, 6, X86_NEXT, 0, -1, 0, -1},       /* palignr */
    {"c5 f8 77", 0, 3, X86_NEXT, 0, -1, 0, -1},		       /* vzeroupper */
    {"c4 e3 79 16 c0 01", 0, 6, X86_NEXT, 0, -1, 0, -1},       /* vpextrd */
    {"62 f1 7d 48 6f 44 24 01", 0, 8, X86_NEXT, 0, -1, 0, -1}, /* vmovdqa32 zmm0 */
    {"e8 00 00", 0, 0, X86_NEXT, 0, -1, 0, -1},		       /* cut short */
    {"06", 0, 0, X86_NEXT, 0, -1, 0, -1},		       /* push es: invalid */
    {"0f 0f c1 b4", 0, 0, X86_NEXT, 0, -1, 0, -1},	       /* 3DNow! */
};

static void test_x86dec_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dcase *c = &cases[i];
		uint8_t b[32];
		size_t n = unhex(c->hex, b);
		struct x86_insn in;
		int len = x86_decode(b, n, c->addr, &in);

		if (len != c->len)
			fail_msg("%s: length %d, expected %d", c->hex, len, c->len);
		if (!len)
			continue;
		assert_int_equal(in.len, len);
		if (in.flow != c->flow)
			fail_msg("%s: flow %d, expected %d", c->hex, in.flow, c->flow);
		if (c->flow == X86_CALL || c->flow == X86_JMP || c->flow == X86_JCC)
			assert_int_equal(in.target, c->target);
		assert_int_equal(in.sets_const, c->creg >= 0);
		if (c->creg >= 0) {
			assert_int_equal(in.const_reg, c->creg);
			assert_int_equal(in.const_val, c->cval);
		}
		assert_int_equal(in.moves_reg, c->mreg >= 0);
		if (c->mreg >= 0)
			assert_int_equal(in.dst_reg, c->mreg);
	}
}

/* Every prefix of a valid instruction is refused, never over-read. */
static void test_x86dec_truncated(void **state)
{
	static const char *const hex[] = {"48 8d 0d 10 00 00 00", "41 b8 d6 01 00 00",
					  "62 f1 7d 48 6f 44 24 01", "0f 84 8a 00 00 00"};

	(void)state;
	for (size_t i = 0; i < sizeof(hex) / sizeof(hex[0]); i++) {
		uint8_t b[32];
		size_t n = unhex(hex[i], b);
		struct x86_insn in;

		for (size_t k = 0; k < n; k++) {
			uint8_t *cut = malloc(k ? k : 1);

			memcpy(cut, b, k);
			assert_int_equal(x86_decode(cut, k, 0, &in), 0);
			free(cut);
		}
		assert_int_equal(x86_decode(b, n, 0, &in), (int)n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_x86dec_cases),
	    cmocka_unit_test(test_x86dec_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
