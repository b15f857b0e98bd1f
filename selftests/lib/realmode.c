// SPDX-License-Identifier: GPL-2.0
/* Real-mode guests: load the code, point CS:IP and SS:SP at it. */
#include "realmode.h"

/* Copy @code to REALMODE_LOAD_ADDR in slot memory. */
void realmode_load(struct vireo_vm *vm, const struct realmode_code *code)
{
	size_t size = code->end - code->start;

	TEST_ASSERT(size <= REALMODE_CODE_MAX,
		    "real-mode guest of %zu bytes does not fit", size);
	memcpy(addr_gpa2hva(vm, REALMODE_LOAD_ADDR), code->start, size);
}

/*
 * Real mode: the CS base is the selector times 16 (SDM "Real-Address Mode
 * Operation"); the rest of the reset-state CS (limit 0xffff, present,
 * code, read) stays as the module reset it.
 */
void vcpu_set_cs_ip(struct vireo_vcpu *vcpu, uint16_t cs, uint16_t ip)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs;

	vcpu_get_sregs(vcpu, &sregs);
	sregs.cs.selector = cs;
	sregs.cs.base = (uint64_t)cs << 4;
	vcpu_set_sregs(vcpu, &sregs);

	vcpu_get_regs(vcpu, &regs);
	regs.rip = ip;
	vcpu_set_regs(vcpu, &regs);
}

/* A VM with RAM at [0, REALMODE_MEM_SIZE), @code loaded, vCPU 0 at it. */
struct vireo_vm *vm_create_realmode(const struct realmode_code *code,
				    struct vireo_vcpu **vcpu)
{
	struct vireo_vm *vm = vm_create();
	struct vireo_regs regs;

	vm_add_slot(vm, 0, 0, REALMODE_MEM_SIZE, 0);
	realmode_load(vm, code);

	*vcpu = vm_add_vcpu(vm, 0);
	vcpu_set_cs_ip(*vcpu, 0, REALMODE_LOAD_ADDR);
	/* SS is 0 with base 0 after reset: SS:SP = 0000:REALMODE_STACK_TOP. */
	vcpu_get_regs(*vcpu, &regs);
	regs.rsp = REALMODE_STACK_TOP;
	vcpu_set_regs(*vcpu, &regs);
	return vm;
}
