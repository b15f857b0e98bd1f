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

#include "../vmenter_gprs.S"

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
	VIREO_LOAD_GPRS %rax
	mov	VIREO_REG_OFF(RAX)(%rax), %rax

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
	VIREO_STORE_GPRS %rax
	pop	VIREO_REG_OFF(RAX)(%rax)

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
	VIREO_CLEAR_SCRATCH_GPRS
	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(vmx_vmenter)
