// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: the guest's answers come from the table the device model set with
 * VIREO_SET_CPUID; the kernel answers the exit without going to userspace.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/types.h>

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
	vireo_cpuid_update(vcpu);
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

static bool vireo_cpuid_has(struct vireo_vcpu *vcpu, u32 fn, u32 index,
			    int reg, int bit)
{
	const struct vireo_cpuid_entry *e = vireo_cpuid_find(vcpu, fn, index);
	u32 r[4];

	if (!e)
		return false;
	r[0] = e->eax;
	r[1] = e->ebx;
	r[2] = e->ecx;
	r[3] = e->edx;
	return r[reg] & BIT(bit);
}

/* CPUID_EAX ... CPUID_EDX: the register indices of <asm/cpufeature.h>. */
/* CR4 bits that need a CPUID feature, and the feature (SDM Vol. 3A 2.5). */
static const struct {
	u64 cr4;
	u32 fn, index;
	u8 reg, bit;
} vireo_cr4_features[] = {
	{ X86_CR4_OSXSAVE, 1, 0, CPUID_ECX, 26 },	/* XSAVE */
	{ X86_CR4_PCIDE, 1, 0, CPUID_ECX, 17 },		/* PCID */
	{ X86_CR4_FSGSBASE, 7, 0, CPUID_EBX, 0 },
	{ X86_CR4_SMEP, 7, 0, CPUID_EBX, 7 },
	{ X86_CR4_SMAP, 7, 0, CPUID_EBX, 20 },
	{ X86_CR4_UMIP, 7, 0, CPUID_ECX, 2 },
	{ X86_CR4_PKE, 7, 0, CPUID_ECX, 3 },		/* PKU */
};

/*
 * CR4 bits the host cannot back whatever the guest's CPUID says: features
 * the CPU lacks (VM entry would fail), and state Vireo switches only when
 * the host kernel uses it (PKRU with OSPKE, XCR0 with XSAVE).
 */
u64 vireo_cr4_host_rsvd(void)
{
	u64 rsvd = 0;

	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		rsvd |= X86_CR4_PKE;
	if (!vireo_xfeatures)
		rsvd |= X86_CR4_OSXSAVE;
	if (!boot_cpu_has(X86_FEATURE_SMEP))
		rsvd |= X86_CR4_SMEP;
	if (!boot_cpu_has(X86_FEATURE_SMAP))
		rsvd |= X86_CR4_SMAP;
	if (!boot_cpu_has(X86_FEATURE_UMIP))
		rsvd |= X86_CR4_UMIP;
	if (!boot_cpu_has(X86_FEATURE_FSGSBASE))
		rsvd |= X86_CR4_FSGSBASE;
	if (!boot_cpu_has(X86_FEATURE_PCID))
		rsvd |= X86_CR4_PCIDE;
	return rsvd;
}

/*
 * The XCR0 bits the guest's leaf 0xD offers, among those Vireo switches,
 * made to obey XCR0's rules (SDM Vol. 1 13.3): x87 always, AVX only with
 * SSE, the three AVX-512 components together and only with AVX.  Any
 * valid XCR0 masked with it is valid.
 */
static u64 vireo_xcr0_closure(struct vireo_vcpu *vcpu)
{
	const struct vireo_cpuid_entry *e = vireo_cpuid_find(vcpu, 0xd, 0);
	u64 m = XFEATURE_MASK_FP;

	if (e && !(vcpu->cr4_guest_rsvd & X86_CR4_OSXSAVE))
		m |= (e->eax | (u64)e->edx << 32) & vireo_xfeatures;
	if (!(m & XFEATURE_MASK_SSE))
		m &= ~(u64)XFEATURE_MASK_YMM;
	if (!(m & XFEATURE_MASK_YMM) ||
	    (m & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512)
		m &= ~(u64)XFEATURE_MASK_AVX512;
	return m;
}

/*
 * What the guest may do follows from the CPUID it was given: the CR4 bits
 * its MOV to CR4 may set (as KVM's __cr4_reserved_bits()), the XCR0 bits
 * its XSETBV may set.  Without a table (no SET_CPUID yet), only what
 * every x86-64 CPU has.
 */
void vireo_cpuid_update(struct vireo_vcpu *vcpu)
{
	int i;

	vcpu->cr4_guest_rsvd = ~(u64)VIREO_CR4_ALLOWED | vireo_cr4_host_rsvd();
	for (i = 0; i < ARRAY_SIZE(vireo_cr4_features); i++) {
		if (!vireo_cpuid_has(vcpu, vireo_cr4_features[i].fn,
				     vireo_cr4_features[i].index,
				     vireo_cr4_features[i].reg,
				     vireo_cr4_features[i].bit))
			vcpu->cr4_guest_rsvd |= vireo_cr4_features[i].cr4;
	}
	vcpu->guest_xcr0_mask = vireo_xcr0_closure(vcpu);
	/*
	 * A table set after the guest chose its XCR0 may offer less: keep
	 * what is still offered (the result obeys the same rules, so the
	 * next XSETBV of it on entry cannot fault).
	 */
	vcpu->xcr0 &= vcpu->guest_xcr0_mask;
	vireo_kvmclock_cpuid_update(vcpu);
}

/* A CR4 the guest's own MOV to CR4 may load; the mode checks aside. */
bool vireo_cr4_guest_valid(struct vireo_vcpu *vcpu, u64 cr4)
{
	return !(cr4 & vcpu->cr4_guest_rsvd);
}

/*
 * Bits that follow the guest's state rather than the table: OSXSAVE and
 * OSPKE mirror CR4 (SDM Vol. 2A "CPUID"), and leaf 0xD's EBX gives the
 * XSAVE size of the XCR0 in force.
 */
static void vireo_cpuid_dynamic(struct vireo_vcpu *vcpu, u32 fn, u32 index,
				u32 *r)
{
	u64 cr4;

	switch (fn) {
	case 1:
		cr4 = vireo_ops.get_cr4(vcpu);
		r[CPUID_ECX] &= ~BIT(27);
		if ((cr4 & X86_CR4_OSXSAVE) && (r[CPUID_ECX] & BIT(26)))
			r[CPUID_ECX] |= BIT(27);
		break;
	case 7:
		if (index)
			break;
		cr4 = vireo_ops.get_cr4(vcpu);
		r[CPUID_ECX] &= ~BIT(4);
		if ((cr4 & X86_CR4_PKE) && (r[CPUID_ECX] & BIT(3)))
			r[CPUID_ECX] |= BIT(4);
		break;
	case 0xd:
		if (index == 0)
			r[CPUID_EBX] = vireo_xsave_size(vcpu->xcr0);
		break;
	}
}

/*
 * A leaf above the highest of its range: Intel CPUs answer with the highest
 * basic leaf (SDM Vol. 2A "CPUID", "If a value entered for CPUID.EAX is
 * higher than the maximum input value..."); AMD's answer zeros.  The
 * guest's vendor (leaf 0) decides, as in KVM's kvm_cpuid().  *fn becomes
 * the leaf answered.
 */
static const struct vireo_cpuid_entry *
vireo_cpuid_out_of_range(struct vireo_vcpu *vcpu, u32 *fn, u32 index)
{
	const struct vireo_cpuid_entry *basic, *class;
	u32 f = *fn;

	basic = vireo_cpuid_find(vcpu, 0, 0);
	/* "AuthenticAMD" and "HygonGenuine" end in EBX "Auth" / "Hygo". */
	if (!basic || basic->ebx == 0x68747541 || basic->ebx == 0x6f677948)
		return NULL;
	if (f >= 0x40000000 && f <= 0x4fffffff)
		class = vireo_cpuid_find(vcpu, f & 0xffffff00, 0);
	else if (f >= 0xc0000000)
		class = vireo_cpuid_find(vcpu, 0xc0000000, 0);
	else
		class = vireo_cpuid_find(vcpu, f & 0x80000000, 0);
	if (class && f <= class->eax)
		return NULL;
	*fn = basic->eax;
	return vireo_cpuid_find(vcpu, basic->eax, index);
}

int vireo_handle_cpuid(struct vireo_vcpu *vcpu, u64 next_rip)
{
	u64 *regs = vcpu->regs;
	u32 fn = regs[VIREO_REG_RAX], index = regs[VIREO_REG_RCX];
	const struct vireo_cpuid_entry *e;
	u32 r[4] = { 0 };

	vireo_count_exit(vcpu, VIREO_STAT_CPUID);
	e = vireo_cpuid_find(vcpu, fn, index);
	if (!e)
		e = vireo_cpuid_out_of_range(vcpu, &fn, index);
	if (e) {
		r[CPUID_EAX] = e->eax;
		r[CPUID_EBX] = e->ebx;
		r[CPUID_ECX] = e->ecx;
		r[CPUID_EDX] = e->edx;
		vireo_cpuid_dynamic(vcpu, fn, index, r);
	} else if (fn == 0xb || fn == 0x1f) {
		/*
		 * Past the last level of a topology leaf: ECX[7:0] echoes the
		 * input and EDX is the x2APIC ID (SDM "CPUID", leaf 0BH).
		 */
		e = vireo_cpuid_find(vcpu, fn, 1);
		if (e) {
			r[CPUID_ECX] = index & 0xff;
			r[CPUID_EDX] = e->edx;
		}
	}
	/* CPUID writes all four 32-bit registers, zeroing bits 63:32. */
	regs[VIREO_REG_RAX] = r[CPUID_EAX];
	regs[VIREO_REG_RBX] = r[CPUID_EBX];
	regs[VIREO_REG_RCX] = r[CPUID_ECX];
	regs[VIREO_REG_RDX] = r[CPUID_EDX];
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
