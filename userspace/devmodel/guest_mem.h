/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory as the VM process reaches it: the one accessor that the
 * loaders, the ACPI builder and every device doing DMA go through.  A
 * guest-physical range becomes host memory only when one region holds all
 * of it: a range that runs past a region's end, touches a hole (MMIO, the
 * VGA window) or wraps around is refused, so that an address a guest wrote
 * into a descriptor never reaches anything but its own memory.  ROM is
 * readable, never writable.
 *
 * The regions are the memory slots (memmap.h), so what the guest sees as
 * memory and what the VM process lets it name are the same.
 */
#ifndef VIREO_GUEST_MEM_H
#define VIREO_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"

struct guest_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	bool writable;
};

struct guest_mem {
	unsigned int nr;
	struct guest_mem_region r[MEMMAP_MAX_REGIONS];
};

/* The regions of the memory map r[0..n), backed by @ram and @rom. */
void guest_mem_init(struct guest_mem *gm, const struct memmap_region *r,
		    unsigned int n, uint8_t *ram, uint8_t *rom);

/*
 * Host address of [gpa, gpa + len) when one region holds all of it (and
 * is RAM, if @write), else NULL.  len 0 is refused too.
 */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len,
		    bool write);

/* Copy between guest memory and @buf: 0, or -EFAULT and nothing copied. */
int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf,
		   size_t len);
int guest_mem_write(const struct guest_mem *gm, uint64_t gpa,
		    const void *buf, size_t len);

#endif /* VIREO_GUEST_MEM_H */
