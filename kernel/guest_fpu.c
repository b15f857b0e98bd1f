// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's extended state (x87, SSE, AVX, AVX-512), its XCR0 and its
 * PKRU, which neither VMRUN nor a VMX transition switches.
 *
 * While a vCPU runs the kernel owns the FPU: kernel_fpu_begin() saves the
 * VM process's own state (restored on its way back to userspace), but it
 * leaves the registers as they were, and they may hold another task's
 * values.  So every component a guest could ever reach is loaded from the
 * vCPU's own XSAVE area before entry and saved back after the exit, whether
 * or not the guest enabled it: a guest that never turned on AVX still finds
 * its own (zero) upper YMM halves, never a host process's.
 *
 * The components are those of vireo_xfeatures: what the host's XCR0 enables
 * among x87, SSE, AVX and AVX-512.  MPX, AMX (it needs XFD), PKRU (switched
 * on its own below) and every supervisor state are left out, so a guest can
 * never enable them in its XCR0 (XSETBV is intercepted).  XCR0 itself is
 * switched with interrupts off right around the entry, as KVM does: the
 * host must never XSAVE with the guest's XCR0 in place.
 *
 * Without XSAVE on the host, FXSAVE/FXRSTOR move x87 and SSE.
 *
 * The area uses the standard (non-compacted) format, its layout read from
 * CPUID leaf 0xD (SDM Vol. 1 13.4 "XSAVE Area", 13.8 "XRSTOR").
 */
#include <linux/log2.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/special_insns.h>

#include "vireo.h"

#define VIREO_XFEATURES_SWITCHED (XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
				  XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)
#define XSAVE_LEGACY_SIZE	512
#define XSAVE_HEADER_SIZE	64
#define XSAVE_HDR_XSTATE_BV	512	/* offset of XSTATE_BV in the area */

/* 0 when the host has no XSAVE: FXSAVE then, and no XCR0 for guests. */
u64 vireo_xfeatures __read_mostly;
static u64 vireo_host_xcr0 __read_mostly;
/*
 * The host's IA32_XSS when it must be switched: on AMD-V a guest's XSAVES
 * would otherwise save the host's supervisor state (CET user shadow-stack
 * registers on a 6.12 host) into guest memory.  Guests get 0: Vireo
 * offers no XSAVES.  0 here: nothing to switch.
 */
static u64 vireo_host_xss __read_mostly;
static unsigned int vireo_fpu_size __read_mostly = XSAVE_LEGACY_SIZE;

/*
 * An XSAVE area in the initial configuration (XSTATE_BV 0, MXCSR and FCW
 * at their reset values): XRSTOR from it puts components back in their
 * initial state (SDM Vol. 1 13.8.1).
 */
static union {
	struct fxregs_state fx;
	u8 bytes[XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE];
} vireo_xsave_init __aligned(64) = {
	.fx = { .cwd = 0x37f, .mxcsr = 0x1f80 },
};

/*
 * The size of the standard-format area holding @mask: the end of its
 * highest component (CPUID.(EAX=0DH,ECX=i): EAX size, EBX offset).
 */
static unsigned int xsave_size(u64 mask)
{
	unsigned int size = XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE;
	u32 eax, ebx, ecx, edx;
	int i;

	for (i = 2; i < 64; i++) {
		if (!(mask & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, ebx + eax);
	}
	return size;
}

/* Module init: what Vireo switches on this host. */
void vireo_fpu_setup(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE) ||
	    !boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	vireo_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	vireo_xfeatures = vireo_host_xcr0 & VIREO_XFEATURES_SWITCHED;
	if (vireo_backend.guest_xsaves && boot_cpu_has(X86_FEATURE_XSAVES))
		rdmsrl(MSR_IA32_XSS, vireo_host_xss);
	/* AVX-512 is three components, usable only together. */
	if ((vireo_xfeatures & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512)
		vireo_xfeatures &= ~XFEATURE_MASK_AVX512;
	vireo_fpu_size = xsave_size(vireo_xfeatures);
}

/* The size XSAVE needs for @xcr0 (CPUID.(EAX=0DH,ECX=0):EBX). */
u32 vireo_xsave_size(u64 xcr0)
{
	return xsave_size(xcr0 & vireo_xfeatures);
}

int vireo_fpu_init(struct vireo_vcpu *vcpu)
{
	/*
	 * kmalloc of a power of two is naturally aligned, which covers the
	 * 16 bytes FXSAVE and the 64 bytes XSAVE need.
	 */
	vcpu->guest_fpu = kzalloc(roundup_pow_of_two(vireo_fpu_size),
				  GFP_KERNEL_ACCOUNT);
	return vcpu->guest_fpu ? 0 : -ENOMEM;
}

void vireo_fpu_free(struct vireo_vcpu *vcpu)
{
	kfree(vcpu->guest_fpu);
}

/*
 * After RESET (SDM Vol. 1 Table 8-1, 10.2.3; Vol. 3A 10.1.1): x87 and SSE
 * in their initial state, XCR0 = 1.  XSTATE_BV = 0 makes XRSTOR initialise
 * every component; MXCSR is loaded from the area all the same (SDM Vol. 1
 * 13.8.1), so it is set here.
 */
void vireo_fpu_reset(struct vireo_vcpu *vcpu)
{
	struct fxregs_state *fx = vcpu->guest_fpu;

	memset(fx, 0, vireo_fpu_size);
	fx->cwd = 0x37f;
	fx->mxcsr = 0x1f80;
	vcpu->guest_pkru = 0;
	vcpu->xcr0 = XFEATURE_MASK_FP;
}

static void vireo_xrstor(void *area, u64 mask)
{
	asm volatile("xrstor64 %0"
		     : : "m" (*(u8 *)area), "a" ((u32)mask),
		       "d" ((u32)(mask >> 32))
		     : "memory");
}

static void vireo_xsave(void *area, u64 mask)
{
	asm volatile("xsave64 %0"
		     : "+m" (*(u8 *)area) : "a" ((u32)mask),
		       "d" ((u32)(mask >> 32))
		     : "memory");
}

/* Preemption stays off until vireo_fpu_put(). */
void vireo_fpu_load(struct vireo_vcpu *vcpu)
{
	kernel_fpu_begin();
	if (vireo_xfeatures)
		vireo_xrstor(vcpu->guest_fpu, vireo_xfeatures);
	else
		asm volatile("fxrstorq %0" : : "m" (*vcpu->guest_fpu));
}

/* The host's XCR0 is back (vireo_xstate_put()), so XSAVE sees it all. */
void vireo_fpu_put(struct vireo_vcpu *vcpu)
{
	if (vireo_xfeatures)
		vireo_xsave(vcpu->guest_fpu, vireo_xfeatures);
	else
		asm volatile("fxsaveq %0" : "=m" (*vcpu->guest_fpu));
	kernel_fpu_end();
}

/*
 * Interrupts off, right before the entry: the guest's XCR0 and PKRU.  PKRU
 * gates the host's own accesses to user memory, XCR0 what the host's
 * XSAVE saves: both are the host's again in vireo_xstate_put(), before
 * anything can use them.
 */
void vireo_xstate_load(struct vireo_vcpu *vcpu)
{
	if (vireo_xfeatures && vcpu->xcr0 != vireo_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	if (vireo_host_xss)
		wrmsrl(MSR_IA32_XSS, 0);
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return;
	vcpu->host_pkru = rdpkru();
	if (vcpu->guest_pkru != vcpu->host_pkru)
		wrpkru(vcpu->guest_pkru);
}

/*
 * Interrupts off, right after the exit.  XCR0 is read back: XSETBV always
 * exits on VT-x and on AMD-V hardware, but QEMU's TCG (the SVM sandbox)
 * ignores the XSETBV intercept and lets the guest write XCR0 itself,
 * within what the emulated CPU supports.
 */
void vireo_xstate_put(struct vireo_vcpu *vcpu)
{
	u64 extra;

	if (vireo_xfeatures) {
		vcpu->xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		/*
		 * Under TCG the guest may enable what its CPUID does not
		 * offer, even what Vireo does not switch: put those
		 * components back in their initial state while its XCR0 still
		 * reaches them, and take the bits back.
		 */
		extra = vcpu->xcr0 & ~vcpu->guest_xcr0_mask;
		if (unlikely(extra)) {
			/* XRSTOR of AVX state loads MXCSR too: keep it. */
			u32 mxcsr;

			asm volatile("stmxcsr %0" : "=m" (mxcsr));
			vireo_xrstor(&vireo_xsave_init, extra);
			asm volatile("ldmxcsr %0" : : "m" (mxcsr));
			vcpu->xcr0 &= vcpu->guest_xcr0_mask;
		}
		if (vcpu->xcr0 != vireo_host_xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vireo_host_xcr0);
	}
	if (vireo_host_xss)
		wrmsrl(MSR_IA32_XSS, vireo_host_xss);
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return;
	vcpu->guest_pkru = rdpkru();
	if (vcpu->guest_pkru != vcpu->host_pkru)
		wrpkru(vcpu->host_pkru);
}

/*
 * XSETBV (SDM Vol. 2B "XSETBV", 13.3 "Enabling the XSAVE Feature Set"):
 * #UD unless CR4.OSXSAVE, #GP at CPL > 0, for an XCR other than 0, and for
 * a value the CPU would refuse or the guest's CPUID does not offer.
 */
int vireo_handle_xsetbv(struct vireo_vcpu *vcpu, u64 next_rip)
{
	u32 index = vcpu->regs[VIREO_REG_RCX];
	u64 val = (vcpu->regs[VIREO_REG_RDX] << 32) |
		  (u32)vcpu->regs[VIREO_REG_RAX];
	struct vireo_sregs s;

	vireo_ops.get_sregs(vcpu, &s);
	if (!(s.cr4 & X86_CR4_OSXSAVE)) {
		vireo_inject_ud(vcpu);
		return 1;
	}
	if (vireo_cpl(vcpu, &s) || index != XCR_XFEATURE_ENABLED_MASK ||
	    !(val & XFEATURE_MASK_FP) || (val & ~vireo_guest_xcr0_mask(vcpu)) ||
	    ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE)) ||
	    ((val & XFEATURE_MASK_AVX512) &&
	     ((val & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
	      !(val & XFEATURE_MASK_YMM)))) {
		vireo_inject_gp(vcpu);
		return 1;
	}
	vcpu->xcr0 = val;
	vcpu->rip = next_rip;
	return 1;
}
