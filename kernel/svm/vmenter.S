/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD-V world switch.  Called with interrupts and GIF off.
 *
 * void svm_vmrun(phys_addr_t vmcb_pa, u64 *regs, phys_addr_t host_save_pa)
 *
 * VMRUN loads RAX, RSP, RIP and RFLAGS from the VMCB and saves the host's
 * in VM_HSAVE_PA; the other general-purpose registers are the caller's to
 * switch (APM Vol. 2 15.5 "VMRUN Instruction").  VMSAVE/VMLOAD switch the
 * state VMRUN leaves alone: FS, GS, TR, LDTR with their hidden parts,
 * KernelGSBase, STAR, LSTAR, CSTAR, SFMASK and the SYSENTER MSRs (APM Vol. 2
 * 15.5.2 "VMSAVE and VMLOAD Instructions").
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include "../regs.h"

#define REG(r)	(VIREO_REG_##r * 8)

.section .noinstr.text, "ax"

SYM_FUNC_START(svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* 16(%rsp): host save area, 8(%rsp): regs, 0(%rsp): VMCB. */
	push	%rdx
	push	%rsi
	push	%rdi

	/* The host's FS, GS, TR... go to host_save_pa, the guest's come in. */
	mov	%rdx, %rax
	vmsave	%rax
	mov	(%rsp), %rax
	vmload	%rax

	mov	8(%rsp), %rax
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

	/*
	 * With V_INTR_MASKING the host's IF gates physical interrupts in the
	 * guest (APM Vol. 2 15.21.1): set it so that they exit.  GIF is off
	 * (the caller ran CLGI), so none is taken here before VMRUN sets
	 * GIF, nor after #VMEXIT clears it again, until the caller's STGI.
	 */
	mov	(%rsp), %rax
	sti
	vmrun	%rax
	cli
	/* #VMEXIT: RAX and RSP are the host's again (the VMCB address). */
	vmsave	%rax

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

	mov	16(%rsp), %rax
	vmload	%rax

	/* Leave no guest value in a register speculation could use. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(svm_vmrun)
