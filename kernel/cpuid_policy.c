// SPDX-License-Identifier: GPL-2.0
/*
 * VIREO_GET_SUPPORTED_CPUID: the CPUID leaves Vireo can give a guest, the
 * host's masked to what the module really handles.  The masks are allow
 * lists: a feature bit passes only where the table below names it, so a
 * newer host CPU never hands a guest state Vireo does not switch or
 * instructions it does not intercept.  Userspace starts from this table,
 * fills in the topology (APIC IDs, core and thread counts: leaves 1, 4,
 * 0xB, 0x1F and 0x80000008) and gives it to each vCPU with SET_CPUID.
 *
 * Leaf and bit numbers: SDM Vol. 2A "CPUID" (Tables 3-8 to 3-11), APM
 * Vol. 3 Appendix E "Obtaining Processor Information Via the CPUID
 * Instruction".  Left out on purpose, and why:
 *  - VMX, SVM, SMX: no nested virtualization;
 *  - MONITOR/MWAIT, MONITORX: intercepted as #UD;
 *  - XSAVES, XFD, AMX, MPX, XOP, FMA4, PKU: the guest's XCR0 may hold only
 *    what guest_fpu.c switches (x87, SSE, AVX, AVX-512), and nothing
 *    switches IA32_XSS, XFD or PKRU-in-XSAVE;
 *  - AVX and AVX-512 themselves, where the host's XCR0 lacks them
 *    (cpuid_fixup() clears them then, and leaf 0xD follows);
 *  - RDTSCP, RDPID: TSC_AUX is not switched (RDTSCP is #UD);
 *  - INVPCID: #UD under VT-x (the control is off); PCID itself works;
 *  - PDCM, DS, DTES64, leaf 0xA, PerfCtrExt*: no PMU (Linux then says
 *    "PMU not available due to virtualization");
 *  - MCE, MCA: no machine-check banks (msr.c);
 *  - IBRS, IBPB, STIBP, SSBD, ARCH_CAPABILITIES, FLUSH_L1D and the like:
 *    SPEC_CTRL and PRED_CMD are not implemented (the guest mitigates
 *    without them);
 *  - TSC_ADJUST, HLE/RTM, LA57, TopoExt, NodeId, OSVW, IBS and the rest
 *    of the model-specific machinery: no MSRs behind them.
 * Set whatever the host has: the hypervisor bit, x2APIC and the TSC
 * deadline timer (the in-kernel LAPIC has both), APIC, ARAT.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/kvm_para.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <asm/fpu/types.h>

#include "vireo.h"

#define ALL		0xffffffffU
#define MAX_BASIC	0x1f
#define MAX_EXTENDED	0x80000008
#define MAX_SUBLEAVES	16

/* CPUID.1:ECX */
#define L1_ECX_KEEP	(BIT(0) /* SSE3 */ | BIT(1) /* PCLMULQDQ */ |	\
			 BIT(9) /* SSSE3 */ | BIT(13) /* CMPXCHG16B */ |	\
			 BIT(17) /* PCID */ | BIT(19) /* SSE4.1 */ |	\
			 BIT(20) /* SSE4.2 */ | BIT(22) /* MOVBE */ |	\
			 BIT(23) /* POPCNT */ | BIT(25) /* AESNI */ |	\
			 BIT(30) /* RDRAND */ | BIT(26) /* XSAVE */ |	\
			 L1_ECX_AVX)
/* CPUID.1:ECX bits that need AVX state (XCR0 bit 2). */
#define L1_ECX_AVX	(BIT(12) /* FMA */ | BIT(28) /* AVX */ |	\
			 BIT(29) /* F16C */)
#define L1_ECX_SET	(BIT(21) /* x2APIC */ | BIT(24) /* TSC deadline */ | \
			 BIT(31) /* hypervisor present */)
/* CPUID.1:EDX */
#define L1_EDX_KEEP	(BIT(0) /* FPU */ | BIT(1) /* VME */ | BIT(2) /* DE */ | \
			 BIT(3) /* PSE */ | BIT(4) /* TSC */ | BIT(5) /* MSR */ | \
			 BIT(6) /* PAE */ | BIT(8) /* CX8 */ |		\
			 BIT(11) /* SEP */ | BIT(12) /* MTRR */ |	\
			 BIT(13) /* PGE */ | BIT(15) /* CMOV */ |	\
			 BIT(16) /* PAT */ | BIT(17) /* PSE-36 */ |	\
			 BIT(19) /* CLFSH */ | BIT(23) /* MMX */ |	\
			 BIT(24) /* FXSR */ | BIT(25) /* SSE */ |	\
			 BIT(26) /* SSE2 */ | BIT(27) /* SS */)
#define L1_EDX_SET	BIT(9)	/* APIC: the in-kernel LAPIC */
/* CPUID.6:EAX: ARAT, the LAPIC timer (an hrtimer) never stops. */
#define L6_EAX_SET	BIT(2)
/* CPUID.(EAX=7,ECX=0):EBX */
#define L7_EBX_KEEP	(BIT(0) /* FSGSBASE */ | BIT(3) /* BMI1 */ |	\
			 BIT(6) /* FDP_EXCPTN_ONLY */ | BIT(7) /* SMEP */ | \
			 BIT(8) /* BMI2 */ | BIT(9) /* ERMS */ |	\
			 BIT(13) /* FPU CS/DS deprecated */ |		\
			 BIT(18) /* RDSEED */ | BIT(19) /* ADX */ |	\
			 BIT(20) /* SMAP */ | BIT(23) /* CLFLUSHOPT */ |	\
			 BIT(24) /* CLWB */ | BIT(29) /* SHA */ |	\
			 L7_EBX_AVX | L7_EBX_AVX512)
#define L7_EBX_AVX	BIT(5)	/* AVX2 */
#define L7_EBX_AVX512	(BIT(16) /* F */ | BIT(17) /* DQ */ |	\
			 BIT(21) /* IFMA */ | BIT(28) /* CD */ |		\
			 BIT(30) /* BW */ | BIT(31) /* VL */)
/* CPUID.(EAX=7,ECX=0):ECX */
#define L7_ECX_KEEP	(BIT(2) /* UMIP */ | BIT(8) /* GFNI */ |	\
			 BIT(25) /* CLDEMOTE */ | BIT(27) /* MOVDIRI */ |	\
			 BIT(28) /* MOVDIR64B */ | L7_ECX_AVX |		\
			 L7_ECX_AVX512)
#define L7_ECX_AVX	(BIT(9) /* VAES */ | BIT(10) /* VPCLMULQDQ */)
#define L7_ECX_AVX512	(BIT(1) /* VBMI */ | BIT(6) /* VBMI2 */ |	\
			 BIT(11) /* VNNI */ | BIT(12) /* BITALG */ |	\
			 BIT(14) /* VPOPCNTDQ */)
/* CPUID.(EAX=7,ECX=0):EDX */
#define L7_EDX_KEEP	(BIT(4) /* fast short REP MOV */ |		\
			 BIT(10) /* MD_CLEAR: VERW clears buffers */ |	\
			 BIT(14) /* SERIALIZE */ | L7_EDX_AVX512)
#define L7_EDX_AVX512	(BIT(8) /* VP2INTERSECT */ | BIT(23) /* FP16 */)
/* CPUID.(EAX=0DH,ECX=1):EAX: XSAVEOPT, XSAVEC, XGETBV with ECX = 1. */
#define LD1_EAX_KEEP	(BIT(0) | BIT(1) | BIT(2))
/* CPUID.80000001H:ECX */
#define E1_ECX_KEEP	(BIT(0) /* LAHF/SAHF */ | BIT(5) /* LZCNT */ |	\
			 BIT(6) /* SSE4A */ | BIT(7) /* misaligned SSE */ | \
			 BIT(8) /* PREFETCHW */)
/* CPUID.80000001H:EDX; AMD repeats many CPUID.1:EDX bits here. */
#define E1_EDX_KEEP	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) |	\
			 BIT(5) | BIT(6) | BIT(8) | BIT(12) | BIT(13) |	\
			 BIT(15) | BIT(16) | BIT(17) | BIT(23) | BIT(24) | \
			 BIT(9) /* APIC */ | BIT(11) /* SYSCALL */ |	\
			 BIT(20) /* NX */ | BIT(22) /* MMX extensions */ | \
			 BIT(26) /* 1-GByte pages */ | BIT(29) /* LM */ | \
			 BIT(30) /* 3DNow! ext */ | BIT(31) /* 3DNow! */)
/* CPUID.80000007H:EDX: invariant TSC (the host's, offset). */
#define E7_EDX_KEEP	BIT(8)
/* CPUID.80000008H:EBX */
#define E8_EBX_KEEP	(BIT(0) /* CLZERO */ |				\
			 BIT(2) /* FXSAVE saves error pointers */ |	\
			 BIT(9) /* WBNOINVD */)

enum { R_EAX, R_EBX, R_ECX, R_EDX };

enum cpuid_subleaves {
	SUB_NONE,	/* one entry, ECX ignored */
	SUB_FIRST,	/* subleaf 0 only, ECX significant */
	SUB_CACHE,	/* leaf 4: until a null cache type (EAX 4:0) */
	SUB_TOPO,	/* leaves 0xB, 0x1F: until a null level type (ECX 15:8) */
	SUB_XSAVE,	/* leaf 0xD: subleaves 0 and 1, then one per component */
};

struct cpuid_policy {
	u32 function;
	enum cpuid_subleaves subleaves;
	u32 keep[4];		/* EAX, EBX, ECX, EDX: host bits passed on */
	u32 set[4];		/* bits set whatever the host has */
};

#define PASS	{ ALL, ALL, ALL, ALL }

static const struct cpuid_policy cpuid_policy[] = {
	/* The highest basic leaf (capped below) and the vendor. */
	{ 0x00000000, SUB_NONE, PASS },
	/*
	 * Signature; CLFLUSH line size and brand index in EBX 15:0 (the
	 * initial APIC ID and logical count above are userspace's, HTT too).
	 */
	{ 0x00000001, SUB_NONE, { ALL, 0xffff, L1_ECX_KEEP, L1_EDX_KEEP },
	  { 0, 0, L1_ECX_SET, L1_EDX_SET } },
	/* Cache and TLB descriptors. */
	{ 0x00000002, SUB_NONE, PASS },
	/* Deterministic cache parameters; EAX 31:14 is topology. */
	{ 0x00000004, SUB_CACHE, PASS },
	{ 0x00000006, SUB_NONE, { 0 }, { L6_EAX_SET } },
	/* Structured extended features: subleaf 0 only, so EAX = 0. */
	{ 0x00000007, SUB_FIRST, { 0, L7_EBX_KEEP, L7_ECX_KEEP, L7_EDX_KEEP } },
	/*
	 * XSAVE: subleaf 0 EAX/EDX and subleaves 2 and up are rewritten from
	 * vireo_xfeatures (cpuid_fixup()); EBX of subleaf 0 follows the
	 * guest's XCR0 (cpuid.c).  Nothing of XSAVES (subleaf 1 EBX-EDX).
	 */
	{ 0x0000000d, SUB_XSAVE, { ALL, ALL, ALL, ALL } },
	/* Extended topology: the host's shape; EDX, the x2APIC ID, per vCPU. */
	{ 0x0000000b, SUB_TOPO, { ALL, ALL, ALL, 0 } },
	/* TSC/crystal ratio and frequencies: the guest TSC is the host's. */
	{ 0x00000015, SUB_NONE, PASS },
	{ 0x00000016, SUB_NONE, PASS },
	{ 0x0000001f, SUB_TOPO, { ALL, ALL, ALL, 0 } },
	/* The highest extended leaf (capped below); AMD's vendor string. */
	{ 0x80000000, SUB_NONE, PASS },
	{ 0x80000001, SUB_NONE, { ALL, ALL, E1_ECX_KEEP, E1_EDX_KEEP } },
	/* Brand string, caches and TLBs. */
	{ 0x80000002, SUB_NONE, PASS },
	{ 0x80000003, SUB_NONE, PASS },
	{ 0x80000004, SUB_NONE, PASS },
	{ 0x80000005, SUB_NONE, PASS },
	{ 0x80000006, SUB_NONE, PASS },
	{ 0x80000007, SUB_NONE, { 0, 0, 0, E7_EDX_KEEP } },
	/*
	 * Address sizes (capped below); ECX (core count, APIC ID size) is
	 * userspace's.
	 */
	{ 0x80000008, SUB_NONE, { 0xffff, E8_EBX_KEEP, 0, 0 } },
};

/* "VireoVireoVi" in EBX, ECX, EDX, as KVM puts "KVMKVMKVM" there. */
#define VIREO_SIG_EBX	0x65726956	/* "Vire" */
#define VIREO_SIG_ECX	0x7269566f	/* "oVir" */
#define VIREO_SIG_EDX	0x69566f65	/* "eoVi" */

/* Entries the table can produce, with room for every subleaf. */
#define SUPPORTED_MAX	(ARRAY_SIZE(cpuid_policy) + 4 * MAX_SUBLEAVES + 4)

static bool cpuid_last_subleaf(enum cpuid_subleaves sub, const u32 r[4])
{
	switch (sub) {
	case SUB_CACHE:
		return !(r[R_EAX] & 0x1f);
	case SUB_TOPO:
		return !(r[R_ECX] & 0xff00);
	case SUB_XSAVE:
		return true;	/* cpuid_add_leaf() picks the subleaves */
	default:
		return true;
	}
}

/* Leaf 0xD, subleaf @index: what guest_fpu.c switches, and its layout. */
static void cpuid_fixup_xsave(struct vireo_cpuid_entry *e)
{
	switch (e->index) {
	case 0:
		e->eax = (u32)vireo_xfeatures;
		e->edx = vireo_xfeatures >> 32;
		e->ecx = vireo_xsave_size(vireo_xfeatures);
		e->ebx = vireo_xsave_size(XFEATURE_MASK_FP);
		break;
	case 1:
		e->eax &= LD1_EAX_KEEP;
		e->ebx = e->ecx = e->edx = 0;
		break;
	default:
		/* Size, offset, and ECX bit 1 (aligned when compacted). */
		e->ecx &= BIT(1);
		e->edx = 0;
		break;
	}
}

/* Feature bits that need extended state guest_fpu.c may not switch here. */
static void cpuid_fixup_features(struct vireo_cpuid_entry *e)
{
	bool avx = vireo_xfeatures & XFEATURE_MASK_YMM;
	bool avx512 = vireo_xfeatures & XFEATURE_MASK_AVX512;

	if (e->function == 1) {
		/* The deadline is turned into time with tsc_khz (lapic.c). */
		if (!tsc_khz)
			e->ecx &= ~BIT(24);
		if (!vireo_xfeatures)
			e->ecx &= ~BIT(26);
		if (!avx)
			e->ecx &= ~L1_ECX_AVX;
	} else if (e->function == 7 && e->index == 0) {
		if (!avx) {
			e->ebx &= ~L7_EBX_AVX;
			e->ecx &= ~L7_ECX_AVX;
		}
		if (!avx512) {
			e->ebx &= ~L7_EBX_AVX512;
			e->ecx &= ~L7_ECX_AVX512;
			e->edx &= ~L7_EDX_AVX512;
		}
	}
}

/* Caps that are values, not feature bits. */
static void cpuid_fixup(struct vireo_cpuid_entry *e)
{
	u32 phys, virt;

	cpuid_fixup_features(e);
	switch (e->function) {
	case 0xd:
		cpuid_fixup_xsave(e);
		break;
	case 0:
		e->eax = min(e->eax, (u32)MAX_BASIC);
		break;
	case 0x80000000:
		e->eax = min(e->eax, (u32)MAX_EXTENDED);
		break;
	case 0x80000008:
		/*
		 * Physical address bits within what the nested page tables
		 * map; linear address bits 48, there being no LA57.
		 */
		phys = min(e->eax & 0xff, (u32)VIREO_GPA_BITS);
		virt = min((e->eax >> 8) & 0xff, 48U);
		e->eax = phys | virt << 8;
		break;
	}
}

/* Leaf 0xD has subleaves 0, 1 and one per switched component. */
static bool cpuid_skip_subleaf(const struct cpuid_policy *p, u32 i)
{
	return p->subleaves == SUB_XSAVE && i > 1 &&
	       !(vireo_xfeatures & BIT_ULL(i));
}

static u32 cpuid_add_leaf(struct vireo_cpuid_entry *out, u32 n,
			  const struct cpuid_policy *p)
{
	u32 i, r[4];
	int k;

	if (p->subleaves == SUB_XSAVE && !vireo_xfeatures)
		return n;
	for (i = 0; i < MAX_SUBLEAVES; i++) {
		struct vireo_cpuid_entry *e;

		if (cpuid_skip_subleaf(p, i))
			continue;
		e = &out[n++];

		cpuid_count(p->function, i, &r[R_EAX], &r[R_EBX], &r[R_ECX],
			    &r[R_EDX]);
		memset(e, 0, sizeof(*e));
		e->function = p->function;
		e->index = i;
		if (p->subleaves != SUB_NONE)
			e->flags = VIREO_CPUID_SIGNIFICANT_INDEX;
		for (k = 0; k < 4; k++)
			r[k] = (r[k] & p->keep[k]) | p->set[k];
		e->eax = r[R_EAX];
		e->ebx = r[R_EBX];
		e->ecx = r[R_ECX];
		e->edx = r[R_EDX];
		cpuid_fixup(e);
		if (p->subleaves != SUB_XSAVE &&
		    cpuid_last_subleaf(p->subleaves, r))
			break;
	}
	return n;
}

/* Fills @out (SUPPORTED_MAX entries); returns how many. */
static u32 cpuid_supported(struct vireo_cpuid_entry *out)
{
	u32 max_basic = cpuid_eax(0), max_ext = cpuid_eax(0x80000000);
	u32 n = 0, features;
	int i;

	for (i = 0; i < ARRAY_SIZE(cpuid_policy); i++) {
		u32 fn = cpuid_policy[i].function;

		if (fn > (fn & 0x80000000 ? max_ext : max_basic))
			continue;
		n = cpuid_add_leaf(out, n, &cpuid_policy[i]);
	}
	/*
	 * The hypervisor leaves (Intel SDM Vol. 2A "CPUID", 40000000H is
	 * reserved for software): the signature, and 40000001H for Vireo's
	 * paravirtual features, none defined yet.
	 */
	out[n++] = (struct vireo_cpuid_entry) {
		.function = VIREO_CPUID_SIGNATURE, .eax = VIREO_CPUID_FEATURES,
		.ebx = VIREO_SIG_EBX, .ecx = VIREO_SIG_ECX, .edx = VIREO_SIG_EDX,
	};
	out[n++] = (struct vireo_cpuid_entry) {
		.function = VIREO_CPUID_FEATURES,
	};
	/*
	 * KVM's, for the guest's clock (kvmclock.c): "KVMKVMKVM\0\0\0", and
	 * features whose cost is a bit: the clock MSRs (only with a known
	 * TSC rate), that the stable bit may be set, and that port 0x80
	 * delays are not needed.  The rest of KVM's list (steal time, PV
	 * EOI, PV IPIs, async page faults...) is not offered.
	 */
	features = BIT(KVM_FEATURE_NOP_IO_DELAY);
	if (tsc_khz)
		features |= BIT(KVM_FEATURE_CLOCKSOURCE) |
			    BIT(KVM_FEATURE_CLOCKSOURCE2) |
			    BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);
	out[n++] = (struct vireo_cpuid_entry) {
		.function = VIREO_CPUID_KVM_BASE,
		.eax = VIREO_CPUID_KVM_BASE + 1,
		.ebx = 0x4b4d564b, .ecx = 0x564b4d56, .edx = 0x4d,
	};
	out[n++] = (struct vireo_cpuid_entry) {
		.function = VIREO_CPUID_KVM_BASE + 1, .eax = features,
	};
	return n;
}

int vireo_get_supported_cpuid(void __user *arg)
{
	struct vireo_cpuid __user *uc = arg;
	struct vireo_cpuid_entry *e;
	struct vireo_cpuid hdr;
	u32 n;
	int r = 0;

	if (copy_from_user(&hdr, uc, sizeof(hdr)))
		return -EFAULT;
	if (hdr.padding)
		return -EINVAL;
	e = kmalloc_array(SUPPORTED_MAX, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	n = cpuid_supported(e);
	if (hdr.nent < n)
		r = -E2BIG;
	else if (copy_to_user(uc->entries, e, n * sizeof(*e)))
		r = -EFAULT;
	/* On E2BIG too: nent tells userspace how many entries to make room for. */
	if ((!r || r == -E2BIG) && put_user(n, &uc->nent))
		r = -EFAULT;
	kfree(e);
	return r;
}
