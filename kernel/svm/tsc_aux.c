// SPDX-License-Identifier: GPL-2.0
/*
 * TSC_AUX for AMD-V guests.  RDPID has no intercept on AMD (APM Vol. 3
 * "RDPID"; the VMCB lists none), so without this a guest reads the host's
 * TSC_AUX, where Linux keeps (node << 12) | cpu for the vDSO's getcpu():
 * which host CPU and node runs the guest, changing as its thread moves.
 * VT-x needs nothing: with "enable RDTSCP" clear RDPID is #UD (SDM Vol. 3C
 * 26.3 / 25.3).
 *
 * The guest's TSC_AUX is 0, its reset value (Vireo offers neither RDTSCP,
 * which it intercepts as #UD, nor RDPID, and refuses the MSR).  It is
 * loaded before VMRUN, and the host's comes back when the thread may
 * leave the CPU (switched out, or at the end of VIREO_RUN: svm.c), or at
 * the latest before it returns to user mode, through a user-return
 * notifier, as KVM's kvm_set_user_return_msr() does: two WRMSRs per
 * VIREO_RUN, none per entry.  The host kernel in between never reads TSC_AUX (since Linux
 * 5.9 its paranoid entry finds the CPU with LSL, not RDPID, for this very
 * reason).
 */
#include <linux/percpu.h>
#include <linux/user-return-notifier.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>

#include "svm.h"

struct svm_tsc_aux {
	struct user_return_notifier urn;
	u64 host;
	bool loaded;
};

static DEFINE_PER_CPU(struct svm_tsc_aux, svm_tsc_aux);

static bool svm_tsc_aux_exists(void)
{
	return boot_cpu_has(X86_FEATURE_RDTSCP) ||
	       boot_cpu_has(X86_FEATURE_RDPID);
}

static void svm_tsc_aux_restore(struct user_return_notifier *urn)
{
	struct svm_tsc_aux *t = container_of(urn, struct svm_tsc_aux, urn);
	unsigned long flags;

	local_irq_save(flags);
	if (t->loaded) {
		wrmsrl(MSR_TSC_AUX, t->host);
		t->loaded = false;
		user_return_notifier_unregister(urn);
	}
	local_irq_restore(flags);
}

/* Interrupts off, before VMRUN. */
void svm_tsc_aux_load_guest(void)
{
	struct svm_tsc_aux *t = this_cpu_ptr(&svm_tsc_aux);

	if (t->loaded || !svm_tsc_aux_exists())
		return;
	rdmsrl(MSR_TSC_AUX, t->host);
	if (!t->host)
		return;		/* CPU 0 of node 0: already the guest's */
	wrmsrl(MSR_TSC_AUX, 0);
	t->urn.on_user_return = svm_tsc_aux_restore;
	user_return_notifier_register(&t->urn);
	t->loaded = true;
}

/*
 * The thread may leave the CPU, or AMD-V goes off on it (the last VM
 * went, module unload, CPU offline): the host's value now, and no notifier
 * left pointing into the module.
 */
void svm_tsc_aux_put(void)
{
	svm_tsc_aux_restore(&this_cpu_ptr(&svm_tsc_aux)->urn);
}
