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
 * - EFER.SVME clear when Vireo's first VM came (hw_enable_cpu(), with
 *   interrupts off, serialized with KVM's hotplug callbacks): with
 *   hold_svme (the default) set it and keep it until Vireo's last VM is
 *   gone; without, and whenever the owner gave it up since, set it for
 *   one VMRUN only and clear it again, so that KVM may start on this CPU at
 *   any moment (its enabling refuses a set EFER.SVME; APM Vol. 2 15.4
 *   gives no way to share it).  Never taken for good at an entry: KVM on
 *   6.12 enables a CPU from a preemptible thread, between its check and
 *   its write.
 *
 * ASIDs are per CPU and both hypervisors hand out the same numbers
 * (APM Vol. 2 15.16: TLB entries are tagged with the ASID alone), and each
 * does an IBPB only between its own guests.  KVM starts each enabling of a
 * CPU with a flush of every ASID, so only what runs while both have a CPU
 * matters:
 * - a vCPU whose thread left the CPU since its last VMRUN there
 *   (vireo_vcpu_stayed()) flushes its ASID and does an IBPB before it
 *   runs, unless Vireo held AMD-V there all along, when nobody else can
 *   have run a guest;
 * - a borrowed VMRUN marks the CPU; before the thread can leave it
 *   (switched out, or back to userspace) an IBPB, and a VMRUN of an empty
 *   guest flushes the ASIDs it used, so that KVM's vCPUs, which keep their
 *   ASID across other VMRUNs, find nothing of Vireo's guests
 *   (svm_virt_leave_cpu()).
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

/* An exit of the TLB-flushing VMRUN none of the expected ones. */
static u64 svm_flush_bad_exit;

/* Process context, no locks held: report a bad flushing VMRUN, once. */
void svm_virt_report(void)
{
	u64 code = READ_ONCE(svm_flush_bad_exit);

	if (unlikely(code))
		WARN_ONCE(1, "vireo: the TLB-flushing VMRUN exited with %#llx\n",
			  code);
}

#define TSC_RATIO_DEFAULT	(1ULL << 32)	/* 1.0 (APM Vol. 2 15.30.5) */

/*
 * The empty guest of svm_virt_leave_cpu(): a pending virtual interrupt with
 * VINTR intercepted exits at the first instruction boundary, before any
 * fetch (APM Vol. 2 15.21.4).  In case it did not: every exception, INIT,
 * SHUTDOWN and HLT are intercepted, and nested paging with an empty table
 * turns any access into a nested page fault, so it can reach no memory.
 */
static void svm_flush_vmcb_init(struct vmcb *vmcb, phys_addr_t iopm,
				phys_addr_t msrpm, phys_addr_t empty_root)
{
	struct vmcb_control *c = &vmcb->control;

	memset(vmcb, 0, sizeof(*vmcb));
	svm_vmcb_reset_state(&vmcb->save);
	vmcb->save.efer = EFER_SVME;
	vmcb->save.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	c->int_ctl = SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR |
		     (0xf << SVM_INT_CTL_V_INTR_PRIO_SHIFT);
	c->intercept_exceptions = ~0u;
	c->intercept_misc1 = SVM_INTERCEPT1_VINTR | SVM_INTERCEPT1_INTR |
			     SVM_INTERCEPT1_NMI | SVM_INTERCEPT1_HLT |
			     SVM_INTERCEPT1_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT2_VMRUN;
	c->iopm_base_pa = iopm;
	c->msrpm_base_pa = msrpm;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = empty_root;
	c->asid = 1;
}

int svm_virt_cpu_up(struct svm_cpu *sd, phys_addr_t iopm, phys_addr_t msrpm)
{
	unsigned long flags;
	u64 efer;

	sd->hsave = vireo_alloc_page();
	sd->host_vmsave = vireo_alloc_page();
	sd->flush_vmcb = vireo_alloc_page();
	sd->flush_root = vireo_alloc_page();
	if (!sd->hsave || !sd->host_vmsave || !sd->flush_vmcb ||
	    !sd->flush_root) {
		svm_virt_cpu_down(sd);
		return -ENOMEM;
	}
	svm_flush_vmcb_init(page_address(sd->flush_vmcb), iopm, msrpm,
			    page_to_phys(sd->flush_root));
	/* Start past the last ASID: the first vCPU here flushes the TLB. */
	sd->asid_gen++;
	sd->next_asid = U32_MAX;
	sd->foreign_asid = 0;
	sd->current_vmcb = NULL;
	/* 6.1's KVM enables a CPU by IPI: check and write as one. */
	local_irq_save(flags);
	rdmsrl(MSR_EFER, efer);
	if (hold_svme && !(efer & EFER_SVME)) {
		wrmsrl(MSR_EFER, efer | EFER_SVME);
		wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
		sd->holding = true;
	}
	local_irq_restore(flags);
	/* What a user whose KVM then fails with EBUSY needs to know. */
	if (sd->holding)
		pr_info_once("vireo: AMD-V is held while Vireo has VMs: KVM cannot start one meanwhile (load vireo with hold_svme=0 to share, see docs/coexistence.md)\n");
	return 0;
}

/*
 * Give EFER.SVME up if Vireo holds it (the CPU goes offline or to sleep,
 * or the last VM went); the next VMRUN here takes it again if it is free.
 */
void svm_virt_release(struct svm_cpu *sd)
{
	u64 efer;

	sd->held_before = sd->holding;
	if (!sd->holding)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sd->holding = false;
}

/* Host resume, interrupts off: hold again what svm_virt_release() gave up. */
void svm_virt_resume(struct svm_cpu *sd)
{
	u64 efer;

	if (!sd->held_before || !sd->hsave)
		return;
	sd->held_before = false;
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return;
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	sd->holding = true;
	sd->asid_gen++;
	sd->next_asid = U32_MAX;
	sd->current_vmcb = NULL;
}

void svm_virt_cpu_down(struct svm_cpu *sd)
{
	svm_virt_release(sd);
	vireo_free_page(sd->hsave);
	vireo_free_page(sd->host_vmsave);
	vireo_free_page(sd->flush_vmcb);
	vireo_free_page(sd->flush_root);
	sd->hsave = sd->host_vmsave = sd->flush_vmcb = sd->flush_root = NULL;
}

/* Interrupts off, before CLGI: make this CPU ready for our VMRUN. */
void svm_virt_enter(struct svm_cpu *sd, struct svm_virt_state *st)
{
	u64 hsave = page_to_phys(sd->hsave);

	st->how = SVM_VIRT_HELD;
	if (sd->holding)
		return;
	rdmsrl(MSR_EFER, st->efer);
	rdmsrl(MSR_VM_HSAVE_PA, st->hsave);
	if (!(st->efer & EFER_SVME)) {
		st->how = SVM_VIRT_TRANSIENT;
		wrmsrl(MSR_EFER, st->efer | EFER_SVME);
		wrmsrl(MSR_VM_HSAVE_PA, hsave);
		return;
	}
	st->how = SVM_VIRT_BORROWED;
	if (st->hsave != hsave)
		wrmsrl(MSR_VM_HSAVE_PA, hsave);
	st->tsc_ratio = TSC_RATIO_DEFAULT;
	if (boot_cpu_has(X86_FEATURE_TSCRATEMSR)) {
		rdmsrl(MSR_AMD64_TSC_RATIO, st->tsc_ratio);
		if (st->tsc_ratio != TSC_RATIO_DEFAULT)
			wrmsrl(MSR_AMD64_TSC_RATIO, TSC_RATIO_DEFAULT);
	}
}

/*
 * After STGI, interrupts still off: give back what svm_virt_enter() took.
 * @asid is the one the VMRUN used: borrowed, its translations must go
 * before the thread leaves the CPU.
 */
void svm_virt_exit(struct svm_cpu *sd, const struct svm_virt_state *st,
		   u32 asid)
{
	switch (st->how) {
	case SVM_VIRT_HELD:
		break;
	case SVM_VIRT_TRANSIENT:
		wrmsrl(MSR_EFER, st->efer);
		wrmsrl(MSR_VM_HSAVE_PA, st->hsave);
		break;
	case SVM_VIRT_BORROWED:
		if (st->tsc_ratio != TSC_RATIO_DEFAULT)
			wrmsrl(MSR_AMD64_TSC_RATIO, st->tsc_ratio);
		if (st->hsave != page_to_phys(sd->hsave))
			wrmsrl(MSR_VM_HSAVE_PA, st->hsave);
		if (!sd->foreign_asid)
			sd->foreign_asid = asid;
		else if (sd->foreign_asid != asid)
			sd->foreign_asid = U32_MAX;	/* several */
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
 * is switched out and when it returns to userspace).  After borrowed
 * VMRUNs here: an IBPB, so that what Vireo's guests trained does not
 * steer KVM's (KVM does one only between its own VMCBs), and the ASIDs
 * they used flushed by an empty guest's VMRUN.  EFER.SVME clear means the
 * owner turned AMD-V off since: it flushes every ASID when it turns it on
 * again, and VMRUN is not possible anyway.
 */
void svm_virt_leave_cpu(bool flush_by_asid)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpu);
	struct vmcb *vmcb;
	struct svm_virt_state st;
	unsigned long flags;
	u32 asid;

	if (!READ_ONCE(sd->foreign_asid))
		return;
	local_irq_save(flags);
	asid = sd->foreign_asid;
	sd->foreign_asid = 0;
	if (!asid || !sd->flush_vmcb)
		goto out;
	if (!cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT))
		indirect_branch_prediction_barrier();
	sd->current_vmcb = NULL;
	rdmsrl(MSR_EFER, st.efer);
	if (!(st.efer & EFER_SVME))
		goto out;
	vmcb = page_address(sd->flush_vmcb);
	if (asid != U32_MAX && flush_by_asid) {
		vmcb->control.asid = asid;
		vmcb->control.tlb_ctl = SVM_TLB_CONTROL_FLUSH_ASID;
	} else {
		vmcb->control.asid = 1;
		vmcb->control.tlb_ctl = SVM_TLB_CONTROL_FLUSH_ALL;
	}
	svm_virt_enter(sd, &st);
	asm volatile("clgi\n\t"
		     "vmrun %%rax\n\t"
		     "stgi"
		     : : "a" (page_to_phys(sd->flush_vmcb))
		     : "memory", "cc");
	/* #VMEXIT left DR7 at its reset value. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	svm_virt_exit(sd, &st, 0);
	sd->foreign_asid = 0;
	/*
	 * Hardware takes the virtual interrupt first; QEMU's AMD-V fetches
	 * first and exits with a nested page fault.  Both did the flush.
	 */
	/*
	 * sched_out holds the run-queue lock, where the console must not be
	 * woken: svm_virt_report() says it later.
	 */
	if (vmcb->control.exit_code != SVM_EXIT_VINTR &&
	    vmcb->control.exit_code != SVM_EXIT_INTR &&
	    vmcb->control.exit_code != SVM_EXIT_NMI &&
	    vmcb->control.exit_code != SVM_EXIT_NPF)
		WRITE_ONCE(svm_flush_bad_exit, vmcb->control.exit_code);
out:
	local_irq_restore(flags);
}
