// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: the guest's answers come from the table the device model set with
 * VIREO_SET_CPUID; the kernel answers the exit without going to userspace.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vireo.h"

int vireo_set_cpuid(struct vireo_vcpu *vcpu, void __user *arg)
{
	struct vireo_cpuid hdr;
	struct vireo_cpuid_entry *e = NULL;
	u32 i;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.padding)
		return -EINVAL;
	if (hdr.nent > VIREO_MAX_CPUID)
		return -E2BIG;
	if (hdr.nent) {
		e = memdup_user(arg + sizeof(hdr), hdr.nent * sizeof(*e));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	for (i = 0; i < hdr.nent; i++) {
		if (e[i].flags & ~VIREO_CPUID_SIGNIFICANT_INDEX || e[i].padding) {
			kfree(e);
			return -EINVAL;
		}
	}
	kfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	return 0;
}

static const struct vireo_cpuid_entry *vireo_cpuid_find(struct vireo_vcpu *vcpu,
							u32 fn, u32 index)
{
	u32 i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct vireo_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function != fn)
			continue;
		if (!(e->flags & VIREO_CPUID_SIGNIFICANT_INDEX) || e->index == index)
			return e;
	}
	return NULL;
}

int vireo_handle_cpuid(struct vireo_vcpu *vcpu, u64 next_rip)
{
	u64 *regs = vcpu->regs;
	const struct vireo_cpuid_entry *e;

	e = vireo_cpuid_find(vcpu, regs[VIREO_REG_RAX], regs[VIREO_REG_RCX]);
	/* CPUID writes all four 32-bit registers, zeroing bits 63:32. */
	regs[VIREO_REG_RAX] = e ? e->eax : 0;
	regs[VIREO_REG_RBX] = e ? e->ebx : 0;
	regs[VIREO_REG_RCX] = e ? e->ecx : 0;
	regs[VIREO_REG_RDX] = e ? e->edx : 0;
	vcpu->rip = next_rip;
	return 1;
}

/*
 * MAXPHYADDR as the guest's CPUID states it (SDM Vol. 3A 4.1.4): 36 when
 * leaf 0x80000008 is absent, and never past the 52 bits paging allows.
 */
unsigned int vireo_cpuid_maxphyaddr(struct vireo_vcpu *vcpu)
{
	const struct vireo_cpuid_entry *e;

	e = vireo_cpuid_find(vcpu, 0x80000008, 0);
	if (!e)
		return 36;
	return clamp(e->eax & 0xff, 32U, 52U);
}
