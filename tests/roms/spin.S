/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin.rom: loops forever without a single exit, so the only way out is a
 * signal: SIGTERM or SIGINT to vireo-vm must end it with status 14.
 */
	.code16

	.text
	.globl	start
start:
	cli
1:	jmp	1b

	.section .reset, "ax"
	.globl	reset_vector
reset_vector:
	ljmp	$0xf000, $start
	.balign	16, 0xf4
