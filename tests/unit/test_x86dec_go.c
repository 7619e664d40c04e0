// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_x86dec_go.c - x86dec on the instructions the Go locator (tls_go.c) depends on, hand
 * encoded: lengths, control flow, jump targets, and what it must refuse. The whole-binary
 * comparison with GNU objdump (every function of Go 1.19 and 1.26 binaries) is in
 * tests/integration/go_tests.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "x86dec.h"

struct tcase {
	const char *what;
	uint8_t b[16];
	unsigned n;	    /* bytes given to the decoder */
	int len;	    /* expected: length, or 0: refused */
	enum x86_flow flow; /* expected when len > 0 */
	int64_t target;	    /* X86_JMP */
};

static const struct tcase cases[] = {
    {"ret", {0xc3}, 1, 1, X86_RET, 0},
    {"ret imm16", {0xc2, 0x08, 0x00}, 3, 3, X86_RET, 0},
    {"nop", {0x90}, 1, 1, X86_NEXT, 0},
    {"int3", {0xcc}, 1, 1, X86_INT3, 0},
    {"mov rbp, rsp", {0x48, 0x89, 0xe5}, 3, 3, X86_NEXT, 0},
    {"cmp rsp, [r14+0x10]", {0x49, 0x3b, 0x66, 0x10}, 4, 4, X86_NEXT, 0},
    {"jbe rel32", {0x0f, 0x86, 0xc2, 0x03, 0x00, 0x00}, 6, 6, X86_JCC, 6 + 0x3c2},
    {"jbe rel8", {0x76, 0x10}, 2, 2, X86_JCC, 0x12},
    {"jmp rel8 to itself", {0xeb, 0xfe}, 2, 2, X86_JMP, 0},
    {"jmp rel32 backwards", {0xe9, 0x5b, 0xf8, 0xff, 0xff}, 5, 5, X86_JMP, 5 - 0x7a5},
    {"jrcxz", {0xe3, 0x04}, 2, 2, X86_JCC, 6},
    {"call rel32", {0xe8, 0x00, 0x00, 0x00, 0x00}, 5, 5, X86_CALL, 5},
    {"jmp rax", {0xff, 0xe0}, 2, 2, X86_JMP_IND, 0},
    {"jmp [rip+x]", {0xff, 0x25, 0x10, 0x00, 0x00, 0x00}, 6, 6, X86_JMP_IND, 0},
    {"call rax", {0xff, 0xd0}, 2, 2, X86_CALL_IND, 0},
    {"lea r12, [rsp-0x68]", {0x4c, 0x8d, 0x64, 0x24, 0x98}, 5, 5, X86_NEXT, 0},
    {"lea r12, [rsp-0x158]", {0x4c, 0x8d, 0xa4, 0x24, 0xa8, 0xfe, 0xff, 0xff}, 8, 8, 0, 0},
    {"mov rax, imm64", {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}, 10, 10, X86_NEXT, 0},
    {"mov eax, imm32", {0xb8, 1, 2, 3, 4}, 5, 5, X86_NEXT, 0},
    {"mov ax, imm16", {0x66, 0xb8, 1, 2}, 4, 4, X86_NEXT, 0},
    {"mov rax, -1 (c7)", {0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff}, 7, 7, X86_NEXT, 0},
    {"movw [rax], imm16", {0x66, 0xc7, 0x00, 0x34, 0x12}, 5, 5, X86_NEXT, 0},
    {"nopw 0(rax,rax)", {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00}, 6, 6, X86_NEXT, 0},
    {"cs nopw 0(rax,rax)", {0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0}, 10, 10, 0, 0},
    {"nopl 0(rax)", {0x0f, 0x1f, 0x80, 0, 0, 0, 0}, 7, 7, X86_NEXT, 0},
    {"popcnt edx, edx", {0xf3, 0x0f, 0xb8, 0xd2}, 4, 4, X86_NEXT, 0},
    {"test cl, 1", {0xf6, 0xc1, 0x01}, 3, 3, X86_NEXT, 0},
    {"test ecx, imm32", {0xf7, 0xc1, 1, 0, 0, 0}, 6, 6, X86_NEXT, 0},
    {"test cx, imm16", {0x66, 0xf7, 0xc1, 1, 0}, 5, 5, X86_NEXT, 0},
    {"not eax (f7 /2: no imm)", {0xf7, 0xd0}, 2, 2, X86_NEXT, 0},
    {"mov rax, moffs64", {0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8}, 10, 10, X86_NEXT, 0},
    /* refused (0): legal but never compiler output; a refusal stops a walk, never misleads it */
    {"mov eax, moffs32 (67)", {0x67, 0xa1, 1, 2, 3, 4}, 6, 0, 0, 0},
    {"enter", {0xc8, 0x10, 0x00, 0x00}, 4, 4, X86_NEXT, 0},
    {"mov rax, fs:[-8]", {0x64, 0x48, 0x8b, 0x04, 0x25, 0xf8, 0xff, 0xff, 0xff}, 9, 9, 0, 0},
    {"mov rax, [rsp]", {0x48, 0x8b, 0x04, 0x24}, 4, 4, X86_NEXT, 0},
    {"mov rax, [rip+x]", {0x48, 0x8b, 0x05, 1, 2, 3, 4}, 7, 7, X86_NEXT, 0},
    {"mov eax, [disp32] (sib, no base)", {0x8b, 0x04, 0x25, 1, 2, 3, 4}, 7, 7, 0, 0},
    {"mov eax, [rsp+8]", {0x8b, 0x44, 0x24, 0x08}, 4, 4, X86_NEXT, 0},
    {"mov eax, [rsp+disp32]", {0x8b, 0x84, 0x24, 1, 2, 3, 4}, 7, 7, X86_NEXT, 0},
    {"mov eax, [rbp+0] (mod 1)", {0x8b, 0x45, 0x00}, 3, 3, X86_NEXT, 0},
    {"palignr xmm0, xmm1, 8", {0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08}, 6, 6, X86_NEXT, 0},
    {"pshufb xmm0, xmm1", {0x66, 0x0f, 0x38, 0x00, 0xc1}, 5, 5, X86_NEXT, 0},
    {"pshufd xmm0, xmm1, 0x1b", {0x66, 0x0f, 0x70, 0xc1, 0x1b}, 5, 5, X86_NEXT, 0},
    {"shld eax, ecx, 3", {0x0f, 0xa4, 0xc8, 0x03}, 4, 4, X86_NEXT, 0},
    {"syscall", {0x0f, 0x05}, 2, 2, X86_NEXT, 0},
    {"ud2", {0x0f, 0x0b}, 2, 2, X86_TRAP, 0},
    {"rdtsc", {0x0f, 0x31}, 2, 2, X86_NEXT, 0},
    {"bswap eax", {0x0f, 0xc8}, 2, 2, X86_NEXT, 0},
    {"lock cmpxchg [rdx], rcx", {0xf0, 0x48, 0x0f, 0xb1, 0x0a}, 5, 5, X86_NEXT, 0},
    {"xchg eax, ecx", {0x91}, 1, 1, X86_NEXT, 0},
    {"push imm8", {0x6a, 0x01}, 2, 2, X86_NEXT, 0},
    {"imul eax, ecx, imm32", {0x69, 0xc1, 1, 0, 0, 0}, 6, 6, X86_NEXT, 0},
    {"vpmovmskb eax, ymm0", {0xc5, 0xfd, 0xd7, 0xc0}, 4, 4, X86_NEXT, 0},
    {"vzeroupper (no ModRM)", {0xc5, 0xf8, 0x77}, 3, 3, X86_NEXT, 0},
    {"vpshufb ymm0, ymm0, ymm1", {0xc4, 0xe2, 0x7d, 0x00, 0xc1}, 5, 5, X86_NEXT, 0},
    {"vextracti128 xmm1, ymm0, 1", {0xc4, 0xe3, 0x7d, 0x39, 0xc1, 0x01}, 6, 6, 0, 0},
    {"vpshufd ymm0, ymm1, 0 (VEX 0F 70: ib)", {0xc5, 0xfd, 0x70, 0xc1, 0x00}, 5, 5, 0, 0},
    {"vmovdqa32 zmm0, [rdi] (EVEX)", {0x62, 0xf1, 0x7d, 0x48, 0x6f, 0x07}, 6, 6, 0, 0},
    {"vmovdqu8 zmm0, [rdi+0x40] (EVEX disp8)",
     {0x62, 0xf1, 0x7f, 0x48, 0x6f, 0x47, 0x01},
     7,
     7,
     0,
     0},
    {"movsxd rax, ecx", {0x48, 0x63, 0xc1}, 3, 3, X86_NEXT, 0},
    /* refused */
    {"push es (invalid in 64-bit mode)", {0x06}, 1, 0, 0, 0},
    {"3DNow! (0F 0F)", {0x0f, 0x0f, 0xc1, 0x9e}, 4, 0, 0, 0},
    {"REX before VEX", {0x48, 0xc5, 0xf8, 0x77}, 4, 0, 0, 0},
    {"cut: REX alone", {0x48}, 1, 0, 0, 0},
    {"cut: call without its rel32", {0xe8, 0x00, 0x00}, 3, 0, 0, 0},
    {"cut: VEX prefix alone", {0xc4}, 1, 0, 0, 0},
    {"cut: ModRM needs a SIB", {0x8b, 0x04}, 2, 0, 0, 0},
    {"14 prefixes + nop, 15 bytes: refused (never compiler output)",
     {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90},
     15,
     0,
     0,
     0},
};

static void test_x86dec_go_cases(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct x86_insn in;
		int len = x86_decode(c->b, c->n, 0x1000, &in);

		if (len != c->len) {
			print_error("%s: length %d, expected %d\n", c->what, len, c->len);
			bad++;
			continue;
		}
		if (!len)
			continue;
		if (in.len != len || (c->flow && in.flow != c->flow)) {
			print_error("%s: flow %d, expected %d\n", c->what, in.flow, c->flow);
			bad++;
		}
		if ((c->flow == X86_JMP || c->flow == X86_JCC || c->flow == X86_CALL) &&
		    in.target != (uint64_t)(0x1000 + c->target)) {
			print_error("%s: target %#llx, expected %#llx\n", c->what,
				    (unsigned long long)in.target, 0x1000ull + c->target);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* Whatever the bytes, the answer stays within them and within 15: never a read past n. */
static void test_x86dec_go_never_past_the_end(void **state)
{
	uint8_t buf[16];
	uint32_t x = 12345;

	(void)state;
	for (int k = 0; k < 200000; k++) {
		struct x86_insn in;
		unsigned n = 1 + k % 16;
		int len;

		for (unsigned i = 0; i < sizeof(buf); i++) {
			x = x * 1103515245 + 12345;
			buf[i] = x >> 16;
		}
		len = x86_decode(buf, n, 0, &in);
		assert_true(len == 0 || (len >= 1 && len <= (int)n && len <= 15));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_x86dec_go_cases),
	    cmocka_unit_test(test_x86dec_go_never_past_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
