// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAPIC at PC_IOAPIC_BASE: 24 pins, GSI n on pin n, which turns line
 * changes into interrupt messages for the local APICs (VIREO_SIGNAL_MSI).
 *
 * Registers: Intel 82093AA IOAPIC datasheet, 3.0 "Register Description":
 * IOREGSEL at 0x00 selects, IOWIN at 0x10 reads and writes the selected
 * register (0x00 ID, 0x01 version, 0x02 arbitration, 0x10 + 2n and
 * 0x11 + 2n the low and high halves of pin n's redirection entry).
 *
 * It reports version 0x20, the ICH-era IOAPIC, which adds the EOI register
 * at 0x40 (82801DB ICH4 datasheet 9.5.5 "EOIR"): a write of a vector
 * there clears Remote IRR as the local APICs' EOI broadcast
 * (VIREO_EXIT_EOI) does.  A guest that ends a level interrupt at the
 * IOAPIC itself (Linux does with directed EOI, and when a level vector
 * arrived as edge) then needs one write; the 0x11 idiom of switching the
 * pin to edge and back works as well, since an edge pin has no Remote IRR.
 *
 * Lines carry their asserted state (irq.h), not the electrical level, so
 * the polarity bit is kept for the guest to read but not applied: the MADT
 * tells the guest how each pin is wired, and the guest programs polarity
 * to match.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../devices.h"
#include "../devstate.h"
#include "../irq.h"
#include "../machine.h"
#include "../bus.h"
#include "../pc_layout.h"
#include "util.h"

#define IOAPIC_MMIO_LEN		0x1000
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_EOI		0x40

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10

#define IOAPIC_VERSION		0x20
#define IOAPIC_ID_MASK		0x0f000000u	/* bits 27:24 */
#define IOAPIC_ID_SHIFT		24

/* Redirection entry, 82093AA 3.2.4. */
#define RTE_VECTOR		0xffULL
#define RTE_DM_SHIFT		8
#define RTE_DM_MASK		7ULL
#define RTE_DESTMODE_SHIFT	11
#define RTE_DELIVS		(1ULL << 12)	/* always reads 0 here */
#define RTE_REMOTE_IRR		(1ULL << 14)
#define RTE_LEVEL		(1ULL << 15)
#define RTE_MASKED		(1ULL << 16)
#define RTE_LOW_WRITABLE	0x1afffULL	/* all but 12, 14, 31:17 */
#define RTE_DEST_SHIFT		56
#define RTE_HIGH_WRITABLE	0xff000000u	/* destination, 63:56 */

#define DM_RESERVED_3		3
#define DM_RESERVED_6		6

/* The message, SDM Vol. 3A 11.11.1 and 11.11.2. */
#define MSI_ADDRESS_BASE	0xfee00000ULL
#define MSI_DEST_SHIFT		12
#define MSI_DESTMODE_SHIFT	2
#define MSI_DATA_LEVEL_ASSERT	(1u << 14)
#define MSI_DATA_LEVEL		(1u << 15)

struct ioapic {
	struct machine *m;
	uint32_t regsel;
	uint32_t id;
	uint32_t lines;		/* asserted pins */
	uint64_t rte[PC_IOAPIC_PINS];
	struct irq_chip chip;
};

/* true when a local APIC accepted the message. */
static bool ioapic_send(struct ioapic *a, unsigned int pin)
{
	uint64_t rte = a->rte[pin], address;
	unsigned int dm = (rte >> RTE_DM_SHIFT) & RTE_DM_MASK;
	struct machine *m = a->m;
	uint32_t data;

	if (dm == DM_RESERVED_3 || dm == DM_RESERVED_6 || !m->signal_msi)
		return false;
	address = MSI_ADDRESS_BASE |
		  ((rte >> RTE_DEST_SHIFT) & 0xff) << MSI_DEST_SHIFT |
		  ((rte >> RTE_DESTMODE_SHIFT) & 1) << MSI_DESTMODE_SHIFT;
	data = (rte & RTE_VECTOR) | dm << 8;
	if (rte & RTE_LEVEL)
		data |= MSI_DATA_LEVEL | MSI_DATA_LEVEL_ASSERT;
	return m->signal_msi(m, address, data) > 0;
}

/*
 * A level pin sends while asserted, unmasked and not already in flight
 * (Remote IRR, set once a local APIC accepts, until the EOI).  True when
 * it sent.
 */
static bool ioapic_service_level(struct ioapic *a, unsigned int pin)
{
	uint64_t rte = a->rte[pin];

	if (!(rte & RTE_LEVEL) || (rte & (RTE_MASKED | RTE_REMOTE_IRR)) ||
	    !(a->lines & (1u << pin)))
		return false;
	if (!ioapic_send(a, pin))
		return false;
	a->rte[pin] |= RTE_REMOTE_IRR;
	return true;
}

/* An edge that comes while the pin is masked is lost, as on hardware. */
static bool ioapic_set_pin(void *opaque, unsigned int pin, bool level)
{
	struct ioapic *a = opaque;
	uint32_t bit;
	bool was;

	if (pin >= PC_IOAPIC_PINS)
		return false;
	bit = 1u << pin;
	was = a->lines & bit;
	if (!level) {
		a->lines &= ~bit;
		return false;
	}
	a->lines |= bit;
	if (a->rte[pin] & RTE_LEVEL)
		return ioapic_service_level(a, pin);
	if (!was && !(a->rte[pin] & RTE_MASKED))
		return ioapic_send(a, pin);
	return false;
}

static void ioapic_eoi(void *opaque, unsigned int vector)
{
	struct ioapic *a = opaque;
	unsigned int pin;

	for (pin = 0; pin < PC_IOAPIC_PINS; pin++) {
		if (!(a->rte[pin] & RTE_REMOTE_IRR) ||
		    (a->rte[pin] & RTE_VECTOR) != (vector & 0xff))
			continue;
		a->rte[pin] &= ~RTE_REMOTE_IRR;
		ioapic_service_level(a, pin);
	}
}

static bool ioapic_redir_index(uint32_t reg, unsigned int *pin)
{
	if (reg < IOAPIC_REG_REDIR ||
	    reg >= IOAPIC_REG_REDIR + 2 * PC_IOAPIC_PINS)
		return false;
	*pin = (reg - IOAPIC_REG_REDIR) / 2;
	return true;
}

static uint32_t ioapic_reg_read(struct ioapic *a)
{
	uint32_t reg = a->regsel;
	unsigned int pin;

	switch (reg) {
	case IOAPIC_REG_ID:
		return a->id;
	case IOAPIC_REG_VER:
		return IOAPIC_VERSION | (PC_IOAPIC_PINS - 1) << 16;
	case IOAPIC_REG_ARB:
		/* 82093AA 3.2.3: loaded from the ID, read-only. */
		return a->id;
	}
	if (!ioapic_redir_index(reg, &pin))
		return 0;
	if (reg & 1)
		return a->rte[pin] >> 32;
	return a->rte[pin] & ~RTE_DELIVS;
}

static void ioapic_write_redir_low(struct ioapic *a, unsigned int pin,
				   uint32_t v)
{
	uint64_t rte = a->rte[pin];

	rte = (rte & ~RTE_LOW_WRITABLE) | (v & RTE_LOW_WRITABLE);
	if (!(rte & RTE_LEVEL))
		rte &= ~RTE_REMOTE_IRR;
	a->rte[pin] = rte;
	/* Unmasking a level pin that is asserted sends it. */
	ioapic_service_level(a, pin);
}

static void ioapic_reg_write(struct ioapic *a, uint32_t v)
{
	uint32_t reg = a->regsel;
	unsigned int pin;

	if (reg == IOAPIC_REG_ID) {
		a->id = v & IOAPIC_ID_MASK;
		return;
	}
	/* Version, arbitration and unknown registers are read-only. */
	if (!ioapic_redir_index(reg, &pin))
		return;
	if (reg & 1)
		a->rte[pin] = (a->rte[pin] & 0xffffffffULL) |
			      (uint64_t)(v & RTE_HIGH_WRITABLE) << 32;
	else
		ioapic_write_redir_low(a, pin, v);
}

/*
 * The registers are 32 bits wide and meant to be accessed whole; a
 * narrower access inside one is honoured, one that crosses a register
 * boundary (or an 8-byte one) reads 0 and is dropped.
 */
static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset,
				 unsigned int size)
{
	struct ioapic *a = opaque;
	unsigned int shift = (offset & 3) * 8;
	uint32_t value;

	if ((offset & 3) + size > 4)
		return 0;
	switch (offset & ~3ULL) {
	case IOAPIC_IOREGSEL:
		value = a->regsel;
		break;
	case IOAPIC_IOWIN:
		value = ioapic_reg_read(a);
		break;
	default:		/* the EOI register is write-only */
		return 0;
	}
	value >>= shift;
	return size == 4 ? value : value & ((1u << (8 * size)) - 1);
}

static void ioapic_mmio_write(void *opaque, uint64_t offset,
			      unsigned int size, uint64_t value)
{
	struct ioapic *a = opaque;
	unsigned int shift = (offset & 3) * 8;
	uint32_t mask, v;

	if ((offset & 3) + size > 4)
		return;
	mask = (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1) << shift;
	v = (uint32_t)value << shift & mask;
	switch (offset & ~3ULL) {
	case IOAPIC_IOREGSEL:
		a->regsel = ((a->regsel & ~mask) | v) & 0xff;
		break;
	case IOAPIC_IOWIN:
		ioapic_reg_write(a, (ioapic_reg_read(a) & ~mask) | v);
		break;
	case IOAPIC_EOI:
		if (mask & 0xff)
			ioapic_eoi(a, v & 0xff);
		break;
	}
}

static const struct bus_ops ioapic_ops = {
	.read = ioapic_mmio_read,
	.write = ioapic_mmio_write,
};

/*
 * Power-on state (82093AA datasheet 3.0 "Register Descriptions"): every
 * pin masked, edge, vector 0; the ID the MADT gives.  The pins' input
 * levels are the devices', which lower them as they reset.
 */
static void ioapic_reset(struct device *dev)
{
	struct ioapic *a = dev->state;
	unsigned int pin;

	a->regsel = 0;
	a->id = (uint32_t)PC_IOAPIC_ID << IOAPIC_ID_SHIFT;
	for (pin = 0; pin < PC_IOAPIC_PINS; pin++)
		a->rte[pin] = RTE_MASKED;
}

static int ioapic_create(struct device *dev, const struct dev_opts *opts,
			 char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct ioapic *a = calloc(1, sizeof(*a));
	int ret;

	if (!a)
		return -ENOMEM;
	a->m = m;
	dev->state = a;
	ioapic_reset(dev);
	ret = bus_register(&m->mmio, PC_IOAPIC_BASE, IOAPIC_MMIO_LEN,
			   &ioapic_ops, a, &dev->lock);
	if (ret) {
		free(a);
		return ret;
	}
	a->chip = (struct irq_chip) {
		.name = "ioapic",
		.set_pin = ioapic_set_pin,
		.eoi = ioapic_eoi,
		.opaque = a,
		.lock = &dev->lock,
	};
	irq_set_gsi_chip(m, &a->chip);
	return 0;
}

static void ioapic_destroy(struct device *dev)
{
	irq_set_gsi_chip(dev->m, NULL);
	bus_unregister(&dev->m->mmio, PC_IOAPIC_BASE);
	free(dev->state);
}

static const struct devstate_field ioapic_fields[] = {
	DEVSTATE_FIELD(struct ioapic, regsel, 0xff),
	DEVSTATE_FIELD(struct ioapic, id, IOAPIC_ID_MASK),
	DEVSTATE_FIELD(struct ioapic, lines, (1ULL << PC_IOAPIC_PINS) - 1),
};

#define RTE_SAVED	(RTE_LOW_WRITABLE | RTE_REMOTE_IRR | \
			 (uint64_t)RTE_HIGH_WRITABLE << 32)

static int ioapic_save(struct device *dev, struct devstate *ds)
{
	struct ioapic *a = dev->state;
	char name[16];
	unsigned int pin;

	devstate_put_fields(ds, a, ioapic_fields, ARRAY_SIZE(ioapic_fields));
	for (pin = 0; pin < PC_IOAPIC_PINS; pin++) {
		snprintf(name, sizeof(name), "rte.%u", pin);
		devstate_put_u64(ds, name, a->rte[pin]);
	}
	return 0;
}

static int ioapic_load(struct device *dev, struct devstate *ds,
		       uint32_t version)
{
	struct ioapic *a = dev->state, t = *a;
	char name[16];
	unsigned int pin;
	int err;

	err = devstate_get_fields(ds, &t, ioapic_fields,
				  ARRAY_SIZE(ioapic_fields));
	if (err)
		return err;
	if (t.id & ~IOAPIC_ID_MASK)
		return -EINVAL;
	for (pin = 0; pin < PC_IOAPIC_PINS; pin++) {
		snprintf(name, sizeof(name), "rte.%u", pin);
		err = devstate_get_u64(ds, name, &t.rte[pin]);
		if (err)
			return err;
		if (t.rte[pin] & ~RTE_SAVED)
			return -EINVAL;
	}
	*a = t;
	return 0;
}

static const struct dev_class ioapic_class = {
	.name = "ioapic",
	.desc = "IOAPIC at 0xFEC00000, 24 pins (GSI 0-23)",
	.level = DEV_INIT_CORE,
	.is_default = true,
	.create = ioapic_create,
	.reset = ioapic_reset,
	.state_version = 1,
	.save = ioapic_save,
	.load = ioapic_load,
	.destroy = ioapic_destroy,
};
DEVICE_CLASS(ioapic_class);
