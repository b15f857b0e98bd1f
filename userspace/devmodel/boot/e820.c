// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "../pc_layout.h"
#include "e820.h"

int e820_add(struct e820 *map, uint64_t addr, uint64_t size,
	     enum e820_type type)
{
	unsigned int i, at;

	if (!size || addr + size < addr)
		return -EINVAL;
	for (at = 0; at < map->nr && map->entry[at].addr < addr; at++)
		;
	/* Only the neighbours can overlap a range in a sorted, disjoint map. */
	if (at > 0 && map->entry[at - 1].addr + map->entry[at - 1].size > addr)
		return -EEXIST;
	if (at < map->nr && map->entry[at].addr < addr + size)
		return -EEXIST;
	if (map->nr == E820_MAX_ENTRIES)
		return -ENOSPC;
	for (i = map->nr; i > at; i--)
		map->entry[i] = map->entry[i - 1];
	map->entry[at] = (struct e820_entry) {
		.addr = addr, .size = size, .type = type,
	};
	map->nr++;
	return 0;
}

void e820_build_pc(uint64_t ram_size, struct e820 *map)
{
	uint64_t low_top = ram_size < PC_PCI_HOLE ? ram_size : PC_PCI_HOLE;

	/* Five disjoint entries in an empty map: e820_add() cannot fail. */
	memset(map, 0, sizeof(*map));
	e820_add(map, 0, PC_EBDA_START, E820_USABLE);
	e820_add(map, PC_EBDA_START, 0xa0000 - PC_EBDA_START, E820_RESERVED);
	e820_add(map, PC_BIOS_START, PC_BIOS_END - PC_BIOS_START,
		 E820_RESERVED);
	if (low_top > PC_KERNEL_START)
		e820_add(map, PC_KERNEL_START, low_top - PC_KERNEL_START,
			 E820_USABLE);
	if (ram_size > PC_PCI_HOLE)
		e820_add(map, PC_HIGH_RAM_START, ram_size - PC_PCI_HOLE,
			 E820_USABLE);
}

uint64_t e820_usable_run(const struct e820 *map, uint64_t start)
{
	uint64_t end = start;
	unsigned int i;

	for (i = 0; i < map->nr; i++) {
		const struct e820_entry *e = &map->entry[i];

		if (e->type != E820_USABLE || e->addr > end ||
		    e->addr + e->size <= end)
			continue;
		end = e->addr + e->size;
	}
	return end - start;
}
