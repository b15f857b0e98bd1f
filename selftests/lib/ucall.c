// SPDX-License-Identifier: GPL-2.0
/* Guest-to-host calls over UCALL_PORT: both sides. */
#include "longmode.h"
#include "ucall.h"

/*
 * Guest side.  The fields are stored one by one: a struct initializer may
 * become a call to memset(), which is glibc's and may use AVX.
 */
void ucall(uint64_t cmd, uint64_t arg0, uint64_t arg1)
{
	struct ucall uc;

	uc.cmd = cmd;
	uc.args[0] = arg0;
	uc.args[1] = arg1;
	uc.file = NULL;
	uc.expr = NULL;
	uc.line = 0;
	asm volatile("outb %%al, %%dx"
		     : : "a"(0), "d"(UCALL_PORT), "D"(&uc) : "memory");
}

void ucall_assert(const char *file, int line, const char *expr, uint64_t a,
		  uint64_t b)
{
	struct ucall uc;

	uc.cmd = UCALL_ABORT;
	uc.args[0] = a;
	uc.args[1] = b;
	uc.file = file;
	uc.expr = expr;
	uc.line = line;
	/* The host does not resume a failed guest; if it does, stop again. */
	for (;;)
		asm volatile("outb %%al, %%dx"
			     : : "a"(0), "d"(UCALL_PORT), "D"(&uc) : "memory");
}

/*
 * Where a guest function returns to (see vm_add_longmode_vcpu()).  It is
 * entered by RET, not CALL, so the stack is 8 bytes off the ABI alignment.
 */
__attribute__((force_align_arg_pointer)) void ucall_guest_returned(void)
{
	ucall_assert(__FILE__, __LINE__, "guest code returned", 0, 0);
}

/* Host side: the ucall of the last exit, or UCALL_NONE if it was none. */
uint64_t get_ucall(struct vireo_vcpu *vcpu, struct ucall *uc)
{
	const struct vireo_run *run = vcpu->run;
	struct vireo_regs regs;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != VIREO_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != VIREO_IO_OUT)
		return UCALL_NONE;
	vcpu_get_regs(vcpu, &regs);
	vm_read_gva(vcpu->vm, regs.rdi, uc, sizeof(*uc));
	return uc->cmd;
}

/* Run to the next ucall; a failed GUEST_ASSERT or another exit fails. */
uint64_t vcpu_run_ucall(struct vireo_vcpu *vcpu, struct ucall *uc)
{
	vcpu_run(vcpu);
	if (get_ucall(vcpu, uc) == UCALL_NONE) {
		vcpu_dump_exit(vcpu);
		TEST_FAIL("expected a ucall, got exit %s",
			  exit_reason_str(vcpu->run->exit_reason));
	}
	if (uc->cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT(*uc);
	return uc->cmd;
}
