// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V exit handlers, one per exit code, through a table.  Each decodes
 * the VMCB and hands the event to the core in VIREO_* terms.  Without
 * NRIP-save (QEMU's TCG, older parts) the length of the instructions whose
 * exits carry no next RIP is their architectural length (APM 15.7.1).
 */
#include <linux/nospec.h>
#include <linux/ratelimit.h>

#include "svm.h"

static u64 svm_next_rip(struct svm_vcpu *svm, unsigned int len)
{
	if (svm_has_nrips && svm->vmcb->control.next_rip)
		return svm->vmcb->control.next_rip;
	return svm->vcpu.rip + len;
}

static int svm_exit_intr(struct svm_vcpu *svm)
{
	/* The host takes its interrupt or NMI when GIF and IF come back on. */
	return 1;
}

static int svm_exit_cpuid(struct svm_vcpu *svm)
{
	return vireo_handle_cpuid(&svm->vcpu, svm_next_rip(svm, 2));
}

static int svm_exit_hlt(struct svm_vcpu *svm)
{
	return vireo_exit_hlt(&svm->vcpu, svm_next_rip(svm, 1));
}

static int svm_exit_ioio(struct svm_vcpu *svm)
{
	u64 info = svm->vmcb->control.exit_info_1;
	struct vireo_pio pio = {
		.port = info >> SVM_IOIO_PORT_SHIFT,
		/*
		 * One-hot SZ8/16/32 and A16/32/64: 1, 2, 4 bytes; 2, 4, 8.
		 * QEMU's TCG leaves the address size out: 0, the core decodes.
		 */
		.size = (info >> SVM_IOIO_SIZE_SHIFT) & 7,
		.addr_bytes = ((info >> SVM_IOIO_ASIZE_SHIFT) & 7) * 2,
		.in = info & SVM_IOIO_TYPE_IN,
		.string = info & SVM_IOIO_STR,
		.rep = info & SVM_IOIO_REP,
		/* The SEG field needs decode assists; the core decodes it. */
		.seg = -1,
		/* EXITINFO2 always holds the next RIP for IOIO (APM 15.10.2). */
		.next_rip = svm->vmcb->control.exit_info_2,
	};

	return vireo_handle_pio(&svm->vcpu, &pio);
}

static int svm_exit_msr(struct svm_vcpu *svm)
{
	/* EXITINFO1: 0 for RDMSR, 1 for WRMSR (APM 15.11). */
	return vireo_handle_msr(&svm->vcpu, svm->vmcb->control.exit_info_1 & 1,
				svm_next_rip(svm, 2));
}

static int svm_exit_shutdown(struct svm_vcpu *svm)
{
	/* The VMCB is undefined after a shutdown intercept (APM 15.12). */
	vireo_vcpu_reset(&svm->vcpu);
	return vireo_exit_shutdown(&svm->vcpu);
}

static int svm_exit_vmmcall(struct svm_vcpu *svm)
{
	return vireo_exit_hypercall(&svm->vcpu, svm_next_rip(svm, 3));
}

/* SVM instructions, MONITOR/MWAIT, RDTSCP, RDPRU: not offered. */
static int svm_exit_ud(struct svm_vcpu *svm)
{
	vireo_inject_ud(&svm->vcpu);
	return 1;
}

/* The guest has no performance counters: RDPMC raises #GP, as under KVM. */
static int svm_exit_gp(struct svm_vcpu *svm)
{
	vireo_inject_gp(&svm->vcpu);
	return 1;
}

static int svm_exit_xsetbv(struct svm_vcpu *svm)
{
	return vireo_handle_xsetbv(&svm->vcpu, svm_next_rip(svm, 3));
}

/*
 * WBINVD and WBNOINVD (F3 0F 09) would write back and drop the host's
 * caches, a denial of service on every other tenant: without devices that
 * bypass the cache, Vireo treats them as no-ops, as KVM does.
 */
static int svm_exit_wbinvd(struct svm_vcpu *svm)
{
	struct vireo_exception f = {};
	struct vireo_sregs s;
	unsigned int len = 2;
	u8 b;

	if (!svm_has_nrips || !svm->vmcb->control.next_rip) {
		vireo_ops.get_sregs(&svm->vcpu, &s);
		if (!vireo_rw_linear(&svm->vcpu, &s, s.cs.base + svm->vcpu.rip,
				     &b, 1, false, &f) && b == 0xf3)
			len = 3;
	}
	svm->vcpu.rip = svm_next_rip(svm, len);
	return 1;
}

/* A machine check: the world switch gave it to the host already. */
static int svm_exit_mc(struct svm_vcpu *svm)
{
	return 1;
}

/*
 * A MOV to or from DR0-DR7: the guest takes the debug registers over until
 * the next exit (debugreg.c); the instruction runs again.
 */
static int svm_exit_dr(struct svm_vcpu *svm)
{
	svm->vmcb->control.intercept_dr = 0;
	return vireo_exit_mov_dr(&svm->vcpu);
}

/*
 * A MOV to CR4: checked against the guest's CPUID and modes, decoded by
 * the core (no decode assists under QEMU's TCG).
 */
static int svm_exit_cr4_write(struct svm_vcpu *svm)
{
	return vireo_emulate_mov_cr(&svm->vcpu);
}

/* A MOV from CR4: the guest's view, decoded by the core too. */
static int svm_exit_cr4_read(struct svm_vcpu *svm)
{
	return vireo_emulate_mov_cr(&svm->vcpu);
}

static int svm_exit_invd(struct svm_vcpu *svm)
{
	/* INVD would drop the host's dirty cache lines: treat as a no-op. */
	svm->vcpu.rip = svm_next_rip(svm, 2);
	return 1;
}

/* #DB and #AC: reflect them to the guest (see svm_vmcb_init()). */
static int svm_exit_exception(struct svm_vcpu *svm)
{
	u8 vector = svm->vmcb->control.exit_code - SVM_EXIT_EXCP_BASE;
	struct vireo_exception e = {
		.vector = vector,
		.has_error = vector == 17,
		.error = svm->vmcb->control.exit_info_1,
	};

	/*
	 * Delivering a #DB clears DR7.GD (SDM Vol. 3B 18.2.4), so that the
	 * handler may use the debug registers; the intercept came first.
	 */
	if (vector == 1)
		svm->vmcb->save.dr7 &= ~VIREO_DR7_GD;
	vireo_ops.inject_exception(&svm->vcpu, &e);
	return 1;
}

/*
 * A fault on a guest page table (APM Vol. 2 15.25.6: EXITINFO1 bit 33) is
 * never a fetch from MMIO, even when the walk was for a fetch: the code
 * itself may be in RAM.  The instruction at RIP is emulated, its walk
 * leaving the accessed and dirty bits alone, as KVM does for tables in a
 * read-only slot.
 */
static int svm_exit_npf(struct svm_vcpu *svm)
{
	u64 err = svm->vmcb->control.exit_info_1;
	bool fetch = (err & SVM_NPF_FETCH) && !(err & SVM_NPF_GUEST_TABLE);

	return vireo_mmu_fault(&svm->vcpu, svm->vmcb->control.exit_info_2,
			       err & SVM_NPF_WRITE, fetch);
}

/* The interrupt window opened: the run loop injects what is pending. */
static int svm_exit_vintr(struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;

	c->int_ctl &= ~(SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR |
			(0xf << SVM_INT_CTL_V_INTR_PRIO_SHIFT));
	c->intercept_misc1 &= ~SVM_INTERCEPT1_VINTR;
	c->intercept_cr &= ~SVM_INTERCEPT_CR8_WRITE;
	return 1;
}

/*
 * A MOV to CR8 while a window was open (svm_enable_irq_window(),
 * svm_enable_tpr_window()).  The intercept comes before the write, and
 * without decode assists and NRIP save the core decodes it.
 */
static int svm_exit_cr8_write(struct svm_vcpu *svm)
{
	struct vmcb_control *c = &svm->vmcb->control;

	/* Never V_IRQ without the intercept (svm_close_irq_window()). */
	if (!(c->int_ctl & SVM_INT_CTL_V_IRQ))
		c->intercept_cr &= ~SVM_INTERCEPT_CR8_WRITE;
	return vireo_emulate_mov_cr(&svm->vcpu);
}

/*
 * The NMI handler's IRET: NMIs may come again once it has run.  The IRET
 * itself runs on re-entry, the intercept being off; an NMI injected just
 * before it nests, which Linux's NMI entry copes with.
 */
static int svm_exit_iret(struct svm_vcpu *svm)
{
	svm->nmi_masked = false;
	svm->vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT1_IRET;
	return 1;
}

static int (*const svm_exit_handlers[SVM_EXIT_NR_LOW])(struct svm_vcpu *) = {
	[SVM_EXIT_VINTR]		= svm_exit_vintr,
	[SVM_EXIT_READ_CR4]		= svm_exit_cr4_read,
	[SVM_EXIT_WRITE_CR4]		= svm_exit_cr4_write,
	[SVM_EXIT_WRITE_CR8]		= svm_exit_cr8_write,
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 7] = svm_exit_dr,
	[SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 7] = svm_exit_dr,
	[SVM_EXIT_IRET]			= svm_exit_iret,
	[SVM_EXIT_EXCP_BASE + 1]	= svm_exit_exception,
	[SVM_EXIT_EXCP_BASE + 17]	= svm_exit_exception,
	[SVM_EXIT_EXCP_BASE + 18]	= svm_exit_mc,
	[SVM_EXIT_RDPMC]		= svm_exit_gp,
	[SVM_EXIT_INTR]			= svm_exit_intr,
	[SVM_EXIT_NMI]			= svm_exit_intr,
	[SVM_EXIT_SMI]			= svm_exit_intr,
	[SVM_EXIT_CPUID]		= svm_exit_cpuid,
	[SVM_EXIT_INVD]			= svm_exit_invd,
	[SVM_EXIT_HLT]			= svm_exit_hlt,
	[SVM_EXIT_INVLPGA]		= svm_exit_ud,
	[SVM_EXIT_IOIO]			= svm_exit_ioio,
	[SVM_EXIT_MSR]			= svm_exit_msr,
	[SVM_EXIT_SHUTDOWN]		= svm_exit_shutdown,
	[SVM_EXIT_VMRUN]		= svm_exit_ud,
	[SVM_EXIT_VMMCALL]		= svm_exit_vmmcall,
	[SVM_EXIT_VMLOAD]		= svm_exit_ud,
	[SVM_EXIT_VMSAVE]		= svm_exit_ud,
	[SVM_EXIT_STGI]			= svm_exit_ud,
	[SVM_EXIT_CLGI]			= svm_exit_ud,
	[SVM_EXIT_SKINIT]		= svm_exit_ud,
	[SVM_EXIT_RDTSCP]		= svm_exit_ud,
	[SVM_EXIT_WBINVD]		= svm_exit_wbinvd,
	[SVM_EXIT_MONITOR]		= svm_exit_ud,
	[SVM_EXIT_MWAIT]		= svm_exit_ud,
	[SVM_EXIT_MWAIT_COND]		= svm_exit_ud,
	[SVM_EXIT_XSETBV]		= svm_exit_xsetbv,
	[SVM_EXIT_RDPRU]		= svm_exit_ud,
};

int svm_handle_exit(struct svm_vcpu *svm)
{
	u64 code = svm->vmcb->control.exit_code;

	if (code == SVM_EXIT_NPF)
		return svm_exit_npf(svm);
	if (code < SVM_EXIT_NR_LOW) {
		/* The guest chooses the index: no speculation past the bound. */
		code = array_index_nospec(code, SVM_EXIT_NR_LOW);
		if (svm_exit_handlers[code])
			return svm_exit_handlers[code](svm);
	}
	if (code == SVM_EXIT_INVALID) {
		pr_info_ratelimited("vireo: VMRUN failed: invalid guest state in the VMCB\n");
		return vireo_exit_internal(&svm->vcpu,
					   VIREO_INTERNAL_ERROR_ENTRY_FAILED,
					   code, 0);
	}
	pr_info_ratelimited("vireo: unhandled AMD-V exit %#llx\n", code);
	return vireo_exit_internal(&svm->vcpu,
				   VIREO_INTERNAL_ERROR_UNHANDLED_EXIT, code,
				   svm->vmcb->control.exit_info_1);
}
