// SPDX-License-Identifier: GPL-2.0
/*
 * The 16550 UART, driven through the port bus at COM1 as a guest would, with
 * its output on a pipe, its input on another pipe read through the event
 * loop, and a recording chip on the ISA IRQ lines.  Register semantics:
 * PC16550D datasheet.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "console_out.h"
#include "devices.h"
#include "evloop.h"
#include "irq.h"
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

#define SEC	1000000000ULL
#define UART_FIFO	16

static struct machine m;
static int out_rd, in_wr;

/* The recording ISA chip: COM1's line is IRQ 4. */
static bool irq4;
static int irq4_edges;

static bool rec_set_pin(void *opaque, unsigned int pin, bool level)
{
	bool edge = level && !irq4;

	if (pin != 4)
		return false;
	if (edge)
		irq4_edges++;
	irq4 = level;
	return edge;
}

static const struct irq_chip rec_chip = {
	.name = "recorder", .set_pin = rec_set_pin,
};

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

/*
 * THRE: the interrupt shows in IIR once IER asks for it, the line only
 * with OUT2 (the PC's interrupt gate), and reading IIR acknowledges it.
 */
static void test_thre_irq(void)
{
	char buf[16];
	int edges;

	outb(FCR, 0x07);
	outb(MCR, 0x00);
	outb(IER, 0x00);
	ok(!irq4, "no interrupt enabled: IRQ 4 low");
	outb(IER, 0x02);
	is_int(inb(IIR), 0xc2, "IER THRI with THR empty: IIR says THRE");
	ok(!irq4, "without OUT2 the line stays low");
	is_int(inb(IIR), 0xc1, "reading IIR acknowledged it");
	/* Linux's UART_BUG_THRE test: re-enabling THRI must re-assert it. */
	outb(IER, 0x00);
	outb(IER, 0x02);
	is_int(inb(IIR), 0xc2, "re-enabling THRI re-asserts THRE");

	outb(IER, 0x00);
	outb(MCR, 0x08);			/* OUT2 */
	edges = irq4_edges;
	outb(IER, 0x02);
	ok(irq4 && irq4_edges == edges + 1,
	   "with OUT2 set, THRE raises IRQ 4 (one rising edge)");
	is_int(inb(IIR), 0xc2, "IIR: THRE");
	ok(!irq4, "reading IIR lowers the line");
	outb(THR, '!');
	ok(irq4 && irq4_edges == edges + 2,
	   "a THR write empties THR again: a new edge");
	drain(buf, sizeof(buf));
	outb(MCR, 0x00);
	ok(!irq4, "clearing OUT2 lowers the line");
	outb(MCR, 0x08);
	ok(irq4, "setting it again raises it: THRE still pending");
	outb(MCR, 0x18);
	ok(!irq4, "loopback forces OUT2 off: line low");
	outb(MCR, 0x08);
	outb(IER, 0x00);
	ok(!irq4, "disabling the interrupt lowers the line");
	outb(MCR, 0x00);
}

static void feed(const char *s, size_t len)
{
	if (write(in_wr, s, len) != (ssize_t)len)
		diag("short write to the input pipe");
}

static void test_rx_input(void)
{
	char got[16];
	int i;

	outb(FCR, 0x87);		/* FIFOs on and cleared, trigger 8 */
	outb(IER, 0x01);		/* received data */
	outb(MCR, 0x08);
	ok(!irq4 && !(inb(LSR) & 0x01), "nothing received yet");
	feed("abc", 3);
	evloop_run_once(m.evloop, 5 * SEC);
	is_int(inb(LSR) & 0x01, 0x01, "input through the event loop: LSR DR");
	ok(irq4, "and IRQ 4 is raised");
	is_int(inb(IIR), 0xcc, "3 bytes, below trigger 8: character timeout");
	for (i = 0; i < 3; i++)
		got[i] = inb(COM1);
	ok(!memcmp(got, "abc", 3), "RBR gives the input bytes in order");
	ok(!(inb(LSR) & 0x01) && !irq4 && inb(IIR) == 0xc1,
	   "drained: DR clear, line low, no interrupt");

	feed("0123456789", 10);
	evloop_run_once(m.evloop, 5 * SEC);
	is_int(inb(IIR), 0xc4, "10 bytes, at least trigger 8: data available");
	for (i = 0; i < 10; i++)
		got[i] = inb(COM1);
	ok(!memcmp(got, "0123456789", 10), "all 10 bytes in order");
	ok(!irq4, "line low once drained");
	outb(IER, 0x00);
}

/* A full receiver leaves input in the pipe: no overrun, nothing lost. */
static void test_rx_flow_control(void)
{
	char in[20], got[20];
	int i, n = 0;

	for (i = 0; i < 20; i++)
		in[i] = 'A' + i;
	outb(FCR, 0x07);
	feed(in, 20);
	evloop_run_once(m.evloop, 5 * SEC);
	evloop_run_once(m.evloop, 0);
	while ((inb(LSR) & 0x01) && n < 20)
		got[n++] = inb(COM1);
	is_int(n, 16, "a 16-byte FIFO takes 16 of 20 bytes");
	evloop_run_once(m.evloop, 5 * SEC);
	while ((inb(LSR) & 0x01) && n < 20)
		got[n++] = inb(COM1);
	is_int(n, 20, "the other 4 come once the guest drained the FIFO");
	ok(!memcmp(in, got, 20), "nothing lost or reordered");
	is_int(inb(LSR) & 0x02, 0, "no overrun");

	/* 16450 mode: a one-byte receiver. */
	outb(FCR, 0x00);
	feed("xy", 2);
	evloop_run_once(m.evloop, 5 * SEC);
	evloop_run_once(m.evloop, 0);
	is_int(inb(IIR), 0x01, "FIFOs off: IIR bits 6-7 clear");
	ok((inb(LSR) & 0x03) == 0x01 && inb(COM1) == 'x',
	   "FIFOs off: one byte at a time, no overrun");
	evloop_run_once(m.evloop, 5 * SEC);
	ok(inb(COM1) == 'y' && !(inb(LSR) & 0x01), "then the next one");

	/* Loopback disconnects the input: it waits in the pipe. */
	outb(FCR, 0x07);
	outb(MCR, 0x10);
	feed("z", 1);
	evloop_run_once(m.evloop, 0);
	is_int(inb(LSR) & 0x01, 0, "loopback: console input is not received");
	outb(MCR, 0x00);
	evloop_run_once(m.evloop, 5 * SEC);
	ok((inb(LSR) & 0x01) && inb(COM1) == 'z',
	   "out of loopback it is received");
}

static void test_overrun(void)
{
	int i, n = 0;
	char got[17];

	outb(FCR, 0x07);		/* trigger level 1 */
	outb(IER, 0x05);		/* line status and received data */
	outb(MCR, 0x18);		/* loopback, OUT2 */
	for (i = 0; i < 17; i++)
		outb(THR, 'a' + i);
	is_int(inb(IIR), 0xc6, "17 bytes into 16: line status interrupt first");
	ok(!irq4, "loopback keeps the line low");
	is_int(inb(LSR) & 0x03, 0x03, "LSR: overrun and data ready");
	is_int(inb(LSR) & 0x02, 0, "reading LSR clears OE");
	is_int(inb(IIR), 0xc4, "then received data");
	while ((inb(LSR) & 0x01) && n < 17)
		got[n++] = inb(COM1);
	ok(n == 16 && !memcmp(got, "abcdefghijklmnop", 16),
	   "the FIFO keeps the first 16, the 17th is lost (%d)", n);

	outb(FCR, 0x00);
	outb(THR, '1');
	outb(THR, '2');
	is_int(inb(LSR) & 0x03, 0x03, "FIFOs off: a second byte overruns");
	ok(inb(COM1) == '2', "and replaces the unread one");
	outb(IER, 0x00);
	outb(MCR, 0x00);
}

static void test_modem_status(void)
{
	inb(MSR);
	outb(IER, 0x08);
	outb(MCR, 0x10);
	inb(MSR);
	is_int(inb(IIR), 0x01, "no modem change: no interrupt");
	outb(MCR, 0x12);		/* loopback RTS: CTS rises */
	is_int(inb(IIR), 0x00, "CTS changed: modem status interrupt");
	is_int(inb(MSR), 0x11, "MSR: CTS with its delta");
	is_int(inb(IIR), 0x01, "reading MSR acknowledged it");
	outb(MCR, 0x14);		/* RI rises, CTS falls */
	outb(MCR, 0x10);		/* RI falls: trailing edge */
	is_int(inb(MSR) & 0x0f, 0x05, "MSR: delta CTS and trailing-edge RI");
	outb(IER, 0x00);
	outb(MCR, 0x00);
	inb(MSR);
}

/*
 * A reader that does not keep up: once the pipe and the console's buffer
 * are full, THR stays full (the guest's driver waits, no vCPU does); when
 * the reader reads, the event loop writes on and THRE interrupts.
 */
static void test_tx_backpressure(void)
{
	static char buf[4096];
	unsigned long sent = 0, got = 0, bad = 0;
	int idle = 0;
	ssize_t n, i;

	is_int(fcntl(out_rd, F_SETPIPE_SZ, 4096), 4096, "a one-page pipe");
	outb(FCR, 0x07);
	outb(MCR, 0x08);			/* OUT2 */
	outb(IER, 0x00);
	while ((inb(LSR) & 0x60) && sent < 2 * CONSOLE_OUT_SIZE)
		outb(THR, sent++ % 251);
	is_int(sent, 4096 + CONSOLE_OUT_SIZE - (UART_FIFO - 1),
	       "THR is full once the buffer has no room for a FIFO's worth");
	outb(IER, 0x02);
	ok(!irq4 && inb(IIR) == 0xc1, "no THRE interrupt while it is full");
	n = read(out_rd, buf, sizeof(buf));
	for (i = 0; i < n; i++)
		bad += (uint8_t)buf[i] != got++ % 251;
	evloop_run_once(m.evloop, 5 * SEC);
	ok(irq4, "the reader read: the loop wrote on, THRE raises IRQ 4");
	is_int(inb(LSR) & 0x60, 0x60, "LSR: THR and transmitter empty");
	is_int(inb(IIR), 0xc2, "IIR: THRE");
	while (got < sent && idle < 3) {
		n = read(out_rd, buf, sizeof(buf));
		if (n <= 0) {
			/* Empty pipe: the loop writes the next part. */
			evloop_run_once(m.evloop, SEC);
			idle++;
			continue;
		}
		idle = 0;
		for (i = 0; i < n; i++)
			bad += (uint8_t)buf[i] != got++ % 251;
	}
	is_int(got, sent, "every byte reached the reader");
	is_int(bad, 0, "in order");
	is_int(console_out_dropped(m.console), 0, "none dropped");
	outb(IER, 0x00);
	outb(MCR, 0x00);
}

static void never(void *opaque, int fd, uint32_t events)
{
}

/* EOF on the input: the UART stops watching it (no busy loop). */
static void test_rx_eof(void)
{
	is_int(evloop_watch_fd(m.evloop, m.console_in_fd, EPOLLIN, never,
			       NULL, NULL), -EEXIST,
	       "the UART watches its input");
	close(in_wr);
	evloop_run_once(m.evloop, 5 * SEC);
	is_int(evloop_watch_fd(m.evloop, m.console_in_fd, EPOLLIN, never,
			       NULL, NULL), 0,
	       "after EOF it watches it no more");
	evloop_unwatch_fd(m.evloop, m.console_in_fd);
	outb(FCR, 0x06);
	inb(COM1);
	is_int(inb(LSR) & 0x01, 0, "and nothing was received");
	is_int(evloop_watch_fd(m.evloop, m.console_in_fd, EPOLLIN, never,
			       NULL, NULL), 0,
	       "a guest read does not watch it anew");
}

int main(void)
{
	const char *failed = NULL;
	int p[2], q[2];

	if (pipe2(p, O_NONBLOCK) < 0 || pipe2(q, O_NONBLOCK) < 0)
		return 1;
	out_rd = p[0];
	in_wr = q[1];
	machine_init(&m, p[1]);
	m.console_in_fd = q[0];
	m.evloop = evloop_create(&m);
	if (!m.evloop)
		return 1;
	is_int(devices_init(&m, &failed), 0, "UART registers itself");
	ok(m.pio.nr_ranges == 1 && m.pio.ranges[0].base == COM1 &&
	   m.pio.ranges[0].len == 8, "UART claims 0x3F8-0x3FF");
	irq_set_isa_chip(&m, &rec_chip);
	test_transmit();
	test_lsr();
	test_dlab();
	test_registers();
	test_loopback();
	test_thre_irq();
	test_rx_input();
	test_rx_flow_control();
	test_overrun();
	test_modem_status();
	test_tx_backpressure();
	test_rx_eof();
	evloop_destroy(m.evloop);
	return tap_done();
}
