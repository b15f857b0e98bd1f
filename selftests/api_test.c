// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vireo itself: the API version, the capabilities, and the errors of
 * the ioctls on the device fd.
 */
#include <sys/ioctl.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "errno_assert.h"
#include "vireo_util.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open_dev();
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, api_version)
{
	ASSERT_EQ(VIREO_API_VERSION, ioctl(self->fd, VIREO_GET_API_VERSION, 0));
}

TEST_F(dev, capabilities)
{
	int backend = ioctl(self->fd, VIREO_CHECK_CAP, VIREO_CAP_BACKEND);

	ASSERT_TRUE(backend == VIREO_BACKEND_SVM ||
		    backend == VIREO_BACKEND_VMX)
		TH_LOG("backend %d", backend);
	ASSERT_EQ(1, ioctl(self->fd, VIREO_CHECK_CAP, VIREO_CAP_NESTED_PAGING));
	ASSERT_LT(0, ioctl(self->fd, VIREO_CHECK_CAP, VIREO_CAP_MAX_VCPUS));
	ASSERT_LT(0, ioctl(self->fd, VIREO_CHECK_CAP, VIREO_CAP_MAX_MEMSLOTS));
	ASSERT_LT(0, ioctl(self->fd, VIREO_CHECK_CAP, VIREO_CAP_MAX_CPUID));
	ASSERT_LE(0, ioctl(self->fd, VIREO_CHECK_CAP, VIREO_CAP_TAGGED_TLB));
	/* 36 bits: the least any x86-64 CPU with NPT or EPT translates. */
	ASSERT_LE(36, ioctl(self->fd, VIREO_CHECK_CAP, VIREO_CAP_MAX_GPA_BITS));
	ASSERT_GE(52, ioctl(self->fd, VIREO_CHECK_CAP, VIREO_CAP_MAX_GPA_BITS));
}

TEST_F(dev, unknown_cap)
{
	/* 0 is no capability: the enum starts at 1 so that it never is. */
	static const unsigned long bad[] = { 0, 0x7fffffff, 0x100000001, ~0UL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_ERRNO(EINVAL, ioctl(self->fd, VIREO_CHECK_CAP, bad[i]));
}

TEST_F(dev, run_size)
{
	int size = ioctl(self->fd, VIREO_GET_RUN_SIZE, 0);

	/* struct vireo_run, then the port-I/O data page. */
	ASSERT_LE(VIREO_RUN_IO_DATA_OFFSET + (int)PAGE_SIZE, size);
	ASSERT_EQ(0, size % (int)PAGE_SIZE);
}

TEST_F(dev, create_vm)
{
	int vm;

	ASSERT_ERRNO(EINVAL, ioctl(self->fd, VIREO_CREATE_VM, 1));
	ASSERT_ERRNO(EINVAL, ioctl(self->fd, VIREO_CREATE_VM, ~0UL));
	/* The positive control: 0 is the only machine type. */
	vm = ioctl(self->fd, VIREO_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	close(vm);
}

TEST_F(dev, unknown_ioctl)
{
	struct vireo_memory_region region = {};
	struct termios tio;

	ASSERT_ERRNO(ENOTTY, ioctl(self->fd, _IO(VIREO_IOCTL_TYPE, 0x7f), 0));
	/* Another subsystem's ioctl: isatty() must say no. */
	ASSERT_ERRNO(ENOTTY, ioctl(self->fd, TCGETS, &tio));
	/* The right number with another size or direction is another ioctl. */
	ASSERT_ERRNO(ENOTTY, ioctl(self->fd, _IOR(VIREO_IOCTL_TYPE, 0x00, int),
				   &tio));
	/* VM and vCPU ioctls are unknown on the device fd. */
	ASSERT_ERRNO(ENOTTY, ioctl(self->fd, VIREO_SET_MEMORY_REGION, &region));
	ASSERT_ERRNO(ENOTTY, ioctl(self->fd, VIREO_CREATE_VCPU, 0));
	ASSERT_ERRNO(ENOTTY, ioctl(self->fd, VIREO_RUN, 0));
}

TEST_HARNESS_MAIN
