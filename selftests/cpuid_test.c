// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID is answered in the kernel from the table SET_CPUID gave: leaves in
 * the table, leaves that are not (zeros), and leaves whose entries differ
 * by ECX (VIREO_CPUID_SIGNIFICANT_INDEX).  The guest is a loop: it reads a
 * leaf and an index from ports 0x40/0x41, executes CPUID and writes EAX,
 * EBX, ECX and EDX to port 0x42.
 */
#include "kselftest_harness.h"
#include "realmode.h"

#define TIMEOUT		120

REALMODE_GUEST(cpuid_guest,
	"1: in $0x40, %eax\n"
	"mov %eax, %edi\n"
	"in $0x41, %eax\n"
	"mov %eax, %ecx\n"
	"mov %edi, %eax\n"
	"cpuid\n"
	"out %eax, $0x42\n"
	"mov %ebx, %eax\n"
	"out %eax, $0x42\n"
	"mov %ecx, %eax\n"
	"out %eax, $0x42\n"
	"mov %edx, %eax\n"
	"out %eax, $0x42\n"
	"jmp 1b\n");

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* Leaf 0: the highest basic leaf and a vendor string of our own. */
#define VENDOR_EBX	0x65726956	/* "Vire" */
#define VENDOR_EDX	0x7365546f	/* "oTes" */
#define VENDOR_ECX	0x55504374	/* "tCPU" */

/*
 * Hypervisor-range leaves are ours to define, so no CPU policy in the
 * module has a reason to touch them.  0x40000000.EAX is the highest leaf
 * of the range: the queries for absent leaves stay within it, where an
 * absent leaf reads as zeros on every vendor.
 */
static const struct vireo_cpuid_entry table[] = {
	{ .function = 0, .eax = 1, .ebx = VENDOR_EBX, .ecx = VENDOR_ECX,
	  .edx = VENDOR_EDX },
	{ .function = 0x40000000, .eax = 0x40000010, .ebx = 0x11111111,
	  .ecx = 0x22222222, .edx = 0x33333333 },
	{ .function = 0x4000000b, .index = 0,
	  .flags = VIREO_CPUID_SIGNIFICANT_INDEX,
	  .eax = 0xa0, .ebx = 0xb0, .ecx = 0xc0, .edx = 0xd0 },
	{ .function = 0x4000000b, .index = 1,
	  .flags = VIREO_CPUID_SIGNIFICANT_INDEX,
	  .eax = 0xa1, .ebx = 0xb1, .ecx = 0xc1, .edx = 0xd1 },
};

FIXTURE(cpuid) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(cpuid)
{
	self->vm = vm_create_realmode(&cpuid_guest, &self->vcpu);
	vcpu_set_cpuid(self->vcpu, table, ARRAY_SIZE(table));
}

FIXTURE_TEARDOWN(cpuid)
{
	vm_free(self->vm);
}

/* One round of the guest's loop: CPUID(@leaf, @index) in the guest. */
static struct cpuid_regs guest_cpuid(struct vireo_vcpu *vcpu, uint32_t leaf,
				     uint32_t index)
{
	struct cpuid_regs r;

	vcpu_run(vcpu);
	vcpu_answer_in(vcpu, 0x40, 4, leaf);
	vcpu_run(vcpu);
	vcpu_answer_in(vcpu, 0x41, 4, index);
	/* CPUID itself must not exit to userspace: the next exit is OUT. */
	vcpu_run(vcpu);
	r.eax = vcpu_expect_out(vcpu, 0x42, 4);
	vcpu_run(vcpu);
	r.ebx = vcpu_expect_out(vcpu, 0x42, 4);
	vcpu_run(vcpu);
	r.ecx = vcpu_expect_out(vcpu, 0x42, 4);
	vcpu_run(vcpu);
	r.edx = vcpu_expect_out(vcpu, 0x42, 4);
	return r;
}

#define ASSERT_CPUID(r, a, b, c, d) do {				\
	ASSERT_EQ(a, (r).eax);						\
	ASSERT_EQ(b, (r).ebx);						\
	ASSERT_EQ(c, (r).ecx);						\
	ASSERT_EQ(d, (r).edx);						\
} while (0)

TEST_F_TIMEOUT(cpuid, leaf_in_table, TIMEOUT)
{
	struct cpuid_regs r;

	r = guest_cpuid(self->vcpu, 0, 0);
	ASSERT_CPUID(r, 1, VENDOR_EBX, VENDOR_ECX, VENDOR_EDX);
	r = guest_cpuid(self->vcpu, 0x40000000, 0);
	ASSERT_CPUID(r, 0x40000010, 0x11111111, 0x22222222, 0x33333333);
	/* Without SIGNIFICANT_INDEX the entry matches whatever ECX is. */
	r = guest_cpuid(self->vcpu, 0x40000000, 7);
	ASSERT_CPUID(r, 0x40000010, 0x11111111, 0x22222222, 0x33333333);
}

TEST_F_TIMEOUT(cpuid, leaf_not_in_table, TIMEOUT)
{
	struct cpuid_regs r;

	r = guest_cpuid(self->vcpu, 0x40000005, 0);
	ASSERT_CPUID(r, 0, 0, 0, 0);
	r = guest_cpuid(self->vcpu, 0x4000000a, 0);
	ASSERT_CPUID(r, 0, 0, 0, 0);
}

TEST_F_TIMEOUT(cpuid, significant_index, TIMEOUT)
{
	struct cpuid_regs r;

	r = guest_cpuid(self->vcpu, 0x4000000b, 1);
	ASSERT_CPUID(r, 0xa1, 0xb1, 0xc1, 0xd1);
	r = guest_cpuid(self->vcpu, 0x4000000b, 0);
	ASSERT_CPUID(r, 0xa0, 0xb0, 0xc0, 0xd0);
	/* An index with no entry reads as zeros. */
	r = guest_cpuid(self->vcpu, 0x4000000b, 2);
	ASSERT_CPUID(r, 0, 0, 0, 0);
}

/* SET_CPUID replaces the whole table. */
TEST_F_TIMEOUT(cpuid, set_cpuid_replaces, TIMEOUT)
{
	const struct vireo_cpuid_entry other[] = {
		{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x44 },
	};
	struct cpuid_regs r;

	r = guest_cpuid(self->vcpu, 0, 0);
	ASSERT_CPUID(r, 1, VENDOR_EBX, VENDOR_ECX, VENDOR_EDX);
	vcpu_set_cpuid(self->vcpu, other, ARRAY_SIZE(other));
	r = guest_cpuid(self->vcpu, 0x40000000, 0);
	ASSERT_CPUID(r, 0x40000001, 0x44, 0, 0);
	r = guest_cpuid(self->vcpu, 0, 0);
	ASSERT_CPUID(r, 0, 0, 0, 0);
}

/* exit_count counts the exits the kernel handles too, CPUID among them. */
TEST_F_TIMEOUT(cpuid, exit_count, TIMEOUT)
{
	uint64_t before;

	vcpu_run(self->vcpu);
	vcpu_answer_in(self->vcpu, 0x40, 4, 0);
	vcpu_run(self->vcpu);
	vcpu_answer_in(self->vcpu, 0x41, 4, 0);
	before = self->vcpu->run->exit_count;
	vcpu_run(self->vcpu);
	vcpu_expect_out(self->vcpu, 0x42, 4);
	/* At least the CPUID exit and the OUT exit. */
	ASSERT_LE(before + 2, self->vcpu->run->exit_count);
}

TEST_HARNESS_MAIN
