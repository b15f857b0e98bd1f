// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (Intel SDM Vol. 3A chapter 11).  One per vCPU;
 * registers live in struct vireo_lapic under its spinlock, since other
 * vCPUs (IPIs), userspace (VIREO_SIGNAL_MSI) and the hrtimer of the APIC
 * timer all set bits in it while its own vCPU runs.
 *
 * The timer counts at 1 GHz ("bus clock" of 1 ns per tick before the
 * divider): the guest only needs a constant rate, and it learns the TSC
 * rate separately.  It counts in guest time (guest_time.c), which stands
 * still while the VM's time is stopped: the hrtimer is cancelled then
 * (vireo_lapic_freeze()) and started again from the registers.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "vireo.h"
#include "lapic.h"

#define LAPIC_VERSION		0x14	/* integrated APIC, as P6 and later */
#define LAPIC_MAX_LVT		(LVT_NR - 1)
#define LVT_MASKED		APIC_LVT_MASKED
#define LVT_TIMER_MODE_MASK	(3 << 17)
#define LVT_TIMER_ONESHOT	(0 << 17)
#define LVT_TIMER_PERIODIC	(1 << 17)
#define LVT_TIMER_TSCDEADLINE	(2 << 17)
#define SVR_ENABLED		APIC_SPIV_APIC_ENABLED
#define X2APIC_MSR_BASE		0x800
#define X2APIC_MSR_END		0x8ff

/* The bits of each LVT a guest may write (SDM Vol. 3A figure 11-8). */
static const u32 lvt_writable[LVT_NR] = {
	[LVT_TIMER]	= 0x700ff,
	[LVT_THERMAL]	= 0x107ff,
	[LVT_PERFMON]	= 0x107ff,
	[LVT_LINT0]	= 0x1a7ff,
	[LVT_LINT1]	= 0x1a7ff,
	[LVT_ERROR]	= 0x100ff,
	[LVT_CMCI]	= 0x107ff,
};

static inline struct vireo_lapic *vcpu_lapic(struct vireo_vcpu *vcpu)
{
	return &vcpu->lapic;
}

static bool x2apic_mode(const struct vireo_lapic *l)
{
	return l->base_msr & LAPIC_BASE_EXTD;
}

static bool hw_enabled(const struct vireo_lapic *l)
{
	return l->base_msr & LAPIC_BASE_EN;
}

static bool sw_enabled(const struct vireo_lapic *l)
{
	return l->svr & SVR_ENABLED;
}

/* IRR, ISR and TMR are 256 bits in eight 32-bit registers. */
static void vec_set(u32 *reg, u8 v)
{
	reg[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(u32 *reg, u8 v)
{
	reg[v >> 5] &= ~(1u << (v & 31));
}

static bool vec_test(const u32 *reg, u8 v)
{
	return reg[v >> 5] & (1u << (v & 31));
}

static int vec_highest(const u32 *reg)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (reg[i])
			return i * 32 + __fls(reg[i]);
	return -1;
}

/* SDM Vol. 3A 11.8.3.1: PPR from TPR and the highest in-service vector. */
static u32 lapic_ppr(const struct vireo_lapic *l)
{
	int isrv = vec_highest(l->isr);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	if ((l->tpr & 0xf0) >= isr_class)
		return l->tpr & 0xff;
	return isr_class;
}

/*
 * The vector to inject next, or -1.  When the highest request is held
 * back by the TPR alone (not by what is in service), *tpr_class gets its
 * class: lowering CR8 below it lets it through.
 */
static int lapic_pending_locked(struct vireo_lapic *l, int *tpr_class)
{
	int v, isrv;

	*tpr_class = -1;
	if (l->extint_pending)
		return l->extint_vector;
	if (!hw_enabled(l))
		return -1;
	v = vec_highest(l->irr);
	if (v < 0)
		return -1;
	if ((v & 0xf0) > (lapic_ppr(l) & 0xf0))
		return v;
	isrv = vec_highest(l->isr);
	if (isrv < 0 || (v & 0xf0) > (isrv & 0xf0))
		*tpr_class = v >> 4;
	return -1;
}

int vireo_lapic_pending(struct vireo_vcpu *vcpu, int *tpr_class)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;
	int v, class;

	spin_lock_irqsave(&l->lock, flags);
	v = lapic_pending_locked(l, &class);
	spin_unlock_irqrestore(&l->lock, flags);
	if (tpr_class)
		*tpr_class = class;
	return v;
}

/*
 * CR8 is the TPR's priority class: a write sets TPR[7:4] and clears
 * TPR[3:0], a read returns TPR[7:4] (SDM Vol. 3A 11.8.6.1).
 */
u8 vireo_lapic_get_cr8(struct vireo_vcpu *vcpu)
{
	return READ_ONCE(vcpu_lapic(vcpu)->tpr) >> 4;
}

void vireo_lapic_set_cr8(struct vireo_vcpu *vcpu, u8 cr8)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	l->tpr = (cr8 & 0xf) << 4;
	spin_unlock_irqrestore(&l->lock, flags);
}

static void lapic_timer_unpark(struct vireo_lapic *l);

/* The CPU took @vector: IRR -> ISR (ExtINT bypasses both, 11.5.1). */
void vireo_lapic_ack(struct vireo_vcpu *vcpu, int vector)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	if (l->extint_pending && l->extint_vector == vector) {
		l->extint_pending = false;
	} else {
		vec_clear(l->irr, vector);
		vec_set(l->isr, vector);
		if (vector == (l->lvt[LVT_TIMER] & 0xff))
			lapic_timer_unpark(l);
	}
	spin_unlock_irqrestore(&l->lock, flags);
}

/* ---- the timer ---------------------------------------------------- */

static u32 timer_divisor(const struct vireo_lapic *l)
{
	/* DCR bits 3, 1:0 (SDM Vol. 3A figure 11-10): 1011b divides by 1. */
	u32 v = ((l->timer_dcr & 8) >> 1) | (l->timer_dcr & 3);

	return v == 7 ? 1 : 2u << v;
}

static u32 timer_mode(const struct vireo_lapic *l)
{
	return l->lvt[LVT_TIMER] & LVT_TIMER_MODE_MASK;
}

/* The count ticks at 1 GHz / divisor. */
static u64 count_to_ns(const struct vireo_lapic *l, u64 count)
{
	return count * timer_divisor(l);
}

/* Called with the lock held: raise the timer's vector. */
static bool lapic_accept_fixed(struct vireo_lapic *l, u8 vector, bool level);

static ktime_t lapic_now(const struct vireo_lapic *l)
{
	return vireo_guest_ktime(l->vcpu->vm);
}

/*
 * Guest time differs from the hrtimer's by the time it stood still, which
 * changes only while the timer is frozen (so under the lock, it is fixed).
 */
static ktime_t host_to_guest(const struct vireo_lapic *l, ktime_t t)
{
	return ktime_sub_ns(t, READ_ONCE(l->vcpu->vm->clock.paused_ns));
}

static bool lapic_frozen(const struct vireo_lapic *l)
{
	return l->frozen || READ_ONCE(l->vcpu->vm->clock.frozen);
}

/*
 * Arm for the guest time @expires (saturated, for a far TSC deadline).
 * While guest time stands, nothing: vireo_lapic_thaw() arms it from the
 * registers.  Locked.
 */
static void lapic_timer_arm(struct vireo_lapic *l, ktime_t expires)
{
	if (lapic_frozen(l))
		return;
	l->armed_gen = l->timer_gen;
	hrtimer_start(&l->timer,
		      ktime_add_safe(expires, ns_to_ktime(READ_ONCE(
				l->vcpu->vm->clock.paused_ns))),
		      HRTIMER_MODE_ABS);
}

/*
 * The guest programs the timer anew: an expiry already running in the
 * callback (which could not be cancelled) is not the guest's any more.
 * Locked.
 */
static void lapic_timer_reprogram(struct vireo_lapic *l)
{
	l->timer_gen++;
	hrtimer_try_to_cancel(&l->timer);
}

static enum hrtimer_restart lapic_timer_fn(struct hrtimer *t)
{
	struct vireo_lapic *l = container_of(t, struct vireo_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool kick = false;
	ktime_t expires;

	spin_lock_irqsave(&l->lock, flags);
	/*
	 * Restarted, or programmed anew while guest time stood (so not
	 * restarted), by a register write while we waited for the lock.
	 */
	if (hrtimer_is_queued(t) || l->armed_gen != l->timer_gen) {
		spin_unlock_irqrestore(&l->lock, flags);
		return HRTIMER_NORESTART;
	}
	/*
	 * Guest time stopped before this expiry (the stop came while we
	 * waited for the lock): it is the thaw's to arm again.
	 */
	expires = host_to_guest(l, hrtimer_get_expires(t));
	if (ktime_after(expires, lapic_now(l))) {
		spin_unlock_irqrestore(&l->lock, flags);
		return HRTIMER_NORESTART;
	}
	l->timer_expiries++;
	if (!(l->lvt[LVT_TIMER] & LVT_MASKED) && sw_enabled(l))
		kick = lapic_accept_fixed(l, l->lvt[LVT_TIMER] & 0xff, false);
	if (timer_mode(l) == LVT_TIMER_PERIODIC && l->timer_period_ns) {
		/*
		 * No tick went in: none will until the LVT, the SVR or the
		 * IRR changes, so the hrtimer stops (lapic_timer_unpark()).
		 * Frozen, the next period starts here and the thaw arms it.
		 */
		l->timer_start = ktime_sub_ns(expires, l->timer_period_ns);
		if (kick && lapic_frozen(l)) {
			l->timer_start = expires;
		} else if (kick) {
			hrtimer_forward_now(t, ns_to_ktime(l->timer_period_ns));
			l->timer_start = ktime_sub_ns(host_to_guest(l,
						hrtimer_get_expires(t)),
						l->timer_period_ns);
			ret = HRTIMER_RESTART;
		} else {
			l->timer_parked = true;
		}
	} else {
		l->timer_period_ns = 0;
		l->tsc_deadline = 0;
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (kick)
		vireo_vcpu_kick(l->vcpu);
	return ret;
}

/*
 * Periods below 200 us would let a guest keep a host CPU busy with timer
 * interrupts alone; KVM's floor is the same (its min_timer_period_us).
 */
#define LAPIC_MIN_PERIOD_NS	200000

/*
 * Start a parked periodic timer again once a tick can go in, at the next
 * period boundary: the count ran on meanwhile, as the hardware's does
 * while the LVT is masked (SDM Vol. 3A 11.5.4).  Locked.
 */
static void lapic_timer_unpark(struct vireo_lapic *l)
{
	u64 elapsed, periods;

	if (!l->timer_parked)
		return;
	if (timer_mode(l) != LVT_TIMER_PERIODIC || !l->timer_period_ns) {
		l->timer_parked = false;
		return;
	}
	if ((l->lvt[LVT_TIMER] & LVT_MASKED) || !sw_enabled(l) ||
	    vec_test(l->irr, l->lvt[LVT_TIMER] & 0xff))
		return;
	l->timer_parked = false;
	elapsed = ktime_to_ns(ktime_sub(lapic_now(l), l->timer_start));
	periods = div64_u64(elapsed, l->timer_period_ns);
	l->timer_start = ktime_add_ns(l->timer_start,
				      periods * l->timer_period_ns);
	lapic_timer_arm(l, ktime_add_ns(l->timer_start, l->timer_period_ns));
}

/* (Re)start one-shot/periodic counting from the initial count; locked. */
static void lapic_start_count(struct vireo_lapic *l)
{
	u64 ns;

	lapic_timer_reprogram(l);
	l->timer_parked = false;
	l->timer_period_ns = 0;
	if (!l->timer_icr || timer_mode(l) == LVT_TIMER_TSCDEADLINE)
		return;
	ns = count_to_ns(l, l->timer_icr);
	if (timer_mode(l) == LVT_TIMER_PERIODIC)
		ns = max_t(u64, ns, LAPIC_MIN_PERIOD_NS);
	l->timer_period_ns = ns;
	l->timer_start = lapic_now(l);
	lapic_timer_arm(l, ktime_add_ns(l->timer_start, ns));
}

static u32 lapic_current_count(const struct vireo_lapic *l)
{
	s64 elapsed, left;
	u64 rem;

	if (!l->timer_period_ns || timer_mode(l) == LVT_TIMER_TSCDEADLINE)
		return 0;
	/* Not before the start (a tick that came as guest time stopped). */
	elapsed = max_t(s64, 0, ktime_to_ns(ktime_sub(lapic_now(l),
						     l->timer_start)));
	/* A parked periodic timer counts on, period after period. */
	if (timer_mode(l) == LVT_TIMER_PERIODIC && elapsed > 0) {
		div64_u64_rem(elapsed, l->timer_period_ns, &rem);
		elapsed = rem;
	}
	left = (s64)l->timer_period_ns - elapsed;
	if (left <= 0)
		return 0;
	return div_u64(left, timer_divisor(l));
}

/* TSC-deadline mode (SDM Vol. 3A 11.5.4.1): the deadline is guest TSC. */
static void lapic_arm_deadline(struct vireo_lapic *l, u64 deadline)
{
	u64 guest_tsc = vireo_guest_tsc(l->vcpu->vm);
	u64 ns = 0;

	lapic_timer_reprogram(l);
	l->tsc_deadline = deadline;
	if (!deadline || timer_mode(l) != LVT_TIMER_TSCDEADLINE)
		return;
	/* No TSC-deadline in CPUID then (cpuid_policy.c); fire at once. */
	if (deadline > guest_tsc && tsc_khz)
		ns = mul_u64_u32_div(deadline - guest_tsc, 1000000, tsc_khz);
	lapic_timer_arm(l, ktime_add_safe(lapic_now(l),
					  ns_to_ktime(min_t(u64, ns, KTIME_MAX))));
}

/* ---- acceptance and delivery --------------------------------------- */

/*
 * Returns true for a new request, which the vCPU must be kicked for; false
 * when it was refused or merged.  An edge-triggered vector already pending
 * in the IRR collapses into that one bit (SDM Vol. 3A 11.8.4): telling the
 * sender lets a timer that must not lose ticks (the PIT) send it again
 * later.  Locked.
 */
static bool lapic_accept_fixed(struct vireo_lapic *l, u8 vector, bool level)
{
	/* Vectors 0-15 are illegal: "receive illegal vector" (11.5.3). */
	if (vector < 16) {
		l->esr |= APIC_ESR_RECVILL;
		return false;
	}
	if (!level && vec_test(l->irr, vector))
		return false;
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	return true;
}

static bool lapic_accept(struct vireo_vcpu *vcpu, const struct lapic_irq *irq)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;
	bool kick = false;

	spin_lock_irqsave(&l->lock, flags);
	switch (irq->delivery) {
	case APIC_DM_FIXED >> 8:
	case APIC_DM_LOWEST >> 8:
		if (hw_enabled(l) && sw_enabled(l))
			kick = lapic_accept_fixed(l, irq->vector, irq->level);
		break;
	case APIC_DM_NMI >> 8:
		set_bit(VIREO_EV_NMI, &vcpu->events);
		kick = true;
		break;
	case APIC_DM_INIT >> 8:
		set_bit(VIREO_EV_INIT, &vcpu->events);
		kick = true;
		break;
	case APIC_DM_STARTUP >> 8:
		vcpu->sipi_vector = irq->vector;
		set_bit(VIREO_EV_SIPI, &vcpu->events);
		kick = true;
		break;
	case APIC_DM_EXTINT >> 8:
		/*
		 * The PIC's INTR reaches the CPU through LINT0 in virtual-wire
		 * mode, or directly while the LAPIC is off (11.4.3).
		 */
		/*
		 * One at a time, as the INTA cycle takes one: the PIC keeps
		 * the next pending until this one was delivered.
		 */
		if (l->extint_pending)
			break;
		if ((!hw_enabled(l) && vcpu->id == 0) ||
		    (hw_enabled(l) && sw_enabled(l) &&
		     !(l->lvt[LVT_LINT0] & LVT_MASKED) &&
		     (l->lvt[LVT_LINT0] & 0x700) == APIC_DM_EXTINT)) {
			l->extint_pending = true;
			l->extint_vector = irq->vector;
			kick = true;
		}
		break;
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (kick)
		vireo_vcpu_kick(vcpu);
	return kick;
}

/* SDM Vol. 3A 11.6.2: does @l answer to @irq's destination? */
static bool lapic_match(struct vireo_lapic *l, bool self,
			const struct lapic_irq *irq)
{
	u32 dest = irq->dest;

	switch (irq->shorthand) {
	case 1:
		return self;
	case 2:
		return true;
	case 3:
		return !self;
	}
	if (x2apic_mode(l)) {
		/* An 8-bit (xAPIC format) 0xFF still broadcasts (11.12.9). */
		if (dest == 0xffffffff || (!irq->x2apic_dest && dest == 0xff))
			return true;
		if (!irq->logical)
			return dest == l->id;
		/* Cluster in bits 31:16, one bit per APIC below (11.12.10). */
		return (dest >> 16) == (l->ldr >> 16) &&
		       (dest & l->ldr & 0xffff);
	}
	if (irq->x2apic_dest && dest != 0xffffffff)
		dest &= 0xff;
	else if (dest == 0xffffffff)
		dest = 0xff;
	if (!irq->logical)
		return dest == 0xff || dest == l->id;
	if (dest == 0xff)
		return true;
	if ((l->dfr >> 28) == 0xf)	/* flat model (11.6.2.2) */
		return (l->ldr >> 24) & dest;
	/* cluster model: cluster in the high nibble, members below */
	return ((l->ldr >> 28) == (dest >> 4)) && ((l->ldr >> 24) & dest & 0xf);
}

int vireo_lapic_deliver(struct vireo_vm *vm, struct vireo_vcpu *src,
			const struct lapic_irq *irq)
{
	bool lowest = irq->delivery == APIC_DM_LOWEST >> 8;
	int i, n = 0;

	for (i = 0; i < VIREO_MAX_VCPUS; i++) {
		struct vireo_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);

		if (!vcpu || !lapic_match(&vcpu->lapic, vcpu == src, irq))
			continue;
		if (lapic_accept(vcpu, irq))
			n++;
		/*
		 * Lowest priority may go to any one of the targets (11.6.2.4
		 * leaves the choice to the chipset): the first that takes it.
		 */
		if (lowest && n)
			break;
	}
	return n;
}

/* ICR write: send the IPI it describes (SDM Vol. 3A 11.6.1). */
static void lapic_send_ipi(struct vireo_lapic *l)
{
	struct lapic_irq irq = {
		.vector = l->icr_lo & 0xff,
		.delivery = (l->icr_lo >> 8) & 7,
		.logical = l->icr_lo & APIC_DEST_LOGICAL,
		.level = l->icr_lo & APIC_INT_ASSERT,
		.shorthand = (l->icr_lo >> 18) & 3,
	};

	if (x2apic_mode(l)) {
		irq.dest = l->icr_hi;
		irq.x2apic_dest = true;
	} else {
		irq.dest = l->icr_hi >> 24;
	}
	/* Fixed IPIs are edge: the trigger bit matters for INIT only. */
	if (irq.delivery == APIC_DM_INIT >> 8 && !irq.level &&
	    (l->icr_lo & APIC_INT_LEVELTRIG))
		return;		/* INIT level de-assert: nothing to do */
	if (irq.delivery != APIC_DM_INIT >> 8)
		irq.level = false;
	vireo_lapic_deliver(l->vcpu->vm, l->vcpu, &irq);
}

/* ---- registers ------------------------------------------------------- */

static void lapic_eoi(struct vireo_lapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, v);
	/* Level-triggered: the IOAPIC in userspace must hear of it. */
	if (vec_test(l->tmr, v)) {
		vec_clear(l->tmr, v);
		l->vcpu->eoi_exit_vector = v;
		l->vcpu->eoi_exit_pending = true;
	}
}

/* Register read by offset (xAPIC layout); false for a reserved one. */
static bool lapic_reg_read(struct vireo_lapic *l, u32 reg, u32 *val)
{
	switch (reg) {
	case APIC_ID:
		*val = x2apic_mode(l) ? l->id : l->id << 24;
		return true;
	case APIC_LVR:
		*val = LAPIC_VERSION | (LAPIC_MAX_LVT << 16);
		return true;
	case APIC_TASKPRI:
		*val = l->tpr;
		return true;
	case APIC_ARBPRI:
		*val = 0;
		return true;
	case APIC_PROCPRI:
		*val = lapic_ppr(l);
		return true;
	case APIC_EOI:
		*val = 0;
		return true;
	case APIC_LDR:
		*val = l->ldr;
		return true;
	case APIC_DFR:
		*val = l->dfr;
		return !x2apic_mode(l);
	case APIC_SPIV:
		*val = l->svr;
		return true;
	case APIC_ISR ... APIC_ISR + 0x70:
		*val = l->isr[(reg - APIC_ISR) >> 4];
		return true;
	case APIC_TMR ... APIC_TMR + 0x70:
		*val = l->tmr[(reg - APIC_TMR) >> 4];
		return true;
	case APIC_IRR ... APIC_IRR + 0x70:
		*val = l->irr[(reg - APIC_IRR) >> 4];
		return true;
	case APIC_ESR:
		*val = l->esr;
		return true;
	case APIC_ICR:
		*val = l->icr_lo & ~APIC_ICR_BUSY;
		return true;
	case APIC_ICR2:
		*val = l->icr_hi;
		return !x2apic_mode(l);
	case APIC_LVTCMCI:
		*val = l->lvt[LVT_CMCI];
		return true;
	case APIC_LVTT ... APIC_LVTERR:
		*val = l->lvt[(reg - APIC_LVTT) >> 4];
		return true;
	case APIC_TMICT:
		*val = l->timer_icr;
		return true;
	case APIC_TMCCT:
		*val = lapic_current_count(l);
		return true;
	case APIC_TDCR:
		*val = l->timer_dcr;
		return true;
	}
	return false;
}

static void lapic_set_svr(struct vireo_lapic *l, u32 val)
{
	int i;

	/* Bit 12 (EOI-broadcast suppression) is not offered: LVR bit 24 0. */
	l->svr = val & 0x1ff;
	/* Software disable masks every LVT (SDM Vol. 3A 11.4.7.2). */
	if (!sw_enabled(l)) {
		for (i = 0; i < LVT_NR; i++)
			l->lvt[i] |= LVT_MASKED;
		if (hrtimer_try_to_cancel(&l->timer) > 0 &&
		    timer_mode(l) == LVT_TIMER_PERIODIC)
			l->timer_parked = true;
	}
}

static void lapic_set_lvt(struct vireo_lapic *l, enum lapic_lvt i, u32 val)
{
	u32 old_mode = timer_mode(l);

	val &= lvt_writable[i];
	if (!sw_enabled(l))
		val |= LVT_MASKED;
	l->lvt[i] = val;
	if (i == LVT_TIMER && timer_mode(l) == old_mode)
		lapic_timer_unpark(l);
	if (i == LVT_TIMER && timer_mode(l) != old_mode) {
		/* A mode change stops the timer (11.5.4.1). */
		lapic_timer_reprogram(l);
		l->timer_parked = false;
		l->timer_period_ns = 0;
		l->timer_icr = 0;
		l->tsc_deadline = 0;
	}
}

/* Register write; false for a read-only or reserved register. */
static bool lapic_reg_write(struct vireo_lapic *l, u32 reg, u32 val)
{
	switch (reg) {
	case APIC_ID:
		/* Writable in xAPIC mode on some parts; we keep IDs fixed. */
		return !x2apic_mode(l);
	case APIC_TASKPRI:
		l->tpr = val & 0xff;
		return true;
	case APIC_EOI:
		lapic_eoi(l);
		return true;
	case APIC_LDR:
		if (x2apic_mode(l))
			return false;
		l->ldr = val & 0xff000000;
		return true;
	case APIC_DFR:
		if (x2apic_mode(l))
			return false;
		l->dfr = val | 0x0fffffff;
		return true;
	case APIC_SPIV:
		lapic_set_svr(l, val);
		return true;
	case APIC_ESR:
		/* A write latches the errors; we report them at once. */
		return true;
	case APIC_ICR:
		l->icr_lo = val & ~APIC_ICR_BUSY;
		return true;	/* sent by the caller, outside the lock */
	case APIC_ICR2:
		if (x2apic_mode(l))
			return false;
		l->icr_hi = val & 0xff000000;
		return true;
	case APIC_LVTCMCI:
		lapic_set_lvt(l, LVT_CMCI, val);
		return true;
	case APIC_LVTT ... APIC_LVTERR:
		lapic_set_lvt(l, (reg - APIC_LVTT) >> 4, val);
		return true;
	case APIC_TMICT:
		if (timer_mode(l) == LVT_TIMER_TSCDEADLINE)
			return true;	/* ignored in TSC-deadline mode */
		l->timer_icr = val;
		lapic_start_count(l);
		return true;
	case APIC_TDCR:
		l->timer_dcr = val & 0xb;
		return true;
	case APIC_SELF_IPI:
		if (!x2apic_mode(l))
			return false;
		lapic_accept_fixed(l, val & 0xff, false);
		return true;
	}
	return false;
}

/*
 * A register access, then what must happen outside the lock: sending an
 * IPI (it takes other LAPICs' locks) and kicking our own vCPU.
 */
static bool lapic_write(struct vireo_vcpu *vcpu, u32 reg, u32 val, u32 hi)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;
	bool ok, ipi;

	spin_lock_irqsave(&l->lock, flags);
	if (reg == APIC_ICR && x2apic_mode(l))
		l->icr_hi = hi;
	ok = lapic_reg_write(l, reg, val);
	ipi = ok && reg == APIC_ICR;
	spin_unlock_irqrestore(&l->lock, flags);
	if (ipi)
		lapic_send_ipi(l);
	return ok;
}

bool vireo_lapic_mmio_hit(struct vireo_vcpu *vcpu, u64 gpa)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	u64 base = READ_ONCE(l->base_msr);

	return (base & LAPIC_BASE_EN) && !(base & LAPIC_BASE_EXTD) &&
	       (gpa & ~(u64)(LAPIC_PAGE_SIZE - 1)) == LAPIC_DEFAULT_BASE;
}

/*
 * xAPIC registers are 32 bits at 16-byte strides; other sizes and
 * offsets read as zero and are ignored on write, with ESR noting the
 * illegal register address (SDM Vol. 3A 11.4.1).
 */
int vireo_lapic_mmio_read(struct vireo_vcpu *vcpu, u32 offset, void *data,
			  unsigned int len)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;
	u32 val = 0;

	spin_lock_irqsave(&l->lock, flags);
	if (!lapic_reg_read(l, offset & ~0xf, &val) ||
	    offset > LAPIC_PAGE_SIZE - len)
		val = 0;
	spin_unlock_irqrestore(&l->lock, flags);
	val >>= 8 * (offset & 3);
	memcpy(data, &val, min(len, 4u));
	if (len > 4)
		memset(data + 4, 0, len - 4);
	return 0;
}

int vireo_lapic_mmio_write(struct vireo_vcpu *vcpu, u32 offset,
			   const void *data, unsigned int len)
{
	u32 val = 0;

	if ((offset & 0xf) || len < 4)
		return 0;
	memcpy(&val, data, 4);
	lapic_write(vcpu, offset, val, 0);
	return 0;
}

/* ---- MSRs ------------------------------------------------------------ */

/* SDM Vol. 3A 11.12.1.3: xAPIC IDs become x2APIC ones, LDR is derived. */
static void lapic_enter_x2apic(struct vireo_lapic *l)
{
	l->ldr = ((l->id >> 4) << 16) | (1u << (l->id & 0xf));
}

static int lapic_set_base(struct vireo_lapic *l, u64 val)
{
	u64 old = l->base_msr;
	u64 allowed = LAPIC_BASE_BSP | LAPIC_BASE_EXTD | LAPIC_BASE_EN |
		      GENMASK_ULL(51, 12);

	/*
	 * Relocating the enabled page is not offered; a disabled APIC's base
	 * is only a number (KVM takes any); EXTD without EN is illegal.
	 */
	if ((val & ~allowed) || ((val & LAPIC_BASE_EN) &&
				 (val & ~0xfffULL) != LAPIC_DEFAULT_BASE))
		return -EINVAL;
	if ((val & LAPIC_BASE_EXTD) && !(val & LAPIC_BASE_EN))
		return -EINVAL;
	/* x2APIC -> xAPIC directly is illegal (SDM Vol. 3A figure 11-27). */
	if ((old & LAPIC_BASE_EXTD) && (val & LAPIC_BASE_EN) &&
	    !(val & LAPIC_BASE_EXTD))
		return -EINVAL;
	/* The BSP flag is the platform's, not the guest's. */
	val = (val & ~LAPIC_BASE_BSP) | (old & LAPIC_BASE_BSP);
	l->base_msr = val;
	if (!(old & LAPIC_BASE_EXTD) && (val & LAPIC_BASE_EXTD))
		lapic_enter_x2apic(l);
	if (!(val & LAPIC_BASE_EN)) {
		/* Hardware disable: as after reset, but the ID stays. */
		hrtimer_try_to_cancel(&l->timer);
		l->svr &= ~SVR_ENABLED;
		lapic_set_svr(l, l->svr);
	}
	return 0;
}

int vireo_lapic_get_msr(struct vireo_vcpu *vcpu, u32 msr, u64 *val)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;
	u32 v;
	int r = 0;

	spin_lock_irqsave(&l->lock, flags);
	if (msr == MSR_IA32_APICBASE) {
		*val = l->base_msr;
	} else if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = timer_mode(l) == LVT_TIMER_TSCDEADLINE ?
		       l->tsc_deadline : 0;
	} else if (!x2apic_mode(l) || msr == X2APIC_MSR_BASE + (APIC_EOI >> 4) ||
		   msr == X2APIC_MSR_BASE + (APIC_SELF_IPI >> 4)) {
		r = -EINVAL;	/* write-only, or not in x2APIC mode */
	} else if (!lapic_reg_read(l, (msr - X2APIC_MSR_BASE) << 4, &v)) {
		r = -EINVAL;
	} else {
		*val = v;
		if (msr == X2APIC_MSR_BASE + (APIC_ICR >> 4))
			*val |= (u64)l->icr_hi << 32;
	}
	spin_unlock_irqrestore(&l->lock, flags);
	return r;
}

int vireo_lapic_set_msr(struct vireo_vcpu *vcpu, u32 msr, u64 val)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;
	u32 reg;
	int r = 0;

	if (msr == MSR_IA32_APICBASE || msr == MSR_IA32_TSC_DEADLINE) {
		spin_lock_irqsave(&l->lock, flags);
		if (msr == MSR_IA32_APICBASE)
			r = lapic_set_base(l, val);
		else
			lapic_arm_deadline(l, val);
		spin_unlock_irqrestore(&l->lock, flags);
		return r;
	}
	if (!x2apic_mode(l))
		return -EINVAL;
	reg = (msr - X2APIC_MSR_BASE) << 4;
	/* x2APIC registers are 32 bits but ICR; reserved bits #GP (11.12.1.2). */
	if (reg != APIC_ICR && (val >> 32))
		return -EINVAL;
	if (reg == APIC_EOI && val)
		return -EINVAL;
	switch (reg) {
	case APIC_ID: case APIC_LVR: case APIC_PROCPRI: case APIC_LDR:
	case APIC_ISR ... APIC_IRR + 0x70: case APIC_TMCCT:
		return -EINVAL;		/* read-only in x2APIC mode */
	case APIC_ESR:
		if (val)
			return -EINVAL;
		break;
	}
	return lapic_write(vcpu, reg, val, val >> 32) ? 0 : -EINVAL;
}

/* ---- life cycle ------------------------------------------------------ */

void vireo_lapic_reset(struct vireo_vcpu *vcpu, bool init)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;
	int i;

	hrtimer_cancel(&l->timer);
	spin_lock_irqsave(&l->lock, flags);
	/* INIT keeps APIC_BASE (and with it x2APIC mode) and the ID. */
	if (!init)
		l->base_msr = LAPIC_DEFAULT_BASE | LAPIC_BASE_EN |
			      (vcpu->id == 0 ? LAPIC_BASE_BSP : 0);
	l->id = vcpu->id;
	l->ldr = 0;
	if (x2apic_mode(l))
		lapic_enter_x2apic(l);
	l->dfr = 0xffffffff;
	l->svr = 0xff;
	l->tpr = 0;
	l->esr = 0;
	l->icr_lo = 0;
	l->icr_hi = 0;
	for (i = 0; i < LVT_NR; i++)
		l->lvt[i] = LVT_MASKED;
	l->timer_icr = 0;
	l->timer_dcr = 0;
	l->timer_period_ns = 0;
	l->timer_parked = false;
	l->tsc_deadline = 0;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->extint_pending = false;
	spin_unlock_irqrestore(&l->lock, flags);
}

/*
 * Guest time stops (guest_time.c, with the VM's lock held): the hrtimer is
 * cancelled, and its state (the start of the count, or the deadline) keeps
 * what is left.  A callback that runs meanwhile finds l->frozen.
 */
void vireo_lapic_freeze(struct vireo_vcpu *vcpu)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	l->frozen = true;
	hrtimer_try_to_cancel(&l->timer);
	spin_unlock_irqrestore(&l->lock, flags);
	hrtimer_cancel(&l->timer);
}

/* Guest time runs again: arm whatever the registers say is counting. */
void vireo_lapic_thaw(struct vireo_vcpu *vcpu)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	l->frozen = false;
	if (timer_mode(l) == LVT_TIMER_TSCDEADLINE) {
		if (l->tsc_deadline)
			lapic_arm_deadline(l, l->tsc_deadline);
	} else if (l->timer_period_ns && !l->timer_parked) {
		lapic_timer_arm(l, ktime_add_ns(l->timer_start,
						l->timer_period_ns));
	}
	spin_unlock_irqrestore(&l->lock, flags);
}

/* With the VM's lock held (vCPU creation): frozen if guest time is. */
int vireo_lapic_init(struct vireo_vcpu *vcpu)
{
	struct vireo_lapic *l = vcpu_lapic(vcpu);

	l->vcpu = vcpu;
	l->frozen = vcpu->vm->clock.frozen;
	spin_lock_init(&l->lock);
	hrtimer_init(&l->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	l->timer.function = lapic_timer_fn;
	return 0;
}

void vireo_lapic_free(struct vireo_vcpu *vcpu)
{
	hrtimer_cancel(&vcpu_lapic(vcpu)->timer);
}
