// SPDX-License-Identifier: GPL-2.0
/*
 * The instruction decoder: prefixes, opcode, ModRM/SIB, displacement and
 * immediate (SDM Vol. 2A chapter 2, "Instruction Format"), for the opcodes
 * of decode.h.  Bytes come from ctx->insn[], fetched as needed and never
 * more than EMUL_MAX_INSN of them.
 */
#include <linux/types.h>

#include "decode.h"
#include "regs.h"

/* Opcode attributes. */
#define OPF_MODRM	0x01
#define OPF_BYTE	0x02	/* 8-bit operands */
#define OPF_IMM8	0x04	/* imm8, sign-extended */
#define OPF_IMMZ	0x08	/* imm8/16/32 by operand size, sign-extended */
#define OPF_MOFFS	0x10	/* an offset of the address size */
#define OPF_NO64	0x20	/* invalid in 64-bit mode */
#define OPF_ONLY64	0x40	/* another instruction outside 64-bit mode */
#define OPF_FARPTR	0x80	/* ptr16:16 or ptr16:32 (EA, 9A) */
#define OPF_IMM16	0x100	/* imm16, zero-extended (CA) */

struct emul_opcode {
	u8 kind;
	u16 flags;
};

#define OP(k, f)	{ .kind = EMUL_K_##k, .flags = (f) }
#define M		OPF_MODRM
#define B		OPF_BYTE

/* SDM Vol. 2D A.3, "One, Two, and Three-Byte Opcode Maps". */
static const struct emul_opcode one_byte[256] = {
	[0x00] = OP(ALU, M | B), [0x01] = OP(ALU, M),
	[0x02] = OP(ALU, M | B), [0x03] = OP(ALU, M),
	[0x07] = OP(POP_SREG, OPF_NO64),
	[0x17] = OP(POP_SREG, OPF_NO64),
	[0x1f] = OP(POP_SREG, OPF_NO64),
	[0x08] = OP(ALU, M | B), [0x09] = OP(ALU, M),
	[0x0a] = OP(ALU, M | B), [0x0b] = OP(ALU, M),
	[0x10] = OP(ALU, M | B), [0x11] = OP(ALU, M),
	[0x12] = OP(ALU, M | B), [0x13] = OP(ALU, M),
	[0x18] = OP(ALU, M | B), [0x19] = OP(ALU, M),
	[0x1a] = OP(ALU, M | B), [0x1b] = OP(ALU, M),
	[0x20] = OP(ALU, M | B), [0x21] = OP(ALU, M),
	[0x22] = OP(ALU, M | B), [0x23] = OP(ALU, M),
	[0x28] = OP(ALU, M | B), [0x29] = OP(ALU, M),
	[0x2a] = OP(ALU, M | B), [0x2b] = OP(ALU, M),
	[0x30] = OP(ALU, M | B), [0x31] = OP(ALU, M),
	[0x32] = OP(ALU, M | B), [0x33] = OP(ALU, M),
	[0x38] = OP(ALU, M | B), [0x39] = OP(ALU, M),
	[0x3a] = OP(ALU, M | B), [0x3b] = OP(ALU, M),
	[0x63] = OP(MOVSXD, M | OPF_ONLY64),
	[0x80] = OP(GRP1, M | B | OPF_IMMZ),
	[0x81] = OP(GRP1, M | OPF_IMMZ),
	[0x82] = OP(GRP1, M | B | OPF_IMMZ | OPF_NO64),
	[0x83] = OP(GRP1, M | OPF_IMM8),
	[0x84] = OP(TEST, M | B), [0x85] = OP(TEST, M),
	[0x86] = OP(XCHG, M | B), [0x87] = OP(XCHG, M),
	[0x88] = OP(MOV, M | B), [0x89] = OP(MOV, M),
	[0x8a] = OP(MOV, M | B), [0x8b] = OP(MOV, M),
	[0x8e] = OP(MOV_SREG, M),
	[0x9a] = OP(CALL_FAR, OPF_FARPTR | OPF_NO64),
	[0xa0] = OP(MOV_MOFFS, B | OPF_MOFFS),
	[0xa1] = OP(MOV_MOFFS, OPF_MOFFS),
	[0xa2] = OP(MOV_MOFFS, B | OPF_MOFFS),
	[0xa3] = OP(MOV_MOFFS, OPF_MOFFS),
	[0xa4] = OP(MOVS, B), [0xa5] = OP(MOVS, 0),
	[0xaa] = OP(STOS, B), [0xab] = OP(STOS, 0),
	[0xac] = OP(LODS, B), [0xad] = OP(LODS, 0),
	/* C4, C5 are VEX prefixes in 64-bit mode. */
	[0xc4] = OP(LSEG, M | OPF_NO64), [0xc5] = OP(LSEG, M | OPF_NO64),
	[0xc6] = OP(GRP11, M | B | OPF_IMMZ),
	[0xc7] = OP(GRP11, M | OPF_IMMZ),
	[0xca] = OP(RET_FAR, OPF_IMM16), [0xcb] = OP(RET_FAR, 0),
	[0xcf] = OP(IRET, 0),
	[0xea] = OP(JMP_FAR, OPF_FARPTR | OPF_NO64),
	/* The immediate of F6/F7 depends on ModRM.reg: see decode_imm(). */
	[0xf6] = OP(GRP3, M | B), [0xf7] = OP(GRP3, M),
	[0xfe] = OP(GRP4, M | B), [0xff] = OP(GRP4, M),
};

static const struct emul_opcode two_byte[256] = {
	[0x00] = OP(GRP6, M),
	[0xa1] = OP(POP_SREG, 0), [0xa9] = OP(POP_SREG, 0),
	[0xb2] = OP(LSEG, M), [0xb4] = OP(LSEG, M), [0xb5] = OP(LSEG, M),
	[0xa3] = OP(BT, M), [0xab] = OP(BT, M),
	[0xb3] = OP(BT, M), [0xbb] = OP(BT, M),
	[0xba] = OP(GRP8, M | OPF_IMM8),
	[0xb6] = OP(MOVZX, M), [0xb7] = OP(MOVZX, M),
	[0xbe] = OP(MOVSX, M), [0xbf] = OP(MOVSX, M),
};

#undef OP
#undef M
#undef B

#define REX_B		0x01
#define REX_X		0x02
#define REX_R		0x04
#define REX_W		0x08

#define PAGE_BYTES	4096ULL

enum emul_result emul_raise(struct emul_ctx *ctx, u8 vector)
{
	/*
	 * Real-address mode exceptions push no error code (SDM Vol. 3B
	 * "Interrupt and Exception Handling" in "8086 Emulation").
	 */
	ctx->exception = (struct emul_exception) {
		.vector = vector,
		.has_error = vector != EMUL_VEC_UD &&
			     ctx->mode != EMUL_MODE_REAL,
	};
	return EMUL_EXCEPTION;
}

u64 emul_reg_read(const struct emul_ctx *ctx, const struct emul_insn *insn,
		  unsigned int reg, unsigned int bytes)
{
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	if (bytes == 1 && !insn->rex && reg >= 4 && reg < 8)
		return (ctx->regs[reg - 4] >> 8) & 0xff;
	return ctx->regs[reg] & emul_mask(bytes);
}

/*
 * 8- and 16-bit writes keep the rest of the register, 32-bit writes clear
 * the upper half (SDM Vol. 1 3.4.1.1 "General-Purpose Registers in 64-Bit
 * Mode"; its upper half is undefined outside 64-bit mode anyway).
 */
void emul_reg_write(struct emul_ctx *ctx, const struct emul_insn *insn,
		    unsigned int reg, unsigned int bytes, u64 val)
{
	u64 *r = &ctx->regs[reg];

	if (bytes == 1 && !insn->rex && reg >= 4 && reg < 8) {
		r = &ctx->regs[reg - 4];
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
	} else if (bytes < 4) {
		*r = (*r & ~emul_mask(bytes)) | (val & emul_mask(bytes));
	} else {
		*r = val & emul_mask(bytes);
	}
}

static bool mode_16bit(const struct emul_ctx *ctx)
{
	return ctx->mode == EMUL_MODE_REAL || ctx->mode == EMUL_MODE_PROT16;
}

/* The linear address of instruction byte i; IP wraps in 16-bit code. */
static u64 fetch_la(const struct emul_ctx *ctx, unsigned int i,
		    unsigned int *room)
{
	u64 ip = ctx->rip + i;

	if (ctx->mode == EMUL_MODE_LONG64) {
		*room = PAGE_BYTES - (ip & (PAGE_BYTES - 1));
		return ip;
	}
	if (mode_16bit(ctx))
		ip &= 0xffff;
	else
		ip &= 0xffffffff;
	ip = (u32)(ctx->seg_base[EMUL_SEG_CS] + ip);
	*room = PAGE_BYTES - (ip & (PAGE_BYTES - 1));
	if (mode_16bit(ctx) && *room > 0x10000 - ((ctx->rip + i) & 0xffff))
		*room = 0x10000 - ((ctx->rip + i) & 0xffff);
	return ip;
}

/*
 * Fetch up to the end of the page (or of the 15 bytes), never across it:
 * an instruction that ends on its page must not fault on the next one.
 */
static enum emul_result fetch(struct emul_ctx *ctx, unsigned int need)
{
	while (ctx->insn_avail < need) {
		unsigned int n = EMUL_MAX_INSN - ctx->insn_avail, room;
		u64 la = fetch_la(ctx, ctx->insn_avail, &room);

		if (n > room)
			n = room;
		switch (ctx->ops->fetch(ctx, la, ctx->insn + ctx->insn_avail,
					n)) {
		case EMUL_ACCESS_OK:
			break;
		case EMUL_ACCESS_FAULT:
			return EMUL_EXCEPTION;
		default:
			return EMUL_UNHANDLED;
		}
		ctx->insn_avail += n;
	}
	return EMUL_DONE;
}

static enum emul_result next_byte(struct emul_ctx *ctx,
				  struct emul_insn *insn, u8 *b)
{
	enum emul_result r;

	/* Past 15 bytes is #GP(0) (SDM Vol. 3A "Interrupt 13"). */
	if (insn->len >= EMUL_MAX_INSN)
		return emul_raise(ctx, EMUL_VEC_GP);
	if (insn->len >= ctx->insn_avail) {
		r = fetch(ctx, insn->len + 1);
		if (r != EMUL_DONE)
			return r;
	}
	*b = ctx->insn[insn->len++];
	return EMUL_DONE;
}

/* A little-endian field of 1, 2, 4 or 8 bytes, optionally sign-extended. */
static enum emul_result next_field(struct emul_ctx *ctx,
				   struct emul_insn *insn, unsigned int bytes,
				   bool sign, u64 *val)
{
	enum emul_result r;
	unsigned int i;
	u8 b;

	*val = 0;
	for (i = 0; i < bytes; i++) {
		r = next_byte(ctx, insn, &b);
		if (r != EMUL_DONE)
			return r;
		*val |= (u64)b << (i * 8);
	}
	if (sign && bytes < 8 && (*val & (1ULL << (bytes * 8 - 1))))
		*val |= ~emul_mask(bytes);
	return EMUL_DONE;
}

/*
 * Legacy prefixes in any order, then REX in 64-bit mode; a REX that does
 * not directly precede the opcode is ignored (SDM Vol. 2A 2.2.1 "REX
 * Prefixes").  Returns the first opcode byte in *b.
 */
static enum emul_result decode_prefixes(struct emul_ctx *ctx,
					struct emul_insn *insn, u8 *b,
					bool *opsize, bool *adsize)
{
	bool long64 = ctx->mode == EMUL_MODE_LONG64;
	enum emul_result r;

	for (;;) {
		r = next_byte(ctx, insn, b);
		if (r != EMUL_DONE)
			return r;
		switch (*b) {
		case 0xf0:
			insn->lock = true;
			break;
		case 0xf2:
		case 0xf3:
			insn->rep = true;
			break;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			/* 64-bit mode ignores ES, CS, SS and DS overrides. */
			if (!long64)
				insn->seg_override = (*b >> 3) & 3;
			break;
		case 0x64:
		case 0x65:
			insn->seg_override = EMUL_SEG_FS + (*b & 1);
			break;
		case 0x66:
			*opsize = true;
			break;
		case 0x67:
			*adsize = true;
			break;
		default:
			if (long64 && (*b & 0xf0) == 0x40) {
				insn->rex = *b;
				continue;
			}
			return EMUL_DONE;
		}
		insn->rex = 0;
	}
}

/* 16-bit forms (SDM Vol. 2A Table 2-1): base and index per ModRM.rm. */
static const u8 ea16_regs[8][2] = {
	{ VIREO_REG_RBX, VIREO_REG_RSI }, { VIREO_REG_RBX, VIREO_REG_RDI },
	{ VIREO_REG_RBP, VIREO_REG_RSI }, { VIREO_REG_RBP, VIREO_REG_RDI },
	{ VIREO_REG_RSI, 0xff }, { VIREO_REG_RDI, 0xff },
	{ VIREO_REG_RBP, 0xff }, { VIREO_REG_RBX, 0xff },
};

static enum emul_result decode_ea16(struct emul_ctx *ctx,
				    struct emul_insn *insn)
{
	unsigned int rm = insn->rm & 7;
	const u8 *regs = ea16_regs[rm];
	enum emul_result r;
	u64 disp = 0;

	if (insn->mod == 0 && rm == 6)
		return next_field(ctx, insn, 2, false, &insn->ea);
	if (insn->mod)
		r = next_field(ctx, insn, insn->mod == 1 ? 1 : 2, true, &disp);
	else
		r = EMUL_DONE;
	if (r != EMUL_DONE)
		return r;
	insn->ea = ctx->regs[regs[0]] + disp;
	if (regs[1] != 0xff)
		insn->ea += ctx->regs[regs[1]];
	/* Forms with BP address the stack segment. */
	if (regs[0] == VIREO_REG_RBP)
		insn->seg = EMUL_SEG_SS;
	return EMUL_DONE;
}

/*
 * 32/64-bit forms (SDM Vol. 2A Tables 2-2 and 2-3, and 2.2.1.6 "RIP-Relative
 * Addressing").
 */
static enum emul_result decode_ea32(struct emul_ctx *ctx,
				    struct emul_insn *insn)
{
	unsigned int base = insn->rm, index;
	enum emul_result r;
	u64 disp = 0;
	bool no_base = false;
	u8 sib;

	if ((insn->rm & 7) == 4) {
		r = next_byte(ctx, insn, &sib);
		if (r != EMUL_DONE)
			return r;
		index = ((sib >> 3) & 7) | ((insn->rex & REX_X) ? 8 : 0);
		base = (sib & 7) | ((insn->rex & REX_B) ? 8 : 0);
		/* Index 4 (without REX.X) means none. */
		if (index != 4)
			insn->ea = ctx->regs[index] << (sib >> 6);
		no_base = (sib & 7) == 5 && insn->mod == 0;
	} else if ((insn->rm & 7) == 5 && insn->mod == 0) {
		no_base = true;
		insn->riprel = ctx->mode == EMUL_MODE_LONG64;
	}
	if (no_base)
		r = next_field(ctx, insn, 4, true, &disp);
	else if (insn->mod)
		r = next_field(ctx, insn, insn->mod == 1 ? 1 : 4, true, &disp);
	else
		r = EMUL_DONE;
	if (r != EMUL_DONE)
		return r;
	if (!no_base) {
		insn->ea += ctx->regs[base];
		if (base == VIREO_REG_RSP || base == VIREO_REG_RBP)
			insn->seg = EMUL_SEG_SS;
	}
	insn->ea += disp;
	return EMUL_DONE;
}

static enum emul_result decode_modrm(struct emul_ctx *ctx,
				     struct emul_insn *insn)
{
	enum emul_result r;
	u8 modrm;

	r = next_byte(ctx, insn, &modrm);
	if (r != EMUL_DONE)
		return r;
	insn->mod = modrm >> 6;
	insn->reg = ((modrm >> 3) & 7) | ((insn->rex & REX_R) ? 8 : 0);
	insn->rm = (modrm & 7) | ((insn->rex & REX_B) ? 8 : 0);
	if (insn->mod == 3)
		return EMUL_DONE;
	insn->mem = true;
	if (insn->ad_bytes == 2)
		return decode_ea16(ctx, insn);
	return decode_ea32(ctx, insn);
}

static enum emul_result decode_imm(struct emul_ctx *ctx,
				   struct emul_insn *insn, u16 flags)
{
	unsigned int bytes = insn->op_bytes < 4 ? insn->op_bytes : 4;
	enum emul_result r;
	u64 sel;

	if (flags & OPF_FARPTR) {
		/* The offset first, then the selector (SDM Vol. 2A "JMP"). */
		r = next_field(ctx, insn, bytes, false, &insn->imm);
		if (r != EMUL_DONE)
			return r;
		r = next_field(ctx, insn, 2, false, &sel);
		insn->sel = sel;
		return r;
	}
	if (flags & OPF_IMM16)
		return next_field(ctx, insn, 2, false, &insn->imm);

	if (flags & OPF_MOFFS) {
		insn->mem = true;
		return next_field(ctx, insn, insn->ad_bytes, false, &insn->ea);
	}
	/* F6/F7: only TEST (/0, and its alias /1) has an immediate. */
	if (insn->kind == EMUL_K_GRP3 && (insn->reg & 7) < 2)
		flags |= OPF_IMMZ;
	if (flags & OPF_IMM8)
		bytes = 1;
	else if (!(flags & OPF_IMMZ))
		return EMUL_DONE;
	return next_field(ctx, insn, bytes, true, &insn->imm);
}

static void decode_sizes(const struct emul_ctx *ctx, struct emul_insn *insn,
			 u16 flags, bool opsize, bool adsize)
{
	if (ctx->mode == EMUL_MODE_LONG64) {
		/* REX.W wins over 66h. */
		insn->op_bytes = (insn->rex & REX_W) ? 8 : opsize ? 2 : 4;
		insn->ad_bytes = adsize ? 4 : 8;
	} else {
		insn->op_bytes = (mode_16bit(ctx) != opsize) ? 2 : 4;
		insn->ad_bytes = (mode_16bit(ctx) != adsize) ? 2 : 4;
	}
	if (flags & OPF_BYTE)
		insn->op_bytes = 1;
}

enum emul_result emul_decode(struct emul_ctx *ctx, struct emul_insn *insn)
{
	bool long64 = ctx->mode == EMUL_MODE_LONG64;
	bool opsize = false, adsize = false;
	struct emul_opcode op;
	enum emul_result r;
	u8 b;

	insn->seg_override = -1;
	insn->seg = EMUL_SEG_DS;
	r = decode_prefixes(ctx, insn, &b, &opsize, &adsize);
	if (r != EMUL_DONE)
		return r;
	op = one_byte[b];
	if (b == 0x0f) {
		r = next_byte(ctx, insn, &b);
		if (r != EMUL_DONE)
			return r;
		op = two_byte[b];
	}
	insn->opcode = b;
	insn->kind = op.kind;
	if (op.kind == EMUL_K_NONE ||
	    (long64 && (op.flags & OPF_NO64)) ||
	    (!long64 && (op.flags & OPF_ONLY64)))
		return EMUL_UNHANDLED;
	decode_sizes(ctx, insn, op.flags, opsize, adsize);
	if (op.flags & OPF_MODRM) {
		r = decode_modrm(ctx, insn);
		if (r != EMUL_DONE)
			return r;
	}
	r = decode_imm(ctx, insn, op.flags);
	if (r != EMUL_DONE)
		return r;
	/* RIP-relative: from the end of the instruction, immediate included. */
	if (insn->riprel)
		insn->ea += ctx->rip + insn->len;
	insn->ea &= emul_mask(insn->ad_bytes);
	if (insn->seg_override >= 0)
		insn->seg = insn->seg_override;
	return EMUL_DONE;
}

/* The opcodes emul_decode_only() knows (see emulate.h). */
static bool decode_only_known(bool two_byte, u8 b, bool *modrm, bool *imm8)
{
	*modrm = two_byte && b >= 0x20 && b <= 0x23;
	*imm8 = !two_byte && b >= 0xe4 && b <= 0xe7;
	if (two_byte)
		return *modrm;
	return (b >= 0x6c && b <= 0x6f) || (b >= 0xe4 && b <= 0xe7) ||
	       (b >= 0xec && b <= 0xef);
}

enum emul_result emul_decode_only(struct emul_ctx *ctx,
				  struct emul_decoded *d)
{
	bool opsize = false, adsize = false, modrm, imm8;
	struct emul_insn insn = { .seg_override = -1 };
	enum emul_result r;
	u8 b;

	r = decode_prefixes(ctx, &insn, &b, &opsize, &adsize);
	if (r != EMUL_DONE)
		return r;
	d->two_byte = b == 0x0f;
	if (d->two_byte) {
		r = next_byte(ctx, &insn, &b);
		if (r != EMUL_DONE)
			return r;
	}
	if (!decode_only_known(d->two_byte, b, &modrm, &imm8))
		return EMUL_UNHANDLED;
	d->opcode = b;
	d->reg = 0;
	d->rm = 0;
	if (modrm) {
		/* The operand is a register whatever mod says: no SIB, no disp. */
		r = next_byte(ctx, &insn, &b);
		if (r != EMUL_DONE)
			return r;
		d->reg = ((b >> 3) & 7) | ((insn.rex & REX_R) ? 8 : 0);
		d->rm = (b & 7) | ((insn.rex & REX_B) ? 8 : 0);
	}
	if (imm8) {
		r = next_byte(ctx, &insn, &b);
		if (r != EMUL_DONE)
			return r;
	}
	decode_sizes(ctx, &insn, 0, opsize, adsize);
	d->len = insn.len;
	d->lock = insn.lock;
	d->seg_override = insn.seg_override;
	d->ad_bytes = insn.ad_bytes;
	return EMUL_DONE;
}
