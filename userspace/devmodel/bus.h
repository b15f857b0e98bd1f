/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address buses: one implementation for the port-I/O space and for the
 * guest-physical MMIO holes (the IOAPIC page, PCI BARs).  A device claims a
 * range and sees accesses as an offset within it; the bus owns the
 * addresses, so the vCPU loop dispatches without knowing any device.
 * Ranges come and go at run time (a guest moving a PCI BAR).
 */
#ifndef VIREO_BUS_H
#define VIREO_BUS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * size is 1, 2, 4 or (MMIO only) 8, and the access never runs past the
 * range: the bus splits one that would into bytes, as the ISA bus does.
 * value and the result are little endian, masked to size.  Either callback
 * may be NULL: reads then return all ones, writes are dropped.
 */
struct bus_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct bus_ops *ops;
	void *opaque;
};

struct bus {
	const char *name;	/* "pio" or "mmio", for messages */
	uint64_t limit;		/* addresses stop below it; 0: 2^64 */
	unsigned int max_size;	/* widest access: 4 for ports, 8 for MMIO */
	unsigned int nr_ranges, capacity;
	struct bus_range *ranges;	/* sorted by base, never overlapping */
};

#define IOPORT_SPACE	0x10000		/* x86 has 64 Ki ports */

/* The two buses of a PC. */
void bus_init_pio(struct bus *bus);
void bus_init_mmio(struct bus *bus);
void bus_destroy(struct bus *bus);

/*
 * Claim [base, base + len).  0, -EINVAL (no ops, empty, wraps or runs past
 * the bus's limit), -EBUSY (overlaps a claimed range) or -ENOMEM.
 */
int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque);
/* Release the range claimed at base: 0 or -ENOENT. */
int bus_unregister(struct bus *bus, uint64_t base);
/* The range holding addr, or NULL (for tests and the PCI BAR code). */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr);

/*
 * Dispatch an access.  false when no byte of it is claimed (the caller
 * decides what a hole does: ports read as all ones, MMIO is logged);
 * otherwise unclaimed bytes of a split access read as ones and drop
 * writes.  Sizes the CPU cannot produce are taken as a byte.
 */
bool bus_read(const struct bus *bus, uint64_t addr, unsigned int size,
	      uint64_t *value);
bool bus_write(const struct bus *bus, uint64_t addr, unsigned int size,
	       uint64_t value);

/* Port I/O, where nobody driving the bus reads as all ones. */
static inline uint32_t ioport_read(const struct bus *bus, uint16_t port,
				   unsigned int size)
{
	uint64_t v = ~0ULL;

	bus_read(bus, port, size, &v);
	return size == 4 ? (uint32_t)v : size == 2 ? v & 0xffff : v & 0xff;
}

static inline void ioport_write(const struct bus *bus, uint16_t port,
				unsigned int size, uint32_t value)
{
	bus_write(bus, port, size, value);
}

#endif /* VIREO_BUS_H */
