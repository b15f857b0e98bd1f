// SPDX-License-Identifier: GPL-2.0
/*
 * The library's only contact with the device: open, ioctl, mmap, close.
 * Keeping it in one small file lets kvm_compat.c stand in for it, so the
 * functional tests can be checked against KVM (see selftests/README.md).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vireo_util.h"

/* Which hypervisor the library drives: "vireo" here, "kvm" in kvm_compat.c. */
const char *selftest_hypervisor(void)
{
	return "vireo";
}

int vireo_open_dev(void)
{
	return open(VIREO_DEV_PATH, O_RDWR | O_CLOEXEC);
}

int vireo_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	return ioctl(fd, cmd, arg);
}

void *vireo_map_run(int vcpu_fd, size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
}

void vireo_unmap_run(void *run, size_t size)
{
	munmap(run, size);
}

void vireo_close(int fd)
{
	close(fd);
}
