// SPDX-License-Identifier: GPL-2.0
/*
 * Guest pages that vireo.ko pins are charged to the VM process's locked
 * memory (mm->locked_vm, VmLck in /proc/PID/status) against its
 * RLIMIT_MEMLOCK, as VFIO charges the pages it pins (kernel/memslot.c).
 * A guest touching a page over the limit stops with an internal error
 * (guest memory, ENOMEM); CAP_IPC_LOCK lifts the limit but not the count;
 * the charge goes back when the VM goes.  The harness runs each test in a
 * child of its own, so dropping a capability or lowering the limit here
 * leaves the other tests alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>

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

/* This process's VmLck, in KiB. */
static long vmlck_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

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

/* Over the limit: the guest stops at the first page it may not pin. */
TEST(over_the_limit)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	long lck;

	ASSERT_EQ(0, drop_ipc_lock());
	ASSERT_EQ(0, set_memlock(32 * 4096));
	ASSERT_EQ(0, vmlck_kib());
	vm = vm_create_realmode(&touch_guest, &vcpu);
	ASSERT_EQ(0, _vcpu_run(vcpu));
	ASSERT_EQ(VIREO_EXIT_INTERNAL_ERROR, vcpu->run->exit_reason);
	ASSERT_EQ(VIREO_INTERNAL_ERROR_GUEST_MEMORY, vcpu->run->internal.suberror);
	EXPECT_EQ(ENOMEM, vcpu->run->internal.data[1]);
	lck = vmlck_kib();
	TH_LOG("stopped at GPA 0x%llx with VmLck %ld kB (limit 128 kB)",
	       (unsigned long long)vcpu->run->internal.data[0], lck);
	EXPECT_EQ(32 * 4, lck);
	EXPECT_GE(vcpu->run->internal.data[0], 0x10000);
	EXPECT_LT(vcpu->run->internal.data[0], 0x80000);
	vm_free(vm);
	EXPECT_EQ(0, vmlck_kib());
}

/* Under it: every pinned page counted, to the page, and given back. */
TEST(under_the_limit)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;
	long before = pinned_pages(), pinned;

	ASSERT_LE(0, before);
	ASSERT_EQ(0, drop_ipc_lock());
	/* Less than one batch (512 pages): charged one page at a time. */
	ASSERT_EQ(0, set_memlock(256 * 4096));
	vm = vm_create_realmode(&touch_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
	pinned = pinned_pages() - before;
	TH_LOG("%ld pages pinned, VmLck %ld kB", pinned, vmlck_kib());
	EXPECT_GE(pinned, TOUCHED_PAGES);
	EXPECT_EQ(pinned * 4, vmlck_kib());
	vm_free(vm);
	EXPECT_EQ(0, vmlck_kib());
	EXPECT_EQ(before, pinned_pages());
}

/* CAP_IPC_LOCK lifts the limit, as for mlock(2); the count stays. */
TEST(cap_ipc_lock)
{
	struct vireo_vcpu *vcpu;
	struct vireo_vm *vm;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, set_memlock(32 * 4096));
	vm = vm_create_realmode(&touch_guest, &vcpu);
	vcpu_run(vcpu);
	vcpu_assert_exit(vcpu, VIREO_EXIT_HLT);
	EXPECT_GT(vmlck_kib(), 32 * 4);
	vm_free(vm);
	EXPECT_EQ(0, vmlck_kib());
}

TEST_HARNESS_MAIN
