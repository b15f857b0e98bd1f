// SPDX-License-Identifier: GPL-2.0
/*
 * The PC memory map of a direct kernel boot: the RAM slots
 * (memmap_build_kernel) and the e820 map the kernel is told, which must
 * agree; and the e820 helpers.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "boot/e820.h"
#include "guest_mem.h"
#include "memmap.h"
#include "pc_layout.h"
#include "tap.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

static int has_entry(const struct e820 *m, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->entry[i].addr == addr && m->entry[i].size == size &&
		    m->entry[i].type == type)
			return 1;
	return 0;
}

static int has_region(const struct memmap_region *r, unsigned int n,
		      uint64_t gpa, uint64_t size, uint64_t offset)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i].kind == MEMMAP_RAM && r[i].gpa == gpa &&
		    r[i].size == size && r[i].offset == offset)
			return 1;
	return 0;
}

/* Sorted, disjoint, 4 KiB aligned, inside the buffer, none in a hole. */
static int regions_valid(const struct memmap_region *r, unsigned int n,
			 uint64_t ram_size)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if ((r[i].gpa | r[i].size | r[i].offset) & 0xfff || !r[i].size)
			return 0;
		if (r[i].offset + r[i].size > ram_size)
			return 0;
		if (i && r[i].gpa < r[i - 1].gpa + r[i - 1].size)
			return 0;
		if (r[i].gpa < 0xe0000 && r[i].gpa + r[i].size > 0xa0000)
			return 0;
		if (r[i].gpa < PC_HIGH_RAM_START &&
		    r[i].gpa + r[i].size > PC_PCI_HOLE)
			return 0;
	}
	return 1;
}

/*
 * Guest RAM of @size bytes as address space only (PROT_NONE, nothing
 * behind it): the accessor's answers are checked as offsets into it.
 */
static uint8_t *reserve(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

/* Every byte the e820 map lists is RAM the slots back. */
static int e820_backed(const struct e820 *m, const struct memmap_region *r,
		       unsigned int n)
{
	static uint8_t *ram;
	struct guest_mem gm;
	unsigned int i;

	if (!ram)
		ram = reserve(8 * GiB);
	guest_mem_init(&gm, r, n, ram, NULL);
	for (i = 0; i < m->nr; i++)
		if (!guest_mem_ptr(&gm, m->entry[i].addr, m->entry[i].size,
				   true))
			return 0;
	return 1;
}

static void test_maps(uint64_t ram, const char *name)
{
	struct memmap_region r[MEMMAP_MAX_REGIONS];
	unsigned int n = memmap_build_kernel(ram, r);
	struct e820 m;

	e820_build_pc(ram, &m);
	ok(regions_valid(r, n, ram), "%s: slots valid, none in a hole", name);
	ok(e820_backed(&m, r, n), "%s: every e820 range is backed by a slot",
	   name);
	ok(has_region(r, n, 0, 0xa0000, 0) &&
	   has_region(r, n, 0xe0000, 0x20000, 0xe0000),
	   "%s: RAM [0, 0xA0000) and [0xE0000, 1M) at GPA == offset", name);
	ok(has_entry(&m, 0, 0x9fc00, E820_USABLE) &&
	   has_entry(&m, 0x9fc00, 0x400, E820_RESERVED) &&
	   has_entry(&m, 0xe0000, 0x20000, E820_RESERVED),
	   "%s: e820 low memory, EBDA and BIOS area", name);
}

static void test_layouts(void)
{
	struct memmap_region r[MEMMAP_MAX_REGIONS];
	struct e820 m;
	unsigned int n;

	test_maps(256 * MiB, "256M");
	n = memmap_build_kernel(256 * MiB, r);
	e820_build_pc(256 * MiB, &m);
	is_int(n, 3, "256M: three slots");
	ok(has_region(r, n, MiB, 255 * MiB, MiB), "256M: RAM [1M, 256M)");
	is_int(m.nr, 4, "256M: four e820 entries");
	ok(has_entry(&m, MiB, 255 * MiB, E820_USABLE),
	   "256M: usable [1M, 256M)");

	test_maps(3 * GiB, "3G");
	n = memmap_build_kernel(3 * GiB, r);
	e820_build_pc(3 * GiB, &m);
	ok(n == 3 && has_region(r, n, MiB, 3 * GiB - MiB, MiB),
	   "3G: RAM up to the PCI hole, nothing above 4G");
	is_int(m.nr, 4, "3G: no e820 entry above 4G");

	test_maps(3 * GiB + 64 * MiB, "3G+64M");
	n = memmap_build_kernel(3 * GiB + 64 * MiB, r);
	e820_build_pc(3 * GiB + 64 * MiB, &m);
	is_int(n, 4, "3G+64M: four slots");
	ok(has_region(r, n, 4 * GiB, 64 * MiB, 3 * GiB),
	   "3G+64M: the RAM past the hole at 4G, buffer offset 3G");
	is_int(m.nr, 5, "3G+64M: five e820 entries");
	ok(has_entry(&m, 4 * GiB, 64 * MiB, E820_USABLE),
	   "3G+64M: usable [4G, 4G+64M)");

	test_maps(MiB, "1M");
	n = memmap_build_kernel(MiB, r);
	e820_build_pc(MiB, &m);
	ok(n == 2 && m.nr == 3, "1M: nothing from 1 MiB on");
}

/* Where the accessor puts a GPA in the RAM buffer; -1 when it refuses. */
static int64_t ram_offset(const struct guest_mem *gm, const uint8_t *ram,
			  uint64_t gpa, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(gm, gpa, len, true);

	return p ? p - ram : -1;
}

static void test_ram_offset(void)
{
	uint64_t size = 3 * GiB + 64 * MiB;
	struct memmap_region r[MEMMAP_MAX_REGIONS];
	unsigned int n = memmap_build_kernel(size, r);
	uint8_t *ram = reserve(size);
	struct guest_mem gm;

	guest_mem_init(&gm, r, n, ram, NULL);
	is_int(ram_offset(&gm, ram, 0x7000, 0x1000), 0x7000,
	       "offset: low RAM is its GPA");
	is_int(ram_offset(&gm, ram, 0xf0000, 0x10000), 0xf0000,
	       "offset: the BIOS area is its GPA");
	is_int(ram_offset(&gm, ram, 4 * GiB + 16, 8), 3 * GiB + 16,
	       "offset: 4G + 16 is 3G + 16 in the buffer");
	is_int(ram_offset(&gm, ram, 0xb8000, 1), -1,
	       "offset: the VGA hole is not RAM");
	is_int(ram_offset(&gm, ram, 0x9f000, 0x2000), -1,
	       "offset: a range running into the hole is refused");
	is_int(ram_offset(&gm, ram, 3 * GiB - 8, 16), -1,
	       "offset: a range running into the PCI hole is refused");
	is_int(ram_offset(&gm, ram, 4 * GiB + 64 * MiB, 1), -1,
	       "offset: past the end of RAM");
	is_int(ram_offset(&gm, ram, UINT64_MAX - 4, 16), -1,
	       "offset: a wrapping range is refused");
	munmap(ram, size);
}

static int sorted(const struct e820 *m)
{
	unsigned int i;

	for (i = 1; i < m->nr; i++)
		if (m->entry[i].addr < m->entry[i - 1].addr +
				       m->entry[i - 1].size)
			return 0;
	return 1;
}

static void test_add(void)
{
	struct e820 m;
	unsigned int i;

	e820_build_pc(256 * MiB, &m);
	is_int(e820_add(&m, 0x9f000, 0x1000, E820_RESERVED), -EEXIST,
	       "add: overlapping the entry before");
	is_int(e820_add(&m, 0xdf000, 0x2000, E820_RESERVED), -EEXIST,
	       "add: overlapping the entry after");
	is_int(e820_add(&m, 0xa0000, 0, E820_RESERVED), -EINVAL,
	       "add: empty range");
	is_int(e820_add(&m, UINT64_MAX - 0xfff, 0x2000, E820_RESERVED),
	       -EINVAL, "add: wrapping range");
	is_int(e820_add(&m, 0xa0000, 0x40000, E820_RESERVED), 0,
	       "add: the VGA hole fits between two entries");
	ok(m.nr == 5 && sorted(&m) && m.entry[2].addr == 0xa0000,
	   "add: inserted in address order");
	for (i = m.nr; i < E820_MAX_ENTRIES; i++)
		e820_add(&m, 8 * GiB + i * MiB, MiB, E820_RESERVED);
	is_int(m.nr, E820_MAX_ENTRIES, "add: map filled up");
	is_int(e820_add(&m, 16 * GiB, MiB, E820_RESERVED), -ENOSPC,
	       "add: a full map says so");
}

static void test_usable_run(void)
{
	struct e820 m;

	e820_build_pc(256 * MiB, &m);
	is_int(e820_usable_run(&m, 0), 0x9fc00, "run: 639 KiB from 0");
	is_int(e820_usable_run(&m, MiB), 255 * MiB, "run: 255 MiB from 1M");
	is_int(e820_usable_run(&m, 0x9fc00), 0, "run: none in the EBDA");
	is_int(e820_usable_run(&m, 0xa0000), 0, "run: none in a gap");
	is_int(e820_usable_run(&m, 2 * MiB), 254 * MiB,
	       "run: from inside an entry");
	e820_add(&m, 256 * MiB, 4 * MiB, E820_USABLE);
	is_int(e820_usable_run(&m, MiB), 259 * MiB,
	       "run: adjacent usable entries join");
	e820_add(&m, 260 * MiB, 4 * MiB, E820_ACPI);
	is_int(e820_usable_run(&m, MiB), 259 * MiB,
	       "run: stops at a non-usable entry");
}

int main(void)
{
	test_layouts();
	test_ram_offset();
	test_add();
	test_usable_run();
	return tap_done();
}
