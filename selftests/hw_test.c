// SPDX-License-Identifier: GPL-2.0
/*
 * Virtualization is on only while a VM exists, on every CPU, including
 * CPUs that come online later.  Sharing the CPUs with another hypervisor
 * (KVM) is coexist_test's.
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

TEST_HARNESS_MAIN
