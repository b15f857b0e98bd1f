/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decoder's view of one instruction, shared by decode.c (which fills it)
 * and execute.c (which runs it).  Private to kernel/emulate/.
 */
#ifndef VIREO_EMULATE_DECODE_H
#define VIREO_EMULATE_DECODE_H

#include "emulate.h"

/* What the opcode does; execute.c has one handler per kind. */
enum emul_kind {
	EMUL_K_NONE,		/* not emulated */
	EMUL_K_ALU,		/* 00-3B: ADD..CMP, either direction */
	EMUL_K_GRP1,		/* 80-83: ADD..CMP r/m, imm */
	EMUL_K_TEST,		/* 84, 85 */
	EMUL_K_XCHG,		/* 86, 87 */
	EMUL_K_MOV,		/* 88-8B */
	EMUL_K_MOV_MOFFS,	/* A0-A3 */
	EMUL_K_MOVS,		/* A4, A5 */
	EMUL_K_STOS,		/* AA, AB */
	EMUL_K_LODS,		/* AC, AD */
	EMUL_K_GRP11,		/* C6, C7: MOV r/m, imm */
	EMUL_K_GRP3,		/* F6, F7: TEST, NOT, NEG */
	EMUL_K_GRP4,		/* FE, FF: INC, DEC */
	EMUL_K_MOVSXD,		/* 63 in 64-bit mode */
	EMUL_K_MOVZX,		/* 0F B6, 0F B7 */
	EMUL_K_MOVSX,		/* 0F BE, 0F BF */
	EMUL_K_BT,		/* 0F A3/AB/B3/BB: BT/BTS/BTR/BTC r/m, reg */
	EMUL_K_GRP8,		/* 0F BA: BT/BTS/BTR/BTC r/m, imm8 */
	/* segment.c: the instructions that load segment registers. */
	EMUL_K_MOV_SREG,	/* 8E */
	EMUL_K_POP_SREG,	/* 07, 17, 1F, 0F A1, 0F A9 */
	EMUL_K_LSEG,		/* C4, C5, 0F B2, 0F B4, 0F B5 */
	EMUL_K_JMP_FAR,		/* EA, and FF /5 through GRP4 */
	EMUL_K_CALL_FAR,	/* 9A, and FF /3 through GRP4 */
	EMUL_K_RET_FAR,		/* CA, CB */
	EMUL_K_IRET,		/* CF */
	EMUL_K_GRP6,		/* 0F 00: LTR (/3) */
	EMUL_NR_KINDS,
};

/*
 * op_bytes and ad_bytes follow SDM Vol. 1 3.6 "Operand-Size and
 * Address-Size Attributes" and Vol. 2A 2.2.1.2 "More on REX Prefix Fields".
 */
struct emul_insn {
	u8 len;
	u8 opcode;		/* the byte after 0F for two-byte opcodes */
	u8 kind;		/* EMUL_K_* */
	u8 op_bytes;		/* 1 for byte operations, else 2, 4, 8 */
	u8 ad_bytes;		/* 2, 4, 8 */
	u8 rex;			/* the REX prefix in effect, 0 when none */
	bool lock;
	bool rep;		/* F2 or F3 */
	bool mem;		/* has a memory operand at seg:ea */
	bool riprel;		/* ea is relative to the next RIP */
	bool rep_again;		/* output: REP count not exhausted */
	bool rip_set;		/* output: the handler set ctx->rip */
	u8 seg;			/* EMUL_SEG_*: override, else the default */
	s8 seg_override;	/* -1: none */
	u8 mod, reg, rm;	/* ModRM fields, reg and rm with REX.R/B */
	u64 ea;			/* offset, truncated to ad_bytes */
	u64 imm;		/* sign-extended to 64 bits */
	u16 sel;		/* EA, 9A: the selector of ptr16:16/32 */
};

/* segment.c */
enum emul_result emul_exec_mov_sreg(struct emul_ctx *ctx,
				    struct emul_insn *insn);
enum emul_result emul_exec_pop_sreg(struct emul_ctx *ctx,
				    struct emul_insn *insn);
enum emul_result emul_exec_lseg(struct emul_ctx *ctx, struct emul_insn *insn);
enum emul_result emul_exec_far(struct emul_ctx *ctx, struct emul_insn *insn);
enum emul_result emul_exec_ret_far(struct emul_ctx *ctx,
				   struct emul_insn *insn);
enum emul_result emul_exec_iret(struct emul_ctx *ctx, struct emul_insn *insn);
enum emul_result emul_exec_grp6(struct emul_ctx *ctx, struct emul_insn *insn);

/* execute.c, for segment.c: memory by segment and offset. */
enum emul_result emul_mem_read(struct emul_ctx *ctx, u8 seg, u64 ea,
			       unsigned int size, u64 *val);
enum emul_result emul_mem_write(struct emul_ctx *ctx, u8 seg, u64 ea,
				unsigned int size, u64 val);

/* Returns EMUL_DONE with insn filled, or the failure to report. */
enum emul_result emul_decode(struct emul_ctx *ctx, struct emul_insn *insn);

/* Raise an exception from the emulator itself, with error code 0. */
enum emul_result emul_raise(struct emul_ctx *ctx, u8 vector);

static inline u64 emul_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

/* The register file, with the REX rules for byte registers. */
u64 emul_reg_read(const struct emul_ctx *ctx, const struct emul_insn *insn,
		  unsigned int reg, unsigned int bytes);
void emul_reg_write(struct emul_ctx *ctx, const struct emul_insn *insn,
		    unsigned int reg, unsigned int bytes, u64 val);

#endif /* VIREO_EMULATE_DECODE_H */
