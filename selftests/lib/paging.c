// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's own page tables (4-level, long mode), built by the host in
 * guest memory, and the host-side walk that translates guest-virtual
 * addresses (to read ucall structures, or check aliases).
 */
#include "longmode.h"

#define PTE_PRESENT	(1ULL << 0)
#define PTE_WRITE	(1ULL << 1)
#define PTE_LARGE	(1ULL << 7)
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

/* Index of @gva's entry in a table of @level (4: PML4 ... 1: PT). */
static unsigned int pt_index(uint64_t gva, int level)
{
	return (gva >> (12 + 9 * (level - 1))) & 511;
}

static uint64_t *pt_entry(struct vireo_vm *vm, uint64_t table, uint64_t gva,
			  int level)
{
	return (uint64_t *)addr_gpa2hva(vm, table) + pt_index(gva, level);
}

void virt_init(struct vireo_vm *vm)
{
	vm->pml4_gpa = vm_alloc_pages(vm, 1);
}

/* The entry for @gva in the table of @leaf_level, creating tables above. */
static uint64_t *walk_create(struct vireo_vm *vm, uint64_t gva, int leaf_level)
{
	uint64_t table = vm->pml4_gpa;
	int level;

	TEST_ASSERT(gva < (1ULL << 47), "gva %#lx not in the lower half",
		    (unsigned long)gva);
	for (level = 4; level > leaf_level; level--) {
		uint64_t *pte = pt_entry(vm, table, gva, level);

		if (!(*pte & PTE_PRESENT))
			*pte = vm_alloc_pages(vm, 1) | PTE_PRESENT | PTE_WRITE;
		TEST_ASSERT(!(*pte & PTE_LARGE),
			    "gva %#lx is inside a large page",
			    (unsigned long)gva);
		table = *pte & PTE_ADDR_MASK;
	}
	return pt_entry(vm, table, gva, leaf_level);
}

/* Map [0, @size) to itself with 2 MiB pages. */
void virt_identity_map(struct vireo_vm *vm, uint64_t size)
{
	uint64_t addr;

	for (addr = 0; addr < size; addr += SZ_2M)
		*walk_create(vm, addr, 2) =
			addr | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
}

/* Map the 4 KiB page at @gva to @gpa, writable. */
void virt_map_page(struct vireo_vm *vm, uint64_t gva, uint64_t gpa)
{
	TEST_ASSERT(IS_ALIGNED(gva, PAGE_SIZE) && IS_ALIGNED(gpa, PAGE_SIZE),
		    "unaligned mapping %#lx -> %#lx", (unsigned long)gva,
		    (unsigned long)gpa);
	*walk_create(vm, gva, 1) = gpa | PTE_PRESENT | PTE_WRITE;
}

/* Translate @gva through the guest's tables; fails if it is not mapped. */
uint64_t addr_gva2gpa(struct vireo_vm *vm, uint64_t gva)
{
	uint64_t table = vm->pml4_gpa;
	int level;

	for (level = 4; level >= 1; level--) {
		uint64_t pte = *pt_entry(vm, table, gva, level);
		uint64_t page_mask = (1ULL << (12 + 9 * (level - 1))) - 1;

		TEST_ASSERT(pte & PTE_PRESENT,
			    "gva %#lx not mapped (level %d entry %#lx)",
			    (unsigned long)gva, level, (unsigned long)pte);
		if (level == 1 || (pte & PTE_LARGE))
			return (pte & PTE_ADDR_MASK & ~page_mask) |
			       (gva & page_mask);
		table = pte & PTE_ADDR_MASK;
	}
	TEST_FAIL("not reached");
}

/* Copy @len bytes at guest-virtual @gva, page by page. */
void vm_read_gva(struct vireo_vm *vm, uint64_t gva, void *buf, size_t len)
{
	while (len) {
		size_t chunk = PAGE_SIZE - (gva & ~PAGE_MASK);

		if (chunk > len)
			chunk = len;
		memcpy(buf, addr_gpa2hva(vm, addr_gva2gpa(vm, gva)), chunk);
		buf = (uint8_t *)buf + chunk;
		gva += chunk;
		len -= chunk;
	}
}
