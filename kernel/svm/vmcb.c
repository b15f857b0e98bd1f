// SPDX-License-Identifier: GPL-2.0
/*
 * VMCB plumbing: the initial control area, the reset state, and converting
 * segment and control registers between the VMCB and the uapi format.
 */
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "svm.h"

void svm_vmcb_init(struct svm_vcpu *svm, phys_addr_t iopm, phys_addr_t msrpm,
		   phys_addr_t ncr3)
{
	struct vmcb_control *c = &svm->vmcb->control;

	/*
	 * #DB and #AC are intercepted and reflected so that a guest cannot
	 * loop forever delivering them with host interrupts blocked
	 * (CVE-2015-5307, CVE-2015-8104); #MC so that a machine check
	 * during guest execution reaches the host's handler (svm_exit_mc()).
	 */
	c->intercept_exceptions = BIT(1) | BIT(17) | BIT(18);
	/*
	 * CR4 writes are checked against the guest's CPUID (mov_cr.c); reads
	 * show the guest's CR4 without the MCE bit kept underneath (svm.c).
	 */
	c->intercept_cr = SVM_INTERCEPT_CR4_READ | SVM_INTERCEPT_CR4_WRITE;
	/* DR0-DR3 are the host's until the guest's first MOV DR (debugreg.c). */
	c->intercept_dr = SVM_INTERCEPT_DR0_7;
	/*
	 * RDPMC: the host's counters; WBINVD: the host's caches; RDPRU: the
	 * host's APERF/MPERF.  None is the guest's to use.
	 */
	c->intercept_misc1 = SVM_INTERCEPT1_INTR | SVM_INTERCEPT1_NMI |
			     SVM_INTERCEPT1_SMI | SVM_INTERCEPT1_RDPMC |
			     SVM_INTERCEPT1_CPUID |
			     SVM_INTERCEPT1_INVD | SVM_INTERCEPT1_HLT |
			     SVM_INTERCEPT1_INVLPGA | SVM_INTERCEPT1_IOIO |
			     SVM_INTERCEPT1_MSR | SVM_INTERCEPT1_SHUTDOWN;
	/* VMRUN must be intercepted or VMRUN fails (APM 15.5.1). */
	c->intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL |
			     SVM_INTERCEPT2_VMLOAD | SVM_INTERCEPT2_VMSAVE |
			     SVM_INTERCEPT2_STGI | SVM_INTERCEPT2_CLGI |
			     SVM_INTERCEPT2_SKINIT | SVM_INTERCEPT2_RDTSCP |
			     SVM_INTERCEPT2_WBINVD |
			     SVM_INTERCEPT2_MONITOR | SVM_INTERCEPT2_MWAIT |
			     SVM_INTERCEPT2_MWAIT_COND | SVM_INTERCEPT2_XSETBV |
			     SVM_INTERCEPT2_RDPRU;
	c->iopm_base_pa = iopm;
	c->msrpm_base_pa = msrpm;
	/* The guest's IF masks only virtual interrupts; host ones exit. */
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = ncr3;
}

static void svm_seg(struct vmcb_seg *seg, u16 sel, u64 base, u32 limit,
		    u16 attrib)
{
	seg->selector = sel;
	seg->base = base;
	seg->limit = limit;
	seg->attrib = attrib;
}

/* State after RESET (APM Vol. 2 14.1.3 "Processor Initialization State"). */
void svm_vmcb_reset_state(struct vmcb_save *save)
{
	memset(save, 0, sizeof(*save));
	svm_seg(&save->cs, 0xf000, 0xffff0000, 0xffff, 0x9b);
	svm_seg(&save->ds, 0, 0, 0xffff, 0x93);
	save->es = save->ds;
	save->ss = save->ds;
	save->fs = save->ds;
	save->gs = save->ds;
	svm_seg(&save->gdtr, 0, 0, 0xffff, 0);
	svm_seg(&save->idtr, 0, 0, 0xffff, 0);
	svm_seg(&save->ldtr, 0, 0, 0xffff, 0x82);
	svm_seg(&save->tr, 0, 0, 0xffff, 0x8b);
	save->cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;
	/* VMRUN requires EFER.SVME in the guest's EFER (APM 15.5.1). */
	save->efer = EFER_SVME;
	save->dr6 = 0xffff0ff0;
	save->dr7 = 0x400;
	save->rflags = X86_EFLAGS_FIXED;
	save->rip = 0xfff0;
	save->g_pat = 0x0007040600070406ULL;
}

static void svm_seg_get(const struct vmcb_seg *v, struct vireo_segment *s)
{
	s->selector = v->selector;
	s->base = v->base;
	s->limit = v->limit;
	s->type = v->attrib & 0xf;
	s->s = (v->attrib >> 4) & 1;
	s->dpl = (v->attrib >> 5) & 3;
	s->present = (v->attrib >> 7) & 1;
	s->avl = (v->attrib >> 8) & 1;
	s->l = (v->attrib >> 9) & 1;
	s->db = (v->attrib >> 10) & 1;
	s->g = (v->attrib >> 11) & 1;
	s->unusable = !s->present;
}

static void svm_seg_set(struct vmcb_seg *v, const struct vireo_segment *s)
{
	v->selector = s->selector;
	v->base = s->base;
	v->limit = s->limit;
	v->attrib = 0;
	if (s->unusable)
		return;
	v->attrib = s->type | s->s << 4 | s->dpl << 5 | s->present << 7 |
		    s->avl << 8 | s->l << 9 | s->db << 10 | s->g << 11;
}

static void svm_dt_get(const struct vmcb_seg *v, struct vireo_dtable *d)
{
	d->base = v->base;
	d->limit = v->limit;
}

static void svm_dt_set(struct vmcb_seg *v, const struct vireo_dtable *d)
{
	v->base = d->base;
	v->limit = d->limit;
}

void svm_vmcb_get_sregs(const struct vmcb *vmcb, struct vireo_sregs *s)
{
	const struct vmcb_save *v = &vmcb->save;

	svm_seg_get(&v->cs, &s->cs);
	svm_seg_get(&v->ds, &s->ds);
	svm_seg_get(&v->es, &s->es);
	svm_seg_get(&v->fs, &s->fs);
	svm_seg_get(&v->gs, &s->gs);
	svm_seg_get(&v->ss, &s->ss);
	/* The CPL is the VMCB's own field; SS's DPL follows it, as KVM reads. */
	s->ss.dpl = v->cpl;
	svm_seg_get(&v->tr, &s->tr);
	svm_seg_get(&v->ldtr, &s->ldt);
	svm_dt_get(&v->gdtr, &s->gdt);
	svm_dt_get(&v->idtr, &s->idt);
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->efer = v->efer & ~EFER_SVME;
}

/* The segment registers, TR and LDTR, and the CPL that goes with SS. */
void svm_vmcb_set_segs(struct vmcb *vmcb, const struct vireo_sregs *s)
{
	struct vmcb_save *v = &vmcb->save;

	svm_seg_set(&v->cs, &s->cs);
	svm_seg_set(&v->ds, &s->ds);
	svm_seg_set(&v->es, &s->es);
	svm_seg_set(&v->fs, &s->fs);
	svm_seg_set(&v->gs, &s->gs);
	svm_seg_set(&v->ss, &s->ss);
	svm_seg_set(&v->tr, &s->tr);
	svm_seg_set(&v->ldtr, &s->ldt);
	/* The CPL is the SS DPL (APM Vol. 2 15.5.1, "CPL"); 0 in real mode. */
	v->cpl = (s->cr0 & X86_CR0_PE) ? s->ss.dpl : 0;
}

void svm_vmcb_set_sregs(struct vmcb *vmcb, const struct vireo_sregs *s)
{
	struct vmcb_save *v = &vmcb->save;

	svm_vmcb_set_segs(vmcb, s);
	svm_dt_set(&v->gdtr, &s->gdt);
	svm_dt_set(&v->idtr, &s->idt);
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	v->efer = s->efer | EFER_SVME;
}
