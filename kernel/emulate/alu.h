/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Integer operations with the status flags they leave (SDM Vol. 1 3.4.3.1
 * "Status Flags").  Private to kernel/emulate/.
 */
#ifndef VIREO_EMULATE_ALU_H
#define VIREO_EMULATE_ALU_H

#include <linux/types.h>

/* 0-7 in the order of the opcode's bits 5:3 and of group 1's ModRM.reg. */
enum emul_alu_op {
	EMUL_ALU_ADD, EMUL_ALU_OR, EMUL_ALU_ADC, EMUL_ALU_SBB,
	EMUL_ALU_AND, EMUL_ALU_SUB, EMUL_ALU_XOR, EMUL_ALU_CMP,
	EMUL_ALU_TEST, EMUL_ALU_INC, EMUL_ALU_DEC, EMUL_ALU_NEG,
	EMUL_ALU_NOT,
};

#define EMUL_FLAG_CF	0x0001ULL
#define EMUL_FLAG_PF	0x0004ULL
#define EMUL_FLAG_AF	0x0010ULL
#define EMUL_FLAG_ZF	0x0040ULL
#define EMUL_FLAG_SF	0x0080ULL
#define EMUL_FLAG_DF	0x0400ULL
#define EMUL_FLAG_OF	0x0800ULL
#define EMUL_FLAGS_ARITH (EMUL_FLAG_CF | EMUL_FLAG_PF | EMUL_FLAG_AF | \
			  EMUL_FLAG_ZF | EMUL_FLAG_SF | EMUL_FLAG_OF)

/*
 * a op b, operands of 1, 2, 4 or 8 bytes (a alone for INC, DEC, NEG, NOT).
 * Returns the result truncated to the size and updates the status flags
 * in *rflags as the instruction does (CF is an input of ADC and SBB).
 */
u64 emul_alu(unsigned int op, unsigned int bytes, u64 a, u64 b, u64 *rflags);

#endif /* VIREO_EMULATE_ALU_H */
