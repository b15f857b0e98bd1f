// SPDX-License-Identifier: GPL-2.0
/*
 * The whole default PC as devices_create() builds it, driven through its
 * buses only: a reset puts every device back to its power-on state; a
 * second UART from a --device spec has its own ports, state and IRQ;
 * destroying the machine releases every port, MMIO range and the PCI bus;
 * a pause stops every clock and interrupt until the resume.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "devices.h"
#include "devstate.h"
#include "evloop.h"
#include "pause.h"
#include "pc_layout.h"
#include "tap.h"

static struct machine m;

static uint8_t inb(uint16_t port)
{
	return ioport_read(&m.pio, port, 1);
}

static void outb(uint16_t port, uint8_t v)
{
	ioport_write(&m.pio, port, 1, v);
}

static uint32_t ioapic_rte_lo(unsigned int pin)
{
	uint64_t v = 0;

	bus_write(&m.mmio, PC_IOAPIC_BASE, 4, 0x10 + 2 * pin);
	bus_read(&m.mmio, PC_IOAPIC_BASE + 0x10, 4, &v);
	return v;
}

static uint8_t rtc_reg(uint8_t idx)
{
	outb(PC_RTC, idx);
	return inb(PC_RTC + 1);
}

static uint8_t i8042_ctr(void)
{
	outb(PC_I8042_CMD, 0x20);	/* read the command byte */
	return inb(PC_I8042_DATA);
}

static uint16_t bridge_command(void)
{
	ioport_write(&m.pio, PC_PCI_CONFIG, 4, 0x80000004);
	return ioport_read(&m.pio, PC_PCI_CONFIG + 4, 2);
}

/* State unlike the power-on one, in every device. */
static void scribble(void)
{
	outb(PC_PIC_MASTER + 1, 0x00);		/* OCW1: unmask all */
	outb(PC_COM1 + 3, 0x03);		/* LCR: 8N1 */
	outb(PC_COM1 + 7, 0x5a);		/* SCR */
	outb(PC_I8042_CMD, 0x60);		/* write the command byte */
	outb(PC_I8042_DATA, 0x00);
	outb(PC_RTC, 0x0b);
	outb(PC_RTC + 1, 0x42);			/* reg B: PIE, 24h */
	bus_write(&m.mmio, PC_IOAPIC_BASE, 4, 0x10 + 2 * 4);
	bus_write(&m.mmio, PC_IOAPIC_BASE + 0x10, 4, 0x30);	/* unmasked */
	ioport_write(&m.pio, PC_ACPI_PM1A_EVT + 2, 2, 0x0100);	/* PWRBTN_EN */
	ioport_write(&m.pio, PC_PCI_CONFIG, 4, 0x80000004);
	ioport_write(&m.pio, PC_PCI_CONFIG + 4, 2, 0);		/* command */
}

static void test_reset(void)
{
	is_int(devices_init(&m, NULL), 0, "the default PC is created");
	is_int(m.nr_devices, 9, "nine devices");
	scribble();
	ok(inb(PC_PIC_MASTER + 1) == 0 && inb(PC_COM1 + 7) == 0x5a &&
	   i8042_ctr() == 0 && rtc_reg(0x0b) == 0x42 &&
	   ioapic_rte_lo(4) == 0x30 &&
	   ioport_read(&m.pio, PC_ACPI_PM1A_EVT + 2, 2) == 0x0100 &&
	   bridge_command() == 0, "every device took the guest's writes");

	devices_reset(&m);
	is_int(inb(PC_PIC_MASTER + 1), 0xff, "reset: PIC IMR all masked");
	is_int(inb(PC_COM1 + 3), 0, "reset: UART LCR 0");
	is_int(inb(PC_COM1 + 7), 0, "reset: UART SCR 0");
	is_int(inb(PC_COM1 + 5), 0x60, "reset: UART LSR THRE|TEMT");
	is_int(i8042_ctr(), 0x65, "reset: i8042 command byte as at power-on");
	is_int(rtc_reg(0x0b), 0x02, "reset: RTC PIE cleared, 24h kept");
	is_int(ioapic_rte_lo(4), 0x10000, "reset: IOAPIC pin masked");
	is_int(ioport_read(&m.pio, PC_ACPI_PM1A_EVT + 2, 2), 0,
	       "reset: PM1_EN 0");
	is_int(bridge_command(), 0x0006,
	       "reset: host bridge memory and bus-master enabled");
	devices_destroy(&m);
	is_int(m.pio.nr_ranges + m.mmio.nr_ranges, 0,
	       "destroy releases every port and MMIO range");
	ok(!m.pci && !m.isa_chip && !m.gsi_chip,
	   "...the PCI bus and both interrupt controllers");
}

static void test_second_uart(void)
{
	static const char *const specs[] = { "uart16550,port=0x2f8" };
	static const char *const clash[] = { "uart16550,irq=5" };
	static const char *const same_irq[] = { "uart16550,port=0x3e8" };
	static const char *const cascade[] = { "uart16550,port=0x2e8,irq=2" };
	char why[200] = "";

	is_int(devices_create(&m, specs, 1, why, sizeof(why)), 0,
	       "COM2 from --device uart16550,port=0x2f8 (IRQ 3 by default)");
	ok(device_find(&m, dev_class_find("uart16550"), 1) != NULL,
	   "two UART instances");
	outb(0x2ff, 0x77);
	outb(PC_COM1 + 7, 0x11);
	ok(inb(0x2ff) == 0x77 && inb(PC_COM1 + 7) == 0x11,
	   "each UART has its own registers");
	outb(0x20, 0x11);			/* ICW1: edge, cascade, ICW4 */
	outb(0x21, 0x08);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0x21, 0x00);			/* OCW1: all unmasked */
	outb(0x2f8 + 4, 0x08);			/* MCR: OUT2 */
	outb(0x2f8 + 1, 0x02);			/* IER: THRE */
	outb(0x20, 0x0a);			/* OCW3: read IRR */
	is_int(inb(0x20) & 0x18, 0x08, "COM2's interrupt is IRQ 3, not 4");
	devices_destroy(&m);

	is_int(devices_create(&m, clash, 1, why, sizeof(why)), -EBUSY,
	       "a second UART on COM1's ports is refused");
	is_str(why, "uart16550.1: ports 0x3f8-0x3ff are another device's",
	       "...naming the instance and the ports");
	is_int(m.nr_devices + m.pio.nr_ranges + m.mmio.nr_ranges, 0,
	       "...and the machine is left empty");
	is_int(devices_create(&m, same_irq, 1, why, sizeof(why)), -EBUSY,
	       "COM3 on COM1's IRQ 4 is refused: ISA lines are not shared");
	is_str(why, "uart16550.1: irq=4 is uart16550's (give irq=N)",
	       "...naming the device that has it");
	is_int(devices_create(&m, cascade, 1, why, sizeof(why)), -EINVAL,
	       "IRQ 2, the cascade, is refused");
}

#define MS	1000000ULL

static atomic_uint msis;

static int count_msi(struct machine *mm, uint64_t address, uint32_t data)
{
	atomic_fetch_add(&msis, 1);
	return 1;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * MS };

	nanosleep(&ts, NULL);
}

/* A field of a device's saved state, or ~0 if it cannot be had. */
static uint64_t saved_field(const char *cls, const char *field)
{
	struct device *dev = device_find(&m, dev_class_find(cls), 0);
	struct devstate out, in;
	uint64_t v = ~0ULL;
	uint32_t version;

	if (!dev || device_save(dev, &out))
		return v;
	if (devstate_open(&in, out.buf, out.len, cls, &version) ||
	    devstate_get_u64(&in, field, &v))
		v = ~0ULL;
	devstate_free(&out);
	return v;
}

static uint32_t pm_tmr(void)
{
	return ioport_read(&m.pio, PC_ACPI_PM_TMR, 4) & 0xffffff;
}

/*
 * The PIT interrupting at 1 kHz through the IOAPIC, the PM timer and the
 * RTC counting: over a 400 ms pause no interrupt comes and no clock moves
 * more than the few ms the test itself takes around it.
 */
static void test_pause(void)
{
	uint64_t pit0, rtc0, pit1, rtc1;
	uint32_t tmr0, tmr1;
	unsigned int before, during;

	m.evloop = evloop_create(&m);
	m.signal_msi = count_msi;
	is_int(devices_init(&m, NULL), 0, "a PC with an event loop");
	outb(PC_PIT + 3, 0x34);			/* ch0 mode 2 */
	outb(PC_PIT, 1193 & 0xff);
	outb(PC_PIT, 1193 >> 8);		/* 1 kHz */
	bus_write(&m.mmio, PC_IOAPIC_BASE, 4, 0x10 + 2 * 2);
	bus_write(&m.mmio, PC_IOAPIC_BASE + 0x10, 4, 0x30);	/* pin 2 */
	is_int(evloop_start(m.evloop), 0, "the loop runs");
	sleep_ms(50);
	ok(atomic_load(&msis) > 0, "the PIT interrupts (%u)",
	   atomic_load(&msis));

	pit0 = saved_field("i8254", "ch0.started_ns_ago");
	rtc0 = saved_field("rtc", "guest_ns");
	tmr0 = pm_tmr();
	is_int(machine_pause(&m), 0, "pause");
	is_int(machine_pause(&m), -EALREADY, "pausing twice: -EALREADY");
	before = atomic_load(&msis);
	sleep_ms(400);
	during = atomic_load(&msis) - before;
	is_int(machine_resume(&m), 0, "resume");
	pit1 = saved_field("i8254", "ch0.started_ns_ago");
	rtc1 = saved_field("rtc", "guest_ns");
	tmr1 = pm_tmr();
	is_int(during, 0, "no interrupt while paused");
	ok(pit1 - pit0 < 150 * MS,
	   "the PIT's clock stood still (%llu ms on, over a 400 ms pause)",
	   (unsigned long long)((pit1 - pit0) / MS));
	ok(rtc1 - rtc0 < 150 * MS,
	   "so did the RTC's (%llu ms on)",
	   (unsigned long long)((rtc1 - rtc0) / MS));
	ok(((tmr1 - tmr0) & 0xffffff) < PC_ACPI_PM_TMR_HZ * 150 / 1000,
	   "and the PM timer (%u ticks on)", (tmr1 - tmr0) & 0xffffff);
	is_int(machine_resume(&m), -EALREADY, "resuming twice: -EALREADY");
	before = atomic_load(&msis);
	sleep_ms(50);
	ok(atomic_load(&msis) > before, "the PIT interrupts again");

	/* Saved, then reset while paused: as of the pause's start. */
	machine_pause(&m);
	pit0 = saved_field("i8254", "ch0.started_ns_ago");
	sleep_ms(100);
	pit1 = saved_field("i8254", "ch0.started_ns_ago");
	ok(pit0 == pit1, "state saved while paused does not age (%llu ns)",
	   (unsigned long long)(pit1 - pit0));
	devices_reset(&m);
	sleep_ms(100);
	machine_resume(&m);
	sleep_ms(20);
	tmr0 = pm_tmr();
	sleep_ms(5);
	tmr1 = pm_tmr();
	ok(tmr1 > tmr0 && tmr1 < PC_ACPI_PM_TMR_HZ / 10,
	   "a PM timer reset while paused counts from 0 at the resume (%u)",
	   tmr1);

	evloop_stop(m.evloop);
	devices_destroy(&m);
	evloop_destroy(m.evloop);
	m.evloop = NULL;
}

int main(void)
{
	machine_init(&m, -1);
	test_reset();
	test_second_uart();
	test_pause();
	machine_destroy(&m);
	return tap_done();
}
