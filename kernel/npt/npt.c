// SPDX-License-Identifier: GPL-2.0
/*
 * The nested-paging mapper.  Tables are filled on demand, one 4 KiB leaf per
 * guest page fault, and emptied when a memory slot goes away.  Callers hold
 * vm->mmu_lock; the hardware walks the tables concurrently, so every entry
 * is written with a single 64-bit store.
 */
#include <linux/mm.h>
#include <linux/io.h>

#include "../vireo.h"

#define NPT_LEVELS	4
#define NPT_ENTRIES	512
#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)

static inline unsigned int npt_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & (NPT_ENTRIES - 1);
}

static u64 *npt_alloc_table(phys_addr_t *pa)
{
	struct page *page = vireo_alloc_page();

	if (!page)
		return NULL;
	*pa = page_to_phys(page);
	return page_address(page);
}

int npt_init(struct npt *npt, const struct npt_format *fmt)
{
	npt->fmt = fmt;
	npt->root = npt_alloc_table(&npt->root_pa);
	return npt->root ? 0 : -ENOMEM;
}

static void npt_free_table(const struct npt_format *fmt, u64 *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < NPT_ENTRIES; i++) {
			if (table[i] & fmt->present_mask)
				npt_free_table(fmt, __va(table[i] & NPT_ADDR_MASK),
					       level - 1);
		}
	}
	vireo_free_page(virt_to_page(table));
}

void npt_destroy(struct npt *npt)
{
	if (npt->root)
		npt_free_table(npt->fmt, npt->root, NPT_LEVELS);
	npt->root = NULL;
}

/* The leaf entry for gpa, creating tables on the way when create is set. */
static u64 *npt_leaf(struct npt *npt, u64 gpa, bool create)
{
	const struct npt_format *fmt = npt->fmt;
	u64 *table = npt->root;
	phys_addr_t pa;
	int level;

	for (level = NPT_LEVELS; level > 1; level--) {
		u64 *e = &table[npt_index(gpa, level)];

		if (!(READ_ONCE(*e) & fmt->present_mask)) {
			u64 *next;

			if (!create)
				return NULL;
			next = npt_alloc_table(&pa);
			if (!next)
				return NULL;
			WRITE_ONCE(*e, pa | fmt->table_bits);
		}
		table = __va(READ_ONCE(*e) & NPT_ADDR_MASK);
	}
	return &table[npt_index(gpa, 1)];
}

int npt_map(struct npt *npt, u64 gpa, phys_addr_t hpa, bool writable)
{
	u64 *leaf = npt_leaf(npt, gpa, true);
	u64 e;

	if (!leaf)
		return -ENOMEM;
	e = (hpa & NPT_ADDR_MASK) | npt->fmt->leaf_bits;
	if (writable)
		e |= npt->fmt->write_bit;
	WRITE_ONCE(*leaf, e);
	return 0;
}

/*
 * Empty the leaves of [gpa, gpa + size).  Tables stay allocated until the VM
 * goes; the caller flushes the TLBs (vireo_mmu_flush()).
 */
void npt_unmap_range(struct npt *npt, u64 gpa, u64 size)
{
	u64 end = gpa + size;

	for (; gpa < end; gpa += PAGE_SIZE) {
		u64 *leaf = npt_leaf(npt, gpa, false);

		if (leaf)
			WRITE_ONCE(*leaf, 0);
	}
}
