// SPDX-License-Identifier: GPL-2.0
/*
 * A walker for the guest's own page tables, for the instructions the kernel
 * completes on the guest's behalf (string I/O, instruction fetch).  Covers
 * the three paging modes (SDM Vol. 3A 4.3 "32-bit Paging", 4.4 "PAE
 * Paging", 4.5 "4-Level Paging"), checking present, write and user rights.
 * Accessed and dirty bits are left to the guest's next hardware walk.
 */
#include <asm/processor-flags.h>

#include "vireo.h"

#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

#define PF_P		BIT(0)
#define PF_W		BIT(1)
#define PF_U		BIT(2)
#define X86_VEC_PF	14

struct gpt_mode {
	int levels;
	int pte_bytes;		/* 4 or 8 */
	int index_bits;		/* 10 or 9 */
};

static int gpt_fault(u64 gva, bool present, bool write, bool user,
		     struct vireo_exception *fault)
{
	fault->vector = X86_VEC_PF;
	fault->has_error = true;
	fault->error = (present ? PF_P : 0) | (write ? PF_W : 0) |
		       (user ? PF_U : 0);
	fault->cr2 = gva;
	return -EFAULT;
}

static int gpt_read_pte(struct vireo_vcpu *vcpu, u64 addr, int bytes, u64 *pte)
{
	u32 pte32;
	int r;

	if (bytes == 8)
		return vireo_read_gpa(vcpu->vm, addr, pte, 8) ? -ENXIO : 0;
	r = vireo_read_gpa(vcpu->vm, addr, &pte32, 4);
	*pte = pte32;
	return r ? -ENXIO : 0;
}

/* PAE keeps four page-directory pointers at CR3 (SDM Vol. 3A 4.4.1). */
static int gpt_pae_root(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			u64 gva, u64 *table)
{
	u64 pdpte;

	if (gpt_read_pte(vcpu, (s->cr3 & 0xffffffe0) + ((gva >> 30) & 3) * 8, 8,
			 &pdpte))
		return 1;
	if (!(pdpte & PTE_P))
		return 1;
	*table = pdpte & PTE_ADDR;
	return 0;
}

/*
 * @user: a user-mode access (CPL 3), or a supervisor one: the CPL's own,
 * or an implicit one the CPU makes for itself whatever the CPL, such as a
 * descriptor-table access (SDM Vol. 3A 4.6).
 */
int vireo_gva_to_gpa_as(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			u64 gva, bool write, bool user, u64 *gpa,
			struct vireo_exception *fault)
{
	bool wp = user || (s->cr0 & X86_CR0_WP);
	struct gpt_mode m = { 2, 4, 10 };
	u64 table = s->cr3 & PTE_ADDR, pte = 0;
	int level, r;

	if (!(s->cr0 & X86_CR0_PG)) {
		*gpa = vireo_long_mode(s) ? gva : (u32)gva;
		return 0;
	}
	if (vireo_long_mode(s)) {
		m = (struct gpt_mode){ 4, 8, 9 };
	} else if (s->cr4 & X86_CR4_PAE) {
		m = (struct gpt_mode){ 2, 8, 9 };
		r = gpt_pae_root(vcpu, s, gva, &table);
		if (r)
			return r < 0 ? r : gpt_fault(gva, false, write, user, fault);
	} else {
		table = s->cr3 & 0xfffff000;
	}
	for (level = m.levels; level >= 1; level--) {
		int shift = 12 + m.index_bits * (level - 1);
		u64 idx = (gva >> shift) & ((1u << m.index_bits) - 1);

		/*
		 * An entry no memory backs (page tables in an MMIO hole)
		 * reads as not present, as under KVM: the guest takes the
		 * #PF its walk would end in.
		 */
		if (gpt_read_pte(vcpu, table + idx * m.pte_bytes, m.pte_bytes,
				 &pte) || !(pte & PTE_P))
			return gpt_fault(gva, false, write, user, fault);
		if ((write && wp && !(pte & PTE_W)) || (user && !(pte & PTE_U)))
			return gpt_fault(gva, true, write, user, fault);
		/* A large page (2 MiB/1 GiB, or 4 MiB with 32-bit paging). */
		if (level > 1 && (pte & PTE_PS) &&
		    (m.pte_bytes == 8 || (s->cr4 & X86_CR4_PSE))) {
			u64 mask = BIT_ULL(shift) - 1;

			*gpa = ((pte & PTE_ADDR) & ~mask) | (gva & mask);
			return 0;
		}
		table = pte & (m.pte_bytes == 8 ? PTE_ADDR : 0xfffff000);
	}
	*gpa = (pte & PTE_ADDR) | (gva & 0xfff);
	return 0;
}

int vireo_gva_to_gpa(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
		     u64 gva, bool write, u64 *gpa,
		     struct vireo_exception *fault)
{
	return vireo_gva_to_gpa_as(vcpu, s, gva, write, s->ss.dpl == 3, gpa,
				   fault);
}
