// SPDX-License-Identifier: GPL-2.0
/*
 * The instructions that load segment registers, in protected and long
 * mode: MOV and POP to a segment register, LDS/LES/LSS/LFS/LGS, far JMP
 * and CALL to a code segment (direct, or through memory), far RET and IRET
 * to the same privilege level, LTR.  The set KVM's emulator covers, less
 * its real-mode IRET (a guest in real mode loads no descriptor), plus IRET
 * to the same privilege level in protected and long mode, which KVM's does
 * not emulate.
 *
 * Why the kernel emulates them at all: loading a segment sets the accessed
 * bit of its descriptor, and LTR the busy bit of the TSS descriptor (SDM
 * Vol. 3A 3.4.5.1, 7.2.2).  With the descriptor table in ROM (firmware's
 * GDT, accessed bits clear) that write faults in the nested page tables,
 * and the instruction has to complete without it, as on hardware, where
 * the bus drops a write to ROM.  ops->write_implicit takes such writes.
 *
 * The checks are the SDM's pseudo-code for each instruction, with its
 * error codes (the selector, RPL cleared, for #GP, #NP, #SS).  Not done,
 * and so unhandled: call gates, task gates and task switches, returns and
 * IRET to another privilege level, IRET to virtual-8086 mode or with NT set
 * outside long mode.  Segment limits are not checked (see emulate.h).
 *
 * FF /3 and /5 with REX.W read m16:64, as Intel CPUs do; AMD's ignore
 * REX.W there (m16:32), a difference no compiler emits code for.
 *
 * The stack is guest RAM here: a push or pop that only userspace could
 * answer makes the instruction unhandled.  A far CALL whose second push
 * faults leaves its first below the stack pointer, where the guest keeps
 * nothing.
 */
#include <linux/types.h>
#include <linux/string.h>

#include "alu.h"
#include "decode.h"
#include "regs.h"

#define VEC_NP		11
#define VEC_SS		12
#define VEC_GP		13

/* Descriptor type bits, code and data segments (SDM Vol. 3A Table 3-1). */
#define TYPE_ACCESSED	0x1
#define TYPE_WRITABLE	0x2	/* data */
#define TYPE_READABLE	0x2	/* code */
#define TYPE_CONFORMING	0x4	/* code */
#define TYPE_CODE	0x8
/* System descriptors (Table 3-2). */
#define TYPE_TSS16_AVAIL	0x1
#define TYPE_TSS_AVAIL		0x9
#define TYPE_TSS_BUSY_BIT	0x2

#define SEL_RPL		0x3
#define SEL_TI		0x4

#define FLAG_TF		0x100ULL
#define FLAG_IF		0x200ULL
#define FLAG_IOPL	0x3000ULL
#define FLAG_NT		0x4000ULL
#define FLAG_RF		0x10000ULL
#define FLAG_VM		0x20000ULL
#define FLAG_AC		0x40000ULL
#define FLAG_VIF	0x80000ULL
#define FLAG_VIP	0x100000ULL
#define FLAG_ID		0x200000ULL

static bool long64(const struct emul_ctx *ctx)
{
	return ctx->mode == EMUL_MODE_LONG64;
}

/* IA-32e mode (EFER.LMA): 64-bit or compatibility mode. */
static bool ia32e(const struct emul_ctx *ctx)
{
	return ctx->lma;
}

/* Protected or long mode with the segment state given, not virtual-8086. */
static bool can_load(const struct emul_ctx *ctx)
{
	return ctx->seg_state && ctx->mode != EMUL_MODE_REAL &&
	       !(ctx->rflags & FLAG_VM) && ctx->ops->write_implicit;
}

static enum emul_result raise_sel(struct emul_ctx *ctx, u8 vector, u16 sel)
{
	ctx->exception = (struct emul_exception) {
		.vector = vector,
		.has_error = true,
		.error = sel & ~SEL_RPL,
	};
	return EMUL_EXCEPTION;
}

/* A descriptor: 8 bytes, 16 for system descriptors in IA-32e mode. */
struct desc {
	u64 lo, hi;
	u64 la;			/* where it is, for the implicit write */
};

/*
 * Read the descriptor @sel names from the GDT or the LDT.  Beyond the
 * table's limit, or an LDT reference without an LDT: #GP(sel).
 */
static enum emul_result desc_read(struct emul_ctx *ctx, u16 sel, bool wide,
				  struct desc *d)
{
	unsigned int size = wide ? 16 : 8;
	u64 base = ctx->gdt_base, limit = ctx->gdt_limit;
	u64 off = sel & ~7u;
	enum emul_access acc;
	u8 buf[16];

	if (sel & SEL_TI) {
		if (ctx->ldt.unusable || !ctx->ldt.present)
			return raise_sel(ctx, VEC_GP, sel);
		base = ctx->ldt.base;
		limit = ctx->ldt.limit;
	}
	if (off + size - 1 > limit)
		return raise_sel(ctx, VEC_GP, sel);
	d->la = base + off;
	if (!ia32e(ctx))
		d->la = (u32)d->la;
	ctx->system_access = true;
	acc = ctx->ops->read(ctx, d->la, buf, size);
	ctx->system_access = false;
	switch (acc) {
	case EMUL_ACCESS_OK:
		break;
	case EMUL_ACCESS_FAULT:
		return EMUL_EXCEPTION;
	default:
		return EMUL_UNHANDLED;	/* a descriptor table in a device */
	}
	memcpy(&d->lo, buf, 8);
	d->hi = 0;
	if (wide)
		memcpy(&d->hi, buf + 8, 8);
	return EMUL_DONE;
}

/* The register's hidden part from a descriptor (SDM Vol. 3A 3.4.5). */
static void desc_to_seg(const struct desc *d, u16 sel, struct emul_segment *s)
{
	u64 lo = d->lo;

	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = (lo & 0xffff) | ((lo >> 32) & 0xf0000);
	s->base = ((lo >> 16) & 0xffffff) | ((lo >> 32) & 0xff000000);
	s->type = (lo >> 40) & 0xf;
	s->s = (lo >> 44) & 1;
	s->dpl = (lo >> 45) & 3;
	s->present = (lo >> 47) & 1;
	s->avl = (lo >> 52) & 1;
	s->l = (lo >> 53) & 1;
	s->db = (lo >> 54) & 1;
	s->g = (lo >> 55) & 1;
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
	if (!s->s)
		s->base |= d->hi << 32;
}

/*
 * Set a type bit the CPU sets on loading (accessed, or a TSS's busy bit)
 * if it is clear, through write_implicit: RAM takes it, ROM drops it.  The
 * register gets the bit either way.
 */
static enum emul_result desc_set_bit(struct emul_ctx *ctx, const struct desc *d,
				     u8 bit, struct emul_segment *s)
{
	u8 byte5 = d->lo >> 40;
	enum emul_access acc;

	s->type |= bit;
	if (byte5 & bit)
		return EMUL_DONE;
	/*
	 * Not the CPU's locked OR: another vCPU changing the same byte in
	 * RAM meanwhile may see its change undone, a race only the guest's
	 * own descriptor tables can lose.
	 */
	byte5 |= bit;
	ctx->system_access = true;
	acc = ctx->ops->write_implicit(ctx, d->la + 5, &byte5, 1);
	ctx->system_access = false;
	switch (acc) {
	case EMUL_ACCESS_OK:
		return EMUL_DONE;
	case EMUL_ACCESS_FAULT:
		return EMUL_EXCEPTION;
	default:
		return EMUL_UNHANDLED;
	}
}

static void null_seg(u16 sel, struct emul_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->unusable = true;
}

/*
 * A data segment register, DS, ES, FS, GS or SS, as MOV, POP and LxS load
 * it (SDM Vol. 2B "MOV", "POP"; Vol. 2A "LDS/LES/LFS/LGS/LSS").
 */
static enum emul_result load_data_seg(struct emul_ctx *ctx, u8 seg, u16 sel,
				      struct emul_segment *s)
{
	u8 rpl = sel & SEL_RPL, cpl = ctx->cpl;
	enum emul_result r;
	struct desc d;

	if (!(sel & ~SEL_RPL)) {
		/*
		 * A null selector: allowed but for SS, which takes it only in
		 * 64-bit mode below CPL 3 with RPL = CPL.  The CPL lives in
		 * SS's DPL (both backends take it from there), so a null SS
		 * is a flat data segment of DPL = CPL, as KVM makes it.
		 */
		if (seg != EMUL_SEG_SS) {
			null_seg(sel, s);
			return EMUL_DONE;
		}
		if (!long64(ctx) || cpl == 3 || rpl != cpl)
			return raise_sel(ctx, VEC_GP, 0);
		*s = (struct emul_segment) {
			.selector = sel, .limit = 0xffffffff, .type = 3,
			.s = 1, .dpl = cpl, .present = 1, .db = 1, .g = 1,
		};
		return EMUL_DONE;
	}
	r = desc_read(ctx, sel, false, &d);
	if (r != EMUL_DONE)
		return r;
	desc_to_seg(&d, sel, s);
	if (seg == EMUL_SEG_SS) {
		if (rpl != cpl || !s->s || (s->type & TYPE_CODE) ||
		    !(s->type & TYPE_WRITABLE) || s->dpl != cpl)
			return raise_sel(ctx, VEC_GP, sel);
		if (!s->present)
			return raise_sel(ctx, VEC_SS, sel);
	} else {
		if (!s->s || ((s->type & TYPE_CODE) &&
			      !(s->type & TYPE_READABLE)))
			return raise_sel(ctx, VEC_GP, sel);
		if ((!(s->type & TYPE_CODE) ||
		     !(s->type & TYPE_CONFORMING)) &&
		    (rpl > s->dpl || cpl > s->dpl))
			return raise_sel(ctx, VEC_GP, sel);
		if (!s->present)
			return raise_sel(ctx, VEC_NP, sel);
	}
	return desc_set_bit(ctx, &d, TYPE_ACCESSED, s);
}

/*
 * CS for a far JMP or CALL straight to a code segment, or for a far RET or
 * IRET to the same privilege level (@ret: the RPL must equal CPL).  Gates
 * and TSS descriptors are unhandled.  The loaded selector's RPL is CPL.
 */
static enum emul_result load_cs(struct emul_ctx *ctx, u16 sel, bool ret,
				struct emul_segment *s)
{
	u8 rpl = sel & SEL_RPL, cpl = ctx->cpl;
	enum emul_result r;
	struct desc d;

	if (!(sel & ~SEL_RPL))
		return raise_sel(ctx, VEC_GP, 0);
	r = desc_read(ctx, sel, false, &d);
	if (r != EMUL_DONE)
		return r;
	desc_to_seg(&d, sel, s);
	if (!s->s)
		return EMUL_UNHANDLED;	/* a gate or a TSS */
	if (!(s->type & TYPE_CODE))
		return raise_sel(ctx, VEC_GP, sel);
	if (ret && rpl != cpl)
		return rpl > cpl ? EMUL_UNHANDLED : raise_sel(ctx, VEC_GP, sel);
	if (s->type & TYPE_CONFORMING) {
		if (s->dpl > cpl)
			return raise_sel(ctx, VEC_GP, sel);
	} else if (rpl > cpl || s->dpl != cpl) {
		return raise_sel(ctx, VEC_GP, sel);
	}
	if (!s->present)
		return raise_sel(ctx, VEC_NP, sel);
	/* IA-32e mode: L and D both set is reserved (SDM Vol. 3A 5.2.1). */
	if (ia32e(ctx) && s->l && s->db)
		return raise_sel(ctx, VEC_GP, sel);
	s->selector = (sel & ~SEL_RPL) | cpl;
	return desc_set_bit(ctx, &d, TYPE_ACCESSED, s);
}

static void commit_seg(struct emul_ctx *ctx, u8 seg,
		       const struct emul_segment *s)
{
	ctx->segs[seg] = *s;
	ctx->seg_base[seg] = s->base;
	ctx->segs_changed |= 1u << seg;
	if (seg == EMUL_SEG_SS)
		ctx->mov_ss = true;
}

/* ---- the stack ------------------------------------------------------- */

static unsigned int stack_bytes(const struct emul_ctx *ctx)
{
	if (long64(ctx))
		return 8;
	return ctx->segs[EMUL_SEG_SS].db ? 4 : 2;
}

/* Read @n items of @size from SS:rSP up, without popping them. */
static enum emul_result stack_peek(struct emul_ctx *ctx, unsigned int size,
				   unsigned int n, u64 *vals)
{
	u64 sp = ctx->regs[VIREO_REG_RSP];
	u64 mask = emul_mask(stack_bytes(ctx));
	enum emul_result r;
	unsigned int i;

	for (i = 0; i < n; i++) {
		r = emul_mem_read(ctx, EMUL_SEG_SS, (sp + i * size) & mask,
				  size, &vals[i]);
		if (r == EMUL_EXIT_READ)
			return EMUL_UNHANDLED;
		if (r != EMUL_DONE)
			return r;
	}
	return EMUL_DONE;
}

static void stack_adjust(struct emul_ctx *ctx, u64 delta)
{
	u64 *sp = &ctx->regs[VIREO_REG_RSP];
	unsigned int bytes = stack_bytes(ctx);

	*sp = (*sp & ~emul_mask(bytes)) | ((*sp + delta) & emul_mask(bytes));
}

/* Write @n items below SS:rSP, the first the highest; rSP unchanged. */
static enum emul_result stack_push_n(struct emul_ctx *ctx, unsigned int size,
				     unsigned int n, const u64 *vals)
{
	u64 sp = ctx->regs[VIREO_REG_RSP];
	u64 mask = emul_mask(stack_bytes(ctx));
	enum emul_result r;
	unsigned int i;

	for (i = 0; i < n; i++) {
		r = emul_mem_write(ctx, EMUL_SEG_SS,
				   (sp - (i + 1) * size) & mask, size, vals[i]);
		if (r == EMUL_EXIT_WRITE)
			return EMUL_UNHANDLED;
		if (r != EMUL_DONE)
			return r;
	}
	return EMUL_DONE;
}

/* ---- the instructions ------------------------------------------------ */

/*
 * A far pointer in memory, m16:16/32/64: the offset of @size bytes, then
 * the selector.  In RAM only, as the stack.
 */
static enum emul_result read_far_ptr(struct emul_ctx *ctx,
				     struct emul_insn *insn, unsigned int size,
				     u64 *off, u64 *sel)
{
	enum emul_result r;

	r = emul_mem_read(ctx, insn->seg, insn->ea, size, off);
	if (r == EMUL_DONE)
		r = emul_mem_read(ctx, insn->seg,
				  (insn->ea + size) & emul_mask(insn->ad_bytes),
				  2, sel);
	return r == EMUL_EXIT_READ ? EMUL_UNHANDLED : r;
}

/* The r/m16 selector operand of MOV Sreg and LTR. */
static enum emul_result read_sel_operand(struct emul_ctx *ctx,
					 struct emul_insn *insn, u64 *sel)
{
	enum emul_result r;

	if (!insn->mem) {
		*sel = emul_reg_read(ctx, insn, insn->rm, 2);
		return EMUL_DONE;
	}
	r = emul_mem_read(ctx, insn->seg, insn->ea, 2, sel);
	return r == EMUL_EXIT_READ ? EMUL_UNHANDLED : r;
}

/* 8E: MOV Sreg, r/m16.  CS is not a destination (#UD). */
enum emul_result emul_exec_mov_sreg(struct emul_ctx *ctx,
				    struct emul_insn *insn)
{
	u8 seg = insn->reg & 7;
	struct emul_segment s;
	enum emul_result r;
	u64 sel;

	if (seg == EMUL_SEG_CS || seg >= EMUL_NR_SEGS || insn->lock)
		return emul_raise(ctx, EMUL_VEC_UD);
	if (!can_load(ctx))
		return EMUL_UNHANDLED;
	r = read_sel_operand(ctx, insn, &sel);
	if (r != EMUL_DONE)
		return r;
	r = load_data_seg(ctx, seg, sel, &s);
	if (r != EMUL_DONE)
		return r;
	commit_seg(ctx, seg, &s);
	return EMUL_DONE;
}

/* 07 ES, 17 SS, 1F DS (not in 64-bit mode), 0F A1 FS, 0F A9 GS. */
enum emul_result emul_exec_pop_sreg(struct emul_ctx *ctx,
				    struct emul_insn *insn)
{
	unsigned int size = insn->op_bytes;
	struct emul_segment s;
	enum emul_result r;
	u64 sel;
	u8 seg;

	if (insn->opcode == 0xa1 || insn->opcode == 0xa9)
		seg = insn->opcode == 0xa1 ? EMUL_SEG_FS : EMUL_SEG_GS;
	else
		seg = insn->opcode >> 3;
	if (insn->lock)
		return emul_raise(ctx, EMUL_VEC_UD);
	if (!can_load(ctx))
		return EMUL_UNHANDLED;
	/* Stack operations are 64-bit by default in 64-bit mode. */
	if (long64(ctx) && size == 4)
		size = 8;
	r = stack_peek(ctx, size, 1, &sel);
	if (r != EMUL_DONE)
		return r;
	r = load_data_seg(ctx, seg, sel, &s);
	if (r != EMUL_DONE)
		return r;
	commit_seg(ctx, seg, &s);
	stack_adjust(ctx, size);
	return EMUL_DONE;
}

/* C4 LES, C5 LDS, 0F B2 LSS, 0F B4 LFS, 0F B5 LGS: reg = offset, Sreg. */
enum emul_result emul_exec_lseg(struct emul_ctx *ctx, struct emul_insn *insn)
{
	unsigned int size = insn->op_bytes;
	struct emul_segment s;
	enum emul_result r;
	u64 off, sel;
	u8 seg;

	switch (insn->opcode) {
	case 0xc4:
		seg = EMUL_SEG_ES;
		break;
	case 0xc5:
		seg = EMUL_SEG_DS;
		break;
	case 0xb2:
		seg = EMUL_SEG_SS;
		break;
	default:
		seg = insn->opcode == 0xb4 ? EMUL_SEG_FS : EMUL_SEG_GS;
		break;
	}
	/* C4 and C5 with a register operand are VEX prefixes. */
	if (!insn->mem && (insn->opcode == 0xc4 || insn->opcode == 0xc5))
		return EMUL_UNHANDLED;
	if (!insn->mem || insn->lock)
		return emul_raise(ctx, EMUL_VEC_UD);
	if (!can_load(ctx))
		return EMUL_UNHANDLED;
	r = read_far_ptr(ctx, insn, size, &off, &sel);
	if (r != EMUL_DONE)
		return r;
	r = load_data_seg(ctx, seg, sel, &s);
	if (r != EMUL_DONE)
		return r;
	commit_seg(ctx, seg, &s);
	/* Only MOV SS and POP SS block interrupts (SDM Vol. 3A 6.8.3). */
	ctx->mov_ss = false;
	emul_reg_write(ctx, insn, insn->reg, size, off);
	return EMUL_DONE;
}

static bool canonical(const struct emul_ctx *ctx, u64 la)
{
	unsigned int shift = ctx->la57 ? 64 - 57 : 64 - 48;

	return (u64)((s64)(la << shift) >> shift) == la;
}

/* The new RIP must be canonical, or within a 32-bit limit. */
static enum emul_result check_target(struct emul_ctx *ctx,
				     const struct emul_segment *cs, u64 rip)
{
	if (ia32e(ctx) && cs->l) {
		if (!canonical(ctx, rip))
			return emul_raise(ctx, VEC_GP);
	} else if (rip > cs->limit) {
		return emul_raise(ctx, VEC_GP);
	}
	return EMUL_DONE;
}

/*
 * EA, 9A (ptr16:16/32) and FF /5, FF /3 (m16:16/32/64): a far JMP or CALL
 * straight to a code segment (SDM Vol. 2A "JMP", "CALL", protected mode).
 */
enum emul_result emul_exec_far(struct emul_ctx *ctx, struct emul_insn *insn)
{
	bool call = insn->kind == EMUL_K_CALL_FAR ||
		    (insn->kind == EMUL_K_GRP4 && (insn->reg & 7) == 3);
	unsigned int size = insn->op_bytes;
	u64 off, sel, ret[2], next;
	struct emul_segment cs;
	enum emul_result r;

	if (insn->lock)
		return emul_raise(ctx, EMUL_VEC_UD);
	if (insn->kind == EMUL_K_GRP4) {
		if (!insn->mem)
			return emul_raise(ctx, EMUL_VEC_UD);
		if (!can_load(ctx))
			return EMUL_UNHANDLED;
		r = read_far_ptr(ctx, insn, size, &off, &sel);
		if (r != EMUL_DONE)
			return r;
	} else {
		if (!can_load(ctx))
			return EMUL_UNHANDLED;
		off = insn->imm;
		sel = insn->sel;
	}
	r = load_cs(ctx, sel, false, &cs);
	if (r != EMUL_DONE)
		return r;
	if (!(ia32e(ctx) && cs.l))
		off &= emul_mask(size < 4 ? size : 4);
	r = check_target(ctx, &cs, off);
	if (r != EMUL_DONE)
		return r;
	if (call) {
		/* Push CS (zero-extended to the operand size), then rIP. */
		next = ctx->rip + insn->len;
		if (!long64(ctx))
			next &= emul_mask(ctx->segs[EMUL_SEG_CS].db ? 4 : 2);
		ret[0] = ctx->segs[EMUL_SEG_CS].selector;
		ret[1] = next;
		r = stack_push_n(ctx, size, 2, ret);
		if (r != EMUL_DONE)
			return r;
		stack_adjust(ctx, -(u64)(2 * size));
	}
	commit_seg(ctx, EMUL_SEG_CS, &cs);
	ctx->rip = off;
	insn->rip_set = true;
	return EMUL_DONE;
}

/* CB, CA imm16: a far RET to the same privilege level (SDM Vol. 2B "RET"). */
enum emul_result emul_exec_ret_far(struct emul_ctx *ctx,
				   struct emul_insn *insn)
{
	unsigned int size = insn->op_bytes;
	struct emul_segment cs;
	enum emul_result r;
	u64 v[2], rip;

	if (insn->lock)
		return emul_raise(ctx, EMUL_VEC_UD);
	if (!can_load(ctx))
		return EMUL_UNHANDLED;
	r = stack_peek(ctx, size, 2, v);
	if (r != EMUL_DONE)
		return r;
	r = load_cs(ctx, v[1] & 0xffff, true, &cs);
	if (r != EMUL_DONE)
		return r;
	rip = v[0];
	if (!(ia32e(ctx) && cs.l))
		rip &= emul_mask(size < 4 ? size : 4);
	r = check_target(ctx, &cs, rip);
	if (r != EMUL_DONE)
		return r;
	commit_seg(ctx, EMUL_SEG_CS, &cs);
	stack_adjust(ctx, 2 * size + insn->imm);
	ctx->rip = rip;
	insn->rip_set = true;
	return EMUL_DONE;
}

/*
 * The RFLAGS an IRET loads (SDM Vol. 2A "IRET", "RETURN-TO-SAME-PRIVILEGE-
 * LEVEL"): IOPL only at CPL 0, IF only at CPL <= IOPL, VIF and VIP only at
 * CPL 0, VM never (returns to virtual-8086 mode are unhandled); a 16-bit
 * IRET loads the low 16 bits only.
 */
static u64 iret_flags(const struct emul_ctx *ctx, u64 popped,
		      unsigned int size)
{
	u64 keep = EMUL_FLAGS_ARITH | EMUL_FLAG_DF | FLAG_TF | FLAG_NT |
		   FLAG_RF | FLAG_AC | FLAG_ID;
	u8 iopl = (ctx->rflags & FLAG_IOPL) >> 12;

	if (ctx->cpl == 0)
		keep |= FLAG_IOPL | FLAG_VIF | FLAG_VIP;
	if (ctx->cpl <= iopl)
		keep |= FLAG_IF;
	if (size == 2)
		keep &= 0xffff;
	return (ctx->rflags & ~keep) | (popped & keep) | 2;
}

/*
 * CF: IRET to the same privilege level: EIP, CS, EFLAGS, and in 64-bit
 * mode RSP and SS too, always (SDM Vol. 2A "IRET", IA-32e-MODE).
 */
enum emul_result emul_exec_iret(struct emul_ctx *ctx, struct emul_insn *insn)
{
	unsigned int size = insn->op_bytes, n = long64(ctx) ? 5 : 3;
	struct emul_segment cs, ss;
	enum emul_result r;
	u64 v[5], rip, flags;

	if (insn->lock)
		return emul_raise(ctx, EMUL_VEC_UD);
	if (!can_load(ctx))
		return EMUL_UNHANDLED;
	/* NT: a task return outside IA-32e mode (unhandled), #GP(0) in it. */
	if (ctx->rflags & FLAG_NT)
		return ia32e(ctx) ? emul_raise(ctx, VEC_GP) : EMUL_UNHANDLED;
	r = stack_peek(ctx, size, n, v);
	if (r != EMUL_DONE)
		return r;
	if (!ia32e(ctx) && ctx->cpl == 0 && size == 4 && (v[2] & FLAG_VM))
		return EMUL_UNHANDLED;
	if ((v[1] & SEL_RPL) != ctx->cpl)
		return (v[1] & SEL_RPL) < ctx->cpl ?
		       raise_sel(ctx, VEC_GP, v[1]) : EMUL_UNHANDLED;
	r = load_cs(ctx, v[1] & 0xffff, true, &cs);
	if (r != EMUL_DONE)
		return r;
	rip = v[0];
	if (!(ia32e(ctx) && cs.l))
		rip &= emul_mask(size < 4 ? size : 4);
	r = check_target(ctx, &cs, rip);
	if (r != EMUL_DONE)
		return r;
	if (n == 5) {
		r = load_data_seg(ctx, EMUL_SEG_SS, v[4] & 0xffff, &ss);
		if (r != EMUL_DONE)
			return r;
	}
	flags = iret_flags(ctx, v[2], size);
	commit_seg(ctx, EMUL_SEG_CS, &cs);
	if (n == 5) {
		commit_seg(ctx, EMUL_SEG_SS, &ss);
		/* No interrupt shadow from IRET's own SS load. */
		ctx->mov_ss = false;
		ctx->regs[VIREO_REG_RSP] = v[3] & emul_mask(size);
	} else {
		stack_adjust(ctx, 3 * size);
	}
	ctx->rflags = flags;
	ctx->rip = rip;
	insn->rip_set = true;
	return EMUL_DONE;
}

/*
 * 0F 00 /3: LTR r/m16 (SDM Vol. 2A "LTR"): CPL 0, an available TSS in the
 * GDT, present; the descriptor becomes busy.  Other 0F 00 forms (SLDT,
 * STR, LLDT, VERR, VERW) are unhandled.
 */
enum emul_result emul_exec_grp6(struct emul_ctx *ctx, struct emul_insn *insn)
{
	struct emul_segment tr;
	enum emul_result r;
	struct desc d;
	u64 sel;

	if ((insn->reg & 7) != 3)
		return EMUL_UNHANDLED;
	if (insn->lock)
		return emul_raise(ctx, EMUL_VEC_UD);
	if (!can_load(ctx))
		return EMUL_UNHANDLED;
	if (ctx->cpl)
		return emul_raise(ctx, VEC_GP);
	r = read_sel_operand(ctx, insn, &sel);
	if (r != EMUL_DONE)
		return r;
	if (!(sel & ~SEL_RPL))
		return raise_sel(ctx, VEC_GP, 0);
	if (sel & SEL_TI)
		return raise_sel(ctx, VEC_GP, sel);
	r = desc_read(ctx, sel, ia32e(ctx), &d);
	if (r != EMUL_DONE)
		return r;
	desc_to_seg(&d, sel, &tr);
	if (tr.s || (tr.type != TYPE_TSS_AVAIL &&
		     (tr.type != TYPE_TSS16_AVAIL || ia32e(ctx))))
		return raise_sel(ctx, VEC_GP, sel);
	/* IA-32e: the upper half's type zero, the base canonical. */
	if (ia32e(ctx) && (((d.hi >> 40) & 0x1f) ||
			   !canonical(ctx, tr.base)))
		return raise_sel(ctx, VEC_GP, sel);
	if (!tr.present)
		return raise_sel(ctx, VEC_NP, sel);
	r = desc_set_bit(ctx, &d, TYPE_TSS_BUSY_BIT, &tr);
	if (r != EMUL_DONE)
		return r;
	ctx->tr = tr;
	ctx->segs_changed |= EMUL_SEGS_TR;
	return EMUL_DONE;
}
