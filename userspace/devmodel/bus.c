// SPDX-License-Identifier: GPL-2.0
/*
 * The buses: a table of claimed ranges sorted by base and searched by
 * bisection, so a lookup costs O(log n) however many devices and BARs a
 * VM has.  The table grows as ranges are claimed; a guest can only move
 * ranges (PCI BARs), never add them, so its size is bounded by the devices.
 * The locking is bus.h's: lookups copy a range out under the read lock and
 * call it after releasing it, with the device's lock held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

static void bus_init(struct bus *bus, const char *name, uint64_t limit,
		     unsigned int max_size)
{
	pthread_rwlockattr_t attr;

	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	bus->limit = limit;
	bus->max_size = max_size;
	/*
	 * Writers first (glibc favours readers): a BAR move, holding the
	 * PCI device's lock, must not wait on vCPUs that keep reading.  No
	 * path takes the read lock twice, which writer preference forbids.
	 */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
		PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&bus->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
}

void bus_init_pio(struct bus *bus)
{
	bus_init(bus, "pio", IOPORT_SPACE, 4);
}

void bus_init_mmio(struct bus *bus)
{
	bus_init(bus, "mmio", 0, 8);
}

void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr_ranges = bus->capacity = 0;
	pthread_rwlock_destroy(&bus->lock);
}

/*
 * The index of the first range whose base is above addr: the range that
 * may hold addr is the one before it.
 */
static unsigned int first_above(const struct bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nr_ranges;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Under the bus lock. */
static const struct bus_range *find(const struct bus *bus, uint64_t addr)
{
	unsigned int i = first_above(bus, addr);
	const struct bus_range *r;

	if (i == 0)
		return NULL;
	r = &bus->ranges[i - 1];
	return addr - r->base < r->len ? r : NULL;
}

bool bus_find(struct bus *bus, uint64_t addr, struct bus_range *out)
{
	const struct bus_range *r;

	pthread_rwlock_rdlock(&bus->lock);
	r = find(bus, addr);
	if (r)
		*out = *r;
	pthread_rwlock_unlock(&bus->lock);
	return r != NULL;
}

/*
 * Does any range overlap [addr, addr + len)?  (len >= 1, no wrap.)  Under
 * the bus lock.
 */
static bool any_claimed(const struct bus *bus, uint64_t addr, uint64_t len)
{
	unsigned int i = first_above(bus, addr + len - 1);

	/*
	 * Only the last range starting at or below the end can overlap; its
	 * last byte is compared, as base + len is 0 for a range at the top.
	 */
	if (i == 0)
		return false;
	return bus->ranges[i - 1].base + bus->ranges[i - 1].len - 1 >= addr;
}

static int bus_grow(struct bus *bus)
{
	unsigned int cap = bus->capacity ? 2 * bus->capacity : 16;
	struct bus_range *r;

	r = realloc(bus->ranges, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	bus->ranges = r;
	bus->capacity = cap;
	return 0;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, pthread_mutex_t *lock)
{
	unsigned int i;
	int err = 0;

	if (!ops || len == 0 || base + len - 1 < base)
		return -EINVAL;
	if (bus->limit && (base >= bus->limit || len > bus->limit - base))
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	if (any_claimed(bus, base, len))
		err = -EBUSY;
	else if (bus->nr_ranges == bus->capacity)
		err = bus_grow(bus);
	if (!err) {
		i = first_above(bus, base);
		memmove(&bus->ranges[i + 1], &bus->ranges[i],
			(bus->nr_ranges - i) * sizeof(bus->ranges[0]));
		bus->ranges[i] = (struct bus_range) {
			.base = base, .len = len, .ops = ops,
			.opaque = opaque, .lock = lock,
		};
		bus->nr_ranges++;
	}
	pthread_rwlock_unlock(&bus->lock);
	return err;
}

int bus_unregister(struct bus *bus, uint64_t base)
{
	unsigned int i;
	int err = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	i = first_above(bus, base);
	if (i > 0 && bus->ranges[i - 1].base == base) {
		i--;
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nr_ranges - i - 1) * sizeof(bus->ranges[0]));
		bus->nr_ranges--;
		err = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return err;
}

static uint64_t ones(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static unsigned int sane_size(const struct bus *bus, unsigned int size)
{
	if (size == 2 || size == 4 || (size == 8 && bus->max_size == 8))
		return size;
	return 1;
}

/* Does r hold the whole access, so that one callback can take it? */
static bool range_holds(const struct bus_range *r, uint64_t addr,
			unsigned int size)
{
	return r && size <= r->len && addr - r->base <= r->len - size;
}

/* Copy out the range that holds the whole access, if one does. */
static bool find_holding(struct bus *bus, uint64_t addr, unsigned int size,
			 struct bus_range *out)
{
	return bus_find(bus, addr, out) && range_holds(out, addr, size);
}

static uint64_t call_read(const struct bus_range *r, uint64_t addr,
			  unsigned int size)
{
	const struct bus_ops *ops = r->ops;
	uint64_t offset = addr - r->base, value = 0;
	unsigned int i;

	if (!ops->read)
		return ones(size);
	if (r->lock)
		pthread_mutex_lock(r->lock);
	if (ops->byte_regs)
		for (i = 0; i < size; i++)
			value |= (ops->read(r->opaque, offset + i, 1) & 0xff)
				 << (8 * i);
	else
		value = ops->read(r->opaque, offset, size);
	if (r->lock)
		pthread_mutex_unlock(r->lock);
	return value & ones(size);
}

static void call_write(const struct bus_range *r, uint64_t addr,
		       unsigned int size, uint64_t value)
{
	const struct bus_ops *ops = r->ops;
	uint64_t offset = addr - r->base;
	unsigned int i;

	if (!ops->write)
		return;
	value &= ones(size);
	if (r->lock)
		pthread_mutex_lock(r->lock);
	if (ops->byte_regs)
		for (i = 0; i < size; i++)
			ops->write(r->opaque, offset + i, 1,
				   (value >> (8 * i)) & 0xff);
	else
		ops->write(r->opaque, offset, size, value);
	if (r->lock)
		pthread_mutex_unlock(r->lock);
}

/*
 * An access that does not fit in one range (a word at the last port of a
 * device, or one that starts below it) is split into bytes, little endian:
 * every address sees its own byte, and nobody's reads as all ones (the
 * pull-ups of an undriven bus).
 */
static uint64_t read_one(struct bus *bus, uint64_t addr, unsigned int size)
{
	struct bus_range r;
	uint64_t value = 0;
	unsigned int i;

	if (find_holding(bus, addr, size, &r))
		return call_read(&r, addr, size);
	if (size == 1)
		return 0xff;
	for (i = 0; i < size; i++)
		value |= read_one(bus, addr + i, 1) << (8 * i);
	return value;
}

static void write_one(struct bus *bus, uint64_t addr, unsigned int size,
		      uint64_t value)
{
	struct bus_range r;
	unsigned int i;

	if (find_holding(bus, addr, size, &r)) {
		call_write(&r, addr, size, value);
		return;
	}
	if (size == 1)
		return;
	for (i = 0; i < size; i++)
		write_one(bus, addr + i, 1, value >> (8 * i));
}

/*
 * An access past the top of the bus (a word at port 0xFFFF) keeps only the
 * bytes below the top: the ones above are nobody's.
 */
static unsigned int clip(const struct bus *bus, uint64_t addr,
			 unsigned int size)
{
	if (bus->limit && addr >= bus->limit)
		return 0;
	if (bus->limit && size > bus->limit - addr)
		return bus->limit - addr;
	if (addr + size - 1 < addr)
		return -addr;
	return size;
}

/* Is any byte of the (clipped) access claimed? */
static bool claimed(struct bus *bus, uint64_t addr, unsigned int n)
{
	bool any;

	if (n == 0)
		return false;
	pthread_rwlock_rdlock(&bus->lock);
	any = any_claimed(bus, addr, n);
	pthread_rwlock_unlock(&bus->lock);
	return any;
}

bool bus_read(struct bus *bus, uint64_t addr, unsigned int size,
	      uint64_t *value)
{
	struct bus_range r;
	unsigned int n, i;

	size = sane_size(bus, size);
	n = clip(bus, addr, size);
	/* The common case: one range takes it, one lookup. */
	if (n == size && find_holding(bus, addr, size, &r)) {
		*value = call_read(&r, addr, size);
		return true;
	}
	if (!claimed(bus, addr, n))
		return false;
	if (n == size) {
		*value = read_one(bus, addr, size);
		return true;
	}
	*value = ones(size);
	for (i = 0; i < n; i++) {
		*value &= ~(0xffULL << (8 * i));
		*value |= read_one(bus, addr + i, 1) << (8 * i);
	}
	return true;
}

bool bus_write(struct bus *bus, uint64_t addr, unsigned int size,
	       uint64_t value)
{
	struct bus_range r;
	unsigned int n, i;

	size = sane_size(bus, size);
	n = clip(bus, addr, size);
	if (n == size && find_holding(bus, addr, size, &r)) {
		call_write(&r, addr, size, value);
		return true;
	}
	if (!claimed(bus, addr, n))
		return false;
	if (n == size) {
		write_one(bus, addr, size, value);
		return true;
	}
	for (i = 0; i < n; i++)
		write_one(bus, addr + i, 1, value >> (8 * i));
	return true;
}
