// SPDX-License-Identifier: GPL-2.0
/*
 * The debug registers are the guest's own (kernel/debugreg.c): they start
 * at their RESET values, what a guest writes survives exits and the host
 * running other VMs in between, a second VM run on the same CPU never
 * reads the first one's DR0-DR3, and a data breakpoint the guest arms
 * fires (#DB, DR6.B0) after an exit, when its DR0 has to be loaded again.
 */
#include <sched.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "ucall.h"

#define TIMEOUT		120
#define DB_VECTOR	1
#define DR6_RESET	0xffff0ff0ULL
#define DR7_RESET	0x400ULL
#define DR6_B0		1ULL
#define DR7_L0		1ULL
#define DR7_RW0_WRITE	(1ULL << 16)
#define DR7_LEN0_4	(3ULL << 18)

FIXTURE(debugreg) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(debugreg)
{
	cpu_set_t set;

	/* One CPU for every VM here: what one leaves behind, the next finds. */
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	sched_setaffinity(0, sizeof(set), &set);
}

FIXTURE_TEARDOWN(debugreg)
{
	vm_free(self->vm);
}

#define DEFINE_DR(n)							\
static inline uint64_t get_dr##n(void)					\
{									\
	uint64_t v;							\
	asm volatile("mov %%dr" #n ", %0" : "=r"(v));			\
	return v;							\
}									\
static inline void set_dr##n(uint64_t v)				\
{									\
	asm volatile("mov %0, %%dr" #n :: "r"(v) : "memory");		\
}
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
DEFINE_DR(7)

static const uint64_t pattern[4] = {
	0xffffffff81000000ULL, 0x00007fffdeadb000ULL,
	0x0000000012345678ULL, 0xffff888000abc000ULL,
};

static void guest_reset_values(void)
{
	GUEST_ASSERT_EQ(get_dr0(), 0);
	GUEST_ASSERT_EQ(get_dr1(), 0);
	GUEST_ASSERT_EQ(get_dr2(), 0);
	GUEST_ASSERT_EQ(get_dr3(), 0);
	GUEST_ASSERT_EQ(get_dr6(), DR6_RESET);
	GUEST_ASSERT_EQ(get_dr7(), DR7_RESET);
	GUEST_DONE();
}

TEST_F_TIMEOUT(debugreg, reset_values, TIMEOUT)
{
	struct ucall uc;

	self->vm = vm_create_longmode(guest_reset_values, &self->vcpu);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

/* Write, exit, and find them again; rounds tell the values apart. */
static void guest_write_and_keep(uint64_t salt)
{
	int round;

	for (round = 0; round < 3; round++) {
		set_dr0(pattern[0] + salt + round);
		set_dr1(pattern[1] + salt + round);
		set_dr2(pattern[2] + salt + round);
		set_dr3(pattern[3] + salt + round);
		GUEST_SYNC(round);
		GUEST_ASSERT_EQ(get_dr0(), pattern[0] + salt + round);
		GUEST_ASSERT_EQ(get_dr1(), pattern[1] + salt + round);
		GUEST_ASSERT_EQ(get_dr2(), pattern[2] + salt + round);
		GUEST_ASSERT_EQ(get_dr3(), pattern[3] + salt + round);
		GUEST_SYNC(round);
	}
	GUEST_DONE();
}

static void guest_reads_zero(void)
{
	GUEST_ASSERT_EQ(get_dr0(), 0);
	GUEST_ASSERT_EQ(get_dr1(), 0);
	GUEST_ASSERT_EQ(get_dr2(), 0);
	GUEST_ASSERT_EQ(get_dr3(), 0);
	GUEST_SYNC(0);
	GUEST_DONE();
}

/*
 * Two VMs writing their own values in turn, and a third that only reads:
 * each finds its own, the reader finds zeros.
 */
TEST_F_TIMEOUT(debugreg, own_per_vm, TIMEOUT)
{
	struct vireo_vcpu *other_vcpu, *reader_vcpu;
	struct vireo_vm *other, *reader;
	struct ucall uc;
	int i;

	self->vm = vm_create_longmode(guest_write_and_keep, &self->vcpu);
	other = vm_create_longmode(guest_write_and_keep, &other_vcpu);
	reader = vm_create_longmode(guest_reads_zero, &reader_vcpu);
	vcpu_args_set(self->vcpu, 1, 0x100);
	vcpu_args_set(other_vcpu, 1, 0x200);
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
		ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(other_vcpu, &uc));
		if (i == 0)
			ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(reader_vcpu, &uc));
	}
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(other_vcpu, &uc));
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(reader_vcpu, &uc));
	vm_free(other);
	vm_free(reader);
}

static volatile uint32_t watched;

/* A 4-byte write breakpoint on @watched; the write after it traps. */
static uint8_t write_watched(uint32_t v)
{
	return asm_safe("movl %[v], (%[w])\n\tnop", [v] "r"(v),
			[w] "r"(&watched));
}

static void guest_breakpoint(void)
{
	set_dr0((uint64_t)&watched);
	set_dr6(DR6_RESET);
	set_dr7(DR7_RESET | DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_4);
	/* The exit takes DR0 back; the next entry must load it again. */
	GUEST_SYNC(0);
	GUEST_ASSERT_EQ(write_watched(1), DB_VECTOR);
	GUEST_ASSERT_EQ(watched, 1);
	GUEST_ASSERT_EQ(get_dr6() & DR6_B0, DR6_B0);
	set_dr7(DR7_RESET);
	set_dr6(DR6_RESET);
	GUEST_ASSERT_EQ(write_watched(2), 0);
	GUEST_DONE();
}

TEST_F_TIMEOUT(debugreg, breakpoint_fires, TIMEOUT)
{
	struct ucall uc;

	self->vm = vm_create_longmode(guest_breakpoint, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

TEST_HARNESS_MAIN
