// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * x86len.c - x86-64 instruction lengths (see x86len.h). Written from the Intel SDM's opcode
 * maps (vol. 2, appendix A); checked against `go tool objdump` and GNU objdump over whole
 * binaries (tests/integration/go_tests.sh) and against hand-encoded cases (test_x86len.c).
 */
#include <pthread.h>
#include <string.h>

#include "x86len.h"

/* Bit sets over the 256 opcodes of a map, written as ranges. */
struct opset {
	uint64_t w[4];
};

static bool has(const struct opset *s, uint8_t op)
{
	return s->w[op >> 6] >> (op & 63) & 1;
}

static void add(struct opset *s, unsigned lo, unsigned hi)
{
	for (unsigned i = lo; i <= hi; i++)
		s->w[i >> 6] |= 1ull << (i & 63);
}

/* The one-byte map's classes; built once (the ranges read like the SDM's table). */
static struct opset m1_modrm, m1_ib, m1_iz, m1_bad, m2_nomodrm, m2_ib, m2_bad;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	struct opset z = {{0}};

	m1_modrm = m1_ib = m1_iz = m1_bad = m2_nomodrm = m2_ib = m2_bad = z;
	/* ALU r/m forms: 00-03, 08-0B, ... 38-3B; AL/eAX immediates: x4 (ib), x5 (iz) */
	for (unsigned b = 0; b < 0x40; b += 8) {
		add(&m1_modrm, b, b + 3);
		add(&m1_ib, b + 4, b + 4);
		add(&m1_iz, b + 5, b + 5);
	}
	add(&m1_modrm, 0x63, 0x63); /* MOVSXD */
	add(&m1_modrm, 0x69, 0x69); /* IMUL r, r/m, iz */
	add(&m1_iz, 0x69, 0x69);
	add(&m1_modrm, 0x6b, 0x6b); /* IMUL r, r/m, ib */
	add(&m1_ib, 0x6b, 0x6b);
	add(&m1_iz, 0x68, 0x68); /* PUSH iz */
	add(&m1_ib, 0x6a, 0x6a); /* PUSH ib */
	add(&m1_ib, 0x70, 0x7f); /* Jcc rel8 */
	add(&m1_modrm, 0x80, 0x8f);
	add(&m1_ib, 0x80, 0x80);
	add(&m1_iz, 0x81, 0x81);
	add(&m1_ib, 0x83, 0x83);
	add(&m1_ib, 0xa8, 0xa8); /* TEST AL, ib */
	add(&m1_iz, 0xa9, 0xa9);
	add(&m1_ib, 0xb0, 0xb7);    /* MOV r8, ib */
	add(&m1_modrm, 0xc0, 0xc1); /* shift group, ib */
	add(&m1_ib, 0xc0, 0xc1);
	add(&m1_modrm, 0xc6, 0xc7); /* MOV r/m, imm */
	add(&m1_ib, 0xc6, 0xc6);
	add(&m1_iz, 0xc7, 0xc7);
	add(&m1_ib, 0xcd, 0xcd);    /* INT ib */
	add(&m1_modrm, 0xd0, 0xd3); /* shift group */
	add(&m1_modrm, 0xd8, 0xdf); /* x87 */
	add(&m1_ib, 0xe0, 0xe7);    /* LOOPcc, JRCXZ rel8; IN/OUT ib */
	add(&m1_iz, 0xe8, 0xe9);    /* CALL, JMP rel32 */
	add(&m1_ib, 0xeb, 0xeb);    /* JMP rel8 */
	add(&m1_modrm, 0xf6, 0xf7); /* group 3: TEST has an immediate (below) */
	add(&m1_modrm, 0xfe, 0xff);
	/* invalid in 64-bit mode (62, C4, C5 are EVEX/VEX, handled before the table) */
	static const uint8_t bad1[] = {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37,
				       0x3f, 0x60, 0x61, 0x82, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea};
	for (size_t i = 0; i < sizeof(bad1); i++)
		add(&m1_bad, bad1[i], bad1[i]);

	/* the 0F map: without ModRM, with an ib, or undefined (3DNow! 0F 0F included) */
	static const uint8_t nomodrm2[] = {0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e,
					   0x77, 0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa};
	for (size_t i = 0; i < sizeof(nomodrm2); i++)
		add(&m2_nomodrm, nomodrm2[i], nomodrm2[i]);
	add(&m2_nomodrm, 0x30, 0x37); /* WRMSR .. GETSEC */
	add(&m2_nomodrm, 0x80, 0x8f); /* Jcc rel32 */
	add(&m2_nomodrm, 0xc8, 0xcf); /* BSWAP */
	add(&m2_ib, 0x70, 0x73);      /* PSHUFx, shift groups */
	static const uint8_t ib2[] = {0xa4, 0xac, 0xba, 0xc2, 0xc4, 0xc5, 0xc6};
	for (size_t i = 0; i < sizeof(ib2); i++)
		add(&m2_ib, ib2[i], ib2[i]);
	static const uint8_t bad2[] = {0x04, 0x0a, 0x0c, 0x0f, 0x24, 0x25, 0x26, 0x27, 0x36,
				       0x39, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x7a, 0x7b};
	for (size_t i = 0; i < sizeof(bad2); i++)
		add(&m2_bad, bad2[i], bad2[i]);
}

/*
 * Bytes of the ModRM byte at p and what follows it (SIB, displacement), or -1 past n. 64-bit
 * mode has no 16-bit addressing: a 67 prefix selects 32-bit registers, same encoding.
 */
static int modrm_len(const uint8_t *p, size_t n)
{
	unsigned mod, rm;
	int len = 1;

	if (n < 1)
		return -1;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod == 3)
		return 1;
	if (rm == 4) { /* SIB */
		if (n < 2)
			return -1;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4; /* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		len += 4; /* RIP-relative disp32 */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

static int64_t rel(const uint8_t *p, unsigned size)
{
	if (size == 1)
		return (int8_t)p[0];
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

/* VEX (C4, C5) and EVEX (62) encoded: map, then opcode, ModRM, maybe ib. */
static int decode_vex(const uint8_t *p, size_t n, size_t at, struct x86_insn *in)
{
	unsigned map, op, hdr;
	size_t i;
	int m;
	bool ib = false;

	if (p[at] == 0xc5) {
		hdr = 2;
		map = 1;
	} else if (p[at] == 0xc4) {
		if (n < at + 2)
			return -1;
		hdr = 3;
		map = p[at + 1] & 0x1f;
		if (map < 1 || map > 3)
			return -1;
	} else {
		if (n < at + 3)
			return -1;
		hdr = 4;
		map = p[at + 1] & 7;
		/* P0 bit 3 and P1 bit 2 are fixed (0 and 1) */
		if ((p[at + 1] & 8) || !(p[at + 2] & 4) || map == 0 || map == 4 || map == 7)
			return -1;
	}
	i = at + hdr;
	if (n < i + 1)
		return -1;
	op = p[i++];
	if (hdr != 4 && map == 1 && op == 0x77) /* VZEROUPPER / VZEROALL: no ModRM */
		goto done;
	m = modrm_len(p + i, n - i);
	if (m < 0)
		return -1;
	i += m;
	if (map == 3)
		ib = true;
	else if (map == 1 && (op == 0x70 || op == 0x71 || op == 0x72 || op == 0x73 || op == 0xc2 ||
			      op == 0xc4 || op == 0xc5 || op == 0xc6))
		ib = true;
	if (ib)
		i++;
done:
	if (i > n || i > 15)
		return -1;
	in->len = i;
	in->flow = X86_FLOW_NEXT;
	return i;
}

int x86_decode(const uint8_t *p, size_t n, struct x86_insn *in)
{
	bool opsize = false, addrsize = false, rexw = false, rex = false, lock_rep = false;
	size_t i = 0;
	unsigned imm = 0, op;
	int m;

	pthread_once(&tables_once, build_tables);
	memset(in, 0, sizeof(*in));
	/* legacy prefixes in any order; a REX counts only right before the opcode */
	for (;; i++) {
		if (i >= n || i >= 14)
			return -1;
		switch (p[i]) {
		case 0x66:
			opsize = true;
			rex = rexw = false;
			continue;
		case 0x67:
			addrsize = true;
			rex = rexw = false;
			continue;
		case 0xf0:
		case 0xf2:
		case 0xf3:
			lock_rep = true;
			rex = rexw = false;
			continue;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
		case 0x64:
		case 0x65:
			rex = rexw = false;
			continue;
		}
		if ((p[i] & 0xf0) == 0x40) {
			rex = true;
			rexw = p[i] & 8;
			continue;
		}
		break;
	}
	op = p[i];
	if (op == 0xc4 || op == 0xc5 || op == 0x62) {
		if (rex || opsize || lock_rep) /* not allowed before VEX/EVEX */
			return -1;
		return decode_vex(p, n, i, in);
	}
	i++;
	if (op == 0x0f) {
		if (i >= n)
			return -1;
		op = p[i++];
		if (op == 0x38 || op == 0x3a) {
			bool ib = op == 0x3a;

			if (i >= n)
				return -1;
			i++; /* the opcode within the three-byte map */
			m = modrm_len(p + i, n - i);
			if (m < 0)
				return -1;
			i += m + (ib ? 1 : 0);
			goto done;
		}
		if (has(&m2_bad, op))
			return -1;
		if (op >= 0x80 && op <= 0x8f) { /* Jcc rel32 */
			if (i + 4 > n)
				return -1;
			in->flow = X86_FLOW_JMP;
			in->target = (int64_t)(i + 4) + rel(p + i, 4);
			i += 4;
			goto done;
		}
		if (!has(&m2_nomodrm, op)) {
			m = modrm_len(p + i, n - i);
			if (m < 0)
				return -1;
			i += m;
		}
		if (has(&m2_ib, op))
			i++;
		goto done;
	}
	if (has(&m1_bad, op))
		return -1;
	if (has(&m1_modrm, op)) {
		if (i >= n)
			return -1;
		unsigned reg = p[i] >> 3 & 7;

		if (op == 0x8f && reg) /* AMD XOP, not x86-64 proper */
			return -1;
		if ((op == 0xf6 || op == 0xf7) && reg < 2) /* TEST r/m, imm */
			imm = op == 0xf6 ? 1 : (opsize ? 2 : 4);
		if (op == 0xff && (reg == 4 || reg == 5))
			in->flow = X86_FLOW_JMP_IND;
		if (op == 0xff && reg == 7)
			return -1;
		if (op == 0xfe && reg > 1)
			return -1;
		m = modrm_len(p + i, n - i);
		if (m < 0)
			return -1;
		i += m;
	}
	if (has(&m1_ib, op))
		imm = 1;
	else if (has(&m1_iz, op))
		imm = (opsize && op != 0xe8 && op != 0xe9) ? 2 : 4;
	else if (op >= 0xb8 && op <= 0xbf) /* MOV r, imm: 8 bytes with REX.W */
		imm = rexw ? 8 : opsize ? 2 : 4;
	else if (op >= 0xa0 && op <= 0xa3) /* MOV AL/eAX <-> moffs */
		imm = addrsize ? 4 : 8;
	else if (op == 0xc2 || op == 0xca) /* RET imm16 */
		imm = 2;
	else if (op == 0xc8) /* ENTER iw, ib */
		imm = 3;
	if (i + imm > n)
		return -1;
	if (op == 0xc3 || op == 0xc2 || op == 0xcb || op == 0xca) {
		in->flow = X86_FLOW_RET;
	} else if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3) || op == 0xeb ||
		   op == 0xe9) {
		in->flow = X86_FLOW_JMP;
		in->target = (int64_t)(i + imm) + rel(p + i, imm);
	}
	i += imm;
done:
	if (i > n || i > 15)
		return -1;
	in->len = i;
	return i;
}
