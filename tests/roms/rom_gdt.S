/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rom_gdt.rom: firmware's way into protected mode, with its GDT in the ROM
 * and every accessed bit clear (and the TSS descriptor not busy).  Each
 * segment load makes the CPU write the accessed bit of a descriptor in
 * read-only memory; hardware drops the write and goes on, and so must the
 * VM.  The far JMP loads CS, then DS, ES, FS, GS and SS, LTR, a far CALL
 * and RET, an IRET and a POP DS; then a line on COM1 and the debug-exit
 * port: vireo-vm exits with status (0x11 << 1) | 1 = 35.
 */
	.code16

	.equ	ROM_BASE, 0xf0000	/* this image below 1 MiB */
	.equ	COM1, 0x3f8
	.equ	UART_LSR, COM1 + 5
	.equ	LSR_THRE, 0x20
	.equ	DEBUG_EXIT, 0xf4
	.equ	EXIT_VALUE, 0x11
	.equ	SEL_CODE, 0x08
	.equ	SEL_DATA, 0x10
	.equ	SEL_TSS, 0x18

	.text
	.globl	start
start:
	cli
	cld
	movw	%cs, %ax		/* 0xF000 */
	movw	%ax, %ds
	lgdtl	gdt_desc
	movl	%cr0, %eax
	orb	$1, %al			/* PE */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE, $(ROM_BASE + pm32)

	.code32
pm32:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	$0x8000, %esp		/* RAM */
	movw	$SEL_TSS, %ax
	ltr	%ax
	lcall	$SEL_CODE, $(ROM_BASE + far_ret)
	pushfl
	pushl	$SEL_CODE
	pushl	$(ROM_BASE + after_iret)
	iretl
after_iret:
	pushl	$SEL_DATA
	popl	%ds

	movl	$(ROM_BASE + line), %esi
	movl	$line_len, %ecx
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
3:	hlt
	jmp	3b

far_ret:
	lret

	.section .rodata
	.balign	8
/* SDM Vol. 3A 3.4.5: flat 4 GiB segments, DPL 0, accessed bits clear. */
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code, type 0xa */
	.quad	0x00cf92000000ffff	/* 0x10: data, type 0x2 */
	.quad	0x0000890090000067	/* 0x18: 32-bit TSS at 0x9000, available */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	ROM_BASE + gdt
line:
	.ascii	"ROM tables OK\r\n"
	.set	line_len, . - line

	/* The CPU starts at 0xFFFFFFF0: on to the copy below 1 MiB. */
	.section .reset, "ax"
	.globl	reset_vector
reset_vector:
	.code16
	ljmp	$0xf000, $start
	.balign	16, 0xf4
