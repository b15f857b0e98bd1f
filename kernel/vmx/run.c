// SPDX-License-Identifier: GPL-2.0
/*
 * The VT-x world switch.  A VM exit loads the host state the VMCS holds and
 * leaves the rest as the guest had it (SDM Vol. 3C 28.5 "Loading Host
 * State"), so this file saves and restores around each entry what Linux
 * needs back: the DS/ES/FS/GS selectors, LDTR, the GDT and IDT limits (an
 * exit sets both to 0xFFFF), the TR limit (0x67), KernelGSBase (the guest's
 * SWAPGS swaps it), CR2 and the host's breakpoints.  The FPU, XCR0, PKRU
 * and DR0-DR3 and DR6 are the core's (guest_fpu.c, debugreg.c); DR7 is
 * in the VMCS.
 *
 * The guest's SYSCALL MSRs too: its SYSCALL reads STAR, LSTAR and SFMASK
 * from the CPU without an exit, so they hold the guest's values while it
 * runs, and the host's again before interrupts come back on, or the host's
 * next system call would enter the guest's LSTAR.  CSTAR stays in the vCPU
 * alone: Intel CPUs have no SYSCALL in compatibility mode (SDM Vol. 2B
 * "SYSCALL"), so nothing reads it.  As simple as it gets: three WRMSRs
 * each way per entry; KVM defers the restore to the return to userspace.
 */
#include <asm/apic.h>
#include <asm/hardirq.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/nmi.h>
#include <asm/perf_event.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/vmx.h>

#include "vmx.h"

struct vmx_host_state {
	u16 ds, es, fs, gs, ldt;
	u64 fs_base, kernel_gs_base;
	u64 star, lstar, sfmask;
	struct desc_ptr idt;
};

struct invept_desc {
	u64 eptp;
	u64 reserved;
};

struct invvpid_desc {
	u64 vpid;
	u64 gla;
};

/*
 * L1TF (CVE-2018-3646): a guest's EPT entries can make the CPU read,
 * speculatively, whatever the L1D cache holds, host data included; flush
 * it before an entry.  As KVM's vmx_setup_l1d_flush() decides: with
 * l1tf=flush (the default) only when the host may have touched sensitive
 * data since the last entry ("cond": an interrupt or softirq on this CPU,
 * which the kernel records in irq_stat for KVM; the VM process or another
 * task running, vcpu->host_ran; an exit handled by more than a short
 * table lookup), with l1tf=full before every entry.  The MSR when
 * microcode has it (IA32_FLUSH_CMD), else KVM's software sequence over
 * 64 KiB of our own.  The SMT half of L1TF needs SMT off, as with KVM.
 */
#define L1D_CACHE_ORDER	4
static DEFINE_STATIC_KEY_FALSE(vmx_l1d_should_flush);
static DEFINE_STATIC_KEY_FALSE(vmx_l1d_flush_cond);
static void *vmx_l1d_flush_pages;

int vmx_l1d_flush_init(void)
{
	u64 cap;
	int i;

	if (!boot_cpu_has_bug(X86_BUG_L1TF) ||
	    l1tf_mitigation == L1TF_MITIGATION_OFF)
		return 0;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES) &&
	    !rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &cap) &&
	    (cap & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH))
		return 0;
	if (!boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		struct page *page = alloc_pages(GFP_KERNEL, L1D_CACHE_ORDER);

		if (!page)
			return -ENOMEM;
		vmx_l1d_flush_pages = page_address(page);
		/* Distinct contents: no merging by KSM under a hypervisor. */
		for (i = 0; i < 1 << L1D_CACHE_ORDER; i++)
			memset(vmx_l1d_flush_pages + i * PAGE_SIZE, i + 1,
			       PAGE_SIZE);
	}
#if IS_ENABLED(CONFIG_KVM_INTEL)
	if (l1tf_mitigation == L1TF_MITIGATION_FLUSH_NOWARN ||
	    l1tf_mitigation == L1TF_MITIGATION_FLUSH ||
	    l1tf_mitigation == L1TF_MITIGATION_FLUSH_NOSMT)
		static_branch_enable(&vmx_l1d_flush_cond);
#endif
	static_branch_enable(&vmx_l1d_should_flush);
	return 0;
}

void vmx_l1d_flush_exit(void)
{
	static_branch_disable(&vmx_l1d_should_flush);
	static_branch_disable(&vmx_l1d_flush_cond);
	if (vmx_l1d_flush_pages)
		free_pages((unsigned long)vmx_l1d_flush_pages, L1D_CACHE_ORDER);
	vmx_l1d_flush_pages = NULL;
}

/* "cond": did the host do anything since the last entry? Clears it all. */
static bool vmx_l1d_flush_needed(struct vmx_vcpu *vmx)
{
	bool flush = vmx->l1d_flush || vmx->vcpu.host_ran;

	vmx->l1d_flush = false;
	vmx->vcpu.host_ran = false;
#if IS_ENABLED(CONFIG_KVM_INTEL)
	flush |= kvm_get_cpu_l1tf_flush_l1d();
	kvm_clear_cpu_l1tf_flush_l1d();
#else
	flush = true;
#endif
	return flush;
}

static void vmx_l1d_flush(struct vmx_vcpu *vmx)
{
	int size = PAGE_SIZE << L1D_CACHE_ORDER;

	if (static_branch_likely(&vmx_l1d_flush_cond) &&
	    !vmx_l1d_flush_needed(vmx))
		return;
	if (static_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	/* KVM's vmx_l1d_flush(): the pages into the TLB, then the cache. */
	asm volatile("xorl	%%eax, %%eax\n"
		     "1:	movzbl	(%[pages], %%rax), %%ecx\n\t"
		     "addl	$4096, %%eax\n\t"
		     "cmpl	%%eax, %[size]\n\t"
		     "jne	1b\n\t"
		     "xorl	%%eax, %%eax\n\t"
		     "cpuid\n\t"
		     "xorl	%%eax, %%eax\n"
		     "2:	movzbl	(%[pages], %%rax), %%ecx\n\t"
		     "addl	$64, %%eax\n\t"
		     "cmpl	%%eax, %[size]\n\t"
		     "jne	2b\n\t"
		     "lfence\n"
		     : : [pages] "r" (vmx_l1d_flush_pages), [size] "r" (size)
		     : "eax", "ebx", "ecx", "edx", "memory");
}

/*
 * The host's performance counters while the guest runs: perf says which
 * MSRs must differ (PERF_GLOBAL_CTRL without host-only counters; PEBS off
 * where the CPU does not isolate it, since PEBS would write its records
 * through the guest's page tables).  As KVM's atomic_switch_perf_msrs(),
 * they go in the VM-entry and VM-exit MSR-load lists, so that the CPU
 * switches them with the entry itself: a host PMI just before the entry
 * cannot put the host's values back for the guest.  data = NULL: no
 * guest PMU.  VMCS current, interrupts off.
 */
static void vmx_perf_lists(struct vmx_vcpu *vmx)
{
	struct vmx_msr_entry *guest = vmx->msr_lists;
	struct vmx_msr_entry *host = vmx->msr_lists + VMX_MSR_LIST_MAX;
	struct perf_guest_switch_msr *m = NULL;
	int i, nr = 0, n = 0;

	if (boot_cpu_has(X86_FEATURE_ARCH_PERFMON))
		m = perf_guest_get_msrs(&nr, NULL);
	for (i = 0; m && i < nr && n < VMX_MSR_LIST_MAX; i++) {
		if (m[i].host == m[i].guest)
			continue;
		guest[n] = (struct vmx_msr_entry){ m[i].msr, 0, m[i].guest };
		host[n] = (struct vmx_msr_entry){ m[i].msr, 0, m[i].host };
		n++;
	}
	if (n != vmx->msr_list_count) {
		vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, n);
		vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, n);
		vmx->msr_list_count = n;
	}
}

/* SDM Vol. 3C 29.4.3 "Guidelines for Use of the INVVPID/INVEPT". */
void vmx_flush_tlb(struct vmx_vcpu *vmx)
{
	struct invept_desc ept = { vmx_eptp(vmx->vcpu.vm), 0 };
	struct invvpid_desc vpid = { vmx->vpid, 0 };
	unsigned long type;

	type = vmx_config.invept_single ? VMX_EPT_EXTENT_CONTEXT :
					  VMX_EPT_EXTENT_GLOBAL;
	asm volatile("invept %0, %1" : : "m" (ept), "r" (type) : "cc", "memory");
	if (!vmx->vpid)
		return;
	type = vmx_config.invvpid_single ? VMX_VPID_EXTENT_SINGLE_CONTEXT :
					   VMX_VPID_EXTENT_ALL_CONTEXT;
	asm volatile("invvpid %0, %1" : : "m" (vpid), "r" (type) : "cc", "memory");
}

static void vmx_save_host(struct vmx_vcpu *vmx, struct vmx_host_state *h)
{
	unsigned long cr3 = __native_read_cr3(), cr4 = native_read_cr4();

	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	store_ldt(h->ldt);
	store_idt(&h->idt);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	/* CR3 changes with the process (PCID), CR4 with the CPU. */
	if (cr3 != vmx->host_cr3) {
		vmcs_writel(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (cr4 != vmx->host_cr4) {
		vmcs_writel(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
	vmcs_writel(HOST_FS_BASE, h->fs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->guest_kernel_gs_base);
	rdmsrl(MSR_STAR, h->star);
	rdmsrl(MSR_LSTAR, h->lstar);
	rdmsrl(MSR_SYSCALL_MASK, h->sfmask);
	wrmsrl(MSR_STAR, vmx->guest_star);
	wrmsrl(MSR_LSTAR, vmx->guest_lstar);
	wrmsrl(MSR_SYSCALL_MASK, vmx->guest_sfmask);
}

static void vmx_restore_host(struct vmx_vcpu *vmx, struct vmx_host_state *h)
{
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->guest_kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	wrmsrl(MSR_STAR, h->star);
	wrmsrl(MSR_LSTAR, h->lstar);
	wrmsrl(MSR_SYSCALL_MASK, h->sfmask);
	if (h->ds | h->es) {
		loadsegment(ds, h->ds);
		loadsegment(es, h->es);
	}
	/* Loading a selector reloads the base from the descriptor. */
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	WARN_ON_ONCE(h->gs);	/* 64-bit processes have no GS selector */
	if (h->ldt)
		asm volatile("lldt %0" : : "rm" (h->ldt));
	load_fixmap_gdt(smp_processor_id());
	native_load_idt(&h->idt);
	invalidate_tss_limit();
}

static void vmx_read_exit(struct vmx_vcpu *vmx, bool vmfail)
{
	struct vmx_exit *e = &vmx->exit;

	e->vmfail = vmfail;
	if (vmfail) {
		e->insn_error = vmcs_read32(VM_INSTRUCTION_ERROR);
		return;
	}
	e->reason = vmcs_read32(VM_EXIT_REASON);
	e->qualification = vmcs_readl(EXIT_QUALIFICATION);
	e->intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
	e->intr_error = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
	e->idt_info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	e->idt_error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	e->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	e->insn_info = vmcs_read32(VMX_INSTRUCTION_INFO);
	e->gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	vmx->vcpu.regs[VIREO_REG_RSP] = vmcs_readl(GUEST_RSP);
	vmx->vcpu.rip = vmcs_readl(GUEST_RIP);
	vmx->vcpu.rflags = vmcs_readl(GUEST_RFLAGS);
}

/*
 * An exit taken while delivering an event leaves it in the IDT-vectoring
 * field; inject it again or the guest loses it (SDM Vol. 3C 28.2.4).
 * Software interrupts and exceptions re-execute their instruction instead.
 */
static void vmx_requeue_event(struct vmx_vcpu *vmx)
{
	u32 info = vmx->exit.idt_info;
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (vmx->exit.vmfail || !(info & INTR_INFO_VALID_MASK) ||
	    type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		return;
	/*
	 * No error code in real mode: VM entry refuses one there as an
	 * invalid control field (SDM Vol. 3C 27.2.1.3), and Bochs reports
	 * a #GP being delivered in real mode with its error-code bit set.
	 */
	if (!(vmcs_readl(GUEST_CR0) & X86_CR0_PE))
		info &= ~INTR_INFO_DELIVER_CODE_MASK;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_UNBLOCK_NMI);
	vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, vmx->exit.idt_error);
}

/* A machine check during guest execution or VM entry (SDM Vol. 3C 27.8). */
static bool vmx_exit_is_mc(struct vmx_vcpu *vmx)
{
	u32 info = vmx->exit.intr_info;
	u16 basic = vmx->exit.reason;

	if (vmx->exit.vmfail)
		return false;
	if (basic == EXIT_REASON_MCE_DURING_VMENTRY)
		return true;
	return basic == EXIT_REASON_EXCEPTION_NMI &&
	       (info & INTR_INFO_VALID_MASK) &&
	       (info & INTR_INFO_VECTOR_MASK) == 18 &&
	       (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION;
}

static bool vmx_exit_is_nmi(struct vmx_vcpu *vmx)
{
	u32 info = vmx->exit.intr_info;

	return !vmx->exit.vmfail &&
	       vmx->exit.reason == EXIT_REASON_EXCEPTION_NMI &&
	       (info & INTR_INFO_VALID_MASK) &&
	       (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR;
}

/* Interrupts are off; the VMCS is current. */
static bool vmx_enter(struct vmx_vcpu *vmx)
{
	struct vireo_vcpu *vcpu = &vmx->vcpu;
	struct vmx_host_state h;
	unsigned long debugctl = get_debugctlmsr();
	u64 tlb_gen = READ_ONCE(vcpu->vm->tlb_gen);

	u64 tsc_offset = READ_ONCE(vcpu->vm->tsc_offset);
	int vmfail;

	if (vmx->tlb_gen != tlb_gen) {
		vmx_flush_tlb(vmx);
		vmx->tlb_gen = tlb_gen;
	}
	/* Moved while guest time was stopped (guest_time.c). */
	if (vmx->tsc_offset != tsc_offset) {
		vmcs_write64(TSC_OFFSET, tsc_offset);
		vmx->tsc_offset = tsc_offset;
	}
	if (vmx_config.preemption_ticks)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE,
			     vmx_config.preemption_ticks);
	vmcs_writel(GUEST_RSP, vcpu->regs[VIREO_REG_RSP]);
	vmcs_writel(GUEST_RIP, vcpu->rip);
	vmcs_writel(GUEST_RFLAGS, vcpu->rflags);
	vmx_save_host(vmx, &h);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	vireo_xstate_load(vcpu);
	vireo_debugreg_load(vcpu, vmcs_readl(GUEST_DR7), true);
	vmx_perf_lists(vmx);
	/* Last, so that nothing the host does after it refills L1D. */
	if (static_branch_unlikely(&vmx_l1d_should_flush))
		vmx_l1d_flush(vmx);

	vmfail = vmx_vmenter(vcpu->regs, vmx->launched);

	vireo_xstate_put(vcpu);
	/*
	 * A VM exit clears IA32_DEBUGCTL (SDM Vol. 3C 28.5.1): put the
	 * host's LBR, BTF and bus-lock detection back, as KVM does.
	 */
	if (debugctl)
		update_debugctlmsr(debugctl);
	vmx->cr2 = native_read_cr2();
	vmx_restore_host(vmx, &h);
	if (vireo_debugreg_put(vcpu, true))
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
			     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) |
			     CPU_BASED_MOV_DR_EXITING);
	vmx_read_exit(vmx, vmfail);
	if (vmx_exit_is_mc(vmx))
		vireo_machine_check();
	/* Only an entry that reached the guest launches the VMCS (27.8). */
	if (!vmfail && !(vmx->exit.reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		vmx->launched = true;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmx->vcpu.delivering_event = !vmfail &&
				     (vmx->exit.idt_info & INTR_INFO_VALID_MASK);
	vmx_requeue_event(vmx);
	return vmx_exit_is_nmi(vmx);
}

/*
 * With NMI exiting the NMI that caused the exit was consumed by it; hand
 * it back to the host by sending one to this CPU (SDM Vol. 3C 26.2).
 */
static void vmx_reflect_nmi(void)
{
	apic->send_IPI_self(NMI_VECTOR);
}

/*
 * Exits whose handling is a short lookup in the vCPU's own state (KVM's
 * fast paths): they leave no host data in L1D worth a flush.  Anything
 * else (nested page faults, MMIO emulation, port I/O, machine checks, the
 * unexpected) asks for one before the next entry.
 */
static bool vmx_exit_is_light(struct vmx_vcpu *vmx)
{
	if (vmx->exit.vmfail)
		return false;
	switch ((u16)vmx->exit.reason) {
	case EXIT_REASON_CPUID:
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
	case EXIT_REASON_XSETBV:
	case EXIT_REASON_DR_ACCESS:
	case EXIT_REASON_CR_ACCESS:
	case EXIT_REASON_HLT:
	case EXIT_REASON_INTERRUPT_WINDOW:
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
	case EXIT_REASON_INVD:
	case EXIT_REASON_WBINVD:
	case EXIT_REASON_RDPMC:
		return true;
	}
	return false;
}

int vmx_vcpu_run_once(struct vireo_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 pdpte[4] = { 0 };
	unsigned long flags;
	u64 exit_rip;
	bool nmi;
	int r;

	if (vmx->pdptrs_dirty &&
	    vireo_read_gpa(vcpu->vm, vmx->pdptrs_cr3 & 0xffffffe0, pdpte,
			   sizeof(pdpte)))
		memset(pdpte, 0, sizeof(pdpte));

	vmx_vcpu_get(vmx);
	if (vmx->pdptrs_dirty) {
		vmcs_write_pdptrs(pdpte);
		vmx->pdptrs_dirty = false;
	}
	vireo_fpu_load(vcpu);
	/* Already off when VMX operation is borrowed (root.c). */
	local_irq_save(flags);
	if (!vireo_guest_enter(vcpu)) {
		/* Kicked: back to the run loop, which looks at events. */
		local_irq_restore(flags);
		vireo_fpu_put(vcpu);
		vmx_vcpu_put(vmx);
		return 1;
	}
	nmi = vmx_enter(vmx);
	vireo_guest_exit(vcpu);
	if (nmi)
		vmx_reflect_nmi();
	local_irq_restore(flags);
	vireo_fpu_put(vcpu);
	vmx_vcpu_put(vmx);
	exit_rip = vcpu->rip;
	r = vmx_handle_exit(vmx);
	vmx->l1d_flush = !vmx_exit_is_light(vmx);
	/*
	 * An instruction we completed for the guest (HLT, OUT, ...) ends
	 * the STI or MOV SS shadow it may have been in (SDM Vol. 3A 6.8.3).
	 */
	if (vcpu->rip != exit_rip) {
		u32 intr;

		vmx_vcpu_get(vmx);
		intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		       ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
		/* ... unless it loaded SS itself (the emulator's MOV SS). */
		if (vcpu->mov_ss_shadow)
			intr |= GUEST_INTR_STATE_MOV_SS;
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr);
		vmx_vcpu_put(vmx);
	}
	vcpu->mov_ss_shadow = false;
	return r;
}
