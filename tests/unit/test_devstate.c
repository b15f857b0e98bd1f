// SPDX-License-Identifier: GPL-2.0
/*
 * Saved device state (devstate.h): the blob format and its checks, then a
 * round trip for every device class.  Machine A is driven into the middle
 * of use, each device saved and loaded into a fresh machine B; then the
 * same accesses, at the same (fake) times, must read the same on both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "devstate.h"
#include "fake_platform.h"
#include "irq.h"
#include "pc_layout.h"
#include "tap.h"
#include "util.h"

static void test_format(void)
{
	struct devstate ds, in;
	uint8_t bytes[3] = { 1, 2, 3 }, got[3];
	uint32_t version;
	uint64_t v;
	size_t cut, bad = 0;
	uint8_t *copy;

	devstate_begin(&ds, "thing", 7);
	devstate_put_u64(&ds, "a", 0x1122334455667788ULL);
	devstate_put_bytes(&ds, "b", bytes, sizeof(bytes));
	is_int(devstate_end(&ds), 0, "a blob with two fields");
	is_int(devstate_open(&in, ds.buf, ds.len, "thing", &version), 0,
	       "it opens as its class");
	is_int(version, 7, "...with its version");
	ok(!devstate_get_u64(&in, "a", &v) && v == 0x1122334455667788ULL,
	   "a u64 reads back");
	ok(!devstate_get_bytes(&in, "b", got, 3) && !memcmp(got, bytes, 3),
	   "bytes read back");
	is_int(devstate_get_u64(&in, "c", &v), -ENOENT, "a missing field");
	is_int(devstate_get_u64(&in, "b", &v), -EINVAL, "bytes as a u64");
	is_int(devstate_get_bytes(&in, "b", got, 2), -EINVAL,
	       "bytes of another length");
	is_int(devstate_open(&in, ds.buf, ds.len, "other", &version), -EINVAL,
	       "another class's blob is refused");

	/* Every truncation, and every extension, is refused. */
	for (cut = 0; cut < ds.len; cut++)
		bad += devstate_open(&in, ds.buf, cut, "thing", &version) ==
		       -EINVAL;
	is_int(bad, ds.len, "every truncated blob is refused");
	copy = calloc(1, ds.len + 1);
	memcpy(copy, ds.buf, ds.len);
	is_int(devstate_open(&in, copy, ds.len + 1, "thing", &version),
	       -EINVAL, "a byte past the last field is refused");
	/* A field length that runs past the end. */
	memcpy(copy, ds.buf, ds.len);
	copy[ds.len - 3 - 4] = 0xff;
	is_int(devstate_open(&in, copy, ds.len, "thing", &version), -EINVAL,
	       "a field length past the end is refused");
	free(copy);
	devstate_free(&ds);

	devstate_begin(&ds, "thing", 1);
	devstate_put_u64(&ds, "a", 1);
	devstate_put_u64(&ds, "a", 2);
	devstate_end(&ds);
	is_int(devstate_open(&in, ds.buf, ds.len, "thing", &version), -EINVAL,
	       "a name twice is refused");
	devstate_free(&ds);
	devstate_begin(&ds, "thing", 1);
	devstate_put_u64(&ds, "bad name", 1);
	is_int(devstate_end(&ds), -EINVAL, "a name with a blank cannot be saved");
	devstate_free(&ds);
}

/* Two machines on the one fake platform. */
static struct machine a, b;

static uint8_t inb(struct machine *m, uint16_t port)
{
	return ioport_read(&m->pio, port, 1);
}

static void outb(struct machine *m, uint16_t port, uint8_t v)
{
	ioport_write(&m->pio, port, 1, v);
}

static uint32_t inl(struct machine *m, uint16_t port)
{
	return ioport_read(&m->pio, port, 4);
}

static void outl(struct machine *m, uint16_t port, uint32_t v)
{
	ioport_write(&m->pio, port, 4, v);
}

static uint32_t mmio32(struct machine *m, uint64_t addr)
{
	uint64_t v = 0;

	bus_read(&m->mmio, addr, 4, &v);
	return v;
}

static void mmio_w32(struct machine *m, uint64_t addr, uint32_t v)
{
	bus_write(&m->mmio, addr, 4, v);
}

/* Mid-use state in every device of m (ports and MMIO only). */
static void drive(struct machine *m)
{
	unsigned int i;

	/* PICs: initialised, some masked, IR3 and IR10 requested. */
	outb(m, 0x20, 0x11);
	outb(m, 0x21, 0x20);
	outb(m, 0x21, 0x04);
	outb(m, 0x21, 0x01);
	outb(m, 0xa0, 0x11);
	outb(m, 0xa1, 0x28);
	outb(m, 0xa1, 0x02);
	outb(m, 0xa1, 0x01);
	outb(m, 0x21, 0xe0);
	outb(m, 0x4d1, 0x04);			/* ELCR: IRQ 10 level */
	m->isa_chip->set_pin(m->isa_chip->opaque, 3, true);
	m->isa_chip->set_pin(m->isa_chip->opaque, 10, true);
	/* IOAPIC: ID 5, pin 4 unmasked on vector 0x31, pin 9 level. */
	mmio_w32(m, PC_IOAPIC_BASE, 0);
	mmio_w32(m, PC_IOAPIC_BASE + 0x10, 5u << 24);
	mmio_w32(m, PC_IOAPIC_BASE, 0x18);
	mmio_w32(m, PC_IOAPIC_BASE + 0x10, 0x31);
	mmio_w32(m, PC_IOAPIC_BASE, 0x22);
	mmio_w32(m, PC_IOAPIC_BASE + 0x10, 0x18041);
	mmio_w32(m, PC_IOAPIC_BASE, 0x23);
	/* UART: 115200 8N1, FIFO on, THRE interrupt pending. */
	outb(m, PC_COM1 + 3, 0x80);
	outb(m, PC_COM1 + 0, 0x01);
	outb(m, PC_COM1 + 3, 0x03);
	outb(m, PC_COM1 + 2, 0xc7);
	outb(m, PC_COM1 + 4, 0x0b);
	outb(m, PC_COM1 + 1, 0x03);
	outb(m, PC_COM1 + 7, 0x42);
	/* i8042: keyboard identify, two of its three reply bytes unread. */
	outb(m, PC_I8042_DATA, 0xf2);
	inb(m, PC_I8042_DATA);
	outb(m, PC_I8042_CMD, 0x60);
	outb(m, PC_I8042_DATA, 0x47);
	/* PIT: channel 0 rate generator 1193, channel 2 one-shot, gated. */
	outb(m, 0x43, 0x34);
	outb(m, 0x40, 0xa9);
	outb(m, 0x40, 0x04);
	outb(m, 0x61, 0x01);
	outb(m, 0x43, 0xb0);
	outb(m, 0x42, 0x00);
	outb(m, 0x42, 0x80);
	outb(m, 0x43, 0x80);			/* latch channel 2 */
	inb(m, 0x42);				/* half of the latch read */
	/* RTC: periodic interrupt at 1024 Hz, binary, index 0x0c. */
	outb(m, PC_RTC, 0x0a);
	outb(m, PC_RTC + 1, 0x26);
	outb(m, PC_RTC, 0x0b);
	outb(m, PC_RTC + 1, 0x46);
	outb(m, PC_RTC, 0x0c);
	/* ACPI PM: timer and power button enabled, SCI_EN. */
	ioport_write(&m->pio, PC_ACPI_PM1A_EVT + 2, 2, 0x0101);
	ioport_write(&m->pio, PC_ACPI_PM1A_CNT, 2, 0x0001);
	ioport_write(&m->pio, PC_ACPI_GPE0 + 2, 2, 0x0003);
	/* PCI: the bridge's latency timer, a config address latched. */
	outl(m, PC_PCI_CONFIG, 0x8000000c);
	outb(m, PC_PCI_CONFIG + 5, 0x40);
	outl(m, PC_PCI_CONFIG, 0x80000000);
	for (i = 0; i < 3; i++)
		inb(m, PC_COM1 + 2);		/* IIR reads */
}

/*
 * One step of probing: reads (and the writes that make them mean
 * something) across every device, appended to out.
 */
static size_t probe(struct machine *m, uint32_t *out)
{
	size_t n = 0;
	unsigned int i;

	outb(m, 0x20, 0x0a);
	out[n++] = inb(m, 0x20);		/* IRR */
	outb(m, 0x20, 0x0b);
	out[n++] = inb(m, 0x20);		/* ISR */
	out[n++] = inb(m, 0x21) | inb(m, 0xa1) << 8 | inb(m, 0x4d1) << 16;
	mmio_w32(m, PC_IOAPIC_BASE, 0);
	out[n++] = mmio32(m, PC_IOAPIC_BASE + 0x10);
	for (i = 0x10; i < 0x40; i++) {
		mmio_w32(m, PC_IOAPIC_BASE, i);
		out[n++] = mmio32(m, PC_IOAPIC_BASE + 0x10);
	}
	for (i = 0; i < 8; i++)
		out[n++] = inb(m, PC_COM1 + i);
	out[n++] = inb(m, PC_I8042_CMD);
	out[n++] = inb(m, PC_I8042_DATA);
	out[n++] = inb(m, PC_I8042_CMD);
	out[n++] = inb(m, 0x42);		/* the latch's other half */
	outb(m, 0x43, 0xe3);			/* read back 0 and 1 */
	out[n++] = inb(m, 0x40) | inb(m, 0x40) << 8 | inb(m, 0x40) << 16;
	out[n++] = inb(m, 0x41) | inb(m, 0x41) << 8 | inb(m, 0x41) << 16;
	outb(m, 0x43, 0x80);
	out[n++] = inb(m, 0x42) | inb(m, 0x42) << 8;
	out[n++] = inb(m, 0x61);
	for (i = 0; i < 14; i++) {
		outb(m, PC_RTC, i);
		out[n++] = inb(m, PC_RTC + 1);
	}
	outb(m, PC_RTC, 0x0c);
	out[n++] = ioport_read(&m->pio, PC_ACPI_PM1A_EVT, 4);
	out[n++] = ioport_read(&m->pio, PC_ACPI_PM1A_CNT, 2);
	out[n++] = ioport_read(&m->pio, PC_ACPI_PM_TMR, 4);
	out[n++] = ioport_read(&m->pio, PC_ACPI_GPE0, 4);
	out[n++] = inl(m, PC_PCI_CONFIG);
	for (i = 0; i < 0x40; i += 4) {
		outl(m, PC_PCI_CONFIG, 0x80000000 | i);
		out[n++] = inl(m, PC_PCI_CONFIG + 4);
	}
	return n;
}

static struct devstate saved[32];

/* Save every device of a. */
static int save_all(char *why, size_t why_len)
{
	unsigned int i;
	int err;

	for (i = 0; i < a.nr_devices && i < ARRAY_SIZE(saved); i++) {
		err = device_save(a.devices[i], &saved[i]);
		if (err) {
			snprintf(why, why_len, "%s: %s", a.devices[i]->name,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Load each into b's instance of the same class. */
static int load_all(char *why, size_t why_len)
{
	unsigned int i;
	int err;

	for (i = 0; i < a.nr_devices && i < ARRAY_SIZE(saved); i++) {
		err = device_load(b.devices[i], saved[i].buf, saved[i].len);
		devstate_free(&saved[i]);
		if (err) {
			snprintf(why, why_len, "%s: %s", b.devices[i]->name,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

#define PROBE_MAX	256
#define ARRAY_SIZE_STEPS	8

/*
 * A is probed right after its save, B (a fresh machine) loaded later, or
 * on a host whose clock reads less than the time A's timers had run, and
 * probed as far after its load: saved time is relative, so the two must
 * read the same at every step.
 */
static void round_trip(uint64_t load_at, const char *when)
{
	static uint32_t pa[ARRAY_SIZE_STEPS][PROBE_MAX], pb[PROBE_MAX];
	static const uint64_t steps[ARRAY_SIZE_STEPS] = {
		0, 1, 999, 400000, 1000000, 7000000, 500000000, 1200000000,
	};
	char why[200] = "";
	unsigned int i, same = 0;
	size_t na[ARRAY_SIZE_STEPS], nb, k;

	fake_clock_set(1000000000);
	machine_init(&a, -1);
	machine_init(&b, -1);
	a.evloop = b.evloop = fake_evloop();
	a.ram_size = b.ram_size = 256 << 20;
	is_int(devices_init(&a, NULL), 0, "machine A");
	drive(&a);
	fake_clock_advance(1234567);
	is_int(save_all(why, sizeof(why)), 0, "every device of A saved%s%s",
	       why[0] ? ": " : "", why);
	for (i = 0; i < ARRAY_SIZE_STEPS; i++) {
		fake_clock_advance(steps[i]);
		na[i] = probe(&a, pa[i]);
	}
	fake_clock_set(load_at);
	is_int(devices_init(&b, NULL), 0, "machine B, fresh, %s", when);
	is_int(a.nr_devices, b.nr_devices, "the same devices");
	is_int(load_all(why, sizeof(why)), 0, "A's state loaded into B%s%s",
	       why[0] ? ": " : "", why);
	for (i = 0; i < ARRAY_SIZE_STEPS; i++) {
		fake_clock_advance(steps[i]);
		nb = probe(&b, pb);
		if (na[i] == nb && !memcmp(pa[i], pb, nb * sizeof(pb[0]))) {
			same++;
			continue;
		}
		for (k = 0; k < nb && k < na[i]; k++)
			if (pa[i][k] != pb[k])
				diag("step %u, read %zu: A 0x%x, B 0x%x", i, k,
				     pa[i][k], pb[k]);
	}
	is_int(same, ARRAY_SIZE_STEPS,
	       "B reads as A did, step after step over 1.7 s (%s)", when);
	devices_destroy(&a);
	devices_destroy(&b);
}

static void test_round_trip(void)
{
	round_trip(10000000000ULL, "7 s later");
	/* The host's clock is behind the saved one (it rebooted since). */
	round_trip(1000, "on a host up for 1 us");
}

/* A device refuses a blob it cannot take, and keeps its state. */
static void test_refused(void)
{
	const struct dev_class *uart = dev_class_find("uart16550");
	struct device *d;
	struct devstate ds;
	uint8_t lcr;
	size_t i;

	machine_init(&a, -1);
	a.evloop = fake_evloop();
	devices_init(&a, NULL);
	d = device_find(&a, uart, 0);
	outb(&a, PC_COM1 + 3, 0x1b);
	is_int(device_save(d, &ds), 0, "the UART saved");
	/* rx_count is saved as a u64: make it 17 (more than the FIFO). */
	for (i = 0; i + 8 < ds.len; i++)
		if (!memcmp(ds.buf + i, "rx_count", 8)) {
			ds.buf[i + 8 + 1 + 4] = 17;
			break;
		}
	outb(&a, PC_COM1 + 3, 0x03);
	is_int(device_load(d, ds.buf, ds.len), -EINVAL,
	       "a blob with 17 bytes in a 16-byte FIFO is refused");
	lcr = inb(&a, PC_COM1 + 3);
	is_int(lcr, 0x03, "...and the UART is as it was");
	is_int(device_load(device_find(&a, dev_class_find("rtc"), 0), ds.buf,
			   ds.len), -EINVAL,
	       "a UART's blob is refused by the RTC");
	devstate_free(&ds);
	devices_destroy(&a);
}

int main(void)
{
	test_format();
	test_round_trip();
	test_refused();
	return tap_done();
}
