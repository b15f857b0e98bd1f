// SPDX-License-Identifier: GPL-2.0
/*
 * The LAPIC timer costs the host nothing while its ticks could change
 * nothing (kernel/lapic.c): a periodic timer at the shortest period runs
 * no hrtimer while its LVT is masked, nor while its last tick waits in the
 * IRR of a vCPU that has interrupts off (here: one that is not even
 * running), and it comes back when the LVT is unmasked.  Before, 8 such
 * vCPUs took the host from 16 to 28,000 timer interrupts a second.
 */
#include <unistd.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "ucall.h"

#define TIMEOUT		120
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EXTD	(1ULL << 10)
#define APIC_BASE_EN	(1ULL << 11)
#define MSR_X2APIC_SVR	0x80f
#define MSR_X2APIC_IRR2	0x822		/* vectors 0x40-0x5f */
#define MSR_X2APIC_LVTT	0x832
#define MSR_X2APIC_TMICT 0x838
#define MSR_X2APIC_TDCR	0x83e
#define LVT_MASKED	(1U << 16)
#define LVT_PERIODIC	(1U << 17)
#define VEC_TIMER	0x40
#define IDLE_US		100000		/* 500 periods of the 200 us floor */

FIXTURE(lapic_timer) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(lapic_timer)
{
}

FIXTURE_TEARDOWN(lapic_timer)
{
	vm_free(self->vm);
}

static void guest_timer(void)
{
	int i;

	wrmsr_ok(MSR_APIC_BASE, rdmsr_ok(MSR_APIC_BASE) | APIC_BASE_EN |
	      APIC_BASE_EXTD);
	wrmsr_ok(MSR_X2APIC_SVR, 0x1ff);
	wrmsr_ok(MSR_X2APIC_TDCR, 0xb);			/* divide by 1 */
	wrmsr_ok(MSR_X2APIC_LVTT, LVT_PERIODIC | LVT_MASKED | VEC_TIMER);
	wrmsr_ok(MSR_X2APIC_TMICT, 1);			/* the floor */
	GUEST_SYNC(1);
	/* Unmasked with interrupts off: the next tick waits in the IRR. */
	wrmsr_ok(MSR_X2APIC_LVTT, LVT_PERIODIC | VEC_TIMER);
	for (i = 0; i < 10000000; i++) {
		if (rdmsr_ok(MSR_X2APIC_IRR2) & 1)
			break;
		asm volatile("pause");
	}
	GUEST_ASSERT_EQ(rdmsr_ok(MSR_X2APIC_IRR2) & 1, 1);
	GUEST_SYNC(2);
	GUEST_DONE();
}

/* hrtimer runs while the host idles IDLE_US with the vCPU out. */
static uint64_t expiries_while_idle(struct vireo_vcpu *vcpu)
{
	uint64_t before = vcpu_debugfs_u64(vcpu, "timer_expiries");

	usleep(IDLE_US);
	return vcpu_debugfs_u64(vcpu, "timer_expiries") - before;
}

TEST_F_TIMEOUT(lapic_timer, parked_while_it_cannot_deliver, TIMEOUT)
{
	uint64_t masked, pending, before;
	struct ucall uc;

	self->vm = vm_create_longmode(guest_timer, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	masked = expiries_while_idle(self->vcpu);
	before = vcpu_debugfs_u64(self->vcpu, "timer_expiries");
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	ASSERT_EQ(2, uc.args[0]);
	/* Unmasking started it again: a tick reached the IRR. */
	ASSERT_LT(before, vcpu_debugfs_u64(self->vcpu, "timer_expiries"));
	pending = expiries_while_idle(self->vcpu);
	TH_LOG("hrtimer runs in %d ms: %lu masked, %lu with a tick pending",
	       IDLE_US / 1000, (unsigned long)masked, (unsigned long)pending);
	ASSERT_GE(1, masked);
	ASSERT_GE(1, pending);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

TEST_HARNESS_MAIN
