/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt lines from devices to the guest.  A device raises or lowers a
 * line; the platform's interrupt controllers (dev/i8259.c, dev/ioapic.c)
 * turn line changes into messages for the in-kernel local APICs through
 * machine->signal_msi.  As on a PC, ISA IRQ n reaches PIC input n and
 * IOAPIC pin n, except the PIT's IRQ 0, which is IOAPIC pin 2 (the MADT
 * says so with an interrupt source override).
 *
 * Any thread may change a line, holding its device's lock (devices.h): the
 * controllers' callbacks run under the controller's own lock, taken here,
 * as the bus takes it around their registers.  So a controller never
 * changes a line itself, nor calls into another device.
 */
#ifndef VIREO_IRQ_H
#define VIREO_IRQ_H

#include <pthread.h>
#include <stdbool.h>

struct machine;

/* Something that listens to lines: the PICs, the IOAPIC. */
struct irq_chip {
	const char *name;
	/*
	 * Input pin changed level; edge chips act on 0 -> 1.  True when
	 * the change made a new request that the chip passed on: false for
	 * a falling edge, a masked pin, or an edge that merged with one
	 * still pending (in the PIC's IRR, in the local APIC's).
	 */
	bool (*set_pin)(void *opaque, unsigned int pin, bool level);
	/* The guest ended a level-triggered vector (VIREO_EXIT_EOI). */
	void (*eoi)(void *opaque, unsigned int vector);
	void *opaque;
	pthread_mutex_t *lock;	/* the chip's, around both; or NULL */
};

/* Wire chips in; dev/ files do it at DEV_INIT_CORE. */
void irq_set_isa_chip(struct machine *m, const struct irq_chip *chip);
void irq_set_gsi_chip(struct machine *m, const struct irq_chip *chip);

/*
 * ISA devices: IRQ 0-15, edge-triggered, active high.  IRQ 2 is the
 * cascade and drives nothing (IOAPIC pin 2 is the PIT's).  True when a
 * chip took the change as a new request (see set_pin).
 */
bool isa_irq_set(struct machine *m, unsigned int irq, bool level);
/* A rising then falling edge; what isa_irq_set() says of the rise. */
bool isa_irq_pulse(struct machine *m, unsigned int irq);
/* PCI INTx and other GSIs: IOAPIC pin gsi, level-triggered. */
void gsi_set(struct machine *m, unsigned int gsi, bool level);
/* Forward VIREO_EXIT_EOI to every chip. */
void irq_eoi(struct machine *m, unsigned int vector);

#endif /* VIREO_IRQ_H */
