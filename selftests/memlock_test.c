// SPDX-License-Identifier: GPL-2.0
/*
 * Guest pages that vireo.ko pins are charged to the user who made the VM
 * (user->locked_vm, as io_uring and VFIO charge their pins) against the
 * RLIMIT_MEMLOCK of the task that pins them (kernel/memslot.c), for as
 * long as they stay pinned.  A guest touching a page over the limit stops
 * with an internal error (guest memory, ENOMEM) and can go on once pages
 * are given back; the limit is the user's across VMs and processes (a
 * forked child does not start afresh); CAP_IPC_LOCK lifts it.  The harness
 * runs each test in a child of its own, so dropping a capability or
 * lowering the limit here leaves the other tests alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "realmode.h"

/* One byte in each 4 KiB page from 0x10000 up to 0x80000: 112 pages. */
REALMODE_GUEST(touch_guest,
	"mov $0x1000, %ax\n"
	"1:\n"
	"mov %ax, %es\n"
	"movb $1, %es:0\n"
	"add $0x100, %ax\n"
	"cmp $0x8000, %ax\n"
	"jb 1b\n"
	"hlt\n");

#define TOUCHED_PAGES	112

static long pinned_pages(void)
{
	long n = -1;
	FILE *f = fopen("/sys/class/misc/vireo/pinned", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Drop CAP_IPC_LOCK from the effective set (capabilities(7)). */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d);
}

static int set_memlock(unsigned long bytes)
{
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl);
}

/* Run until HLT (false), or the internal error of a page over the limit. */
static bool run_stops_at_limit(struct __test_metadata *_metadata,
			       struct vireo_vcpu *vcpu)
{
	EXPECT_EQ(0, _vcpu_run(vcpu));
	if (vcpu->run->exit_reason == VIREO_EXIT_HLT)
		return false;
	EXPECT_EQ(VIREO_EXIT_INTERNAL_ERROR, vcpu->run->exit_reason);
	EXPECT_EQ(VIREO_INTERNAL_ERROR_GUEST_MEMORY, vcpu->run->internal.suberror);
	EXPECT_EQ(ENOMEM, vcpu->run->internal.data[1]);
	EXPECT_GE(vcpu->run->internal.data[0], 0x10000);
	EXPECT_LT(vcpu->run->internal.data[0], 0x80000);
	return true;
}

/* Over the limit: the guest stops at the first page it may not pin. */
TEST(over_the_limit)
{
	long before = pinned_pages();
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	ASSERT_LE(0, before);
	ASSERT_EQ(0, drop_ipc_lock());
	ASSERT_EQ(0, set_memlock(32 * 4096));
	vm = vm_create_realmode(&touch_guest, &vcpu);
	ASSERT_TRUE(run_stops_at_limit(_metadata, vcpu));
	TH_LOG("stopped at GPA 0x%llx with %ld pages pinned (limit 32)",
	       (unsigned long long)vcpu->run->internal.data[0],
	       pinned_pages() - before);
	EXPECT_EQ(32, pinned_pages() - before);
	vm_free(vm);
	EXPECT_EQ(before, pinned_pages());
}

/*
 * The limit is the user's, across VMs: a second VM stops where the two
 * together reach it, and goes on once the first gives its pages back.
 */
TEST(across_vms)
{
	struct vireo_vcpu *vcpu_a, *vcpu_b;
	struct vireo_vm *a, *b;
	long before = pinned_pages();

	ASSERT_LE(0, before);
	ASSERT_EQ(0, drop_ipc_lock());
	ASSERT_EQ(0, set_memlock(150 * 4096));
	a = vm_create_realmode(&touch_guest, &vcpu_a);
	ASSERT_FALSE(run_stops_at_limit(_metadata, vcpu_a));
	EXPECT_GE(pinned_pages() - before, TOUCHED_PAGES);
	b = vm_create_realmode(&touch_guest, &vcpu_b);
	ASSERT_TRUE(run_stops_at_limit(_metadata, vcpu_b));
	TH_LOG("two VMs: %ld pages pinned (limit 150)", pinned_pages() - before);
	EXPECT_EQ(150, pinned_pages() - before);
	vm_free(a);
	/* The faulting access runs again, and now finds room. */
	EXPECT_FALSE(run_stops_at_limit(_metadata, vcpu_b));
	vm_free(b);
	EXPECT_EQ(before, pinned_pages());
}

/*
 * Nor does another process start afresh: a child forked by a process
 * whose VM holds pages sees them charged (the charge lives as long as the
 * pins, not with a process's memory, which a fork, an exec or a passed fd
 * would otherwise escape).
 */
TEST(across_processes)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	long before = pinned_pages();
	int status;
	pid_t pid;

	ASSERT_LE(0, before);
	ASSERT_EQ(0, drop_ipc_lock());
	ASSERT_EQ(0, set_memlock(150 * 4096));
	vm = vm_create_realmode(&touch_guest, &vcpu);
	ASSERT_FALSE(run_stops_at_limit(_metadata, vcpu));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vireo_vcpu *v;
		struct vireo_vm *child = vm_create_realmode(&touch_guest, &v);
		bool stopped = run_stops_at_limit(_metadata, v);

		vm_free(child);
		_exit(stopped && _metadata->passed ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	vm_free(vm);
	EXPECT_EQ(before, pinned_pages());
}

/* CAP_IPC_LOCK lifts the limit, as for mlock(2). */
TEST(cap_ipc_lock)
{
	long before = pinned_pages();
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, set_memlock(32 * 4096));
	vm = vm_create_realmode(&touch_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
	EXPECT_GT(pinned_pages() - before, 32);
	vm_free(vm);
	EXPECT_EQ(before, pinned_pages());
}

TEST_HARNESS_MAIN
