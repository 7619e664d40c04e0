/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * x86dec.h - a minimal x86-64 instruction decoder: lengths, control flow, constant loads.
 *
 * Enough to walk compiler-generated code one instruction at a time (legacy prefixes, REX, the
 * one-byte, 0F, 0F38 and 0F3A maps, VEX and EVEX) and to say what an instruction does to control
 * flow, plus the few forms that put a constant in a register (mov imm, xor self, lea rip). It
 * is not a disassembler: operands other than those are not decoded. An encoding it does not
 * know (invalid in 64-bit mode, 3DNow!, XOP) is an error: callers stop trusting the walk there.
 */
#ifndef AGT_X86DEC_H
#define AGT_X86DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_flow {
	X86_NEXT,     /* falls through to the next instruction */
	X86_CALL,     /* call rel32: target set, falls through */
	X86_JMP,      /* jmp rel8/rel32: target set, no fall-through */
	X86_JCC,      /* conditional rel8/rel32 (jcc, loop, jrcxz): target set, falls through */
	X86_RET,      /* ret, iret */
	X86_INT3,     /* int3: function padding in lld output, never reached */
	X86_CALL_IND, /* call through a register or memory */
	X86_JMP_IND,  /* jmp through a register or memory (switch tables, tail calls) */
	X86_TRAP,     /* ud2, hlt: no fall-through */
};

/* Register numbers: the hardware's, REX extended: 0 rax, 1 rcx, 2 rdx, ... 7 rdi, 8 r8 ... 15. */
enum { X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI, X86_R8 };

struct x86_insn {
	uint8_t len;
	enum x86_flow flow;
	uint64_t target; /* X86_CALL/JMP/JCC: the absolute address of the destination */
	/* a constant put in a whole register (mov r, imm; xor r, r; lea r, [rip + d]) */
	bool sets_const;
	uint8_t const_reg;
	uint64_t const_val;
	/* a copy from register to register (mov r, r): only the destination changes */
	bool moves_reg;
	uint8_t dst_reg;
};

/*
 * Decodes the instruction at code[0..avail), which sits at address `addr` (for relative
 * targets). Returns its length (1..15) with *in filled, or 0 if the bytes are not an
 * instruction this decoder knows or are cut short.
 */
int x86_decode(const uint8_t *code, size_t avail, uint64_t addr, struct x86_insn *in);

#endif
