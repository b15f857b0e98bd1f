// SPDX-License-Identifier: GPL-2.0
/*
 * The per-vCPU CPUID tables for 1, 2, 4 and 64 vCPUs: APIC IDs, leaf
 * 0xB/0x1F topology, cache sharing, and on an AMD table the core count,
 * on tables shaped as vireo.ko's VIREO_GET_SUPPORTED_CPUID gives them
 * (what the guest may use is the kernel's policy, tested by the
 * selftests' cpuid_test and kvm_diff_test).
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

static void add(struct cpuid_table *t, struct vireo_cpuid_entry e)
{
	t->e[t->nent++] = e;
}

static void add_vendor(struct cpuid_table *t, uint32_t max, const char *v)
{
	struct vireo_cpuid_entry e = { .function = 0, .eax = max };

	memcpy(&e.ebx, v, 4);
	memcpy(&e.edx, v + 4, 4);
	memcpy(&e.ecx, v + 8, 4);
	add(t, e);
}

/*
 * An Intel table: leaf 1 with features, four caches in leaf 4 (L1D, L1I,
 * L2, L3) with the host's sharing bits, which must be replaced, a leaf
 * 0x1F to be filled in, and the extended leaves.
 */
static void intel_base(struct cpuid_table *t)
{
	static const uint32_t caches[] = {
		0x21 | (1 << 14) | (7u << 26),	/* L1D, 2 threads, 8 cores */
		0x22 | (1 << 14) | (7u << 26),	/* L1I */
		0x43 | (1 << 14) | (7u << 26),	/* L2 */
		0x63 | (15 << 14) | (7u << 26),	/* L3, 16 threads */
		0,				/* the end */
	};
	uint32_t i;

	t->nent = 0;
	add_vendor(t, 0x1f, "GenuineIntel");
	add(t, (struct vireo_cpuid_entry) { .function = 1, .eax = 0x906ea,
		.ebx = 0x0800, .ecx = BIT(21) | BIT(31), .edx = BIT(9) });
	for (i = 0; i < 5; i++)
		add(t, (struct vireo_cpuid_entry) { .function = 4, .index = i,
			.flags = VIREO_CPUID_SIGNIFICANT_INDEX,
			.eax = caches[i], .ebx = 0x1c0003f });
	add(t, (struct vireo_cpuid_entry) { .function = 0x1f,
		.flags = VIREO_CPUID_SIGNIFICANT_INDEX });
	add(t, (struct vireo_cpuid_entry) { .function = 0x80000000,
		.eax = 0x80000008 });
	add(t, (struct vireo_cpuid_entry) { .function = 0x80000001,
		.ecx = BIT(0), .edx = BIT(29) });
	add(t, (struct vireo_cpuid_entry) { .function = 0x80000008,
		.eax = 0x3027 });
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
		topo2_ok += topology_ok(t, 0x1f, id, nr);
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
	is_int(topo2_ok, nr, "%u vCPUs: leaf 0x1F as 0xB",
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

	add_vendor(&amd, 0x10, "AuthenticAMD");
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
	ok(e && e->ecx == 0 && find(t, 0x80000001, 0)->ecx == BIT(0),
	   "an Intel table keeps 0x80000008 ECX and CmpLegacy clear");
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
	intel_base(&base);
	test_vcpus(1);
	test_vcpus(2);
	test_vcpus(4);
	test_amd();
	test_errors();
	test_find();
	return tap_done();
}
