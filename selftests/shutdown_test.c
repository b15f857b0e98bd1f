// SPDX-License-Identifier: GPL-2.0
/*
 * A triple fault ends in VIREO_EXIT_SHUTDOWN: an exception that cannot be
 * delivered becomes #DF, and one that cannot deliver #DF shuts the CPU
 * down (SDM "Interrupt 8 - Double Fault Exception").  Both guests have an
 * IDT of limit 0, so every vector is out of it.
 */
#include "kselftest_harness.h"
#include "longmode.h"
#include "realmode.h"
#include "ucall.h"

#define TIMEOUT		120

FIXTURE(shutdown) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(shutdown)
{
}

FIXTURE_TEARDOWN(shutdown)
{
	vm_free(self->vm);
}

/* Real mode: INT3 needs IVT entry 3, beyond the limit: #GP, #DF, shutdown. */
REALMODE_GUEST(rm_triple_fault,
	"mov $0x42, %al\n"
	"out %al, $0x10\n"
	"mov $" RM_ADDR(rm_triple_fault, rm_tf_idtr) ", %bx\n"
	"lidt (%bx)\n"
	"int3\n"
	"hlt\n"
	"rm_tf_idtr: .word 0\n"
	".long 0\n");

TEST_F_TIMEOUT(shutdown, realmode_int3, TIMEOUT)
{
	self->vm = vm_create_realmode(&rm_triple_fault, &self->vcpu);
	/* The guest ran up to the fault: this is not a failed entry. */
	vcpu_run(self->vcpu);
	ASSERT_EQ(0x42, vcpu_expect_out(self->vcpu, 0x10, 1));
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_SHUTDOWN);
}

static void guest_ud2(void)
{
	GUEST_SYNC(1);
	asm volatile("ud2");
	GUEST_DONE();
}

TEST_F_TIMEOUT(shutdown, longmode_ud2, TIMEOUT)
{
	struct ucall uc;

	self->vm = vm_create_longmode(guest_ud2, &self->vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_SHUTDOWN);
}

#define UNMAPPED_GVA	(4 * SZ_1G)	/* beyond the identity map */

static void guest_page_fault(void)
{
	GUEST_SYNC(1);
	(void)*(volatile uint64_t *)UNMAPPED_GVA;
	GUEST_DONE();
}

/* A #PF on an unmapped address, not delivered either. */
TEST_F_TIMEOUT(shutdown, longmode_page_fault, TIMEOUT)
{
	struct ucall uc;

	self->vm = vm_create_longmode(guest_page_fault, &self->vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_SHUTDOWN);
}

TEST_HARNESS_MAIN
