// SPDX-License-Identifier: GPL-2.0
/*
 * Real-mode guests: HLT, port I/O of every size in both directions, string
 * I/O with REP, and guest RAM seen from both sides.  The guests are 16-bit
 * assembly; the host checks each exit and the registers the instructions
 * leave behind.
 */
#include "kselftest_harness.h"
#include "realmode.h"

#define TIMEOUT		120	/* seconds; the sandbox's CPU is emulated */

FIXTURE(rm) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(rm)
{
}

FIXTURE_TEARDOWN(rm)
{
	vm_free(self->vm);
}

REALMODE_GUEST(hlt_guest,
	"hlt\n"
	"hlt_guest_after:\n"
	"mov $0x42, %al\n"
	"out %al, $0x10\n"
	"hlt\n");
REALMODE_LABEL(hlt_guest_after);

/* HLT exits with RIP past it, and the next RUN continues from there. */
TEST_F_TIMEOUT(rm, hlt, TIMEOUT)
{
	self->vm = vm_create_realmode(&hlt_guest, &self->vcpu);
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_HLT);
	ASSERT_EQ(realmode_ip(&hlt_guest, hlt_guest_after),
		  vcpu_get_rip(self->vcpu));

	vcpu_run(self->vcpu);
	ASSERT_EQ(0x42, vcpu_expect_out(self->vcpu, 0x10, 1));
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_HLT);
}

/* A new vCPU runs from the reset vector, CS:IP = f000:fff0 = 0xfffffff0. */
TEST_F_TIMEOUT(rm, reset_vector, TIMEOUT)
{
	struct vireo_sregs sregs;
	uint8_t *rom;

	self->vm = vm_create();
	rom = vm_add_slot(self->vm, 0, 0xfffff000, PAGE_SIZE,
			  VIREO_MEM_READONLY);
	rom[0xff0] = 0xf4;	/* hlt */
	self->vcpu = vm_add_vcpu(self->vm, 0);

	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_HLT);
	ASSERT_EQ(0xfff1, vcpu_get_rip(self->vcpu));
	vcpu_get_sregs(self->vcpu, &sregs);
	ASSERT_EQ(0xf000, sregs.cs.selector);
	ASSERT_EQ(0xffff0000, sregs.cs.base);
}

/*
 * IN and OUT of 1, 2 and 4 bytes, through an 8-bit immediate port and
 * through DX.  The guest echoes what the host supplies; an IN of fewer
 * bytes than the register keeps the rest of it (SDM "IN"), which the wider
 * OUTs that follow show.
 */
REALMODE_GUEST(echo_guest,
	"mov $0x7700, %ax\n"
	"in $0x10, %al\n"
	"out %al, $0x10\n"
	"out %ax, $0x11\n"
	"mov $0x66550000, %eax\n"
	"mov $0x1234, %dx\n"
	"in %dx, %ax\n"
	"out %eax, %dx\n"
	"in %dx, %eax\n"
	"out %eax, %dx\n"
	"out %ax, %dx\n"
	"hlt\n");

TEST_F_TIMEOUT(rm, in_out_sizes, TIMEOUT)
{
	struct vireo_vcpu *vcpu;

	self->vm = vm_create_realmode(&echo_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_answer_in(vcpu, 0x10, 1, 0xa5);
	vcpu_run(vcpu);
	ASSERT_EQ(0xa5, vcpu_expect_out(vcpu, 0x10, 1));
	vcpu_run(vcpu);
	ASSERT_EQ(0x77a5, vcpu_expect_out(vcpu, 0x11, 2));

	vcpu_run(vcpu);
	vcpu_answer_in(vcpu, 0x1234, 2, 0xbeef);
	vcpu_run(vcpu);
	ASSERT_EQ(0x6655beef, vcpu_expect_out(vcpu, 0x1234, 4));

	vcpu_run(vcpu);
	vcpu_answer_in(vcpu, 0x1234, 4, 0xdeadbeef);
	vcpu_run(vcpu);
	ASSERT_EQ(0xdeadbeef, vcpu_expect_out(vcpu, 0x1234, 4));
	vcpu_run(vcpu);
	ASSERT_EQ(0xbeef, vcpu_expect_out(vcpu, 0x1234, 2));

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
}

#define OUTS_MSG	"Hello from a real-mode REP OUTSB"
#define OUTS_PORT	0x20

REALMODE_GUEST(outs_guest,
	"cld\n"
	"mov $" RM_ADDR(outs_guest, outs_msg) ", %si\n"
	"mov $(outs_msg_end - outs_msg), %cx\n"
	"mov $0x20, %dx\n"
	"rep outsb\n"
	"hlt\n"
	"outs_msg: .ascii \"" OUTS_MSG "\"\n"
	"outs_msg_end:\n");
REALMODE_LABEL(outs_msg);

TEST_F_TIMEOUT(rm, rep_outsb, TIMEOUT)
{
	char buf[sizeof(OUTS_MSG)] = {};
	struct vireo_regs regs;

	self->vm = vm_create_realmode(&outs_guest, &self->vcpu);
	vcpu_collect_rep_outsb(self->vcpu, OUTS_PORT, buf,
			   strlen(OUTS_MSG));
	ASSERT_STREQ(OUTS_MSG, buf);

	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_HLT);
	/* REP OUTSB leaves CX at zero and SI past the string. */
	vcpu_get_regs(self->vcpu, &regs);
	ASSERT_EQ(0, regs.rcx & 0xffff);
	ASSERT_EQ(realmode_ip(&outs_guest, outs_msg) + strlen(OUTS_MSG),
		  regs.rsi & 0xffff);
}

#define INS_PORT	0x22
#define INS_DEST	0x6000
#define INS_WORDS	8

REALMODE_GUEST(ins_guest,
	"cld\n"
	"mov $0x6000, %di\n"
	"mov $8, %cx\n"
	"mov $0x22, %dx\n"
	"rep insw\n"
	"hlt\n");

/* REP INSW: the host supplies each exit's elements in the data page. */
TEST_F_TIMEOUT(rm, rep_insw, TIMEOUT)
{
	const struct vireo_run_io *io;
	struct vireo_regs regs;
	uint16_t *dest, *data;
	unsigned int done = 0, i;

	self->vm = vm_create_realmode(&ins_guest, &self->vcpu);
	io = &self->vcpu->run->io;
	while (done < INS_WORDS) {
		vcpu_run(self->vcpu);
		vcpu_assert_exit(self->vcpu, VIREO_EXIT_IO);
		ASSERT_EQ(INS_PORT, io->port);
		ASSERT_EQ(VIREO_IO_IN, io->direction);
		ASSERT_EQ(2, io->size);
		ASSERT_EQ(1, io->string);
		ASSERT_EQ(1, io->rep);
		ASSERT_LT(0, io->count);
		ASSERT_GE(INS_WORDS - done, io->count);
		data = vcpu_io_data(self->vcpu);
		for (i = 0; i < io->count; i++)
			data[i] = 0x1000 + done + i;
		done += io->count;
	}
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_HLT);

	dest = addr_gpa2hva(self->vm, INS_DEST);
	for (i = 0; i < INS_WORDS; i++)
		ASSERT_EQ(0x1000 + i, dest[i]);
	vcpu_get_regs(self->vcpu, &regs);
	ASSERT_EQ(0, regs.rcx & 0xffff);
	ASSERT_EQ(INS_DEST + 2 * INS_WORDS, regs.rdi & 0xffff);
}

/*
 * Guest RAM both ways, in a second slot (ES = 0x8000): the guest sums 256
 * words the host wrote, stores each inverted 4 KiB further on, reports the
 * sum on port 0x30, then writes a marker at 2000:0010 in slot 0.
 */
#define RAM_GPA		0x80000
#define RAM_WORDS	256
#define MARKER_GPA	0x20010

REALMODE_GUEST(ram_guest,
	"mov $0x8000, %ax\n"
	"mov %ax, %es\n"
	"xor %si, %si\n"
	"xor %bx, %bx\n"
	"mov $256, %cx\n"
	"1: mov %es:(%si), %ax\n"
	"add %ax, %bx\n"
	"not %ax\n"
	"mov %ax, %es:0x1000(%si)\n"
	"add $2, %si\n"
	"loop 1b\n"
	"mov %bx, %ax\n"
	"out %ax, $0x30\n"
	"mov $0x2000, %ax\n"
	"mov %ax, %ds\n"
	"movl $0xcafef00d, 0x10\n"
	"hlt\n");

/* Fill the source words; returns their 16-bit sum. */
static uint16_t fill_words(uint16_t *src, uint16_t seed)
{
	uint16_t sum = 0;
	unsigned int i;

	for (i = 0; i < RAM_WORDS; i++) {
		src[i] = seed * 31 + i * 0x9e37;
		sum += src[i];
	}
	return sum;
}

TEST_F_TIMEOUT(rm, ram_both_ways, TIMEOUT)
{
	uint16_t *ram, sum;
	unsigned int i, round;

	self->vm = vm_create_realmode(&ram_guest, &self->vcpu);
	ram = vm_add_slot(self->vm, 1, RAM_GPA, 0x10000, 0);

	/* Twice: the second round checks host writes after the guest ran. */
	for (round = 0; round < 2; round++) {
		sum = fill_words(ram, round + 1);
		vcpu_set_cs_ip(self->vcpu, 0, REALMODE_LOAD_ADDR);
		vcpu_run(self->vcpu);
		ASSERT_EQ(sum, vcpu_expect_out(self->vcpu, 0x30, 2));
		for (i = 0; i < RAM_WORDS; i++)
			ASSERT_EQ((uint16_t)~ram[i], ram[0x1000 / 2 + i]);
		vcpu_run(self->vcpu);
		vcpu_assert_exit(self->vcpu, VIREO_EXIT_HLT);
		ASSERT_EQ(0xcafef00d,
			  *(uint32_t *)addr_gpa2hva(self->vm, MARKER_GPA));
		*(uint32_t *)addr_gpa2hva(self->vm, MARKER_GPA) = 0;
	}
}

/*
 * A #GP the CPU delivers in real mode (a 16-byte instruction) whose
 * delivery exits: the stack is a page the guest never touched, so pushing
 * FLAGS, CS and IP faults in the nested page tables first.  The event is
 * then injected again, without an error code (real mode pushes none; VT-x
 * refuses one as an invalid control field, and Bochs reports this #GP with
 * its error-code bit set).  The handler at IVT entry 13 reports.
 */
REALMODE_GUEST(gp_guest,
	"xor %ax, %ax\n"
	"mov %ax, %ds\n"
	"mov %ax, %ss\n"
	"movw $" RM_ADDR(gp_guest, gp_handler) ", 13 * 4\n"
	"movw $0, 13 * 4 + 2\n"
	"mov $0x9000, %sp\n"
	".byte 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66\n"
	".byte 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90\n"
	"hlt\n"
	"gp_handler:\n"
	"mov %sp, %ax\n"
	"out %ax, $0x13\n"
	"hlt\n");

TEST_F_TIMEOUT(rm, gp_delivery_exits_in_real_mode, TIMEOUT)
{
	self->vm = vm_create_realmode(&gp_guest, &self->vcpu);
	vcpu_run(self->vcpu);
	/* Three words pushed, and no error code. */
	ASSERT_EQ(0x9000 - 6, vcpu_expect_out(self->vcpu, 0x13, 2));
	vcpu_run(self->vcpu);
	vcpu_assert_exit(self->vcpu, VIREO_EXIT_HLT);
}

TEST_HARNESS_MAIN
