/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rom_write.rom: writes to its own ROM at 0xF0010.  The slot is read-only,
 * so the write exits as MMIO; no device claims it, so vireo-vm drops it as
 * a PC would ("MMIO write to unclaimed 0xf0010 ... dropped").  The ROM then
 * reads the word back: still what the image holds, it writes 0x10 to the
 * debug-exit port (status 33); changed, 0x01 (status 3).
 */
	.code16

	.text
	.globl	start
start:
	cli
	movw	$0xf000, %ax
	movw	%ax, %ds
	movw	$0x1234, 0x10
	movb	$0x10, %al
	cmpw	$0x1234, 0x10
	jne	1f
	movb	$0x01, %al
1:	outb	%al, $0xf4
	hlt

	.section .reset, "ax"
	.globl	reset_vector
reset_vector:
	ljmp	$0xf000, $start
	.balign	16, 0xf4
