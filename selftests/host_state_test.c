// SPDX-License-Identifier: GPL-2.0
/*
 * The host comes back exactly as it was.  A guest loads FS and GS bases of
 * its own, and SWAPGS exchanges its GS base with KernelGSBase, an MSR that
 * on the host holds the user GS base while the kernel runs; neither VMRUN
 * nor a VT-x exit restores these, so the module must.  The VM process's
 * FS base (its TLS, errno included) and GS base must be intact after every
 * exit, and so must its SSE registers, which the guest overwrites too.
 */
#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "longmode.h"
#include "ucall.h"

#define HOST_GS_BASE		0x7f0012345000ULL
#define GUEST_FS_BASE		0xdead0000ULL
#define GUEST_GS_BASE		0xbeef0000ULL
#define ROUNDS			20

static unsigned long arch_prctl_get(int code)
{
	unsigned long v = 0;

	syscall(SYS_arch_prctl, code, &v);
	return v;
}

/* SWAPGS twice a round: the guest's KernelGSBase and GS base trade places. */
static void guest_swapgs_and_sse(void)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		asm volatile("swapgs\n\t"
			     "pcmpeqd %%xmm0, %%xmm0\n\t"
			     "pcmpeqd %%xmm7, %%xmm7" ::: "xmm0", "xmm7");
		GUEST_SYNC(i);
		asm volatile("swapgs");
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}

/*
 * VIREO_RUN as a bare syscall with a known value in XMM7 around it: no
 * library code runs between, so XMM7 after is what the kernel gave back.
 */
static long run_keeping_xmm7(int fd, uint64_t in, uint64_t *out)
{
	long ret;

	asm volatile("movq %[in], %%xmm7\n\t"
		     "syscall\n\t"
		     "movq %%xmm7, %[out]"
		     : "=a" (ret), [out] "=r" (*out)
		     : "a" ((long)SYS_ioctl), "D" ((long)fd),
		       "S" ((long)VIREO_RUN), "d" (0L), [in] "r" (in)
		     : "rcx", "r11", "memory", "xmm7");
	return ret;
}

TEST(fs_gs_kernel_gs_and_sse_survive)
{
	unsigned long fs_before = arch_prctl_get(ARCH_GET_FS);
	struct vireo_sregs sregs;
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	struct ucall uc;
	uint64_t xmm7;
	int i;

	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, HOST_GS_BASE));
	vm = vm_create_longmode(guest_swapgs_and_sse, &vcpu);
	vcpu_get_sregs(vcpu, &sregs);
	sregs.fs.base = GUEST_FS_BASE;
	sregs.gs.base = GUEST_GS_BASE;
	vcpu_set_sregs(vcpu, &sregs);

	for (i = 0; i < 2 * ROUNDS; i++) {
		ASSERT_EQ(0, run_keeping_xmm7(vcpu->fd, 0x1122334455667788ULL,
					      &xmm7));
		ASSERT_EQ(0x1122334455667788ULL, xmm7);
		ASSERT_EQ(HOST_GS_BASE, arch_prctl_get(ARCH_GET_GS));
		ASSERT_EQ(fs_before, arch_prctl_get(ARCH_GET_FS));
		ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
		ASSERT_EQ(i / 2, uc.args[0]);
	}
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(vcpu, &uc));

	/* The guest ends with its own GS base back in place. */
	vcpu_get_sregs(vcpu, &sregs);
	EXPECT_EQ(GUEST_GS_BASE, sregs.gs.base);
	EXPECT_EQ(GUEST_FS_BASE, sregs.fs.base);
	vm_free(vm);
}

TEST_HARNESS_MAIN
