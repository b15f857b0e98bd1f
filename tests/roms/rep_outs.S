/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rep_outs.rom: string port I/O.  Prints a line with one REP OUTSB (one
 * I/O exit with count > 1), reads the UART's LSR into memory with REP INSB
 * and checks both bytes say "THR empty" (PC16550D: LSR bit 5), then exits
 * through the debug-exit port: status (0x11 << 1) | 1 = 35 when the string
 * I/O worked, (0x12 << 1) | 1 = 37 when REP INSB stored wrong data.
 */
	.code16

	.equ	COM1, 0x3f8
	.equ	UART_LSR, COM1 + 5
	.equ	LSR_THRE, 0x20
	.equ	DEBUG_EXIT, 0xf4

	.text
	.globl	start
start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	xorw	%ax, %ax		/* ES:DI = 0:0x500, free RAM */
	movw	%ax, %es

	movw	$UART_LSR, %dx
1:	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	1b

	movw	$COM1, %dx
	movw	$line, %si
	movw	$line_len, %cx
	rep outsb

	movw	$0x500, %di
	movw	$0, %es:(%di)
	movw	$UART_LSR, %dx
	movw	$2, %cx
	rep insb
	movw	%es:0x500, %ax
	andw	$((LSR_THRE << 8) | LSR_THRE), %ax
	cmpw	$((LSR_THRE << 8) | LSR_THRE), %ax
	movb	$0x11, %al
	je	2f
	movb	$0x12, %al
2:	movw	$DEBUG_EXIT, %dx
	outb	%al, %dx
3:	hlt
	jmp	3b

	.section .rodata
line:
	.ascii	"REP OUTSB works\r\n"
	.set	line_len, . - line

	.section .reset, "ax"
	.globl	reset_vector
reset_vector:
	ljmp	$0xf000, $start
	.balign	16, 0xf4
