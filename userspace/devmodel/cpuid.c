// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID tables.  Leaf and bit meanings: Intel SDM Vol. 2A, "CPUID—CPU
 * Identification" (Table 3-8, and Tables 3-10/3-11 for leaf 1), and AMD
 * APM Vol. 3, Appendix E "Obtaining Processor Information Via the CPUID
 * Instruction".
 *
 * From the host's CPUID, the guest gets a list of leaves, not all of them:
 * a leaf Vireo does not know may describe something the guest would then
 * try to use (a PMU, SGX, processor trace, XSAVE state).  In the leaves it
 * gets, feature bits are kept from a list of those that need nothing from
 * the hypervisor, so a host with features newer than this file exposes
 * none of them.  Left out on purpose:
 *
 *  - VMX, SVM, SMX: no nested virtualization.
 *  - MONITOR/MWAIT (and AMD's MONITORX): the vCPU would sleep in the
 *    guest instead of in the kernel's HLT.
 *  - XSAVE, OSXSAVE and so everything that needs XSAVE-managed state:
 *    AVX, AVX2, FMA, F16C, the AVX-512 family, VAES, VPCLMULQDQ, AVX-VNNI,
 *    AMX, MPX, CET, PKU.  vireo.ko switches only the x87/SSE state.
 *  - PCID, INVPCID, RDTSCP, RDPID, UMWAIT: VT-x raises #UD for INVPCID,
 *    RDTSCP (and RDPID) and TPAUSE/UMWAIT unless the hypervisor enables
 *    them, and vireo.ko does not.
 *  - LA57: the kernel's guest page walker knows 4 levels.
 *  - Features that are MSRs the kernel does not emulate: PDCM, the
 *    performance-monitoring leaf 0xA, DS/DTES64, thermal monitoring,
 *    TSC_ADJUST, the speculation controls, resource monitoring.
 *
 * Set whatever the host has: x2APIC and TSC-deadline (the kernel's local
 * APIC has both) and "running under a hypervisor".
 */
#include <cpuid.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cpuid.h"
#include "util.h"

#define BIT(n)		(1u << (n))
#define EAX		0
#define EBX		1
#define ECX		2
#define EDX		3

#define LEAF_TOPOLOGY	0xbu	/* extended topology */
#define LEAF_TOPOLOGY2	0x1fu	/* V2 extended topology */
#define MAX_BASIC_LEAF	LEAF_TOPOLOGY2
#define MAX_EXT_LEAF	0x80000008u

/* Leaf 1 ECX, Table 3-10. */
#define F1_ECX_KEEP	(BIT(0) |	/* SSE3 */			\
			 BIT(1) |	/* PCLMULQDQ */			\
			 BIT(9) |	/* SSSE3 */			\
			 BIT(13) |	/* CMPXCHG16B */		\
			 BIT(19) |	/* SSE4.1 */			\
			 BIT(20) |	/* SSE4.2 */			\
			 BIT(22) |	/* MOVBE */			\
			 BIT(23) |	/* POPCNT */			\
			 BIT(25) |	/* AES */			\
			 BIT(30))	/* RDRAND */
#define F1_ECX_X2APIC	BIT(21)
#define F1_ECX_TSC_DL	BIT(24)
#define F1_ECX_HV	BIT(31)		/* reserved for hypervisors */
/* Leaf 1 EDX, Table 3-11: all but PSN, DS, ACPI, HTT (topology), TM, PBE. */
#define F1_EDX_KEEP	(~(BIT(18) | BIT(21) | BIT(22) | BIT(28) |	\
			   BIT(29) | BIT(30) | BIT(31)))
#define F1_EDX_APIC	BIT(9)
#define F1_EDX_HTT	BIT(28)

/* Leaf 7 sub-leaf 0. */
#define F7_EBX_KEEP	(BIT(0) |	/* FSGSBASE */			\
			 BIT(3) |	/* BMI1 */			\
			 BIT(4) |	/* HLE */			\
			 BIT(6) |	/* FDP_EXCPTN_ONLY */		\
			 BIT(7) |	/* SMEP */			\
			 BIT(8) |	/* BMI2 */			\
			 BIT(9) |	/* ERMS */			\
			 BIT(11) |	/* RTM */			\
			 BIT(13) |	/* FCS/FDS deprecated */	\
			 BIT(18) |	/* RDSEED */			\
			 BIT(19) |	/* ADX */			\
			 BIT(20) |	/* SMAP */			\
			 BIT(23) |	/* CLFLUSHOPT */		\
			 BIT(24) |	/* CLWB */			\
			 BIT(29))	/* SHA */
#define F7_ECX_KEEP	(BIT(0) |	/* PREFETCHWT1 */		\
			 BIT(2) |	/* UMIP */			\
			 BIT(8) |	/* GFNI */			\
			 BIT(25) |	/* CLDEMOTE */			\
			 BIT(27) |	/* MOVDIRI */			\
			 BIT(28))	/* MOVDIR64B */
#define F7_EDX_KEEP	(BIT(4) |	/* fast short REP MOV */	\
			 BIT(10) |	/* MD_CLEAR: VERW flushes */	\
			 BIT(14) |	/* SERIALIZE */			\
			 BIT(16))	/* TSXLDTRK */
/* Leaf 7 sub-leaf 1 EAX: fast zero-length MOVSB, short STOSB, CMPSB. */
#define F7_1_EAX_KEEP	(BIT(10) | BIT(11) | BIT(12))

/* Leaf 0x80000001 (APM Vol. 3 E.4.2). */
#define X1_ECX_KEEP	(BIT(0) |	/* LAHF/SAHF in 64-bit mode */	\
			 BIT(5) |	/* LZCNT (ABM) */		\
			 BIT(6) |	/* SSE4A */			\
			 BIT(7) |	/* misaligned SSE */		\
			 BIT(8) |	/* PREFETCHW */			\
			 BIT(21))	/* TBM */
#define X1_ECX_CMP_LEGACY BIT(1)
/* All but FFXSR (EFER.FFXSR is refused) and RDTSCP. */
#define X1_EDX_KEEP	(~(BIT(25) | BIT(27)))
/* Leaf 0x80000007 EDX: invariant TSC (the guest's is the host's). */
#define X7_EDX_KEEP	BIT(8)
/* Leaf 0x80000008 EBX: CLZERO, XSAVE error-pointer behaviour. */
#define X8_EBX_KEEP	(BIT(0) | BIT(2))

#define ALL		0xffffffffu

/* Bits kept and bits set in a leaf; leaves not listed pass unchanged. */
static const struct cpuid_filter {
	uint32_t fn, index;
	uint32_t keep[4];	/* EAX, EBX, ECX, EDX */
	uint32_t set[4];
} filters[] = {
	/* EBX 31:16 (APIC ID, count) are the topology's. */
	{ .fn = 1, .keep = { ALL, 0xffff, F1_ECX_KEEP, F1_EDX_KEEP },
	  .set = { 0, 0, F1_ECX_X2APIC | F1_ECX_TSC_DL | F1_ECX_HV,
		   F1_EDX_APIC } },
	{ .fn = 7, .index = 0,
	  .keep = { ALL, F7_EBX_KEEP, F7_ECX_KEEP, F7_EDX_KEEP } },
	{ .fn = 7, .index = 1, .keep = { F7_1_EAX_KEEP, 0, 0, 0 } },
	/* ECX's CmpLegacy is the topology's. */
	{ .fn = 0x80000001, .keep = { ALL, ALL, X1_ECX_KEEP, X1_EDX_KEEP } },
	{ .fn = 0x80000007, .keep = { 0, 0, 0, X7_EDX_KEEP } },
	/* ECX (core count) is the topology's; EDX has nothing for guests. */
	{ .fn = 0x80000008, .keep = { ALL, X8_EBX_KEEP, 0, 0 } },
};

static uint32_t *reg(struct vireo_cpuid_entry *e, int r)
{
	uint32_t *regs[] = { &e->eax, &e->ebx, &e->ecx, &e->edx };

	return regs[r];
}

void cpuid_filter_entry(struct vireo_cpuid_entry *e)
{
	const struct cpuid_filter *f;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(filters); i++) {
		f = &filters[i];
		if (f->fn != e->function || f->index != e->index)
			continue;
		for (r = EAX; r <= EDX; r++)
			*reg(e, r) = (*reg(e, r) & f->keep[r]) | f->set[r];
		return;
	}
}

struct vireo_cpuid_entry *cpuid_find(struct cpuid_table *t, uint32_t fn,
				     uint32_t index)
{
	unsigned int i;

	for (i = 0; i < t->nent; i++) {
		struct vireo_cpuid_entry *e = &t->e[i];

		if (e->function != fn)
			continue;
		if (!(e->flags & VIREO_CPUID_SIGNIFICANT_INDEX) ||
		    e->index == index)
			return e;
	}
	return NULL;
}

static int cpuid_add(struct cpuid_table *t, const struct vireo_cpuid_entry *e)
{
	if (t->nent == CPUID_MAX_ENTRIES)
		return -E2BIG;
	t->e[t->nent++] = *e;
	return 0;
}

static void cpuid_remove(struct cpuid_table *t, uint32_t fn)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->nent; i++)
		if (t->e[i].function != fn)
			t->e[n++] = t->e[i];
	t->nent = n;
}

void cpuid_drop_kvm_leaves(struct cpuid_table *t)
{
	cpuid_remove(t, VIREO_CPUID_KVM_BASE);
	cpuid_remove(t, VIREO_CPUID_KVM_BASE + 1);
}

/* ---- the host's table ----------------------------------------------- */

static void host_add(struct cpuid_table *t, uint32_t fn, uint32_t index,
		     bool indexed)
{
	struct vireo_cpuid_entry e = {
		.function = fn, .index = indexed ? index : 0,
		.flags = indexed ? VIREO_CPUID_SIGNIFICANT_INDEX : 0,
	};

	__cpuid_count(fn, index, e.eax, e.ebx, e.ecx, e.edx);
	cpuid_filter_entry(&e);
	cpuid_add(t, &e);
}

/* Leaf 4: one sub-leaf per cache, until the null type (EAX[4:0] == 0). */
static void host_add_caches(struct cpuid_table *t)
{
	uint32_t i, a, b, c, d;

	for (i = 0; i < 64; i++) {
		__cpuid_count(4, i, a, b, c, d);
		if ((a & 0x1f) == 0)
			break;
		host_add(t, 4, i, true);
	}
}

static void host_add_basic(struct cpuid_table *t, uint32_t max)
{
	struct vireo_cpuid_entry *e;

	host_add(t, 0, 0, false);
	e = cpuid_find(t, 0, 0);
	/* Up to the topology leaves the vCPUs get in any case. */
	e->eax = max < LEAF_TOPOLOGY ? LEAF_TOPOLOGY :
		 max > MAX_BASIC_LEAF ? MAX_BASIC_LEAF : max;
	host_add(t, 1, 0, false);
	if (max >= 2)
		host_add(t, 2, 0, false);
	if (max >= 4)
		host_add_caches(t);
	/* Leaf 6: only ARAT, the LAPIC timer runs in every C-state. */
	cpuid_add(t, &(struct vireo_cpuid_entry) { .function = 6,
						   .eax = BIT(2) });
	if (max >= 7) {
		host_add(t, 7, 0, true);
		e = cpuid_find(t, 7, 0);
		if (e->eax >= 1) {
			e->eax = 1;
			host_add(t, 7, 1, true);
		}
	}
	/* 0xB and 0x1F are made per vCPU; mark 0x1F as wanted. */
	if (max >= LEAF_TOPOLOGY2)
		cpuid_add(t, &(struct vireo_cpuid_entry) {
			.function = LEAF_TOPOLOGY2,
			.flags = VIREO_CPUID_SIGNIFICANT_INDEX });
	/* TSC/crystal and frequencies: the guest's TSC is the host's. */
	if (max >= 0x15)
		host_add(t, 0x15, 0, false);
	if (max >= 0x16)
		host_add(t, 0x16, 0, false);
}

static void host_add_extended(struct cpuid_table *t)
{
	uint32_t fn, max = __get_cpuid_max(0x80000000, NULL);

	if (max < 0x80000001)
		return;
	host_add(t, 0x80000000, 0, false);
	if (max > MAX_EXT_LEAF) {
		max = MAX_EXT_LEAF;
		cpuid_find(t, 0x80000000, 0)->eax = max;
	}
	/* Features, brand string, caches, power (invariant TSC), sizes. */
	for (fn = 0x80000001; fn <= max; fn++)
		host_add(t, fn, 0, false);
}

static void hv_leaf(struct vireo_cpuid_entry *e)
{
	*e = (struct vireo_cpuid_entry) { .function = CPUID_HV_LEAF,
					  .eax = CPUID_HV_LEAF };
	memcpy(&e->ebx, CPUID_HV_SIGNATURE, 4);
	memcpy(&e->ecx, CPUID_HV_SIGNATURE + 4, 4);
	memcpy(&e->edx, CPUID_HV_SIGNATURE + 8, 4);
}

void cpuid_host_table(struct cpuid_table *t)
{
	struct vireo_cpuid_entry hv;

	t->nent = 0;
	host_add_basic(t, __get_cpuid_max(0, NULL));
	hv_leaf(&hv);
	cpuid_add(t, &hv);
	host_add_extended(t);
}

#ifdef VIREO_GET_SUPPORTED_CPUID
static int cpuid_from_kernel(int dev_fd, struct cpuid_table *t)
{
	struct vireo_cpuid *c;
	int err = 0;

	c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(dev_fd, VIREO_GET_SUPPORTED_CPUID, c) < 0) {
		err = -errno;
		pr_err("VIREO_GET_SUPPORTED_CPUID failed: %s\n",
		       strerror(-err));
	} else if (c->nent > CPUID_MAX_ENTRIES) {
		err = -E2BIG;
		pr_err("VIREO_GET_SUPPORTED_CPUID: %u entries, more than %u\n",
		       c->nent, CPUID_MAX_ENTRIES);
	} else {
		t->nent = c->nent;
		memcpy(t->e, c->entries, c->nent * sizeof(t->e[0]));
	}
	free(c);
	return err;
}
#endif

int cpuid_supported(int dev_fd, struct cpuid_table *t)
{
#ifdef VIREO_GET_SUPPORTED_CPUID
	return cpuid_from_kernel(dev_fd, t);
#else
	cpuid_host_table(t);
	return 0;
#endif
}

/* ---- per vCPU: APIC ID and topology --------------------------------- */

/* Bits of an APIC ID that tell nr IDs apart: ceil(log2(nr)). */
static unsigned int id_bits(unsigned int nr)
{
	unsigned int bits = 0;

	while ((1u << bits) < nr)
		bits++;
	return bits;
}

static bool vendor_is(struct cpuid_table *t, const char *vendor)
{
	struct vireo_cpuid_entry *e = cpuid_find(t, 0, 0);
	char s[12];

	if (!e)
		return false;
	memcpy(s, &e->ebx, 4);
	memcpy(s + 4, &e->edx, 4);
	memcpy(s + 8, &e->ecx, 4);
	return memcmp(s, vendor, sizeof(s)) == 0;
}

static bool amd_like(struct cpuid_table *t)
{
	return vendor_is(t, "AuthenticAMD") || vendor_is(t, "HygonGenuine");
}

/*
 * Leaf 0xB and 0x1F (SDM Vol. 3A 9.9 "Hierarchical Mapping of Shared
 * Resources"): an SMT level of one thread (no ID bits), then a core level
 * of nr cores; ECX[7:0] echoes the sub-leaf and EDX is the x2APIC ID in
 * every sub-leaf, the invalid one that ends the list included.
 */
static int topology_leaf(struct cpuid_table *t, uint32_t fn, unsigned int id,
			 unsigned int nr)
{
	static const uint32_t level_type[] = { 1, 2, 0 };  /* SMT, core, end */
	uint32_t i;
	int err;

	cpuid_remove(t, fn);
	for (i = 0; i < ARRAY_SIZE(level_type); i++) {
		struct vireo_cpuid_entry e = {
			.function = fn, .index = i,
			.flags = VIREO_CPUID_SIGNIFICANT_INDEX,
			.ecx = (level_type[i] << 8) | i, .edx = id,
		};

		if (level_type[i] == 1) {
			e.ebx = 1;
		} else if (level_type[i] == 2) {
			e.eax = id_bits(nr);
			e.ebx = nr;
		}
		err = cpuid_add(t, &e);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Deterministic cache parameters, Intel leaf 4 and AMD 0x8000001D: EAX
 * bits 25:14 are the IDs sharing the cache less one (L1 and L2 are per
 * core, so per thread here; L3 serves the package), and in leaf 4 bits
 * 31:26 the core IDs of the package less one.
 */
static void cache_topology(struct cpuid_table *t, uint32_t fn,
			   unsigned int nr)
{
	uint32_t ids = (1u << id_bits(nr)) - 1;
	unsigned int i;

	for (i = 0; i < t->nent; i++) {
		struct vireo_cpuid_entry *e = &t->e[i];
		uint32_t level = (e->eax >> 5) & 7;

		if (e->function != fn || (e->eax & 0x1f) == 0)
			continue;
		e->eax &= 0x3fff;
		e->eax |= (level >= 3 ? ids : 0) << 14;
		if (fn == 4)
			e->eax |= ids << 26;
	}
}

/* AMD: cores per package in 0x80000008 and CmpLegacy; 0x8000001E. */
static void amd_topology(struct cpuid_table *t, unsigned int id,
			 unsigned int nr)
{
	struct vireo_cpuid_entry *e;

	e = cpuid_find(t, 0x80000001, 0);
	if (e)
		e->ecx = nr > 1 ? e->ecx | X1_ECX_CMP_LEGACY :
			 e->ecx & ~X1_ECX_CMP_LEGACY;
	e = cpuid_find(t, 0x80000008, 0);
	if (e)
		e->ecx = (id_bits(nr) << 12) | (nr - 1);
	/* Extended APIC ID, core ID with one thread, node 0 of 1. */
	e = cpuid_find(t, 0x8000001e, 0);
	if (e) {
		e->eax = id;
		e->ebx = id & 0xff;
		e->ecx = 0;
		e->edx = 0;
	}
}

static int ensure_hv_leaf(struct cpuid_table *t)
{
	struct vireo_cpuid_entry hv;

	if (cpuid_find(t, CPUID_HV_LEAF, 0))
		return 0;
	hv_leaf(&hv);
	return cpuid_add(t, &hv);
}

int cpuid_for_vcpu(const struct cpuid_table *base, unsigned int id,
		   unsigned int nr, struct cpuid_table *out)
{
	struct vireo_cpuid_entry *e;
	int err;

	if (nr < 1 || nr > CPUID_MAX_VCPUS || id >= nr)
		return -EINVAL;
	*out = *base;
	e = cpuid_find(out, 1, 0);
	if (e) {
		/* Initial APIC ID, addressable logical processor IDs. */
		e->ebx = (e->ebx & 0xffff) | ((nr & 0xff) << 16) | (id << 24);
		e->edx = nr > 1 ? e->edx | F1_EDX_HTT : e->edx & ~F1_EDX_HTT;
	}
	cache_topology(out, 4, nr);
	cache_topology(out, 0x8000001d, nr);
	if (amd_like(out))
		amd_topology(out, id, nr);
	e = cpuid_find(out, 0, 0);
	if (e && e->eax < LEAF_TOPOLOGY)
		e->eax = LEAF_TOPOLOGY;
	err = topology_leaf(out, LEAF_TOPOLOGY, id, nr);
	if (!err && cpuid_find(out, LEAF_TOPOLOGY2, 0))
		err = topology_leaf(out, LEAF_TOPOLOGY2, id, nr);
	if (!err)
		err = ensure_hv_leaf(out);
	return err;
}

int cpuid_set(int vcpu_fd, const struct cpuid_table *t)
{
	struct vireo_cpuid *c;
	int err = 0;

	c = calloc(1, sizeof(*c) + t->nent * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = t->nent;
	memcpy(c->entries, t->e, t->nent * sizeof(t->e[0]));
	if (ioctl(vcpu_fd, VIREO_SET_CPUID, c) < 0)
		err = -errno;
	free(c);
	return err;
}
