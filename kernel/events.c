// SPDX-License-Identifier: GPL-2.0
/*
 * Getting events to a vCPU: waking it from HLT or WAIT_SIPI, kicking it
 * out of the guest when it runs on another CPU, and injecting what its
 * LAPIC has pending before each entry.
 *
 * The kick protocol is KVM's: whoever makes an event pending sets
 * kick_pending, then looks at mode; the vCPU publishes IN_GUEST_MODE with
 * interrupts off and then looks at kick_pending.  One of the two always
 * sees the other, so an event is never left waiting for the next exit.
 */
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/cpufeature.h>
#include <asm/nospec-branch.h>
#include <asm/processor-flags.h>

#include "vireo.h"

static void vireo_kick_ipi(void *info)
{
}

void vireo_vcpu_kick(struct vireo_vcpu *vcpu)
{
	int cpu;

	WRITE_ONCE(vcpu->kick_pending, true);
	/* Order kick_pending before reading mode; pairs with guest_enter. */
	smp_mb();
	wake_up_interruptible(&vcpu->wq);
	cpu = READ_ONCE(vcpu->cpu);
	/*
	 * The IPI's only job is the VM exit it causes.  An asynchronous
	 * call works from any context (the APIC timer kicks from its
	 * hrtimer); one still in flight (-EBUSY) does the job as well.
	 */
	if (cmpxchg(&vcpu->mode, VIREO_MODE_IN_GUEST, VIREO_MODE_EXITING) ==
	    VIREO_MODE_IN_GUEST && cpu != raw_smp_processor_id())
		smp_call_function_single_async(cpu, &vcpu->kick_csd);
}

void vireo_kick_init(struct vireo_vcpu *vcpu)
{
	INIT_CSD(&vcpu->kick_csd, vireo_kick_ipi, NULL);
}

/*
 * Before the vCPU is freed: a kick's IPI may still be queued on another
 * CPU, which unlocks the csd after running it.  Wait for that, as the
 * kernel's own csd_lock_wait() (not exported) does.
 */
void vireo_kick_sync(struct vireo_vcpu *vcpu)
{
	smp_cond_load_acquire(&vcpu->kick_csd.node.u_flags,
			      !(VAL & CSD_FLAG_LOCK));
}

bool vireo_guest_enter(struct vireo_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();
	vcpu->cpu = smp_processor_id();
	/* Publish mode before reading kick_pending; pairs with the kick. */
	smp_store_mb(vcpu->mode, VIREO_MODE_IN_GUEST);
	if (READ_ONCE(vcpu->kick_pending) || need_resched() ||
	    signal_pending(current) || !vireo_kvmclock_entry_ok(vcpu)) {
		WRITE_ONCE(vcpu->mode, VIREO_MODE_OUTSIDE);
		return false;
	}
	return true;
}

void vireo_guest_exit(struct vireo_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->mode, VIREO_MODE_OUTSIDE);
	/*
	 * VMSCAPE: the guest may have trained the branch predictor against
	 * the VMM in userspace; have this CPU, the one that ran it, IBPB
	 * before it next returns to user mode (KVM's vcpu_enter_guest()).
	 * Interrupts are still off: no migration in between.
	 */
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
}

/* Can the vCPU leave HLT or WAIT_SIPI? */
static bool vireo_vcpu_woken(struct vireo_vcpu *vcpu)
{
	if (test_bit(VIREO_EV_INIT, &vcpu->events))
		return true;
	if (vcpu->mp_state == VIREO_MP_STATE_WAIT_SIPI)
		return test_bit(VIREO_EV_SIPI, &vcpu->events);
	return test_bit(VIREO_EV_NMI, &vcpu->events) ||
	       vireo_lapic_pending(vcpu, NULL) >= 0;
}

/*
 * INIT (SDM Vol. 3A 9.1, table 9-1): the state of RESET except that the
 * LAPIC keeps its base and mode; an AP then waits for a start-up IPI.
 */
static void vireo_vcpu_init(struct vireo_vcpu *vcpu)
{
	vireo_vcpu_reset(vcpu);
	vireo_lapic_reset(vcpu, true);
	vcpu->mp_state = vcpu->id ? VIREO_MP_STATE_WAIT_SIPI :
				    VIREO_MP_STATE_RUNNABLE;
}

/* SDM Vol. 3A 9.4.4: real mode at vector << 12, CS = vector << 8, IP 0. */
static void vireo_vcpu_sipi(struct vireo_vcpu *vcpu)
{
	struct vireo_sregs s;

	vireo_ops.get_sregs(vcpu, &s);
	s.cs.selector = vcpu->sipi_vector << 8;
	s.cs.base = (u64)vcpu->sipi_vector << 12;
	vireo_ops.set_sregs(vcpu, &s);
	vcpu->rip = 0;
	vcpu->mp_state = VIREO_MP_STATE_RUNNABLE;
}

static void vireo_inject_events(struct vireo_vcpu *vcpu)
{
	int vector, class;

	if (test_bit(VIREO_EV_NMI, &vcpu->events) &&
	    vireo_ops.nmi_allowed(vcpu)) {
		clear_bit(VIREO_EV_NMI, &vcpu->events);
		vireo_ops.inject_nmi(vcpu);
		return;
	}
	vector = vireo_lapic_pending(vcpu, &class);
	if (vector < 0) {
		if (class >= 0)
			vireo_ops.enable_tpr_window(vcpu, class);
		return;
	}
	if (vireo_ops.interrupt_allowed(vcpu)) {
		vireo_lapic_ack(vcpu, vector);
		vireo_ops.inject_irq(vcpu, vector);
	} else {
		vireo_ops.enable_irq_window(vcpu);
	}
}

/*
 * Act on INIT and SIPI, sleep while halted or waiting for SIPI: 1 once the
 * vCPU may run, -EINTR when a signal ended a sleep.
 */
static int vireo_vcpu_wait_runnable(struct vireo_vcpu *vcpu)
{
	for (;;) {
		if (test_and_clear_bit(VIREO_EV_INIT, &vcpu->events))
			vireo_vcpu_init(vcpu);
		if (vcpu->mp_state == VIREO_MP_STATE_WAIT_SIPI &&
		    test_and_clear_bit(VIREO_EV_SIPI, &vcpu->events))
			vireo_vcpu_sipi(vcpu);
		else
			/* SDM Vol. 3A 9.4.4: ignored outside wait-for-SIPI. */
			clear_bit(VIREO_EV_SIPI, &vcpu->events);
		if (vcpu->mp_state == VIREO_MP_STATE_HALTED &&
		    vireo_vcpu_woken(vcpu))
			vcpu->mp_state = VIREO_MP_STATE_RUNNABLE;
		if (vcpu->mp_state == VIREO_MP_STATE_RUNNABLE)
			break;
		if (wait_event_interruptible(vcpu->wq, vireo_vcpu_woken(vcpu)))
			return -EINTR;
	}
	/* Clear before looking, so a kick from now on aborts the entry. */
	WRITE_ONCE(vcpu->kick_pending, false);
	/* A kick after this store is seen by vireo_guest_enter(). */
	smp_mb();
	return 1;
}

/*
 * Before each entry: act on INIT and SIPI, sleep while halted or waiting
 * for SIPI or while the VM's guest time is stopped (guest_time.c), then
 * queue the next interrupt.  Returns 1 to enter the guest, or -EINTR when
 * a signal ended a sleep.
 */
int vireo_vcpu_prepare(struct vireo_vcpu *vcpu)
{
	int r;

	for (;;) {
		r = vireo_vcpu_wait_runnable(vcpu);
		if (r <= 0)
			return r;
		/* A stop after this look kicks: the entry is abandoned. */
		if (!vireo_guest_time_stopped(vcpu->vm))
			break;
		r = vireo_guest_time_wait(vcpu->vm);
		if (r)
			return r;
	}
	vireo_kvmclock_prepare(vcpu);
	vireo_inject_events(vcpu);
	return 1;
}

/*
 * An MSI's address and data as a message to the LAPICs (SDM Vol. 3A
 * 11.11.1, 11.11.2), for VIREO_SIGNAL_MSI and irqfds: -EINVAL for an
 * address outside 0xFEExxxxx or a delivery mode messages cannot have.
 */
int vireo_msi_decode(u64 address, u32 data, struct lapic_irq *irq)
{
	*irq = (struct lapic_irq) {
		.dest = (address >> 12) & 0xff,
		.logical = address & (1 << 2),
		.vector = data & 0xff,
		.delivery = (data >> 8) & 7,
		.level = data & (1 << 15),
	};
	if ((address >> 20) != 0xfee)
		return -EINVAL;
	/* Delivery modes 3 (reserved) and 6 (SIPI) are not for messages. */
	if (irq->delivery == 3 || irq->delivery == 6)
		return -EINVAL;
	return 0;
}

/* VIREO_SIGNAL_MSI */
int vireo_signal_msi(struct vireo_vm *vm, const struct vireo_msi *msi)
{
	struct lapic_irq irq;

	if (msi->flags || msi->reserved[0] || msi->reserved[1] ||
	    vireo_msi_decode(msi->address, msi->data, &irq))
		return -EINVAL;
	return vireo_lapic_deliver(vm, NULL, &irq);
}

int vireo_get_mp_state(struct vireo_vcpu *vcpu, void __user *arg)
{
	struct vireo_mp_state mp = { .state = vcpu->mp_state };

	return copy_to_user(arg, &mp, sizeof(mp)) ? -EFAULT : 0;
}

int vireo_set_mp_state(struct vireo_vcpu *vcpu, void __user *arg)
{
	struct vireo_mp_state mp;

	if (copy_from_user(&mp, arg, sizeof(mp)))
		return -EFAULT;
	if (mp.padding || mp.state > VIREO_MP_STATE_WAIT_SIPI)
		return -EINVAL;
	vcpu->mp_state = mp.state;
	return 0;
}
