/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-physical memory map of the PC, as memory slots.  RAM lives in
 * one host buffer where guest-physical address == offset; the ROM in
 * another, seen twice.  With a 64 KiB ROM:
 *
 *   [0, 0xA0000)               RAM (conventional memory, 640 KiB)
 *   [0xA0000, 0xF0000)         hole: VGA window and option ROMs, MMIO
 *   [0xF0000, 0x100000)        ROM, read-only (the BIOS area below 1 MiB)
 *   [0x100000, ram_size)       RAM (extended memory), if ram_size > 1 MiB
 *   [0xFFFF0000, 0x100000000)  ROM again, read-only: the reset vector at
 *                              0xFFFFFFF0 is its last 16 bytes (Intel SDM
 *                              Vol. 3A 9.1.4 "First Instruction Executed")
 *
 * The RAM under the 0xA0000-0xFFFFF hole is allocated but never mapped,
 * which keeps GPA == offset and costs 384 KiB.
 */
#ifndef VIREO_MEMMAP_H
#define VIREO_MEMMAP_H

#include <stdint.h>

#define MEMMAP_LOW_RAM_END	0xa0000ULL
#define MEMMAP_HIGH_RAM_START	0x100000ULL
#define MEMMAP_MAX_REGIONS	4

enum memmap_kind {
	MEMMAP_RAM,
	MEMMAP_ROM,	/* read-only slot */
};

struct memmap_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;	/* into the RAM or the ROM buffer */
	enum memmap_kind kind;
};

/*
 * Fill r[] (MEMMAP_MAX_REGIONS entries) for ram_size bytes of RAM (at least
 * 1 MiB, at most 0xFFFF0000) and a rom_size-byte ROM; returns the number of
 * regions.
 */
unsigned int memmap_build(uint64_t ram_size, uint64_t rom_size,
			  struct memmap_region *r);

/*
 * The map for a direct kernel boot (--kernel, pc_layout.h): no ROM, RAM
 * under the BIOS area for the ACPI tables, and RAM past PC_PCI_HOLE moved
 * above 4 GiB.  Guest RAM is still one host buffer of ram_size bytes:
 *
 *   GPA                          buffer offset
 *   [0, 0xA0000)                 == GPA
 *   [0xA0000, 0xE0000)           hole (VGA, option ROMs): not mapped, the
 *                                256 KiB of buffer under it stay unused
 *   [0xE0000, 0x100000)          == GPA (the guest's e820 says reserved)
 *   [1 MiB, min(ram_size, PC_PCI_HOLE))               == GPA
 *   [4 GiB, 4 GiB + ram_size - PC_PCI_HOLE)           GPA - 4 GiB + PC_PCI_HOLE
 *
 * so below 4 GiB a GPA is its own offset.  ram_size is at least 1 MiB.
 * Fills r[] (MEMMAP_MAX_REGIONS entries); returns the number of regions.
 */
unsigned int memmap_build_kernel(uint64_t ram_size, struct memmap_region *r);

#endif /* VIREO_MEMMAP_H */
