// SPDX-License-Identifier: GPL-2.0
/*
 * VT-x specifics; each test skips on AMD-V.  A guest state the ioctl
 * checks allow but VM entry refuses (an unusable TR: SDM Vol. 3C 27.3.1.2
 * requires a usable TSS) comes back as INTERNAL_ERROR/ENTRY_FAILED naming
 * exit reason 33, "invalid guest state", rather than a hang or an oops;
 * the vCPU runs again once the state is fixed.  Each vCPU has a VPID of
 * its own (read back through debugfs).  A write to a read-only slot is an
 * EPT violation that reaches userspace as MMIO and leaves memory alone.
 */
#include "kselftest_harness.h"
#include "realmode.h"

#define EXIT_REASON_INVALID_STATE	33

REALMODE_GUEST(hlt_guest, "hlt\n");

#define ROM_GPA		0xc0000
#define ROM_SIZE	0x1000

/* Writes 0x5a to the first byte of the read-only slot, then halts. */
REALMODE_GUEST(rom_write_guest,
	"mov $0xc000, %ax\n"
	"mov %ax, %ds\n"
	"movb $0x5a, (0)\n"
	"hlt\n");

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

#define NR_VMS		2
#define NR_VCPUS	3

/*
 * SDM Vol. 3C 29.1: with VPIDs, TLB entries are tagged per vCPU, so two
 * vCPUs must never share one (nor use 0, the host's).  Three vCPUs in each
 * of two VMs, every one run, all tags distinct and non-zero; a VM that
 * goes away gives its VPIDs back to the next.
 */
TEST(vpid_distinct_per_vcpu)
{
	struct vireo_vm *vms[NR_VMS];
	uint64_t tags[NR_VMS * NR_VCPUS];
	struct vireo_vcpu *vcpu;
	unsigned int v, c, i, j;

	if (!on_vmx())
		SKIP(return, "VT-x only");
	for (v = 0; v < NR_VMS; v++) {
		vms[v] = vm_create_realmode(&hlt_guest, &vcpu);
		for (c = 1; c < NR_VCPUS; c++) {
			vcpu = vm_add_vcpu(vms[v], c);
			vcpu_set_cs_ip(vcpu, 0, REALMODE_LOAD_ADDR);
		}
		for (c = 0; c < NR_VCPUS; c++) {
			vcpu = vms[v]->vcpus[c];
			vcpu_run(vcpu);
			vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
			tags[v * NR_VCPUS + c] = vcpu_debugfs_u64(vcpu, "tlb_tag");
		}
	}
	for (i = 0; i < NR_VMS * NR_VCPUS; i++) {
		EXPECT_NE(0, tags[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(tags[j], tags[i]);
	}

	vm_free(vms[0]);
	vms[0] = vm_create_realmode(&hlt_guest, &vcpu);
	vcpu_run(vcpu);
	tags[0] = vcpu_debugfs_u64(vcpu, "tlb_tag");
	EXPECT_NE(0, tags[0]);
	for (c = 0; c < NR_VCPUS; c++)
		EXPECT_NE(tags[NR_VCPUS + c], tags[0]);
	for (v = 0; v < NR_VMS; v++)
		vm_free(vms[v]);
}

/*
 * A read-only slot is mapped without write permission in EPT; the guest's
 * write is an EPT violation (SDM Vol. 3C 29.3.3.2) that the module reports
 * as MMIO with the guest-physical address, and the slot keeps its byte.
 */
TEST(ept_violation_on_readonly_slot)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	uint8_t *rom;

	if (!on_vmx())
		SKIP(return, "VT-x only");
	vm = vm_create_realmode(&rom_write_guest, &vcpu);
	rom = vm_add_slot(vm, 1, ROM_GPA, ROM_SIZE, VIREO_MEM_READONLY);
	rom[0] = 0xa5;

	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_MMIO);
	ASSERT_EQ(ROM_GPA, vcpu->run->mmio.phys_addr);
	ASSERT_EQ(1, vcpu->run->mmio.is_write);
	ASSERT_EQ(0, vcpu->run->mmio.is_fetch);
	if (vcpu->run->mmio.len) {
		/* Decoded: the byte travels in the exit, the guest goes on. */
		ASSERT_EQ(1, vcpu->run->mmio.len);
		ASSERT_EQ(0x5a, vcpu->run->mmio.data[0]);
		vcpu_run(vcpu);
		vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
	}
	ASSERT_EQ(0xa5, rom[0]);
	vm_free(vm);
}

TEST_HARNESS_MAIN
