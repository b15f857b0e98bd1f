// SPDX-License-Identifier: GPL-2.0
/*
 * The PC's two 8259A PICs: the master at 0x20-0x21 with the slave's INT on
 * its IR2, the slave at 0xA0-0xA1, and the PIIX edge/level control
 * registers (ELCR) at 0x4D0-0x4D1.  They are the ISA interrupt chip: ISA
 * IRQ n is master input n (0-7) or slave input n - 8.
 *
 * Programming model: Intel 8259A datasheet (order 231468), "Programming
 * the 8259A" (ICW1-ICW4, OCW1-OCW3) and "Interrupt Sequence"; ELCR: Intel
 * 82371AB PIIX4 datasheet 3.1.1.5 "ELCR1/ELCR2".
 *
 * The CPU's INTR pin is a message here: when the master has a request of
 * higher priority than what is in service, it sends the vector as an
 * ExtINT message (VIREO_SIGNAL_MSI) and, if a local APIC takes it, does
 * the INTA cycle at once (IRR to ISR, or nothing in auto-EOI mode).  If
 * none takes it (LINT0 masked, as once Linux uses the IOAPIC) the request
 * stays in IRR and is offered again at the next change of PIC state.  As
 * the request cannot go away between INT and INTA, the 8259A's default
 * IR7 ("spurious IRQ 7/15") never happens.
 *
 * A local APIC holds one ExtINT vector until its CPU takes it, and a
 * second message replaces the first (kernel/lapic.c): the first one's ISR
 * bit would then stay set for ever.  So after an accepted message that set
 * an ISR bit, the pair sends nothing more until the guest shows it took the
 * vector by writing an EOI or an OCW3 (what a handler that lets a higher
 * IR nest writes) or re-initialising.  In auto-EOI mode nothing tells, so
 * each change of state sends at most one message.
 *
 * An edge input latches its request in IRR until acknowledged, even if the
 * line falls first: a device's isa_irq_pulse() takes no time, while a real
 * PIT's output stays high for half a period.  A level input's IRR bit is
 * the line.  The slave's INT output reaches master IR2 as a level.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../devices.h"
#include "../devstate.h"
#include "../bus.h"
#include "../irq.h"
#include "../machine.h"
#include "../pc_layout.h"
#include "util.h"

#define PIC_ELCR		0x4d0
#define PIC_CASCADE_PIN		2
/* PIIX4 3.1.1.5: IRQ 0, 1, 2, 8 and 13 are edge-triggered only. */
#define PIC_ELCR_MASK_MASTER	0xf8
#define PIC_ELCR_MASK_SLAVE	0xde

/* The ExtINT message: SDM Vol. 3A 11.11.2, delivery mode 111b. */
#define PIC_MSI_ADDRESS		0xfee00000ULL
#define PIC_MSI_EXTINT		(7u << 8)

#define ICW1_IC4	0x01	/* ICW4 follows */
#define ICW1_SNGL	0x02	/* single: no ICW3 */
#define ICW1_LTIM	0x08	/* level-triggered inputs */
#define ICW1_INIT	0x10	/* command port: this is ICW1 */
#define ICW4_AEOI	0x02
#define OCW2_EOI	0x20
#define OCW2_SL		0x40	/* the level bits name the IR */
#define OCW2_R		0x80	/* rotate */
#define OCW3_RIS	0x01	/* read ISR, not IRR */
#define OCW3_RR		0x02	/* RIS is valid */
#define OCW3_P		0x04	/* poll */
#define OCW3_SEL	0x08	/* command port: this is OCW3 */
#define OCW3_SMM	0x20	/* special mask mode */
#define OCW3_ESMM	0x40	/* SMM is valid */

enum pic_init_step { PIC_READY, PIC_ICW2, PIC_ICW3, PIC_ICW4 };

struct i8259;

struct pic {
	struct i8259 *dev;
	uint8_t irr, isr, imr;
	uint8_t input;		/* input levels, for edge detection */
	uint8_t elcr, elcr_mask;
	uint8_t base;		/* ICW2: the vector of IR0 */
	uint8_t lowest;		/* IR of lowest priority (rotation) */
	enum pic_init_step init;
	bool icw4, single, ltim, aeoi, rotate_aeoi, smm, read_isr, poll;
};

struct i8259 {
	struct machine *m;
	struct pic pic[2];	/* master, slave */
	bool in_flight;		/* sent, put in service, not seen taken yet */
	struct irq_chip chip;
};

static uint8_t pic_level_pins(const struct pic *p)
{
	return p->ltim ? 0xff : p->elcr;
}

/* 0 is the highest priority: the IR after the lowest one. */
static unsigned int pic_rank(const struct pic *p, unsigned int pin)
{
	return (pin - p->lowest - 1) & 7;
}

static int pic_highest(const struct pic *p, uint8_t bits)
{
	unsigned int r, pin;

	for (r = 0; r < 8; r++) {
		pin = (p->lowest + 1 + r) & 7;
		if (bits & (1u << pin))
			return pin;
	}
	return -1;
}

/*
 * The IR the chip would raise INT for, or -1: the highest unmasked
 * request, if it beats everything in service (fully nested mode).  In
 * special mask mode a masked IR in service blocks nothing (datasheet,
 * "Special Mask Mode").
 */
static int pic_pending(const struct pic *p)
{
	uint8_t isr = p->smm ? p->isr & ~p->imr : p->isr;
	int pin, in;

	if (p->init != PIC_READY)
		return -1;
	pin = pic_highest(p, p->irr & ~p->imr);
	if (pin < 0)
		return -1;
	in = pic_highest(p, isr);
	if (in >= 0 && pic_rank(p, pin) >= pic_rank(p, in))
		return -1;
	return pin;
}

/* The INTA cycle for pin. */
static void pic_ack(struct pic *p, unsigned int pin)
{
	uint8_t bit = 1u << pin;

	if (!(pic_level_pins(p) & bit))
		p->irr &= ~bit;
	if (!p->aeoi)
		p->isr |= bit;
	else if (p->rotate_aeoi)
		p->lowest = pin;
}

static void i8259_cascade(struct i8259 *d)
{
	struct pic *master = &d->pic[0];

	if (pic_pending(&d->pic[1]) >= 0)
		master->irr |= 1u << PIC_CASCADE_PIN;
	else
		master->irr &= ~(1u << PIC_CASCADE_PIN);
}

static bool i8259_signal(struct i8259 *d, uint8_t vector)
{
	struct machine *m = d->m;

	if (!m->signal_msi)
		return false;
	return m->signal_msi(m, PIC_MSI_ADDRESS,
			     vector | PIC_MSI_EXTINT) > 0;
}

/* Offer the CPU the pair's highest request, if it has one to offer. */
static void i8259_update(struct i8259 *d)
{
	struct pic *master = &d->pic[0], *slave = &d->pic[1];
	int pin, spin;
	uint8_t vector;

	if (d->in_flight)
		return;
	i8259_cascade(d);
	pin = pic_pending(master);
	if (pin < 0)
		return;
	spin = pin == PIC_CASCADE_PIN ? pic_pending(slave) : -1;
	if (spin >= 0)
		vector = slave->base | spin;
	else
		vector = master->base | pin;
	if (!i8259_signal(d, vector))
		return;
	pic_ack(master, pin);
	d->in_flight = !master->aeoi;
	if (spin >= 0) {
		pic_ack(slave, spin);
		d->in_flight |= !slave->aeoi;
	}
}

/*
 * A new request is one that sets an IRR bit that was clear, on an IR that
 * is not masked (on the slave, behind an unmasked cascade): a second edge
 * before the first is taken merges with it.
 */
static bool i8259_set_pin(void *opaque, unsigned int pin, bool level)
{
	struct i8259 *d = opaque;
	struct pic *p;
	uint8_t bit;
	bool taken = false;

	/* Master IR2 is wired to the slave, not to the ISA bus. */
	if (pin >= 16 || pin == PIC_CASCADE_PIN)
		return false;
	p = &d->pic[pin >> 3];
	bit = 1u << (pin & 7);
	if (level) {
		if (!(p->input & bit) || (pic_level_pins(p) & bit)) {
			taken = !(p->irr & bit) && !(p->imr & bit) &&
				p->init == PIC_READY &&
				(pin < 8 || !(d->pic[0].imr &
					      (1u << PIC_CASCADE_PIN)));
			p->irr |= bit;
		}
		p->input |= bit;
	} else {
		p->input &= ~bit;
		if (pic_level_pins(p) & bit)
			p->irr &= ~bit;
	}
	i8259_update(d);
	return taken;
}

/*
 * ICW1 starts the init sequence (datasheet, "Initialization Command
 * Words"): mask cleared, IR7 lowest, SMM off, IRR selected for reading,
 * and edges must come anew.  ISR is cleared too: a guest re-initialises
 * the PIC (Linux does, to switch to auto-EOI) without ending what was in
 * service.
 */
static void pic_icw1(struct pic *p, uint8_t v)
{
	p->icw4 = v & ICW1_IC4;
	p->single = v & ICW1_SNGL;
	p->ltim = v & ICW1_LTIM;
	p->imr = 0;
	p->isr = 0;
	p->irr = p->input & pic_level_pins(p);
	p->lowest = 7;
	p->smm = false;
	p->read_isr = false;
	p->poll = false;
	p->rotate_aeoi = false;
	if (!p->icw4)
		p->aeoi = false;
	p->init = PIC_ICW2;
	p->dev->in_flight = false;
}

static void pic_ocw2(struct pic *p, uint8_t v)
{
	unsigned int level = v & 7;
	int pin;

	switch (v & (OCW2_R | OCW2_SL | OCW2_EOI)) {
	case OCW2_EOI:				/* non-specific EOI */
	case OCW2_R | OCW2_EOI:			/* ... and rotate */
		pin = pic_highest(p, p->isr);
		if (pin < 0)
			break;
		p->isr &= ~(1u << pin);
		if (v & OCW2_R)
			p->lowest = pin;
		break;
	case OCW2_SL | OCW2_EOI:		/* specific EOI */
	case OCW2_R | OCW2_SL | OCW2_EOI:	/* ... and rotate */
		p->isr &= ~(1u << level);
		if (v & OCW2_R)
			p->lowest = level;
		break;
	case OCW2_R:
		p->rotate_aeoi = true;
		break;
	case 0:
		p->rotate_aeoi = false;
		break;
	case OCW2_R | OCW2_SL:			/* set priority */
		p->lowest = level;
		break;
	default:				/* no operation */
		break;
	}
}

static void pic_ocw3(struct pic *p, uint8_t v)
{
	if (v & OCW3_ESMM)
		p->smm = v & OCW3_SMM;
	/* Poll overrides a read-register command in the same OCW3. */
	if (v & OCW3_P)
		p->poll = true;
	else if (v & OCW3_RR)
		p->read_isr = v & OCW3_RIS;
}

static void pic_write(struct pic *p, unsigned int port, uint8_t v)
{
	if (port == 0) {
		if (v & ICW1_INIT) {
			pic_icw1(p, v);
			return;
		}
		if (v & OCW3_SEL)
			pic_ocw3(p, v);
		else
			pic_ocw2(p, v);
		if ((v & OCW3_SEL) || (v & OCW2_EOI))
			p->dev->in_flight = false;
		return;
	}
	switch (p->init) {
	case PIC_ICW2:
		p->base = v & 0xf8;
		if (!p->single)
			p->init = PIC_ICW3;
		else
			p->init = p->icw4 ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW3:
		/* The PC wires the slave to IR2 whatever ICW3 says. */
		p->init = p->icw4 ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW4:
		p->aeoi = v & ICW4_AEOI;
		p->init = PIC_READY;
		break;
	default:
		p->imr = v;		/* OCW1 */
		break;
	}
}

/*
 * The poll command: the read is the INTA, answering 0x80 | IR of the
 * highest request, or 0 when there is none (datasheet, "The Poll
 * Command").
 */
static uint8_t pic_poll(struct pic *p)
{
	int pin;

	p->poll = false;
	if (p == &p->dev->pic[0])
		i8259_cascade(p->dev);
	pin = pic_pending(p);
	if (pin < 0)
		return 0;
	pic_ack(p, pin);
	return 0x80 | pin;
}

static uint8_t pic_read(struct pic *p, unsigned int port)
{
	if (port == 1)
		return p->imr;
	if (p->poll)
		return pic_poll(p);
	if (p == &p->dev->pic[0])
		i8259_cascade(p->dev);
	return p->read_isr ? p->isr : p->irr;
}

/* Byte registers (bus.h): a wider access is one access per port. */
static uint64_t pic_io_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct pic *p = opaque;
	bool polled = p->poll;
	uint8_t value = pic_read(p, offset);

	/* A poll is an INTA: what is in service changed. */
	if (polled)
		i8259_update(p->dev);
	return value;
}

static void pic_io_write(void *opaque, uint64_t offset, unsigned int size,
			 uint64_t value)
{
	struct pic *p = opaque;

	pic_write(p, offset, value);
	i8259_update(p->dev);
}

static const struct bus_ops pic_ops = {
	.read = pic_io_read,
	.write = pic_io_write,
	.byte_regs = true,
};

static uint64_t elcr_io_read(void *opaque, uint64_t offset,
			     unsigned int size)
{
	struct i8259 *d = opaque;

	return d->pic[offset].elcr;
}

/* A pin that becomes level-triggered requests while its line is high. */
static void elcr_io_write(void *opaque, uint64_t offset, unsigned int size,
			  uint64_t value)
{
	struct i8259 *d = opaque;
	struct pic *p = &d->pic[offset];
	uint8_t level;

	p->elcr = value & p->elcr_mask;
	level = pic_level_pins(p);
	p->irr = (p->irr & ~level) | (p->input & level);
	i8259_update(d);
}

static const struct bus_ops elcr_ops = {
	.read = elcr_io_read,
	.write = elcr_io_write,
	.byte_regs = true,
};

/*
 * Reset state as a PC BIOS leaves it (vectors 0x08 and 0x70), but with
 * every input masked: a guest that never programs the PIC must not get
 * IRQ 0 on the vector of #DF.  The ELCR is cleared too (all
 * edge-triggered), as at a PIIX reset.
 */
static void pic_reset(struct i8259 *d, struct pic *p, uint8_t base,
		      uint8_t elcr_mask)
{
	memset(p, 0, sizeof(*p));
	p->dev = d;
	p->imr = 0xff;
	p->lowest = 7;
	p->base = base;
	p->elcr_mask = elcr_mask;
	p->init = PIC_READY;
}

static void i8259_reset(struct device *dev)
{
	struct i8259 *d = dev->state;

	pic_reset(d, &d->pic[0], 0x08, PIC_ELCR_MASK_MASTER);
	pic_reset(d, &d->pic[1], 0x70, PIC_ELCR_MASK_SLAVE);
	d->in_flight = false;
}

/* Each PIC's registers and sequencing state, as "master.x" and "slave.x". */
static const struct devstate_field pic_fields[] = {
	DEVSTATE_FIELD(struct pic, irr, 0xff),
	DEVSTATE_FIELD(struct pic, isr, 0xff),
	DEVSTATE_FIELD(struct pic, imr, 0xff),
	DEVSTATE_FIELD(struct pic, input, 0xff),
	DEVSTATE_FIELD(struct pic, elcr, 0xff),
	DEVSTATE_FIELD(struct pic, base, 0xff),
	DEVSTATE_FIELD(struct pic, lowest, 7),
	DEVSTATE_FIELD(struct pic, init, PIC_ICW4),
	DEVSTATE_FIELD(struct pic, icw4, 1),
	DEVSTATE_FIELD(struct pic, single, 1),
	DEVSTATE_FIELD(struct pic, ltim, 1),
	DEVSTATE_FIELD(struct pic, aeoi, 1),
	DEVSTATE_FIELD(struct pic, rotate_aeoi, 1),
	DEVSTATE_FIELD(struct pic, smm, 1),
	DEVSTATE_FIELD(struct pic, read_isr, 1),
	DEVSTATE_FIELD(struct pic, poll, 1),
};

static const char *const pic_names[] = { "master", "slave" };

/* Then the pair's. */
static const struct devstate_field i8259_fields[] = {
	DEVSTATE_FIELD(struct i8259, in_flight, 1),
};

static int i8259_save(struct device *dev, struct devstate *ds)
{
	struct i8259 *d = dev->state;
	unsigned int i;

	for (i = 0; i < 2; i++)
		devstate_put_fields_in(ds, pic_names[i], &d->pic[i],
				       pic_fields, ARRAY_SIZE(pic_fields));
	devstate_put_fields(ds, d, i8259_fields, ARRAY_SIZE(i8259_fields));
	return 0;
}

static int i8259_load(struct device *dev, struct devstate *ds,
		      uint32_t version)
{
	struct i8259 *d = dev->state, t = *d;
	unsigned int i;
	int err;

	err = devstate_get_fields(ds, &t, i8259_fields,
				  ARRAY_SIZE(i8259_fields));
	for (i = 0; !err && i < 2; i++)
		err = devstate_get_fields_in(ds, pic_names[i], &t.pic[i],
					     pic_fields,
					     ARRAY_SIZE(pic_fields));
	if (err)
		return err;
	/*
	 * The ELCR keeps the bits a PIIX has (IRQ 0-2, 8 and 13 edge); ICW2
	 * sets only bits 7:3 of the vector base.
	 */
	for (i = 0; i < 2; i++)
		if ((t.pic[i].elcr & ~t.pic[i].elcr_mask) ||
		    (t.pic[i].base & 7))
			return -EINVAL;
	*d = t;
	i8259_update(d);
	return 0;
}

static const struct {
	uint16_t port;
	const struct bus_ops *ops;
	unsigned int pic;	/* opaque: that PIC, or 2: the pair */
} i8259_ranges[] = {
	{ PC_PIC_MASTER, &pic_ops, 0 },
	{ PC_PIC_SLAVE, &pic_ops, 1 },
	{ PIC_ELCR, &elcr_ops, 2 },
};

static int i8259_create(struct device *dev, const struct dev_opts *opts,
			char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct i8259 *d = calloc(1, sizeof(*d));
	unsigned int i;
	void *opaque;
	int ret = 0;

	if (!d)
		return -ENOMEM;
	d->m = m;
	dev->state = d;
	i8259_reset(dev);
	for (i = 0; i < ARRAY_SIZE(i8259_ranges); i++) {
		opaque = i8259_ranges[i].pic < 2 ?
			 (void *)&d->pic[i8259_ranges[i].pic] : (void *)d;
		ret = bus_register(&m->pio, i8259_ranges[i].port, 2,
				   i8259_ranges[i].ops, opaque, &dev->lock);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			bus_unregister(&m->pio, i8259_ranges[i].port);
		free(d);
		return ret;
	}
	d->chip = (struct irq_chip) {
		.name = "i8259",
		.set_pin = i8259_set_pin,
		.opaque = d,
		.lock = &dev->lock,
	};
	irq_set_isa_chip(m, &d->chip);
	return 0;
}

static void i8259_destroy(struct device *dev)
{
	unsigned int i;

	irq_set_isa_chip(dev->m, NULL);
	for (i = 0; i < ARRAY_SIZE(i8259_ranges); i++)
		bus_unregister(&dev->m->pio, i8259_ranges[i].port);
	free(dev->state);
}

static const struct dev_class i8259_class = {
	.name = "i8259",
	.desc = "8259A PICs at 0x20 and 0xA0, ELCR at 0x4D0-0x4D1",
	.level = DEV_INIT_CORE,
	.is_default = true,
	.create = i8259_create,
	.reset = i8259_reset,
	.state_version = 1,
	.save = i8259_save,
	.load = i8259_load,
	.destroy = i8259_destroy,
};
DEVICE_CLASS(i8259_class);
