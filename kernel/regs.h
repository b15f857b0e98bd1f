/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Index of each general-purpose register in vireo_vcpu.regs[], in the
 * order of the instruction encoding (SDM Vol. 2A 2.1.5, "Addressing-Mode
 * Encoding of ModR/M and SIB Bytes").  Plain defines: the entry code
 * (svm/vmenter.S) uses them too.
 */
#ifndef VIREO_REGS_H
#define VIREO_REGS_H

#define VIREO_REG_RAX	0
#define VIREO_REG_RCX	1
#define VIREO_REG_RDX	2
#define VIREO_REG_RBX	3
#define VIREO_REG_RSP	4
#define VIREO_REG_RBP	5
#define VIREO_REG_RSI	6
#define VIREO_REG_RDI	7
#define VIREO_REG_R8	8
#define VIREO_REG_R9	9
#define VIREO_REG_R10	10
#define VIREO_REG_R11	11
#define VIREO_REG_R12	12
#define VIREO_REG_R13	13
#define VIREO_REG_R14	14
#define VIREO_REG_R15	15
#define VIREO_NR_REGS	16

#endif
