// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU: its fd, its run area (mmap), and its register ioctls.  vCPUs live
 * as long as their VM; closing a vCPU fd only drops its reference on the VM.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "vireo.h"

/* Userspace order of struct vireo_regs, as register indices. */
static const u8 vireo_uapi_regs[VIREO_NR_REGS] = {
	VIREO_REG_RAX, VIREO_REG_RBX, VIREO_REG_RCX, VIREO_REG_RDX,
	VIREO_REG_RSI, VIREO_REG_RDI, VIREO_REG_RSP, VIREO_REG_RBP,
	VIREO_REG_R8, VIREO_REG_R9, VIREO_REG_R10, VIREO_REG_R11,
	VIREO_REG_R12, VIREO_REG_R13, VIREO_REG_R14, VIREO_REG_R15,
};

static void vireo_get_regs(struct vireo_vcpu *vcpu, struct vireo_regs *r)
{
	u64 *out = &r->rax;
	int i;

	for (i = 0; i < VIREO_NR_REGS; i++)
		out[i] = vcpu->regs[vireo_uapi_regs[i]];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

static void vireo_set_regs(struct vireo_vcpu *vcpu, const struct vireo_regs *r)
{
	const u64 *in = &r->rax;
	int i;

	for (i = 0; i < VIREO_NR_REGS; i++)
		vcpu->regs[vireo_uapi_regs[i]] = in[i];
	vcpu->rip = r->rip;
	/* Bit 1 is always one; reserved bits stay clear (SDM Vol. 1 3.4.3). */
	vcpu->rflags = (r->rflags & 0x3f7fd7) | X86_EFLAGS_FIXED;
}

static long vireo_vcpu_set_sregs(struct vireo_vcpu *vcpu, void __user *argp)
{
	struct vireo_sregs s;
	int r;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (!vireo_sregs_valid(&s))
		return -EINVAL;
	r = vireo_ops.set_sregs(vcpu, &s);
	if (!r)
		vireo_lapic_set_cr8(vcpu, s.cr8);
	return r;
}

static long vireo_vcpu_regs_ioctl(struct vireo_vcpu *vcpu, unsigned int cmd,
				  void __user *argp)
{
	struct vireo_sregs s;
	struct vireo_regs r;

	switch (cmd) {
	case VIREO_GET_REGS:
		vireo_get_regs(vcpu, &r);
		return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
	case VIREO_SET_REGS:
		if (copy_from_user(&r, argp, sizeof(r)))
			return -EFAULT;
		vireo_set_regs(vcpu, &r);
		return 0;
	case VIREO_GET_SREGS:
		memset(&s, 0, sizeof(s));
		vireo_ops.get_sregs(vcpu, &s);
		s.cr8 = vireo_lapic_get_cr8(vcpu);
		return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
	case VIREO_SET_SREGS:
		return vireo_vcpu_set_sregs(vcpu, argp);
	}
	return -ENOTTY;
}

static long vireo_vcpu_ioctl(struct file *f, unsigned int cmd,
			     unsigned long arg)
{
	struct vireo_vcpu *vcpu = f->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (current->mm != vcpu->vm->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (cmd) {
	case VIREO_RUN:
		r = arg ? -EINVAL : vireo_vcpu_run(vcpu);
		break;
	case VIREO_GET_MP_STATE:
		r = vireo_get_mp_state(vcpu, argp);
		break;
	case VIREO_SET_MP_STATE:
		r = vireo_set_mp_state(vcpu, argp);
		break;
	case VIREO_SET_CPUID:
		r = vireo_set_cpuid(vcpu, argp);
		break;
	default:
		r = vireo_vcpu_regs_ioctl(vcpu, cmd, argp);
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t vireo_run_fault(struct vm_fault *vmf)
{
	struct vireo_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff >= VIREO_RUN_PAGES)
		return VM_FAULT_SIGBUS;
	vmf->page = vcpu->run_pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct vireo_run_vm_ops = {
	.fault = vireo_run_fault,
};

static int vireo_vcpu_mmap(struct file *f, struct vm_area_struct *vma)
{
	/* A private copy would never see the kernel's writes. */
	if (!(vma->vm_flags & VM_SHARED) ||
	    vma->vm_pgoff + vma_pages(vma) > VIREO_RUN_PAGES)
		return -EINVAL;
	vma->vm_ops = &vireo_run_vm_ops;
	return 0;
}

static int vireo_vcpu_release(struct inode *inode, struct file *f)
{
	struct vireo_vcpu *vcpu = f->private_data;

	vireo_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations vireo_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= vireo_vcpu_release,
	.unlocked_ioctl	= vireo_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vireo_vcpu_mmap,
	.llseek		= noop_llseek,
};

/* Architectural RESET: real mode at F000:FFF0 (SDM Vol. 3A 10.1.4). */
void vireo_vcpu_reset(struct vireo_vcpu *vcpu)
{
	vireo_ops.vcpu_reset(vcpu);
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	vcpu->pending = VIREO_PENDING_NONE;
	vireo_fpu_reset(vcpu);
	vireo_debugreg_reset(vcpu);
	/*
	 * RESET, INIT and a triple fault end the guest's pvclock area: the
	 * memory it named may hold anything once the guest starts again.
	 */
	vireo_kvmclock_reset(vcpu);
}

void vireo_vcpu_free(struct vireo_vcpu *vcpu)
{
	int i;

	vireo_debugfs_vcpu_remove(vcpu);
	vireo_lapic_free(vcpu);
	vireo_kick_sync(vcpu);
	vireo_ops.vcpu_free(vcpu);
	vireo_fpu_free(vcpu);
	for (i = 0; i < VIREO_RUN_PAGES; i++)
		vireo_free_page(vcpu->run_pages[i]);
	kfree(vcpu->cpuid);
	kfree(vcpu);
	vireo_stat_vcpus(-1);
}

static struct vireo_vcpu *vireo_vcpu_alloc(struct vireo_vm *vm, u32 id)
{
	struct vireo_vcpu *vcpu;
	int i;

	vcpu = kzalloc(vireo_backend.vcpu_size, GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return NULL;
	vireo_stat_vcpus(1);
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	vireo_vcpu_preempt_init(vcpu);
	init_waitqueue_head(&vcpu->wq);
	vireo_kick_init(vcpu);
	vireo_lapic_init(vcpu);
	for (i = 0; i < VIREO_RUN_PAGES; i++) {
		vcpu->run_pages[i] = vireo_alloc_page();
		if (!vcpu->run_pages[i])
			goto err_free_pages;
	}
	vcpu->run = page_address(vcpu->run_pages[0]);
	vcpu->io_data = page_address(vcpu->run_pages[1]);
	if (vireo_fpu_init(vcpu))
		goto err_free_pages;
	if (vireo_ops.vcpu_create(vcpu))
		goto err_free_fpu;
	vireo_vcpu_reset(vcpu);
	vireo_lapic_reset(vcpu, false);
	vireo_msr_reset(vcpu);
	vireo_cpuid_update(vcpu);
	return vcpu;

err_free_fpu:
	vireo_fpu_free(vcpu);
err_free_pages:
	for (i = 0; i < VIREO_RUN_PAGES; i++)
		vireo_free_page(vcpu->run_pages[i]);
	kfree(vcpu);
	vireo_stat_vcpus(-1);
	return NULL;
}

int vireo_create_vcpu(struct vireo_vm *vm, unsigned long id)
{
	struct vireo_vcpu *vcpu;
	int fd;

	if (id >= VIREO_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		fd = -EEXIST;
		goto out;
	}
	vcpu = vireo_vcpu_alloc(vm, id);
	if (!vcpu) {
		fd = -ENOMEM;
		goto out;
	}
	refcount_inc(&vm->refs);
	fd = anon_inode_getfd("vireo-vcpu", &vireo_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		refcount_dec(&vm->refs);
		vireo_vcpu_free(vcpu);
		goto out;
	}
	/* Complete before interrupt delivery (lapic.c, irqfd.c) sees it. */
	smp_store_release(&vm->vcpus[id], vcpu);
	vireo_debugfs_vcpu_add(vcpu);
out:
	mutex_unlock(&vm->lock);
	return fd;
}
