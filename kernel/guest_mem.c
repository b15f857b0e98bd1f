// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory seen from the kernel: guest-physical addresses through the
 * memory slots (as the VM process's memory, so copy_{from,to}_user in the
 * process that runs the vCPU), and guest-linear addresses through the
 * guest's own page tables.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "vireo.h"

/* One page at most; -EFAULT for a hole, -EPERM for a write to ROM. */
static int vireo_rw_gpa_page(struct vireo_vm *vm, u64 gpa, void *buf,
			     size_t len, bool write)
{
	struct vireo_memslot *s;
	void __user *hva;
	int r = 0;

	mutex_lock(&vm->mmu_lock);
	s = vireo_find_slot(vm, gpa >> PAGE_SHIFT);
	if (!s) {
		r = -EFAULT;
		goto out;
	}
	if (write && (s->flags & VIREO_MEM_READONLY)) {
		r = -EPERM;
		goto out;
	}
	hva = (void __user *)(s->uaddr + gpa - (s->base_gfn << PAGE_SHIFT));
	if (write ? copy_to_user(hva, buf, len) : copy_from_user(buf, hva, len))
		r = -EFAULT;
out:
	mutex_unlock(&vm->mmu_lock);
	return r;
}

static int vireo_rw_gpa(struct vireo_vm *vm, u64 gpa, void *buf, size_t len,
			bool write)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gpa));
		int r = vireo_rw_gpa_page(vm, gpa, buf, n, write);

		if (r)
			return r;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int vireo_read_gpa(struct vireo_vm *vm, u64 gpa, void *buf, size_t len)
{
	return vireo_rw_gpa(vm, gpa, buf, len, false);
}

int vireo_write_gpa(struct vireo_vm *vm, u64 gpa, const void *buf, size_t len)
{
	return vireo_rw_gpa(vm, gpa, (void *)buf, len, true);
}

/*
 * Copy between buf and guest-linear memory at gva.  Returns 0, -EFAULT with
 * *fault filled when the guest's page tables do not allow the access (the
 * caller injects it), or another errno for memory no slot backs.
 */
int vireo_rw_linear(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
		    u64 gva, void *buf, size_t len, bool write,
		    struct vireo_exception *fault)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gva));
		u64 gpa;
		int r;

		r = vireo_gva_to_gpa(vcpu, s, gva, write, &gpa, fault);
		if (r)
			return r;
		r = vireo_rw_gpa(vcpu->vm, gpa, buf, n, write);
		if (r)
			return r == -EFAULT ? -ENXIO : r;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}
