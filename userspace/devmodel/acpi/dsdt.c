// SPDX-License-Identifier: GPL-2.0
/*
 * The DSDT: ACPI 6.4 5.2.11.1, its AML written with aml.c.  In ASL terms:
 *
 *   Name (_S5, Package (4) { S5_TYP, S5_TYP, 0, 0 })
 *   Scope (\_SB) {
 *     Device (C000) { Name (_HID, "ACPI0007") Name (_UID, 0) }  (per vCPU)
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A03"))  _UID, _BBN, _SEG: 0
 *       Name (_CRS, ...)  bus 0-255, I/O around 0xCF8-0xCFF, the 32-bit
 *                         MMIO hole below the IOAPIC
 *       Name (_PRT, ...)  32 slots x INTA-INTD -> GSI 16-23
 *       Device (COM1), Device (RTC), Device (KBD)
 *     }
 *   }
 *
 * Everything is static data: no methods, no operation regions, so there
 * is nothing for the guest's interpreter to run but name look-ups.
 */
#include <errno.h>
#include <stdio.h>

#include "../pc_layout.h"
#include "util.h"
#include "acpi_tables.h"
#include "aml.h"

/* Revision 2 and up: AML integers are 64 bits (ACPI 6.4 5.2.11.1). */
#define DSDT_REVISION		2

#define PCI_NR_SLOTS		32
#define PCI_NR_PINS		4	/* INTA# - INTD# */
#define PRT_GSI_BASE		16
#define PRT_NR_GSIS		8
#define PCI_CONFIG_LEN		8	/* 0xCF8-0xCFF */

static_assert(PRT_GSI_BASE + PRT_NR_GSIS <= PC_IOAPIC_PINS,
	      "the _PRT routes to IOAPIC pins that exist");

/* Processor UID of the MADT (madt.c) = _UID here (ACPI 6.4 8.4). */
static void dsdt_cpus(struct aml *a, unsigned int nr_cpus)
{
	char name[16];	/* "C" and 3 hex digits: up to 4096 CPUs */
	unsigned int i;
	size_t dev;

	for (i = 0; i < nr_cpus; i++) {
		snprintf(name, sizeof(name), "C%03X", i);
		dev = aml_device_open(a, name);
		aml_name(a, "_HID");
		aml_string(a, "ACPI0007");
		aml_name(a, "_UID");
		aml_integer(a, i);
		aml_close(a, dev);
	}
}

/*
 * What the host bridge decodes for its bus (ACPI 6.4 6.4.3.5): all bus
 * numbers, every I/O port but its own config ports (which it consumes),
 * and the MMIO hole from PC_PCI_HOLE up to the IOAPIC; the IOAPIC, HPET
 * slot, LAPIC and BIOS ROM above 0xFEC00000 are not PCI space.
 */
static void dsdt_pci_crs(struct aml *a)
{
	size_t res;

	aml_name(a, "_CRS");
	res = aml_res_open(a);
	aml_res_bus_window(a, 0x00, 0xff);
	aml_res_io(a, PC_PCI_CONFIG, PC_PCI_CONFIG, 1, PCI_CONFIG_LEN);
	aml_res_io_window(a, 0x0000, PC_PCI_CONFIG - 1);
	aml_res_io_window(a, PC_PCI_CONFIG + PCI_CONFIG_LEN, 0xffff);
	aml_res_mem32_window(a, PC_PCI_HOLE, PC_IOAPIC_BASE - 1);
	aml_res_close(a, res);
}

/*
 * ACPI 6.4 6.2.13: entries { Address, Pin, Source, Source Index }, with
 * Address 0xSSSSFFFF (slot SSSS, any function) and Source 0, which makes
 * Source Index a GSI: level-triggered, active low, shareable.  The
 * usual swizzle spreads INTA# of consecutive slots over the 8 pins.
 */
static void dsdt_pci_prt(struct aml *a)
{
	unsigned int slot, pin;
	size_t prt, entry;

	aml_name(a, "_PRT");
	prt = aml_package_open(a, PCI_NR_SLOTS * PCI_NR_PINS);
	for (slot = 0; slot < PCI_NR_SLOTS; slot++) {
		for (pin = 0; pin < PCI_NR_PINS; pin++) {
			entry = aml_package_open(a, 4);
			aml_integer(a, (uint32_t)slot << 16 | 0xffff);
			aml_integer(a, pin);
			aml_integer(a, 0);
			aml_integer(a, PRT_GSI_BASE +
				       (slot + pin) % PRT_NR_GSIS);
			aml_close(a, entry);
		}
	}
	aml_close(a, prt);
}

/* ISA devices behind the host bridge, as an LPC bridge would show them. */
struct dsdt_isa_dev {
	const char *name;
	const char *hid;
	uint16_t port[2];	/* port[1] == 0: one range */
	uint8_t len[2];
	unsigned int irq;
};

static const struct dsdt_isa_dev dsdt_isa_devs[] = {
	{ "COM1", "PNP0501", { PC_COM1 }, { 8 }, PC_IRQ_COM1 },
	{ "RTC", "PNP0B00", { PC_RTC }, { 2 }, PC_IRQ_RTC },
	{ "KBD", "PNP0303", { PC_I8042_DATA, PC_I8042_CMD }, { 1, 1 },
	  PC_IRQ_KBD },
};

static void dsdt_isa_dev(struct aml *a, const struct dsdt_isa_dev *d)
{
	size_t dev, res;
	unsigned int i;

	dev = aml_device_open(a, d->name);
	aml_name(a, "_HID");
	aml_eisaid(a, d->hid);
	aml_name(a, "_CRS");
	res = aml_res_open(a);
	for (i = 0; i < ARRAY_SIZE(d->port) && d->port[i]; i++)
		aml_res_io(a, d->port[i], d->port[i], 1, d->len[i]);
	aml_res_irq(a, d->irq);
	aml_res_close(a, res);
	aml_close(a, dev);
}

/*
 * A PCI root bridge: PNP0A03 with _BBN and _SEG (ACPI 6.4 6.5.5, 6.5.6).
 * Not PNP0A08: there is no PCIe and no MCFG.  No _ADR either: a device
 * carries _HID or _ADR, not both (ACPI 6.4 6.1).
 */
static void dsdt_pci0(struct aml *a)
{
	unsigned int i;
	size_t dev;

	dev = aml_device_open(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A03");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_BBN");
	aml_integer(a, 0);
	aml_name(a, "_SEG");
	aml_integer(a, 0);
	dsdt_pci_crs(a);
	dsdt_pci_prt(a);
	for (i = 0; i < ARRAY_SIZE(dsdt_isa_devs); i++)
		dsdt_isa_dev(a, &dsdt_isa_devs[i]);
	aml_close(a, dev);
}

/*
 * ACPI 6.4 7.4, "\_Sx (System States)": SLP_TYPa, SLP_TYPb, two
 * reserved.  Only S5 is offered: the PM device knows no other sleep type.
 */
static void dsdt_s5(struct aml *a)
{
	size_t pkg;

	aml_name(a, "_S5");
	pkg = aml_package_open(a, 4);
	aml_integer(a, PC_ACPI_S5_TYP);
	aml_integer(a, PC_ACPI_S5_TYP);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_close(a, pkg);
}

static void dsdt_body(struct aml *a, const struct acpi_config *cfg)
{
	size_t sb;

	dsdt_s5(a);
	/* At the root "_SB" is \_SB, and ASL compilers drop the "\". */
	sb = aml_scope_open(a, "_SB");
	dsdt_cpus(a, cfg->nr_cpus);
	dsdt_pci0(a);
	aml_close(a, sb);
}

int acpi_build_dsdt(struct acpi_builder *b, const struct acpi_config *cfg,
		    uint64_t *gpa)
{
	struct acpi_table_header *h;
	uint64_t room;
	struct aml a;

	h = acpi_peek(b, 16, &room);
	if (room < sizeof(*h))
		return -ENOSPC;
	aml_init(&a, (uint8_t *)(h + 1), room - sizeof(*h));
	dsdt_body(&a, cfg);
	if (a.err)
		return a.err;
	h = acpi_alloc(b, sizeof(*h) + a.len, 16, gpa);
	acpi_header_init(h, "DSDT", sizeof(*h) + a.len, DSDT_REVISION);
	acpi_header_checksum(h);
	return 0;
}
