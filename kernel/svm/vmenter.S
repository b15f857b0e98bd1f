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
#include <linux/version.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include "../vmenter_gprs.S"

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
	VIREO_LOAD_GPRS %rax

	/*
	 * TSA (and whatever else the kernel chose VERW for on VM entry):
	 * clear the CPU buffers the host filled.  Writes ZF only.
	 */
	VM_CLEAR_CPU_BUFFERS

	/*
	 * With V_INTR_MASKING the host's IF gates physical interrupts in the
	 * guest (APM Vol. 2 15.21.1): set it so that they exit.  GIF is off
	 * (the caller ran CLGI), so none is taken here before VMRUN sets
	 * GIF, nor after #VMEXIT clears it again, until the caller's STGI.
	 *
	 * Not STI right before VMRUN: its interrupt shadow would cover VMRUN
	 * and carry into the guest (AMD CPUs do when delivering an event
	 * during VMRUN exits, QEMU's TCG always; KVM's svm_vcpu_enter_exit()
	 * warns of it), so that a guest STI at the entry RIP got no shadow of
	 * its own and an interrupt came between its STI and HLT.
	 */
	sti
	mov	(%rsp), %rax
	vmrun	%rax
	cli
	/* #VMEXIT: RAX and RSP are the host's again (the VMCB address). */
	vmsave	%rax

	mov	8(%rsp), %rax
	VIREO_STORE_GPRS %rax

	mov	16(%rsp), %rax
	vmload	%rax
	VIREO_CLEAR_GPRS

	/*
	 * GS is the host's again (the VMLOAD above): per-CPU data, which
	 * the sequences below may touch, is reachable.  All of it before
	 * the RET below, whose CALL came before VMRUN, in the order of
	 * KVM's __svm_vcpu_run.  First the return stack buffer the guest
	 * may have filled: 6.1 fills it under retpoline, 6.12 when the
	 * kernel asks for it on VM exit.
	 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
#elif defined(CONFIG_RETPOLINE)
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif

	/*
	 * Retbleed and SRSO on Zen: untrain the return predictor
	 * (entry_untrain_ret, srso_alias_untrain_ret), or IBPB when the
	 * kernel chose IBPB on VM exit.  Clobbers RAX, RCX, RDX.
	 */
#ifdef UNTRAIN_RET_VM
	UNTRAIN_RET_VM
#else
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT
#endif

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(svm_vmrun)
