// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page faults: fill the nested tables from the memory slots on the
 * first touch of each page, and empty them when a slot goes.  Faults on
 * guest-physical addresses no slot backs, and writes to read-only slots,
 * are MMIO and go to userspace.
 */
#include <linux/mm.h>
#include <linux/smp.h>
#include <linux/io.h>

#include "vireo.h"

static int vireo_pin_gfn(struct vireo_vm *vm, struct vireo_memslot *s,
			 u64 gfn, struct page **out)
{
	u64 idx = gfn - s->base_gfn;
	unsigned long hva = s->uaddr + (idx << PAGE_SHIFT);
	unsigned int flags = FOLL_LONGTERM;
	struct page *page;
	int r;

	page = xa_load(&s->pinned, idx);
	if (page) {
		*out = page;
		return 0;
	}
	/* Break copy-on-write now so the guest and the process share it. */
	if (!(s->flags & VIREO_MEM_READONLY))
		flags |= FOLL_WRITE;
	/* RLIMIT_MEMLOCK first: a page over it is never pinned. */
	r = vireo_lock_charge(vm);
	if (r)
		return r;
	r = pin_user_pages_fast(hva, 1, flags, &page);
	if (r != 1) {
		vireo_lock_uncharge(vm, 1);
		return r < 0 ? r : -EFAULT;
	}
	/* Charged to the VM process, as the slot's other kernel memory. */
	r = xa_err(xa_store(&s->pinned, idx, page, GFP_KERNEL_ACCOUNT));
	if (r) {
		unpin_user_page(page);
		vireo_lock_uncharge(vm, 1);
		return r;
	}
	vireo_stat_pinned(1);
	*out = page;
	return 0;
}

int vireo_mmu_fault(struct vireo_vcpu *vcpu, u64 gpa, bool write, bool fetch)
{
	struct vireo_vm *vm = vcpu->vm;
	struct vireo_memslot *s;
	struct page *page;
	bool writable;
	int r;

	mutex_lock(&vm->mmu_lock);
	s = vireo_find_slot(vm, gpa >> PAGE_SHIFT);
	writable = s && !(s->flags & VIREO_MEM_READONLY);
	if (!s || (write && !writable)) {
		mutex_unlock(&vm->mmu_lock);
		vireo_count_exit(vcpu, VIREO_STAT_MMIO);
		return vireo_emulate_mmio(vcpu, gpa, write, fetch);
	}
	vireo_count_exit(vcpu, VIREO_STAT_NPF);
	r = vireo_pin_gfn(vm, s, gpa >> PAGE_SHIFT, &page);
	if (!r)
		r = npt_map(&vm->npt, gpa & PAGE_MASK, page_to_phys(page),
			    writable);
	mutex_unlock(&vm->mmu_lock);
	if (r)
		return vireo_exit_internal(vcpu, VIREO_INTERNAL_ERROR_GUEST_MEMORY,
					   gpa, -r);
	return 1;
}

static void vireo_kick_nop(void *info)
{
}

/*
 * Make every vCPU of the VM drop translations of entries just emptied.  A
 * vCPU reads vm->tlb_gen with interrupts off before entering the guest and
 * takes a fresh tagged-TLB id when it changed; the IPIs wait for each CPU
 * to leave the guest, so once this returns no CPU uses a stale entry.
 */
static void vireo_mmu_flush(struct vireo_vm *vm)
{
	WRITE_ONCE(vm->tlb_gen, vm->tlb_gen + 1);
	/* Order the bump before the IPIs; pairs with interrupts-off entry. */
	smp_mb();
	on_each_cpu(vireo_kick_nop, NULL, 1);
}

/*
 * Only pinned pages can be mapped: empty their entries, not the whole
 * range, so that a huge, barely touched slot goes in no time.
 */
void vireo_mmu_unmap_slot(struct vireo_vm *vm, struct vireo_memslot *s)
{
	unsigned long idx, n = 0;
	struct page *page;

	xa_for_each(&s->pinned, idx, page) {
		npt_unmap_range(&vm->npt, (s->base_gfn + idx) << PAGE_SHIFT,
				PAGE_SIZE);
		if (!(++n & 1023))
			cond_resched();
	}
	vireo_mmu_flush(vm);
}
