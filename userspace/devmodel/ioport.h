/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The port-I/O bus.  A device claims a range of ports and sees accesses as
 * an offset within its range; the bus owns the addresses, so the vCPU loop
 * dispatches by port number without knowing any device.
 */
#ifndef VIREO_IOPORT_H
#define VIREO_IOPORT_H

#include <stdint.h>

#define IOPORT_SPACE	0x10000		/* x86 has 64 Ki ports */
#define IOPORT_MAX_RANGES 64

/*
 * Callbacks get the offset within the claimed range and the access size
 * (1, 2 or 4).  The bus never passes an access that runs past the end of the
 * range: it splits such accesses into bytes, as the ISA bus does.  Either
 * callback may be NULL: reads then return all ones, writes are dropped.
 */
struct ioport_ops {
	uint32_t (*read)(void *opaque, uint16_t offset, unsigned int size);
	void (*write)(void *opaque, uint16_t offset, unsigned int size,
		      uint32_t value);
};

struct ioport_range {
	uint16_t base;
	uint32_t len;
	const struct ioport_ops *ops;
	void *opaque;
};

struct io_bus {
	unsigned int nr_ranges;
	struct ioport_range ranges[IOPORT_MAX_RANGES];	/* sorted by base */
};

void ioport_bus_init(struct io_bus *bus);
int ioport_register(struct io_bus *bus, uint16_t base, uint32_t len,
		    const struct ioport_ops *ops, void *opaque);
/* Release the range claimed at base (a PCI I/O BAR moving): 0 or -ENOENT. */
int ioport_unregister(struct io_bus *bus, uint16_t base);
uint32_t ioport_read(struct io_bus *bus, uint16_t port, unsigned int size);
void ioport_write(struct io_bus *bus, uint16_t port, unsigned int size,
		  uint32_t value);

#endif /* VIREO_IOPORT_H */
