/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-x world switch.  Called with interrupts off and the VMCS current.
 *
 * int vmx_vmenter(u64 *regs, bool launched)
 *
 * VM entry loads RSP, RIP and RFLAGS from the VMCS; the other general-
 * purpose registers are the caller's to switch (SDM Vol. 3C 28.1
 * "Architectural State Before a VM Exit").  A VM exit resumes at
 * vmx_vmexit (HOST_RIP) with RSP = HOST_RSP, written here just before
 * entry, and every other register still the guest's.  Returns 0 after a
 * VM exit, 1 when VMLAUNCH/VMRESUME failed (VMfail: the CPU stayed here).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "../regs.h"

#define REG(r)	(VIREO_REG_##r * 8)
/* The HOST_RSP field's encoding (SDM Vol. 3D B.4.4); <asm/vmx.h> is C. */
#define VMCS_HOST_RSP	0x6c14

.section .noinstr.text, "ax"

SYM_FUNC_START(vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* 0(%rsp): regs, the first thing the exit path needs. */
	push	%rdi

	mov	$VMCS_HOST_RSP, %rdx
	vmwrite	%rsp, %rdx
	jbe	.Lvmfail

	mov	%rdi, %rax
	/* Flags from here survive the MOVs below: VMLAUNCH or VMRESUME. */
	test	%sil, %sil
	mov	REG(RCX)(%rax), %rcx
	mov	REG(RDX)(%rax), %rdx
	mov	REG(RBX)(%rax), %rbx
	mov	REG(RBP)(%rax), %rbp
	mov	REG(RSI)(%rax), %rsi
	mov	REG(RDI)(%rax), %rdi
	mov	REG(R8)(%rax), %r8
	mov	REG(R9)(%rax), %r9
	mov	REG(R10)(%rax), %r10
	mov	REG(R11)(%rax), %r11
	mov	REG(R12)(%rax), %r12
	mov	REG(R13)(%rax), %r13
	mov	REG(R14)(%rax), %r14
	mov	REG(R15)(%rax), %r15
	mov	REG(RAX)(%rax), %rax

	UNWIND_HINT_SAVE
	jnz	.Lvmresume
	vmlaunch
	jmp	.Lvmfail_guest_regs
.Lvmresume:
	vmresume
	jmp	.Lvmfail_guest_regs

SYM_INNER_LABEL(vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	/* RSP is HOST_RSP again: 0(%rsp) is regs. */
	push	%rax
	mov	8(%rsp), %rax
	mov	%rcx, REG(RCX)(%rax)
	mov	%rdx, REG(RDX)(%rax)
	mov	%rbx, REG(RBX)(%rax)
	mov	%rbp, REG(RBP)(%rax)
	mov	%rsi, REG(RSI)(%rax)
	mov	%rdi, REG(RDI)(%rax)
	mov	%r8, REG(R8)(%rax)
	mov	%r9, REG(R9)(%rax)
	mov	%r10, REG(R10)(%rax)
	mov	%r11, REG(R11)(%rax)
	mov	%r12, REG(R12)(%rax)
	mov	%r13, REG(R13)(%rax)
	mov	%r14, REG(R14)(%rax)
	mov	%r15, REG(R15)(%rax)
	pop	REG(RAX)(%rax)

	/*
	 * The guest may have filled the return stack buffer with entries
	 * that would steer the host's returns (SDM speculation guidance).
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	xor	%eax, %eax
	jmp	.Lout

.Lvmfail_guest_regs:
	/* The failed instruction left the guest's values in registers. */
	mov	0(%rsp), %rdi
.Lvmfail:
	mov	$1, %eax
.Lout:
	/* Leave no guest value in a register speculation could use. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(vmx_vmenter)
