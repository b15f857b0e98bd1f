/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello.rom: the first Vireo guest.  From the reset vector it sets up COM1
 * like firmware would, prints a greeting, and ends the VM through the
 * debug-exit port: vireo-vm exits with status (0x10 << 1) | 1 = 33.
 *
 * UART registers per the PC16550D datasheet: THR at +0, LCR at +3 (bit 7 is
 * DLAB, which maps DLL/DLM at +0/+1), LSR at +5 (bit 5: THR empty).
 */
	.code16

	.equ	COM1, 0x3f8
	.equ	UART_DLL, COM1 + 0
	.equ	UART_DLM, COM1 + 1
	.equ	UART_IER, COM1 + 1
	.equ	UART_FCR, COM1 + 2
	.equ	UART_LCR, COM1 + 3
	.equ	UART_MCR, COM1 + 4
	.equ	UART_LSR, COM1 + 5
	.equ	LSR_THRE, 0x20
	.equ	DEBUG_EXIT, 0xf4
	.equ	EXIT_VALUE, 0x10		/* exit status (0x10 << 1) | 1 = 33 */

	.text
	.globl	start
start:
	cli
	cld
	movw	%cs, %ax		/* 0xF000 after the far jump below */
	movw	%ax, %ds

	/* 115200 baud (divisor 1), 8N1, FIFOs on, interrupts off. */
	movw	$UART_IER, %dx
	xorb	%al, %al
	outb	%al, %dx
	movw	$UART_LCR, %dx
	movb	$0x80, %al		/* DLAB */
	outb	%al, %dx
	movw	$UART_DLL, %dx
	movb	$1, %al
	outb	%al, %dx
	movw	$UART_DLM, %dx
	xorb	%al, %al
	outb	%al, %dx
	movw	$UART_LCR, %dx
	movb	$0x03, %al		/* 8 data bits, no parity, 1 stop */
	outb	%al, %dx
	movw	$UART_FCR, %dx
	movb	$0x07, %al		/* enable and clear both FIFOs */
	outb	%al, %dx
	movw	$UART_MCR, %dx
	movb	$0x03, %al		/* DTR, RTS */
	outb	%al, %dx

	/*
	 * Print: wait for THR empty before each byte, then OUT it.  Plain
	 * IN/OUT only: rep_outs.S covers string I/O.
	 */
	movw	$greeting, %si
	movw	$greeting_len, %cx
1:	movw	$UART_LSR, %dx
2:	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	2b
	movw	$COM1, %dx
	lodsb
	outb	%al, %dx
	loop	1b

	movw	$DEBUG_EXIT, %dx
	movb	$EXIT_VALUE, %al
	outb	%al, %dx

	/* Not reached under vireo-vm; halt for good elsewhere. */
3:	hlt
	jmp	3b

	.section .rodata
greeting:
	.ascii	"Hello from a Vireo guest!\r\n"
	.set	greeting_len, . - greeting

	/*
	 * The CPU starts at CS base 0xFFFF0000, IP 0xFFF0.  Jump far to the
	 * copy below 1 MiB, as PC firmware does, so CS = 0xF000 afterwards.
	 */
	.section .reset, "ax"
	.globl	reset_vector
reset_vector:
	ljmp	$0xf000, $start
	.balign	16, 0xf4
