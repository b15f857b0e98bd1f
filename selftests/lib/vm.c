// SPDX-License-Identifier: GPL-2.0
/* VM objects: open the device, create and free a VM. */
#include <stdlib.h>
#include <sys/mman.h>

#include "vireo_util.h"

/* Open /dev/vireo or fail the test saying why it may be missing. */
int open_dev(void)
{
	int fd = vireo_open_dev();

	TEST_ASSERT(fd >= 0, "cannot open %s (is vireo.ko loaded?)",
		    VIREO_DEV_PATH);
	return fd;
}

/* The value of capability @cap; fails the test if the module rejects it. */
long dev_check_cap(int cap)
{
	int fd = open_dev();
	int ret = vireo_ioctl(fd, VIREO_CHECK_CAP, cap);

	TEST_ASSERT(ret >= 0, "VIREO_CHECK_CAP(%d) failed", cap);
	vireo_close(fd);
	return ret;
}

struct vireo_vm *vm_create(void)
{
	struct vireo_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "out of memory");
	vm->dev_fd = open_dev();
	vm->fd = vireo_ioctl(vm->dev_fd, VIREO_CREATE_VM, 0);
	TEST_ASSERT(vm->fd >= 0, "VIREO_CREATE_VM failed");
	return vm;
}

/*
 * Close everything the VM holds: vCPUs first (each keeps the VM alive in
 * the module), then the VM fd, then the memory behind the slots, which the
 * module may still have pinned until the VM is gone.
 */
void vm_free(struct vireo_vm *vm)
{
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < VM_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vcpu_free(vm->vcpus[i]);
	vireo_close(vm->fd);
	vireo_close(vm->dev_fd);
	for (i = 0; i < VM_MAX_SLOTS; i++)
		if (vm->slots[i].used)
			munmap(vm->slots[i].hva, vm->slots[i].size);
	free(vm);
}
