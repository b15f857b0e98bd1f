// SPDX-License-Identifier: GPL-2.0
/*
 * The ALU of the emulator.  Carry and overflow come from the operands and
 * the truncated result alone, so one formula serves every size and ADC/SBB
 * need no wider arithmetic.  AF is cleared by the logical operations, where
 * the SDM leaves it undefined, as current CPUs do.
 */
#include <linux/types.h>

#include "alu.h"
#include "decode.h"

/* PF: set when the low byte of the result has an even number of ones. */
static u64 alu_parity(u64 res)
{
	u8 p = res;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	return (p & 1) ? 0 : EMUL_FLAG_PF;
}

/*
 * The carry out of the top bit of a + b (+ carry in), and the borrow out
 * of a - b (- borrow in): the carry into the top bit is a ^ b ^ res there.
 */
static u64 alu_carry(u64 a, u64 b, u64 res, bool sub)
{
	if (sub)
		return (~a & b) | ((~a | b) & res);
	return (a & b) | ((a | b) & ~res);
}

static u64 alu_overflow(u64 a, u64 b, u64 res, bool sub)
{
	if (sub)
		return (a ^ b) & (a ^ res);
	return (a ^ res) & (b ^ res);
}

u64 emul_alu(unsigned int op, unsigned int bytes, u64 a, u64 b, u64 *rflags)
{
	u64 mask = emul_mask(bytes), sign = 1ULL << (bytes * 8 - 1);
	u64 cf_in = *rflags & EMUL_FLAG_CF, flags = 0, res;
	bool sub = false, logic = false;

	switch (op) {
	case EMUL_ALU_ADD:
		res = a + b;
		break;
	case EMUL_ALU_ADC:
		res = a + b + cf_in;
		break;
	case EMUL_ALU_SUB:
	case EMUL_ALU_CMP:
		res = a - b;
		sub = true;
		break;
	case EMUL_ALU_SBB:
		res = a - b - cf_in;
		sub = true;
		break;
	case EMUL_ALU_INC:
		b = 1;
		res = a + 1;
		break;
	case EMUL_ALU_DEC:
		b = 1;
		res = a - 1;
		sub = true;
		break;
	case EMUL_ALU_NEG:
		/* 0 - a: CF is set unless a is zero. */
		b = a;
		a = 0;
		res = -b;
		sub = true;
		break;
	case EMUL_ALU_NOT:
		return ~a & mask;
	case EMUL_ALU_OR:
		res = a | b;
		logic = true;
		break;
	case EMUL_ALU_XOR:
		res = a ^ b;
		logic = true;
		break;
	default:		/* AND, TEST */
		res = a & b;
		logic = true;
		break;
	}
	res &= mask;
	a &= mask;
	b &= mask;
	if (!logic) {
		if (alu_carry(a, b, res, sub) & sign)
			flags |= EMUL_FLAG_CF;
		if (alu_overflow(a, b, res, sub) & sign)
			flags |= EMUL_FLAG_OF;
		flags |= (a ^ b ^ res) & EMUL_FLAG_AF;
	}
	if (op == EMUL_ALU_INC || op == EMUL_ALU_DEC)
		flags = (flags & ~EMUL_FLAG_CF) | cf_in;
	if (!res)
		flags |= EMUL_FLAG_ZF;
	if (res & sign)
		flags |= EMUL_FLAG_SF;
	flags |= alu_parity(res);
	*rflags = (*rflags & ~EMUL_FLAGS_ARITH) | flags;
	return res;
}
