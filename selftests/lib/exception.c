// SPDX-License-Identifier: GPL-2.0
/* Guest exception handlers and the IDT that points at them. */
#include "exception.h"
#include "longmode.h"
#include "ucall.h"

#define IDT_GATE_INTR64		0xeULL	/* 64-bit interrupt gate: IF off */
#define IDT_GATE_PRESENT	(1ULL << 47)
#define STUB_SIZE		16

/*
 * One stub per vector, STUB_SIZE bytes apart.  Where the CPU pushes no
 * error code (SDM Vol. 3A 6.13 "Error Code") the stub pushes a zero, so
 * the common code sees one frame: vector, error code, RIP, CS, RFLAGS,
 * RSP, SS.
 */
#define STUB(n)		".align 16\n\tpushq $0\n\tpushq $" #n "\n\t"	\
			"jmp guest_exception_common\n\t"
#define STUB_ERR(n)	".align 16\n\tpushq $" #n "\n\t"			\
			"jmp guest_exception_common\n\t"

asm(".pushsection .text\n\t"
	".align 16\n"
	"guest_exception_stubs:\n\t"
	STUB(0) STUB(1) STUB(2) STUB(3) STUB(4) STUB(5) STUB(6) STUB(7)
	STUB_ERR(8) STUB(9) STUB_ERR(10) STUB_ERR(11) STUB_ERR(12)
	STUB_ERR(13) STUB_ERR(14) STUB(15) STUB(16) STUB_ERR(17) STUB(18)
	STUB(19) STUB(20) STUB_ERR(21) STUB(22) STUB(23) STUB(24) STUB(25)
	STUB(26) STUB(27) STUB(28) STUB_ERR(29) STUB_ERR(30) STUB(31)
	"\n"
	/* Expected: resume at the fixup in R10 with the vector in R9. */
	"guest_exception_common:\n\t"
	"testq %r10, %r10\n\t"
	"jz 1f\n\t"
	"movq (%rsp), %r9\n\t"
	"movq %r10, 16(%rsp)\n\t"
	"addq $16, %rsp\n\t"
	"iretq\n"
	/* Unexpected: report it (vector, RIP) and never come back. */
	"1:\tmovq (%rsp), %rdi\n\t"
	"movq 16(%rsp), %rsi\n\t"
	"andq $-16, %rsp\n\t"
	"call guest_unexpected_exception\n\t"
	".popsection");

extern char guest_exception_stubs[];

void __attribute__((used, noreturn))
guest_unexpected_exception(uint64_t vector, uint64_t rip)
{
	ucall_assert(__FILE__, __LINE__, "unexpected exception (vector, RIP)",
		     vector, rip);
}

/* 64-bit IDT gates (SDM Vol. 3A 6.14.1 "64-Bit Mode IDT"), DPL 0, no IST. */
void vcpu_init_exceptions(struct vireo_vcpu *vcpu)
{
	struct vireo_vm *vm = vcpu->vm;
	uint64_t idt_gpa = vm_alloc_pages(vm, 1);
	uint64_t *idt = addr_gpa2hva(vm, idt_gpa);
	struct vireo_sregs sregs;
	int i;

	for (i = 0; i < NR_EXCEPTIONS; i++) {
		uint64_t handler = (uintptr_t)guest_exception_stubs +
				   i * STUB_SIZE;

		idt[2 * i] = (handler & 0xffff) |
			     (uint64_t)GDT_SEL_CODE << 16 |
			     IDT_GATE_INTR64 << 40 | IDT_GATE_PRESENT |
			     ((handler >> 16) & 0xffff) << 48;
		idt[2 * i + 1] = handler >> 32;
	}
	vcpu_get_sregs(vcpu, &sregs);
	sregs.idt.base = idt_gpa;	/* identity-mapped */
	sregs.idt.limit = NR_EXCEPTIONS * 16 - 1;
	vcpu_set_sregs(vcpu, &sregs);
}
