// SPDX-License-Identifier: GPL-2.0
/*
 * Guest time stopped and started for the whole VM (VIREO_SET_GUEST_TIME),
 * so that a paused guest sees no time pass, as under VirtualBox, whose
 * TM (time manager) stops the virtual clock when the VM is paused.
 *
 * Guest time is host time less the time it stood still.  The local APIC
 * timers count in guest time (lapic.c), the guest's TSC is the host's plus
 * an offset that each start moves back by the host TSC ticks of the stop,
 * and kvmclock is read from the guest's TSC (or, without a stable TSC,
 * from the boot-time clock less its own stopped time).
 *
 * A stop first closes the gate (no vCPU enters the guest after it), kicks
 * the vCPUs and waits until none is in the guest, and only then takes the
 * instants the clocks stand at: whatever a vCPU read before it left is
 * earlier, so no guest clock ever goes back.  A start moves the clocks,
 * lets the LAPIC timers run again and opens the gate, in that order.
 */
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/msr.h>

#include "vireo.h"

void vireo_guest_time_init(struct vireo_vm *vm)
{
	struct vireo_guest_clock *c = &vm->clock;

	mutex_init(&c->lock);
	seqlock_init(&c->seq);
	init_waitqueue_head(&c->wq);
}

ktime_t vireo_guest_ktime(struct vireo_vm *vm)
{
	struct vireo_guest_clock *c = &vm->clock;
	unsigned int seq;
	u64 ns;

	do {
		seq = read_seqbegin(&c->seq);
		ns = (c->frozen ? c->stop_ns : ktime_get_ns()) - c->paused_ns;
	} while (read_seqretry(&c->seq, seq));
	return ns_to_ktime(ns);
}

u64 vireo_guest_boottime_ns(struct vireo_vm *vm)
{
	struct vireo_guest_clock *c = &vm->clock;
	unsigned int seq;
	u64 ns;

	do {
		seq = read_seqbegin(&c->seq);
		ns = (c->frozen ? c->stop_boot_ns : ktime_get_boottime_ns()) -
		     c->paused_boot_ns;
	} while (read_seqretry(&c->seq, seq));
	return ns;
}

u64 vireo_guest_tsc(struct vireo_vm *vm)
{
	struct vireo_guest_clock *c = &vm->clock;
	unsigned int seq;
	u64 tsc;

	do {
		seq = read_seqbegin(&c->seq);
		tsc = (c->frozen ? c->stop_tsc : rdtsc()) + vm->tsc_offset;
	} while (read_seqretry(&c->seq, seq));
	return tsc;
}

/*
 * Before each entry, after kick_pending was cleared (vireo_vcpu_prepare()):
 * a stop that comes later kicks, and the entry is abandoned.
 */
bool vireo_guest_time_stopped(struct vireo_vm *vm)
{
	/* Pairs with the release in guest_time_start(): tsc_offset is new. */
	return smp_load_acquire(&vm->clock.stopped);
}

/* Sleep until guest time runs again: 0, or -EINTR for a signal. */
int vireo_guest_time_wait(struct vireo_vm *vm)
{
	if (wait_event_interruptible(vm->clock.wq,
				     !vireo_guest_time_stopped(vm)))
		return -EINTR;
	return 0;
}

/* vm->lock held: every vCPU out of the guest, none to enter again. */
static void guest_time_empty_guest(struct vireo_vm *vm)
{
	struct vireo_vcpu *vcpu;
	int i;

	for (i = 0; i < VIREO_MAX_VCPUS; i++) {
		if (vm->vcpus[i])
			vireo_vcpu_kick(vm->vcpus[i]);
	}
	/*
	 * The kick's IPI ends a stay in the guest at once, and the vCPU
	 * leaves IN_GUEST and EXITING with interrupts still off
	 * (vireo_guest_exit()): this wait is that short.
	 */
	for (i = 0; i < VIREO_MAX_VCPUS; i++) {
		vcpu = vm->vcpus[i];
		if (vcpu)
			smp_cond_load_acquire(&vcpu->mode,
					      VAL == VIREO_MODE_OUTSIDE);
	}
}

static void guest_time_stop(struct vireo_vm *vm)
{
	struct vireo_guest_clock *c = &vm->clock;
	unsigned long flags;
	int i;

	WRITE_ONCE(c->stopped, true);
	/* The gate is shut before the kicks look at each vCPU's mode. */
	smp_mb();
	mutex_lock(&vm->lock);
	guest_time_empty_guest(vm);
	write_seqlock_irqsave(&c->seq, flags);
	c->stop_ns = ktime_get_ns();
	c->stop_boot_ns = ktime_get_boottime_ns();
	c->stop_tsc = rdtsc_ordered();
	c->frozen = true;
	c->stops++;
	write_sequnlock_irqrestore(&c->seq, flags);
	for (i = 0; i < VIREO_MAX_VCPUS; i++) {
		if (vm->vcpus[i])
			vireo_lapic_freeze(vm->vcpus[i]);
	}
	mutex_unlock(&vm->lock);
}

static void guest_time_start(struct vireo_vm *vm)
{
	struct vireo_guest_clock *c = &vm->clock;
	unsigned long flags;
	int i;

	mutex_lock(&vm->lock);
	write_seqlock_irqsave(&c->seq, flags);
	c->paused_ns += ktime_get_ns() - c->stop_ns;
	c->paused_boot_ns += ktime_get_boottime_ns() - c->stop_boot_ns;
	/* The guest's TSC goes on from the value it stood at. */
	WRITE_ONCE(vm->tsc_offset,
		   vm->tsc_offset - (rdtsc_ordered() - c->stop_tsc));
	c->frozen = false;
	c->gen++;
	write_sequnlock_irqrestore(&c->seq, flags);
	for (i = 0; i < VIREO_MAX_VCPUS; i++) {
		if (vm->vcpus[i])
			vireo_lapic_thaw(vm->vcpus[i]);
	}
	mutex_unlock(&vm->lock);
	/* The new offset is seen by whoever sees the gate open. */
	smp_store_release(&c->stopped, false);
	wake_up_interruptible_all(&c->wq);
}

int vireo_set_guest_time(struct vireo_vm *vm, void __user *arg)
{
	struct vireo_guest_clock *c = &vm->clock;
	struct vireo_guest_time t;

	if (copy_from_user(&t, arg, sizeof(t)))
		return -EFAULT;
	if (t.flags || t.tsc || t.stopped_ns || t.stops ||
	    memchr_inv(t.reserved, 0, sizeof(t.reserved)))
		return -EINVAL;
	if (t.state != VIREO_GUEST_TIME_RUNNING &&
	    t.state != VIREO_GUEST_TIME_STOPPED)
		return -EINVAL;
	mutex_lock(&c->lock);
	if (t.state == VIREO_GUEST_TIME_STOPPED && !c->stopped)
		guest_time_stop(vm);
	else if (t.state == VIREO_GUEST_TIME_RUNNING && c->stopped)
		guest_time_start(vm);
	mutex_unlock(&c->lock);
	return 0;
}

int vireo_get_guest_time(struct vireo_vm *vm, void __user *arg)
{
	struct vireo_guest_clock *c = &vm->clock;
	struct vireo_guest_time t = { 0 };
	unsigned int seq;

	mutex_lock(&c->lock);
	t.state = c->stopped ? VIREO_GUEST_TIME_STOPPED :
			       VIREO_GUEST_TIME_RUNNING;
	do {
		seq = read_seqbegin(&c->seq);
		t.tsc = (c->frozen ? c->stop_tsc : rdtsc()) + vm->tsc_offset;
		t.stopped_ns = c->paused_ns;
		if (c->frozen)
			t.stopped_ns += ktime_get_ns() - c->stop_ns;
		t.stops = c->stops;
	} while (read_seqretry(&c->seq, seq));
	mutex_unlock(&c->lock);
	return copy_to_user(arg, &t, sizeof(t)) ? -EFAULT : 0;
}
