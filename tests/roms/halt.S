/* SPDX-License-Identifier: GPL-2.0 */
/*
 * halt.rom: halts with interrupts off.  Nothing can wake the vCPU, so
 * vireo-vm reports "guest halted" and exits with status 0.
 */
	.code16

	.text
	.globl	start
start:
	cli
	hlt
	jmp	start

	.section .reset, "ax"
	.globl	reset_vector
reset_vector:
	ljmp	$0xf000, $start
	.balign	16, 0xf4
