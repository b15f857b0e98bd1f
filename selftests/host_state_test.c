// SPDX-License-Identifier: GPL-2.0
/*
 * The host comes back exactly as it was.  A guest loads FS and GS bases of
 * its own, and SWAPGS exchanges its GS base with KernelGSBase, an MSR that
 * on the host holds the user GS base while the kernel runs; neither VMRUN
 * nor a VT-x exit restores these, so the module must.  The VM process's
 * FS base (its TLS, errno included) and GS base must be intact after every
 * exit, and so must its SSE registers, which the guest overwrites too.
 *
 * TSC_AUX: on AMD-V RDPID cannot be intercepted, so the guest's own (0) is
 * loaded for it and the host's (Linux: node << 12 | cpu, for getcpu()) is
 * put back before the thread returns to user mode; RDTSCP in the VM
 * process reads its CPU after every run, and a guest RDPID, where the CPU
 * has it, reads 0 or is #UD (VT-x), never the host's CPU.
 */
#include <asm/prctl.h>
#include <cpuid.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#include "kselftest_harness.h"
#include "exception.h"
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

static void guest_rdpid(uint64_t has_rdpid)
{
	uint64_t aux = ~0ULL;
	uint8_t vector = 0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		if (has_rdpid) {
			uint64_t v;

			asm volatile(ASM_SAFE("rdpid %%rax\n\tmov %%rax, (%[p])")
				     : [vector] "=r"(v) : [p] "r"(&aux)
				     : "rax", "r9", "r10", "memory");
			vector = v;
		}
		/* Not the host's CPU: 0 (AMD-V), or #UD (VT-x). */
		GUEST_ASSERT(!has_rdpid || vector == 6 || aux == 0);
		GUEST_SYNC(vector);
	}
	GUEST_DONE();
}

TEST(tsc_aux_is_the_guests_and_comes_back)
{
	unsigned int a, b, c, d, aux, cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	bool has_rdpid;
	cpu_set_t set;
	struct ucall uc;
	int i;

	__cpuid(0x80000001, a, b, c, d);
	if (!(d & (1u << 27)))
		SKIP(return, "the host has no RDTSCP");
	__cpuid_count(7, 0, a, b, c, d);
	has_rdpid = c & (1u << 22);
	/* The last CPU: not 0, whose TSC_AUX is the guest's anyway. */
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	__rdtscp(&aux);
	ASSERT_EQ(cpu, aux & 0xfff);

	vm = vm_create_longmode(guest_rdpid, &vcpu);
	vcpu_init_exceptions(vcpu);
	vcpu_args_set(vcpu, 1, (uint64_t)has_rdpid);
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(UCALL_SYNC, vcpu_run_ucall(vcpu, &uc));
		__rdtscp(&aux);
		ASSERT_EQ(cpu, aux & 0xfff);
	}
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(vcpu, &uc));
	ksft_print_msg("host CPU %u; guest RDPID %s\n", cpu,
		       has_rdpid ? "tried" : "not on this CPU");
	vm_free(vm);
}

TEST_HARNESS_MAIN
