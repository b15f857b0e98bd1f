/* SPDX-License-Identifier: GPL-2.0 */
/* The AMD-V backend's private state; nothing outside kernel/svm/ sees it. */
#ifndef VIREO_SVM_H
#define VIREO_SVM_H


#include "../vireo.h"
#include "vmcb.h"

/* CPUID Fn8000_000A EDX (APM Vol. 3 E.4.9). */
#define SVM_FEATURE_NPT		BIT(0)
#define SVM_FEATURE_NRIPS	BIT(3)

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

/* tsc_aux.c: the guest's TSC_AUX (RDPID cannot be intercepted). */
void svm_tsc_aux_load_guest(void);
void svm_tsc_aux_put(void);

#endif
