// SPDX-License-Identifier: GPL-2.0
/*
 * The port-I/O bus: a sorted table of claimed ranges.  There are a handful
 * of devices, so a linear scan is as fast as anything cleverer.
 */
#include <errno.h>
#include <string.h>

#include "ioport.h"

void ioport_bus_init(struct io_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

static int ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Claim [base, base + len).  Returns 0, -EINVAL for an empty range or one
 * past port 0xFFFF, -EBUSY if it overlaps a claimed range, -ENOSPC when the
 * table is full.
 */
int ioport_register(struct io_bus *bus, uint16_t base, uint32_t len,
		    const struct ioport_ops *ops, void *opaque)
{
	unsigned int i;

	if (!ops || len == 0 || (uint32_t)base + len > IOPORT_SPACE)
		return -EINVAL;
	for (i = 0; i < bus->nr_ranges; i++)
		if (ranges_overlap(base, len, bus->ranges[i].base,
				   bus->ranges[i].len))
			return -EBUSY;
	if (bus->nr_ranges == IOPORT_MAX_RANGES)
		return -ENOSPC;

	/* Keep the table sorted: shift the ranges above base up by one. */
	for (i = bus->nr_ranges; i > 0 && bus->ranges[i - 1].base > base; i--)
		bus->ranges[i] = bus->ranges[i - 1];
	bus->ranges[i] = (struct ioport_range) {
		.base = base, .len = len, .ops = ops, .opaque = opaque,
	};
	bus->nr_ranges++;
	return 0;
}

int ioport_unregister(struct io_bus *bus, uint16_t base)
{
	unsigned int i;

	for (i = 0; i < bus->nr_ranges; i++)
		if (bus->ranges[i].base == base)
			break;
	if (i == bus->nr_ranges)
		return -ENOENT;
	memmove(&bus->ranges[i], &bus->ranges[i + 1],
		(bus->nr_ranges - i - 1) * sizeof(bus->ranges[0]));
	bus->nr_ranges--;
	return 0;
}

static struct ioport_range *ioport_find(struct io_bus *bus, uint32_t port)
{
	unsigned int i;

	for (i = 0; i < bus->nr_ranges; i++) {
		struct ioport_range *r = &bus->ranges[i];

		if (port >= r->base && port < r->base + r->len)
			return r;
	}
	return NULL;
}

static uint32_t ones(unsigned int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Does r hold the whole access, so that one callback can take it? */
static int range_holds(const struct ioport_range *r, uint32_t port,
		       unsigned int size)
{
	return r && port - r->base + size <= r->len;
}

/*
 * An access that does not fit in one range (a word at the last port of a
 * device, or one that starts below it) is split into bytes, little endian,
 * as the ISA bus does: every port sees its own byte.
 */
static uint32_t ioport_read_one(struct io_bus *bus, uint32_t port,
				unsigned int size)
{
	struct ioport_range *r = ioport_find(bus, port);
	uint32_t value = 0;
	unsigned int i;

	if (range_holds(r, port, size)) {
		if (!r->ops->read)
			return ones(size);
		return r->ops->read(r->opaque, port - r->base, size) &
		       ones(size);
	}
	/* Nobody drives the bus: the pull-ups make it read as all ones. */
	if (size == 1)
		return 0xff;
	for (i = 0; i < size; i++)
		value |= ioport_read_one(bus, port + i, 1) << (8 * i);
	return value;
}

/*
 * Sizes other than 1, 2 and 4 cannot come from an x86 IN/OUT; the caller
 * validates them, and the bus treats them as a byte access to stay safe.
 */
static unsigned int sane_size(unsigned int size)
{
	return size == 2 || size == 4 ? size : 1;
}

uint32_t ioport_read(struct io_bus *bus, uint16_t port, unsigned int size)
{
	return ioport_read_one(bus, port, sane_size(size));
}

static void ioport_write_one(struct io_bus *bus, uint32_t port,
			     unsigned int size, uint32_t value)
{
	struct ioport_range *r = ioport_find(bus, port);
	unsigned int i;

	if (range_holds(r, port, size)) {
		if (r->ops->write)
			r->ops->write(r->opaque, port - r->base, size,
				      value & ones(size));
		return;
	}
	/* Writes to unclaimed ports go nowhere, as on a PC. */
	if (size == 1)
		return;
	for (i = 0; i < size; i++)
		ioport_write_one(bus, port + i, 1, value >> (8 * i));
}

void ioport_write(struct io_bus *bus, uint16_t port, unsigned int size,
		  uint32_t value)
{
	ioport_write_one(bus, port, sane_size(size), value);
}
