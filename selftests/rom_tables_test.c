// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor tables in ROM, their accessed and busy bits clear, as firmware
 * leaves its GDT: loading a segment makes the CPU set the descriptor's
 * accessed bit (LTR the TSS's busy bit), a write the read-only slot
 * refuses.  Hardware's bus drops it and the instruction completes; so must
 * Vireo (kernel/emulate/segment.c).  A 64-bit guest loads each kind of
 * segment from a GDT in a read-only slot: MOV and POP to segment
 * registers, LFS, far JMP, CALL and RET, IRETQ, LTR.  After each the host
 * checks the registers (selector, base, the accessed or busy bit in the
 * hidden part) and that the ROM is as it was.
 *
 * Page tables in ROM are not tested here: neither sandbox emulator faults
 * when its page walk sets an accessed or dirty bit in a read-only nested
 * page (QEMU leaves the bit clear, Bochs writes it through), so the path
 * cannot be reached (docs/architecture.md, "Emulator defects").
 */
#include <string.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "ucall.h"

#define TIMEOUT		120
#define ROM_SLOT	1
#define ROM_GPA		0x8000000ULL	/* 128 MiB: identity-mapped, no RAM */
#define ROM_SIZE	0x1000ULL

/* Descriptors (SDM Vol. 3A 3.4.5): G, P, DPL 0, S; type in bits 43:40. */
#define D_BASE(b)	((((uint64_t)(b) & 0xffffff) << 16) |		\
			 (((uint64_t)(b) >> 24) << 56))
#define D_FLAT		(0xffffULL | (0xfULL << 48) | (1ULL << 55))
#define D_PRESENT	((1ULL << 47) | (1ULL << 44))
#define D_CODE64(type)	(D_FLAT | D_PRESENT | ((uint64_t)(type) << 40) | \
			 (1ULL << 53))
#define D_DATA(type, b)	(D_FLAT | D_PRESENT | ((uint64_t)(type) << 40) | \
			 (1ULL << 54) | D_BASE(b))

#define SEL_CODE	0x08	/* as the library's GDT: accessed */
#define SEL_DATA	0x10
#define SEL_TSS		0x18	/* 16 bytes, available, busy bit clear */
#define SEL_DATA_NA	0x28	/* data, accessed bit clear */
#define SEL_CODE_NA	0x30	/* 64-bit code, accessed bit clear */
#define SEL_STACK_NA	0x38	/* data for SS, accessed bit clear */
#define SEL_FS_NA	0x40	/* data, base 0x12345000, accessed clear */
#define GDT_ENTRIES	9
#define FS_BASE		0x12345000ULL

#define TYPE_DATA_NA	0x2	/* read/write, not accessed */
#define TYPE_CODE_NA	0xa	/* execute/read, not accessed */
#define TYPE_TSS_AVAIL	0x9
#define TYPE_TSS_BUSY	0xb

enum step {
	STEP_MOV_DS = 1, STEP_MOV_SS, STEP_MOV_FS, STEP_POP_GS, STEP_LFS,
	STEP_LJMP, STEP_LRET, STEP_IRETQ, STEP_LTR,
};

struct far_ptr {
	uint32_t off;
	uint16_t sel;
} __attribute__((packed));

static struct far_ptr lfs_ptr, ljmp_ptr, lcall_ptr;
/* Written by far_callee, in assembler. */
volatile uint64_t far_calls __attribute__((used));

/* ---- guest side ------------------------------------------------------- */

static uint16_t get_sel(int which)
{
	uint16_t v = 0;

	switch (which) {
	case 0:
		asm volatile("mov %%cs, %0" : "=r"(v));
		break;
	case 1:
		asm volatile("mov %%ds, %0" : "=r"(v));
		break;
	case 2:
		asm volatile("mov %%ss, %0" : "=r"(v));
		break;
	case 3:
		asm volatile("mov %%fs, %0" : "=r"(v));
		break;
	case 4:
		asm volatile("mov %%gs, %0" : "=r"(v));
		break;
	}
	return v;
}

/* lcall target: runs with CS = SEL_CODE_NA, returns with LRET. */
asm(".pushsection .text\n"
    "far_callee:\n\t"
    "incq far_calls(%rip)\n\t"
    "lret\n"
    ".popsection");
extern char far_callee[];

static void guest_rom_gdt(uint64_t rom_gdt)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed))
		gdtr = { GDT_ENTRIES * 8 - 1, rom_gdt };
	uint32_t off;
	uint64_t rsp;

	asm volatile("lgdt %0" :: "m"(gdtr));

	asm volatile("mov %0, %%ds" :: "r"((uint16_t)SEL_DATA_NA));
	GUEST_ASSERT_EQ(get_sel(1), SEL_DATA_NA);
	GUEST_SYNC(STEP_MOV_DS);

	asm volatile("mov %0, %%ss" :: "r"((uint16_t)SEL_STACK_NA));
	GUEST_ASSERT_EQ(get_sel(2), SEL_STACK_NA);
	GUEST_SYNC(STEP_MOV_SS);

	asm volatile("mov %0, %%fs" :: "r"((uint16_t)SEL_FS_NA));
	GUEST_SYNC(STEP_MOV_FS);

	asm volatile("push %0; pop %%gs" :: "r"((uint64_t)SEL_DATA_NA));
	GUEST_ASSERT_EQ(get_sel(4), SEL_DATA_NA);
	GUEST_SYNC(STEP_POP_GS);

	asm volatile("mov %0, %%fs" :: "r"((uint16_t)0));
	lfs_ptr = (struct far_ptr) { 0xabcd, SEL_FS_NA };
	asm volatile("lfs %1, %0" : "=r"(off) : "m"(lfs_ptr));
	GUEST_ASSERT_EQ(off, 0xabcd);
	GUEST_ASSERT_EQ(get_sel(3), SEL_FS_NA);
	GUEST_SYNC(STEP_LFS);

	ljmp_ptr = (struct far_ptr) { 0, SEL_CODE_NA };
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "movl %%eax, %0\n\t"
		     "ljmp *%0\n"
		     "1:" : "+m"(ljmp_ptr) :: "rax", "memory");
	GUEST_ASSERT_EQ(get_sel(0), SEL_CODE_NA);
	GUEST_SYNC(STEP_LJMP);

	lcall_ptr = (struct far_ptr) { (uint32_t)(uint64_t)far_callee,
				       SEL_CODE_NA };
	asm volatile("lcall *%0" :: "m"(lcall_ptr) : "memory");
	GUEST_ASSERT_EQ(far_calls, 1);
	GUEST_ASSERT_EQ(get_sel(0), SEL_CODE_NA);
	GUEST_SYNC(STEP_LRET);

	/* IRETQ to the same CPL: SS, RSP, RFLAGS, CS, RIP. */
	asm volatile("mov %%rsp, %0\n\t"
		     "push %1\n\t"
		     "push %0\n\t"
		     "pushfq\n\t"
		     "push %2\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "push %%rax\n\t"
		     "iretq\n"
		     "1:"
		     : "=&r"(rsp)
		     : "r"((uint64_t)SEL_STACK_NA), "r"((uint64_t)SEL_CODE_NA)
		     : "rax", "memory");
	GUEST_ASSERT_EQ(get_sel(0), SEL_CODE_NA);
	GUEST_ASSERT_EQ(get_sel(2), SEL_STACK_NA);
	GUEST_SYNC(STEP_IRETQ);

	asm volatile("ltr %0" :: "r"((uint16_t)SEL_TSS));
	GUEST_SYNC(STEP_LTR);
	GUEST_DONE();
}

/* ---- host side -------------------------------------------------------- */

FIXTURE(rom) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
	uint64_t *rom;
	uint64_t copy[GDT_ENTRIES];
};

FIXTURE_SETUP(rom)
{
	const uint64_t *lib_gdt;

	self->vm = vm_create_longmode(guest_rom_gdt, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	self->rom = vm_add_slot(self->vm, ROM_SLOT, ROM_GPA, ROM_SIZE,
				VIREO_MEM_READONLY);
	memset(self->rom, 0, ROM_SIZE);
	/* The library's code, data and TSS descriptors, then ours. */
	lib_gdt = addr_gpa2hva(self->vm, self->vm->gdt_gpa);
	self->rom[SEL_CODE / 8] = lib_gdt[SEL_CODE / 8];
	self->rom[SEL_DATA / 8] = lib_gdt[SEL_DATA / 8];
	self->rom[SEL_TSS / 8] = lib_gdt[SEL_TSS / 8] &
				 ~(0xfULL << 40);
	self->rom[SEL_TSS / 8] |= (uint64_t)TYPE_TSS_AVAIL << 40;
	self->rom[SEL_TSS / 8 + 1] = lib_gdt[SEL_TSS / 8 + 1];
	self->rom[SEL_DATA_NA / 8] = D_DATA(TYPE_DATA_NA, 0);
	self->rom[SEL_CODE_NA / 8] = D_CODE64(TYPE_CODE_NA);
	self->rom[SEL_STACK_NA / 8] = D_DATA(TYPE_DATA_NA, 0);
	self->rom[SEL_FS_NA / 8] = D_DATA(TYPE_DATA_NA, FS_BASE);
	memcpy(self->copy, self->rom, sizeof(self->copy));
	vcpu_args_set(self->vcpu, 1, ROM_GPA);
}

FIXTURE_TEARDOWN(rom)
{
	vm_free(self->vm);
}

static uint64_t run_to_step(struct vireo_vcpu *vcpu)
{
	struct ucall uc;

	switch (vcpu_run_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		return uc.args[0];
	case UCALL_DONE:
		return 0;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	default:
		TEST_FAIL("unexpected exit, ucall %lu", (unsigned long)uc.cmd);
	}
	return 0;
}

#define ASSERT_SEG(seg, sel, typ, b) do {				\
	ASSERT_EQ(sel, (seg).selector);					\
	ASSERT_EQ(typ, (seg).type);					\
	ASSERT_EQ(b, (seg).base);					\
	ASSERT_EQ(1, (seg).present);					\
	ASSERT_EQ(0, (seg).unusable);					\
} while (0)

TEST_F_TIMEOUT(rom, segment_loads_from_rom, TIMEOUT)
{
	struct vireo_sregs s;
	uint64_t step;
	int want = STEP_MOV_DS;

	while ((step = run_to_step(self->vcpu))) {
		ASSERT_EQ(want, step);
		vcpu_get_sregs(self->vcpu, &s);
		switch (step) {
		case STEP_MOV_DS:
			/* The register says accessed; the ROM does not. */
			ASSERT_SEG(s.ds, SEL_DATA_NA, TYPE_DATA_NA | 1, 0);
			break;
		case STEP_MOV_SS:
			ASSERT_SEG(s.ss, SEL_STACK_NA, TYPE_DATA_NA | 1, 0);
			break;
		case STEP_MOV_FS:
			ASSERT_SEG(s.fs, SEL_FS_NA, TYPE_DATA_NA | 1, FS_BASE);
			break;
		case STEP_POP_GS:
			ASSERT_SEG(s.gs, SEL_DATA_NA, TYPE_DATA_NA | 1, 0);
			break;
		case STEP_LFS:
			ASSERT_SEG(s.fs, SEL_FS_NA, TYPE_DATA_NA | 1, FS_BASE);
			break;
		case STEP_LJMP:
		case STEP_LRET:
		case STEP_IRETQ:
			/*
			 * Hardware and Bochs set CS's accessed bit; QEMU's
			 * TCG does not for far transfers (so nothing faults
			 * and nothing is emulated in that lane).
			 */
			ASSERT_SEG(s.cs, SEL_CODE_NA, s.cs.type & 1 ?
				   TYPE_CODE_NA | 1 : TYPE_CODE_NA, 0);
			ASSERT_EQ(1, s.cs.l);
			if (step == STEP_IRETQ)
				ASSERT_EQ(SEL_STACK_NA, s.ss.selector);
			break;
		case STEP_LTR:
			ASSERT_EQ(SEL_TSS, s.tr.selector);
			ASSERT_EQ(TYPE_TSS_BUSY, s.tr.type);
			ASSERT_EQ(self->vm->tss_gpa, s.tr.base);
			break;
		}
		/* Nothing was written to the ROM. */
		ASSERT_EQ(0, memcmp(self->copy, self->rom, sizeof(self->copy)));
		want = step + 1;
	}
	ASSERT_EQ(STEP_LTR + 1, want);
}

TEST_HARNESS_MAIN
