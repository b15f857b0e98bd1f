// SPDX-License-Identifier: GPL-2.0
/*
 * The whole default PC entered from several threads at once, as vireo-vm
 * enters it: "vCPU" threads reach every device through the buses, send
 * EOIs and move a PCI BAR while the event loop's thread runs the PIT's,
 * RTC's and PM timer's timers and the interrupts they raise.  Built with
 * ThreadSanitizer (tests/unit/build.mk): two threads touching a device's
 * state without its lock, or two locks taken in both orders, is reported
 * and fails the test.  Without the sanitizer the count check below still
 * catches a device entered by two threads at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "devices.h"
#include "evloop.h"
#include "pc_layout.h"
#include "pci/pci.h"
#include "tap.h"

#define WORKERS		4
#define ITERATIONS	20000
#define BAR_A		0xe0000000ULL
#define BAR_B		0xe0100000ULL
#define BAR_MAGIC	0x5eed5eedULL

static struct machine m;
static atomic_ulong msis, bar_hits, ops_done[WORKERS];

static int count_msi(struct machine *mm, uint64_t address, uint32_t data)
{
	atomic_fetch_add(&msis, 1);
	return 1;
}

/* A PCI device of the test's own, with a lock as devices.c gives one. */
static pthread_mutex_t tdev_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long tdev_calls;	/* under tdev_lock, not atomic */

/*
 * Dword reads only: a read that met the BAR only in part, as it moved, is
 * split into bytes (bus.h), which read no BAR_MAGIC.
 */
static uint64_t tdev_read(void *opaque, uint64_t offset, unsigned int size)
{
	tdev_calls += size == 4;
	return BAR_MAGIC;
}

static const struct bus_ops tdev_ops = { .read = tdev_read };

static struct pci_device tdev = {
	.name = "threads-test",
	.vendor_id = 0x1af4, .device_id = 0x10ff,
	.class_code = 0xff0000,
	.slot = PCI_SLOT_ANY,
	.bars = { [0] = { .type = PCI_BAR_MEM32, .size = 4096,
			  .mmio_ops = &tdev_ops } },
	.lock = &tdev_lock,
};

static uint8_t inb(uint16_t port)
{
	return ioport_read(&m.pio, port, 1);
}

static void outb(uint16_t port, uint8_t v)
{
	ioport_write(&m.pio, port, 1, v);
}

static void ioapic_write(unsigned int reg, uint32_t v)
{
	bus_write(&m.mmio, PC_IOAPIC_BASE, 4, reg);
	bus_write(&m.mmio, PC_IOAPIC_BASE + 0x10, 4, v);
}

/* Interrupts flowing: PIT at ~4.7 kHz, RTC at 1 kHz, through both chips. */
static void program(void)
{
	outb(PC_PIC_MASTER, 0x11);		/* ICW1 */
	outb(PC_PIC_MASTER + 1, 0x20);		/* ICW2: vectors 0x20- */
	outb(PC_PIC_MASTER + 1, 0x04);		/* ICW3 */
	outb(PC_PIC_MASTER + 1, 0x01);		/* ICW4 */
	outb(PC_PIC_MASTER + 1, 0x00);		/* OCW1: all unmasked */
	outb(PC_PIT + 3, 0x34);			/* ch0, lo/hi, mode 2 */
	outb(PC_PIT, 0x00);
	outb(PC_PIT, 0x01);			/* divisor 256 */
	outb(PC_RTC, 0x0a);
	outb(PC_RTC + 1, 0x26);			/* 1024 Hz */
	outb(PC_RTC, 0x0b);
	outb(PC_RTC + 1, 0x42);			/* PIE, 24h */
	ioapic_write(0x10 + 2 * 2, 0x30);	/* PIT: pin 2, unmasked */
	ioapic_write(0x10 + 2 * 8, 0x38);	/* RTC: pin 8 */
	ioport_write(&m.pio, PC_ACPI_PM1A_EVT + 2, 2, 0x0001); /* TMR_EN */
}

static void one_op(unsigned int op, unsigned int i)
{
	uint64_t v = 0;

	switch (op) {
	case 0:		/* latch and read PIT channel 0 */
		outb(PC_PIT + 3, 0x00);
		inb(PC_PIT);
		inb(PC_PIT);
		break;
	case 1:		/* RTC seconds, and register C (acknowledges) */
		outb(PC_RTC, i & 1 ? 0x00 : 0x0c);
		inb(PC_RTC + 1);
		break;
	case 2:		/* UART scratch, line status, a byte out */
		outb(PC_COM1 + 7, i);
		inb(PC_COM1 + 7);
		if (inb(PC_COM1 + 5) & 0x20)
			outb(PC_COM1, 'a' + i % 26);
		break;
	case 3:		/* the host bridge's vendor ID */
		ioport_write(&m.pio, PC_PCI_CONFIG, 4, 0x80000000);
		ioport_read(&m.pio, PC_PCI_CONFIG + 4, 2);
		break;
	case 4:		/* the IOAPIC's version */
		bus_write(&m.mmio, PC_IOAPIC_BASE, 4, 1);
		bus_read(&m.mmio, PC_IOAPIC_BASE + 0x10, 4, &v);
		break;
	case 5:		/* the guest ends an interrupt */
		irq_eoi(&m, i & 1 ? 0x30 : 0x38);
		outb(PC_PIC_MASTER, 0x20);	/* non-specific EOI */
		break;
	case 6:		/* PM timer, status */
		ioport_read(&m.pio, PC_ACPI_PM_TMR, 4);
		ioport_read(&m.pio, PC_ACPI_PM1A_EVT, 2);
		break;
	case 7:		/* i8042 status, PIC IRR */
		inb(PC_I8042_CMD);
		outb(PC_PIC_MASTER, 0x0a);
		inb(PC_PIC_MASTER);
		break;
	default:	/* the test device's BAR, wherever it is now */
		if (bus_read(&m.mmio, i & 1 ? BAR_A : BAR_B, 4, &v) &&
		    v == BAR_MAGIC)
			atomic_fetch_add(&bar_hits, 1);
		break;
	}
}

static void *worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	unsigned int seed = id + 1, i;

	for (i = 0; i < ITERATIONS; i++) {
		one_op(rand_r(&seed) % 9, i);
		atomic_fetch_add(&ops_done[id], 1);
	}
	return NULL;
}

/* The guest moving the BAR to and fro, as a vCPU writing config space. */
static void *mover(void *arg)
{
	unsigned int slot = tdev.slot, i;

	for (i = 0; i < ITERATIONS / 4; i++)
		pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_0, 4,
				 i & 1 ? BAR_A : BAR_B);
	return NULL;
}

int main(void)
{
	pthread_t t[WORKERS], mv;
	unsigned long total = 0;
	const char *failed = NULL;
	unsigned int i;
	int null_fd = open("/dev/null", O_WRONLY);

	machine_init(&m, null_fd);
	m.signal_msi = count_msi;
	m.evloop = evloop_create(&m);
	ok(m.evloop != NULL, "an event loop");
	is_int(devices_init(&m, &failed), 0, "the default PC is created");
	if (!m.evloop || failed)
		return tap_done();
	ok(pci_register_device(&m, &tdev) > 0, "a test device on the PCI bus");
	pci_config_write(&m, 0, tdev.slot, 0, PCI_COMMAND, 2,
			 PCI_COMMAND_MEMORY);
	program();
	is_int(evloop_start(m.evloop), 0, "the event loop thread runs");

	for (i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
	pthread_create(&mv, NULL, mover, NULL);
	for (i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	pthread_join(mv, NULL);
	evloop_stop(m.evloop);

	for (i = 0; i < WORKERS; i++)
		total += atomic_load(&ops_done[i]);
	is_int(total, (unsigned long)WORKERS * ITERATIONS,
	       "%u threads made %u accesses each", WORKERS, ITERATIONS);
	ok(atomic_load(&msis) > 0,
	   "timers on the loop's thread raised interrupts meanwhile (%lu)",
	   atomic_load(&msis));
	ok(atomic_load(&bar_hits) > 0 &&
	   tdev_calls == atomic_load(&bar_hits),
	   "each read that reached the moving BAR counted once (%lu of %lu)",
	   tdev_calls,
	   atomic_load(&bar_hits));

	pci_unregister_device(&tdev);
	devices_destroy(&m);
	evloop_destroy(m.evloop);
	machine_destroy(&m);
	close(null_fd);
	return tap_done();
}
