// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A pair, programmed through its ports as Linux does
 * (arch/x86/kernel/i8259.c: probe_8259A(), init_8259A()), with
 * machine->signal_msi recording the ExtINT messages it sends.
 */
#include "devices.h"
#include "irq.h"
#include "machine.h"
#include "tap.h"

#define MASTER_CMD	0x20
#define MASTER_IMR	0x21
#define SLAVE_CMD	0xa0
#define SLAVE_IMR	0xa1
#define ELCR_MASTER	0x4d0
#define ELCR_SLAVE	0x4d1

#define EXTINT		0x700
#define EOI		0x20	/* OCW2 non-specific EOI */
#define READ_IRR	0x0a	/* OCW3 */
#define READ_ISR	0x0b

static struct machine m;

static struct {
	uint64_t address;
	uint32_t data;
} msi[64];
static int nr_msi;
static int accept = 1;		/* what the fake LAPICs answer */

static int record_msi(struct machine *mm, uint64_t address, uint32_t data)
{
	if (nr_msi < 64) {
		msi[nr_msi].address = address;
		msi[nr_msi].data = data;
	}
	nr_msi++;
	return accept;
}

static void outb(uint16_t port, uint8_t v)
{
	ioport_write(&m.pio, port, 1, v);
}

static uint8_t inb(uint16_t port)
{
	return ioport_read(&m.pio, port, 1);
}

static uint8_t read_reg(uint16_t cmd, uint8_t ocw3)
{
	outb(cmd, ocw3);
	return inb(cmd);
}

/* One new message since before, for vector, sent as ExtINT. */
static int sent(int before, uint8_t vector)
{
	return nr_msi == before + 1 && msi[before].address == 0xfee00000 &&
	       msi[before].data == (EXTINT | vector);
}

/* init_8259A(auto_eoi) as Linux writes it, masks restored to all off. */
static void linux_init(bool auto_eoi)
{
	outb(MASTER_IMR, 0xff);
	outb(SLAVE_IMR, 0xff);
	outb(MASTER_CMD, 0x11);			/* ICW1: edge, cascade, ICW4 */
	outb(MASTER_IMR, 0x30);			/* ICW2: vectors 0x30-0x37 */
	outb(MASTER_IMR, 1u << 2);		/* ICW3: slave on IR2 */
	outb(MASTER_IMR, auto_eoi ? 0x03 : 0x01); /* ICW4: 8086 (+AEOI) */
	outb(SLAVE_CMD, 0x11);
	outb(SLAVE_IMR, 0x38);
	outb(SLAVE_IMR, 2);			/* ICW3: cascade identity */
	outb(SLAVE_IMR, 0x01);
}

static void test_probe_and_init(void)
{
	is_int(inb(MASTER_IMR), 0xff, "reset: master inputs all masked");
	is_int(inb(SLAVE_IMR), 0xff, "reset: slave inputs all masked");
	outb(SLAVE_IMR, 0xff);
	outb(MASTER_IMR, 0xff);
	is_int(inb(MASTER_IMR), 0xff, "Linux's probe: 0xFF written, 0xFF read");
	outb(MASTER_IMR, 0xfb);
	is_int(inb(MASTER_IMR), 0xfb, "the mask reads back what was written");

	linux_init(false);
	is_int(inb(MASTER_IMR), 0x00, "ICW1 clears the mask");
	outb(MASTER_IMR, 0xff);
	outb(SLAVE_IMR, 0xff);
	nr_msi = 0;
	isa_irq_pulse(&m, 0);
	is_int(nr_msi, 0, "a masked IRQ 0 sends nothing");
	is_int(read_reg(MASTER_CMD, READ_IRR) & 1, 1,
	       "... and stays pending in IRR");
	outb(MASTER_IMR, 0xfe);
	ok(sent(0, 0x30), "unmasking it sends vector 0x30 as ExtINT "
	   "(0x%llx 0x%x)", (unsigned long long)msi[0].address, msi[0].data);
	is_int(read_reg(MASTER_CMD, READ_ISR), 0x01,
	       "the accepted IRQ 0 is in service");
	is_int(read_reg(MASTER_CMD, READ_IRR) & 1, 0,
	       "and no longer requested");
}

static void test_nesting(void)
{
	int n;

	/* IRQ 0 in service from test_probe_and_init. */
	n = nr_msi;
	ok(isa_irq_pulse(&m, 0), "IRQ 0 again is a new request (in the IRR)");
	is_int(nr_msi, n, "... that waits while IRQ 0 is in service");
	ok(!isa_irq_pulse(&m, 0),
	   "a third edge merges with the one in the IRR: not a new request");
	outb(MASTER_CMD, EOI);
	ok(sent(n, 0x30), "the EOI lets the waiting IRQ 0 through");
	outb(MASTER_CMD, EOI);

	/* IRQ 3 in service: IRQ 1 preempts, IRQ 5 waits. */
	outb(MASTER_IMR, 0xd4);		/* IRQ 0, 1, 3, 5 open */
	n = nr_msi;
	isa_irq_pulse(&m, 3);
	ok(sent(n, 0x33), "IRQ 3 sends vector 0x33");
	isa_irq_pulse(&m, 5);
	is_int(nr_msi, n + 1, "lower-priority IRQ 5 waits behind IRQ 3");
	isa_irq_pulse(&m, 1);
	is_int(nr_msi, n + 1, "IRQ 1 waits while vector 0x33 may be unseen");
	is_int(read_reg(MASTER_CMD, READ_ISR), 0x0a,
	       "an OCW3 from the handler lets higher-priority IRQ 1 nest");
	ok(sent(n + 1, 0x31), "... as vector 0x31");
	outb(MASTER_CMD, EOI);
	is_int(nr_msi, n + 2, "EOI of IRQ 1: IRQ 5 still waits behind 3");
	is_int(read_reg(MASTER_CMD, READ_ISR), 0x08,
	       "the non-specific EOI ended the highest one, IRQ 1");
	outb(MASTER_CMD, 0x60 | 3);	/* specific EOI, IR3 */
	ok(sent(n + 2, 0x35), "specific EOI of IRQ 3 lets IRQ 5 in");
	outb(MASTER_CMD, EOI);
	is_int(read_reg(MASTER_CMD, READ_ISR), 0, "all ended");
}

static void test_not_accepted(void)
{
	int n = nr_msi;

	accept = 0;
	isa_irq_pulse(&m, 1);
	ok(nr_msi > n, "IRQ 1 is offered to the LAPICs");
	is_int(read_reg(MASTER_CMD, READ_ISR), 0,
	       "nobody took it: nothing in service");
	is_int(read_reg(MASTER_CMD, READ_IRR) & 2, 2, "it stays requested");
	accept = 1;
	n = nr_msi;
	outb(MASTER_IMR, 0xd4);
	ok(sent(n, 0x31), "offered again at the next change, and taken");
	outb(MASTER_CMD, EOI);
}

static void test_slave(void)
{
	int n = nr_msi;

	outb(SLAVE_IMR, 0xfe);
	isa_irq_pulse(&m, 8);
	is_int(nr_msi, n, "IRQ 8 waits while the cascade input is masked");
	outb(MASTER_IMR, 0xd0);		/* open IR2 */
	ok(sent(n, 0x38), "IRQ 8 arrives through the cascade as vector 0x38");
	is_int(read_reg(MASTER_CMD, READ_ISR), 0x04, "master: IR2 in service");
	is_int(read_reg(SLAVE_CMD, READ_ISR), 0x01, "slave: IR0 in service");
	outb(SLAVE_CMD, EOI);
	outb(MASTER_CMD, EOI);
	is_int(read_reg(SLAVE_CMD, READ_ISR) | read_reg(MASTER_CMD, READ_ISR),
	       0, "EOI to both ends it");
}

static void test_level(void)
{
	int n;

	outb(ELCR_MASTER, 0xff);
	is_int(inb(ELCR_MASTER), 0xf8, "ELCR1: IRQ 0-2 cannot be level");
	outb(ELCR_MASTER, 0x00);
	outb(ELCR_SLAVE, 0xff);
	is_int(inb(ELCR_SLAVE), 0xde, "ELCR2: IRQ 8 and 13 cannot be level");
	outb(ELCR_SLAVE, 0x02);		/* IRQ 9 level, as for the ACPI SCI */
	is_int(inb(ELCR_SLAVE), 0x02, "ELCR2 reads back");

	outb(SLAVE_IMR, 0xfd);
	n = nr_msi;
	isa_irq_set(&m, 9, true);
	ok(sent(n, 0x39), "level IRQ 9 sends vector 0x39");
	outb(SLAVE_CMD, EOI);
	outb(MASTER_CMD, EOI);
	ok(sent(n + 1, 0x39), "still asserted after EOI: sent again");
	isa_irq_set(&m, 9, false);
	is_int(read_reg(SLAVE_CMD, READ_IRR) & 2, 0,
	       "a level request goes away with its line");
	outb(SLAVE_CMD, EOI);
	outb(MASTER_CMD, EOI);
	is_int(nr_msi, n + 2, "deasserted: nothing after EOI");

	/* An edge input held high interrupts once. */
	n = nr_msi;
	isa_irq_set(&m, 1, true);
	outb(MASTER_CMD, EOI);
	is_int(nr_msi, n + 1, "an edge input held high interrupts once");
	isa_irq_set(&m, 1, false);
	outb(ELCR_SLAVE, 0);
}

static void test_modes(void)
{
	int n;

	/* Auto-EOI, as Linux's check_timer() re-initialises it. */
	linux_init(true);
	outb(MASTER_IMR, 0xfc);
	outb(SLAVE_IMR, 0xff);
	n = nr_msi;
	isa_irq_pulse(&m, 0);
	ok(sent(n, 0x30), "auto-EOI: IRQ 0 sent");
	is_int(read_reg(MASTER_CMD, READ_ISR), 0,
	       "auto-EOI: nothing in service");
	isa_irq_pulse(&m, 0);
	ok(sent(n + 1, 0x30), "auto-EOI: the next IRQ 0 needs no EOI");
	outb(ELCR_MASTER, 0x08);	/* IRQ 3 level */
	outb(MASTER_IMR, 0xf4);
	n = nr_msi;
	isa_irq_set(&m, 3, true);
	ok(sent(n, 0x33), "auto-EOI, level IRQ 3 held high: sent once");
	outb(MASTER_IMR, 0xf4);
	ok(sent(n + 1, 0x33), "and again at the next change");
	isa_irq_set(&m, 3, false);
	outb(ELCR_MASTER, 0x00);

	/* Priority rotation: IR3 lowest makes IR4 the highest. */
	linux_init(false);
	outb(MASTER_IMR, 0xff);
	isa_irq_pulse(&m, 1);
	isa_irq_pulse(&m, 4);
	outb(MASTER_CMD, 0xc0 | 3);	/* set priority: IR3 lowest */
	n = nr_msi;
	outb(MASTER_IMR, 0xed);
	ok(nr_msi >= n + 1 && msi[n].data == (EXTINT | 0x34),
	   "after rotation IR4 goes before IR1");
	isa_irq_pulse(&m, 4);
	outb(MASTER_CMD, 0xa0);		/* rotate on non-specific EOI */
	ok(sent(n + 1, 0x31), "rotate on EOI makes IR4 lowest: IR1 first");
	outb(MASTER_CMD, EOI);
	ok(sent(n + 2, 0x34), "then IR4");
	outb(MASTER_CMD, EOI);
	outb(MASTER_CMD, 0xc7);		/* back to IR7 lowest */

	/* Poll: the read is the acknowledge. */
	accept = 0;
	isa_irq_pulse(&m, 1);
	outb(MASTER_CMD, 0x0c);
	is_int(inb(MASTER_CMD), 0x81, "poll: 0x80 | IR1");
	is_int(read_reg(MASTER_CMD, READ_ISR), 0x02, "poll put IR1 in service");
	outb(MASTER_CMD, 0x0c);
	is_int(inb(MASTER_CMD), 0x00, "poll with nothing pending reads 0");
	outb(MASTER_CMD, EOI);
	accept = 1;

	/* Special mask mode: a masked IR in service blocks nothing. */
	outb(MASTER_IMR, 0xec);		/* IR0, IR1, IR4 open */
	n = nr_msi;
	isa_irq_pulse(&m, 0);
	ok(sent(n, 0x30), "IRQ 0 in service");
	isa_irq_pulse(&m, 4);
	is_int(nr_msi, n + 1, "IRQ 4 waits behind it");
	outb(MASTER_CMD, 0x68);		/* OCW3: set special mask mode */
	outb(MASTER_IMR, 0xed);		/* mask IR0 */
	ok(sent(n + 1, 0x34), "special mask mode: masking IR0 lets IRQ 4 in");
	outb(MASTER_CMD, 0x48);		/* reset special mask mode */
	outb(MASTER_CMD, 0x60 | 4);
	outb(MASTER_CMD, 0x60 | 0);
	is_int(read_reg(MASTER_CMD, READ_ISR), 0, "specific EOIs end both");

	/* Mid-initialisation, nothing is sent. */
	n = nr_msi;
	outb(MASTER_CMD, 0x11);
	isa_irq_pulse(&m, 1);
	is_int(nr_msi, n, "nothing is sent during the ICW sequence");
	outb(MASTER_IMR, 0x30);
	outb(MASTER_IMR, 0x04);
	outb(MASTER_IMR, 0x01);
	ok(sent(n, 0x31), "the request goes out when the sequence ends");
	outb(MASTER_CMD, EOI);
}

static void test_garbage(void)
{
	int n = nr_msi;

	outb(MASTER_IMR, 0x00);
	m.isa_chip->set_pin(m.isa_chip->opaque, 2, true);
	m.isa_chip->set_pin(m.isa_chip->opaque, 99, true);
	is_int(nr_msi, n,
	       "input 2 (the cascade) and inputs past 15 are ignored");
	ioport_write(&m.pio, MASTER_CMD, 2, 0xfb0b);
	is_int(inb(MASTER_IMR), 0xfb, "a word write covers both ports");
	outb(MASTER_IMR, 0xff);
	ok(!isa_irq_pulse(&m, 4), "an edge on a masked IR is no new request");
}

int main(void)
{
	machine_init(&m, -1);
	m.signal_msi = record_msi;
	is_int(devices_init(&m, NULL), 0, "the PICs register themselves");
	ok(m.isa_chip && m.isa_chip->set_pin, "... as the ISA interrupt chip");
	test_probe_and_init();
	test_nesting();
	test_not_accepted();
	test_slave();
	test_level();
	test_modes();
	test_garbage();
	return tap_done();
}
