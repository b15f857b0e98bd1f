// SPDX-License-Identifier: GPL-2.0
/* 64-bit guests: GDT, control registers and per-vCPU stacks. */
#include <stdarg.h>

#include "longmode.h"
#include "ucall.h"

/* Flat 64-bit code and data descriptors (SDM "Segment Descriptors"). */
#define DESC_CODE64	0x00af9b000000ffffULL	/* P, DPL 0, S, type 0xb, L, G */
#define DESC_DATA	0x00cf93000000ffffULL	/* P, DPL 0, S, type 0x3, D/B, G */
#define TSS_LIMIT	0x67
#define SEG_TYPE_TSS64_BUSY	0xb

/*
 * A GDT the segment registers agree with, and a TSS for TR: SVM does not
 * look at TR, but VMX requires a usable busy TSS on entry.
 */
static void gdt_init(struct vireo_vm *vm)
{
	uint64_t *gdt, base;

	vm->gdt_gpa = vm_alloc_pages(vm, 1);
	vm->tss_gpa = vm_alloc_pages(vm, 1);
	base = vm->tss_gpa;

	gdt = addr_gpa2hva(vm, vm->gdt_gpa);
	gdt[GDT_SEL_CODE / 8] = DESC_CODE64;
	gdt[GDT_SEL_DATA / 8] = DESC_DATA;
	gdt[GDT_SEL_TSS / 8] = TSS_LIMIT | (base & 0xffffff) << 16 |
			       (uint64_t)SEG_TYPE_TSS64_BUSY << 40 |
			       1ULL << 47 | ((base >> 24) & 0xff) << 56;
	gdt[GDT_SEL_TSS / 8 + 1] = base >> 32;
}

/*
 * Long mode with paging, as the SDM's "Initializing IA-32e Mode" leaves
 * it: CR0.PE|PG, CR4.PAE, EFER.LME|LMA and a 64-bit CS (L=1, D=0).  SSE is
 * on (CR0.MP, CR4.OSFXSR|OSXMMEXCPT) because the compiler uses it.
 */
void longmode_sregs(struct vireo_sregs *s, uint64_t pml4_gpa,
		    uint64_t gdt_gpa, uint64_t tss_gpa)
{
	const struct vireo_segment code = {
		.limit = 0xffffffff, .selector = GDT_SEL_CODE, .type = 0xb,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	const struct vireo_segment data = {
		.limit = 0xffffffff, .selector = GDT_SEL_DATA, .type = 0x3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	const struct vireo_segment tr = {
		.base = tss_gpa, .limit = TSS_LIMIT, .selector = GDT_SEL_TSS,
		.type = SEG_TYPE_TSS64_BUSY, .present = 1,
	};
	const struct vireo_segment ldt = { .type = 0x2, .unusable = 1 };

	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->tr = tr;
	s->ldt = ldt;
	s->gdt.base = gdt_gpa;
	s->gdt.limit = GDT_SIZE - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		 X86_CR0_WP | X86_CR0_PG;
	s->cr2 = 0;
	s->cr3 = pml4_gpa;
	s->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	s->cr8 = 0;
	s->efer = X86_EFER_LME | X86_EFER_LMA;
}

/* The memory, image, page tables and GDT; no vCPU yet. */
struct vireo_vm *vm_create_longmode_novcpu(void)
{
	struct vireo_vm *vm = vm_create();
	uint64_t image_end;

	vm_add_slot(vm, 0, 0, LONGMODE_MEM_SIZE, 0);
	image_end = elf_load_self(vm);
	vm_init_allocator(vm, ALIGN_UP(image_end, SZ_2M), LONGMODE_MEM_SIZE);
	virt_init(vm);
	virt_identity_map(vm, LONGMODE_IDENTITY_SIZE);
	gdt_init(vm);
	return vm;
}

/*
 * vCPU @id entering @guest_code as if it had been called: RSP + 8 is
 * 16-byte aligned (SysV ABI) and the return address is a trap that reports
 * a guest function returning, which has nowhere to go.
 */
struct vireo_vcpu *vm_add_longmode_vcpu(struct vireo_vm *vm, uint32_t id,
					void *guest_code)
{
	struct vireo_vcpu *vcpu = vm_add_vcpu(vm, id);
	uint64_t stack_top, ret_addr = (uintptr_t)ucall_guest_returned;
	struct vireo_sregs sregs;
	struct vireo_regs regs = {};

	vcpu_get_sregs(vcpu, &sregs);
	longmode_sregs(&sregs, vm->pml4_gpa, vm->gdt_gpa, vm->tss_gpa);
	vcpu_set_sregs(vcpu, &sregs);

	stack_top = vm_alloc_pages(vm, LONGMODE_STACK_PAGES) +
		    LONGMODE_STACK_PAGES * PAGE_SIZE;
	regs.rsp = stack_top - 8;
	memcpy(addr_gpa2hva(vm, regs.rsp), &ret_addr, sizeof(ret_addr));
	regs.rip = (uintptr_t)guest_code;
	regs.rflags = 0x2;	/* bit 1 is reserved, always 1 */
	vcpu_set_regs(vcpu, &regs);
	return vcpu;
}

struct vireo_vm *vm_create_longmode(void *guest_code, struct vireo_vcpu **vcpu)
{
	struct vireo_vm *vm = vm_create_longmode_novcpu();

	*vcpu = vm_add_longmode_vcpu(vm, 0, guest_code);
	return vm;
}

/* Pass up to six integer arguments to the guest function (SysV ABI). */
void vcpu_args_set(struct vireo_vcpu *vcpu, unsigned int n, ...)
{
	struct vireo_regs regs;
	__u64 *const arg_regs[] = {
		&regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx, &regs.r8, &regs.r9,
	};
	unsigned int i;
	va_list ap;

	TEST_ASSERT(n <= ARRAY_SIZE(arg_regs), "%u arguments is too many", n);
	vcpu_get_regs(vcpu, &regs);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		*arg_regs[i] = va_arg(ap, uint64_t);
	va_end(ap);
	vcpu_set_regs(vcpu, &regs);
}
