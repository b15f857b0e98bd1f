/* SPDX-License-Identifier: GPL-2.0 */
/* The VT-x backend's private state; nothing outside kernel/vmx/ sees it. */
#ifndef VIREO_VMX_H
#define VIREO_VMX_H

#include <linux/list.h>
#include <linux/mm.h>

#include "../vireo.h"
#include "vmcs.h"

/* What the capability MSRs allow, and the controls chosen from them. */
struct vmx_config {
	u32 revision_id;
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	bool vpid;
	bool ins_outs_info;	/* VMX_BASIC bit 54: INS/OUTS instruction info */
	bool invept_single, invvpid_single;
	u32 preemption_ticks;	/* 0: no VMX-preemption timer */
};

extern struct vmx_config vmx_config;

/* An exit, read from the VMCS while it was current on this CPU. */
struct vmx_exit {
	u32 reason;
	u64 qualification;
	u64 gpa;
	u32 intr_info;
	u32 intr_error;
	u32 idt_info;
	u32 idt_error;
	u32 insn_len;
	u32 insn_info;
	u32 insn_error;		/* VM_INSTRUCTION_ERROR after a VMfail */
	bool vmfail;
};

struct vmx_vcpu {
	struct vireo_vcpu vcpu;		/* first: the core allocates us */
	void *vmcs;
	phys_addr_t vmcs_pa;
	/* The CPU this VMCS is active on, -1 when clear (SDM 25.11.1). */
	int cpu;
	bool launched;
	bool initialized;		/* VMCLEARed once, as 25.11.3 asks */
	struct list_head loaded_link;	/* on that CPU's list (root.c) */
	/* root.c: the CPU and VMXON whose host state is in the VMCS. */
	int host_cpu;
	u64 host_gen;
	/* Current on a CPU Vireo does not hold (root.c). */
	bool borrowed;
	bool transient;			/* ... with VMXON for the window */
	bool vmxe_was_set;
	unsigned long irq_flags;
	u16 vpid;
	u64 tlb_gen;
	u64 tsc_offset;			/* as written in the VMCS */
	u64 guest_kernel_gs_base;
	/* The SYSCALL MSRs: the VMCS has no fields for them (see run.c). */
	u64 guest_star, guest_lstar, guest_cstar, guest_sfmask;
	u64 cr2;			/* not in the VMCS: switched by hand */
	unsigned long host_cr3, host_cr4;
	bool pdptrs_dirty;		/* load PDPTEs from pdptrs_cr3 first */
	u64 pdptrs_cr3;
	struct vmx_exit exit;
	/* The last exit's handling may have touched host data (run.c). */
	bool l1d_flush;
	/*
	 * The VM-entry and VM-exit MSR-load lists (SDM Vol. 3C 25.7.2,
	 * 25.8.2): guest values at [0, VMX_MSR_LIST_MAX), host values after.
	 */
	struct vmx_msr_entry *msr_lists;
	int msr_list_count;		/* as written in the VMCS */
};

#define VMX_MSR_LIST_MAX	8

static inline struct vmx_vcpu *to_vmx(struct vireo_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

/* caps.c */
int vmx_setup_config(struct vmx_config *c);

/* root.c: VMX operation per CPU, the current VMCS. */
int vmx_hw_enable_cpu(void);
void vmx_hw_disable_cpu(void);
void vmx_hw_suspend_cpu(void);
void vmx_hw_resume_cpu(void);
void vmx_vcpu_get(struct vmx_vcpu *vmx);
void vmx_vcpu_put(struct vmx_vcpu *vmx);
void vmx_vmclear(struct vmx_vcpu *vmx);
void vmx_root_leave_cpu(void);

/* vmx.c */
u64 vmx_eptp(struct vireo_vm *vm);

/* vmcs.c: the VMCS must be current (between vmx_vcpu_get/put). */
void vmcs_setup_controls(struct vmx_vcpu *vmx);
void vmcs_setup_host_per_cpu(struct vmx_vcpu *vmx, int cpu);
void vmcs_reset_guest(struct vmx_vcpu *vmx);
void vmcs_get_sregs(struct vmx_vcpu *vmx, struct vireo_sregs *s);
void vmcs_set_sregs(struct vmx_vcpu *vmx, const struct vireo_sregs *s);
void vmcs_set_segs(const struct vireo_sregs *s);
void vmcs_set_cr0(struct vmx_vcpu *vmx, u64 cr0);
void vmcs_set_cr4(struct vmx_vcpu *vmx, u64 cr4);
u64 vmcs_get_cr4(void);
void vmcs_set_efer(struct vmx_vcpu *vmx, u64 efer);
void vmcs_write_pdptrs(const u64 pdpte[4]);
void vmcs_dump_guest(void);

/* run.c */
int vmx_vcpu_run_once(struct vireo_vcpu *vcpu);
void vmx_flush_tlb(struct vmx_vcpu *vmx);
int vmx_l1d_flush_init(void);
void vmx_l1d_flush_exit(void);

/* exits.c */
int vmx_handle_exit(struct vmx_vcpu *vmx);

/* vmenter.S: 0 after a VM exit, 1 when VMLAUNCH/VMRESUME failed. */
int vmx_vmenter(u64 *regs, bool launched);
void vmx_vmexit(void);

#endif
