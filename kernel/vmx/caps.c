// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX controls Vireo runs guests with, checked against what the CPU
 * allows.  Each control MSR reports in its low half the bits that must be
 * one and in its high half the bits that may be one (SDM Vol. 3D Appendix
 * A.3-A.5); the TRUE_ variants, when VMX_BASIC bit 55 says they exist,
 * allow clearing some "default1" bits (CR3 exiting, which EPT makes
 * needless).  Bits neither required nor optional are set only where the
 * CPU insists.
 */
#include <asm/msr.h>
#include <asm/tsc.h>

#include "vmx.h"


static int vmx_adjust(const char *what, u32 required, u32 optional, u32 msr,
		      u32 *out)
{
	u32 must, may, ctl;

	rdmsr(msr, must, may);
	ctl = ((required | optional) & may) | must;
	if (required & ~ctl) {
		pr_err("vireo: VT-x lacks required %s controls %#x\n", what,
		       required & ~ctl);
		return -EOPNOTSUPP;
	}
	*out = ctl;
	return 0;
}

static int vmx_setup_ept(struct vmx_config *c)
{
	u32 vpid_cap;
	u64 cap;

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, cap);
	c->ept_vpid_cap = cap;
	if (!(cap & VMX_EPT_PAGE_WALK_4_BIT) || !(cap & VMX_EPTP_WB_BIT) ||
	    !(cap & VMX_EPT_INVEPT_BIT) ||
	    !(cap & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT))) {
		pr_err("vireo: EPT lacks 4-level write-back tables or INVEPT (EPT/VPID capabilities %#llx)\n",
		       cap);
		return -EOPNOTSUPP;
	}
	c->invept_single = cap & VMX_EPT_EXTENT_CONTEXT_BIT;
	/* VPID is optional: without it every entry and exit flushes. */
	if (!(c->proc2 & SECONDARY_EXEC_ENABLE_VPID))
		return 0;
	/* The INVVPID bits are the MSR's high half (SDM Vol. 3D A.10). */
	vpid_cap = cap >> 32;
	if (!(vpid_cap & VMX_VPID_INVVPID_BIT) ||
	    !(vpid_cap & (VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT |
			  VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT))) {
		c->proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
		return 0;
	}
	c->vpid = true;
	c->invvpid_single = vpid_cap & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT;
	return 0;
}

/*
 * A backstop, not a timer service: an entry never lasts more than about a
 * millisecond, so the host gets its CPU back even where an external
 * interrupt fails to exit while the guest has IF clear (Bochs 2.7 does
 * so, though SDM Vol. 3C 26.2 says the guest's IF does not matter).  The
 * timer counts down at the TSC rate divided by 2^VMX_MISC[4:0] (25.5.1).
 */
static void vmx_setup_preemption_timer(struct vmx_config *c)
{
	u64 misc, ticks;

	c->preemption_ticks = 0;
	if (!(c->pin & PIN_BASED_VMX_PREEMPTION_TIMER))
		return;
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	ticks = (tsc_khz ? tsc_khz : 1000000) >> (misc & 0x1f);
	c->preemption_ticks = clamp_t(u64, ticks, 1, U32_MAX);
}

int vmx_setup_config(struct vmx_config *c)
{
	bool true_ctls;
	u64 basic;
	int r;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	c->revision_id = basic & 0x7fffffff;
	c->ins_outs_info = basic & VMX_BASIC_INOUT;
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;

	/*
	 * Host interrupts and NMIs exit; the host takes them after.  Virtual
	 * NMIs: with NMI exiting, the guest's IRET unblocks NMIs only when the
	 * CPU tracks virtual-NMI blocking (SDM Vol. 3C 26.3 "IRET"); without
	 * it a guest would get its first NMI only, and hold off the host's
	 * NMIs while it runs.  Every VT-x CPU with EPT has them.  The
	 * VMX-preemption timer, when there is one, bounds each stay in the
	 * guest (see vmx_setup_preemption_timer()).
	 */
	r = vmx_adjust("pin-based", PIN_BASED_EXT_INTR_MASK |
		       PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS,
		       PIN_BASED_VMX_PREEMPTION_TIMER,
		       true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				   MSR_IA32_VMX_PINBASED_CTLS, &c->pin);
	/*
	 * Every port exits; CR8 exits too, since without a TPR shadow a
	 * guest's MOV to CR8 would write the host's TPR (SDM 26.3).  RDPMC
	 * would read the host's counters; MOV DR starts the lazy switch of
	 * the debug registers (debugreg.c).
	 */
	r = r ?: vmx_adjust("processor-based", CPU_BASED_HLT_EXITING |
			    CPU_BASED_UNCOND_IO_EXITING |
			    CPU_BASED_RDPMC_EXITING |
			    CPU_BASED_MOV_DR_EXITING |
			    CPU_BASED_CR8_LOAD_EXITING |
			    CPU_BASED_CR8_STORE_EXITING |
			    CPU_BASED_MWAIT_EXITING |
			    CPU_BASED_MONITOR_EXITING |
			    CPU_BASED_USE_TSC_OFFSETTING |
			    CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0,
			    true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					MSR_IA32_VMX_PROCBASED_CTLS, &c->proc);
	/* WBINVD would flush the host's caches (exits.c). */
	r = r ?: vmx_adjust("secondary", SECONDARY_EXEC_ENABLE_EPT |
			    SECONDARY_EXEC_UNRESTRICTED_GUEST |
			    SECONDARY_EXEC_WBINVD_EXITING,
			    SECONDARY_EXEC_ENABLE_VPID,
			    MSR_IA32_VMX_PROCBASED_CTLS2, &c->proc2);
	/*
	 * DR7 and IA32_DEBUGCTL are the guest's in the VMCS: saved at exit,
	 * loaded at entry (SDM Vol. 3C 25.7.1, 25.8.1).
	 */
	r = r ?: vmx_adjust("VM-exit", VM_EXIT_HOST_ADDR_SPACE_SIZE |
			    VM_EXIT_SAVE_DEBUG_CONTROLS |
			    VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
			    VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT, 0,
			    true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
					MSR_IA32_VMX_EXIT_CTLS, &c->exit);
	r = r ?: vmx_adjust("VM-entry", VM_ENTRY_LOAD_DEBUG_CONTROLS |
			    VM_ENTRY_LOAD_IA32_EFER |
			    VM_ENTRY_LOAD_IA32_PAT, 0,
			    true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
					MSR_IA32_VMX_ENTRY_CTLS, &c->entry);
	if (r)
		return r;
	vmx_setup_preemption_timer(c);

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);
	/* Unrestricted guest lifts PE and PG from the fixed bits (27.3.1.1). */
	c->cr0_fixed0 &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
	return vmx_setup_ept(c);
}
