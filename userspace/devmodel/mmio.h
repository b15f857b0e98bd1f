/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MMIO bus: guest-physical ranges no RAM slot backs (the IOAPIC page,
 * PCI BARs).  Like the port bus, a device claims a range and sees offsets;
 * unlike it, ranges come and go at run time (a guest moving a BAR), so a
 * range can be unregistered by its base.
 */
#ifndef VIREO_MMIO_H
#define VIREO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#define MMIO_MAX_RANGES	64

/*
 * size is 1, 2, 4 or 8 and the access never runs past the range (the bus
 * splits one that would).  Either callback may be NULL: reads then return
 * all ones, writes are dropped.
 */
struct mmio_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value);
};

struct mmio_range {
	uint64_t base;
	uint64_t len;
	const struct mmio_ops *ops;
	void *opaque;
};

struct mmio_bus {
	unsigned int nr_ranges;
	struct mmio_range ranges[MMIO_MAX_RANGES];	/* sorted by base */
};

void mmio_bus_init(struct mmio_bus *bus);
/* 0, -EINVAL (empty, wraps), -EBUSY (overlap) or -ENOSPC. */
int mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t len,
		  const struct mmio_ops *ops, void *opaque);
/* 0 or -ENOENT. */
int mmio_unregister(struct mmio_bus *bus, uint64_t base);
/* false when no range claims addr: the caller decides what a hole does. */
bool mmio_read(struct mmio_bus *bus, uint64_t addr, unsigned int size,
	       uint64_t *value);
bool mmio_write(struct mmio_bus *bus, uint64_t addr, unsigned int size,
		uint64_t value);

#endif /* VIREO_MMIO_H */
