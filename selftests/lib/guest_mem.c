// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: slots backed by anonymous mappings of the test process,
 * guest-physical to host-virtual translation, and a page allocator for the
 * structures the library builds in guest memory (page tables, GDT, stacks).
 */
#include <sys/mman.h>

#include "vireo_util.h"

int _vm_set_memory_region(struct vireo_vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva)
{
	struct vireo_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return vireo_ioctl(vm->fd, VIREO_SET_MEMORY_REGION, (unsigned long)&r);
}

/* Back [@gpa, @gpa + @size) with fresh zeroed memory; returns its address. */
void *vm_add_slot(struct vireo_vm *vm, uint32_t slot, uint64_t gpa,
		  uint64_t size, uint32_t flags)
{
	struct vireo_memslot *s;
	void *hva;
	int ret;

	TEST_ASSERT(slot < VM_MAX_SLOTS && !vm->slots[slot].used,
		    "slot %u out of range or in use", slot);
	/* MAP_NORESERVE: a 64 MiB slot costs only the pages the guest touches. */
	hva = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(hva != MAP_FAILED, "mmap of %#lx bytes failed",
		    (unsigned long)size);
	ret = _vm_set_memory_region(vm, slot, flags, gpa, size, hva);
	TEST_ASSERT(!ret, "VIREO_SET_MEMORY_REGION slot %u gpa %#lx size %#lx",
		    slot, (unsigned long)gpa, (unsigned long)size);

	s = &vm->slots[slot];
	s->used = true;
	s->flags = flags;
	s->gpa = gpa;
	s->size = size;
	s->hva = hva;
	return hva;
}

void vm_move_slot(struct vireo_vm *vm, uint32_t slot, uint64_t new_gpa)
{
	struct vireo_memslot *s = &vm->slots[slot];
	int ret;

	TEST_ASSERT(slot < VM_MAX_SLOTS && s->used, "no slot %u", slot);
	ret = _vm_set_memory_region(vm, slot, s->flags, new_gpa, s->size,
				    s->hva);
	TEST_ASSERT(!ret, "moving slot %u to %#lx failed", slot,
		    (unsigned long)new_gpa);
	s->gpa = new_gpa;
}

void vm_delete_slot(struct vireo_vm *vm, uint32_t slot)
{
	struct vireo_memslot *s = &vm->slots[slot];
	int ret;

	TEST_ASSERT(slot < VM_MAX_SLOTS && s->used, "no slot %u", slot);
	ret = _vm_set_memory_region(vm, slot, s->flags, s->gpa, 0, s->hva);
	TEST_ASSERT(!ret, "deleting slot %u failed", slot);
	munmap(s->hva, s->size);
	s->used = false;
}

/* The host address of guest-physical @gpa; fails if no slot backs it. */
void *addr_gpa2hva(struct vireo_vm *vm, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < VM_MAX_SLOTS; i++) {
		struct vireo_memslot *s = &vm->slots[i];

		if (s->used && gpa >= s->gpa && gpa - s->gpa < s->size)
			return (uint8_t *)s->hva + (gpa - s->gpa);
	}
	TEST_FAIL("no memory slot backs guest-physical %#lx",
		  (unsigned long)gpa);
}

/* Hand out guest-physical pages from [@start, @end), which a slot backs. */
void vm_init_allocator(struct vireo_vm *vm, uint64_t start, uint64_t end)
{
	TEST_ASSERT(IS_ALIGNED(start, PAGE_SIZE) && start < end,
		    "bad allocator range %#lx-%#lx", (unsigned long)start,
		    (unsigned long)end);
	/* One slot must back the whole range: allocations are memset as one. */
	TEST_ASSERT((uint8_t *)addr_gpa2hva(vm, end - 1) -
		    (uint8_t *)addr_gpa2hva(vm, start) == (long)(end - 1 - start),
		    "allocator range %#lx-%#lx spans slots",
		    (unsigned long)start, (unsigned long)end);
	vm->phys_next = start;
	vm->phys_end = end;
}

/* @npages zeroed guest-physical pages; nothing is ever given back. */
uint64_t vm_alloc_pages(struct vireo_vm *vm, unsigned int npages)
{
	uint64_t gpa = vm->phys_next;
	uint64_t size = (uint64_t)npages * PAGE_SIZE;

	TEST_ASSERT(vm->phys_end - gpa >= size,
		    "guest memory exhausted (%u pages wanted)", npages);
	vm->phys_next += size;
	memset(addr_gpa2hva(vm, gpa), 0, size);
	return gpa;
}
