// SPDX-License-Identifier: GPL-2.0
/*
 * The rules for the guest's control registers and EFER, in one place: what
 * SET_SREGS accepts, and what the guest's own MOV to CR0 and CR4 (where a
 * backend intercepts them) and WRMSR to EFER may load before the CPU would
 * answer #GP.  Backends apply what these accept; where a bad value would
 * make VM entry fail they keep a last check of their own on the same
 * constants (VIREO_EFER_ALLOWED), never different rules.
 */
#include "vireo.h"

/* CR0 on its own (SDM Vol. 3A 2.5 "Control Registers"). */
static bool cr0_valid(u64 cr0)
{
	if (cr0 >> 32 || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)))
		return false;
	return !((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD));
}

/*
 * MOV to CR0 (SDM Vol. 2B "MOV", Protected Mode Exceptions; Vol. 3A
 * 10.8.5): reserved bits, PG without PE, NW without CD, and paging turned
 * on with EFER.LME set but PAE off.
 */
bool vireo_cr0_write_valid(const struct vireo_sregs *s, u64 cr0)
{
	if (!cr0_valid(cr0))
		return false;
	return !((cr0 & X86_CR0_PG) && (s->efer & EFER_LME) &&
		 !(s->cr4 & X86_CR4_PAE));
}

/*
 * WRMSR to EFER (SDM Vol. 3A 2.2.1, 10.8.5; APM Vol. 2 3.1.7): only the bits
 * Vireo switches, and LME may change only with paging off, or the next
 * entry fails on VT-x (and the CPU is left in a mode it cannot be in on
 * AMD-V); the CPU answers such a WRMSR with #GP.
 */
bool vireo_efer_write_valid(const struct vireo_sregs *s, u64 efer)
{
	if (efer & ~(u64)VIREO_EFER_ALLOWED)
		return false;
	return !(((s->efer ^ efer) & EFER_LME) && (s->cr0 & X86_CR0_PG));
}

/* Bits whose change makes the guest's TLB entries stale (SDM Vol. 3A 4.10.4.1). */
#define CR4_TLB_BITS	(X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE |	\
			 X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP |	\
			 X86_CR4_PKE)

/*
 * What MOV to CR4 refuses with #GP (SDM Vol. 2B "MOV", Protected Mode
 * Exceptions; Vol. 3A 4.10.1 for PCIDE): a bit the guest's CPUID does not
 * offer, PAE cleared in IA-32e mode, PCIDE set outside it or with
 * CR3[11:0] not zero.
 */
bool vireo_cr4_write_valid(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			   u64 cr4)
{
	bool lma = s->efer & EFER_LMA;

	if (!vireo_cr4_guest_valid(vcpu, cr4))
		return false;
	if (lma && !(cr4 & X86_CR4_PAE))
		return false;
	if ((cr4 & X86_CR4_PCIDE) && !(s->cr4 & X86_CR4_PCIDE) &&
	    (!lma || (s->cr3 & 0xfff)))
		return false;
	return true;
}

/* Does a CR4 change need the guest's TLB flushed? */
bool vireo_cr4_flushes_tlb(u64 old, u64 new)
{
	return (old ^ new) & CR4_TLB_BITS;
}

static bool vireo_segment_valid(const struct vireo_segment *seg)
{
	return seg->type < 16 && seg->dpl < 4 && seg->present < 2 &&
	       seg->s < 2 && seg->l < 2 && seg->db < 2 && seg->g < 2;
}

/*
 * Architectural consistency of control registers and modes, the checks both
 * vendors make at VM entry (APM Vol. 2 15.5.1 "Basic Operation", SDM Vol. 3C
 * 27.3.1 "Checks on the Guest State Area"), answered with -EINVAL instead of
 * a failed entry.
 */
bool vireo_sregs_valid(const struct vireo_sregs *s)
{
	bool lme = s->efer & EFER_LME, lma = s->efer & EFER_LMA;
	bool pg = s->cr0 & X86_CR0_PG;
	const struct vireo_segment *segs = &s->cs;
	int i;

	if (!cr0_valid(s->cr0))
		return false;
	if (s->cr4 & (~(u64)VIREO_CR4_ALLOWED | vireo_cr4_host_rsvd()) ||
	    s->efer & ~(u64)VIREO_EFER_ALLOWED)
		return false;
	if (s->cr8 > 15 || s->cr3 >> 52)
		return false;
	if (lma && (!lme || !pg))
		return false;
	if (lme && pg && (!(s->cr4 & X86_CR4_PAE) || !lma))
		return false;
	if (lma && s->cs.l && s->cs.db)
		return false;
	for (i = 0; i < 8; i++) {
		if (!vireo_segment_valid(&segs[i]))
			return false;
	}
	return !memchr_inv(s->reserved, 0, sizeof(s->reserved));
}

