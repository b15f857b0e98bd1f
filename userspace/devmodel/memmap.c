// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "memmap.h"
#include "pc_layout.h"

unsigned int memmap_build(uint64_t ram_size, uint64_t rom_size,
			  struct memmap_region *r)
{
	unsigned int n = 0;

	r[n++] = (struct memmap_region) {
		.gpa = 0, .size = MEMMAP_LOW_RAM_END, .offset = 0,
		.kind = MEMMAP_RAM,
	};
	if (ram_size > MEMMAP_HIGH_RAM_START)
		r[n++] = (struct memmap_region) {
			.gpa = MEMMAP_HIGH_RAM_START,
			.size = ram_size - MEMMAP_HIGH_RAM_START,
			.offset = MEMMAP_HIGH_RAM_START,
			.kind = MEMMAP_RAM,
		};
	/* Both ROM copies end on a boundary: 1 MiB and 4 GiB. */
	r[n++] = (struct memmap_region) {
		.gpa = MEMMAP_HIGH_RAM_START - rom_size, .size = rom_size,
		.offset = 0, .kind = MEMMAP_ROM,
	};
	r[n++] = (struct memmap_region) {
		.gpa = (1ULL << 32) - rom_size, .size = rom_size,
		.offset = 0, .kind = MEMMAP_ROM,
	};
	return n;
}

unsigned int memmap_build_kernel(uint64_t ram_size, struct memmap_region *r)
{
	uint64_t low_top = ram_size < PC_PCI_HOLE ? ram_size : PC_PCI_HOLE;
	unsigned int n = 0;

	r[n++] = (struct memmap_region) {
		.gpa = 0, .size = MEMMAP_LOW_RAM_END, .offset = 0,
		.kind = MEMMAP_RAM,
	};
	r[n++] = (struct memmap_region) {
		.gpa = PC_BIOS_START, .size = PC_BIOS_END - PC_BIOS_START,
		.offset = PC_BIOS_START, .kind = MEMMAP_RAM,
	};
	if (low_top > MEMMAP_HIGH_RAM_START)
		r[n++] = (struct memmap_region) {
			.gpa = MEMMAP_HIGH_RAM_START,
			.size = low_top - MEMMAP_HIGH_RAM_START,
			.offset = MEMMAP_HIGH_RAM_START, .kind = MEMMAP_RAM,
		};
	if (ram_size > PC_PCI_HOLE)
		r[n++] = (struct memmap_region) {
			.gpa = PC_HIGH_RAM_START,
			.size = ram_size - PC_PCI_HOLE,
			.offset = PC_PCI_HOLE, .kind = MEMMAP_RAM,
		};
	return n;
}
