/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included by svm/vmenter.S and vmx/vmenter.S, never assembled alone.
 *
 * Assembler macros both backends' entry code uses to move the guest's
 * general-purpose registers between the CPU and vireo_vcpu.regs[].  RAX
 * and RSP are left to the caller: VMRUN switches them through the VMCB,
 * VMX needs RAX as the base register until the last moment.
 */
#ifndef VIREO_VMENTER_GPRS_S
#define VIREO_VMENTER_GPRS_S

#include "regs.h"

#define VIREO_REG_OFF(r)	(VIREO_REG_##r * 8)

/* Load RCX..R15 (all but RAX and RSP) from the array at \base. */
.macro VIREO_LOAD_GPRS base:req
	mov	VIREO_REG_OFF(RCX)(\base), %rcx
	mov	VIREO_REG_OFF(RDX)(\base), %rdx
	mov	VIREO_REG_OFF(RBX)(\base), %rbx
	mov	VIREO_REG_OFF(RBP)(\base), %rbp
	mov	VIREO_REG_OFF(RSI)(\base), %rsi
	mov	VIREO_REG_OFF(RDI)(\base), %rdi
	mov	VIREO_REG_OFF(R8)(\base), %r8
	mov	VIREO_REG_OFF(R9)(\base), %r9
	mov	VIREO_REG_OFF(R10)(\base), %r10
	mov	VIREO_REG_OFF(R11)(\base), %r11
	mov	VIREO_REG_OFF(R12)(\base), %r12
	mov	VIREO_REG_OFF(R13)(\base), %r13
	mov	VIREO_REG_OFF(R14)(\base), %r14
	mov	VIREO_REG_OFF(R15)(\base), %r15
.endm

/* Store RCX..R15 into the array at \base. */
.macro VIREO_STORE_GPRS base:req
	mov	%rcx, VIREO_REG_OFF(RCX)(\base)
	mov	%rdx, VIREO_REG_OFF(RDX)(\base)
	mov	%rbx, VIREO_REG_OFF(RBX)(\base)
	mov	%rbp, VIREO_REG_OFF(RBP)(\base)
	mov	%rsi, VIREO_REG_OFF(RSI)(\base)
	mov	%rdi, VIREO_REG_OFF(RDI)(\base)
	mov	%r8, VIREO_REG_OFF(R8)(\base)
	mov	%r9, VIREO_REG_OFF(R9)(\base)
	mov	%r10, VIREO_REG_OFF(R10)(\base)
	mov	%r11, VIREO_REG_OFF(R11)(\base)
	mov	%r12, VIREO_REG_OFF(R12)(\base)
	mov	%r13, VIREO_REG_OFF(R13)(\base)
	mov	%r14, VIREO_REG_OFF(R14)(\base)
	mov	%r15, VIREO_REG_OFF(R15)(\base)
.endm

/*
 * Right after an exit, once the guest's registers are stored: no guest
 * value stays in any register (RSP aside), not even the callee-saved ones
 * the epilogue pops, since a cache miss on the pop would let speculation
 * run with the guest's (KVM's vmenter.S does the same).  XORs are free.
 */
.macro VIREO_CLEAR_GPRS
	xor	%eax, %eax
	xor	%ebx, %ebx
	xor	%ebp, %ebp
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d
	VIREO_CLEAR_SCRATCH_GPRS
.endm

/*
 * Leave no guest value in a caller-saved register that speculation could
 * use; the callee-saved ones are popped by the caller's epilogue.
 */
.macro VIREO_CLEAR_SCRATCH_GPRS
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
.endm

#endif
