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
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
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
	/*
	 * CF from here survives the MOVs below and the VERW, which writes
	 * only ZF: VMLAUNCH or VMRESUME.
	 */
	bt	$0, %esi
	VIREO_LOAD_GPRS %rax
	mov	VIREO_REG_OFF(RAX)(%rax), %rax

	/*
	 * MDS, TAA, MMIO stale data, RFDS: VERW clears the CPU buffers of
	 * what the host left there, when the kernel chose to (KVM's
	 * CLEAR_CPU_BUFFERS in __vmx_vcpu_run, both 6.1 and 6.12).
	 */
	CLEAR_CPU_BUFFERS

	UNWIND_HINT_SAVE
	jc	.Lvmresume
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
	VIREO_CLEAR_GPRS

	/*
	 * Before the first RET whose CALL came before the entry, as KVM's
	 * __vmx_vcpu_run orders them.  The guest may have filled the return
	 * stack buffer with entries that would steer the host's returns:
	 * stuff it (retpoline, IBRS), or retire one CALL (eIBRS with the
	 * PBRSB bug).
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Legacy IBRS protects only once written after the move from the
	 * less privileged predictor mode: write the host's SPEC_CTRL again
	 * (vmx_spec_ctrl_restore_host()).  The guest cannot change the MSR
	 * (every WRMSR exits, msr.c refuses it), so nothing else differs.
	 */
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	PER_CPU_VAR(x86_spec_ctrl_current), %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	wrmsr
	lfence
.Lspec_ctrl_done:

	/* Spectre-BHI: overwrite the branch history the guest left. */
	CLEAR_BRANCH_HISTORY_VMEXIT

	xor	%eax, %eax
	jmp	.Lout

.Lvmfail_guest_regs:
	/* The failed instruction left the guest's values in registers. */
	VIREO_CLEAR_GPRS
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
