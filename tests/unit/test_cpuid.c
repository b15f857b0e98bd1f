// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID tables: the masking of this host's CPUID (and of a synthetic all-
 * ones one, so every masked bit is checked whatever the host has), then
 * the per-vCPU tables for 1, 2 and 4 vCPUs: APIC IDs, leaf 0xB/0x1F
 * topology, cache sharing, and on an AMD-like table the core count.
 */
#include <errno.h>
#include <string.h>

#include "cpuid.h"
#include "tap.h"

#define BIT(n)	(1u << (n))

static struct cpuid_table base, vt[4];

static struct vireo_cpuid_entry *find(struct cpuid_table *t, uint32_t fn,
				      uint32_t index)
{
	return cpuid_find(t, fn, index);
}

/*
 * The host's raw CPUID, for bits that must pass unchanged.  (GCC's
 * <cpuid.h> is shadowed here by the device model's, on the include path.)
 */
static uint32_t host(uint32_t fn, int reg)
{
	uint32_t r[4];

	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(fn), "c"(0));
	return r[reg];
}

static void test_host_masking(void)
{
	struct vireo_cpuid_entry *e;

	cpuid_host_table(&base);
	diag("host table: %u entries", base.nent);
	ok(base.nent > 5 && base.nent < CPUID_MAX_ENTRIES, "host table built");

	e = find(&base, 0, 0);
	ok(e && e->eax >= 0xb && e->eax <= 0x1f,
	   "leaf 0: max basic leaf 0x%x within 0xB..0x1F", e ? e->eax : 0);
	ok(e && e->ebx == host(0, 1) && e->ecx == host(0, 2) &&
	   e->edx == host(0, 3), "leaf 0: the host's vendor");

	e = find(&base, 1, 0);
	ok(e != NULL, "leaf 1 present");
	if (!e)
		return;
	ok(!(e->ecx & (BIT(5) | BIT(3) | BIT(26) | BIT(27) | BIT(28) |
		       BIT(17) | BIT(15))),
	   "leaf 1: VMX, MONITOR, XSAVE, OSXSAVE, AVX, PCID, PDCM clear");
	ok((e->ecx & (BIT(21) | BIT(24) | BIT(31))) ==
	   (BIT(21) | BIT(24) | BIT(31)),
	   "leaf 1: x2APIC, TSC-deadline, hypervisor set");
	is_int(e->eax, host(1, 0), "leaf 1: the host's family/model/stepping");
	is_int(e->edx & (BIT(0) | BIT(25) | BIT(26)),
	       host(1, 3) & (BIT(0) | BIT(25) | BIT(26)),
	       "leaf 1: FPU, SSE, SSE2 as the host has them");
	is_int(e->ecx & (BIT(0) | BIT(19) | BIT(20)),
	       host(1, 2) & (BIT(0) | BIT(19) | BIT(20)),
	       "leaf 1: SSE3, SSE4.1, SSE4.2 as the host has them");

	e = find(&base, 7, 0);
	if (e) {
		ok(!(e->ebx & (BIT(5) | BIT(16) | BIT(17) | BIT(30) |
			       BIT(31) | BIT(10))),
		   "leaf 7: AVX2, AVX512F/DQ/BW/VL, INVPCID clear");
		ok(!(e->ecx & (BIT(1) | BIT(4) | BIT(11))) &&
		   !(e->edx & (BIT(23) | BIT(24))),
		   "leaf 7: AVX512_VBMI/VNNI, OSPKE, AVX512_FP16, AMX clear");
		ok(e->eax <= 1, "leaf 7: at most sub-leaf 1");
	} else {
		ok(1, "no leaf 7 on this host # SKIP");
	}
	e = find(&base, 0xa, 0);
	ok(!e || !(e->eax | e->ebx | e->ecx | e->edx),
	   "leaf 0xA (performance monitoring) reads as zeros");
	ok(!find(&base, 0xd, 0), "leaf 0xD (XSAVE) left out");

	e = find(&base, 0x80000001, 0);
	ok(e && !(e->ecx & BIT(2)) && !(e->edx & BIT(27)),
	   "0x80000001: SVM and RDTSCP clear");
	ok(e && (e->edx & BIT(29)) == (host(0x80000001, 3) & BIT(29)),
	   "0x80000001: long mode as the host has it");
	e = find(&base, 0x80000000, 0);
	ok(e && e->eax >= 0x80000001 && e->eax <= 0x80000008,
	   "0x80000000: extended leaves up to 0x%x", e ? e->eax : 0);

	e = find(&base, CPUID_HV_LEAF, 0);
	ok(e && e->eax == CPUID_HV_LEAF &&
	   !memcmp(&e->ebx, "Vire", 4) && !memcmp(&e->ecx, "oVir", 4) &&
	   !memcmp(&e->edx, "eoVi", 4),
	   "0x40000000: max leaf and \"VireoVireoVi\"");
}

static struct vireo_cpuid_entry ones(uint32_t fn, uint32_t index)
{
	return (struct vireo_cpuid_entry) {
		.function = fn, .index = index,
		.eax = ~0u, .ebx = ~0u, .ecx = ~0u, .edx = ~0u,
	};
}

/* Whatever the host has, the filter clears and keeps these. */
static void test_filter(void)
{
	struct vireo_cpuid_entry e;

	e = ones(1, 0);
	cpuid_filter_entry(&e);
	is_int(e.ecx & (BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) |
			BIT(8) | BIT(12) | BIT(15) | BIT(17) | BIT(18) |
			BIT(26) | BIT(27) | BIT(28) | BIT(29)), 0,
	       "leaf 1 ECX: DTES64, MONITOR, DS-CPL, VMX, SMX, EST, TM2, FMA, PDCM, PCID, DCA, XSAVE, OSXSAVE, AVX, F16C cleared");
	is_int(e.ecx & (BIT(0) | BIT(13) | BIT(20) | BIT(21) | BIT(24) |
			BIT(31)),
	       BIT(0) | BIT(13) | BIT(20) | BIT(21) | BIT(24) | BIT(31),
	       "leaf 1 ECX: SSE3, CX16, SSE4.2 kept; x2APIC, TSC-dl, HV set");
	is_int(e.edx & (BIT(18) | BIT(21) | BIT(22) | BIT(28) | BIT(29) |
			BIT(31)), 0,
	       "leaf 1 EDX: PSN, DS, ACPI, HTT, TM, PBE cleared");
	is_int(e.ebx, 0xffff, "leaf 1 EBX: APIC ID and count left to topology");
	is_int(e.eax, ~0u, "leaf 1 EAX untouched");

	e = ones(7, 0);
	cpuid_filter_entry(&e);
	is_int(e.ebx & (BIT(1) | BIT(2) | BIT(5) | BIT(10) | BIT(12) |
			BIT(14) | BIT(15) | BIT(16) | BIT(17) | BIT(21) |
			BIT(25) | BIT(26) | BIT(27) | BIT(28) | BIT(30) |
			BIT(31)), 0,
	       "leaf 7 EBX: TSC_ADJUST, SGX, AVX2, INVPCID, PQM, MPX, PQE, AVX512*, PT cleared");
	is_int(e.ebx & (BIT(0) | BIT(7) | BIT(20)), BIT(0) | BIT(7) | BIT(20),
	       "leaf 7 EBX: FSGSBASE, SMEP, SMAP kept");
	is_int(e.ecx & (BIT(1) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) |
			BIT(9) | BIT(10) | BIT(11) | BIT(14) | BIT(16) |
			BIT(22)), 0,
	       "leaf 7 ECX: VBMI, PKU, OSPKE, WAITPKG, VBMI2, CET, VAES, VPCLMUL, VNNI, VPOPCNTDQ, LA57, RDPID cleared");
	is_int(e.edx & (BIT(2) | BIT(3) | BIT(8) | BIT(20) | BIT(22) |
			BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(29)), 0,
	       "leaf 7 EDX: AVX512_4*, VP2INTERSECT, IBT, AMX, FP16, SPEC_CTRL, ARCH_CAP cleared");

	e = ones(7, 1);
	cpuid_filter_entry(&e);
	ok(!(e.eax & (BIT(4) | BIT(5))) && !e.ebx && !e.ecx && !e.edx,
	   "leaf 7.1: AVX-VNNI, AVX512_BF16 and the rest cleared");

	e = ones(0x80000001, 0);
	cpuid_filter_entry(&e);
	is_int(e.ecx & (BIT(1) | BIT(2) | BIT(3) | BIT(11) | BIT(16) |
			BIT(22) | BIT(29)), 0,
	       "0x80000001 ECX: CmpLegacy (topology), SVM, ExtApic, XOP, FMA4, TOPOEXT, MONITORX cleared");
	is_int(e.edx & (BIT(25) | BIT(27)), 0,
	       "0x80000001 EDX: FFXSR, RDTSCP cleared");
	is_int(e.edx & (BIT(11) | BIT(20) | BIT(26) | BIT(29)),
	       BIT(11) | BIT(20) | BIT(26) | BIT(29),
	       "0x80000001 EDX: SYSCALL, NX, 1G pages, LM kept");

	e = ones(0x80000007, 0);
	cpuid_filter_entry(&e);
	ok(!e.eax && !e.ebx && !e.ecx && e.edx == BIT(8),
	   "0x80000007: only the invariant TSC");

	e = ones(0, 0);
	cpuid_filter_entry(&e);
	ok(e.eax == ~0u && e.ebx == ~0u, "leaf 0 passes unchanged");
}

static unsigned int order(unsigned int n)
{
	unsigned int b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

/* Leaf fn (0xB or 0x1F) of vCPU id among nr: SMT 1, core nr, end. */
static int topology_ok(struct cpuid_table *t, uint32_t fn, unsigned int id,
		       unsigned int nr)
{
	struct vireo_cpuid_entry *s0 = find(t, fn, 0), *s1 = find(t, fn, 1);
	struct vireo_cpuid_entry *s2 = find(t, fn, 2);

	if (!s0 || !s1 || !s2)
		return 0;
	return (s0->flags & VIREO_CPUID_SIGNIFICANT_INDEX) &&
	       s0->ecx == (1 << 8) && (s0->ebx & 0xffff) == 1 &&
	       (s0->eax & 0x1f) == 0 && s0->edx == id &&
	       s1->ecx == ((2 << 8) | 1) && (s1->ebx & 0xffff) == nr &&
	       (s1->eax & 0x1f) == order(nr) && s1->edx == id &&
	       s2->ecx == 2 && s2->ebx == 0 && s2->edx == id;
}

/* Leaf 4 of a vCPU: cores of the package, sharing per cache level. */
static int caches_ok(struct cpuid_table *t, unsigned int nr)
{
	uint32_t ids = (1u << order(nr)) - 1;
	unsigned int i;

	for (i = 0; i < t->nent; i++) {
		const struct vireo_cpuid_entry *e = &t->e[i];
		uint32_t level = (e->eax >> 5) & 7;
		uint32_t share = (e->eax >> 14) & 0xfff;

		if (e->function != 4 || !(e->eax & 0x1f))
			continue;
		if (e->eax >> 26 != ids || share != (level >= 3 ? ids : 0))
			return 0;
	}
	return 1;
}

static void test_vcpus(unsigned int nr)
{
	struct vireo_cpuid_entry *b1 = find(&base, 1, 0), *e;
	unsigned int id, apic_ok = 0, topo_ok = 0, topo2_ok = 0, leaf1_ok = 0;
	unsigned int cache_ok = 0, hv_ok = 0;
	uint32_t seen = 0;

	for (id = 0; id < nr; id++) {
		struct cpuid_table *t = &vt[id];

		if (cpuid_for_vcpu(&base, id, nr, t)) {
			ok(0, "cpuid_for_vcpu(%u of %u)", id, nr);
			return;
		}
		e = find(t, 1, 0);
		apic_ok += e && e->ebx >> 24 == id &&
			   ((e->ebx >> 16) & 0xff) == nr;
		leaf1_ok += e && !!(e->edx & BIT(28)) == (nr > 1) &&
			    (e->ebx & 0xffff) == (b1->ebx & 0xffff) &&
			    e->ecx == b1->ecx && e->eax == b1->eax;
		topo_ok += topology_ok(t, 0xb, id, nr);
		topo2_ok += !find(&base, 0x1f, 0) ||
			    topology_ok(t, 0x1f, id, nr);
		cache_ok += caches_ok(t, nr);
		hv_ok += find(t, CPUID_HV_LEAF, 0) != NULL &&
			 find(t, 0, 0)->eax >= 0xb;
		/* The package ID (x2APIC ID >> core shift) is 0 for all. */
		e = find(t, 0xb, 1);
		if (e && !(seen & BIT(id)) && (id >> (e->eax & 0x1f)) == 0)
			seen |= BIT(id);
	}
	is_int(apic_ok, nr, "%u vCPUs: leaf 1 APIC ID = index, count %u",
	       nr, nr);
	is_int(leaf1_ok, nr, "%u vCPUs: HTT %s, the rest of leaf 1 as the base",
	       nr, nr > 1 ? "set" : "clear");
	is_int(topo_ok, nr, "%u vCPUs: leaf 0xB: 1 thread per core, %u cores, x2APIC ID = index",
	       nr, nr);
	is_int(topo2_ok, nr, "%u vCPUs: leaf 0x1F (if the host has it) as 0xB",
	       nr);
	is_int(cache_ok, nr, "%u vCPUs: leaf 4 cores per package, L3 shared",
	       nr);
	is_int(hv_ok, nr, "%u vCPUs: hypervisor leaf, max basic leaf >= 0xB",
	       nr);
	is_int(seen, (1u << nr) - 1,
	       "%u vCPUs: distinct x2APIC IDs, all in package 0", nr);
}

/* A small AMD table: the core count lives in 0x80000008 and CmpLegacy. */
static void test_amd(void)
{
	struct cpuid_table amd = { 0 };
	struct cpuid_table *t = &vt[0];
	struct vireo_cpuid_entry *e;

	amd.e[amd.nent++] = (struct vireo_cpuid_entry) { .function = 0,
							  .eax = 0x10 };
	memcpy(&amd.e[0].ebx, "Auth", 4);
	memcpy(&amd.e[0].edx, "enti", 4);
	memcpy(&amd.e[0].ecx, "cAMD", 4);
	amd.e[amd.nent++] = (struct vireo_cpuid_entry) { .function = 1 };
	amd.e[amd.nent++] = (struct vireo_cpuid_entry) {
		.function = 0x80000001, .ecx = BIT(0) };
	amd.e[amd.nent++] = (struct vireo_cpuid_entry) {
		.function = 0x80000008, .eax = 0x3030, .ecx = 0x700f };
	amd.e[amd.nent++] = (struct vireo_cpuid_entry) {
		.function = 0x8000001e, .eax = 99, .ebx = 0x1ff, .ecx = 0x103 };

	is_int(cpuid_for_vcpu(&amd, 2, 4, t), 0, "AMD table, vCPU 2 of 4");
	e = find(t, 0x80000008, 0);
	ok(e && (e->ecx & 0xff) == 3 && ((e->ecx >> 12) & 0xf) == 2 &&
	   e->eax == 0x3030, "0x80000008: NC = 3, ApicIdSize = 2, sizes kept");
	e = find(t, 0x80000001, 0);
	ok(e && e->ecx == (BIT(0) | BIT(1)), "0x80000001: CmpLegacy set");
	e = find(t, 0x8000001e, 0);
	ok(e && e->eax == 2 && e->ebx == 2 && e->ecx == 0,
	   "0x8000001E: extended APIC ID 2, core 2, one thread, node 0");
	ok(topology_ok(t, 0xb, 2, 4) && find(t, 0, 0)->eax == 0x10,
	   "leaf 0xB added; max basic leaf kept at 0x10");

	is_int(cpuid_for_vcpu(&amd, 0, 1, t), 0, "AMD table, 1 vCPU");
	e = find(t, 0x80000001, 0);
	ok(e && !(e->ecx & BIT(1)) && (find(t, 0x80000008, 0)->ecx == 0),
	   "1 vCPU: CmpLegacy clear, NC = 0");

	/* Intel's table does not get AMD's fields. */
	cpuid_for_vcpu(&base, 0, 4, t);
	e = find(t, 0x80000008, 0);
	ok(!find(&base, 0, 0) || memcmp(&find(&base, 0, 0)->ebx, "Genu", 4) ||
	   !e || e->ecx == 0, "an Intel table keeps 0x80000008 ECX zero");
}

static void test_errors(void)
{
	static struct cpuid_table full;
	unsigned int i;

	is_int(cpuid_for_vcpu(&base, 2, 2, &vt[0]), -EINVAL,
	       "id == nr refused");
	is_int(cpuid_for_vcpu(&base, 0, 0, &vt[0]), -EINVAL, "0 vCPUs refused");
	is_int(cpuid_for_vcpu(&base, 0, CPUID_MAX_VCPUS + 1, &vt[0]), -EINVAL,
	       "%u vCPUs refused", CPUID_MAX_VCPUS + 1);
	is_int(cpuid_for_vcpu(&base, 63, 64, &vt[0]), 0, "vCPU 63 of 64");
	ok(topology_ok(&vt[0], 0xb, 63, 64) && caches_ok(&vt[0], 64),
	   "...its topology: 6 core bits");

	for (i = 0; i < CPUID_MAX_ENTRIES; i++)
		full.e[i] = (struct vireo_cpuid_entry) {
			.function = 0x100 + i };
	full.nent = CPUID_MAX_ENTRIES;
	is_int(cpuid_for_vcpu(&full, 0, 1, &vt[0]), -E2BIG,
	       "no room for the topology leaves: -E2BIG");
}

static void test_find(void)
{
	struct cpuid_table t = { .nent = 3 };

	t.e[0] = (struct vireo_cpuid_entry) { .function = 4, .index = 1,
		.flags = VIREO_CPUID_SIGNIFICANT_INDEX, .eax = 41 };
	t.e[1] = (struct vireo_cpuid_entry) { .function = 4, .index = 0,
		.flags = VIREO_CPUID_SIGNIFICANT_INDEX, .eax = 40 };
	t.e[2] = (struct vireo_cpuid_entry) { .function = 2, .index = 5,
		.eax = 2 };
	ok(find(&t, 4, 0)->eax == 40 && find(&t, 4, 1)->eax == 41 &&
	   !find(&t, 4, 2), "indexed leaves match their sub-leaf only");
	ok(find(&t, 2, 0)->eax == 2 && find(&t, 2, 7)->eax == 2,
	   "a leaf without sub-leaves matches any ECX");
}

int main(void)
{
	test_host_masking();
	test_filter();
	test_vcpus(1);
	test_vcpus(2);
	test_vcpus(4);
	test_amd();
	test_errors();
	test_find();
	return tap_done();
}
