// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID table of each vCPU.  What the guest may use is vireo.ko's
 * policy (VIREO_GET_SUPPORTED_CPUID, kernel/cpuid.c): this file only adds
 * what differs between vCPUs, the APIC IDs and the topology.  Leaf and
 * bit meanings: Intel SDM Vol. 2A, "CPUID—CPU Identification", and AMD APM
 * Vol. 3, Appendix E "Obtaining Processor Information Via the CPUID
 * Instruction".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cpuid.h"
#include "util.h"

#define BIT(n)		(1u << (n))

#define LEAF_TOPOLOGY	0xbu	/* extended topology */
#define LEAF_TOPOLOGY2	0x1fu	/* V2 extended topology */

#define F1_EDX_HTT	BIT(28)
#define X1_ECX_CMP_LEGACY BIT(1)

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

static void hv_leaf(struct vireo_cpuid_entry *e)
{
	*e = (struct vireo_cpuid_entry) { .function = CPUID_HV_LEAF,
					  .eax = CPUID_HV_LEAF };
	memcpy(&e->ebx, CPUID_HV_SIGNATURE, 4);
	memcpy(&e->ecx, CPUID_HV_SIGNATURE + 4, 4);
	memcpy(&e->edx, CPUID_HV_SIGNATURE + 8, 4);
}

int cpuid_supported(int dev_fd, struct cpuid_table *t)
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
