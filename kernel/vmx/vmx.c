// SPDX-License-Identifier: GPL-2.0
/*
 * The VT-x backend: detection and the controls chosen from the capability
 * MSRs, VMXON per CPU, the vCPU life cycle, and which CPU a VMCS is active
 * on.  The world switch is in run.c, VMCS contents in vmcs.c, exit
 * handlers in exits.c.
 */
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/mtrr.h>
#include <asm/nospec-branch.h>
#include <asm/tlbflush.h>

#include "vmx.h"

struct vmx_config vmx_config;

static DEFINE_IDA(vmx_vpids);

void vmcs_access_error(unsigned long field, bool write)
{
	pr_err_ratelimited("vireo: VM%s of VMCS field %#lx failed\n",
			   write ? "WRITE" : "READ", field);
	WARN_ON_ONCE(1);
}

u64 vmx_eptp(struct vireo_vm *vm)
{
	/* Write-back tables walked in four levels (SDM Vol. 3C 25.6.11). */
	return vm->npt.root_pa | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
}

static int vmx_vcpu_create(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct page *page, *lists;
	int vpid = 0;

	if (vmx_config.vpid) {
		vpid = ida_alloc_range(&vmx_vpids, 1, 0xffff, GFP_KERNEL);
		if (vpid < 0)
			return vpid;
	}
	page = vireo_alloc_page();
	if (!page)
		goto err_free_vpid;
	lists = vireo_alloc_page();
	if (!lists)
		goto err_free_vmcs;
	vmx->msr_lists = page_address(lists);
	vmx->vpid = vpid;
	vmx->vmcs = page_address(page);
	vmx->vmcs_pa = page_to_phys(page);
	*(u32 *)vmx->vmcs = vmx_config.revision_id;
	vmx->cpu = -1;
	vmx->host_cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);

	vmx_vcpu_get(vmx);
	vmcs_setup_controls(vmx);
	vmx_vcpu_put(vmx);
	return 0;

err_free_vmcs:
	vireo_free_page(page);
err_free_vpid:
	if (vpid)
		ida_free(&vmx_vpids, vpid);
	return -ENOMEM;
}

static void vmx_vcpu_free(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vmclear(vmx);
	vireo_free_page(virt_to_page(vmx->vmcs));
	vireo_free_page(virt_to_page(vmx->msr_lists));
	if (vmx->vpid)
		ida_free(&vmx_vpids, vmx->vpid);
}

/*
 * The thread may leave the CPU.  On a CPU Vireo does not hold,
 * vmx_vcpu_put() already cleared the VMCS and gave the current-VMCS
 * pointer back; what is left is an IBPB (root.c).
 */
static void vmx_vcpu_leave_cpu(struct vireo_vcpu *vcpu)
{
	vmx_root_leave_cpu();
}

static u32 vmx_vcpu_tlb_tag(struct vireo_vcpu *vcpu)
{
	return to_vmx(vcpu)->vpid;
}

static void vmx_vcpu_reset(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vcpu_get(vmx);
	vmcs_reset_guest(vmx);
	vmx_vcpu_put(vmx);
	vmx->guest_kernel_gs_base = 0;
	vmx->guest_star = 0;
	vmx->guest_lstar = 0;
	vmx->guest_cstar = 0;
	vmx->guest_sfmask = 0;
	vmx->cr2 = 0;
}

static u64 vmx_get_cr4(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 cr4;

	vmx_vcpu_get(vmx);
	cr4 = vmcs_get_cr4();
	vmx_vcpu_put(vmx);
	return cr4;
}

static void vmx_get_sregs(struct vireo_vcpu *vcpu, struct vireo_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vcpu_get(vmx);
	vmcs_get_sregs(vmx, s);
	vmx_vcpu_put(vmx);
	s->cr2 = vmx->cr2;
}

static void vmx_set_segs(struct vireo_vcpu *vcpu, const struct vireo_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vcpu_get(vmx);
	vmcs_set_segs(s);
	vmx_vcpu_put(vmx);
}

static int vmx_set_sregs(struct vireo_vcpu *vcpu, const struct vireo_sregs *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vcpu_get(vmx);
	vmcs_set_sregs(vmx, s);
	vmx_vcpu_put(vmx);
	vmx->cr2 = s->cr2;
	return 0;
}

/* MSRs kept in the vCPU and switched by hand around entry (run.c). */
static u64 *vmx_msr_slot(struct vmx_vcpu *vmx, u32 msr)
{
	switch (msr) {
	case MSR_STAR:
		return &vmx->guest_star;
	case MSR_LSTAR:
		return &vmx->guest_lstar;
	case MSR_CSTAR:
		return &vmx->guest_cstar;
	case MSR_SYSCALL_MASK:
		return &vmx->guest_sfmask;
	case MSR_KERNEL_GS_BASE:
		return &vmx->guest_kernel_gs_base;
	}
	return NULL;
}

/* MSRs in VMCS guest-state fields, loaded by VM entry (SDM Vol. 3C 25.4.1). */
static unsigned long vmx_msr_field(u32 msr)
{
	switch (msr) {
	case MSR_EFER:
		return GUEST_IA32_EFER;
	case MSR_FS_BASE:
		return GUEST_FS_BASE;
	case MSR_GS_BASE:
		return GUEST_GS_BASE;
	case MSR_IA32_SYSENTER_CS:
		return GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return GUEST_SYSENTER_EIP;
	case MSR_IA32_CR_PAT:
		return GUEST_IA32_PAT;
	}
	return 0;
}

static int vmx_get_msr(struct vireo_vcpu *vcpu, u32 msr, u64 *val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long field = vmx_msr_field(msr);
	u64 *slot = vmx_msr_slot(vmx, msr);

	if (slot) {
		*val = *slot;
		return 0;
	}
	if (!field)
		return -ENOENT;
	vmx_vcpu_get(vmx);
	*val = __vmcs_read(field);
	vmx_vcpu_put(vmx);
	return 0;
}

/* msr.c has checked the value: canonical addresses, no reserved bits. */
static int vmx_set_msr(struct vireo_vcpu *vcpu, u32 msr, u64 val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long field = vmx_msr_field(msr);
	u64 *slot = vmx_msr_slot(vmx, msr);

	if (slot) {
		*slot = val;
		return 0;
	}
	if (!field)
		return -ENOENT;
	if (msr == MSR_EFER &&
	    (val & ~(u64)VIREO_EFER_ALLOWED))
		return -EINVAL;
	vmx_vcpu_get(vmx);
	if (msr == MSR_EFER)
		vmcs_set_efer(vmx, val);
	else
		__vmcs_write(field, val);
	vmx_vcpu_put(vmx);
	return 0;
}

static void vmx_inject_exception(struct vireo_vcpu *vcpu,
				 const struct vireo_exception *e)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = e->vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	vmx_vcpu_get(vmx);
	/* No error code in real mode (SDM Vol. 3C 27.2.1.3). */
	if (e->has_error && (vmcs_readl(GUEST_CR0) & X86_CR0_PE))
		info |= INTR_INFO_DELIVER_CODE_MASK;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, e->error);
	vmx_vcpu_put(vmx);
	if (e->vector == 14)
		vmx->cr2 = e->cr2;
}

/* Is an event already queued for the next VM entry? VMCS current. */
static bool vmx_entry_event_queued(void)
{
	return vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK;
}

static bool vmx_interrupt_allowed(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	bool ok;

	if (!(vcpu->rflags & X86_EFLAGS_IF))
		return false;
	vmx_vcpu_get(vmx);
	ok = !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	       (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) &&
	     !vmx_entry_event_queued();
	vmx_vcpu_put(vmx);
	return ok;
}

static void vmx_inject_irq(struct vireo_vcpu *vcpu, u8 vector)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vcpu_get(vmx);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, vector | INTR_TYPE_EXT_INTR |
		     INTR_INFO_VALID_MASK);
	vmx_vcpu_put(vmx);
}

/*
 * Nothing to arm: MOV to CR8 exits here (no TPR shadow, caps.c), and the
 * run loop looks again after every exit.
 */
static void vmx_enable_tpr_window(struct vireo_vcpu *vcpu, u8 class)
{
}

/* SDM Vol. 3C 26.7.5: exit as soon as the guest can take an interrupt. */
static void vmx_enable_irq_window(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vcpu_get(vmx);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) |
		     CPU_BASED_INTR_WINDOW_EXITING);
	vmx_vcpu_put(vmx);
}

/*
 * With virtual NMIs the CPU blocks NMIs from an injected one until the
 * guest's IRET, and shows it in the interruptibility state (SDM Vol. 3C
 * 25.3, 26.3).
 */
static bool vmx_nmi_allowed(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	bool ok;

	vmx_vcpu_get(vmx);
	ok = !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	       (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS |
		GUEST_INTR_STATE_NMI)) && !vmx_entry_event_queued();
	vmx_vcpu_put(vmx);
	return ok;
}

static void vmx_inject_nmi(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vcpu_get(vmx);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 2 | INTR_TYPE_NMI_INTR |
		     INTR_INFO_VALID_MASK);
	vmx_vcpu_put(vmx);
}

static const struct vireo_backend_ops vmx_ops = {
	.hw_enable_cpu		= vmx_hw_enable_cpu,
	.hw_disable_cpu		= vmx_hw_disable_cpu,
	.hw_suspend_cpu		= vmx_hw_suspend_cpu,
	.hw_resume_cpu		= vmx_hw_resume_cpu,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_free		= vmx_vcpu_free,
	.vcpu_tlb_tag		= vmx_vcpu_tlb_tag,
	.vcpu_reset		= vmx_vcpu_reset,
	.vcpu_run_once		= vmx_vcpu_run_once,
	.vcpu_leave_cpu		= vmx_vcpu_leave_cpu,
	.get_cr4		= vmx_get_cr4,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.set_segs		= vmx_set_segs,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.inject_exception	= vmx_inject_exception,
	.interrupt_allowed	= vmx_interrupt_allowed,
	.inject_irq		= vmx_inject_irq,
	.enable_irq_window	= vmx_enable_irq_window,
	.enable_tpr_window	= vmx_enable_tpr_window,
	.nmi_allowed		= vmx_nmi_allowed,
	.inject_nmi		= vmx_inject_nmi,
};

/*
 * EPT entries: read/write/execute bits, write-back memory type in leaves
 * (SDM Vol. 3C 29.3.2 "EPT Translation Mechanism").
 */
static const struct npt_format vmx_ept_format = {
	.name		= "EPT",
	.table_bits	= VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK |
			  VMX_EPT_EXECUTABLE_MASK,
	.leaf_bits	= VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK |
			  (MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT),
	.write_bit	= VMX_EPT_WRITABLE_MASK,
	.present_mask	= VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK |
			  VMX_EPT_EXECUTABLE_MASK,
};

static void vmx_exit(void)
{
	vmx_l1d_flush_exit();
	ida_destroy(&vmx_vpids);
}

int vmx_probe(struct vireo_backend *b)
{
	u32 eax, ebx, ecx, edx;
	u64 feat;
	int r;

	/* Raw CPUID: Linux hides the flag when the firmware disabled VMX. */
	cpuid(1, &eax, &ebx, &ecx, &edx);
	if (!(ecx & BIT(5)))
		return -ENODEV;
	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("vireo: VT-x is disabled by the firmware (IA32_FEATURE_CONTROL = %#llx); enable Intel Virtualization Technology in the BIOS setup\n",
		       feat);
		return -EOPNOTSUPP;
	}
	r = vmx_setup_config(&vmx_config);
	if (r)
		return r;
	r = vmx_l1d_flush_init();
	if (r)
		return r;

	b->name = "VT-x";
	b->id = VIREO_BACKEND_VMX;
	b->vcpu_size = sizeof(struct vmx_vcpu);
	b->nr_tlb_tags = vmx_config.vpid ? 0xffff : 0;
	b->npt_format = &vmx_ept_format;
	b->ops = &vmx_ops;
	b->exit = vmx_exit;
	pr_info("vireo: VT-x with EPT and unrestricted guest, VPID %s\n",
		vmx_config.vpid ? "yes" : "no");
	return 0;
}
