// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt line routing (irq.c): ISA IRQ n to PIC input n and IOAPIC pin
 * n, IRQ 0 to pin 2, GSIs to the IOAPIC only, EOIs to both.  Two recording
 * chips stand in for the PICs and the IOAPIC.
 */
#include <string.h>

#include "irq.h"
#include "machine.h"
#include "tap.h"

struct rec {
	int calls;
	unsigned int pin;
	bool level;
	int eois;
	unsigned int vector;
	char trace[64];		/* "p+" / "p-" per call, pins in hex */
	unsigned int len;
	bool take;		/* what a rise returns: a new request */
};

static bool rec_set_pin(void *opaque, unsigned int pin, bool level)
{
	struct rec *r = opaque;

	r->calls++;
	r->pin = pin;
	r->level = level;
	if (r->len + 3 < sizeof(r->trace)) {
		r->trace[r->len++] = "0123456789abcdef"[pin % 16];
		r->trace[r->len++] = level ? '+' : '-';
		r->trace[r->len] = '\0';
	}
	return level && r->take;
}

static void rec_eoi(void *opaque, unsigned int vector)
{
	struct rec *r = opaque;

	r->eois++;
	r->vector = vector;
}

static struct rec isa, gsi;
static const struct irq_chip isa_chip = {
	.name = "isa", .set_pin = rec_set_pin, .opaque = &isa,
};
static const struct irq_chip gsi_chip = {
	.name = "gsi", .set_pin = rec_set_pin, .eoi = rec_eoi, .opaque = &gsi,
};

static void reset(void)
{
	isa = (struct rec) { 0 };
	gsi = (struct rec) { 0 };
}

int main(void)
{
	struct machine m;

	machine_init(&m, -1);
	gsi_set(&m, 4, true);
	irq_eoi(&m, 0x30);
	ok(!isa_irq_set(&m, 4, true) && !isa_irq_pulse(&m, 0),
	   "with no chip wired, no edge is taken (and nothing crashes)");

	irq_set_isa_chip(&m, &isa_chip);
	irq_set_gsi_chip(&m, &gsi_chip);
	ok(m.isa_chip == &isa_chip && m.gsi_chip == &gsi_chip,
	   "chips are wired into the machine");

	reset();
	isa_irq_set(&m, 4, true);
	ok(isa.calls == 1 && isa.pin == 4 && isa.level,
	   "ISA IRQ 4 raises PIC input 4");
	ok(gsi.calls == 1 && gsi.pin == 4 && gsi.level,
	   "... and IOAPIC pin 4");
	isa_irq_set(&m, 4, false);
	ok(!isa.level && !gsi.level, "lowering it lowers both");

	reset();
	isa_irq_set(&m, 0, true);
	ok(isa.pin == 0 && gsi.pin == 2,
	   "ISA IRQ 0 is PIC input 0, IOAPIC pin 2");

	reset();
	isa_irq_set(&m, 2, true);
	isa_irq_set(&m, 16, true);
	isa_irq_set(&m, ~0u, true);
	ok(isa.calls == 0 && gsi.calls == 0,
	   "IRQ 2 (the cascade) and IRQs past 15 reach no chip");

	reset();
	isa_irq_pulse(&m, 1);
	ok(!strcmp(isa.trace, "1+1-") && !strcmp(gsi.trace, "1+1-"),
	   "a pulse is a rise then a fall on both (%s, %s)",
	   isa.trace, gsi.trace);

	reset();
	ok(!isa_irq_pulse(&m, 1), "a pulse neither chip took reports false");
	gsi.take = true;
	ok(isa_irq_pulse(&m, 1), "... one the IOAPIC took reports true");
	isa.take = true;
	gsi.take = false;
	ok(isa_irq_set(&m, 1, true), "... as does a rise the PIC took");
	ok(!isa_irq_set(&m, 1, false), "a fall is never a new request");

	reset();
	gsi_set(&m, 19, true);
	ok(isa.calls == 0 && gsi.calls == 1 && gsi.pin == 19 && gsi.level,
	   "a GSI reaches the IOAPIC only");
	gsi_set(&m, 40, true);
	ok(gsi.calls == 2 && gsi.pin == 40,
	   "GSI numbers are the chip's to check");

	reset();
	irq_eoi(&m, 0x41);
	ok(gsi.eois == 1 && gsi.vector == 0x41,
	   "EOI reaches the chip that has an eoi hook");
	ok(isa.eois == 0, "a chip without one is skipped");

	irq_set_gsi_chip(&m, NULL);
	reset();
	isa_irq_set(&m, 3, true);
	irq_eoi(&m, 0x41);
	ok(isa.calls == 1 && gsi.calls == 0 && gsi.eois == 0,
	   "unwiring a chip stops its lines");
	return tap_done();
}
