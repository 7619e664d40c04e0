// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* x86dec.c - a minimal x86-64 instruction decoder (see x86dec.h). */
#include <string.h>

#include "x86dec.h"

/* What follows an opcode: a ModRM byte, and an immediate of which size. */
enum {
	M = 1 << 0,    /* ModRM (+ SIB, displacement) */
	I8 = 1 << 1,   /* imm8 */
	I16 = 1 << 2,  /* imm16 */
	IZ = 1 << 3,   /* imm16 with a 0x66 prefix, else imm32 */
	BAD = 1 << 4,  /* invalid in 64-bit mode, or not known here */
	REL8 = 1 << 5, /* rel8 branch */
	RELZ = 1 << 6, /* rel32 branch */
};

/* The one-byte map, prefixes and escapes excepted (handled before the table is read). */
static unsigned op1(uint8_t op, unsigned reg)
{
	if (op < 0x40) {
		switch (op & 7) {
		case 0:
		case 1:
		case 2:
		case 3:
			return M;
		case 4:
			return I8;
		case 5:
			return IZ;
		default: /* push/pop segment, daa & co.: invalid in 64-bit mode */
			return BAD;
		}
	}
	if (op >= 0x50 && op <= 0x5f)
		return 0;
	if (op >= 0x70 && op <= 0x7f)
		return REL8;
	if (op >= 0x84 && op <= 0x8f)
		return M;
	if (op >= 0x90 && op <= 0x9f)
		return op == 0x9a ? BAD : 0;
	if (op >= 0xb0 && op <= 0xb7)
		return I8;
	if ((op >= 0xb8 && op <= 0xbf) || (op >= 0xa0 && op <= 0xa3))
		return 0;	      /* mov r, imm and mov with moffs: sized by the caller */
	if (op >= 0xd8 && op <= 0xdf) /* x87 */
		return M;
	switch (op) {
	case 0x63:
		return M;
	case 0x68:
		return IZ;
	case 0x69:
		return M | IZ;
	case 0x6a:
		return I8;
	case 0x6b:
		return M | I8;
	case 0x6c:
	case 0x6d:
	case 0x6e:
	case 0x6f:
		return 0;
	case 0x80:
	case 0x83:
		return M | I8;
	case 0x81:
		return M | IZ;
	case 0xa4:
	case 0xa5:
	case 0xa6:
	case 0xa7:
	case 0xaa:
	case 0xab:
	case 0xac:
	case 0xad:
	case 0xae:
	case 0xaf:
		return 0;
	case 0xa8:
		return I8;
	case 0xa9:
		return IZ;
	case 0xc0:
	case 0xc1:
	case 0xc6:
		return M | I8;
	case 0xc2:
	case 0xca:
		return I16;
	case 0xc3:
	case 0xc9:
	case 0xcb:
	case 0xcc:
	case 0xcf:
		return 0;
	case 0xc7:
		return M | IZ;
	case 0xc8:
		return I16 | I8;
	case 0xcd:
		return I8;
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3:
		return M;
	case 0xd7:
		return 0;
	case 0xe0:
	case 0xe1:
	case 0xe2:
	case 0xe3:
	case 0xeb:
		return REL8;
	case 0xe4:
	case 0xe5:
	case 0xe6:
	case 0xe7:
		return I8;
	case 0xe8:
	case 0xe9:
		return RELZ;
	case 0xec:
	case 0xed:
	case 0xee:
	case 0xef:
	case 0xf1:
	case 0xf4:
	case 0xf5:
	case 0xf8:
	case 0xf9:
	case 0xfa:
	case 0xfb:
	case 0xfc:
	case 0xfd:
		return 0;
	case 0xf6: /* test r/m8, imm8 is /0 and /1; not, neg, mul, div are /2../7 */
		return M | (reg < 2 ? I8 : 0);
	case 0xf7:
		return M | (reg < 2 ? IZ : 0);
	case 0xfe:
	case 0xff:
		return M;
	default: /* 0x60-0x62, 0x82, 0xce, 0xd4-0xd6, 0xea and what is handled by the caller */
		return BAD;
	}
}

/* The 0F map. */
static unsigned op2(uint8_t op)
{
	if (op >= 0x80 && op <= 0x8f)
		return RELZ;
	if ((op >= 0x70 && op <= 0x73) || op == 0xa4 || op == 0xac || op == 0xba ||
	    (op >= 0xc2 && op <= 0xc6))
		return M | I8;
	switch (op) {
	case 0x04:
	case 0x0a:
	case 0x0c:
	case 0x0f:
	case 0x24:
	case 0x25:
	case 0x26:
	case 0x27:
	case 0x36:
	case 0x39:
	case 0x3b:
	case 0x3c:
	case 0x3d:
	case 0x3e:
	case 0x3f:
	case 0x7a:
	case 0x7b:
		return BAD; /* undefined, 3DNow! */
	case 0x05:
	case 0x06:
	case 0x07:
	case 0x08:
	case 0x09:
	case 0x0b:
	case 0x0e:
	case 0x30:
	case 0x31:
	case 0x32:
	case 0x33:
	case 0x34:
	case 0x35:
	case 0x37:
	case 0x77:
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa8:
	case 0xa9:
	case 0xaa:
		return 0;
	default:
		if (op >= 0xc8 && op <= 0xcf) /* bswap */
			return 0;
		return M;
	}
}

/*
 * Length of a ModRM operand (ModRM byte, SIB, displacement) at p; 0 if cut short. *rip: the
 * operand is [rip + disp32], whose displacement starts at p + 1.
 */
static int modrm_len(const uint8_t *p, size_t avail, bool *rip)
{
	unsigned mod, rm;
	int n = 1;

	if (avail < 1)
		return 0;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	*rip = false;
	if (mod == 3)
		return 1;
	if (rm == 4) { /* SIB */
		if (avail < 2)
			return 0;
		n++;
		if (mod == 0 && (p[1] & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {
		*rip = true;
		n += 4;
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	return (size_t)n <= avail ? n : 0;
}

static int32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return (int32_t)v;
}

/* VEX (c4, c5) and EVEX (62): always so in 64-bit mode. */
static int decode_vex(const uint8_t *c, size_t avail, size_t i, struct x86_insn *in)
{
	unsigned map, op, flags;
	bool rip;
	int n;

	if (c[i] == 0xc5) {
		if (i + 3 > avail)
			return 0;
		map = 1;
		i += 2;
	} else if (c[i] == 0xc4) {
		if (i + 4 > avail)
			return 0;
		map = c[i + 1] & 0x1f;
		i += 3;
	} else { /* 0x62 EVEX: P0 P1 P2 */
		if (i + 5 > avail)
			return 0;
		map = c[i + 1] & 0x7;
		i += 4;
	}
	op = c[i++];
	if (map == 1 && op == 0x77) /* vzeroupper, vzeroall */
		flags = 0;
	else if (map == 1)
		flags = M | (((op >= 0x70 && op <= 0x73) || (op >= 0xc2 && op <= 0xc6)) ? I8 : 0);
	else if (map == 2 || map == 5 || map == 6)
		flags = M;
	else if (map == 3)
		flags = M | I8;
	else
		return 0;
	if (flags & M) {
		n = modrm_len(c + i, avail - i, &rip);
		if (!n)
			return 0;
		i += n;
	}
	if (flags & I8)
		i++;
	if (i > avail || i > 15)
		return 0;
	in->len = (uint8_t)i;
	return (int)i;
}

int x86_decode(const uint8_t *c, size_t avail, uint64_t addr, struct x86_insn *in)
{
	bool opsize = false, rip = false;
	unsigned rex = 0, flags, op, reg = 0;
	size_t i = 0, mpos = 0, ipos;
	int n;

	memset(in, 0, sizeof(*in));
	for (;; i++) { /* legacy prefixes */
		if (i >= avail || i >= 14)
			return 0;
		if (c[i] == 0x66)
			opsize = true;
		else if (c[i] != 0x67 && c[i] != 0xf2 && c[i] != 0xf3 && c[i] != 0xf0 &&
			 c[i] != 0x2e && c[i] != 0x3e && c[i] != 0x26 && c[i] != 0x36 &&
			 c[i] != 0x64 && c[i] != 0x65)
			break;
	}
	if ((c[i] & 0xf0) == 0x40) { /* REX: the last prefix */
		rex = c[i++];
		if (i >= avail)
			return 0;
	}
	op = c[i];
	if (op == 0xc4 || op == 0xc5 || op == 0x62)
		return rex ? 0 : decode_vex(c, avail, i, in);
	i++;
	if (op == 0x0f) {
		if (i >= avail)
			return 0;
		op = c[i++];
		if (op == 0x38 || op == 0x3a) {
			flags = M | (op == 0x3a ? I8 : 0);
			if (i >= avail)
				return 0;
			i++; /* the third opcode byte */
		} else {
			flags = op2(op);
			if (op == 0x0b || op == 0xb9 || op == 0xff)
				in->flow = X86_TRAP; /* ud2, ud1, ud0 */
		}
		op |= 0x100;
	} else {
		if (op == 0xf6 || op == 0xf7) {
			if (i >= avail)
				return 0;
			reg = (c[i] >> 3) & 7;
		}
		flags = op1(op, reg);
	}
	if (flags & BAD)
		return 0;
	if (flags & M) {
		mpos = i;
		n = modrm_len(c + i, avail - i, &rip);
		if (!n)
			return 0;
		i += n;
	}
	ipos = i;
	if (flags & I16)
		i += 2;
	if (flags & I8)
		i += 1;
	if (flags & IZ)
		i += (opsize && !(rex & 8)) ? 2 : 4;
	if (flags & REL8)
		i += 1;
	if (flags & RELZ)
		i += 4;
	if (op >= 0xb8 && op <= 0xbf) /* mov r, imm: imm64 with REX.W */
		i += (rex & 8) ? 8 : (opsize ? 2 : 4);
	if (op >= 0xa0 && op <= 0xa3) /* mov with a 64-bit moffs */
		i += 8;
	if (i > avail || i > 15)
		return 0;
	in->len = (uint8_t)i;

	/* control flow */
	if (flags & (REL8 | RELZ)) {
		int64_t rel = (flags & REL8) ? (int8_t)c[ipos] : le32(c + ipos);

		in->target = addr + i + rel;
		in->flow = op == 0xe8 ? X86_CALL : (op == 0xe9 || op == 0xeb) ? X86_JMP : X86_JCC;
	} else if (op == 0xc3 || op == 0xc2 || op == 0xcf || op == 0xca || op == 0xcb) {
		in->flow = X86_RET;
	} else if (op == 0xcc) {
		in->flow = X86_INT3;
	} else if (op == 0xf4) {
		in->flow = X86_TRAP;
	} else if (op == 0xff) {
		unsigned r = (c[mpos] >> 3) & 7;

		if (r == 2 || r == 3)
			in->flow = X86_CALL_IND;
		else if (r == 4 || r == 5)
			in->flow = X86_JMP_IND;
	}

	/* constants put in a whole register */
	if (op >= 0xb8 && op <= 0xbf && !opsize) {
		in->sets_const = true;
		in->const_reg = (op & 7) | ((rex & 1) << 3);
		if (rex & 8)
			memcpy(&in->const_val, c + ipos, 8);
		else
			in->const_val = (uint32_t)le32(c + ipos);
	} else if (op == 0xc7 && !opsize && (c[mpos] >> 6) == 3 && ((c[mpos] >> 3) & 7) == 0) {
		in->sets_const = true;
		in->const_reg = (c[mpos] & 7) | ((rex & 1) << 3);
		in->const_val = (rex & 8) ? (uint64_t)(int64_t)le32(c + ipos)
					  : (uint64_t)(uint32_t)le32(c + ipos);
	} else if ((op == 0x31 || op == 0x33) && !opsize && (c[mpos] >> 6) == 3 &&
		   ((c[mpos] >> 3) & 7) == (c[mpos] & 7) && !!(rex & 4) == !!(rex & 1)) {
		in->sets_const = true;
		in->const_reg = (c[mpos] & 7) | ((rex & 1) << 3);
		in->const_val = 0;
	} else if ((op == 0x89 || op == 0x8b) && (c[mpos] >> 6) == 3) {
		in->moves_reg = true;
		in->dst_reg = op == 0x89 ? (c[mpos] & 7) | ((rex & 1) << 3)
					 : ((c[mpos] >> 3) & 7) | ((rex & 4) << 1);
	} else if (op == 0x8d && rip && (rex & 8)) {
		in->sets_const = true;
		in->const_reg = ((c[mpos] >> 3) & 7) | ((rex & 4) << 1);
		in->const_val = addr + i + le32(c + mpos + 1);
	}
	return (int)i;
}
