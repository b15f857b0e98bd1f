// SPDX-License-Identifier: GPL-2.0
/*
 * CR8 is the local APIC's task priority: MOV to CR8 sets TPR[7:4] and
 * clears TPR[3:0], MOV from CR8 reads TPR[7:4] (SDM Vol. 3A 11.8.6.1), and
 * the sregs' cr8 is the same register.  An interrupt the TPR holds back
 * arrives once the guest lowers CR8.  64-bit guests: CR8 exists only in
 * long mode.
 */
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "ucall.h"

#define TIMEOUT		120
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EXTD	(1ULL << 10)	/* x2APIC mode */
#define APIC_BASE_EN	(1ULL << 11)
#define MSR_X2APIC_TPR	0x808
#define MSR_X2APIC_SVR	0x80f
#define VEC_MSI		0x40		/* priority class 4 */

FIXTURE(tpr) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(tpr)
{
}

FIXTURE_TEARDOWN(tpr)
{
	vm_free(self->vm);
}

static inline uint64_t read_cr8(void)
{
	uint64_t v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static inline void write_cr8(uint64_t v)
{
	asm volatile("mov %0, %%cr8" :: "r"(v) : "memory");
}

static void x2apic_on(void)
{
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_APIC_BASE, rdmsr_ok(MSR_APIC_BASE) |
				   APIC_BASE_EN | APIC_BASE_EXTD), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_X2APIC_SVR, 0x1ff), 0);
}

static void guest_cr8_is_tpr(void)
{
	x2apic_on();
	write_cr8(5);
	GUEST_ASSERT_EQ(rdmsr_ok(MSR_X2APIC_TPR), 0x50);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_X2APIC_TPR, 0x3c), 0);
	GUEST_ASSERT_EQ(read_cr8(), 3);
	write_cr8(9);
	GUEST_SYNC(0);		/* the host reads cr8 9, then sets 2 */
	GUEST_ASSERT_EQ(rdmsr_ok(MSR_X2APIC_TPR), 0x20);
	GUEST_ASSERT_EQ(read_cr8(), 2);
	GUEST_DONE();
}

TEST_F_TIMEOUT(tpr, cr8_is_tpr, TIMEOUT)
{
	struct vireo_sregs s;
	struct ucall uc;

	self->vm = vm_create_longmode(guest_cr8_is_tpr, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	vcpu_get_sregs(self->vcpu, &s);
	ASSERT_EQ(9, s.cr8);
	s.cr8 = 2;
	vcpu_set_sregs(self->vcpu, &s);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

/*
 * The IDT has the 32 exception gates only, so vector 0x40 arriving raises
 * #GP (SDM Vol. 3A 6.12.1): with the fixup armed (exception.h) that is
 * how the guest sees the interrupt come.  Returns the vector the fixup
 * saw, 0 if nothing came within the spin.
 */
static uint64_t lower_cr8_and_wait(uint64_t cr8)
{
	uint64_t vector;

	asm volatile("lea 1f(%%rip), %%r10\n\t"
		     "xor %%r9d, %%r9d\n\t"
		     "mov $1000000, %%ecx\n\t"
		     "mov %[cr8], %%cr8\n"
		     "2:\tpause\n\t"
		     "dec %%ecx\n\t"
		     "jnz 2b\n"
		     "1:\tmov %%r9, %[vector]\n\t"
		     "xor %%r10d, %%r10d"
		     : [vector] "=r"(vector)
		     : [cr8] "r"(cr8)
		     : "rcx", "r9", "r10", "memory");
	return vector;
}

static void guest_tpr_holds_interrupt(void)
{
	int i;

	x2apic_on();
	write_cr8(5);
	asm volatile("sti");
	GUEST_SYNC(0);		/* the host sends vector 0x40 */
	/* Held back: coming now would be an unexpected #GP (an abort). */
	for (i = 0; i < 100000; i++)
		asm volatile("pause");
	GUEST_SYNC(1);
	/* Class 4 still does not beat a TPR of class 4. */
	GUEST_ASSERT_EQ(lower_cr8_and_wait(4), 0);
	GUEST_SYNC(2);
	GUEST_ASSERT_EQ(lower_cr8_and_wait(3), GP_VECTOR);
	GUEST_DONE();
}

TEST_F_TIMEOUT(tpr, tpr_holds_interrupt, TIMEOUT)
{
	struct vireo_msi msi = { .address = 0xfee00000, .data = VEC_MSI };
	struct ucall uc;

	self->vm = vm_create_longmode(guest_tpr_holds_interrupt, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	ASSERT_EQ(0, uc.args[0]);
	ASSERT_EQ(1, ioctl(self->vm->fd, VIREO_SIGNAL_MSI, &msi));
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	ASSERT_EQ(1, uc.args[0]);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	ASSERT_EQ(2, uc.args[0]);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

TEST_HARNESS_MAIN
