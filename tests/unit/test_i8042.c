// SPDX-License-Identifier: GPL-2.0
/*
 * The i8042 keyboard controller through 0x60/0x64: controller commands,
 * the keyboard's replies, IRQ 1 and 12 edges, the aux checks Linux's
 * i8042 driver makes, and the reset line.
 */
#include "devices.h"
#include "exitcodes.h"
#include "fake_platform.h"
#include "machine.h"
#include "tap.h"

#define DATA	0x60
#define CMD	0x64

static struct machine m;
static int resets, last_status;

static void fake_exit(struct machine *mm, int status)
{
	resets++;
	last_status = status;
}

static void outb(uint16_t port, uint8_t v)
{
	ioport_write(&m.pio, port, 1, v);
}

static uint8_t inb(uint16_t port)
{
	return ioport_read(&m.pio, port, 1);
}

/* -1 when the output buffer is empty, as a driver polling OBF sees it. */
static int read_reply(void)
{
	if (!(inb(CMD) & 0x01))
		return -1;
	return inb(DATA);
}

static void flush(void)
{
	while (read_reply() >= 0)
		;
}

static int command(uint8_t cmd)
{
	outb(CMD, cmd);
	return read_reply();
}

static void test_controller(void)
{
	uint8_t st = inb(CMD);

	is_int(st & 0x03, 0, "status: output and input buffers empty");
	is_int(st & 0x04, 0x04, "status: system flag set (POST passed)");
	is_int(command(0xaa), 0x55, "0xAA self-test answers 0x55");
	is_int(inb(CMD) & 0x0c, 0x0c,
	       "status: SYS set, CMD set after a write to 0x64");
	is_int(read_reply(), -1, "one reply only");
	is_int(command(0xab), 0x00, "0xAB keyboard interface test: 0x00");
	is_int(command(0xa9), 0x00, "0xA9 aux interface test: 0x00");
	is_int(command(0x20), 0x65,
	       "0x20: command byte as a BIOS leaves it (0x65)");

	outb(CMD, 0x60);
	outb(DATA, 0x47);
	is_int(inb(CMD) & 0x08, 0, "status: CMD clear after a write to 0x60");
	is_int(command(0x20), 0x47, "0x60 writes the command byte");
	is_int(read_reply(), -1, "a command byte write has no reply");

	outb(CMD, 0xad);
	is_int(command(0x20) & 0x10, 0x10, "0xAD sets KBDDIS");
	outb(CMD, 0xae);
	is_int(command(0x20) & 0x10, 0, "0xAE clears KBDDIS");
	outb(CMD, 0xa7);
	is_int(command(0x20) & 0x20, 0x20, "0xA7 sets AUXDIS");
	outb(CMD, 0xa8);
	is_int(command(0x20) & 0x20, 0, "0xA8 clears AUXDIS");

	outb(CMD, 0x60);
	outb(DATA, 0x61);			/* SYS clear */
	is_int(inb(CMD) & 0x04, 0, "status SYS follows the command byte");
	outb(CMD, 0x65);			/* RAM byte 5 */
	outb(DATA, 0x12);
	is_int(command(0x25), 0x12, "0x25/0x65 read and write RAM byte 5");
	outb(CMD, 0x60);
	outb(DATA, 0x65);
}

/* Linux's i8042_check_aux(), with no mouse behind the port. */
static void test_aux(void)
{
	unsigned int e12 = fake_isa_edges(12);

	outb(CMD, 0xd3);
	outb(DATA, 0x5a);
	is_int(inb(CMD) & 0x21, 0x21, "0xD3 loopback: OBF with AUXB");
	is_int(inb(DATA), 0x5a, "0xD3 loopback echoes the byte");
	is_int(fake_isa_edges(12), e12, "no IRQ 12 while AUXINT is clear");

	outb(CMD, 0x60);
	outb(DATA, 0x67);			/* AUXINT on */
	outb(CMD, 0xd3);
	outb(DATA, 0xa5);
	is_int(fake_isa_edges(12) - e12, 1, "IRQ 12 for an aux byte");
	ok(!fake_isa_level(1), "...and not IRQ 1");
	is_int(inb(DATA), 0xa5, "the IRQ test byte reads back");
	ok(!fake_isa_level(12), "reading it drops IRQ 12");

	outb(CMD, 0xd4);
	outb(DATA, 0xff);			/* reset the mouse */
	is_int(inb(CMD) & 0x61, 0x61,
	       "0xD4 with no mouse: aux byte with the timeout bit");
	is_int(inb(DATA), 0xfe, "...and the byte is 0xFE");
	is_int(inb(CMD) & 0x41, 0, "timeout and OBF clear once read");
	outb(CMD, 0x60);
	outb(DATA, 0x65);
}

static void test_keyboard(void)
{
	outb(DATA, 0xff);
	ok(read_reply() == 0xfa && read_reply() == 0xaa &&
	   read_reply() == -1, "keyboard 0xFF reset: 0xFA 0xAA");
	outb(DATA, 0xf2);
	ok(read_reply() == 0xfa && read_reply() == 0xab &&
	   read_reply() == 0x83, "keyboard 0xF2 identify: 0xFA 0xAB 0x83");
	outb(DATA, 0xf4);
	is_int(read_reply(), 0xfa, "keyboard 0xF4 enable: 0xFA");
	outb(DATA, 0xf5);
	is_int(read_reply(), 0xfa, "keyboard 0xF5 disable: 0xFA");
	outb(DATA, 0xed);
	is_int(read_reply(), 0xfa, "keyboard 0xED LEDs: 0xFA");
	outb(DATA, 0x07);
	is_int(read_reply(), 0xfa, "...and 0xFA for the LED byte");
	outb(DATA, 0xf3);
	outb(DATA, 0x20);
	ok(read_reply() == 0xfa && read_reply() == 0xfa,
	   "keyboard 0xF3 typematic: 0xFA twice");
	outb(DATA, 0xf0);
	outb(DATA, 0x00);
	ok(read_reply() == 0xfa && read_reply() == 0xfa &&
	   read_reply() == 0x02, "keyboard 0xF0 0: scan code set 2");
	outb(DATA, 0xee);
	is_int(read_reply(), 0xee, "keyboard 0xEE echo");
	outb(DATA, 0x99);
	is_int(read_reply(), 0xfe, "unknown keyboard command: 0xFE");
	outb(DATA, 0xed);
	outb(DATA, 0xf4);
	ok(read_reply() == 0xfa && read_reply() == 0xfa &&
	   read_reply() == -1,
	   "a command in place of a parameter is a command");
	is_int(inb(CMD) & 0x20, 0, "keyboard replies are not aux data");
}

static void test_irq1(void)
{
	unsigned int e1 = fake_isa_edges(1);

	outb(DATA, 0xf2);			/* three reply bytes */
	is_int(fake_isa_edges(1) - e1, 1, "IRQ 1 rises with the first byte");
	inb(DATA);
	is_int(fake_isa_edges(1) - e1, 2, "reading it: a new edge for byte 2");
	inb(DATA);
	inb(DATA);
	is_int(fake_isa_edges(1) - e1, 3, "one edge per byte");
	ok(!fake_isa_level(1), "IRQ 1 low once the buffer is empty");

	outb(CMD, 0x60);
	outb(DATA, 0x64);			/* KBDINT off */
	e1 = fake_isa_edges(1);
	outb(DATA, 0xf4);
	is_int(fake_isa_edges(1), e1, "no IRQ 1 while KBDINT is clear");
	outb(CMD, 0x60);
	outb(DATA, 0x65);
	is_int(fake_isa_edges(1) - e1, 1,
	       "setting KBDINT with a byte waiting raises IRQ 1");
	flush();
	is_int(inb(DATA), 0xfa, "an empty buffer rereads its last byte");
}

static void test_reset(void)
{
	resets = 0;
	is_int(command(0xd0), 0x03, "0xD0: output port, reset high, A20 on");
	outb(CMD, 0xd1);
	outb(DATA, 0x03);
	is_int(resets, 0, "0xD1 with bit 0 set does not reset");
	outb(CMD, 0xff);
	outb(CMD, 0xfd);			/* pulses bit 1 only */
	is_int(resets, 0, "0xFF and 0xFD pulse no reset line");
	outb(CMD, 0xfe);
	ok(resets == 1 && last_status == EXIT_CODE_RESET,
	   "0xFE pulses reset: exit %d requested", last_status);
	outb(CMD, 0xf0);
	is_int(resets, 2, "0xF0 pulses every line, reset too");
	outb(CMD, 0xd1);
	outb(DATA, 0x02);
	ok(resets == 3 && last_status == EXIT_CODE_RESET,
	   "0xD1 with bit 0 clear resets");
	is_int(read_reply(), -1, "reset commands put nothing in the buffer");
}

int main(void)
{
	machine_init(&m, -1);
	m.request_exit = fake_exit;
	is_int(devices_init(&m, NULL), 0, "the i8042 registers itself");

	test_controller();
	test_aux();
	test_keyboard();
	test_irq1();
	test_reset();
	return tap_done();
}
