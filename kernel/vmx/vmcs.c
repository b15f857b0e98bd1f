// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS plumbing: controls, host state, guest state and its conversion to
 * and from the uapi format.  Every function here runs with the VMCS
 * current on this CPU (between vmx_vcpu_get() and vmx_vcpu_put()).
 */
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/special_insns.h>

#include "vmx.h"

/*
 * CR0 and CR4 bits the host owns: the guest reads them from the shadows,
 * and a write that changes one exits (SDM Vol. 3C 25.6.6).  The guest owns
 * CR0.TS and CR0.WP (as under KVM with EPT) and CR4.PGE, which Linux
 * toggles to flush its TLB; everything else goes through vmcs_set_cr0/4().
 */
#define CR0_HOST_OWNED	(~(u64)(X86_CR0_TS | X86_CR0_WP))
#define CR4_HOST_OWNED	(~(u64)X86_CR4_PGE)

#define AR_UNUSABLE	BIT(16)

void vmcs_setup_controls(struct vmx_vcpu *vmx)
{
	struct desc_ptr idt;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, vmx_config.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmx_config.proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, vmx_config.proc2);
	vmcs_write32(VM_EXIT_CONTROLS, vmx_config.exit);
	vmcs_write32(VM_ENTRY_CONTROLS, vmx_config.entry);
	/*
	 * #DB and #AC exit so a guest cannot loop delivering them forever;
	 * #MC so that the host's handler sees a machine check (exits.c).
	 */
	vmcs_write32(EXCEPTION_BITMAP, BIT(1) | BIT(17) | BIT(18));
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write64(VM_ENTRY_MSR_LOAD_ADDR, __pa(vmx->msr_lists));
	vmcs_write64(VM_EXIT_MSR_LOAD_ADDR,
		     __pa(vmx->msr_lists + VMX_MSR_LIST_MAX));
	vmcs_write64(EPT_POINTER, vmx_eptp(vmx->vcpu.vm));
	if (vmx->vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_writel(CR0_GUEST_HOST_MASK, CR0_HOST_OWNED);
	vmcs_writel(CR4_GUEST_HOST_MASK, CR4_HOST_OWNED);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmx->tsc_offset = vmx->vcpu.vm->tsc_offset;
	vmcs_write64(TSC_OFFSET, vmx->tsc_offset);

	/* Host state that is the same on every CPU (SDM Vol. 3C 25.5). */
	vmcs_writel(HOST_CR0, native_read_cr0());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_RIP, (unsigned long)vmx_vmexit);
	vmcs_write64(HOST_IA32_EFER, __rdmsr(MSR_EFER));
	vmcs_write64(HOST_IA32_PAT, __rdmsr(MSR_IA32_CR_PAT));
	vmcs_write32(HOST_IA32_SYSENTER_CS, __rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_writel(HOST_IA32_SYSENTER_EIP, __rdmsr(MSR_IA32_SYSENTER_EIP));
	vmx->host_cr3 = 0;
	vmx->host_cr4 = 0;
}

/* Linux keeps a TSS, a GDT, a kernel GS base and a SYSENTER stack per CPU. */
void vmcs_setup_host_per_cpu(struct vmx_vcpu *vmx, int cpu)
{
	vmcs_writel(HOST_TR_BASE,
		    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	vmcs_writel(HOST_GS_BASE, __rdmsr(MSR_GS_BASE));
	vmcs_writel(HOST_IA32_SYSENTER_ESP, __rdmsr(MSR_IA32_SYSENTER_ESP));
}

struct vmcs_seg_fields {
	u32 selector, base, limit, ar;
};

#define SEG(s) { GUEST_##s##_SELECTOR, GUEST_##s##_BASE, GUEST_##s##_LIMIT, \
		 GUEST_##s##_AR_BYTES }

/* In the order of struct vireo_sregs: cs, ds, es, fs, gs, ss, tr, ldt. */
static const struct vmcs_seg_fields vmcs_segs[8] = {
	SEG(CS), SEG(DS), SEG(ES), SEG(FS), SEG(GS), SEG(SS), SEG(TR), SEG(LDTR),
};

static void vmcs_seg_get(int i, struct vireo_segment *s)
{
	const struct vmcs_seg_fields *f = &vmcs_segs[i];
	u32 ar = __vmcs_read(f->ar);

	s->selector = __vmcs_read(f->selector);
	s->base = __vmcs_read(f->base);
	s->limit = __vmcs_read(f->limit);
	s->unusable = !!(ar & AR_UNUSABLE);
	s->type = ar & 0xf;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
}

/* Access rights as SDM Vol. 3C 25.4.1 Table 25-2 lays them out. */
static void vmcs_seg_set(int i, const struct vireo_segment *s)
{
	const struct vmcs_seg_fields *f = &vmcs_segs[i];
	/*
	 * An unusable segment keeps its DPL: an unusable SS's is still the
	 * CPL (SDM Vol. 3C 25.4.1, "SS.DPL").
	 */
	u32 ar = AR_UNUSABLE | s->dpl << 5;

	if (!s->unusable)
		ar = s->type | s->s << 4 | s->dpl << 5 | s->present << 7 |
		     s->avl << 12 | s->l << 13 | s->db << 14 | s->g << 15;
	__vmcs_write(f->selector, s->selector);
	__vmcs_write(f->base, s->base);
	__vmcs_write(f->limit, s->limit);
	__vmcs_write(f->ar, ar);
}

/*
 * PAE paging with EPT takes its PDPTEs from the VMCS (SDM Vol. 3C 28.4.1);
 * the guest's own MOV to CR3 loads them, a mode change made here must.
 * Reading guest memory may sleep, so run.c does it before the next entry.
 */
static void vmcs_load_pdptrs(struct vmx_vcpu *vmx, u64 cr3)
{
	vmx->pdptrs_cr3 = cr3;
	vmx->pdptrs_dirty = true;
}

void vmcs_write_pdptrs(const u64 pdpte[4])
{
	int i;

	for (i = 0; i < 4; i++)
		__vmcs_write(GUEST_PDPTR0 + i * 2, pdpte[i]);
}

static bool vmcs_pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
}

/* IA-32e mode follows EFER.LME and CR0.PG, as the CPU would (SDM 10.8.5). */
void vmcs_set_efer(struct vmx_vcpu *vmx, u64 efer)
{
	bool lma = (efer & EFER_LME) && (vmcs_readl(CR0_READ_SHADOW) &
					 X86_CR0_PG);
	u32 entry = vmcs_read32(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE;

	efer &= ~(u64)EFER_LMA;
	if (lma) {
		efer |= EFER_LMA;
		entry |= VM_ENTRY_IA32E_MODE;
	}
	vmcs_write64(GUEST_IA32_EFER, efer);
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
}

void vmcs_set_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	u64 cr4 = vmcs_readl(CR4_READ_SHADOW);

	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR0, (cr0 | vmx_config.cr0_fixed0) &
			       vmx_config.cr0_fixed1);
	vmcs_set_efer(vmx, vmcs_read64(GUEST_IA32_EFER));
	if (vmcs_pae_paging(cr0, cr4, vmcs_read64(GUEST_IA32_EFER)))
		vmcs_load_pdptrs(vmx, vmcs_readl(GUEST_CR3));
}

/*
 * A change of paging bits makes the guest's VPID-tagged translations
 * stale, as the guest's own MOV would have flushed them (SDM Vol. 3A
 * 4.10.4.1): the next entry flushes (run.c).
 */
void vmcs_set_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	u64 cr0 = vmcs_readl(CR0_READ_SHADOW);

	if (vireo_cr4_flushes_tlb(vmcs_get_cr4(), cr4))
		vmx->tlb_gen = ~READ_ONCE(vmx->vcpu.vm->tlb_gen);
	vmcs_writel(CR4_READ_SHADOW, cr4);
	/*
	 * CR4.MCE stays on underneath: with it clear a machine check in the
	 * guest shuts the CPU down instead of raising #MC, and the host's
	 * handler never sees it (SDM Vol. 3B 16.3, as KVM's vmx_set_cr4()).
	 */
	vmcs_writel(GUEST_CR4, (cr4 | X86_CR4_MCE | vmx_config.cr4_fixed0) &
			       vmx_config.cr4_fixed1);
	if (vmcs_pae_paging(cr0, cr4, vmcs_read64(GUEST_IA32_EFER)))
		vmcs_load_pdptrs(vmx, vmcs_readl(GUEST_CR3));
}

static u64 vmcs_guest_cr(u32 hw, u32 shadow, u64 mask)
{
	return (__vmcs_read(hw) & ~mask) | (__vmcs_read(shadow) & mask);
}

u64 vmcs_get_cr4(void)
{
	return vmcs_guest_cr(GUEST_CR4, CR4_READ_SHADOW, CR4_HOST_OWNED);
}

void vmcs_get_sregs(struct vmx_vcpu *vmx, struct vireo_sregs *s)
{
	struct vireo_segment *segs = &s->cs;
	int i;

	for (i = 0; i < 8; i++)
		vmcs_seg_get(i, &segs[i]);
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->cr0 = vmcs_guest_cr(GUEST_CR0, CR0_READ_SHADOW, CR0_HOST_OWNED);
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->cr4 = vmcs_get_cr4();
	s->efer = vmcs_read64(GUEST_IA32_EFER);
}

void vmcs_set_segs(const struct vireo_sregs *s)
{
	const struct vireo_segment *segs = &s->cs;
	int i;

	for (i = 0; i < 8; i++)
		vmcs_seg_set(i, &segs[i]);
}

void vmcs_set_sregs(struct vmx_vcpu *vmx, const struct vireo_sregs *s)
{
	vmcs_set_segs(s);
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);
	vmcs_writel(GUEST_CR3, s->cr3);
	vmcs_write64(GUEST_IA32_EFER, s->efer);
	vmcs_set_cr4(vmx, s->cr4);
	vmcs_set_cr0(vmx, s->cr0);
}

/* State after RESET (SDM Vol. 3A 10.1.1 Table 10-1). */
void vmcs_reset_guest(struct vmx_vcpu *vmx)
{
	struct vireo_sregs s = {
		.cs = { .selector = 0xf000, .base = 0xffff0000, .limit = 0xffff,
			.type = 0xb, .s = 1, .present = 1 },
		.ds = { .limit = 0xffff, .type = 3, .s = 1, .present = 1 },
		.tr = { .limit = 0xffff, .type = 0xb, .present = 1 },
		.ldt = { .limit = 0xffff, .type = 2, .present = 1 },
		.gdt = { .limit = 0xffff },
		.idt = { .limit = 0xffff },
		.cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET,
	};

	s.es = s.ds;
	s.fs = s.ds;
	s.gs = s.ds;
	s.ss = s.ds;
	vmcs_set_sregs(vmx, &s);
	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_DR7, 0x400);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	/* The debug registers are the host's again (debugreg.c). */
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) |
		     CPU_BASED_MOV_DR_EXITING);
}

/* For a refused VM entry: the guest state the checks looked at. */
void vmcs_dump_guest(void)
{
	pr_info("vireo: guest CR0=%#lx CR3=%#lx CR4=%#lx EFER=%#llx RIP=%#lx RFLAGS=%#lx entry=%#x\n",
		vmcs_readl(GUEST_CR0), vmcs_readl(GUEST_CR3),
		vmcs_readl(GUEST_CR4), vmcs_read64(GUEST_IA32_EFER),
		vmcs_readl(GUEST_RIP), vmcs_readl(GUEST_RFLAGS),
		vmcs_read32(VM_ENTRY_CONTROLS));
	pr_info("vireo: guest CS=%#x/%#x/%#lx SS=%#x/%#x TR=%#x/%#x LDTR=%#x\n",
		vmcs_read16(GUEST_CS_SELECTOR), vmcs_read32(GUEST_CS_AR_BYTES),
		vmcs_readl(GUEST_CS_BASE), vmcs_read16(GUEST_SS_SELECTOR),
		vmcs_read32(GUEST_SS_AR_BYTES), vmcs_read16(GUEST_TR_SELECTOR),
		vmcs_read32(GUEST_TR_AR_BYTES), vmcs_read32(GUEST_LDTR_AR_BYTES));
	pr_info("vireo: entry event=%#x error=%#x length=%u interruptibility=%#x activity=%#x\n",
		vmcs_read32(VM_ENTRY_INTR_INFO_FIELD),
		vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE),
		vmcs_read32(VM_ENTRY_INSTRUCTION_LEN),
		vmcs_read32(GUEST_INTERRUPTIBILITY_INFO),
		vmcs_read32(GUEST_ACTIVITY_STATE));
	pr_info("vireo: controls pin=%#x proc=%#x proc2=%#x exit=%#x exceptions=%#x msr-load=%u/%u\n",
		vmcs_read32(PIN_BASED_VM_EXEC_CONTROL),
		vmcs_read32(CPU_BASED_VM_EXEC_CONTROL),
		vmcs_read32(SECONDARY_VM_EXEC_CONTROL),
		vmcs_read32(VM_EXIT_CONTROLS), vmcs_read32(EXCEPTION_BITMAP),
		vmcs_read32(VM_ENTRY_MSR_LOAD_COUNT),
		vmcs_read32(VM_EXIT_MSR_LOAD_COUNT));
}
