// SPDX-License-Identifier: GPL-2.0
/*
 * The MSR policy: one table of every MSR a guest may read or write, each
 * entry saying why it is there.  An MSR Linux 6.1 or 6.12 reads or writes
 * on its boot path with plain rdmsr()/wrmsr() must answer (a #GP there is
 * an "unchecked MSR access" splat, or a feature half set up); one it only
 * probes with rdmsr_safe() may raise #GP, and does, unless the CPUID Vireo
 * offers (cpuid_policy.c) advertises the feature behind it.  Everything
 * else raises #GP as on a CPU without the MSR, logged once per MSR and VM.
 *
 * Entries are of three kinds: the core's own (a fixed value, or state in
 * struct vireo_msrs), the local APIC's (lapic.c), and the backend's: state
 * the hardware switches with the guest (the VMCB save area, the VMCS guest
 * fields, or by hand around VM entry), reached through vireo_ops.get_msr
 * and set_msr.  Every value a guest writes is checked here first: reserved
 * bits and non-canonical addresses raise #GP and never reach the hardware.
 */
#include <linux/pid.h>
#include <linux/sched.h>
#include <asm/kvm_para.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "vireo.h"

/* The vendors an MSR exists on: the guest sees the host's in CPUID. */
#define V_INTEL		BIT(0)	/* also Centaur and Zhaoxin: Intel's map */
#define V_AMD		BIT(1)	/* also Hygon */
#define V_ALL		(V_INTEL | V_AMD)

/* MTRRs (SDM Vol. 3A 11.11.2.1-11.11.2.3). */
#define MTRR_PHYS_BASE0		0x200	/* PhysBase0, PhysMask0, Base1... */
#define MTRR_CAP_VCNT		VIREO_MTRR_VAR
#define MTRR_CAP_FIX		BIT_ULL(8)
#define MTRR_DEF_FE		BIT_ULL(10)
#define MTRR_DEF_E		BIT_ULL(11)
#define MTRR_TYPE_WB		6

#define DEBUGCTL_LBR		BIT_ULL(0)
#define DEBUGCTL_BTF		BIT_ULL(1)
#define HWCR_TSC_FREQ_SEL	BIT_ULL(24)
#define NB_CFG_CF8_EXT_CFG	BIT_ULL(46)
#define DE_CFG_LFENCE_SERIALIZE	BIT_ULL(1)

struct vireo_msr_desc;
typedef int (*vireo_msr_get_fn)(struct vireo_vcpu *vcpu,
				const struct vireo_msr_desc *d, u32 msr,
				u64 *val);
typedef int (*vireo_msr_set_fn)(struct vireo_vcpu *vcpu,
				const struct vireo_msr_desc *d, u32 msr,
				u64 val);

struct vireo_msr_desc {
	u32 first, last;	/* a range of MSR numbers, inclusive */
	u8 vendors;		/* V_* */
	u64 value;		/* msr_fixed_get(): what reads return */
	u64 reserved;		/* bits a write must leave clear */
	vireo_msr_get_fn get;
	vireo_msr_set_fn set;
};

static u8 msr_host_vendor(void)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		return V_AMD;
	}
	return V_INTEL;
}

/*
 * WRMSR of a non-canonical address to FS_BASE, GS_BASE, KernelGSBase,
 * LSTAR, CSTAR or SYSENTER_ESP/EIP raises #GP (SDM Vol. 2B "WRMSR").  The
 * guest has no LA57 (cpuid_policy.c), so canonical means 48 bits; VM entry
 * would refuse anything else in the VMCS, and run.c of the VT-x backend
 * loads LSTAR into the host CPU.
 */
static bool msr_canonical(u64 val)
{
	return (u64)((s64)(val << 16) >> 16) == val;
}

/* ---- generic handlers --------------------------------------------- */

static int msr_fixed_get(struct vireo_vcpu *vcpu,
			 const struct vireo_msr_desc *d, u32 msr, u64 *val)
{
	*val = d->value;
	return 0;
}

/* Read-only MSRs: WRMSR raises #GP. */
static int msr_no_set(struct vireo_vcpu *vcpu, const struct vireo_msr_desc *d,
		      u32 msr, u64 val)
{
	return -EINVAL;
}

/* Writes are accepted and dropped. */
static int msr_ignore_set(struct vireo_vcpu *vcpu,
			  const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	return 0;
}

/* Fixed values: writing back what was read is harmless, anything else not. */
static int msr_same_set(struct vireo_vcpu *vcpu,
			const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	return val == d->value ? 0 : -EINVAL;
}

static int msr_backend_get(struct vireo_vcpu *vcpu,
			   const struct vireo_msr_desc *d, u32 msr, u64 *val)
{
	int r = vireo_ops.get_msr(vcpu, msr, val);

	WARN_ON_ONCE(r == -ENOENT);	/* the table promises the backend has it */
	return r ? -EINVAL : 0;
}

static int msr_backend_set(struct vireo_vcpu *vcpu,
			   const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	int r;

	if (val & d->reserved)
		return -EINVAL;
	r = vireo_ops.set_msr(vcpu, msr, val);
	WARN_ON_ONCE(r == -ENOENT);
	return r ? -EINVAL : 0;
}

static int msr_backend_set_addr(struct vireo_vcpu *vcpu,
				const struct vireo_msr_desc *d, u32 msr,
				u64 val)
{
	if (!msr_canonical(val))
		return -EINVAL;
	return msr_backend_set(vcpu, d, msr, val);
}

/* The core's stored MSRs, by number. */
static u64 *msr_slot(struct vireo_vcpu *vcpu, u32 msr)
{
	struct vireo_msrs *m = &vcpu->msrs;

	switch (msr) {
	case MSR_IA32_DEBUGCTLMSR:
		return &m->debugctl;
	case MSR_MTRRfix64K_00000:
		return &m->mtrr_fixed[0];
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
		return &m->mtrr_fixed[1 + msr - MSR_MTRRfix16K_80000];
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
		return &m->mtrr_fixed[3 + msr - MSR_MTRRfix4K_C0000];
	case MSR_MTRRdefType:
		return &m->mtrr_def_type;
	case MTRR_PHYS_BASE0 ... MTRR_PHYS_BASE0 + 2 * VIREO_MTRR_VAR - 1:
		return &m->mtrr_var[msr - MTRR_PHYS_BASE0];
	case MSR_AMD64_NB_CFG:
		return &m->nb_cfg;
	}
	return NULL;
}

static int msr_stored_get(struct vireo_vcpu *vcpu,
			  const struct vireo_msr_desc *d, u32 msr, u64 *val)
{
	*val = *msr_slot(vcpu, msr);
	return 0;
}

static int msr_stored_set(struct vireo_vcpu *vcpu,
			  const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	if (val & d->reserved)
		return -EINVAL;
	*msr_slot(vcpu, msr) = val;
	return 0;
}

static int msr_lapic_get(struct vireo_vcpu *vcpu,
			 const struct vireo_msr_desc *d, u32 msr, u64 *val)
{
	return vireo_lapic_get_msr(vcpu, msr, val) ? -EINVAL : 0;
}

static int msr_lapic_set(struct vireo_vcpu *vcpu,
			 const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	return vireo_lapic_set_msr(vcpu, msr, val) ? -EINVAL : 0;
}

/* ---- MSRs with rules of their own ---------------------------------- */

static int msr_tsc_get(struct vireo_vcpu *vcpu,
		       const struct vireo_msr_desc *d, u32 msr, u64 *val)
{
	*val = vireo_guest_tsc(vcpu->vm);
	return 0;
}

/*
 * Ignored.  Every vCPU of a VM shares one TSC offset, so their TSCs agree
 * as Linux expects of one package (arch/x86/kernel/tsc_sync.c); honouring
 * a write would need an offset per vCPU and would let one vCPU pull its
 * TSC away from the others'.  Linux never writes it; firmware zeroing it
 * at reset loses nothing, the VM's TSC starting near zero already.
 */
static int msr_tsc_set(struct vireo_vcpu *vcpu,
		       const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	pr_info_once("vireo: vm %d: guest wrote IA32_TSC; TSC writes are ignored\n",
		     task_tgid_nr(current));
	return 0;
}

static int msr_kvmclock_get(struct vireo_vcpu *vcpu,
			    const struct vireo_msr_desc *d, u32 msr, u64 *val)
{
	return vireo_kvmclock_get_msr(vcpu, msr, val);
}

static int msr_kvmclock_set(struct vireo_vcpu *vcpu,
			    const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	return vireo_kvmclock_set_msr(vcpu, msr, val);
}

/*
 * The host's microcode revision: the guest runs on it, and Linux compares
 * it with lists of known-bad revisions.  Intel's IA32_BIOS_SIGN_ID has it
 * in bits 63:32 (SDM Vol. 3A 10.11.7.1); AMD's PATCH_LEVEL, the same MSR
 * number, in bits 31:0.
 */
static int msr_ucode_get(struct vireo_vcpu *vcpu,
			 const struct vireo_msr_desc *d, u32 msr, u64 *val)
{
	u64 rev = boot_cpu_data.microcode;

	*val = msr_host_vendor() == V_INTEL ? rev << 32 : rev;
	return 0;
}


/*
 * MAXPHYADDR as the guest's CPUID states it (SDM Vol. 3A 4.1.4): address
 * bits above it are reserved in the PhysBase/PhysMask MTRRs.
 */
static u64 mtrr_phys_reserved(struct vireo_vcpu *vcpu)
{
	return GENMASK_ULL(63, vireo_cpuid_maxphyaddr(vcpu));
}

/*
 * MTRR memory types: 0 UC, 4 WT, 5 WP, 6 WB; 1 WC only where MTRRcap.WC
 * says so, which Vireo's does not; 2, 3 and 7 are reserved (SDM Vol. 3A
 * 11.11.1, Table 11-8).  Loading a reserved type raises #GP.
 */
static bool mtrr_type_valid(u8 type)
{
	return type == 0 || (type >= 4 && type <= MTRR_TYPE_WB);
}

static bool mtrr_valid(struct vireo_vcpu *vcpu, u32 msr, u64 val)
{
	int i;

	if (msr == MSR_MTRRdefType)
		return !(val & ~(0xffULL | MTRR_DEF_FE | MTRR_DEF_E)) &&
		       mtrr_type_valid(val & 0xff);
	if (msr >= MTRR_PHYS_BASE0 &&
	    msr < MTRR_PHYS_BASE0 + 2 * VIREO_MTRR_VAR) {
		/* PhysMask: bits 10:0 reserved; PhysBase: 11:8. */
		if ((msr - MTRR_PHYS_BASE0) & 1)
			return !(val & (mtrr_phys_reserved(vcpu) | 0x7ff));
		return !(val & (mtrr_phys_reserved(vcpu) | 0xf00)) &&
		       mtrr_type_valid(val & 0xff);
	}
	/* A fixed-range MTRR: one type per byte. */
	for (i = 0; i < 8; i++) {
		if (!mtrr_type_valid((val >> (8 * i)) & 0xff))
			return false;
	}
	return true;
}

/*
 * Stored and read back, never enforced: with nested paging the memory
 * type of guest RAM is the host's (write-back nested entries; the guest's
 * PAT still combines with it, APM Vol. 2 15.25.8, SDM Vol. 3C 29.3.7), and
 * a guest cannot make host memory uncached.
 */
static int msr_mtrr_set(struct vireo_vcpu *vcpu,
			const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	if (!mtrr_valid(vcpu, msr, val))
		return -EINVAL;
	*msr_slot(vcpu, msr) = val;
	return 0;
}

/*
 * Each byte a memory type: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-; 2, 3 and
 * bits 7:3 are reserved and raise #GP (SDM Vol. 3A 11.12.2).
 */
static int msr_pat_set(struct vireo_vcpu *vcpu,
		       const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = val >> (8 * i);

		if (type > 7 || type == 2 || type == 3)
			return -EINVAL;
	}
	return msr_backend_set(vcpu, d, msr, val);
}

/* EFER: the rules are guest_state.c's; LMA is the CPU's, kept by the backend. */
static int msr_efer_set(struct vireo_vcpu *vcpu,
			const struct vireo_msr_desc *d, u32 msr, u64 val)
{
	struct vireo_sregs s;

	vireo_ops.get_sregs(vcpu, &s);
	if (!vireo_efer_write_valid(&s, val))
		return -EINVAL;
	return msr_backend_set(vcpu, d, msr, val);
}

/* ---- the table ------------------------------------------------------ */

#define MSR_ONE(msr, v)		.first = (msr), .last = (msr), .vendors = (v)
/* Reads as @val; writes raise #GP. */
#define MSR_RO(msr, v, val) \
	{ MSR_ONE(msr, v), .value = (val), .get = msr_fixed_get, \
	  .set = msr_no_set }
/* Reads as @val; writing the same value back is accepted. */
#define MSR_FIXED(msr, v, val) \
	{ MSR_ONE(msr, v), .value = (val), .get = msr_fixed_get, \
	  .set = msr_same_set }
/* The backend's; writes with bits of @rsvd set raise #GP. */
#define MSR_BACKEND(msr, rsvd) \
	{ MSR_ONE(msr, V_ALL), .reserved = (rsvd), .get = msr_backend_get, \
	  .set = msr_backend_set }
/* The backend's, holding a linear address: canonical only. */
#define MSR_BACKEND_ADDR(msr) \
	{ MSR_ONE(msr, V_ALL), .get = msr_backend_get, \
	  .set = msr_backend_set_addr }
/*
 * Performance counters of a guest without a PMU, as KVM answers them: read
 * 0, writes dropped.
 */
#define MSR_NO_PMU(first_msr, last_msr) \
	{ .first = (first_msr), .last = (last_msr), .vendors = V_ALL, \
	  .get = msr_fixed_get, .set = msr_ignore_set }
#define MSR_MTRR(first_msr, last_msr) \
	{ .first = (first_msr), .last = (last_msr), .vendors = V_ALL, \
	  .get = msr_stored_get, .set = msr_mtrr_set }
#define MSR_LAPIC(first_msr, last_msr) \
	{ .first = (first_msr), .last = (last_msr), .vendors = V_ALL, \
	  .get = msr_lapic_get, .set = msr_lapic_set }

#define MSR_KVMCLOCK(first_msr, last_msr) \
	{ .first = (first_msr), .last = (last_msr), .vendors = V_ALL, \
	  .get = msr_kvmclock_get, .set = msr_kvmclock_set }

static const struct vireo_msr_desc vireo_msr_table[] = {
	/*
	 * IA32_TIME_STAMP_COUNTER (SDM Vol. 3B 18.17): the host's TSC plus
	 * the VM's offset, as RDTSC in the guest sees it.  Writes: above.
	 */
	{ MSR_ONE(MSR_IA32_TSC, V_ALL), .get = msr_tsc_get,
	  .set = msr_tsc_set },
	/*
	 * IA32_PLATFORM_ID: Intel's microcode code reads it unguarded
	 * (intel_cpu_collect_info()).  No platform bits: 0.
	 */
	MSR_RO(MSR_IA32_PLATFORM_ID, V_INTEL, 0),
	/* IA32_APIC_BASE: the in-kernel LAPIC's (SDM Vol. 3A 11.4.4). */
	MSR_LAPIC(MSR_IA32_APICBASE, MSR_IA32_APICBASE),
	/*
	 * IA32_FEATURE_CONTROL, locked with VMX and SGX off (SDM Vol. 3C
	 * 24.7): Linux reads it with rdmsr_safe() but writes it unguarded
	 * when it finds it unlocked; a write to it locked raises #GP.
	 */
	MSR_RO(MSR_IA32_FEAT_CTL, V_INTEL, FEAT_CTL_LOCKED),
	/*
	 * The legacy counters every x86 PMU has: IA32_PMC0-1 (0xc1-0xc2),
	 * IA32_PERFEVTSEL0-1 (0x186-0x187) and AMD's PerfEvtSel0-3 and
	 * PerfCtr0-3 (0xc0010000-0xc0010007).  The guest's CPUID offers no
	 * PMU, but software writes them regardless: every test of a
	 * well-known x86 conformance suite zeroes the AMD ones at start-up,
	 * and KVM, for a guest without a PMU, reads 0 and drops the write
	 * (kvm_get_msr_common(), "disabled perfctr"); so does Vireo.
	 */
	MSR_NO_PMU(MSR_P6_PERFCTR0, MSR_P6_PERFCTR1),
	MSR_NO_PMU(MSR_P6_EVNTSEL0, MSR_P6_EVNTSEL1),
	MSR_NO_PMU(MSR_K7_EVNTSEL0, MSR_K7_PERFCTR3),
	/* IA32_BIOS_SIGN_ID (Intel) and PATCH_LEVEL (AMD): above. */
	/*
	 * Intel's protocol writes 0 before CPUID to latch the revision (Linux's
	 * intel_get_microcode_revision(), unguarded); other writes are
	 * dropped, as KVM drops a guest's.  Loading microcode (MSR 0x79) is
	 * not offered, so the revision never changes.
	 */
	{ MSR_ONE(MSR_IA32_UCODE_REV, V_ALL), .get = msr_ucode_get,
	  .set = msr_ignore_set },
	/*
	 * Registers KVM answers with 0 (and refuses writes to) whatever the
	 * CPUID, because guests read them unguarded: the P5 machine-check
	 * pair, EBL_CR_POWERON, SMI_COUNT, and the RAPL energy and power
	 * registers (SDM Vol. 4 Table 2-2, 2-12; kvm_get_msr_common()).
	 */
	MSR_RO(MSR_IA32_P5_MC_ADDR, V_ALL, 0),
	MSR_RO(MSR_IA32_P5_MC_TYPE, V_ALL, 0),
	MSR_RO(MSR_IA32_EBL_CR_POWERON, V_ALL, 0),
	MSR_RO(MSR_SMI_COUNT, V_ALL, 0),
	MSR_RO(MSR_RAPL_POWER_UNIT, V_ALL, 0),
	MSR_RO(MSR_PKG_ENERGY_STATUS, V_ALL, 0),
	MSR_RO(MSR_DRAM_ENERGY_STATUS, V_ALL, 0),
	MSR_RO(MSR_PP0_ENERGY_STATUS, V_ALL, 0),
	MSR_RO(MSR_PP1_ENERGY_STATUS, V_ALL, 0),
	/*
	 * The legacy LBR registers (0x1db-0x1de, KVM reads them as 0 on both
	 * vendors), and AMD's INT_PENDING_MSG, SMM TSEG pair and family 15h
	 * IC_CFG, all read as 0 by KVM.
	 */
	{ .first = MSR_IA32_LASTBRANCHFROMIP, .last = MSR_IA32_LASTINTTOIP,
	  .vendors = V_ALL, .get = msr_fixed_get, .set = msr_no_set },
	MSR_RO(MSR_K8_INT_PENDING_MSG, V_AMD, 0),
	MSR_RO(MSR_K8_TSEG_ADDR, V_AMD, 0),
	MSR_RO(MSR_K8_TSEG_MASK, V_AMD, 0),
	MSR_RO(MSR_F15H_IC_CFG, V_AMD, 0),
	/*
	 * MTRRcap: eight variable ranges and the fixed ones, no WC, no SMRR.
	 * mtrr_bp_init() reads it unguarded whenever CPUID says MTRR.
	 */
	MSR_RO(MSR_MTRRcap, V_ALL, MTRR_CAP_FIX | MTRR_CAP_VCNT),
	/*
	 * SYSENTER_CS/ESP/EIP: syscall_init() writes them (safely) on every
	 * CPU.  The selector MSR keeps 32 bits in the VMCS; the others hold
	 * addresses.
	 */
	MSR_BACKEND(MSR_IA32_SYSENTER_CS, GENMASK_ULL(63, 32)),
	MSR_BACKEND_ADDR(MSR_IA32_SYSENTER_ESP),
	MSR_BACKEND_ADDR(MSR_IA32_SYSENTER_EIP),
	/*
	 * IA32_MCG_CAP and IA32_MCG_STATUS: no banks, no MCG_CTL (SDM Vol.
	 * 3B 16.3.1).  CPUID offers neither MCE nor MCA, so Linux leaves
	 * them alone; they answer for software that reads them regardless.
	 */
	MSR_RO(MSR_IA32_MCG_CAP, V_ALL, 0),
	MSR_FIXED(MSR_IA32_MCG_STATUS, V_ALL, 0),
	/*
	 * IA32_MISC_ENABLE (SDM Vol. 4 Table 2-2): fast strings on, BTS and
	 * PEBS unavailable.  early_init_intel() reads it unguarded and turns
	 * REP MOVS/STOS tuning off without bit 0; the bits Linux flips go
	 * through msr_set_bit()/msr_clear_bit(), which take the #GP.
	 */
	MSR_FIXED(MSR_IA32_MISC_ENABLE, V_INTEL,
		  MSR_IA32_MISC_ENABLE_FAST_STRING |
		  MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |
		  MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL),
	/*
	 * IA32_DEBUGCTL: ptrace's block stepping writes BTF unguarded
	 * (__switch_to_xtra()).  LBR and BTF are stored, not enforced: the
	 * hardware runs the guest with the host's DEBUGCTL.
	 */
	{ MSR_ONE(MSR_IA32_DEBUGCTLMSR, V_ALL), .get = msr_stored_get,
	  .set = msr_stored_set, .reserved = ~(DEBUGCTL_LBR | DEBUGCTL_BTF) },
	/* The MTRRs; get_mtrr_state() reads them all unguarded. */
	MSR_MTRR(MTRR_PHYS_BASE0, MTRR_PHYS_BASE0 + 2 * VIREO_MTRR_VAR - 1),
	MSR_MTRR(MSR_MTRRfix64K_00000, MSR_MTRRfix64K_00000),
	MSR_MTRR(MSR_MTRRfix16K_80000, MSR_MTRRfix16K_A0000),
	MSR_MTRR(MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_F8000),
	/* IA32_PAT: pat_init() writes it unguarded; the backend loads it. */
	{ MSR_ONE(MSR_IA32_CR_PAT, V_ALL), .get = msr_backend_get,
	  .set = msr_pat_set },
	MSR_MTRR(MSR_MTRRdefType, MSR_MTRRdefType),
	/* IA32_TSC_DEADLINE and the x2APIC registers: the LAPIC's. */
	MSR_LAPIC(MSR_IA32_TSC_DEADLINE, MSR_IA32_TSC_DEADLINE),
	MSR_LAPIC(0x800, 0x8ff),
	/* EFER: LMA follows CR0.PG and LME in the backend. */
	{ MSR_ONE(MSR_EFER, V_ALL), .get = msr_backend_get,
	  .set = msr_efer_set,
	  .reserved = ~(u64)VIREO_EFER_ALLOWED },
	/*
	 * The SYSCALL MSRs (SDM Vol. 3A 5.8.8, APM Vol. 2 6.1.1), written
	 * unguarded by syscall_init(); STAR takes any value, SFMASK has
	 * bits 63:32 reserved.
	 */
	MSR_BACKEND(MSR_STAR, 0),
	MSR_BACKEND_ADDR(MSR_LSTAR),
	MSR_BACKEND_ADDR(MSR_CSTAR),
	MSR_BACKEND(MSR_SYSCALL_MASK, GENMASK_ULL(63, 32)),
	/* Segment bases: cpu_init() and every context switch write them. */
	MSR_BACKEND_ADDR(MSR_FS_BASE),
	MSR_BACKEND_ADDR(MSR_GS_BASE),
	MSR_BACKEND_ADDR(MSR_KERNEL_GS_BASE),
	/*
	 * AMD SYSCFG: no TOM2 forcing, no memory encryption, the fixed MTRRs'
	 * RdMem/WrMem bits off.  The MTRR code reads it unguarded on family
	 * 0Fh and later (k8_check_syscfg_dram_mod_en()).
	 */
	MSR_FIXED(MSR_AMD64_SYSCFG, V_AMD, 0),
	/*
	 * AMD HWCR: TscFreqSel, the TSC counts at the P0 frequency (read-only
	 * one since family 10h); bsp_init_amd() reads it unguarded when the
	 * TSC is invariant and complains without the bit.
	 */
	MSR_FIXED(MSR_K7_HWCR, V_AMD, HWCR_TSC_FREQ_SEL),
	/*
	 * AMD NB_CFG: on family 10h and later every CPU that comes online
	 * reads it and sets EnableCf8ExtCfg unguarded (amd_bus_cpu_online());
	 * stored, and only that bit.
	 */
	{ MSR_ONE(MSR_AMD64_NB_CFG, V_AMD), .get = msr_stored_get,
	  .set = msr_stored_set, .reserved = ~NB_CFG_CF8_EXT_CFG },
	/*
	 * AMD DE_CFG: LFENCE is dispatch serializing, as the host made it;
	 * init_amd() sets the bit with msr_set_bit(), which then has nothing
	 * to write.
	 */
	MSR_FIXED(MSR_AMD64_DE_CFG, V_AMD, DE_CFG_LFENCE_SERIALIZE),
	/*
	 * KVM's paravirtual clock, old and new numbers (kvmclock.c): only
	 * where the vCPU's CPUID offers KVM_FEATURE_CLOCKSOURCE(2).
	 */
	MSR_KVMCLOCK(MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME),
	MSR_KVMCLOCK(MSR_KVM_WALL_CLOCK_NEW, MSR_KVM_SYSTEM_TIME_NEW),
};

static const struct vireo_msr_desc *msr_find(u32 msr)
{
	u8 vendor = msr_host_vendor();
	int i;

	for (i = 0; i < ARRAY_SIZE(vireo_msr_table); i++) {
		const struct vireo_msr_desc *d = &vireo_msr_table[i];

		if (msr >= d->first && msr <= d->last && (d->vendors & vendor))
			return d;
	}
	return NULL;
}

/*
 * Whether this VM has not reported this MSR (read or write) yet.  The
 * slots fill without a lock: a slot is claimed with cmpxchg, and a racing
 * vCPU that loses the slot to the same key stays quiet.  A full table
 * stays quiet too: a guest cannot make the host log without bound.
 */
static bool msr_first_report(struct vireo_vm *vm, u32 msr, bool write)
{
	u64 key = msr | (write ? 2ULL : 1ULL) << 32;
	int i;

	for (i = 0; i < VIREO_MSR_LOG_SLOTS; i++) {
		u64 old = READ_ONCE(vm->msr_logged[i]);

		if (!old)
			old = cmpxchg(&vm->msr_logged[i], 0, key);
		if (!old)
			return true;
		if (old == key)
			return false;
	}
	return false;
}

static void msr_report(struct vireo_vcpu *vcpu, u32 msr, bool write, u64 val,
		       bool known)
{
	const char *insn = write ? "wrmsr" : "rdmsr";

	/*
	 * Once per VM and MSR, at most VIREO_MSR_LOG_SLOTS lines per VM: a
	 * guest cannot flood the log (a rate limit across VMs would hide
	 * one VM's first report behind another's).
	 */
	if (!msr_first_report(vcpu->vm, msr, write))
		return;
	if (!known)
		pr_info("vireo: vm %d: guest %s %#x unknown, #GP\n",
			task_tgid_nr(current), insn, msr);
	else if (write)
		pr_info("vireo: vm %d: guest wrmsr %#x value %#llx refused, #GP\n",
			task_tgid_nr(current), msr, val);
	else
		pr_info("vireo: vm %d: guest rdmsr %#x refused, #GP\n",
			task_tgid_nr(current), msr);
}

int vireo_msr_get(struct vireo_vcpu *vcpu, u32 msr, u64 *val)
{
	const struct vireo_msr_desc *d = msr_find(msr);

	if (d && !d->get(vcpu, d, msr, val))
		return 0;
	msr_report(vcpu, msr, false, 0, d != NULL);
	return -EINVAL;
}

int vireo_msr_set(struct vireo_vcpu *vcpu, u32 msr, u64 val)
{
	const struct vireo_msr_desc *d = msr_find(msr);

	if (d && !d->set(vcpu, d, msr, val))
		return 0;
	msr_report(vcpu, msr, true, val, d != NULL);
	return -EINVAL;
}

/*
 * MTRRs are undefined at power-on and firmware sets them up (SDM Vol. 3A
 * 11.11.8).  Vireo boots kernels without firmware, so it leaves what
 * firmware would: MTRRs on, everything write-back.  With them off Linux
 * turns PAT off too ("MTRRs disabled, skipping PAT initialization").
 */
void vireo_msr_reset(struct vireo_vcpu *vcpu)
{
	memset(&vcpu->msrs, 0, sizeof(vcpu->msrs));
	vcpu->msrs.mtrr_def_type = MTRR_DEF_E | MTRR_TYPE_WB;
}
