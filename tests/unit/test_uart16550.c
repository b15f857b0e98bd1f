// SPDX-License-Identifier: GPL-2.0
/*
 * The 16550 UART, driven through the port bus at COM1 as a guest would, with
 * its output on a pipe.  Register semantics: PC16550D datasheet.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "machine.h"
#include "tap.h"

#define COM1	0x3f8
#define THR	(COM1 + 0)
#define DLL	(COM1 + 0)
#define IER	(COM1 + 1)
#define DLM	(COM1 + 1)
#define IIR	(COM1 + 2)
#define FCR	(COM1 + 2)
#define LCR	(COM1 + 3)
#define MCR	(COM1 + 4)
#define LSR	(COM1 + 5)
#define MSR	(COM1 + 6)
#define SCR	(COM1 + 7)

static struct machine m;
static int out_rd;

static void outb(uint16_t port, uint8_t v)
{
	ioport_write(&m.pio, port, 1, v);
}

static uint8_t inb(uint16_t port)
{
	return ioport_read(&m.pio, port, 1);
}

/* Whatever the UART has written to the pipe so far. */
static ssize_t drain(char *buf, size_t len)
{
	ssize_t n = read(out_rd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n < 0 ? 0 : n;
}

static void test_transmit(void)
{
	const char *msg = "Hi!\r\n";
	char buf[64];
	size_t i;

	for (i = 0; i < strlen(msg); i++)
		outb(THR, msg[i]);
	is_int(drain(buf, sizeof(buf)), strlen(msg),
	       "THR writes reach the output at once");
	ok(strcmp(buf, msg) == 0, "output bytes are the THR bytes, in order");

	ioport_write(&m.pio, THR, 2, 'A' | ('B' << 8));
	drain(buf, sizeof(buf));
	ok(buf[0] == 'A' && buf[1] == '\0',
	   "word write to THR sends the low byte, high byte goes to IER");
	is_int(inb(IER), 'B' & 0x0f, "...and IER keeps only bits 0-3");
	outb(IER, 0);
}

static void test_lsr(void)
{
	uint8_t lsr = inb(LSR);
	char buf[16];

	is_int(lsr & 0x20, 0x20, "LSR bit 5: THR empty");
	is_int(lsr & 0x40, 0x40, "LSR bit 6: transmitter empty");
	is_int(lsr & 0x01, 0, "LSR bit 0: no received data");
	outb(THR, 'x');
	is_int(inb(LSR) & 0x60, 0x60, "THR still empty right after a write");
	drain(buf, sizeof(buf));
	outb(LSR, 0x00);
	is_int(inb(LSR) & 0x60, 0x60, "writes to LSR do not change it");
}

static void test_dlab(void)
{
	char buf[16];

	outb(IER, 0x05);
	outb(LCR, 0x83);		/* DLAB, 8N1 */
	outb(DLL, 0x01);
	outb(DLM, 0x02);
	is_int(inb(DLL), 0x01, "DLAB=1: offset 0 is DLL");
	is_int(inb(DLM), 0x02, "DLAB=1: offset 1 is DLM");
	is_int(drain(buf, sizeof(buf)), 0, "DLAB=1: writing DLL sends nothing");
	outb(LCR, 0x03);
	is_int(inb(LCR), 0x03, "LCR reads back");
	is_int(inb(IER), 0x05, "DLAB=0: offset 1 is IER again, unchanged");
	outb(THR, 'z');
	ok(drain(buf, sizeof(buf)) == 1 && buf[0] == 'z',
	   "DLAB=0: offset 0 is THR again");
	outb(LCR, 0x83);
	ok(inb(DLL) == 0x01 && inb(DLM) == 0x02,
	   "divisor latch survives THR/IER use");
	outb(LCR, 0x03);
	outb(IER, 0);
}

static void test_registers(void)
{
	outb(SCR, 0x5a);
	is_int(inb(SCR), 0x5a, "scratch register round-trips 0x5A");
	outb(SCR, 0xa5);
	is_int(inb(SCR), 0xa5, "scratch register round-trips 0xA5");
	outb(IER, 0xff);
	is_int(inb(IER), 0x0f, "IER bits 4-7 read as 0");
	outb(IER, 0);
	is_int(inb(IIR), 0x01, "IIR: no interrupt pending, FIFOs off");
	outb(FCR, 0x07);
	is_int(inb(IIR), 0xc1, "IIR bits 6-7 set once FCR enables FIFOs");
	outb(MCR, 0xff);
	is_int(inb(MCR), 0x1f, "MCR bits 5-7 read as 0");
	outb(MCR, 0x03);
	is_int(inb(MSR) & 0xf0, 0xb0, "MSR: DCD, DSR, CTS asserted");
}

/* Linux's 8250 probe: loopback with OUT2 and RTS must show DCD and CTS. */
static void test_loopback(void)
{
	char buf[16];

	outb(MCR, 0x10 | 0x0a);
	is_int(inb(MSR) & 0xf0, 0x90, "loopback: MSR = DCD|CTS from OUT2|RTS");
	outb(MCR, 0x10 | 0x05);
	is_int(inb(MSR) & 0xf0, 0x60, "loopback: MSR = RI|DSR from OUT1|DTR");
	outb(THR, 'L');
	is_int(drain(buf, sizeof(buf)), 0, "loopback: THR does not leave");
	is_int(inb(LSR) & 0x01, 0x01, "loopback: data ready in LSR");
	is_int(inb(COM1), 'L', "loopback: RBR returns the byte");
	is_int(inb(LSR) & 0x01, 0, "reading RBR clears data ready");
	outb(MCR, 0x03);
}

int main(void)
{
	const char *failed = NULL;
	int p[2];

	if (pipe2(p, O_NONBLOCK) < 0)
		return 1;
	out_rd = p[0];
	machine_init(&m, p[1]);
	is_int(devices_init(&m, &failed), 0, "UART registers itself");
	ok(m.pio.nr_ranges == 1 && m.pio.ranges[0].base == COM1 &&
	   m.pio.ranges[0].len == 8, "UART claims 0x3F8-0x3FF");
	test_transmit();
	test_lsr();
	test_dlab();
	test_registers();
	test_loopback();
	return tap_done();
}
