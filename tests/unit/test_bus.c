// SPDX-License-Identifier: GPL-2.0
/*
 * The buses (bus.h): registration, dispatch by offset, split and unclaimed
 * accesses on the port bus; 8-byte accesses, holes and the top of the
 * address space on the MMIO bus; and the ordered lookup against a plain
 * scan with many ranges.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "tap.h"

/* A fake device that records its last access and reads back a pattern. */
struct fake_dev {
	unsigned int reads, writes;
	uint16_t offset;
	unsigned int size;
	uint32_t value;
};

static uint64_t fake_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct fake_dev *d = opaque;

	d->reads++;
	d->offset = offset;
	d->size = size;
	return 0xa0b0c0d0 | offset;	/* the bus must mask to size */
}

static void fake_write(void *opaque, uint64_t offset, unsigned int size,
		       uint64_t value)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->offset = offset;
	d->size = size;
	d->value = value;
}

static const struct bus_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

static void test_register(void)
{
	struct fake_dev a = { 0 }, b = { 0 };
	struct bus bus;

	bus_init_pio(&bus);
	is_int(bus_register(&bus, 0x100, 8, &fake_ops, &a, NULL), 0,
	       "register [0x100, 0x108)");
	is_int(bus_register(&bus, 0x100, 8, &fake_ops, &b, NULL), -EBUSY,
	       "same range again is rejected");
	is_int(bus_register(&bus, 0x0fc, 8, &fake_ops, &b, NULL), -EBUSY,
	       "range overlapping the start is rejected");
	is_int(bus_register(&bus, 0x107, 1, &fake_ops, &b, NULL), -EBUSY,
	       "range overlapping the last port is rejected");
	is_int(bus_register(&bus, 0x0f0, 0x20, &fake_ops, &b, NULL), -EBUSY,
	       "range covering a claimed one is rejected");
	is_int(bus_register(&bus, 0x108, 8, &fake_ops, &b, NULL), 0,
	       "adjacent range above is accepted");
	is_int(bus_register(&bus, 0x0f8, 8, &fake_ops, &b, NULL), 0,
	       "adjacent range below is accepted");
	is_int(bus_register(&bus, 0x200, 0, &fake_ops, &b, NULL), -EINVAL,
	       "empty range is rejected");
	is_int(bus_register(&bus, 0xfffc, 8, &fake_ops, &b, NULL), -EINVAL,
	       "range past port 0xFFFF is rejected");
	is_int(bus_register(&bus, 0xfff8, 8, &fake_ops, &b, NULL), 0,
	       "range ending at port 0xFFFF is accepted");
	is_int(bus.nr_ranges, 4, "four ranges claimed");
}

static void test_dispatch(void)
{
	struct fake_dev a = { 0 }, b = { 0 };
	struct bus bus;
	uint32_t v;

	bus_init_pio(&bus);
	bus_register(&bus, 0x3f8, 8, &fake_ops, &a, NULL);
	bus_register(&bus, 0x400, 8, &fake_ops, &b, NULL);

	ioport_write(&bus, 0x3fb, 1, 0x83);
	ok(a.writes == 1 && a.offset == 3 && a.size == 1 && a.value == 0x83,
	   "byte write reaches the owner at offset 3");
	ok(b.writes == 0, "the other device sees nothing");

	v = ioport_read(&bus, 0x3f8 + 5, 1);
	ok(a.reads == 1 && a.offset == 5 && a.size == 1,
	   "byte read reaches the owner at offset 5");
	is_int(v, 0xd5, "byte read result is masked to 8 bits");

	v = ioport_read(&bus, 0x402, 2);
	ok(b.reads == 1 && b.offset == 2 && b.size == 2,
	   "word read reaches the second device at offset 2");
	is_int(v, 0xc0d2, "word read result is masked to 16 bits");

	ioport_write(&bus, 0x404, 4, 0xdeadbeef);
	ok(b.writes == 1 && b.offset == 4 && b.size == 4 &&
	   b.value == 0xdeadbeef, "dword write passes offset, size, value");
}

static void test_straddle(void)
{
	struct fake_dev a = { 0 };
	struct bus bus;
	uint32_t v;

	bus_init_pio(&bus);
	bus_register(&bus, 0x3f8, 8, &fake_ops, &a, NULL);

	/* A word at the last port: its high byte is an unclaimed port. */
	v = ioport_read(&bus, 0x3ff, 2);
	ok(a.reads == 1 && a.offset == 7 && a.size == 1,
	   "access past the end of a range is split into bytes");
	is_int(v, 0xffd7, "unclaimed half of a split read is 0xFF");

	ioport_write(&bus, 0x3f6, 4, 0x44332211);
	ok(a.writes == 2 && a.offset == 1 && a.value == 0x44,
	   "split write delivers only the claimed bytes, in order");
}

static void test_unclaimed(void)
{
	struct fake_dev a = { 0 };
	struct bus bus;

	bus_init_pio(&bus);
	bus_register(&bus, 0x60, 1, &fake_ops, &a, NULL);
	is_int(ioport_read(&bus, 0x80, 1), 0xff, "unclaimed byte reads 0xFF");
	is_int(ioport_read(&bus, 0x80, 2), 0xffff,
	       "unclaimed word reads 0xFFFF");
	is_int(ioport_read(&bus, 0x80, 4), 0xffffffff,
	       "unclaimed dword reads 0xFFFFFFFF");
	is_int(ioport_read(&bus, 0xffff, 4), 0xffffffff,
	       "read at the top of the port space reads all ones");
	ioport_write(&bus, 0x80, 1, 0x12);
	ioport_write(&bus, 0x61, 4, 0x12345678);
	ok(a.writes == 0 && a.reads == 0,
	   "unclaimed writes are ignored and reach no device");
}

static void test_null_callbacks(void)
{
	static const struct bus_ops wo_ops = { .write = fake_write };
	struct fake_dev a = { 0 };
	struct bus bus;

	bus_init_pio(&bus);
	bus_register(&bus, 0x70, 2, &wo_ops, &a, NULL);
	is_int(ioport_read(&bus, 0x70, 1), 0xff,
	       "write-only device reads as all ones");
	ioport_write(&bus, 0x71, 1, 0x5a);
	ok(a.writes == 1 && a.offset == 1, "write-only device takes writes");
}

static void test_unregister(void)
{
	struct fake_dev a = { 0 }, b = { 0 };
	struct bus bus;

	bus_init_pio(&bus);
	bus_register(&bus, 0x100, 8, &fake_ops, &a, NULL);
	bus_register(&bus, 0x200, 8, &fake_ops, &b, NULL);
	is_int(bus_unregister(&bus, 0x104), -ENOENT,
	       "unregister needs the base, not a port inside the range");
	is_int(bus_unregister(&bus, 0x100), 0, "unregister [0x100, 0x108)");
	is_int(bus.nr_ranges, 1, "one range left");
	is_int(ioport_read(&bus, 0x100, 1), 0xff,
	       "a released range reads as unclaimed");
	ioport_write(&bus, 0x100, 1, 0x12);
	ok(a.reads == 0 && a.writes == 0, "...and its device sees nothing");
	is_int(ioport_read(&bus, 0x201, 1), 0xd1,
	       "the other range still dispatches");
	is_int(bus_unregister(&bus, 0x100), -ENOENT,
	       "a second unregister fails");
	is_int(bus_register(&bus, 0x0fc, 8, &fake_ops, &b, NULL), 0,
	       "the freed ports can be claimed again");
}

static void test_mmio(void)
{
	struct fake_dev a = { 0 };
	struct bus bus;
	uint64_t v = 0;

	bus_init_mmio(&bus);
	is_int(bus_register(&bus, 0xfec00000, 0x1000, &fake_ops, &a, NULL), 0,
	       "MMIO: register the IOAPIC page");
	ok(bus_read(&bus, 0xfec00010, 8, &v) && a.size == 8 &&
	   a.offset == 0x10, "MMIO: an 8-byte read reaches the device whole");
	ok(!bus_read(&bus, 0xfebffff0, 8, &v),
	   "MMIO: a read of nobody's bytes is a hole (false)");
	ok(bus_read(&bus, 0xfebffffc, 8, &v) &&
	   (v & 0xffffffff) == 0xffffffff,
	   "MMIO: half claimed: the unclaimed half reads as ones");
	ok(!bus_write(&bus, 0x1000, 4, 1), "MMIO: a write to a hole is false");
	is_int(bus_register(&bus, ~0ULL - 3, 8, &fake_ops, &a, NULL), -EINVAL,
	       "MMIO: a range that wraps past 2^64 is rejected");
	is_int(bus_register(&bus, ~0ULL - 3, 4, &fake_ops, &a, NULL), 0,
	       "MMIO: a range ending at the top of the space is accepted");
	a.reads = 0;
	ok(bus_read(&bus, ~0ULL - 1, 8, &v) && a.reads == 2,
	   "MMIO: an access past 2^64 keeps the bytes below the top");
	bus_destroy(&bus);
	is_int(bus.nr_ranges, 0, "bus_destroy leaves an empty bus");
}

/*
 * 500 ranges claimed in random order, with random gaps, some released
 * again: every address the bus resolves must be the one a plain scan of
 * what was claimed finds.
 */
#define MANY 500

static void test_many_ranges(void)
{
	static uint64_t base[MANY], len[MANY];
	static bool live[MANY];
	static struct fake_dev dev[MANY];
	unsigned int i, j, bad = 0, claimed = 0, order[MANY];
	uint64_t at = 0x10000000;
	struct bus bus;

	srand(7);
	bus_init_mmio(&bus);
	for (i = 0; i < MANY; i++) {
		at += rand() % 3 * 0x1000;	/* a gap, or none */
		base[i] = at;
		len[i] = (rand() % 4 + 1) * 0x800;
		at += len[i];
		order[i] = i;
	}
	for (i = MANY - 1; i > 0; i--) {	/* Fisher-Yates */
		unsigned int k = rand() % (i + 1), t = order[i];

		order[i] = order[k];
		order[k] = t;
	}
	for (i = 0; i < MANY; i++) {
		j = order[i];
		if (bus_register(&bus, base[j], len[j], &fake_ops, &dev[j],
				 NULL))
			bad++;
		live[j] = true;
	}
	is_int(bad, 0, "500 ranges claimed in random order");
	for (i = 0; i < MANY; i += 3) {
		bad += bus_unregister(&bus, base[i]) != 0;
		live[i] = false;
	}
	is_int(bad, 0, "every third released");
	for (i = 0; i < MANY; i++)
		claimed += live[i];
	is_int(bus.nr_ranges, claimed, "the bus holds what is left");

	for (at = 0x10000000 - 0x800; at < base[MANY - 1] + 0x3000;
	     at += 0x400) {
		struct bus_range r;
		void *want = NULL;

		for (j = 0; j < MANY; j++)
			if (live[j] && at >= base[j] && at < base[j] + len[j])
				want = &dev[j];
		if ((bus_find(&bus, at, &r) ? r.opaque : NULL) != want)
			bad++;
	}
	is_int(bad, 0, "every address resolves as a plain scan says");
	bus_destroy(&bus);
}

/* Byte registers: what the device sees of a wider access, in order. */
static struct {
	uint64_t offs[8], vals[8];
	unsigned int sizes[8], n;
	bool locked;
} breg;

static pthread_mutex_t breg_lock = PTHREAD_MUTEX_INITIALIZER;

static void breg_note(uint64_t offset, unsigned int size, uint64_t value)
{
	if (breg.n < 8) {
		breg.offs[breg.n] = offset;
		breg.sizes[breg.n] = size;
		breg.vals[breg.n] = value;
	}
	breg.n++;
	if (pthread_mutex_trylock(&breg_lock) == 0) {
		pthread_mutex_unlock(&breg_lock);
		breg.locked = false;
	}
}

static uint64_t breg_read(void *opaque, uint64_t offset, unsigned int size)
{
	breg_note(offset, size, 0);
	return 0xa0 + offset;
}

static void breg_write(void *opaque, uint64_t offset, unsigned int size,
		       uint64_t value)
{
	breg_note(offset, size, value);
}

static const struct bus_ops breg_ops = {
	.read = breg_read, .write = breg_write, .byte_regs = true,
};

static void test_byte_regs(void)
{
	struct bus bus;
	uint64_t v = 0;

	bus_init_pio(&bus);
	bus_register(&bus, 0x70, 4, &breg_ops, NULL, &breg_lock);
	breg.n = 0;
	breg.locked = true;
	bus_read(&bus, 0x70, 4, &v);
	ok(breg.n == 4 && breg.offs[0] == 0 && breg.offs[3] == 3 &&
	   breg.sizes[0] == 1 && breg.sizes[3] == 1,
	   "byte registers: a dword read is four byte reads, in order");
	is_int(v, 0xa3a2a1a0, "...put together little endian");
	breg.n = 0;
	bus_write(&bus, 0x71, 2, 0xbbcc);
	ok(breg.n == 2 && breg.offs[0] == 1 && breg.vals[0] == 0xcc &&
	   breg.offs[1] == 2 && breg.vals[1] == 0xbb && breg.sizes[1] == 1,
	   "a word write is two byte writes, low byte first");
	ok(breg.locked, "all under the device's lock");
	bus_destroy(&bus);
}

int main(void)
{
	test_register();
	test_dispatch();
	test_straddle();
	test_unclaimed();
	test_null_callbacks();
	test_unregister();
	test_mmio();
	test_many_ranges();
	test_byte_regs();
	return tap_done();
}
