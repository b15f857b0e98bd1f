// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing a CPU's AMD-V with another hypervisor (KVM).  docs/coexistence.md
 * has the reasoning; in short, per CPU and for each VMRUN, with interrupts
 * off:
 *
 * - EFER.SVME set by someone else ("borrowed"): leave it set; point
 *   VM_HSAVE_PA at our own save area for the VMRUN and put the owner's
 *   value back after it; run at the default TSC ratio and put the owner's
 *   back (KVM caches the MSR per CPU and leaves a guest's ratio in it).
 * - EFER.SVME clear: with hold_svme (the default) set it and keep it until
 *   Vireo's last VM is gone, as before; without, set it for this VMRUN only
 *   and clear it again, so that KVM may start on this CPU at any moment
 *   (its enabling refuses a set EFER.SVME, APM Vol. 2 15.4 gives no way to
 *   share it).
 *
 * ASIDs are per CPU and both hypervisors hand out the same numbers
 * (APM Vol. 2 15.16: TLB entries are tagged with the ASID alone).  KVM
 * starts each enabling of a CPU with a flush of every ASID, so only what
 * runs while both have a CPU matters:
 * - a vCPU whose thread left the CPU since its last VMRUN there flushes its
 *   ASID before it runs (svm_assign_asid()), unless Vireo held EFER.SVME all
 *   along, when nobody else can have run a guest;
 * - a borrowed VMRUN marks the CPU; before the thread can leave it (switched
 *   out, or back to userspace) a VMRUN of an empty guest flushes every ASID,
 *   so that KVM's vCPUs, which keep their ASID across other VMRUNs, find
 *   nothing of Vireo's guests (svm_virt_leave_cpu()).
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/msr.h>

#include "svm.h"

static bool hold_svme = true;
module_param(hold_svme, bool, 0444);
MODULE_PARM_DESC(hold_svme,
		 "AMD-V: keep EFER.SVME set while a Vireo VM exists on CPUs no other hypervisor uses (default); 0 sets it around each VMRUN only, so KVM can start at any time");

#define TSC_RATIO_DEFAULT	(1ULL << 32)	/* 1.0 (APM Vol. 2 15.30.5) */

/* The empty guest of svm_virt_leave_cpu(): it exits before its first fetch. */
static void svm_flush_vmcb_init(struct vmcb *vmcb, phys_addr_t iopm,
				phys_addr_t msrpm)
{
	struct vmcb_control *c = &vmcb->control;

	memset(vmcb, 0, sizeof(*vmcb));
	svm_vmcb_reset_state(&vmcb->save);
	vmcb->save.efer = EFER_SVME;
	vmcb->save.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	/*
	 * A pending virtual interrupt with VINTR intercepted: #VMEXIT at the
	 * first instruction boundary, before any fetch (APM Vol. 2 15.21.4).
	 */
	c->int_ctl = SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR |
		     (0xf << SVM_INT_CTL_V_INTR_PRIO_SHIFT);
	c->intercept_misc1 = SVM_INTERCEPT1_VINTR | SVM_INTERCEPT1_INTR |
			     SVM_INTERCEPT1_NMI;
	c->intercept_misc2 = SVM_INTERCEPT2_VMRUN;
	c->iopm_base_pa = iopm;
	c->msrpm_base_pa = msrpm;
	c->asid = 1;
	c->tlb_ctl = SVM_TLB_CONTROL_FLUSH_ALL;
}

int svm_virt_cpu_up(struct svm_cpu *sd, phys_addr_t iopm, phys_addr_t msrpm)
{
	u64 efer;

	sd->hsave = vireo_alloc_page();
	sd->host_vmsave = vireo_alloc_page();
	sd->flush_vmcb = vireo_alloc_page();
	if (!sd->hsave || !sd->host_vmsave || !sd->flush_vmcb) {
		svm_virt_cpu_down(sd);
		return -ENOMEM;
	}
	svm_flush_vmcb_init(page_address(sd->flush_vmcb), iopm, msrpm);
	/* Start past the last ASID: the first vCPU here flushes the TLB. */
	sd->asid_gen++;
	sd->next_asid = U32_MAX;
	sd->foreign_tlb = false;
	rdmsrl(MSR_EFER, efer);
	if (hold_svme && !(efer & EFER_SVME)) {
		wrmsrl(MSR_EFER, efer | EFER_SVME);
		wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
		sd->holding = true;
	}
	return 0;
}

/*
 * Give EFER.SVME up if Vireo holds it (the CPU goes offline or to sleep,
 * or the last VM went); the next VMRUN here takes it again if it is free.
 */
void svm_virt_release(struct svm_cpu *sd)
{
	u64 efer;

	if (!sd->holding)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sd->holding = false;
}

void svm_virt_cpu_down(struct svm_cpu *sd)
{
	svm_virt_release(sd);
	vireo_free_page(sd->hsave);
	vireo_free_page(sd->host_vmsave);
	vireo_free_page(sd->flush_vmcb);
	sd->hsave = sd->host_vmsave = sd->flush_vmcb = NULL;
}

/* Interrupts off, before CLGI: make this CPU ready for our VMRUN. */
void svm_virt_enter(struct svm_cpu *sd, struct svm_virt_state *st)
{
	u64 hsave = page_to_phys(sd->hsave);

	st->how = SVM_VIRT_HELD;
	if (sd->holding)
		return;
	rdmsrl(MSR_EFER, st->efer);
	if (!(st->efer & EFER_SVME)) {
		if (hold_svme) {
			/* The owner went (rmmod kvm_amd): keep it from now on. */
			sd->holding = true;
			sd->asid_gen++;
			sd->next_asid = U32_MAX;
		} else {
			st->how = SVM_VIRT_TRANSIENT;
		}
		wrmsrl(MSR_EFER, st->efer | EFER_SVME);
		wrmsrl(MSR_VM_HSAVE_PA, hsave);
		return;
	}
	st->how = SVM_VIRT_BORROWED;
	rdmsrl(MSR_VM_HSAVE_PA, st->hsave);
	if (st->hsave != hsave)
		wrmsrl(MSR_VM_HSAVE_PA, hsave);
	st->tsc_ratio = TSC_RATIO_DEFAULT;
	if (boot_cpu_has(X86_FEATURE_TSCRATEMSR)) {
		rdmsrl(MSR_AMD64_TSC_RATIO, st->tsc_ratio);
		if (st->tsc_ratio != TSC_RATIO_DEFAULT)
			wrmsrl(MSR_AMD64_TSC_RATIO, TSC_RATIO_DEFAULT);
	}
	sd->foreign_tlb = true;
}

/* After STGI, interrupts still off: give back what svm_virt_enter() took. */
void svm_virt_exit(struct svm_cpu *sd, const struct svm_virt_state *st)
{
	switch (st->how) {
	case SVM_VIRT_HELD:
		break;
	case SVM_VIRT_TRANSIENT:
		wrmsrl(MSR_EFER, st->efer);
		break;
	case SVM_VIRT_BORROWED:
		if (st->tsc_ratio != TSC_RATIO_DEFAULT)
			wrmsrl(MSR_AMD64_TSC_RATIO, st->tsc_ratio);
		if (st->hsave != page_to_phys(sd->hsave))
			wrmsrl(MSR_VM_HSAVE_PA, st->hsave);
		break;
	}
}

/* Whether nobody but Vireo can have run a guest here (see the top). */
bool svm_virt_exclusive(struct svm_cpu *sd)
{
	return sd->holding;
}

/*
 * The vCPU thread may leave this CPU (preemption disabled; called when it
 * is switched out and when it returns to userspace).  If a borrowed VMRUN
 * left translations here, flush every ASID with an empty guest's VMRUN.
 * EFER.SVME clear means the owner turned AMD-V off since: it flushes all
 * ASIDs when it turns it on again, and VMRUN is not possible anyway.
 */
void svm_virt_leave_cpu(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	struct svm_virt_state st;
	unsigned long flags;

	if (!READ_ONCE(sd->foreign_tlb))
		return;
	local_irq_save(flags);
	if (sd->foreign_tlb && sd->flush_vmcb) {
		sd->foreign_tlb = false;
		rdmsrl(MSR_EFER, st.efer);
		if (st.efer & EFER_SVME) {
			svm_virt_enter(sd, &st);
			sd->foreign_tlb = false;
			asm volatile("clgi\n\t"
				     "vmrun %%rax\n\t"
				     "stgi"
				     : : "a" (page_to_phys(sd->flush_vmcb))
				     : "memory", "cc");
			/* #VMEXIT left DR7 at its reset value. */
			if (hw_breakpoint_active())
				hw_breakpoint_restore();
			svm_virt_exit(sd, &st);
		}
	}
	local_irq_restore(flags);
}
