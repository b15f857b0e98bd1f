/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bytes of every instruction in emul_cases.h, each between the labels
 * ec_NAME and ec_NAME_end.  Data, never executed.
 */
#define CASE(name, bits, ...)						\
	.code##bits;							\
	.globl ec_##name, ec_##name##_end;				\
	ec_##name: __VA_ARGS__;						\
	ec_##name##_end:
#define ALU(name, op, bytes, form, imm, ...)	CASE(name, 64, __VA_ARGS__)
#define BT(name, op, bytes, ...)		CASE(name, 64, __VA_ARGS__)

	.section .rodata.emul_cases, "a"
#include "emul_cases.h"
	.code64
	.section .note.GNU-stack, "", @progbits
