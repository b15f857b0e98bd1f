// SPDX-License-Identifier: GPL-2.0
/*
 * Execution of a decoded instruction: operands, memory through the caller's
 * ops, register and flag updates, RIP.  Every handler reads first, makes its
 * one memory write last and only then changes registers, so an exception or
 * an exit for a read leaves the guest state as it was.
 */
#include <linux/types.h>
#include <linux/string.h>

#include "alu.h"
#include "decode.h"
#include "regs.h"

/* Handlers return EMUL_DONE or EMUL_EXIT_WRITE when they completed. */
static bool failed(enum emul_result r)
{
	return r != EMUL_DONE && r != EMUL_EXIT_WRITE;
}

static u64 sign_extend(u64 val, unsigned int bytes)
{
	unsigned int shift = 64 - bytes * 8;

	return (u64)((s64)(val << shift) >> shift);
}

/* SDM Vol. 1 3.3.7.1 "Canonical Addressing". */
static bool canonical(const struct emul_ctx *ctx, u64 la)
{
	unsigned int shift = ctx->la57 ? 64 - 57 : 64 - 48;

	return (u64)((s64)(la << shift) >> shift) == la;
}

/*
 * seg:ea to a linear address (SDM Vol. 3A 3.4 "Logical and Linear
 * Addresses").  64-bit mode uses only the FS and GS bases, and checks the
 * address is canonical, raising #SS for stack references (Vol. 3A 6.15).
 */
static enum emul_result linear(struct emul_ctx *ctx, u8 seg, u64 ea,
			       unsigned int size, u64 *la)
{
	if (ctx->mode != EMUL_MODE_LONG64) {
		*la = (u32)(ctx->seg_base[seg] + ea);
		return EMUL_DONE;
	}
	*la = ea;
	if (seg == EMUL_SEG_FS || seg == EMUL_SEG_GS)
		*la += ctx->seg_base[seg];
	if (!canonical(ctx, *la) || !canonical(ctx, *la + size - 1))
		return emul_raise(ctx, seg == EMUL_SEG_SS ? EMUL_VEC_SS :
					EMUL_VEC_GP);
	return EMUL_DONE;
}

enum emul_result emul_mem_read(struct emul_ctx *ctx, u8 seg, u64 ea,
			       unsigned int size, u64 *val)
{
	enum emul_result r;
	unsigned int i;
	u8 buf[8];
	u64 la;

	r = linear(ctx, seg, ea, size, &la);
	if (r != EMUL_DONE)
		return r;
	if (ctx->read_done && ctx->done.la == la && ctx->done.size == size) {
		ctx->read_done = false;
		memcpy(buf, ctx->done.data, size);
	} else {
		switch (ctx->ops->read(ctx, la, buf, size)) {
		case EMUL_ACCESS_OK:
			break;
		case EMUL_ACCESS_FAULT:
			return EMUL_EXCEPTION;
		default:
			ctx->mmio.la = la;
			ctx->mmio.size = size;
			ctx->mmio.write = false;
			return EMUL_EXIT_READ;
		}
	}
	*val = 0;
	for (i = 0; i < size; i++)
		*val |= (u64)buf[i] << (i * 8);
	return EMUL_DONE;
}

/* EMUL_EXIT_WRITE when userspace must see the write. */
enum emul_result emul_mem_write(struct emul_ctx *ctx, u8 seg, u64 ea,
				unsigned int size, u64 val)
{
	enum emul_result r;
	unsigned int i;
	u8 buf[8];
	u64 la;

	r = linear(ctx, seg, ea, size, &la);
	if (r != EMUL_DONE)
		return r;
	for (i = 0; i < size; i++)
		buf[i] = val >> (i * 8);
	switch (ctx->ops->write(ctx, la, buf, size)) {
	case EMUL_ACCESS_OK:
		return EMUL_DONE;
	case EMUL_ACCESS_FAULT:
		return EMUL_EXCEPTION;
	default:
		ctx->mmio.la = la;
		ctx->mmio.size = size;
		ctx->mmio.write = true;
		memcpy(ctx->mmio.data, buf, size);
		return EMUL_EXIT_WRITE;
	}
}

/* The ModRM r/m operand: a register or memory. */
static enum emul_result rm_read(struct emul_ctx *ctx, struct emul_insn *insn,
				unsigned int size, u64 *val)
{
	if (!insn->mem) {
		*val = emul_reg_read(ctx, insn, insn->rm, size);
		return EMUL_DONE;
	}
	return emul_mem_read(ctx, insn->seg, insn->ea, size, val);
}

static enum emul_result rm_write(struct emul_ctx *ctx, struct emul_insn *insn,
				 unsigned int size, u64 val)
{
	if (!insn->mem) {
		emul_reg_write(ctx, insn, insn->rm, size, val);
		return EMUL_DONE;
	}
	return emul_mem_write(ctx, insn->seg, insn->ea, size, val);
}

/*
 * LOCK is allowed only on read-modify-write instructions with a memory
 * destination, else #UD (SDM Vol. 2A "LOCK").  Locked operations are not
 * atomic here: the memory they reach is a device, not shared RAM.
 */
static bool bad_lock(const struct emul_insn *insn, bool rmw)
{
	return insn->lock && !(rmw && insn->mem);
}

/* r/m = r/m op b (or only the flags, for CMP and TEST). */
static enum emul_result alu_rm(struct emul_ctx *ctx, struct emul_insn *insn,
			       unsigned int op, u64 b)
{
	u64 a, res, flags = ctx->rflags;
	enum emul_result r;

	r = rm_read(ctx, insn, insn->op_bytes, &a);
	if (r != EMUL_DONE)
		return r;
	res = emul_alu(op, insn->op_bytes, a, b, &flags);
	if (op != EMUL_ALU_CMP && op != EMUL_ALU_TEST) {
		r = rm_write(ctx, insn, insn->op_bytes, res);
		if (failed(r))
			return r;
	}
	ctx->rflags = flags;
	return r;
}

/* 00-3B: bit 1 of the opcode makes the register the destination. */
static enum emul_result exec_alu(struct emul_ctx *ctx, struct emul_insn *insn)
{
	unsigned int op = (insn->opcode >> 3) & 7;
	u64 a, b, res, flags = ctx->rflags;
	enum emul_result r;

	if (bad_lock(insn, !(insn->opcode & 2) && op != EMUL_ALU_CMP))
		return emul_raise(ctx, EMUL_VEC_UD);
	b = emul_reg_read(ctx, insn, insn->reg, insn->op_bytes);
	if (!(insn->opcode & 2))
		return alu_rm(ctx, insn, op, b);
	a = b;
	r = rm_read(ctx, insn, insn->op_bytes, &b);
	if (r != EMUL_DONE)
		return r;
	res = emul_alu(op, insn->op_bytes, a, b, &flags);
	if (op != EMUL_ALU_CMP)
		emul_reg_write(ctx, insn, insn->reg, insn->op_bytes, res);
	ctx->rflags = flags;
	return EMUL_DONE;
}

static enum emul_result exec_grp1(struct emul_ctx *ctx, struct emul_insn *insn)
{
	unsigned int op = insn->reg & 7;

	if (bad_lock(insn, op != EMUL_ALU_CMP))
		return emul_raise(ctx, EMUL_VEC_UD);
	return alu_rm(ctx, insn, op, insn->imm);
}

static enum emul_result exec_test(struct emul_ctx *ctx, struct emul_insn *insn)
{
	if (bad_lock(insn, false))
		return emul_raise(ctx, EMUL_VEC_UD);
	return alu_rm(ctx, insn, EMUL_ALU_TEST,
		      emul_reg_read(ctx, insn, insn->reg, insn->op_bytes));
}

/* F6/F7: /0 and /1 TEST, /2 NOT, /3 NEG; MUL and DIV are not emulated. */
static enum emul_result exec_grp3(struct emul_ctx *ctx, struct emul_insn *insn)
{
	static const u8 ops[4] = {
		EMUL_ALU_TEST, EMUL_ALU_TEST, EMUL_ALU_NOT, EMUL_ALU_NEG,
	};
	unsigned int sub = insn->reg & 7;

	if (sub >= 4)
		return EMUL_UNHANDLED;
	if (bad_lock(insn, sub >= 2))
		return emul_raise(ctx, EMUL_VEC_UD);
	return alu_rm(ctx, insn, ops[sub], insn->imm);
}

/* FE/FF: /0 INC, /1 DEC; CALL, JMP and PUSH are not emulated. */
static enum emul_result exec_grp4(struct emul_ctx *ctx, struct emul_insn *insn)
{
	unsigned int sub = insn->reg & 7;

	/* FF /3 and /5: far CALL and JMP through memory (segment.c). */
	if (insn->op_bytes > 1 && (sub == 3 || sub == 5))
		return emul_exec_far(ctx, insn);
	if (sub >= 2)
		return EMUL_UNHANDLED;
	if (bad_lock(insn, true))
		return emul_raise(ctx, EMUL_VEC_UD);
	return alu_rm(ctx, insn, sub ? EMUL_ALU_DEC : EMUL_ALU_INC, 0);
}

/* XCHG with memory is locked whether or not LOCK is there. */
static enum emul_result exec_xchg(struct emul_ctx *ctx, struct emul_insn *insn)
{
	unsigned int size = insn->op_bytes;
	enum emul_result r;
	u64 old;

	if (bad_lock(insn, true))
		return emul_raise(ctx, EMUL_VEC_UD);
	r = rm_read(ctx, insn, size, &old);
	if (r != EMUL_DONE)
		return r;
	r = rm_write(ctx, insn, size,
		     emul_reg_read(ctx, insn, insn->reg, size));
	if (failed(r))
		return r;
	emul_reg_write(ctx, insn, insn->reg, size, old);
	return r;
}

static enum emul_result exec_mov(struct emul_ctx *ctx, struct emul_insn *insn)
{
	unsigned int size = insn->op_bytes;
	enum emul_result r;
	u64 val;

	if (bad_lock(insn, false))
		return emul_raise(ctx, EMUL_VEC_UD);
	if (!(insn->opcode & 2))
		return rm_write(ctx, insn, size,
				emul_reg_read(ctx, insn, insn->reg, size));
	r = rm_read(ctx, insn, size, &val);
	if (r == EMUL_DONE)
		emul_reg_write(ctx, insn, insn->reg, size, val);
	return r;
}

/* A0/A1 load AL/rAX from the offset, A2/A3 store it there. */
static enum emul_result exec_mov_moffs(struct emul_ctx *ctx,
				       struct emul_insn *insn)
{
	unsigned int size = insn->op_bytes;
	enum emul_result r;
	u64 val;

	if (bad_lock(insn, false))
		return emul_raise(ctx, EMUL_VEC_UD);
	if (insn->opcode & 2)
		return emul_mem_write(ctx, insn->seg, insn->ea, size,
				 emul_reg_read(ctx, insn, VIREO_REG_RAX, size));
	r = emul_mem_read(ctx, insn->seg, insn->ea, size, &val);
	if (r == EMUL_DONE)
		emul_reg_write(ctx, insn, VIREO_REG_RAX, size, val);
	return r;
}

/* C6/C7 /0; C6 F8 and C7 F8 (XABORT, XBEGIN) are not emulated. */
static enum emul_result exec_grp11(struct emul_ctx *ctx,
				   struct emul_insn *insn)
{
	if (insn->reg & 7)
		return EMUL_UNHANDLED;
	if (bad_lock(insn, false))
		return emul_raise(ctx, EMUL_VEC_UD);
	return rm_write(ctx, insn, insn->op_bytes, insn->imm);
}

/* 0F B6/B7, 0F BE/BF, 63: load a narrower source, zero- or sign-extended. */
static enum emul_result load_extend(struct emul_ctx *ctx,
				    struct emul_insn *insn,
				    unsigned int src_bytes, bool sign)
{
	enum emul_result r;
	u64 val;

	if (bad_lock(insn, false))
		return emul_raise(ctx, EMUL_VEC_UD);
	r = rm_read(ctx, insn, src_bytes, &val);
	if (r != EMUL_DONE)
		return r;
	if (sign)
		val = sign_extend(val, src_bytes);
	emul_reg_write(ctx, insn, insn->reg, insn->op_bytes, val);
	return EMUL_DONE;
}

static enum emul_result exec_movzx(struct emul_ctx *ctx,
				   struct emul_insn *insn)
{
	return load_extend(ctx, insn, (insn->opcode & 1) ? 2 : 1, false);
}

static enum emul_result exec_movsx(struct emul_ctx *ctx,
				   struct emul_insn *insn)
{
	return load_extend(ctx, insn, (insn->opcode & 1) ? 2 : 1, true);
}

/* MOVSXD without REX.W is a plain 16- or 32-bit move. */
static enum emul_result exec_movsxd(struct emul_ctx *ctx,
				    struct emul_insn *insn)
{
	return load_extend(ctx, insn, insn->op_bytes == 8 ? 4 : insn->op_bytes,
			   true);
}

/*
 * BT, BTS, BTR, BTC (op 0-3).  A bit offset from a register may reach
 * outside the operand: the operand is then the one at ea + operand size *
 * (offset DIV operand bits), with a signed offset (SDM Vol. 2A "BT--Bit
 * Test", the bit base and bit offset of its description).
 */
static enum emul_result bit_op(struct emul_ctx *ctx, struct emul_insn *insn,
			       unsigned int op, s64 offset, bool far)
{
	unsigned int size = insn->op_bytes;
	unsigned int shift = size == 2 ? 4 : size == 4 ? 5 : 6;
	u64 bit, val, ea = insn->ea;
	enum emul_result r;

	if (bad_lock(insn, op != 0))
		return emul_raise(ctx, EMUL_VEC_UD);
	if (far && insn->mem)
		ea = (ea + (u64)(offset >> shift) * size) &
		     emul_mask(insn->ad_bytes);
	bit = 1ULL << (offset & ((1 << shift) - 1));
	if (insn->mem)
		r = emul_mem_read(ctx, insn->seg, ea, size, &val);
	else
		r = rm_read(ctx, insn, size, &val);
	if (r != EMUL_DONE)
		return r;
	if (op) {
		u64 new = op == 1 ? val | bit : op == 2 ? val & ~bit : val ^ bit;

		if (insn->mem)
			r = emul_mem_write(ctx, insn->seg, ea, size, new);
		else
			r = rm_write(ctx, insn, size, new);
		if (failed(r))
			return r;
	}
	/* CF is the old bit; ZF is kept, OF/SF/AF/PF are undefined. */
	ctx->rflags &= ~EMUL_FLAG_CF;
	if (val & bit)
		ctx->rflags |= EMUL_FLAG_CF;
	return r;
}

/* 0F A3/AB/B3/BB: the operation is in opcode bits 4:3. */
static enum emul_result exec_bt(struct emul_ctx *ctx, struct emul_insn *insn)
{
	u64 off = emul_reg_read(ctx, insn, insn->reg, insn->op_bytes);

	return bit_op(ctx, insn, (insn->opcode >> 3) & 3,
		      (s64)sign_extend(off, insn->op_bytes), true);
}

/* 0F BA /4-/7: the immediate is taken modulo the operand size. */
static enum emul_result exec_grp8(struct emul_ctx *ctx, struct emul_insn *insn)
{
	if ((insn->reg & 7) < 4)
		return EMUL_UNHANDLED;
	return bit_op(ctx, insn, (insn->reg & 7) - 4, insn->imm & 0xff, false);
}

/*
 * MOVS, STOS, LODS: one element.  The source is seg:rSI (DS unless
 * overridden), the destination ES:rDI; the registers count in the address
 * size and step by the element size, down when DF is set (SDM Vol. 2B
 * "MOVS/MOVSB/MOVSW/MOVSD/MOVSQ").  With REP, rCX counts the elements and
 * RIP stays on the instruction until it reaches zero.
 */
static enum emul_result exec_string(struct emul_ctx *ctx,
				    struct emul_insn *insn)
{
	unsigned int size = insn->op_bytes, ad = insn->ad_bytes;
	u64 count = ctx->regs[VIREO_REG_RCX] & emul_mask(ad);
	u64 si = ctx->regs[VIREO_REG_RSI] & emul_mask(ad);
	u64 di = ctx->regs[VIREO_REG_RDI] & emul_mask(ad);
	u64 step = (ctx->rflags & EMUL_FLAG_DF) ? -(u64)size : size;
	enum emul_result r = EMUL_DONE;
	u64 val = 0;

	if (bad_lock(insn, false))
		return emul_raise(ctx, EMUL_VEC_UD);
	if (insn->rep && !count)
		return EMUL_DONE;
	if (insn->kind != EMUL_K_STOS) {
		r = emul_mem_read(ctx, insn->seg, si, size, &val);
		if (r != EMUL_DONE)
			return r;
	}
	if (insn->kind == EMUL_K_LODS) {
		emul_reg_write(ctx, insn, VIREO_REG_RAX, size, val);
	} else {
		if (insn->kind == EMUL_K_STOS)
			val = ctx->regs[VIREO_REG_RAX];
		r = emul_mem_write(ctx, EMUL_SEG_ES, di, size, val);
		if (failed(r))
			return r;
		emul_reg_write(ctx, insn, VIREO_REG_RDI, ad, di + step);
	}
	if (insn->kind != EMUL_K_STOS)
		emul_reg_write(ctx, insn, VIREO_REG_RSI, ad, si + step);
	if (insn->rep) {
		emul_reg_write(ctx, insn, VIREO_REG_RCX, ad, count - 1);
		insn->rep_again = count > 1;
	}
	return r;
}

static enum emul_result (*const handlers[EMUL_NR_KINDS])(struct emul_ctx *,
							 struct emul_insn *) = {
	[EMUL_K_ALU] = exec_alu,
	[EMUL_K_GRP1] = exec_grp1,
	[EMUL_K_TEST] = exec_test,
	[EMUL_K_XCHG] = exec_xchg,
	[EMUL_K_MOV] = exec_mov,
	[EMUL_K_MOV_MOFFS] = exec_mov_moffs,
	[EMUL_K_MOVS] = exec_string,
	[EMUL_K_STOS] = exec_string,
	[EMUL_K_LODS] = exec_string,
	[EMUL_K_GRP11] = exec_grp11,
	[EMUL_K_GRP3] = exec_grp3,
	[EMUL_K_GRP4] = exec_grp4,
	[EMUL_K_MOVSXD] = exec_movsxd,
	[EMUL_K_MOVZX] = exec_movzx,
	[EMUL_K_MOVSX] = exec_movsx,
	[EMUL_K_BT] = exec_bt,
	[EMUL_K_GRP8] = exec_grp8,
	[EMUL_K_MOV_SREG] = emul_exec_mov_sreg,
	[EMUL_K_POP_SREG] = emul_exec_pop_sreg,
	[EMUL_K_LSEG] = emul_exec_lseg,
	[EMUL_K_JMP_FAR] = emul_exec_far,
	[EMUL_K_CALL_FAR] = emul_exec_far,
	[EMUL_K_RET_FAR] = emul_exec_ret_far,
	[EMUL_K_IRET] = emul_exec_iret,
	[EMUL_K_GRP6] = emul_exec_grp6,
};

void emul_init(struct emul_ctx *ctx, enum emul_mode mode,
	       const struct emul_ops *ops, void *opaque)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->mode = mode;
	ctx->ops = ops;
	ctx->opaque = opaque;
}

void emul_complete_read(struct emul_ctx *ctx, const void *data)
{
	/* Only what EMUL_EXIT_READ asked for; anything else is ignored. */
	if (ctx->mmio.write || !ctx->mmio.size || ctx->mmio.size > 8)
		return;
	ctx->done = ctx->mmio;
	memcpy(ctx->done.data, data, ctx->done.size);
	ctx->read_done = true;
}

enum emul_result emul_run(struct emul_ctx *ctx)
{
	struct emul_insn insn;
	enum emul_result r;
	u64 rip;

	memset(&insn, 0, sizeof(insn));
	memset(&ctx->mmio, 0, sizeof(ctx->mmio));
	r = emul_decode(ctx, &insn);
	if (r != EMUL_DONE)
		return r;
	ctx->insn_len = insn.len;
	if (insn.kind >= EMUL_NR_KINDS || !handlers[insn.kind])
		return EMUL_UNHANDLED;
	ctx->segs_changed = 0;
	ctx->mov_ss = false;
	r = handlers[insn.kind](ctx, &insn);
	if (failed(r) || insn.rep_again || insn.rip_set)
		return r;
	rip = ctx->rip + insn.len;
	if (ctx->mode == EMUL_MODE_PROT32)
		rip &= 0xffffffff;
	else if (ctx->mode != EMUL_MODE_LONG64)
		rip &= 0xffff;
	ctx->rip = rip;
	return r;
}
