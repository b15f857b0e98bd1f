// SPDX-License-Identifier: GPL-2.0
/*
 * The whole default PC as devices_create() builds it, driven through its
 * buses only: a reset puts every device back to its power-on state; a
 * second UART from a --device spec has its own ports, state and IRQ;
 * destroying the machine releases every port, MMIO range and the PCI bus.
 */
#include <errno.h>
#include <string.h>

#include "devices.h"
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

int main(void)
{
	machine_init(&m, -1);
	test_reset();
	test_second_uart();
	machine_destroy(&m);
	return tap_done();
}
