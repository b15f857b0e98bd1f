// SPDX-License-Identifier: GPL-2.0
/*
 * Memory slots: ranges of the VM process's memory seen by the guest at a
 * guest-physical address.  Pages are pinned when the guest first touches
 * them (mmu.c) and unpinned when their slot moves or goes.  Callers hold
 * vm->mmu_lock.
 *
 * A slot costs the kernel memory of its xarray of pinned pages, charged
 * to the VM process's memory cgroup (GFP_KERNEL_ACCOUNT): nothing for a
 * slot's size, about 8 bytes per page the guest touched.  The size itself
 * is bounded only by the guest-physical address space; no allocation
 * follows it, so no size can make one fail or WARN.  Pinned pages are
 * counted in /sys/class/misc/vireo/pinned, and charged to the user who
 * made the VM (user->locked_vm, as io_uring charges its registered
 * buffers) against RLIMIT_MEMLOCK: without CAP_IPC_LOCK, all of a user's
 * VMs together pin no more than that limit, and a guest touching a page
 * over it stops with VIREO_INTERNAL_ERROR_GUEST_MEMORY, ENOMEM.
 */
#include <linux/mm.h>
#include <linux/capability.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vireo.h"

struct vireo_memslot *vireo_find_slot(struct vireo_vm *vm, u64 gfn)
{
	int i;

	for (i = 0; i < VIREO_MAX_MEMSLOTS; i++) {
		struct vireo_memslot *s = &vm->slots[i];

		if (s->npages && gfn >= s->base_gfn &&
		    gfn - s->base_gfn < s->npages)
			return s;
	}
	return NULL;
}

static bool vireo_slot_overlaps(struct vireo_vm *vm, u32 skip, u64 gfn,
				u64 npages)
{
	int i;

	for (i = 0; i < VIREO_MAX_MEMSLOTS; i++) {
		struct vireo_memslot *s = &vm->slots[i];

		if (i == skip || !s->npages)
			continue;
		if (gfn < s->base_gfn + s->npages && s->base_gfn < gfn + npages)
			return true;
	}
	return false;
}

static int vireo_region_check(const struct vireo_memory_region *r)
{
	if (r->slot >= VIREO_MAX_MEMSLOTS)
		return -EINVAL;
	if (r->flags & ~VIREO_MEM_READONLY)
		return -EINVAL;
	if (r->reserved[0] || r->reserved[1])
		return -EINVAL;
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (r->memory_size > BIT_ULL(VIREO_GPA_BITS) ||
	    r->guest_phys_addr > BIT_ULL(VIREO_GPA_BITS) - r->memory_size)
		return -EINVAL;
	if (r->memory_size &&
	    !access_ok((void __user *)(unsigned long)r->userspace_addr,
		       r->memory_size))
		return -EINVAL;
	return 0;
}

/*
 * One more pinned page for the VM's user, against the RLIMIT_MEMLOCK of
 * the task that pins it (a vCPU thread of the VM's process); -ENOMEM over
 * it.  The charge lives as long as the pin, not as the process: a VM fd
 * kept by another process (fork, exec, SCM_RIGHTS) keeps its pages
 * charged to the user, so no one pins more by handing VMs on.
 */
int vireo_lock_charge(struct vireo_vm *vm)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	long cur = atomic_long_read(&vm->user->locked_vm), new;

	do {
		new = cur + 1;
		if (new > limit && !capable(CAP_IPC_LOCK))
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&vm->user->locked_vm, &cur, new));
	vm->locked_pages++;
	return 0;
}

/* Pages unpinned: their charge goes back to the user. */
void vireo_lock_uncharge(struct vireo_vm *vm, unsigned long pages)
{
	atomic_long_sub(pages, &vm->user->locked_vm);
	vm->locked_pages -= pages;
}

/* Unpin every pinned page, preemptibly; the slot stays defined. */
static void vireo_slot_unpin(struct vireo_vm *vm, struct vireo_memslot *s)
{
	bool writable = !(s->flags & VIREO_MEM_READONLY);
	unsigned long idx, n = 0;
	struct page *page;

	xa_for_each(&s->pinned, idx, page) {
		unpin_user_pages_dirty_lock(&page, 1, writable);
		vireo_stat_pinned(-1);
		if (!(++n & 1023))
			cond_resched();
	}
	xa_destroy(&s->pinned);
	if (n)
		vireo_lock_uncharge(vm, n);
}

/* Unmap, flush and unpin every page of the slot; the slot stays defined. */
static void vireo_slot_release_pages(struct vireo_vm *vm,
				     struct vireo_memslot *s)
{

	vireo_mmu_unmap_slot(vm, s);
	vireo_slot_unpin(vm, s);
}

static void vireo_slot_delete(struct vireo_vm *vm, struct vireo_memslot *s)
{
	vireo_slot_release_pages(vm, s);
	memset(s, 0, sizeof(*s));
}

static int vireo_slot_create(struct vireo_memslot *s,
			     const struct vireo_memory_region *r)
{
	u64 npages = r->memory_size >> PAGE_SHIFT;

	xa_init(&s->pinned);
	s->base_gfn = r->guest_phys_addr >> PAGE_SHIFT;
	s->npages = npages;
	s->uaddr = r->userspace_addr;
	s->flags = r->flags;
	return 0;
}

int vireo_set_memory_region(struct vireo_vm *vm,
			    const struct vireo_memory_region *r)
{
	struct vireo_memslot *s;
	u64 gfn = r->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = r->memory_size >> PAGE_SHIFT;
	int ret;

	ret = vireo_region_check(r);
	if (ret)
		return ret;
	s = &vm->slots[r->slot];

	if (!npages) {
		if (!s->npages)
			return -EINVAL;
		WRITE_ONCE(vm->memory_pages, vm->memory_pages - s->npages);
		vireo_slot_delete(vm, s);
		return 0;
	}
	if (vireo_slot_overlaps(vm, r->slot, gfn, npages))
		return -EEXIST;
	if (!s->npages) {
		WRITE_ONCE(vm->memory_pages, vm->memory_pages + npages);
		return vireo_slot_create(s, r);
	}

	/* An existing slot may only move. */
	if (npages != s->npages || r->flags != s->flags ||
	    r->userspace_addr != s->uaddr)
		return -EINVAL;
	if (gfn != s->base_gfn) {
		vireo_slot_release_pages(vm, s);
		s->base_gfn = gfn;
	}
	return 0;
}

void vireo_free_memslots(struct vireo_vm *vm)
{
	int i;

	/* The VM is gone: no vCPU runs, the tables are freed whole after. */
	for (i = 0; i < VIREO_MAX_MEMSLOTS; i++) {
		if (vm->slots[i].npages)
			vireo_slot_unpin(vm, &vm->slots[i]);
	}
	/* Each pin gave its charge back as it went. */
	WARN_ON_ONCE(vm->locked_pages);
}
