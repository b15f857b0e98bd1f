// SPDX-License-Identifier: GPL-2.0
/* The guest-physical memory map: RAM split around the BIOS area. */
#include "memmap.h"
#include "tap.h"

static int overlaps(const struct memmap_region *a,
		    const struct memmap_region *b)
{
	return a->gpa < b->gpa + b->size && b->gpa < a->gpa + a->size;
}

static int no_overlap(const struct memmap_region *r, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (overlaps(&r[i], &r[j]))
				return 0;
	return 1;
}

static int aligned(const struct memmap_region *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if ((r[i].gpa | r[i].size | r[i].offset) & 0xfff || !r[i].size)
			return 0;
	return 1;
}

static int has(const struct memmap_region *r, unsigned int n,
	       enum memmap_kind kind, uint64_t gpa, uint64_t size,
	       uint64_t offset)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i].kind == kind && r[i].gpa == gpa &&
		    r[i].size == size && r[i].offset == offset)
			return 1;
	return 0;
}

int main(void)
{
	struct memmap_region r[MEMMAP_MAX_REGIONS];
	unsigned int n;

	n = memmap_build(16 << 20, 0x10000, r);
	is_int(n, 4, "16M: four slots");
	ok(has(r, n, MEMMAP_RAM, 0, 0xa0000, 0), "16M: RAM [0, 0xA0000)");
	ok(has(r, n, MEMMAP_RAM, 0x100000, (16 << 20) - 0x100000, 0x100000),
	   "16M: RAM [1M, 16M) at offset 1M");
	ok(has(r, n, MEMMAP_ROM, 0xf0000, 0x10000, 0),
	   "16M: ROM at 0xF0000-0xFFFFF");
	ok(has(r, n, MEMMAP_ROM, 0xffff0000ULL, 0x10000, 0),
	   "16M: ROM at 0xFFFF0000-0xFFFFFFFF");
	ok(no_overlap(r, n), "16M: no two slots overlap");
	ok(aligned(r, n), "16M: slots are non-empty and 4 KiB aligned");

	n = memmap_build(1 << 20, 0x10000, r);
	is_int(n, 3, "1M: no RAM above 1 MiB, three slots");
	ok(has(r, n, MEMMAP_RAM, 0, 0xa0000, 0), "1M: RAM [0, 0xA0000)");
	ok(no_overlap(r, n) && aligned(r, n), "1M: slots valid");

	n = memmap_build(0xe0000000ULL, 0x10000, r);
	ok(has(r, n, MEMMAP_RAM, 0x100000, 0xe0000000ULL - 0x100000,
	       0x100000), "3.5G: RAM up to 0xE0000000");
	ok(no_overlap(r, n) && aligned(r, n), "3.5G: slots valid");
	return tap_done();
}
