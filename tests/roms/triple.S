/* SPDX-License-Identifier: GPL-2.0 */
/*
 * triple.rom: triple-faults on purpose, to exercise the shutdown path
 * (vireo-vm exits with status 8).  An IDT limit of 0 makes every vector
 * lie past the limit: INT3 cannot be delivered and raises #GP, #GP cannot
 * be delivered and raises #DF, #DF cannot be delivered and the processor
 * shuts down (Intel SDM Vol. 3A 6.15, "Interrupt 8 - Double Fault
 * Exception (#DF)": a fault while delivering #DF is a triple fault).
 */
	.code16

	.text
	.globl	start
start:
	cli
	lidtw	%cs:idt_empty
	int3
1:	hlt				/* never reached */
	jmp	1b

	.section .rodata
idt_empty:
	.word	0			/* limit */
	.long	0			/* base */

	.section .reset, "ax"
	.globl	reset_vector
reset_vector:
	ljmp	$0xf000, $start
	.balign	16, 0xf4
