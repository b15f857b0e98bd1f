/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The address buses: one implementation for the port-I/O space and for the
 * guest-physical MMIO holes (the IOAPIC page, PCI BARs).  A device claims a
 * range and sees accesses as an offset within it; the bus owns the
 * addresses, so the vCPU loop dispatches without knowing any device.
 * Ranges come and go at run time (a guest moving a PCI BAR).
 *
 * Locking: every vCPU thread dispatches at once.  The range table is
 * under the bus's own read-write lock, held only to look a range up (or
 * to change the table), never across a callback: the range is copied out
 * and the lock released first, so a callback may move a BAR of its own.
 * Each range names the lock of the device behind it, which the bus takes
 * around the callback: a device is entered by one thread at a time, and
 * two devices by two threads at once.  Device locks come before the bus's
 * lock, never after it.  A range's owner outlives it (devices are freed
 * only once no vCPU runs), so a copy taken just before a BAR moves calls
 * a live device, as a guest racing its own BAR change can expect.
 */
#ifndef VIREO_BUS_H
#define VIREO_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * size is 1, 2, 4 or (MMIO only) 8, and the access never runs past the
 * range: the bus splits one that would into bytes, as the ISA bus does.
 * value and the result are little endian, masked to size.  Either callback
 * may be NULL: reads then return all ones, writes are dropped.
 *
 * byte_regs: the device's registers are 8 bits wide, one per address (an
 * ISA device's): the bus turns a wider access into byte accesses in
 * address order, all under one hold of the device's lock, and the
 * callbacks only ever see size 1.
 */
struct bus_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value);
	bool byte_regs;
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct bus_ops *ops;
	void *opaque;
	pthread_mutex_t *lock;	/* around the callbacks; NULL: none */
};

struct bus {
	const char *name;	/* "pio" or "mmio", for messages */
	uint64_t limit;		/* addresses stop below it; 0: 2^64 */
	unsigned int max_size;	/* widest access: 4 for ports, 8 for MMIO */
	pthread_rwlock_t lock;	/* the table's, never over a callback */
	unsigned int nr_ranges, capacity;
	struct bus_range *ranges;	/* sorted by base, never overlapping */
};

#define IOPORT_SPACE	0x10000		/* x86 has 64 Ki ports */

/* The two buses of a PC. */
void bus_init_pio(struct bus *bus);
void bus_init_mmio(struct bus *bus);
void bus_destroy(struct bus *bus);

/*
 * Claim [base, base + len) for ops and opaque; the callbacks run with lock
 * held (a device's, devices.h; NULL only where the callbacks need none, as
 * in tests).  0, -EINVAL (no ops, empty, wraps or runs past the bus's
 * limit), -EBUSY (overlaps a claimed range) or -ENOMEM.
 */
int bus_register(struct bus *bus, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque,
		 pthread_mutex_t *lock);
/* Release the range claimed at base: 0 or -ENOENT. */
int bus_unregister(struct bus *bus, uint64_t base);
/* Copy the range holding addr to *out: false when there is none. */
bool bus_find(struct bus *bus, uint64_t addr, struct bus_range *out);

/*
 * Dispatch an access.  false when no byte of it is claimed (the caller
 * decides what a hole does: ports read as all ones, MMIO is logged);
 * otherwise unclaimed bytes of a split access read as ones and drop
 * writes.  Sizes the CPU cannot produce are taken as a byte.
 */
bool bus_read(struct bus *bus, uint64_t addr, unsigned int size,
	      uint64_t *value);
bool bus_write(struct bus *bus, uint64_t addr, unsigned int size,
	       uint64_t value);

/* Port I/O, where nobody driving the bus reads as all ones. */
static inline uint32_t ioport_read(struct bus *bus, uint16_t port,
				   unsigned int size)
{
	uint64_t v = ~0ULL;

	bus_read(bus, port, size, &v);
	return size == 4 ? (uint32_t)v : size == 2 ? v & 0xffff : v & 0xff;
}

static inline void ioport_write(struct bus *bus, uint16_t port,
				unsigned int size, uint32_t value)
{
	bus_write(bus, port, size, value);
}

#endif /* VIREO_BUS_H */
