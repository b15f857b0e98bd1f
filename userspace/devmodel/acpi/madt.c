// SPDX-License-Identifier: GPL-2.0
/*
 * The MADT (signature "APIC"): ACPI 6.4 5.2.12.  Revision 5, ACPI 6.4's;
 * the entries used here have not changed since ACPI 1.0.
 */
#include <errno.h>
#include <string.h>

#include "../pc_layout.h"
#include "util.h"
#include "acpi_tables.h"

struct acpi_madt {
	struct acpi_table_header header;
	uint32_t lapic_address;
	uint32_t flags;
} __attribute__((packed));
static_assert(sizeof(struct acpi_madt) == 44, "ACPI 6.4 5.2.12");

/* ACPI 6.4 5.2.12.2, Processor Local APIC Structure. */
struct madt_lapic {
	uint8_t type, length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));
static_assert(sizeof(struct madt_lapic) == 8, "ACPI 6.4 5.2.12.2");

/* ACPI 6.4 5.2.12.3, I/O APIC Structure. */
struct madt_ioapic {
	uint8_t type, length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));
static_assert(sizeof(struct madt_ioapic) == 12, "ACPI 6.4 5.2.12.3");

/* ACPI 6.4 5.2.12.5, Interrupt Source Override Structure. */
struct madt_override {
	uint8_t type, length;
	uint8_t bus;
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
} __attribute__((packed));
static_assert(sizeof(struct madt_override) == 10, "ACPI 6.4 5.2.12.5");

/* ACPI 6.4 5.2.12.7, Local APIC NMI Structure. */
struct madt_lapic_nmi {
	uint8_t type, length;
	uint8_t processor_uid;
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));
static_assert(sizeof(struct madt_lapic_nmi) == 6, "ACPI 6.4 5.2.12.7");

#define MADT_REVISION		5
#define MADT_PCAT_COMPAT	(1 << 0)	/* 8259s present too */

enum madt_type {
	MADT_LAPIC		= 0,
	MADT_IOAPIC		= 1,
	MADT_OVERRIDE		= 2,
	MADT_LAPIC_NMI		= 4,
};

#define MADT_LAPIC_ENABLED	(1 << 0)
#define MADT_ALL_PROCESSORS	0xff
#define MADT_BUS_ISA		0

/* MPS INTI flags (ACPI 6.4 5.2.12.5): polarity 1:0, trigger mode 3:2. */
#define INTI_ACTIVE_HIGH	0x1
#define INTI_EDGE		(0x1 << 2)
#define INTI_LEVEL		(0x3 << 2)

/*
 * IRQ 0 -> GSI 2: the PIT reaches IOAPIC pin 2, pin 0 being the 8259's
 * INTR on a PC (irq.h).  IRQ 9, the SCI: the FADT alone would make it
 * level, active low (ACPI 6.4 5.2.9, SCI_INT), but the PM device drives
 * IRQ 9 as an active-high level, as PIIX4/ICH chipsets do through their
 * ISA interrupt routing, and as QEMU's override says; without this entry
 * the OS would program IOAPIC pin 9 for the wrong polarity and see the
 * SCI asserted while it is idle.
 */
static const struct madt_override madt_overrides[] = {
	{ .source = PC_IRQ_PIT, .gsi = 2,
	  .flags = INTI_ACTIVE_HIGH | INTI_EDGE },
	{ .source = PC_ACPI_SCI_IRQ, .gsi = PC_ACPI_SCI_IRQ,
	  .flags = INTI_ACTIVE_HIGH | INTI_LEVEL },
};

#define MADT_NR_OVERRIDES	ARRAY_SIZE(madt_overrides)

static uint8_t *madt_put_lapics(uint8_t *p, unsigned int nr_cpus)
{
	struct madt_lapic *l = (struct madt_lapic *)p;
	unsigned int i;

	/* The processor UID is the _UID of the CPU's ACPI0007 device. */
	for (i = 0; i < nr_cpus; i++, l++) {
		l->type = MADT_LAPIC;
		l->length = sizeof(*l);
		l->processor_uid = i;
		l->apic_id = i;
		l->flags = MADT_LAPIC_ENABLED;
	}
	return (uint8_t *)l;
}

static uint8_t *madt_put_ioapic(uint8_t *p)
{
	struct madt_ioapic *io = (struct madt_ioapic *)p;

	io->type = MADT_IOAPIC;
	io->length = sizeof(*io);
	io->ioapic_id = PC_IOAPIC_ID;
	io->address = PC_IOAPIC_BASE;
	io->gsi_base = 0;
	return (uint8_t *)(io + 1);
}

static uint8_t *madt_put_overrides(uint8_t *p)
{
	struct madt_override *o = (struct madt_override *)p;
	unsigned int i;

	for (i = 0; i < MADT_NR_OVERRIDES; i++, o++) {
		*o = madt_overrides[i];
		o->type = MADT_OVERRIDE;
		o->length = sizeof(*o);
		o->bus = MADT_BUS_ISA;
	}
	return (uint8_t *)o;
}

/* NMI comes in on LINT1 of every local APIC, as on a PC. */
static uint8_t *madt_put_nmi(uint8_t *p)
{
	struct madt_lapic_nmi *n = (struct madt_lapic_nmi *)p;

	n->type = MADT_LAPIC_NMI;
	n->length = sizeof(*n);
	n->processor_uid = MADT_ALL_PROCESSORS;
	n->flags = INTI_ACTIVE_HIGH | INTI_EDGE;
	n->lint = 1;
	return (uint8_t *)(n + 1);
}

int acpi_build_madt(struct acpi_builder *b, const struct acpi_config *cfg,
		    uint64_t *gpa)
{
	uint32_t len = sizeof(struct acpi_madt) +
		       cfg->nr_cpus * sizeof(struct madt_lapic) +
		       sizeof(struct madt_ioapic) +
		       MADT_NR_OVERRIDES * sizeof(struct madt_override) +
		       sizeof(struct madt_lapic_nmi);
	struct acpi_madt *madt;
	uint8_t *p;

	madt = acpi_alloc(b, len, 16, gpa);
	if (!madt)
		return -ENOSPC;
	acpi_header_init(&madt->header, "APIC", len, MADT_REVISION);
	madt->lapic_address = PC_LAPIC_BASE;
	madt->flags = MADT_PCAT_COMPAT;
	p = madt_put_lapics((uint8_t *)(madt + 1), cfg->nr_cpus);
	p = madt_put_ioapic(p);
	p = madt_put_overrides(p);
	p = madt_put_nmi(p);
	assert(p == (uint8_t *)madt + len);
	acpi_header_checksum(&madt->header);
	return 0;
}
