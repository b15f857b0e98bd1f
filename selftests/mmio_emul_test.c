// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction emulation from a 64-bit C guest: the local APIC page is
 * answered in the kernel (no exit), other holes reach userspace decoded,
 * reads completing on the next RUN with the data the host supplied and
 * read-modify-write instructions giving a read exit then a write exit.
 */
#include "kselftest_harness.h"
#include "longmode.h"
#include "ucall.h"

#define TIMEOUT		120
#define LAPIC_GPA	0xfee00000UL
#define DEV_GPA		0xd0000000UL	/* a hole: no slot */

static inline uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r" (v) : "r" (addr) : "memory");
	return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	asm volatile("movl %0, (%1)" : : "r" (v), "r" (addr) : "memory");
}

static void guest_lapic(void)
{
	uint32_t ver = mmio_read32(LAPIC_GPA + 0x30);

	GUEST_SYNC(mmio_read32(LAPIC_GPA + 0x20));	/* APIC ID */
	GUEST_SYNC(ver & 0xff);				/* version */
	GUEST_SYNC((ver >> 16) & 0xff);			/* max LVT */
	mmio_write32(LAPIC_GPA + 0x80, 0x30);		/* TPR */
	GUEST_SYNC(mmio_read32(LAPIC_GPA + 0x80));
	GUEST_SYNC(mmio_read32(LAPIC_GPA + 0xa0));	/* PPR follows */
	/* byte access and an OR to memory, both through the emulator */
	GUEST_SYNC(*(volatile uint8_t *)(LAPIC_GPA + 0xf0));
	asm volatile("orl $0x100, (%0)" : : "r" (LAPIC_GPA + 0xf0) : "memory");
	GUEST_SYNC(mmio_read32(LAPIC_GPA + 0xf0));	/* SVR enabled */
	GUEST_DONE();
}

FIXTURE(me) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(me)
{
}

FIXTURE_TEARDOWN(me)
{
	vm_free(self->vm);
}

static void expect_sync(struct __test_metadata *_metadata,
			struct vireo_vcpu *vcpu, uint64_t val)
{
	struct ucall uc;

	ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
	ASSERT_EQ(val, uc.args[0]);
}

TEST_F_TIMEOUT(me, lapic_in_kernel, TIMEOUT)
{
	struct ucall uc;
	uint64_t exits;

	self->vm = vm_create_longmode(guest_lapic, &self->vcpu);
	virt_map_page(self->vm, LAPIC_GPA, LAPIC_GPA);
	exits = self->vcpu->run->exit_count;

	expect_sync(_metadata, self->vcpu, 0);		/* vCPU 0 */
	expect_sync(_metadata, self->vcpu, 0x14);
	expect_sync(_metadata, self->vcpu, 6);
	expect_sync(_metadata, self->vcpu, 0x30);
	expect_sync(_metadata, self->vcpu, 0x30);
	expect_sync(_metadata, self->vcpu, 0xff);	/* spurious vector */
	expect_sync(_metadata, self->vcpu, 0x1ff);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
	/* The APIC accesses were exits the kernel answered itself. */
	ASSERT_LT(exits + 8, self->vcpu->run->exit_count);
}

static void guest_device(void)
{
	volatile uint16_t *w = (volatile uint16_t *)(DEV_GPA + 0x10);

	GUEST_SYNC(mmio_read32(DEV_GPA + 4));
	mmio_write32(DEV_GPA + 8, 0xcafef00d);
	*w = 0x1234;
	GUEST_SYNC(*(volatile uint8_t *)(DEV_GPA + 1));
	asm volatile("orl $0x100, (%0)" : : "r" (DEV_GPA + 0x20) : "memory");
	GUEST_DONE();
}

/* The last exit is decoded MMIO at gpa of len bytes. */
static void expect_mmio(struct __test_metadata *_metadata,
			struct vireo_vcpu *vcpu, uint64_t gpa, uint32_t len,
			bool write)
{
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_MMIO);
	ASSERT_EQ(gpa, vcpu->run->mmio.phys_addr);
	ASSERT_EQ(len, vcpu->run->mmio.len);
	ASSERT_EQ(write, vcpu->run->mmio.is_write);
}

TEST_F_TIMEOUT(me, device_in_userspace, TIMEOUT)
{
	struct vireo_run_mmio *mmio;
	struct ucall uc;
	uint32_t v32;
	uint16_t v16;

	self->vm = vm_create_longmode(guest_device, &self->vcpu);
	virt_map_page(self->vm, DEV_GPA, DEV_GPA);
	mmio = &self->vcpu->run->mmio;

	expect_mmio(_metadata, self->vcpu, DEV_GPA + 4, 4, false);
	v32 = 0x89abcdef;
	memcpy(mmio->data, &v32, 4);
	expect_sync(_metadata, self->vcpu, 0x89abcdef);

	expect_mmio(_metadata, self->vcpu, DEV_GPA + 8, 4, true);
	memcpy(&v32, mmio->data, 4);
	ASSERT_EQ(0xcafef00d, v32);
	expect_mmio(_metadata, self->vcpu, DEV_GPA + 0x10, 2, true);
	memcpy(&v16, mmio->data, 2);
	ASSERT_EQ(0x1234, v16);

	expect_mmio(_metadata, self->vcpu, DEV_GPA + 1, 1, false);
	mmio->data[0] = 0x5a;
	expect_sync(_metadata, self->vcpu, 0x5a);

	/* OR to a device register: the read, then the write of the result */
	expect_mmio(_metadata, self->vcpu, DEV_GPA + 0x20, 4, false);
	v32 = 0x11;
	memcpy(mmio->data, &v32, 4);
	expect_mmio(_metadata, self->vcpu, DEV_GPA + 0x20, 4, true);
	memcpy(&v32, mmio->data, 4);
	ASSERT_EQ(0x111, v32);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

TEST_HARNESS_MAIN
