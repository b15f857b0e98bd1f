// SPDX-License-Identifier: GPL-2.0
/*
 * Virtualization is on only while a VM exists, on every CPU, including
 * CPUs that come online later; and Vireo refuses (EBUSY) rather than
 * trample another hypervisor that holds AMD-V/VT-x at that moment.  KVM,
 * loaded in the sandbox next to vireo.ko, plays the other hypervisor.
 *
 * These tests talk to /dev/vireo and /dev/kvm directly, not through the
 * library, so that they mean the same in the /dev/kvm build of the tests
 * (where they skip).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "realmode.h"

#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"

REALMODE_GUEST(hlt_guest, "hlt\n");

/* CPU hotplug and module loads are slow under TCG: a fixture for timeouts. */
FIXTURE(hw) {
	int unused;
};

FIXTURE_SETUP(hw)
{
}

FIXTURE_TEARDOWN(hw)
{
}

static int open_vireo_or_skip(struct __test_metadata *_metadata)
{
	int fd = open(VIREO_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		SKIP(return -1, "no %s", VIREO_DEV_PATH);
	return fd;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

static void pin_to_cpu(struct __test_metadata *_metadata, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
}

/* A real-mode guest that halts runs to its HLT on CPU @cpu. */
static void run_hlt_on(struct __test_metadata *_metadata, int cpu)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	pin_to_cpu(_metadata, cpu);
	vm = vm_create_realmode(&hlt_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
	vm_free(vm);
}

/*
 * A CPU that goes offline and comes back while a VM exists gets
 * virtualization back on: a vCPU pinned there still runs.  So does a CPU
 * that was offline when the VM (and virtualization) appeared.
 */
TEST_F_TIMEOUT(hw, cpu_hotplug, 300)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	int fd = open_vireo_or_skip(_metadata);

	close(fd);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || access(CPU1_ONLINE, W_OK))
		SKIP(return, "needs a second CPU that can go offline");

	vm = vm_create_realmode(&hlt_guest, &vcpu);
	ASSERT_EQ(0, write_file(CPU1_ONLINE, "0"));
	ASSERT_EQ(0, write_file(CPU1_ONLINE, "1"));
	run_hlt_on(_metadata, 1);
	vm_free(vm);

	pin_to_cpu(_metadata, 0);
	ASSERT_EQ(0, write_file(CPU1_ONLINE, "0"));
	vm = vm_create_realmode(&hlt_guest, &vcpu);
	ASSERT_EQ(0, write_file(CPU1_ONLINE, "1"));
	run_hlt_on(_metadata, 1);
	vm_free(vm);
}

static const char *kvm_module(int vireo_fd)
{
	return ioctl(vireo_fd, VIREO_CHECK_CAP, VIREO_CAP_BACKEND) ==
	       VIREO_BACKEND_SVM ? "kvm_amd" : "kvm_intel";
}

static void kvm_unload(void)
{
	if (system("modprobe -r kvm_amd kvm_intel kvm 2>/dev/null")) {
		/* Nothing to do: what is not loaded need not go. */
	}
}

/*
 * While KVM has a VM (and so AMD-V/VT-x switched on), CREATE_VM answers
 * EBUSY; once KVM lets go, it works; and while Vireo has a VM, KVM cannot
 * take the hardware either (its module load or its CREATE_VM fails).
 */
TEST_F_TIMEOUT(hw, another_hypervisor, 300)
{
	int fd = open_vireo_or_skip(_metadata);
	char cmd[64];
	int kvm, kvm_vm, vm;

	snprintf(cmd, sizeof(cmd), "modprobe %s", kvm_module(fd));
	if (system(cmd) || (kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0) {
		close(fd);
		SKIP(return, "KVM cannot be loaded here");
	}
	kvm_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (kvm_vm >= 0) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, VIREO_CREATE_VM, 0));
		EXPECT_EQ(EBUSY, errno);
		close(kvm_vm);
	}
	close(kvm);
	kvm_unload();

	vm = ioctl(fd, VIREO_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	if (system(cmd) == 0) {
		kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, kvm);
		EXPECT_GT(0, ioctl(kvm, KVM_CREATE_VM, 0));
		close(kvm);
	}
	close(vm);
	kvm_unload();
	close(fd);
	ASSERT_LE(0, kvm_vm) TH_LOG("KVM_CREATE_VM failed with no Vireo VM");
}

TEST_HARNESS_MAIN
