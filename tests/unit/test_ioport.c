// SPDX-License-Identifier: GPL-2.0
/* The port-I/O bus: registration, dispatch by offset, unclaimed ports. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ioport.h"
#include "tap.h"

/* A fake device that records its last access and reads back a pattern. */
struct fake_dev {
	unsigned int reads, writes;
	uint16_t offset;
	unsigned int size;
	uint32_t value;
};

static uint32_t fake_read(void *opaque, uint16_t offset, unsigned int size)
{
	struct fake_dev *d = opaque;

	d->reads++;
	d->offset = offset;
	d->size = size;
	return 0xa0b0c0d0 | offset;	/* the bus must mask to size */
}

static void fake_write(void *opaque, uint16_t offset, unsigned int size,
		       uint32_t value)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->offset = offset;
	d->size = size;
	d->value = value;
}

static const struct ioport_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

static void test_register(void)
{
	struct fake_dev a = { 0 }, b = { 0 };
	struct io_bus bus;

	ioport_bus_init(&bus);
	is_int(ioport_register(&bus, 0x100, 8, &fake_ops, &a), 0,
	       "register [0x100, 0x108)");
	is_int(ioport_register(&bus, 0x100, 8, &fake_ops, &b), -EBUSY,
	       "same range again is rejected");
	is_int(ioport_register(&bus, 0x0fc, 8, &fake_ops, &b), -EBUSY,
	       "range overlapping the start is rejected");
	is_int(ioport_register(&bus, 0x107, 1, &fake_ops, &b), -EBUSY,
	       "range overlapping the last port is rejected");
	is_int(ioport_register(&bus, 0x0f0, 0x20, &fake_ops, &b), -EBUSY,
	       "range covering a claimed one is rejected");
	is_int(ioport_register(&bus, 0x108, 8, &fake_ops, &b), 0,
	       "adjacent range above is accepted");
	is_int(ioport_register(&bus, 0x0f8, 8, &fake_ops, &b), 0,
	       "adjacent range below is accepted");
	is_int(ioport_register(&bus, 0x200, 0, &fake_ops, &b), -EINVAL,
	       "empty range is rejected");
	is_int(ioport_register(&bus, 0xfffc, 8, &fake_ops, &b), -EINVAL,
	       "range past port 0xFFFF is rejected");
	is_int(ioport_register(&bus, 0xfff8, 8, &fake_ops, &b), 0,
	       "range ending at port 0xFFFF is accepted");
	is_int(bus.nr_ranges, 4, "four ranges claimed");
}

static void test_dispatch(void)
{
	struct fake_dev a = { 0 }, b = { 0 };
	struct io_bus bus;
	uint32_t v;

	ioport_bus_init(&bus);
	ioport_register(&bus, 0x3f8, 8, &fake_ops, &a);
	ioport_register(&bus, 0x400, 8, &fake_ops, &b);

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
	struct io_bus bus;
	uint32_t v;

	ioport_bus_init(&bus);
	ioport_register(&bus, 0x3f8, 8, &fake_ops, &a);

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
	struct io_bus bus;

	ioport_bus_init(&bus);
	ioport_register(&bus, 0x60, 1, &fake_ops, &a);
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
	static const struct ioport_ops wo_ops = { .write = fake_write };
	struct fake_dev a = { 0 };
	struct io_bus bus;

	ioport_bus_init(&bus);
	ioport_register(&bus, 0x70, 2, &wo_ops, &a);
	is_int(ioport_read(&bus, 0x70, 1), 0xff,
	       "write-only device reads as all ones");
	ioport_write(&bus, 0x71, 1, 0x5a);
	ok(a.writes == 1 && a.offset == 1, "write-only device takes writes");
}

static void test_unregister(void)
{
	struct fake_dev a = { 0 }, b = { 0 };
	struct io_bus bus;

	ioport_bus_init(&bus);
	ioport_register(&bus, 0x100, 8, &fake_ops, &a);
	ioport_register(&bus, 0x200, 8, &fake_ops, &b);
	is_int(ioport_unregister(&bus, 0x104), -ENOENT,
	       "unregister needs the base, not a port inside the range");
	is_int(ioport_unregister(&bus, 0x100), 0, "unregister [0x100, 0x108)");
	is_int(bus.nr_ranges, 1, "one range left");
	is_int(ioport_read(&bus, 0x100, 1), 0xff,
	       "a released range reads as unclaimed");
	ioport_write(&bus, 0x100, 1, 0x12);
	ok(a.reads == 0 && a.writes == 0, "...and its device sees nothing");
	is_int(ioport_read(&bus, 0x201, 1), 0xd1,
	       "the other range still dispatches");
	is_int(ioport_unregister(&bus, 0x100), -ENOENT,
	       "a second unregister fails");
	is_int(ioport_register(&bus, 0x0fc, 8, &fake_ops, &b), 0,
	       "the freed ports can be claimed again");
}

int main(void)
{
	test_register();
	test_dispatch();
	test_straddle();
	test_unclaimed();
	test_null_callbacks();
	test_unregister();
	return tap_done();
}
