/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rom_write.rom: writes to its own ROM at 0xF0010.  The slot is read-only,
 * so the write exits as MMIO; with no MMIO device vireo-vm reports
 * "unhandled MMIO write at 0xf0010" and exits with status 10.
 */
	.code16

	.text
	.globl	start
start:
	cli
	movw	$0xf000, %ax
	movw	%ax, %ds
	movw	$0x1234, 0x10
	hlt				/* not reached */

	.section .reset, "ax"
	.globl	reset_vector
reset_vector:
	ljmp	$0xf000, $start
	.balign	16, 0xf4
