// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD-V backend: detection, per-CPU enabling, vCPU life cycle and the
 * world switch.  Exit handling is in exits.c, VMCB plumbing in vmcb.c.
 */
#include <linux/io.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/special_insns.h>

#include "svm.h"

#define MSR_VM_CR_SVMDIS	BIT(4)
#define IOPM_ORDER		2	/* 12 KiB (APM 15.10.1) */
#define MSRPM_ORDER		1	/* 8 KiB (APM 15.11) */

DEFINE_PER_CPU(struct svm_cpu, svm_cpu);
static u32 svm_max_asid;
static struct page *svm_iopm;
static struct page *svm_msrpm;
bool svm_has_nrips;
static bool svm_has_flush_by_asid;

/*
 * SRSO on Zen 5 (6.12): the kernel leaves guest-to-host SRSO to the
 * hypervisor, which sets BP_CFG[BpSpecReduce] while guests may run, as
 * KVM's svm_prepare_switch_to_guest() does until its last VM is gone.
 * Vireo sets it before each VMRUN (a read, and a write only when KVM
 * cleared it as its last VM went) and clears it when its own last VM goes,
 * if it set it and no other hypervisor has AMD-V on, which may rely on it
 * without setting it again.  6.1 has no such mode (no
 * X86_FEATURE_SRSO_BP_SPEC_REDUCE).
 */
static void svm_srso_bp_spec_reduce(struct svm_cpu *sd, bool on)
{
#ifdef X86_FEATURE_SRSO_BP_SPEC_REDUCE
	u64 efer;

	if (!cpu_feature_enabled(X86_FEATURE_SRSO_BP_SPEC_REDUCE))
		return;
	if (on) {
		if (msr_set_bit(MSR_ZEN4_BP_CFG,
				MSR_ZEN4_BP_CFG_BP_SPEC_REDUCE_BIT) > 0)
			sd->srso_set = true;
		return;
	}
	rdmsrl(MSR_EFER, efer);
	if (sd->srso_set && (sd->holding || !(efer & EFER_SVME)))
		msr_clear_bit(MSR_ZEN4_BP_CFG,
			      MSR_ZEN4_BP_CFG_BP_SPEC_REDUCE_BIT);
	sd->srso_set = false;
#endif
}

/*
 * Virtualization on this CPU while Vireo has a VM: EFER.SVME is set here,
 * or found set by another hypervisor and shared (coexist.c).
 */
static int svm_hw_enable_cpu(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	int r;

	r = svm_virt_cpu_up(sd, page_to_phys(svm_iopm), page_to_phys(svm_msrpm));
	if (!r && sd->holding)
		svm_srso_bp_spec_reduce(sd, true);
	return r;
}

static void svm_hw_disable_cpu(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);

	if (!sd->hsave)
		return;
	svm_tsc_aux_put();
	svm_srso_bp_spec_reduce(sd, false);
	svm_virt_cpu_down(sd);
}

/*
 * The thread may leave the CPU: the host's TSC_AUX goes back now rather
 * than at the return to user mode, so that a KVM thread that runs here
 * next finds the value its own user-return cache says is there.
 */
static void svm_vcpu_leave_cpu(struct vireo_vcpu *vcpu)
{
	svm_tsc_aux_put();
	svm_virt_leave_cpu(svm_has_flush_by_asid);
}

/* Host suspend, interrupts off: AMD-V must be off when the CPU sleeps. */
static void svm_hw_suspend_cpu(void)
{
	svm_virt_release(this_cpu_ptr(&svm_cpu));
}

static void svm_hw_resume_cpu(void)
{
	svm_virt_resume(this_cpu_ptr(&svm_cpu));
}

static int svm_vcpu_create(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct page *page = vireo_alloc_page();

	if (!page)
		return -ENOMEM;
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->asid_cpu = -1;
	svm_vmcb_init(svm, page_to_phys(svm_iopm), page_to_phys(svm_msrpm),
		      vcpu->vm->npt.root_pa);
	svm->vmcb->control.tsc_offset = vcpu->vm->tsc_offset;
	return 0;
}

static void svm_vcpu_free(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	int cpu;

	/*
	 * The page may come back as another vCPU's VMCB: no CPU may take
	 * that one for the VMCB it last ran and skip the IBPB (KVM's
	 * svm_clear_current_vmcb()).
	 */
	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu(svm_cpu, cpu).current_vmcb, svm->vmcb, NULL);
	vireo_free_page(virt_to_page(svm->vmcb));
}

/* ASIDs are handed out per CPU (svm_assign_asid()): the last one used. */
static u32 svm_vcpu_tlb_tag(struct vireo_vcpu *vcpu)
{
	return READ_ONCE(to_svm(vcpu)->vmcb->control.asid);
}

/*
 * CR4.MCE stays on underneath: with it clear a machine check in the guest
 * shuts the CPU down instead of raising #MC (APM Vol. 2 9.3), and the
 * host's handler never sees it.  KVM's svm_set_cr4() does the same.
 */
static void svm_set_hw_cr4(struct svm_vcpu *svm, u64 cr4)
{
	svm->guest_cr4 = cr4;
	svm->vmcb->save.cr4 = cr4 | X86_CR4_MCE;
}

static void svm_vcpu_reset(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm_vmcb_reset_state(&svm->vmcb->save);
	svm_set_hw_cr4(svm, svm->vmcb->save.cr4);
	svm->vmcb->control.int_ctl &= ~(SVM_INT_CTL_V_TPR_MASK |
					SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR |
					(0xf << SVM_INT_CTL_V_INTR_PRIO_SHIFT));
	svm->vmcb->control.intercept_misc1 &= ~(SVM_INTERCEPT1_VINTR |
						SVM_INTERCEPT1_IRET);
	svm->vmcb->control.intercept_cr &= ~SVM_INTERCEPT_CR8_WRITE;
	svm->vmcb->control.intercept_dr = SVM_INTERCEPT_DR0_7;
	svm->vmcb->control.event_inj = 0;
	svm->nmi_masked = false;
}

/*
 * Give the vCPU an ASID that no stale translation on this CPU can match:
 * a fresh one whenever it moved here, the CPU started a new generation, or
 * nested entries were emptied (vireo_mmu_flush()).  When a CPU runs out of
 * ASIDs it flushes them all and starts again, as KVM does.  Unless Vireo
 * held AMD-V here all along, another hypervisor may have run guests under
 * the same ASID since this vCPU's thread last ran here: flush it
 * (coexist.c).
 */
static void svm_assign_asid(struct svm_vcpu *svm, struct svm_cpu *sd, int cpu)
{
	struct vmcb_control *c = &svm->vmcb->control;
	u64 tlb_gen = READ_ONCE(svm->vcpu.vm->tlb_gen);
	bool stayed = vireo_vcpu_stayed(&svm->vcpu, cpu);
	bool shared = !svm_virt_exclusive(sd);
	u8 flush = svm_has_flush_by_asid ? SVM_TLB_CONTROL_FLUSH_ASID :
					   SVM_TLB_CONTROL_FLUSH_ALL;

	if (!stayed && shared)
		c->tlb_ctl = flush;
	if (svm->asid_cpu == cpu && svm->asid_gen == sd->asid_gen &&
	    svm->tlb_gen == tlb_gen)
		return;
	if (sd->next_asid > svm_max_asid) {
		sd->asid_gen++;
		sd->next_asid = 1;
		c->tlb_ctl = SVM_TLB_CONTROL_FLUSH_ALL;
	} else if (shared && !c->tlb_ctl) {
		/* KVM may have used this number here too. */
		c->tlb_ctl = flush;
	}
	c->asid = sd->next_asid++;
	svm->asid_cpu = cpu;
	svm->asid_gen = sd->asid_gen;
	svm->tlb_gen = tlb_gen;
}

static void svm_sync_to_vmcb(struct svm_vcpu *svm)
{
	struct vmcb_save *save = &svm->vmcb->save;

	save->rax = svm->vcpu.regs[VIREO_REG_RAX];
	save->rsp = svm->vcpu.regs[VIREO_REG_RSP];
	save->rip = svm->vcpu.rip;
	save->rflags = svm->vcpu.rflags;
	/*
	 * With V_INTR_MASKING the guest's MOV to/from CR8 uses V_TPR and
	 * does not exit (APM Vol. 2 15.21.1, 15.21.4): the LAPIC's TPR goes
	 * in here and comes back out after the exit.
	 */
	svm->v_tpr = vireo_lapic_get_cr8(&svm->vcpu);
	svm->vmcb->control.int_ctl = (svm->vmcb->control.int_ctl &
				      ~SVM_INT_CTL_V_TPR_MASK) | svm->v_tpr;
}

static void svm_sync_from_vmcb(struct svm_vcpu *svm)
{
	struct vmcb_save *save = &svm->vmcb->save;
	u8 v_tpr = svm->vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK;

	svm->vcpu.regs[VIREO_REG_RAX] = save->rax;
	svm->vcpu.regs[VIREO_REG_RSP] = save->rsp;
	svm->vcpu.rip = save->rip;
	svm->vcpu.rflags = save->rflags;
	if (v_tpr != svm->v_tpr)
		vireo_lapic_set_cr8(&svm->vcpu, v_tpr);
}

/*
 * The world switch, with interrupts and then GIF off.  VMRUN itself saves
 * and restores the host's segment, control and flags registers in the
 * VM_HSAVE_PA area, and switches DR6 and DR7 through the VMCB;
 * vmenter.S swaps what it does not (FS, GS, TR, LDTR, KernelGSBase,
 * STAR/LSTAR/CSTAR/SFMASK, SYSENTER) with VMSAVE/VMLOAD.  The FPU, XCR0,
 * PKRU and DR0-DR3 are the core's (guest_fpu.c, debugreg.c); XCR0, PKRU
 * and the debug registers are put back before GIF is set, as an NMI may
 * then read user memory or hit a breakpoint.
 */
static bool svm_world_switch(struct svm_vcpu *svm)
{
	struct vireo_vcpu *vcpu = &svm->vcpu;
	struct svm_virt_state virt;
	struct svm_cpu *sd;

	vireo_fpu_load(vcpu);
	local_irq_disable();
	if (!vireo_guest_enter(vcpu)) {
		local_irq_enable();
		vireo_fpu_put(vcpu);
		return false;
	}
	/* Moved while guest time was stopped (guest_time.c). */
	svm->vmcb->control.tsc_offset = READ_ONCE(vcpu->vm->tsc_offset);
	sd = this_cpu_ptr(&svm_cpu);
	svm_virt_enter(sd, &virt);
	/* Held: set once in svm_hw_enable_cpu(); nobody else clears it. */
	if (virt.how != SVM_VIRT_HELD)
		svm_srso_bp_spec_reduce(sd, true);
	/* Sets tlb_ctl; a KVM guest may have run here since: see below. */
	svm_assign_asid(svm, sd, smp_processor_id());
	/*
	 * Another vCPU ran here last, or another hypervisor's guest may have
	 * (the ASID was flushed): its guest's branch predictions must not
	 * steer this one's (KVM's svm_vcpu_load()).  Not needed when every
	 * exit already ends with an IBPB.
	 */
	if (sd->current_vmcb != svm->vmcb || svm->vmcb->control.tlb_ctl) {
		sd->current_vmcb = svm->vmcb;
		if (!cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT))
			indirect_branch_prediction_barrier();
	}
	svm_tsc_aux_load_guest();
	svm_sync_to_vmcb(svm);
	vireo_xstate_load(vcpu);
	vireo_debugreg_load(vcpu, svm->vmcb->save.dr7, false);

	asm volatile("clgi" ::: "memory");
	/* Zen 1 DIV0: leave no host quotient for the guest to sample. */
	amd_clear_divider();
	svm_vmrun(svm->vmcb_pa, vcpu->regs, page_to_phys(sd->host_vmsave));
	vireo_xstate_put(vcpu);
	if (vireo_debugreg_put(vcpu, false))
		svm->vmcb->control.intercept_dr = SVM_INTERCEPT_DR0_7;
	asm volatile("stgi" ::: "memory");
	svm_virt_exit(sd, &virt, svm->vmcb->control.asid);
	vireo_guest_exit(vcpu);
	if (svm->vmcb->control.exit_code == SVM_EXIT_EXCP_BASE + 18)
		vireo_machine_check();

	svm->vmcb->control.tlb_ctl = 0;
	svm_sync_from_vmcb(svm);
	local_irq_enable();
	vireo_fpu_put(vcpu);
	return true;
}

/*
 * An exit taken while the CPU was delivering an event (an exception, say,
 * whose IDT page was not mapped yet) leaves that event in EXITINTINFO; it
 * must be injected again or the guest loses it (APM 15.7.2 "Intercepts
 * During IDT Interrupt Delivery").  INTn, INT3 and INTO are not: RIP still
 * points at the instruction, which simply runs again.
 */
static void svm_requeue_event(struct vmcb *vmcb)
{
	struct vmcb_control *c = &vmcb->control;
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EVTINJ_TYPE_MASK;
	u8 vector = info & 0xff;

	c->event_inj = 0;
	if (!(info & SVM_EVTINJ_VALID) || type == SVM_EVTINJ_TYPE_SOFT_INT)
		return;
	if (type == SVM_EVTINJ_TYPE_EXCEPTION && (vector == 3 || vector == 4))
		return;
	/* Real mode pushes no error code (as in svm_inject_exception()). */
	if (!(vmcb->save.cr0 & X86_CR0_PE))
		info &= ~SVM_EVTINJ_VALID_ERR;
	c->event_inj = info;
	c->event_inj_err = c->exit_int_info_err;
}

static int svm_vcpu_run_once(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 exit_rip;
	int r;

	svm_virt_report();
	if (!svm_world_switch(svm))
		return 1;	/* kicked before entry: back to the run loop */
	vcpu->delivering_event = svm->vmcb->control.exit_int_info &
				 SVM_EVTINJ_VALID;
	svm_requeue_event(svm->vmcb);
	exit_rip = vcpu->rip;
	r = svm_handle_exit(svm);
	/*
	 * An instruction we completed for the guest (HLT, OUT, ...) ends
	 * the STI or MOV SS shadow it may have been in (SDM Vol. 3A 6.8.3).
	 */
	if (vcpu->rip != exit_rip) {
		svm->vmcb->control.int_state &= ~SVM_INT_STATE_SHADOW;
		/* ... unless it loaded SS itself (the emulator's MOV SS). */
		if (vcpu->mov_ss_shadow)
			svm->vmcb->control.int_state |= SVM_INT_STATE_SHADOW;
	}
	vcpu->mov_ss_shadow = false;
	return r;
}

static u64 svm_get_cr4(struct vireo_vcpu *vcpu)
{
	return to_svm(vcpu)->guest_cr4;
}

static void svm_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *s)
{
	svm_vmcb_get_sregs(to_svm(vcpu)->vmcb, s);
	s->cr4 = to_svm(vcpu)->guest_cr4;
}


/*
 * New control registers written here (SET_SREGS, SIPI, an emulated MOV to
 * CR4) do not flush the TLB as the guest's own MOV would: a fresh ASID
 * does (svm_assign_asid()).
 */
static void svm_set_segs(struct vireo_vcpu *vcpu, const struct vireo_sregs *s)
{
	svm_vmcb_set_segs(to_svm(vcpu)->vmcb, s);
}

static int svm_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *s)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm_vmcb_set_sregs(svm->vmcb, s);
	svm_set_hw_cr4(svm, s->cr4);
	svm->asid_cpu = -1;
	return 0;
}

/*
 * The MSRs the VMCB save area holds for the guest: VMRUN and #VMEXIT
 * switch PAT, VMLOAD and VMSAVE the rest (vmenter.S).  msr.c has checked
 * the value.
 */
static u64 *svm_msr_slot(struct vmcb_save *save, u32 msr)
{
	switch (msr) {
	case MSR_STAR:
		return &save->star;
	case MSR_LSTAR:
		return &save->lstar;
	case MSR_CSTAR:
		return &save->cstar;
	case MSR_SYSCALL_MASK:
		return &save->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &save->kernel_gs_base;
	case MSR_FS_BASE:
		return &save->fs.base;
	case MSR_GS_BASE:
		return &save->gs.base;
	case MSR_IA32_SYSENTER_CS:
		return &save->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &save->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &save->sysenter_eip;
	case MSR_IA32_CR_PAT:
		return &save->g_pat;
	}
	return NULL;
}

static int svm_get_msr(struct vireo_vcpu *vcpu, u32 msr, u64 *val)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;
	u64 *slot = svm_msr_slot(save, msr);

	if (slot) {
		*val = *slot;
		return 0;
	}
	switch (msr) {
	case MSR_EFER:
		*val = save->efer & ~EFER_SVME;
		return 0;
	}
	return -ENOENT;
}

static int svm_set_msr(struct vireo_vcpu *vcpu, u32 msr, u64 val)
{
	struct vmcb_save *save = &to_svm(vcpu)->vmcb->save;
	u64 *slot = svm_msr_slot(save, msr);

	if (slot) {
		*slot = val;
		return 0;
	}
	switch (msr) {
	case MSR_EFER:
		/* LMA is the CPU's to set; the rest as SET_SREGS allows. */
		if (val & ~(u64)VIREO_EFER_ALLOWED)
			return -EINVAL;
		val = (val & ~(u64)EFER_LMA) | (save->efer & EFER_LMA);
		save->efer = val | EFER_SVME;
		return 0;
	}
	return -ENOENT;
}

static void svm_inject_exception(struct vireo_vcpu *vcpu,
				 const struct vireo_exception *e)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	bool error = e->has_error && (vmcb->save.cr0 & X86_CR0_PE);

	/* No error code in real mode, where the CPU pushes none. */
	vmcb->control.event_inj = e->vector | SVM_EVTINJ_TYPE_EXCEPTION |
				  SVM_EVTINJ_VALID |
				  (error ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = e->error;
	/* EVENTINJ does not load CR2 for a #PF (APM 15.20). */
	if (e->vector == 14)
		vmcb->save.cr2 = e->cr2;
}

static bool svm_interrupt_allowed(struct vireo_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       !(c->int_state & SVM_INT_STATE_SHADOW) &&
	       !(c->event_inj & SVM_EVTINJ_VALID);
}

/*
 * An open interrupt window (svm_enable_irq_window()) is not needed once an
 * interrupt is injected: close it, as the VINTR exit would have, so that V_IRQ
 * never stays set with the CR8-write intercept gone (KVM never leaves them
 * so; QEMU's TCG aborts on a CR8 write with V_IRQ set, and its SVM code
 * mishandles V_IRQ on the CPU that takes device interrupts).  The run loop
 * opens it again if another interrupt still waits.
 */
static void svm_close_irq_window(struct vmcb_control *c)
{
	c->int_ctl &= ~(SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR |
			(0xf << SVM_INT_CTL_V_INTR_PRIO_SHIFT));
	c->intercept_misc1 &= ~SVM_INTERCEPT1_VINTR;
}

static void svm_inject_irq(struct vireo_vcpu *vcpu, u8 vector)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	svm_close_irq_window(c);
	c->event_inj = vector | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;
}

/*
 * A virtual interrupt that ignores the TPR is taken as soon as the guest
 * can take any interrupt; intercepting it gives us that moment (APM Vol. 2
 * 15.21.4 "Interrupt Window").
 */
static void svm_enable_irq_window(struct vireo_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm(vcpu)->vmcb->control;

	c->int_ctl |= SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR |
		      (0xf << SVM_INT_CTL_V_INTR_PRIO_SHIFT);
	c->intercept_misc1 |= SVM_INTERCEPT1_VINTR;
	/*
	 * QEMU 7.2's TCG aborts when the guest writes CR8 while V_IRQ is
	 * set (it raises the virtual interrupt without taking its lock);
	 * intercepted, the write never gets there.  On a real CPU this
	 * costs an exit per CR8 write while the window is open.
	 */
	c->intercept_cr |= SVM_INTERCEPT_CR8_WRITE;
}

/*
 * The guest's MOV to CR8 does not exit by itself (V_INTR_MASKING): while
 * an interrupt waits for the TPR alone, intercept it, as KVM does (APM
 * Vol. 2 15.9 "Instruction Intercepts"); the run loop looks again after
 * the write.
 */
static void svm_enable_tpr_window(struct vireo_vcpu *vcpu, u8 class)
{
	to_svm(vcpu)->vmcb->control.intercept_cr |= SVM_INTERCEPT_CR8_WRITE;
}

/*
 * SVM does not show whether NMIs are blocked: after injecting one, IRET
 * is intercepted to learn when the handler is done (APM Vol. 2 15.21.1).
 */
static bool svm_nmi_allowed(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control *c = &svm->vmcb->control;

	return !svm->nmi_masked && !(c->int_state & SVM_INT_STATE_SHADOW) &&
	       !(c->event_inj & SVM_EVTINJ_VALID);
}

static void svm_inject_nmi(struct vireo_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->control.event_inj = 2 | SVM_EVTINJ_TYPE_NMI |
				       SVM_EVTINJ_VALID;
	svm->vmcb->control.intercept_misc1 |= SVM_INTERCEPT1_IRET;
	svm->nmi_masked = true;
}

static const struct vireo_backend_ops svm_ops = {
	.hw_enable_cpu		= svm_hw_enable_cpu,
	.hw_disable_cpu		= svm_hw_disable_cpu,
	.hw_suspend_cpu		= svm_hw_suspend_cpu,
	.hw_resume_cpu		= svm_hw_resume_cpu,
	.vcpu_create		= svm_vcpu_create,
	.vcpu_free		= svm_vcpu_free,
	.vcpu_tlb_tag		= svm_vcpu_tlb_tag,
	.vcpu_reset		= svm_vcpu_reset,
	.vcpu_run_once		= svm_vcpu_run_once,
	.vcpu_leave_cpu		= svm_vcpu_leave_cpu,
	.get_cr4		= svm_get_cr4,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.set_segs		= svm_set_segs,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.inject_exception	= svm_inject_exception,
	.interrupt_allowed	= svm_interrupt_allowed,
	.inject_irq		= svm_inject_irq,
	.enable_irq_window	= svm_enable_irq_window,
	.enable_tpr_window	= svm_enable_tpr_window,
	.nmi_allowed		= svm_nmi_allowed,
	.inject_nmi		= svm_inject_nmi,
};

/*
 * NPT entries are long-mode page-table entries; the nested walk is a user
 * access, so every level has U set (APM Vol. 2 15.25.5).
 */
static const struct npt_format svm_npt_format = {
	.name		= "NPT",
	.table_bits	= _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.leaf_bits	= _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
			  _PAGE_DIRTY,
	.write_bit	= _PAGE_RW,
	.present_mask	= _PAGE_PRESENT,
};

static void svm_exit(void)
{
	__free_pages(svm_msrpm, MSRPM_ORDER);
	__free_pages(svm_iopm, IOPM_ORDER);
}

/* Every port and every MSR is intercepted: all bits set in both maps. */
static int svm_alloc_permission_maps(void)
{
	svm_iopm = alloc_pages(GFP_KERNEL, IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		if (svm_iopm)
			__free_pages(svm_iopm, IOPM_ORDER);
		if (svm_msrpm)
			__free_pages(svm_msrpm, MSRPM_ORDER);
		return -ENOMEM;
	}
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << MSRPM_ORDER);
	return 0;
}

/* APM Vol. 2 15.4 "Enabling SVM". */
int svm_probe(struct vireo_backend *b)
{
	u32 eax, ebx, ecx, edx;
	u64 vm_cr;

	if (!boot_cpu_has(X86_FEATURE_SVM))
		return -ENODEV;
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & MSR_VM_CR_SVMDIS) {
		pr_err("vireo: AMD-V is disabled by the firmware (VM_CR.SVMDIS); enable SVM in the BIOS setup\n");
		return -EOPNOTSUPP;
	}
	cpuid(0x8000000a, &eax, &ebx, &ecx, &edx);
	if (!(edx & SVM_FEATURE_NPT)) {
		pr_err("vireo: AMD-V without nested paging is not supported\n");
		return -EOPNOTSUPP;
	}
	if (ebx < 2) {
		pr_err("vireo: AMD-V reports %u ASIDs; need at least 2\n", ebx);
		return -EOPNOTSUPP;
	}
	if (svm_alloc_permission_maps())
		return -ENOMEM;
	svm_max_asid = ebx - 1;
	svm_has_nrips = edx & SVM_FEATURE_NRIPS;
	svm_has_flush_by_asid = edx & SVM_FEATURE_FLUSH_BY_ASID;

	b->name = "AMD-V";
	b->id = VIREO_BACKEND_SVM;
	b->vcpu_size = sizeof(struct svm_vcpu);
	b->nr_tlb_tags = ebx;
	b->guest_xsaves = true;
	b->npt_format = &svm_npt_format;
	b->ops = &svm_ops;
	b->exit = svm_exit;
	pr_info("vireo: AMD-V with nested paging, %u ASIDs, NRIP-save %s\n",
		ebx, svm_has_nrips ? "yes" : "no");
	return 0;
}
