// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's x87/SSE registers and PKRU, which neither VMRUN nor a VMX
 * transition switches.  While a vCPU runs the kernel owns the FPU
 * (kernel_fpu_begin() first saves the VM process's own state, restored on
 * its way back to userspace), and the guest's registers are loaded from and
 * saved to an FXSAVE area of their own.  PKRU gates the host's own accesses
 * to user memory, so the host's value is back before anything can use it.
 */
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/special_insns.h>

#include "vireo.h"

int vireo_fpu_init(struct vireo_vcpu *vcpu)
{
	/* kmalloc of a power of two is naturally aligned, as FXSAVE needs. */
	vcpu->guest_fpu = kzalloc(sizeof(*vcpu->guest_fpu), GFP_KERNEL_ACCOUNT);
	return vcpu->guest_fpu ? 0 : -ENOMEM;
}

void vireo_fpu_free(struct vireo_vcpu *vcpu)
{
	kfree(vcpu->guest_fpu);
}

/* x87 and SSE after RESET (SDM Vol. 1 Table 8-1 and 10.2.3). */
void vireo_fpu_reset(struct vireo_vcpu *vcpu)
{
	memset(vcpu->guest_fpu, 0, sizeof(*vcpu->guest_fpu));
	vcpu->guest_fpu->cwd = 0x37f;
	vcpu->guest_fpu->mxcsr = 0x1f80;
	vcpu->guest_pkru = 0;
}

/* Preemption stays off until vireo_fpu_put(). */
void vireo_fpu_load(struct vireo_vcpu *vcpu)
{
	kernel_fpu_begin();
	asm volatile("fxrstorq %0" : : "m" (*vcpu->guest_fpu));
}

void vireo_fpu_put(struct vireo_vcpu *vcpu)
{
	asm volatile("fxsaveq %0" : "=m" (*vcpu->guest_fpu));
	kernel_fpu_end();
}

/* Interrupts off, right around the entry: returns the host's PKRU. */
u32 vireo_pkru_load(struct vireo_vcpu *vcpu)
{
	u32 host;

	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return 0;
	host = rdpkru();
	if (vcpu->guest_pkru != host)
		wrpkru(vcpu->guest_pkru);
	return host;
}

void vireo_pkru_put(struct vireo_vcpu *vcpu, u32 host)
{
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return;
	vcpu->guest_pkru = rdpkru();
	if (vcpu->guest_pkru != host)
		wrpkru(host);
}
