// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical memory no writable slot backs: reads of a read-only slot
 * work, writes to it exit as MMIO and do not reach memory; any access to a
 * hole exits as MMIO.  The module may decode the instruction (len != 0:
 * the next RUN completes it, a read with the data the host put in
 * run->mmio.data) or not (len == 0: RIP stays on the instruction and the
 * next RUN executes it again); both are valid and both are checked.
 */
#include "kselftest_harness.h"
#include "realmode.h"

#define TIMEOUT		120
#define ROM_GPA		0xc0000
#define ROM_SIZE	0x10000
#define HOLE_GPA	0xa0000		/* between RAM and the ROM: no slot */

FIXTURE(mmio) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
	uint8_t *rom;
};

FIXTURE_SETUP(mmio)
{
}

FIXTURE_TEARDOWN(mmio)
{
	vm_free(self->vm);
}

/* A real-mode VM running @code, with a read-only slot at ROM_GPA. */
static void setup_vm(FIXTURE_DATA(mmio) *self, const struct realmode_code *code)
{
	unsigned int i;

	self->vm = vm_create_realmode(code, &self->vcpu);
	self->rom = vm_add_slot(self->vm, 1, ROM_GPA, ROM_SIZE,
				VIREO_MEM_READONLY);
	for (i = 0; i < ROM_SIZE; i++)
		self->rom[i] = i * 7 + 3;
}

/* The last exit is MMIO at @gpa, of direction @write. */
static void check_mmio(struct __test_metadata *_metadata,
		       struct vireo_vcpu *vcpu, uint64_t gpa, bool write)
{
	const struct vireo_run_mmio *mmio = &vcpu->run->mmio;

	vcpu_assert_exit(vcpu, VIREO_EXIT_MMIO);
	ASSERT_EQ(gpa, mmio->phys_addr);
	ASSERT_EQ(write, mmio->is_write);
	ASSERT_EQ(0, mmio->is_fetch);
}

/*
 * If the module did not decode the access, RIP is still on it and running
 * again repeats the same exit: check both, then leave the guest there.
 * Returns true when the access was decoded and the guest can go on.
 */
static bool check_undecoded(struct __test_metadata *_metadata,
			    struct vireo_vcpu *vcpu, uint64_t insn_ip,
			    uint64_t gpa, bool write)
{
	if (vcpu->run->mmio.len)
		return true;
	EXPECT_EQ(insn_ip, vcpu_get_rip(vcpu));
	vcpu_run(vcpu);
	check_mmio(_metadata, vcpu, gpa, write);
	EXPECT_EQ(insn_ip, vcpu_get_rip(vcpu));
	return false;
}

REALMODE_GUEST(rom_guest,
	"mov $0xc000, %ax\n"
	"mov %ax, %ds\n"
	"movl 0x10, %eax\n"
	"out %eax, $0x10\n"
	"rom_write:\n"
	"movb $0x99, 0x20\n"
	"movb 0x20, %al\n"
	"out %al, $0x11\n"
	"hlt\n");
REALMODE_LABEL(rom_write);

TEST_F_TIMEOUT(mmio, readonly_slot, TIMEOUT)
{
	const uint64_t gpa = ROM_GPA + 0x20;
	uint8_t old;

	setup_vm(self, &rom_guest);
	old = self->rom[0x20];

	/* Reads come from the host's bytes, without an exit. */
	vcpu_run(self->vcpu);
	ASSERT_EQ(*(uint32_t *)&self->rom[0x10],
		  vcpu_expect_out(self->vcpu, 0x10, 4));

	vcpu_run(self->vcpu);
	check_mmio(_metadata, self->vcpu, gpa, true);
	ASSERT_EQ(old, self->rom[0x20]);
	if (!check_undecoded(_metadata, self->vcpu,
			     realmode_ip(&rom_guest, rom_write), gpa, true))
		return;

	ASSERT_EQ(1, self->vcpu->run->mmio.len);
	ASSERT_EQ(0x99, self->vcpu->run->mmio.data[0]);
	/* The write went to userspace, not to the ROM the guest reads back. */
	vcpu_run(self->vcpu);
	ASSERT_EQ(old, vcpu_expect_out(self->vcpu, 0x11, 1));
	ASSERT_EQ(old, self->rom[0x20]);
}

REALMODE_GUEST(hole_read_guest,
	"mov $0xa000, %ax\n"
	"mov %ax, %ds\n"
	"hole_read:\n"
	"movl 0x10, %eax\n"
	"out %eax, $0x10\n"
	"hlt\n");
REALMODE_LABEL(hole_read);

TEST_F_TIMEOUT(mmio, hole_read, TIMEOUT)
{
	const uint64_t gpa = HOLE_GPA + 0x10;
	const uint32_t value = 0x5a5a1234;

	setup_vm(self, &hole_read_guest);
	vcpu_run(self->vcpu);
	check_mmio(_metadata, self->vcpu, gpa, false);
	if (!check_undecoded(_metadata, self->vcpu,
			     realmode_ip(&hole_read_guest, hole_read), gpa,
			     false))
		return;

	ASSERT_EQ(4, self->vcpu->run->mmio.len);
	memcpy(self->vcpu->run->mmio.data, &value, sizeof(value));
	vcpu_run(self->vcpu);
	ASSERT_EQ(value, vcpu_expect_out(self->vcpu, 0x10, 4));
}

REALMODE_GUEST(hole_write_guest,
	"mov $0xa000, %ax\n"
	"mov %ax, %ds\n"
	"hole_write:\n"
	"movw $0xbeef, 0x20\n"
	"mov $0x77, %al\n"
	"out %al, $0x10\n"
	"hlt\n");
REALMODE_LABEL(hole_write);

TEST_F_TIMEOUT(mmio, hole_write, TIMEOUT)
{
	const uint64_t gpa = HOLE_GPA + 0x20;

	setup_vm(self, &hole_write_guest);
	vcpu_run(self->vcpu);
	check_mmio(_metadata, self->vcpu, gpa, true);
	if (!check_undecoded(_metadata, self->vcpu,
			     realmode_ip(&hole_write_guest, hole_write), gpa,
			     true))
		return;

	ASSERT_EQ(2, self->vcpu->run->mmio.len);
	ASSERT_EQ(0xef, self->vcpu->run->mmio.data[0]);
	ASSERT_EQ(0xbe, self->vcpu->run->mmio.data[1]);
	vcpu_run(self->vcpu);
	ASSERT_EQ(0x77, vcpu_expect_out(self->vcpu, 0x10, 1));
}

REALMODE_GUEST(hole_fetch_guest,
	"ljmp $0xa000, $0x0\n");

/* Executing from a hole is an MMIO exit too, flagged as a fetch. */
TEST_F_TIMEOUT(mmio, hole_fetch, TIMEOUT)
{
	const struct vireo_run_mmio *mmio;

	setup_vm(self, &hole_fetch_guest);
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_MMIO);
	mmio = &self->vcpu->run->mmio;
	ASSERT_EQ(HOLE_GPA, mmio->phys_addr);
	ASSERT_EQ(0, mmio->is_write);
	ASSERT_EQ(1, mmio->is_fetch);
}

TEST_HARNESS_MAIN
