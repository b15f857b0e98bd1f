// SPDX-License-Identifier: GPL-2.0
/*
 * NMIs, one after another: each NMI the guest's handler IRETs from lets the
 * next one in (SDM Vol. 3A 6.7.1).  On VT-x that needs virtual NMIs: with
 * NMI exiting and without them, the guest's IRET does not unblock NMIs
 * (SDM Vol. 3C 26.3, "IRET"), and the guest got only its first NMI ever.
 */
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "ucall.h"

#define TIMEOUT		120
#define NR_NMIS		3
#define MSI_NMI		(4 << 8)	/* delivery mode NMI (SDM 11.11.2) */

FIXTURE(nmi) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
};

FIXTURE_SETUP(nmi)
{
}

FIXTURE_TEARDOWN(nmi)
{
	vm_free(self->vm);
}

static volatile uint64_t nmis;

/* The guest's NMI handler: count, and return. */
void nmi_handler(void);
asm(".pushsection .text\n"
    "nmi_handler:\n\t"
    "lock incq nmis(%rip)\n\t"
    "iretq\n"
    ".popsection");

static void guest_nmis(void)
{
	uint64_t i, spin;

	for (i = 1; i <= NR_NMIS; i++) {
		GUEST_SYNC(i);		/* the host sends one NMI */
		for (spin = 0; spin < 100000000 && nmis < i; spin++)
			asm volatile("pause");
		GUEST_ASSERT_EQ(nmis, i);
	}
	GUEST_DONE();
}

/* Point IDT vector 2 at nmi_handler (a 64-bit interrupt gate). */
static void set_nmi_gate(struct vireo_vcpu *vcpu)
{
	struct vireo_sregs s;
	uint64_t handler = (uintptr_t)nmi_handler;
	uint32_t *gate;

	vcpu_get_sregs(vcpu, &s);
	gate = (uint32_t *)addr_gpa2hva(vcpu->vm, addr_gva2gpa(vcpu->vm,
						s.idt.base + 2 * 16));
	gate[0] = (gate[0] & 0xffff0000) | (handler & 0xffff);
	gate[1] = (gate[1] & 0x0000ffff) | (handler & 0xffff0000);
	gate[2] = handler >> 32;
}

TEST_F_TIMEOUT(nmi, one_after_another, TIMEOUT)
{
	struct vireo_msi m = { .address = 0xfee00000, .data = MSI_NMI };
	struct ucall uc;
	uint64_t i;

	self->vm = vm_create_longmode(guest_nmis, &self->vcpu);
	vcpu_init_exceptions(self->vcpu);
	set_nmi_gate(self->vcpu);
	for (i = 1; i <= NR_NMIS; i++) {
		ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(self->vcpu, &uc));
		ASSERT_EQ(i, uc.args[0]);
		ASSERT_LE(0, ioctl(self->vm->fd, VIREO_SIGNAL_MSI, &m));
	}
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
}

TEST_HARNESS_MAIN
