// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAPIC, programmed through its MMIO window as a guest does, with
 * machine->signal_msi recording the messages it sends (82093AA datasheet;
 * message format SDM Vol. 3A 11.11).
 */
#include "devices.h"
#include "irq.h"
#include "machine.h"
#include "pc_layout.h"
#include "tap.h"

#define IOREGSEL	(PC_IOAPIC_BASE + 0x00)
#define IOWIN		(PC_IOAPIC_BASE + 0x10)
#define EOIR		(PC_IOAPIC_BASE + 0x40)
#define REDIR_LO(pin)	(0x10 + 2 * (pin))
#define REDIR_HI(pin)	(0x11 + 2 * (pin))

#define MASKED		(1u << 16)
#define LEVEL		(1u << 15)
#define REMOTE_IRR	(1u << 14)
#define DELIVS		(1u << 12)
#define LOGICAL		(1u << 11)

static struct machine m;

static struct {
	uint64_t address;
	uint32_t data;
} msi[64];
static int nr_msi;
static int accept = 1;

static int record_msi(struct machine *mm, uint64_t address, uint32_t data)
{
	if (nr_msi < 64) {
		msi[nr_msi].address = address;
		msi[nr_msi].data = data;
	}
	nr_msi++;
	return accept;
}

static uint32_t rd(uint32_t reg)
{
	uint64_t v = 0;

	bus_write(&m.mmio, IOREGSEL, 4, reg);
	bus_read(&m.mmio, IOWIN, 4, &v);
	return v;
}

static void wr(uint32_t reg, uint32_t v)
{
	bus_write(&m.mmio, IOREGSEL, 4, reg);
	bus_write(&m.mmio, IOWIN, 4, v);
}

static void program(unsigned int pin, uint32_t low, uint8_t dest)
{
	wr(REDIR_HI(pin), (uint32_t)dest << 24);
	wr(REDIR_LO(pin), low);
}

static int sent(int before, uint64_t address, uint32_t data)
{
	return nr_msi == before + 1 && msi[before].address == address &&
	       msi[before].data == data;
}

static void test_registers(void)
{
	uint64_t v = 0;
	unsigned int pin, masked = 0;

	is_int(rd(0x00), PC_IOAPIC_ID << 24, "ID register holds PC_IOAPIC_ID");
	is_int(rd(0x01), 0x00170020,
	       "version 0x20, maximum redirection entry 23");
	is_int(rd(0x02), rd(0x00), "arbitration ID follows the ID");
	wr(0x00, 0xffffffff);
	is_int(rd(0x00), 0x0f000000, "only ID bits 27:24 are writable");
	wr(0x00, PC_IOAPIC_ID << 24);
	wr(0x01, 0);
	is_int(rd(0x01), 0x00170020, "the version register is read-only");

	for (pin = 0; pin < PC_IOAPIC_PINS; pin++)
		if (rd(REDIR_LO(pin)) == MASKED && rd(REDIR_HI(pin)) == 0)
			masked++;
	is_int(masked, PC_IOAPIC_PINS, "reset: every entry masked, all else 0");

	wr(REDIR_HI(5), 0xffffffff);
	is_int(rd(REDIR_HI(5)), 0xff000000, "high half: only the destination");
	wr(REDIR_LO(5), 0xffffffff);
	is_int(rd(REDIR_LO(5)), 0x1afff,
	       "low half: delivery status and Remote IRR are read-only");
	wr(REDIR_LO(5), MASKED);
	wr(REDIR_HI(5), 0);

	bus_write(&m.mmio, IOREGSEL, 4, 0x1234);
	bus_read(&m.mmio, IOREGSEL, 4, &v);
	is_int(v, 0x34, "IOREGSEL keeps its 8 bits");
	is_int(rd(0x40), 0, "a register past the table reads 0");
	wr(0x40, 0xffffffff);
	wr(0xff, 0xffffffff);
	is_int(rd(0x03), 0, "an unknown register reads 0, ignores writes");
	bus_write(&m.mmio, IOREGSEL, 4, 0x01);
	bus_read(&m.mmio, IOWIN + 2, 1, &v);
	is_int(v, 0x17, "a byte read inside IOWIN reads that byte");
	v = 1;
	bus_read(&m.mmio, IOWIN + 2, 4, &v);
	is_int(v, 0, "an access crossing a register reads 0");
	bus_read(&m.mmio, EOIR, 4, &v);
	is_int(v, 0, "the EOI register reads 0");
}

static void test_edge(void)
{
	int n = nr_msi;

	program(4, 0x24, 1);
	gsi_set(&m, 4, true);
	ok(sent(n, 0xfee01000, 0x24),
	   "pin 4, vector 0x24, dest 1: address 0xFEE01000 data 0x24 "
	   "(0x%llx 0x%x)", (unsigned long long)msi[n].address, msi[n].data);
	gsi_set(&m, 4, true);
	is_int(nr_msi, n + 1, "an edge pin held high sends once");
	gsi_set(&m, 4, false);
	isa_irq_set(&m, 4, true);
	ok(sent(n + 1, 0xfee01000, 0x24), "the next rising edge sends again");
	isa_irq_set(&m, 4, false);
	is_int(rd(REDIR_LO(4)) & (REMOTE_IRR | DELIVS), 0,
	       "edge: no Remote IRR, delivery status 0");

	n = nr_msi;
	wr(REDIR_LO(4), MASKED | 0x24);
	ok(!isa_irq_pulse(&m, 4), "an edge while masked is no new request");
	wr(REDIR_LO(4), 0x24);
	is_int(nr_msi, n, "... and is lost, even once unmasked");
	ok(isa_irq_pulse(&m, 4), "an edge a LAPIC accepts is a new request");
	accept = 0;
	ok(!isa_irq_pulse(&m, 4),
	   "one no LAPIC accepted (merged in its IRR) is not");
	accept = 1;

	n = nr_msi;
	program(2, 0x30, 0);
	isa_irq_pulse(&m, 0);
	ok(sent(n, 0xfee00000, 0x30), "ISA IRQ 0 arrives on pin 2");

	n = nr_msi;
	program(6, LOGICAL | 0x26, 0x03);
	isa_irq_pulse(&m, 6);
	ok(sent(n, 0xfee03004, 0x26), "logical destination: bit 2 of address");
	program(6, 0x100 | 0x26, 0x0f);
	isa_irq_pulse(&m, 6);
	ok(sent(n + 1, 0xfee0f000, 0x126), "lowest priority: delivery mode 1");
	program(6, 0x400, 0);
	isa_irq_pulse(&m, 6);
	ok(sent(n + 2, 0xfee00000, 0x400), "NMI: delivery mode 4");
	program(6, 0x300 | 0x26, 0);
	isa_irq_pulse(&m, 6);
	is_int(nr_msi, n + 3, "reserved delivery mode 3 sends nothing");
	wr(REDIR_LO(6), MASKED);

	n = nr_msi;
	gsi_set(&m, 24, true);
	gsi_set(&m, ~0u, true);
	is_int(nr_msi, n, "pins past 23 are ignored");
}

static void test_level(void)
{
	uint32_t data = LEVEL | REMOTE_IRR | 0x39;	/* bits 15, 14 */
	int n = nr_msi;

	program(9, LEVEL | 0x39, 0);
	gsi_set(&m, 9, true);
	ok(sent(n, 0xfee00000, data), "level pin 9: data 0xC039");
	ok(rd(REDIR_LO(9)) & REMOTE_IRR, "accepted: Remote IRR set");
	gsi_set(&m, 9, true);
	is_int(nr_msi, n + 1, "nothing more while Remote IRR is set");
	irq_eoi(&m, 0x38);
	is_int(nr_msi, n + 1, "an EOI for another vector changes nothing");
	irq_eoi(&m, 0x39);
	ok(sent(n + 1, 0xfee00000, data), "EOI while asserted: sent again");
	ok(rd(REDIR_LO(9)) & REMOTE_IRR, "and Remote IRR set again");
	gsi_set(&m, 9, false);
	irq_eoi(&m, 0x39);
	is_int(nr_msi, n + 2, "EOI after deassert: nothing sent");
	is_int(rd(REDIR_LO(9)) & REMOTE_IRR, 0, "Remote IRR clear");

	/* The EOI register does what the broadcast does. */
	gsi_set(&m, 9, true);
	bus_write(&m.mmio, EOIR, 4, 0x39);
	is_int(nr_msi, n + 4, "EOI register: cleared and sent again");
	/* So does switching the pin to edge and back (version 0x11 idiom). */
	wr(REDIR_LO(9), MASKED | 0x39);
	is_int(rd(REDIR_LO(9)) & REMOTE_IRR, 0, "edge mode clears Remote IRR");
	wr(REDIR_LO(9), MASKED | LEVEL | 0x39);
	is_int(nr_msi, n + 4, "masked: nothing sent");
	wr(REDIR_LO(9), LEVEL | 0x39);
	ok(sent(n + 4, 0xfee00000, data),
	   "unmasking an asserted level pin sends it");
	gsi_set(&m, 9, false);
	irq_eoi(&m, 0x39);

	/* Not accepted: no Remote IRR, so the next chance sends again. */
	n = nr_msi;
	accept = 0;
	program(10, LEVEL | 0x3a, 0);
	gsi_set(&m, 10, true);
	is_int(nr_msi, n + 1, "level pin 10 offered");
	is_int(rd(REDIR_LO(10)) & REMOTE_IRR, 0,
	       "nobody accepted: Remote IRR stays clear");
	accept = 1;
	wr(REDIR_LO(10), LEVEL | 0x3a);
	ok(nr_msi == n + 2 && (rd(REDIR_LO(10)) & REMOTE_IRR),
	   "rewriting the entry offers it again, now accepted");
	gsi_set(&m, 10, false);
	irq_eoi(&m, 0x3a);
	wr(REDIR_LO(10), MASKED);
	wr(REDIR_LO(9), MASKED);
}

int main(void)
{
	machine_init(&m, -1);
	m.signal_msi = record_msi;
	is_int(devices_init(&m, NULL), 0, "the IOAPIC registers itself");
	ok(m.gsi_chip && m.gsi_chip->set_pin && m.gsi_chip->eoi,
	   "... as the GSI interrupt chip");
	ok(m.mmio.nr_ranges == 1 && m.mmio.ranges[0].base == PC_IOAPIC_BASE,
	   "... on the MMIO bus at 0xFEC00000");
	test_registers();
	test_edge();
	test_level();
	return tap_done();
}
