/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPUID table each vCPU answers from (VIREO_SET_CPUID).  One table of
 * what the guest may use, then per vCPU the fields that differ between
 * vCPUs: the APIC ID and the topology, one thread per core and all vCPUs
 * cores of one package, so that x2APIC ID == initial APIC ID == vCPU index,
 * as the MADT says (acpi/madt.c).
 *
 * What the guest may use comes from vireo.ko (VIREO_GET_SUPPORTED_CPUID),
 * the one policy; its hypervisor leaf 0x40000000 says "VireoVireoVi" (and
 * is added if missing).
 */
#ifndef VIREO_CPUID_H
#define VIREO_CPUID_H

#include <stdint.h>
#include <linux/vireo.h>

/* As many as vireo.ko takes (VIREO_CAP_MAX_CPUID is 256). */
#define CPUID_MAX_ENTRIES	256

/* Leaf 4 has 6 bits for the cores of a package, less one. */
#define CPUID_MAX_VCPUS		64

#define CPUID_HV_LEAF		0x40000000u
#define CPUID_HV_SIGNATURE	"VireoVireoVi"	/* EBX, ECX, EDX */

struct cpuid_table {
	unsigned int nent;
	struct vireo_cpuid_entry e[CPUID_MAX_ENTRIES];
};

/*
 * What vireo.ko can give a guest (dev_fd: /dev/vireo): 0, or -errno after
 * printing why.
 */
int cpuid_supported(int dev_fd, struct cpuid_table *t);

/*
 * The table of vCPU id among nr (1..CPUID_MAX_VCPUS): base with the APIC
 * ID and the topology filled in.  Returns 0, -EINVAL (id or nr out of
 * range), or -E2BIG if the leaves it adds do not fit.
 */
int cpuid_for_vcpu(const struct cpuid_table *base, unsigned int id,
		   unsigned int nr, struct cpuid_table *out);

/* The entry CPUID(fn, index) answers from, as vireo.ko looks it up. */
struct vireo_cpuid_entry *cpuid_find(struct cpuid_table *t, uint32_t fn,
				     uint32_t index);

/*
 * Drop KVM's paravirtual leaves (VIREO_CPUID_KVM_BASE and the one after):
 * the guest then finds no KVM interface and vireo.ko refuses its MSRs.
 */
void cpuid_drop_kvm_leaves(struct cpuid_table *t);

/* VIREO_SET_CPUID on a vCPU fd: 0 or -errno. */
int cpuid_set(int vcpu_fd, const struct cpuid_table *t);

#endif /* VIREO_CPUID_H */
