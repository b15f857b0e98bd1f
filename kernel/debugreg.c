// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's debug registers.  DR7 lives in the VMCB and the VMCS (and
 * DR6 in the VMCB), switched by the entry and the exit; DR0-DR3 (and DR6
 * on VT-x) are not, so without care a guest would read the host's
 * breakpoint addresses or another VM's.
 *
 * They are switched lazily, as KVM does.  MOV DR is intercepted; the first
 * one hands the registers to the guest: the intercept goes off, the
 * guest's values go into the hardware before each entry, and the
 * instruction runs again, now natively (the CPU itself then applies CPL,
 * CR4.DE, DR7.GD and the reserved-bit checks, SDM Vol. 3B 18.2 "Debug
 * Registers").  At the next exit the values are read back and the
 * intercept comes back on.  A guest whose DR7 arms a breakpoint gets its
 * DR0-DR3 loaded before every entry, so the breakpoint fires.
 */
#include "vireo.h"

#include <linux/hw_breakpoint.h>
#include <asm/debugreg.h>

#define DR6_RESET	0xffff0ff0ULL	/* SDM Vol. 3B 18.2.3 */
#define DR6_TRAP_BITS	0xfULL		/* B0-B3 */
#define DR6_ACTIVE_LOW	0xffff0ff0ULL	/* RTM (bit 16) reads 1 when clear */
#define DR7_ENABLES	0xffULL		/* L0-L3, G0-G3 */

void vireo_debugreg_reset(struct vireo_vcpu *vcpu)
{
	memset(vcpu->db, 0, sizeof(vcpu->db));
	vcpu->dr6 = DR6_RESET;
	vcpu->dr_guest_owned = false;
}

/*
 * Interrupts off, right before the entry.  A host breakpoint must not fire
 * on a guest address in the window before the entry loads the guest's DR7.
 */
void vireo_debugreg_load(struct vireo_vcpu *vcpu, u64 dr7, bool with_dr6)
{
	if (!vcpu->dr_guest_owned && !(dr7 & DR7_ENABLES))
		return;
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	set_debugreg(vcpu->db[0], 0);
	set_debugreg(vcpu->db[1], 1);
	set_debugreg(vcpu->db[2], 2);
	set_debugreg(vcpu->db[3], 3);
	if (with_dr6)
		set_debugreg(vcpu->dr6, 6);
	vcpu->dr_loaded = true;
}

/*
 * Interrupts off, right after the exit: take back what the guest may have
 * changed, and the host's breakpoints.
 */
bool vireo_debugreg_put(struct vireo_vcpu *vcpu, bool with_dr6)
{
	bool owned = vcpu->dr_guest_owned;

	if (owned) {
		get_debugreg(vcpu->db[0], 0);
		get_debugreg(vcpu->db[1], 1);
		get_debugreg(vcpu->db[2], 2);
		get_debugreg(vcpu->db[3], 3);
		if (with_dr6)
			get_debugreg(vcpu->dr6, 6);
		vcpu->dr_guest_owned = false;
	}
	if (vcpu->dr_loaded || hw_breakpoint_active()) {
		/*
		 * The host's #DB handler reads DR6 and expects its reset
		 * value there outside a debug exception: a guest's B0-B3 or
		 * BS left behind would be taken for the host's own (as KVM's
		 * vmx_sync_dirty_debug_regs() resets it).
		 */
		if (with_dr6 && vcpu->dr_loaded)
			set_debugreg(DR6_RESET, 6);
		vcpu->dr_loaded = false;
		if (hw_breakpoint_active())
			hw_breakpoint_restore();
	}
	return owned;
}

/*
 * A MOV to or from a debug register, intercepted: the backend has turned
 * the intercept off; the instruction runs again with the guest's values.
 */
int vireo_exit_mov_dr(struct vireo_vcpu *vcpu)
{
	vcpu->dr_guest_owned = true;
	return 1;
}

/*
 * A #DB the backend intercepted before the CPU updated DR6 (VT-x, SDM
 * Vol. 3C 28.1 "Architectural State before a VM Exit"): @payload holds the
 * DR6 bits of this #DB, active high, as KVM's kvm_deliver_exception_payload()
 * merges them.
 */
void vireo_debugreg_db_payload(struct vireo_vcpu *vcpu, u64 payload)
{
	vcpu->dr6 &= ~DR6_TRAP_BITS;
	vcpu->dr6 |= DR6_ACTIVE_LOW;
	vcpu->dr6 |= payload;
	vcpu->dr6 ^= payload & DR6_ACTIVE_LOW;
	vcpu->dr6 &= ~BIT_ULL(12);
}
