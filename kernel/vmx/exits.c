// SPDX-License-Identifier: GPL-2.0
/*
 * VT-x exit handlers, one per basic exit reason, through a table (SDM Vol.
 * 3D Appendix C "VMX Basic Exit Reasons").  Each decodes what the exit
 * recorded (vmx->exit, read while the VMCS was current) and hands the
 * event to the core in VIREO_* terms.  Exits report the instruction's
 * length, so the next RIP is always known.
 */
#include <linux/nospec.h>
#include <linux/ratelimit.h>
#include <asm/processor-flags.h>

#include "vmx.h"

#define VMX_EXIT_ENTRY_FAILED	BIT(31)

static u64 vmx_next_rip(struct vmx_vcpu *vmx)
{
	return vmx->vcpu.rip + vmx->exit.insn_len;
}

static int vmx_exit_nop(struct vmx_vcpu *vmx)
{
	/*
	 * An interrupt (the host took it when interrupts came back on) or
	 * the preemption timer's backstop: back to the run loop either way.
	 */
	return 1;
}

/*
 * #DB and #AC are reflected (see vmcs_setup_controls()), #DB with the DR6
 * bits the exit qualification holds; #MC goes to the host; NMIs went home.
 */
static int vmx_exit_exception(struct vmx_vcpu *vmx)
{
	u32 info = vmx->exit.intr_info;
	struct vireo_exception e = {
		.vector = info & INTR_INFO_VECTOR_MASK,
		.has_error = info & INTR_INFO_DELIVER_CODE_MASK,
		.error = vmx->exit.intr_error,
	};

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		return 1;
	if (e.vector == 18)	/* the host had it already (run.c) */
		return 1;
	if (e.vector == 1) {
		vireo_debugreg_db_payload(&vmx->vcpu, vmx->exit.qualification);
		/* Delivery clears DR7.GD (SDM Vol. 3B 18.2.4); ours too. */
		vmx_vcpu_get(vmx);
		vmcs_writel(GUEST_DR7, vmcs_readl(GUEST_DR7) & ~VIREO_DR7_GD);
		vmx_vcpu_put(vmx);
	}
	vireo_ops.inject_exception(&vmx->vcpu, &e);
	return 1;
}

static int vmx_exit_triple_fault(struct vmx_vcpu *vmx)
{
	vireo_vcpu_reset(&vmx->vcpu);
	return vireo_exit_shutdown(&vmx->vcpu);
}

static int vmx_exit_cpuid(struct vmx_vcpu *vmx)
{
	return vireo_handle_cpuid(&vmx->vcpu, vmx_next_rip(vmx));
}

static int vmx_exit_hlt(struct vmx_vcpu *vmx)
{
	return vireo_exit_hlt(&vmx->vcpu, vmx_next_rip(vmx));
}

static int vmx_exit_skip(struct vmx_vcpu *vmx)
{
	/*
	 * INVD would drop the host's dirty cache lines, WBINVD and WBNOINVD
	 * flush the host's caches: no-ops here, as under KVM without
	 * devices that bypass the cache.
	 */
	vmx->vcpu.rip = vmx_next_rip(vmx);
	return 1;
}

static int vmx_exit_ud(struct vmx_vcpu *vmx)
{
	vireo_inject_ud(&vmx->vcpu);
	return 1;
}

/* The guest has no performance counters: RDPMC raises #GP, as under KVM. */
static int vmx_exit_gp(struct vmx_vcpu *vmx)
{
	vireo_inject_gp(&vmx->vcpu);
	return 1;
}

static int vmx_exit_xsetbv(struct vmx_vcpu *vmx)
{
	return vireo_handle_xsetbv(&vmx->vcpu, vmx_next_rip(vmx));
}

/*
 * MOV DR: the guest takes the debug registers over until the next exit
 * (debugreg.c); the instruction runs again.
 */
static int vmx_exit_dr(struct vmx_vcpu *vmx)
{
	vmx_vcpu_get(vmx);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) &
		     ~CPU_BASED_MOV_DR_EXITING);
	vmx_vcpu_put(vmx);
	return vireo_exit_mov_dr(&vmx->vcpu);
}

static int vmx_exit_vmcall(struct vmx_vcpu *vmx)
{
	return vireo_exit_hypercall(&vmx->vcpu, vmx_next_rip(vmx));
}

/* Exit qualification and instruction information: SDM Vol. 3C 28.2.1/5. */
static int vmx_exit_io(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit.qualification;
	u32 info = vmx->exit.insn_info;
	struct vireo_pio pio = {
		.size = (q & 7) + 1,
		.in = q & BIT(3),
		.string = q & BIT(4),
		.rep = q & BIT(5),
		.port = q >> 16,
		.next_rip = vmx_next_rip(vmx),
		.seg = -1,
	};

	if (pio.string && vmx_config.ins_outs_info) {
		pio.addr_bytes = 2 << ((info >> 7) & 7);
		/* VMX numbers segments ES CS SS DS FS GS, as VIREO_SEG_* do. */
		if (!pio.in)
			pio.seg = (info >> 15) & 7;
	}
	return vireo_handle_pio(&vmx->vcpu, &pio);
}

static int vmx_exit_rdmsr(struct vmx_vcpu *vmx)
{
	return vireo_handle_msr(&vmx->vcpu, false, vmx_next_rip(vmx));
}

static int vmx_exit_wrmsr(struct vmx_vcpu *vmx)
{
	return vireo_handle_msr(&vmx->vcpu, true, vmx_next_rip(vmx));
}

static bool vmx_write_cr(struct vmx_vcpu *vmx, int cr, u64 val)
{
	struct vireo_sregs s;
	bool ok = true;

	vireo_ops.get_sregs(&vmx->vcpu, &s);
	vmx_vcpu_get(vmx);
	if (cr == 0 && vireo_cr0_write_valid(&s, val))
		vmcs_set_cr0(vmx, val);
	else if (cr == 4 && vireo_cr4_write_valid(&vmx->vcpu, &s, val))
		vmcs_set_cr4(vmx, val);
	else if (cr == 8 && val <= 15)
		vireo_lapic_set_cr8(&vmx->vcpu, val);
	else
		ok = false;
	vmx_vcpu_put(vmx);
	return ok;
}

/* MOV to/from CR, CLTS, LMSW (SDM Vol. 3C 28.2.1 Table 28-3). */
static int vmx_exit_cr(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit.qualification;
	int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	u64 *regs = vmx->vcpu.regs;
	struct vireo_sregs s;
	bool ok = true;

	switch (type) {
	case 0:		/* MOV to CR */
		ok = vmx_write_cr(vmx, cr, regs[reg]);
		break;
	case 1:		/* MOV from CR: only CR8 is intercepted */
		if (cr == 8)
			regs[reg] = vireo_lapic_get_cr8(&vmx->vcpu);
		else
			ok = false;
		break;
	case 2:		/* CLTS */
		vireo_ops.get_sregs(&vmx->vcpu, &s);
		ok = vmx_write_cr(vmx, 0, s.cr0 & ~(u64)X86_CR0_TS);
		break;
	case 3:		/* LMSW: bits 3:0 only, and PE cannot be cleared */
		vireo_ops.get_sregs(&vmx->vcpu, &s);
		ok = vmx_write_cr(vmx, 0, (s.cr0 & ~0xeULL) |
					  ((q >> 16) & 0xf));
		break;
	}
	if (!ok) {
		vireo_inject_gp(&vmx->vcpu);
		return 1;
	}
	vmx->vcpu.rip = vmx_next_rip(vmx);
	return 1;
}

/*
 * Bits 0-2 of the qualification are the access type (SDM Vol. 3C Table
 * 27-7).  A walk of the guest's page tables reads and writes them as data
 * (SDM Vol. 3C 28.2.3.2), so a fault on a table in ROM or MMIO is never
 * taken for a fetch from MMIO: the instruction at RIP is emulated.
 */
static int vmx_exit_ept_violation(struct vmx_vcpu *vmx)
{
	u64 q = vmx->exit.qualification;

	return vireo_mmu_fault(&vmx->vcpu, vmx->exit.gpa, q & BIT(1),
			       q & BIT(2));
}

static int vmx_exit_ept_misconfig(struct vmx_vcpu *vmx)
{
	/* Vireo wrote a bad EPT entry: a bug, not the guest's doing. */
	WARN_ONCE(1, "vireo: EPT misconfiguration at GPA %#llx\n",
		  vmx->exit.gpa);
	return vireo_exit_internal(&vmx->vcpu,
				   VIREO_INTERNAL_ERROR_UNHANDLED_EXIT,
				   vmx->exit.reason, vmx->exit.gpa);
}

/* The interrupt window opened: the run loop injects what is pending. */
static int vmx_exit_intr_window(struct vmx_vcpu *vmx)
{
	vmx_vcpu_get(vmx);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) &
		     ~CPU_BASED_INTR_WINDOW_EXITING);
	vmx_vcpu_put(vmx);
	return 1;
}

static int (*const vmx_exit_handlers[])(struct vmx_vcpu *) = {
	[EXIT_REASON_INTERRUPT_WINDOW]	= vmx_exit_intr_window,
	[EXIT_REASON_EXCEPTION_NMI]	= vmx_exit_exception,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = vmx_exit_nop,
	[EXIT_REASON_TRIPLE_FAULT]	= vmx_exit_triple_fault,
	[EXIT_REASON_CPUID]		= vmx_exit_cpuid,
	[11]				= vmx_exit_ud,	/* GETSEC */
	[EXIT_REASON_HLT]		= vmx_exit_hlt,
	[EXIT_REASON_INVD]		= vmx_exit_skip,
	[EXIT_REASON_RDPMC]		= vmx_exit_gp,
	[EXIT_REASON_DR_ACCESS]		= vmx_exit_dr,
	[EXIT_REASON_WBINVD]		= vmx_exit_skip,
	[EXIT_REASON_VMCALL]		= vmx_exit_vmcall,
	[EXIT_REASON_VMCLEAR]		= vmx_exit_ud,
	[EXIT_REASON_VMLAUNCH]		= vmx_exit_ud,
	[EXIT_REASON_VMPTRLD]		= vmx_exit_ud,
	[EXIT_REASON_VMPTRST]		= vmx_exit_ud,
	[EXIT_REASON_VMREAD]		= vmx_exit_ud,
	[EXIT_REASON_VMRESUME]		= vmx_exit_ud,
	[EXIT_REASON_VMWRITE]		= vmx_exit_ud,
	[EXIT_REASON_VMOFF]		= vmx_exit_ud,
	[EXIT_REASON_VMON]		= vmx_exit_ud,
	[EXIT_REASON_CR_ACCESS]		= vmx_exit_cr,
	[EXIT_REASON_IO_INSTRUCTION]	= vmx_exit_io,
	[EXIT_REASON_MSR_READ]		= vmx_exit_rdmsr,
	[EXIT_REASON_MSR_WRITE]		= vmx_exit_wrmsr,
	[EXIT_REASON_MWAIT_INSTRUCTION]	= vmx_exit_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION] = vmx_exit_ud,
	[EXIT_REASON_EPT_VIOLATION]	= vmx_exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]	= vmx_exit_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER]	= vmx_exit_nop,
	[EXIT_REASON_INVEPT]		= vmx_exit_ud,
	[EXIT_REASON_INVVPID]		= vmx_exit_ud,
	[EXIT_REASON_XSETBV]		= vmx_exit_xsetbv,
};

/*
 * VMLAUNCH/VMRESUME refused: VMfail with an instruction error number (SDM
 * Vol. 3C 31.4), or a VM-entry failure exit naming the reason: 33 invalid
 * guest state, 34 MSR loading, 41 machine check (SDM Vol. 3C 27.8).
 */
static int vmx_entry_failed(struct vmx_vcpu *vmx)
{
	const struct vmx_exit *e = &vmx->exit;
	u64 reason = e->vmfail ? ~0ULL : (u16)e->reason;
	u64 detail = e->vmfail ? e->insn_error : e->qualification;

	/* A guest can fail its entries at will: the dump is rate-limited. */
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 3);

	if (__ratelimit(&rs)) {
		pr_info("vireo: VM entry failed: %s %llu\n",
			e->vmfail ? "VM-instruction error" : "exit reason",
			e->vmfail ? detail : reason);
		vmx_vcpu_get(vmx);
		vmcs_dump_guest();
		vmx_vcpu_put(vmx);
	}
	return vireo_exit_internal(&vmx->vcpu, VIREO_INTERNAL_ERROR_ENTRY_FAILED,
				   reason, detail);
}

int vmx_handle_exit(struct vmx_vcpu *vmx)
{
	u32 reason = vmx->exit.reason;
	u16 basic = reason;

	if (vmx->exit.vmfail || (reason & VMX_EXIT_ENTRY_FAILED))
		return vmx_entry_failed(vmx);
	if (basic < ARRAY_SIZE(vmx_exit_handlers)) {
		/* The guest chooses the index: no speculation past the bound. */
		basic = array_index_nospec(basic, ARRAY_SIZE(vmx_exit_handlers));
		if (vmx_exit_handlers[basic])
			return vmx_exit_handlers[basic](vmx);
	}
	pr_info_ratelimited("vireo: unhandled VT-x exit reason %u\n", basic);
	return vireo_exit_internal(&vmx->vcpu,
				   VIREO_INTERNAL_ERROR_UNHANDLED_EXIT, basic,
				   vmx->exit.qualification);
}
