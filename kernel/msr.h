/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MSR policy (msr.c): which MSRs a guest may read and write, and the
 * ones the core keeps itself.  Architectural state the hardware switches
 * (EFER, the SYSCALL and SYSENTER MSRs, the segment bases, PAT) stays with
 * the backend, reached through its get_msr/set_msr operations.
 */
#ifndef VIREO_MSR_H
#define VIREO_MSR_H

#include <linux/types.h>

struct vireo_vcpu;

#define VIREO_MTRR_VAR		8	/* MTRRcap.VCNT */
#define VIREO_MTRR_FIXED	11	/* one 64K, two 16K, eight 4K */
/* Unknown MSRs a VM logs, once each (struct vireo_vm, msr_logged). */
#define VIREO_MSR_LOG_SLOTS	64

/* The MSRs the core keeps per vCPU: stored, not enforced (see msr.c). */
struct vireo_msrs {
	u64 mtrr_def_type;
	u64 mtrr_var[2 * VIREO_MTRR_VAR];	/* PhysBase, PhysMask pairs */
	u64 mtrr_fixed[VIREO_MTRR_FIXED];
	u64 debugctl;
	u64 nb_cfg;
};

/* Power-on values; INIT leaves these MSRs alone (SDM Vol. 3A Table 10-1). */
void vireo_msr_reset(struct vireo_vcpu *vcpu);
/* RDMSR/WRMSR for the guest: 0, or -EINVAL when the guest gets #GP. */
int vireo_msr_get(struct vireo_vcpu *vcpu, u32 msr, u64 *val);
int vireo_msr_set(struct vireo_vcpu *vcpu, u32 msr, u64 val);

#endif
