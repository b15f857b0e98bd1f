/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The e820 memory map a directly booted kernel is told (INT 15h AX=E820h,
 * ACPI 6.4 15.1 "INT 15H, E820H - Query System Address Map").  The Linux
 * loader copies it into boot_params, the Multiboot loader into the mmap
 * buffer and mem_lower/mem_upper; nothing else tells a kernel where RAM is.
 *
 * The PC map for ram_size bytes of RAM (memmap_build_kernel() maps the
 * same RAM as slots):
 *
 *   usable    [0, 0x9FC00)
 *   reserved  [0x9FC00, 0xA0000)        EBDA
 *   reserved  [0xE0000, 0x100000)       BIOS area: the ACPI tables
 *   usable    [1 MiB, min(ram_size, PC_PCI_HOLE))
 *   usable    [4 GiB, 4 GiB + ram_size - PC_PCI_HOLE)   if any
 *
 * [0xA0000, 0xE0000) and [PC_PCI_HOLE, 4 GiB) are left out: a gap is MMIO
 * to the guest.  The IOAPIC and LAPIC pages are not listed either: Linux
 * learns them from the MADT and claims them as resources itself, and a
 * Multiboot kernel that drives them knows where they are; a reserved entry
 * at 0xFEC00000 would tell neither anything and only split the PCI window
 * Linux derives from the largest gap below 4 GiB (e820__setup_pci_gap()).
 */
#ifndef VIREO_BOOT_E820_H
#define VIREO_BOOT_E820_H

#include <stdint.h>

enum e820_type {
	E820_USABLE	= 1,
	E820_RESERVED	= 2,
	E820_ACPI	= 3,	/* ACPI reclaimable */
	E820_NVS	= 4,	/* ACPI NVS */
};

#define E820_MAX_ENTRIES	32

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/* Sorted by address, never overlapping, no empty entry. */
struct e820 {
	unsigned int nr;
	struct e820_entry entry[E820_MAX_ENTRIES];
};

/* The PC map above for ram_size bytes (at least 1 MiB) of guest RAM. */
void e820_build_pc(uint64_t ram_size, struct e820 *map);

/*
 * Insert [addr, addr + size) of the given type in address order.  Returns
 * 0, -EINVAL for an empty or wrapping range, -EEXIST if it overlaps an
 * entry, -ENOSPC when the map is full.
 */
int e820_add(struct e820 *map, uint64_t addr, uint64_t size,
	     enum e820_type type);

/*
 * Bytes of usable RAM from start on without a gap (adjacent usable entries
 * join); 0 if start is not usable.  Multiboot's mem_lower and mem_upper,
 * and the ceiling the loaders place kernel and initrd under.
 */
uint64_t e820_usable_run(const struct e820 *map, uint64_t start);

#endif /* VIREO_BOOT_E820_H */
