// SPDX-License-Identifier: GPL-2.0
/*
 * VT-x specifics; each test skips on AMD-V.  A guest state the ioctl
 * checks allow but VM entry refuses (an unusable TR: SDM Vol. 3C 27.3.1.2
 * requires a usable TSS) comes back as INTERNAL_ERROR/ENTRY_FAILED naming
 * exit reason 33, "invalid guest state", rather than a hang or an oops;
 * the vCPU runs again once the state is fixed.  VPIDs are in use.
 */
#include "kselftest_harness.h"
#include "realmode.h"

#define EXIT_REASON_INVALID_STATE	33

REALMODE_GUEST(hlt_guest, "hlt\n");

static bool on_vmx(void)
{
	return dev_check_cap(VIREO_CAP_BACKEND) == VIREO_BACKEND_VMX;
}

TEST(entry_failure_reported)
{
	struct vireo_sregs sregs, good;
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	if (!on_vmx())
		SKIP(return, "VT-x only");
	vm = vm_create_realmode(&hlt_guest, &vcpu);
	vcpu_get_sregs(vcpu, &good);
	sregs = good;
	sregs.tr.unusable = 1;
	vcpu_set_sregs(vcpu, &sregs);

	ASSERT_EQ(0, _vcpu_run(vcpu));
	ASSERT_EQ(VIREO_EXIT_INTERNAL_ERROR, vcpu->run->exit_reason);
	ASSERT_EQ(VIREO_INTERNAL_ERROR_ENTRY_FAILED, vcpu->run->internal.suberror);
	ASSERT_EQ(EXIT_REASON_INVALID_STATE, vcpu->run->internal.data[0]);

	vcpu_set_sregs(vcpu, &good);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
	vm_free(vm);
}

TEST(vpid_in_use)
{
	if (!on_vmx())
		SKIP(return, "VT-x only");
	EXPECT_LT(1, dev_check_cap(VIREO_CAP_TAGGED_TLB));
}

TEST_HARNESS_MAIN
