// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO bus: a sorted table of claimed guest-physical ranges, scanned
 * linearly as the port bus is (a PC has a handful of MMIO devices).
 */
#include <errno.h>
#include <string.h>

#include "mmio.h"

void mmio_bus_init(struct mmio_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
			   uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t len,
		  const struct mmio_ops *ops, void *opaque)
{
	unsigned int i;

	if (!ops || len == 0 || base + len < base)
		return -EINVAL;
	for (i = 0; i < bus->nr_ranges; i++)
		if (ranges_overlap(base, len, bus->ranges[i].base,
				   bus->ranges[i].len))
			return -EBUSY;
	if (bus->nr_ranges == MMIO_MAX_RANGES)
		return -ENOSPC;

	for (i = bus->nr_ranges; i > 0 && bus->ranges[i - 1].base > base; i--)
		bus->ranges[i] = bus->ranges[i - 1];
	bus->ranges[i] = (struct mmio_range) {
		.base = base, .len = len, .ops = ops, .opaque = opaque,
	};
	bus->nr_ranges++;
	return 0;
}

int mmio_unregister(struct mmio_bus *bus, uint64_t base)
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

static struct mmio_range *mmio_find(struct mmio_bus *bus, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < bus->nr_ranges; i++) {
		struct mmio_range *r = &bus->ranges[i];

		if (addr >= r->base && addr - r->base < r->len)
			return r;
	}
	return NULL;
}

static uint64_t ones(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static unsigned int sane_size(unsigned int size)
{
	return size == 2 || size == 4 || size == 8 ? size : 1;
}

/* Does any byte of [addr, addr + size) belong to a range? */
static bool any_claimed(struct mmio_bus *bus, uint64_t addr, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < bus->nr_ranges; i++)
		if (ranges_overlap(addr, size, bus->ranges[i].base,
				   bus->ranges[i].len))
			return true;
	return false;
}

/*
 * An access that straddles the end of a range is split into bytes, as for
 * ports: each byte goes to whoever owns it, unowned bytes read as ones.
 */
static uint64_t read_one(struct mmio_bus *bus, uint64_t addr,
			 unsigned int size)
{
	struct mmio_range *r = mmio_find(bus, addr);
	uint64_t value = 0;
	unsigned int i;

	if (r && addr - r->base + size <= r->len) {
		if (!r->ops->read)
			return ones(size);
		return r->ops->read(r->opaque, addr - r->base, size) &
		       ones(size);
	}
	if (size == 1)
		return 0xff;
	for (i = 0; i < size; i++)
		value |= read_one(bus, addr + i, 1) << (8 * i);
	return value;
}

static void write_one(struct mmio_bus *bus, uint64_t addr, unsigned int size,
		      uint64_t value)
{
	struct mmio_range *r = mmio_find(bus, addr);
	unsigned int i;

	if (r && addr - r->base + size <= r->len) {
		if (r->ops->write)
			r->ops->write(r->opaque, addr - r->base, size,
				      value & ones(size));
		return;
	}
	if (size == 1)
		return;
	for (i = 0; i < size; i++)
		write_one(bus, addr + i, 1, value >> (8 * i));
}

bool mmio_read(struct mmio_bus *bus, uint64_t addr, unsigned int size,
	       uint64_t *value)
{
	size = sane_size(size);
	if (!any_claimed(bus, addr, size))
		return false;
	*value = read_one(bus, addr, size);
	return true;
}

bool mmio_write(struct mmio_bus *bus, uint64_t addr, unsigned int size,
		uint64_t value)
{
	size = sane_size(size);
	if (!any_claimed(bus, addr, size))
		return false;
	write_one(bus, addr, size, value);
	return true;
}
