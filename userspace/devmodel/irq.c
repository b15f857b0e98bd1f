// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt lines: the PC's wiring from device lines to the two kinds of
 * interrupt controller.  Each ISA line reaches both the 8259A pair and the
 * IOAPIC; which one the guest listens to is its choice (it masks the
 * other), as on real hardware.
 */
#include <stddef.h>

#include "irq.h"
#include "machine.h"

#define ISA_NR_IRQS	16
#define ISA_IRQ_CASCADE	2	/* the slave PIC's INT on the master */

void irq_set_isa_chip(struct machine *m, const struct irq_chip *chip)
{
	m->isa_chip = chip;
}

void irq_set_gsi_chip(struct machine *m, const struct irq_chip *chip)
{
	m->gsi_chip = chip;
}

/*
 * The PIT's IRQ 0 is IOAPIC pin 2, the pin the 8259A cascade takes on the
 * ISA side (the MADT's interrupt source override, ACPI 6.4 5.2.12.5).
 */
static unsigned int isa_irq_to_gsi(unsigned int irq)
{
	return irq == 0 ? 2 : irq;
}

static bool chip_set_pin(const struct irq_chip *chip, unsigned int pin,
			 bool level)
{
	bool taken;

	if (!chip || !chip->set_pin)
		return false;
	if (chip->lock)
		pthread_mutex_lock(chip->lock);
	taken = chip->set_pin(chip->opaque, pin, level);
	if (chip->lock)
		pthread_mutex_unlock(chip->lock);
	return taken;
}

static void chip_eoi(const struct irq_chip *chip, unsigned int vector)
{
	if (!chip || !chip->eoi)
		return;
	if (chip->lock)
		pthread_mutex_lock(chip->lock);
	chip->eoi(chip->opaque, vector);
	if (chip->lock)
		pthread_mutex_unlock(chip->lock);
}

bool isa_irq_set(struct machine *m, unsigned int irq, bool level)
{
	bool taken;

	/*
	 * No ISA device drives IRQ 2: on the PC it is the cascade, and on
	 * the IOAPIC side pin 2 is the PIT's.
	 */
	if (irq >= ISA_NR_IRQS || irq == ISA_IRQ_CASCADE)
		return false;
	taken = chip_set_pin(m->isa_chip, irq, level);
	taken |= chip_set_pin(m->gsi_chip, isa_irq_to_gsi(irq), level);
	return taken;
}

bool isa_irq_pulse(struct machine *m, unsigned int irq)
{
	bool taken = isa_irq_set(m, irq, true);

	isa_irq_set(m, irq, false);
	return taken;
}

void gsi_set(struct machine *m, unsigned int gsi, bool level)
{
	chip_set_pin(m->gsi_chip, gsi, level);
}

void irq_eoi(struct machine *m, unsigned int vector)
{
	chip_eoi(m->isa_chip, vector);
	chip_eoi(m->gsi_chip, vector);
}
