// SPDX-License-Identifier: GPL-2.0
/*
 * A VM: its fd, its memory slots and nested page tables, its vCPUs.  The VM
 * lives while its fd or any of its vCPU fds is open; the last close frees
 * everything and, with the last VM, switches virtualization off.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr.h>

#include "vireo.h"

static void vireo_vm_free(struct vireo_vm *vm)
{
	int i;

	vireo_vm_unregister(vm);
	/* Before the vCPUs: an irqfd firing now may still deliver to them. */
	vireo_irqfd_vm_free(vm);
	vireo_ioeventfd_free(vm);
	/* vCPUs first: each removes its own directory inside the VM's. */
	for (i = 0; i < VIREO_MAX_VCPUS; i++) {
		if (vm->vcpus[i])
			vireo_vcpu_free(vm->vcpus[i]);
	}
	vireo_debugfs_vm_remove(vm);
	vireo_free_memslots(vm);
	npt_destroy(&vm->npt);
	free_uid(vm->user);
	mmdrop(vm->mm);
	kfree(vm);
	vireo_stat_vms(-1);
	vireo_hw_put();
}

void vireo_vm_put(struct vireo_vm *vm)
{
	if (refcount_dec_and_test(&vm->refs))
		vireo_vm_free(vm);
}

static int vireo_vm_release(struct inode *inode, struct file *f)
{
	vireo_vm_put(f->private_data);
	return 0;
}

static long vireo_vm_set_memory_region(struct vireo_vm *vm, void __user *argp)
{
	struct vireo_memory_region r;
	long ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	mutex_lock(&vm->mmu_lock);
	ret = vireo_set_memory_region(vm, &r);
	mutex_unlock(&vm->mmu_lock);
	return ret;
}

static long vireo_vm_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct vireo_vm *vm = f->private_data;

	/* Slots are addresses in the creator's mm; see vireo_vm_create(). */
	if (current->mm != vm->mm)
		return -EIO;

	switch (cmd) {
	case VIREO_SET_MEMORY_REGION:
		return vireo_vm_set_memory_region(vm, (void __user *)arg);
	case VIREO_CREATE_VCPU:
		return vireo_create_vcpu(vm, arg);
	case VIREO_SIGNAL_MSI: {
		struct vireo_msi msi;

		if (copy_from_user(&msi, (void __user *)arg, sizeof(msi)))
			return -EFAULT;
		return vireo_signal_msi(vm, &msi);
	}
	case VIREO_IOEVENTFD:
		return vireo_ioeventfd(vm, (void __user *)arg);
	case VIREO_IRQFD:
		return vireo_irqfd(vm, (void __user *)arg);
	case VIREO_GET_GUEST_TIME:
		return vireo_get_guest_time(vm, (void __user *)arg);
	case VIREO_SET_GUEST_TIME:
		return vireo_set_guest_time(vm, (void __user *)arg);
	}
	return -ENOTTY;
}

static const struct file_operations vireo_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= vireo_vm_release,
	.unlocked_ioctl	= vireo_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct vireo_vm *vireo_vm_alloc(void)
{
	struct vireo_vm *vm;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return NULL;
	if (npt_init(&vm->npt, vireo_backend.npt_format)) {
		kfree(vm);
		return NULL;
	}
	refcount_set(&vm->refs, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	mutex_init(&vm->ioeventfd_lock);
	mutex_init(&vm->irqfd_mutex);
	spin_lock_init(&vm->irqfd_lock);
	INIT_LIST_HEAD(&vm->irqfds);
	/*
	 * Memory slots hold addresses in this process; a VM used from another
	 * mm (after fork, or a passed fd) would map the wrong memory.
	 */
	vm->mm = current->mm;
	mmgrab(vm->mm);
	vm->user = get_current_user();
	/* The guest's TSC starts near zero, and runs at the host's rate. */
	vm->tsc_offset = -rdtsc();
	vireo_guest_time_init(vm);
	vireo_kvmclock_vm_init(vm);
	return vm;
}

int vireo_create_vm(unsigned long type)
{
	struct file *file;
	struct vireo_vm *vm;
	int r, fd;

	if (type)
		return -EINVAL;
	r = vireo_hw_get();
	if (r)
		return r;
	vm = vireo_vm_alloc();
	if (!vm) {
		vireo_hw_put();
		return -ENOMEM;
	}
	vireo_stat_vms(1);

	/*
	 * The debugfs directory is named after the fd, so take the number
	 * first and publish the file last, when nothing can fail any more.
	 */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto err_free;
	file = anon_inode_getfile("vireo-vm", &vireo_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto err_free;
	}
	vireo_debugfs_vm_add(vm, fd);
	/* Listed from here on; its fd is the process's only once installed. */
	r = vireo_vm_register(vm);
	if (r) {
		fput(file);	/* frees the VM through release */
		put_unused_fd(fd);
		return r;
	}
	fd_install(fd, file);
	return fd;

err_free:
	vireo_vm_free(vm);
	return fd;
}
