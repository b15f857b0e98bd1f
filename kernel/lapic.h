/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel local APIC of a vCPU (Intel SDM Vol. 3A chapter 11).
 * Registers, interrupt acceptance, the timer, IPIs; the run loop asks it
 * for the next vector to inject.  Guests reach it through the xAPIC page
 * (MMIO, emulated) or the x2APIC MSRs.
 */
#ifndef VIREO_LAPIC_H
#define VIREO_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct vireo_vcpu;
struct vireo_vm;

#define LAPIC_DEFAULT_BASE	0xfee00000ULL
#define LAPIC_PAGE_SIZE		0x1000

/* APIC_BASE MSR (SDM Vol. 3A 11.4.4, 11.12.1) */
#define LAPIC_BASE_BSP		(1ULL << 8)
#define LAPIC_BASE_EXTD		(1ULL << 10)	/* x2APIC mode */
#define LAPIC_BASE_EN		(1ULL << 11)

/* LVT entries, in register order from 0x320 (timer) */
enum lapic_lvt {
	LVT_TIMER, LVT_THERMAL, LVT_PERFMON, LVT_LINT0, LVT_LINT1, LVT_ERROR,
	LVT_CMCI, LVT_NR,
};

/* A message to LAPICs: an MSI, an IOAPIC entry or an IPI (ICR). */
struct lapic_irq {
	u32 dest;		/* APIC ID or logical destination */
	u8 vector;
	u8 delivery;		/* APIC_DM_* >> 8: 0 fixed ... 7 ExtINT */
	bool logical;
	bool level;		/* trigger mode: level */
	u8 shorthand;		/* 0 none, 1 self, 2 all, 3 all but self */
	bool x2apic_dest;	/* 32-bit destination (x2APIC ICR) */
};

struct vireo_lapic {
	struct vireo_vcpu *vcpu;
	spinlock_t lock;		/* everything below */
	u64 base_msr;
	u32 id;				/* APIC ID: the vCPU id */
	u32 ldr, dfr, svr, tpr, esr;
	u32 icr_lo, icr_hi;
	u32 lvt[LVT_NR];
	u32 timer_icr, timer_dcr;
	u32 irr[8], isr[8], tmr[8];
	bool extint_pending;		/* the PIC's vector, through LINT0 */
	u8 extint_vector;

	/* Timer: hrtimer expiry, and the period for the periodic mode. */
	struct hrtimer timer;
	ktime_t timer_start;		/* guest time the count started */
	u64 timer_period_ns;		/* one-shot/periodic length */
	u64 tsc_deadline;		/* guest TSC; 0: disarmed */
	/*
	 * A periodic timer whose tick could change nothing (masked, APIC
	 * disabled, or the last tick still waiting in the IRR) stops its
	 * hrtimer until that changes; the count goes on from timer_start.
	 */
	bool timer_parked;
	/* Guest time is stopped: no hrtimer runs (vireo_lapic_freeze()). */
	bool frozen;
	/*
	 * Bumped by each programming of the timer; armed_gen is the one the
	 * hrtimer was started for (a stale callback backs off).
	 */
	u32 timer_gen, armed_gen;
	u64 timer_expiries;		/* hrtimer callbacks, for debugfs */
};

int vireo_lapic_init(struct vireo_vcpu *vcpu);
void vireo_lapic_free(struct vireo_vcpu *vcpu);
/* Power-up or INIT state (SDM Vol. 3A 11.4.7.1, table 10-1). */
void vireo_lapic_reset(struct vireo_vcpu *vcpu, bool init);
/* Guest time stops and starts again (guest_time.c). */
void vireo_lapic_freeze(struct vireo_vcpu *vcpu);
void vireo_lapic_thaw(struct vireo_vcpu *vcpu);

/* xAPIC page accesses, offset within the page; 0 or -EINVAL. */
int vireo_lapic_mmio_read(struct vireo_vcpu *vcpu, u32 offset, void *data,
			  unsigned int len);
int vireo_lapic_mmio_write(struct vireo_vcpu *vcpu, u32 offset,
			   const void *data, unsigned int len);
/* Does gpa hit this vCPU's xAPIC page (enabled, not x2APIC)? */
bool vireo_lapic_mmio_hit(struct vireo_vcpu *vcpu, u64 gpa);

/* APIC_BASE, x2APIC (0x800-0x8ff) and TSC_DEADLINE MSRs: 0 or -EINVAL. */
int vireo_lapic_get_msr(struct vireo_vcpu *vcpu, u32 msr, u64 *val);
int vireo_lapic_set_msr(struct vireo_vcpu *vcpu, u32 msr, u64 val);

/* Deliver to every matching LAPIC of the VM; returns how many took it. */
int vireo_lapic_deliver(struct vireo_vm *vm, struct vireo_vcpu *src,
			const struct lapic_irq *irq);

/*
 * For the run loop: the vector to inject next (ExtINT first, then the
 * highest IRR above the processor priority), or -1, with in *tpr_class
 * (unless NULL) the class of a request the TPR alone holds back, or -1;
 * and its acceptance by the CPU, which moves it from IRR to ISR.
 */
int vireo_lapic_pending(struct vireo_vcpu *vcpu, int *tpr_class);
void vireo_lapic_ack(struct vireo_vcpu *vcpu, int vector);
/* CR8, the TPR's class: what MOV to/from CR8 and the sregs' cr8 reach. */
u8 vireo_lapic_get_cr8(struct vireo_vcpu *vcpu);
void vireo_lapic_set_cr8(struct vireo_vcpu *vcpu, u8 cr8);

#endif
