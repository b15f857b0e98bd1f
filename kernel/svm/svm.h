/* SPDX-License-Identifier: GPL-2.0 */
/* The AMD-V backend's private state; nothing outside kernel/svm/ sees it. */
#ifndef VIREO_SVM_H
#define VIREO_SVM_H


#include "../vireo.h"
#include "vmcb.h"

/* CPUID Fn8000_000A EDX (APM Vol. 3 E.4.9). */
#define SVM_FEATURE_NPT		BIT(0)
#define SVM_FEATURE_NRIPS	BIT(3)
#define SVM_FEATURE_FLUSH_BY_ASID BIT(6)

struct svm_vcpu {
	struct vireo_vcpu vcpu;		/* first: the core allocates us */
	struct vmcb *vmcb;
	phys_addr_t vmcb_pa;
	/* Tagged TLB: an ASID handed out by the CPU the vCPU last ran on. */
	int asid_cpu;
	u64 asid_gen;
	u64 tlb_gen;
	/* An NMI was injected and its handler has not run IRET yet. */
	bool nmi_masked;
	/* V_TPR as entered, to see whether the guest changed CR8. */
	u8 v_tpr;
	/*
	 * CR4 as the guest wrote it; the VMCB's has MCE set as well, and
	 * reads of CR4 are intercepted to show this one (svm.c).
	 */
	u64 guest_cr4;
};

/* Per-CPU state while Vireo has a VM (svm.c, coexist.c). */
struct svm_cpu {
	struct page *hsave;		/* VM_HSAVE_PA: VMRUN's host state */
	struct page *host_vmsave;	/* what VMRUN leaves alone: FS, GS... */
	struct page *flush_vmcb;	/* coexist.c: the empty guest */
	struct page *flush_root;	/* ... and its empty nested table */
	u64 asid_gen;
	u32 next_asid;
	bool holding;			/* Vireo set EFER.SVME and keeps it */
	bool srso_set;			/* svm.c: Vireo set BpSpecReduce */
	bool held_before;		/* holding when suspended */
	u32 foreign_asid;		/* borrowed VMRUNs' ASID; U32_MAX: several */
	struct vmcb *current_vmcb;	/* the last VMCB run here */
};

DECLARE_PER_CPU(struct svm_cpu, svm_cpu);

/* How svm_virt_enter() found EFER.SVME, and what to give back. */
enum svm_virt_how { SVM_VIRT_HELD, SVM_VIRT_TRANSIENT, SVM_VIRT_BORROWED };

struct svm_virt_state {
	enum svm_virt_how how;
	u64 efer;
	u64 hsave;
	u64 tsc_ratio;
};

static inline struct svm_vcpu *to_svm(struct vireo_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

extern bool svm_has_nrips;

/* vmcb.c */
void svm_vmcb_init(struct svm_vcpu *svm, phys_addr_t iopm, phys_addr_t msrpm,
		   phys_addr_t ncr3);
void svm_vmcb_reset_state(struct vmcb_save *save);
void svm_vmcb_get_sregs(const struct vmcb *vmcb, struct vireo_sregs *s);
void svm_vmcb_set_sregs(struct vmcb *vmcb, const struct vireo_sregs *s);
void svm_vmcb_set_segs(struct vmcb *vmcb, const struct vireo_sregs *s);

/* exits.c */
int svm_handle_exit(struct svm_vcpu *svm);

/* vmenter.S */
void svm_vmrun(phys_addr_t vmcb_pa, u64 *regs, phys_addr_t host_save_pa);

/* coexist.c: AMD-V shared with another hypervisor. */
int svm_virt_cpu_up(struct svm_cpu *sd, phys_addr_t iopm, phys_addr_t msrpm);
void svm_virt_cpu_down(struct svm_cpu *sd);
void svm_virt_release(struct svm_cpu *sd);
void svm_virt_resume(struct svm_cpu *sd);
void svm_virt_enter(struct svm_cpu *sd, struct svm_virt_state *st);
void svm_virt_exit(struct svm_cpu *sd, const struct svm_virt_state *st,
		   u32 asid);
bool svm_virt_exclusive(struct svm_cpu *sd);
void svm_virt_leave_cpu(bool flush_by_asid);
void svm_virt_report(void);

/* tsc_aux.c: the guest's TSC_AUX (RDPID cannot be intercepted). */
void svm_tsc_aux_load_guest(void);
void svm_tsc_aux_put(void);

#endif
