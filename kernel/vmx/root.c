// SPDX-License-Identifier: GPL-2.0
/*
 * VMX root operation on each CPU, and which VMCS is current there.
 * docs/coexistence.md has the reasoning.
 *
 * Held: Vireo ran VMXON on the CPU (it found CR4.VMXE clear) and keeps it
 * until its last VM is gone.  A VMCS stays active on the CPU it last ran
 * on, current while its vCPU is between vmx_vcpu_get() and vmx_vcpu_put(),
 * and is cleared (VMCLEAR) before it moves to another CPU.
 *
 * Borrowed: another hypervisor (KVM) is in VMX root operation on the CPU.
 * Vireo neither runs VMXON nor VMXOFF there.  From vmx_vcpu_get() to
 * vmx_vcpu_put() interrupts are off; the owner's current-VMCS pointer is
 * saved (VMPTRST) and put back (VMPTRLD) before they come back, so that
 * KVM's per-CPU idea of its loaded VMCS stays true; and Vireo's VMCS is
 * cleared before they come back, since the owner may leave VMX operation
 * (VMXOFF) at any interrupt (6.1 turns it off by IPI when its last VM
 * goes), and a VMCS active across VMXOFF may be lost (SDM Vol. 3C
 * 25.11.1).  Each entry is then a VMLAUNCH.
 *
 * Transient: nobody is in VMX operation on the CPU, but Vireo did not
 * enter it when its first VM came (the owner was there then and has left
 * since, or is halfway through entering or leaving it: KVM on 6.12 does
 * that from a preemptible thread, CR4.VMXE and VMXON apart).  As borrowed,
 * with VMXON and VMXOFF around the window and CR4.VMXE left as found.
 * Vireo enters VMX operation for good only in vmx_hw_enable_cpu(), which
 * runs one at a time with KVM's hotplug callbacks.
 *
 * Nothing here returns the CPU to its owner in another state than found:
 * VMXON region, CR4.VMXE and the current VMCS are the owner's.  VPIDs and
 * EPT caches are shared (SDM Vol. 3C 29.4); each hypervisor does an IBPB
 * only between its own VMCSs.  A vCPU whose thread left the CPU since it
 * last ran there invalidates its own translations and does an IBPB before
 * it runs, and an IBPB follows Vireo's guests before the thread leaves a
 * CPU it shares (vmx_root_leave_cpu()).
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/asm.h>
#include <asm/tlbflush.h>

#include "vmx.h"

struct vmx_root {
	struct page *vmxon;		/* our VMXON region */
	bool holding;			/* Vireo ran VMXON here */
	u64 gen;			/* counts VMXONs by Vireo here */
	struct list_head loaded;	/* held: VMCSs active here */
	struct vmx_vcpu *current_vmx;	/* held: the current VMCS's vCPU */
	struct vmx_vcpu *last_vmx;	/* the last vCPU run here (IBPB) */
	u64 owner_vmcs;			/* borrowed: the owner's, saved */
	bool foreign;			/* shared: Vireo ran a guest since */
	bool held_before;		/* holding when suspended */
};

static DEFINE_PER_CPU(struct vmx_root, vmx_root);

#define VMCS_NONE	(~0ULL)	/* VMPTRST with no current VMCS (31.3) */

static int vmx_vmclear_pa(phys_addr_t pa)
{
	bool ok;

	asm volatile("vmclear %[pa]" : "=@cca" (ok) : [pa] "m" (pa) : "memory");
	return ok ? 0 : -EIO;
}

static int vmx_vmptrld_pa(phys_addr_t pa)
{
	bool ok;

	asm volatile("vmptrld %[pa]" : "=@cca" (ok) : [pa] "m" (pa) : "memory");
	return ok ? 0 : -EIO;
}

static u64 vmx_vmptrst(void)
{
	u64 pa;

	asm volatile("vmptrst %[pa]" : [pa] "=m" (pa) : : "memory");
	return pa;
}

/*
 * Whether the CPU is in VMX operation: VMPTRST raises #UD outside it (SDM
 * Vol. 3C 31.3), and is harmless inside it.
 */
static bool vmx_in_vmx_operation(void)
{
	u64 pa;

	/* The fault goes on at 2, past the jump. */
	asm goto("1: vmptrst %[pa]\n\t"
		 "jmp %l[inside]\n"
		 "2:\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : [pa] "m" (pa) : "memory" : inside);
	return false;
inside:
	return true;
}

static int vmx_vmxon(phys_addr_t pa)
{
	bool ok;

	asm volatile("vmxon %[pa]" : "=@cca" (ok) : [pa] "m" (pa) : "memory");
	return ok ? 0 : -EIO;
}

/* Interrupts off; CR4.VMXE clear: enter VMX root operation and keep it. */
static int vmx_root_take(struct vmx_root *root)
{
	cr4_set_bits(X86_CR4_VMXE);
	if (vmx_vmxon(page_to_phys(root->vmxon))) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EIO;
	}
	root->holding = true;
	root->gen++;
	root->current_vmx = NULL;
	return 0;
}

/* Runs on the CPU the VMCS is active on, interrupts off. */
static void vmx_vmclear_local(void *arg)
{
	struct vmx_vcpu *vmx = arg;
	struct vmx_root *root = this_cpu_ptr(&vmx_root);

	if (vmx->cpu != smp_processor_id())
		return;
	if (root->current_vmx == vmx)
		root->current_vmx = NULL;
	WARN_ON_ONCE(vmx_vmclear_pa(vmx->vmcs_pa));
	list_del_init(&vmx->loaded_link);
	vmx->launched = false;
	/* After the list_del: vmx_vcpu_get() may now load it elsewhere. */
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
}

/*
 * Deactivate the VMCS on whatever CPU holds it, so its state is in memory
 * (SDM Vol. 3C 25.11.1 "Software Use of Virtual-Machine Control
 * Structures": a VMCS must be cleared before it moves to another CPU).
 */
void vmx_vmclear(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vmclear_local, vmx, 1);
}

/* SDM Vol. 3C 24.7 "Enabling and Entering VMX Operation". */
int vmx_hw_enable_cpu(void)
{
	struct vmx_root *root = this_cpu_ptr(&vmx_root);
	int cpu = smp_processor_id();
	unsigned long flags;
	u64 feat;
	int r = 0;

	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("vireo: VT-x is disabled by the firmware on CPU %d\n",
		       cpu);
		return -EOPNOTSUPP;
	}
	root->vmxon = vireo_alloc_page();
	if (!root->vmxon)
		return -ENOMEM;
	*(u32 *)page_address(root->vmxon) = vmx_config.revision_id;
	INIT_LIST_HEAD(&root->loaded);
	root->last_vmx = NULL;
	local_irq_save(flags);
	/* Another hypervisor's VMX operation is borrowed, not refused. */
	if (!(__read_cr4() & X86_CR4_VMXE))
		r = vmx_root_take(root);
	local_irq_restore(flags);
	/* What a user whose KVM then fails with EBUSY needs to know. */
	if (!r && root->holding)
		pr_info_once("vireo: VT-x is held while Vireo has VMs: KVM cannot start one meanwhile (load kvm_intel first to share, see docs/coexistence.md)\n");
	if (r) {
		pr_err("vireo: VMXON failed on CPU %d\n", cpu);
		vireo_free_page(root->vmxon);
		root->vmxon = NULL;
	}
	return r;
}

/*
 * Leave VMX operation if Vireo entered it, every VMCS active here cleared
 * first (25.11.1); the next vmx_vcpu_get() here enters it again if it is
 * free.  Interrupts off.
 */
void vmx_hw_suspend_cpu(void)
{
	struct vmx_root *root = this_cpu_ptr(&vmx_root);
	struct vmx_vcpu *vmx, *tmp;

	root->held_before = root->holding;
	if (!root->holding)
		return;
	list_for_each_entry_safe(vmx, tmp, &root->loaded, loaded_link)
		vmx_vmclear_local(vmx);
	asm volatile("vmxoff" ::: "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
	root->holding = false;
}

/* Host resume, interrupts off: hold again what was held at suspend. */
void vmx_hw_resume_cpu(void)
{
	struct vmx_root *root = this_cpu_ptr(&vmx_root);

	if (!root->held_before || !root->vmxon)
		return;
	root->held_before = false;
	if (!(__read_cr4() & X86_CR4_VMXE))
		WARN_ON_ONCE(vmx_root_take(root));
}

void vmx_hw_disable_cpu(void)
{
	struct vmx_root *root = this_cpu_ptr(&vmx_root);
	unsigned long flags;

	if (!root->vmxon)
		return;
	local_irq_save(flags);
	vmx_hw_suspend_cpu();
	root->last_vmx = NULL;
	local_irq_restore(flags);
	vireo_free_page(root->vmxon);
	root->vmxon = NULL;
}

/*
 * A VMCS other than the last one run here belongs to another vCPU, maybe
 * another guest: IBPB, so that the branch predictions its guest trained
 * do not steer this one (KVM's vmx_vcpu_load_vmcs()).  The host state that
 * is per CPU goes into the VMCS when it comes to a CPU, or when Vireo
 * entered VMX operation there again; the TLB is flushed then too, and
 * after the thread left the CPU while another hypervisor may have run.
 */
static void vmx_vcpu_arrive(struct vmx_vcpu *vmx, struct vmx_root *root,
			    int cpu)
{
	if (!vireo_vcpu_stayed(&vmx->vcpu, cpu) && !root->holding) {
		/* Another hypervisor's guest may have run here since. */
		vmx->tlb_gen = ~0ULL;
		root->last_vmx = NULL;
	}
	if (root->last_vmx != vmx) {
		root->last_vmx = vmx;
		indirect_branch_prediction_barrier();
	}
	if (vmx->host_cpu != cpu || vmx->host_gen != root->gen) {
		vmcs_setup_host_per_cpu(vmx, cpu);
		vmx->host_cpu = cpu;
		vmx->host_gen = root->gen;
		vmx->tlb_gen = ~0ULL;
	}
	if (!root->holding)
		root->foreign = true;
}

/* Held: make the VMCS active and current here. */
static void vmx_vcpu_get_held(struct vmx_vcpu *vmx, struct vmx_root *root,
			      int cpu)
{
	if (vmx->cpu != cpu) {
		local_irq_disable();
		if (!vmx->initialized) {
			WARN_ON_ONCE(vmx_vmclear_pa(vmx->vmcs_pa));
			vmx->initialized = true;
		}
		list_add(&vmx->loaded_link, &root->loaded);
		vmx->cpu = cpu;
		local_irq_enable();
	}
	if (root->current_vmx != vmx) {
		WARN_ON_ONCE(vmx_vmptrld_pa(vmx->vmcs_pa));
		root->current_vmx = vmx;
	}
	vmx_vcpu_arrive(vmx, root, cpu);
}

/*
 * Borrowed or transient, interrupts off until vmx_vcpu_put().  Transient:
 * VMXON with the region and the checks that worked in vmx_hw_enable_cpu()
 * does not fail; if it did, the VMX instructions that follow would fault,
 * as KVM's do after a failed VMXON.
 */
static void vmx_vcpu_get_shared(struct vmx_vcpu *vmx, struct vmx_root *root,
				int cpu)
{
	if (vmx_in_vmx_operation()) {
		root->owner_vmcs = vmx_vmptrst();
	} else {
		vmx->vmxe_was_set = __read_cr4() & X86_CR4_VMXE;
		if (!vmx->vmxe_was_set)
			cr4_set_bits(X86_CR4_VMXE);
		WARN_ON_ONCE(vmx_vmxon(page_to_phys(root->vmxon)));
		vmx->transient = true;
		root->owner_vmcs = VMCS_NONE;
	}
	if (!vmx->initialized) {
		WARN_ON_ONCE(vmx_vmclear_pa(vmx->vmcs_pa));
		vmx->initialized = true;
	}
	WARN_ON_ONCE(vmx_vmptrld_pa(vmx->vmcs_pa));
	vmx->borrowed = true;
	vmx_vcpu_arrive(vmx, root, cpu);
}

/*
 * Make the vCPU's VMCS current on this CPU and keep it there (preemption
 * off, and interrupts too when the CPU is shared) until vmx_vcpu_put().
 */
void vmx_vcpu_get(struct vmx_vcpu *vmx)
{
	struct vmx_root *root;
	unsigned long flags;
	int cpu;

	for (;;) {
		cpu = get_cpu();
		if (vmx->cpu < 0 || vmx->cpu == cpu)
			break;
		put_cpu();
		vmx_vmclear(vmx);
	}
	root = this_cpu_ptr(&vmx_root);
	if (root->holding) {
		vmx_vcpu_get_held(vmx, root, cpu);
		return;
	}
	local_irq_save(flags);
	vmx->irq_flags = flags;
	vmx_vcpu_get_shared(vmx, root, cpu);
}

void vmx_vcpu_put(struct vmx_vcpu *vmx)
{
	struct vmx_root *root = this_cpu_ptr(&vmx_root);

	if (vmx->borrowed) {
		vmx->borrowed = false;
		WARN_ON_ONCE(vmx_vmclear_pa(vmx->vmcs_pa));
		vmx->launched = false;
		if (root->owner_vmcs != VMCS_NONE)
			WARN_ON_ONCE(vmx_vmptrld_pa(root->owner_vmcs));
		if (vmx->transient) {
			vmx->transient = false;
			asm volatile("vmxoff" ::: "cc", "memory");
			if (!vmx->vmxe_was_set)
				cr4_clear_bits(X86_CR4_VMXE);
		}
		local_irq_restore(vmx->irq_flags);
	}
	put_cpu();
}

/*
 * The vCPU's thread may leave this CPU (preemption off): after Vireo's
 * guests ran on a CPU it shares, an IBPB, so that what they trained does
 * not steer the other hypervisor's (which does one only between its own).
 */
void vmx_root_leave_cpu(void)
{
	struct vmx_root *root = this_cpu_ptr(&vmx_root);

	if (!root->foreign)
		return;
	root->foreign = false;
	root->last_vmx = NULL;
	indirect_branch_prediction_barrier();
}
