/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the Multiboot test kernel.  The loader leaves the stack pointer
 * undefined (Multiboot 0.6.96 3.2 "Machine state"), so set one before C.
 */
#include "multiboot.h"

#define MB_FLAGS	(MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY_INFO)

	.section .multiboot, "a"
	.balign MB_HEADER_ALIGN
	.long	MB_HEADER_MAGIC
	.long	MB_FLAGS
	.long	-(MB_HEADER_MAGIC + MB_FLAGS)

	.text
	.globl	_start
_start:
	cli
	movl	$stack_top, %esp
	pushl	%ebx		/* information */
	pushl	%eax		/* magic */
	call	mb_main
1:	hlt
	jmp	1b

	.bss
	.balign	16
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
