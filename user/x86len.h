/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * x86len.h - the length (and the few control-flow facts a probe placer needs) of one x86-64
 * instruction, 64-bit mode only.
 *
 * A uprobe must sit on the first byte of an instruction: one in the middle of an instruction
 * corrupts the program. Finding a function's RET instructions therefore means walking it
 * instruction by instruction from its entry; this decoder knows every encoding's length (legacy
 * prefixes, REX, the 0F, 0F38 and 0F3A maps, VEX, EVEX, ModRM/SIB/displacement, immediates) and
 * answers -1 for what it does not know, so a caller can refuse rather than guess.
 */
#ifndef AGT_X86LEN_H
#define AGT_X86LEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_flow {
	X86_FLOW_NEXT,	  /* falls through to the next instruction (calls included) */
	X86_FLOW_RET,	  /* RET / RET imm16: leaves the function */
	X86_FLOW_JMP,	  /* direct jump (JMP, Jcc, JRCXZ, LOOP): target in `target` */
	X86_FLOW_JMP_IND, /* indirect JMP (FF /4, FF /5): target unknown */
};

struct x86_insn {
	unsigned len;	    /* 1..15 */
	enum x86_flow flow; /* what follows it */
	int64_t target;	    /* X86_FLOW_JMP: the target, relative to the instruction's start */
};

/*
 * Decodes the instruction at p (n bytes readable). Returns its length (1..15) and fills *in,
 * or -1 when the bytes are not an instruction this decoder knows (or run past n).
 */
int x86_decode(const uint8_t *p, size_t n, struct x86_insn *in);

#endif
