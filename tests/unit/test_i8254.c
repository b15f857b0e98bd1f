// SPDX-License-Identifier: GPL-2.0
/*
 * The i8254 PIT and port 0x61, driven through the port bus on the fake
 * clock: counts, OUT and IRQ 0 edges must follow the time the test sets,
 * exactly.  Register semantics: Intel 8254 datasheet.
 */
#include "devices.h"
#include "fake_platform.h"
#include "machine.h"
#include "tap.h"

#define PIT_HZ		1193182ULL
#define CH0		0x40
#define CH2		0x42
#define PIT_CW		0x43
#define PORT61		0x61

static struct machine m;

static void outb(uint16_t port, uint8_t v)
{
	ioport_write(&m.pio, port, 1, v);
}

static uint8_t inb(uint16_t port)
{
	return ioport_read(&m.pio, port, 1);
}

/* The first instant at which at least t ticks have passed. */
static uint64_t ticks_ns(uint64_t t)
{
	return (t * 1000000000ULL + PIT_HZ - 1) / PIT_HZ;
}

static void program(uint16_t port, uint8_t cw, uint16_t count)
{
	outb(PIT_CW, cw);
	outb(port, count & 0xff);
	outb(port, count >> 8);
}

/* Counter latch command, then LSB and MSB. */
static uint16_t latch_read(unsigned int ch)
{
	uint8_t lo, hi;

	outb(PIT_CW, ch << 6);
	lo = inb(CH0 + ch);
	hi = inb(CH0 + ch);
	return lo | hi << 8;
}

static void test_mode0(void)
{
	unsigned int edges = fake_isa_edges(0);

	program(CH0, 0x30, 1000);		/* ch0, lo/hi, mode 0 */
	is_int(latch_read(0), 1000, "mode 0: the count starts at N");
	ok(!fake_isa_level(0), "mode 0: OUT (IRQ 0) low while counting");
	fake_clock_advance(ticks_ns(300));
	is_int(latch_read(0), 700, "mode 0: 300 ticks later it reads N - 300");
	fake_clock_advance(ticks_ns(699) - ticks_ns(300));
	ok(fake_isa_edges(0) == edges && !fake_isa_level(0),
	   "mode 0: no interrupt one tick before terminal count");
	fake_clock_advance(ticks_ns(1000) - ticks_ns(699));
	ok(fake_isa_edges(0) == edges + 1 && fake_isa_level(0),
	   "mode 0: IRQ 0 rises at terminal count");
	fake_clock_advance(ticks_ns(5000));
	is_int(fake_isa_edges(0), edges + 1,
	       "mode 0: exactly one interrupt, OUT stays high");
	is_int(latch_read(0), (65536 + 1000 - 6000) % 65536,
	       "mode 0: the count wraps past zero and keeps going");

	outb(PIT_CW, 0x30);
	ok(!fake_isa_level(0), "a new control word drops OUT in mode 0");
	is_int(fake_timers_armed(), 0, "...and cancels the pending interrupt");
}

/* Edges on IRQ 0 while the fake clock advances by ns. */
static unsigned int edges_in(uint64_t ns)
{
	unsigned int before = fake_isa_edges(0);

	fake_clock_advance(ns);
	return fake_isa_edges(0) - before;
}

/* The host stalls for ns: the event loop runs nothing meanwhile. */
static void stall(uint64_t ns)
{
	fake_clock_set(fake_clock_now() + ns);
}

/* Mode 2 at 1 kHz is running: ticks lost to stalls and merges come later. */
static void test_mode2_lost_ticks(void)
{
	const uint64_t period = ticks_ns(1193);
	unsigned int n, total;

	stall(1000000000);
	is_int(edges_in(0), 1,
	       "mode 2: after a stall of 1000 periods one tick goes at once");
	n = edges_in(10 * period);
	ok(n >= 38 && n <= 41,
	   "... then owed ticks go every quarter period (%u in 10 periods)",
	   n);
	total = 1 + n + edges_in(1000000000 - 10 * period);
	ok(total >= 1999 && total <= 2001,
	   "... and within a second all 1000 came on top of 1000 new (%u)",
	   total);
	n = edges_in(10 * period);
	ok(n >= 9 && n <= 10,
	   "... then the period resumes (%u in 10 periods)", n);

	stall(10000000000ULL);
	total = edges_in(2000000000);
	ok(total >= 2999 && total <= 3001,
	   "a stall of 10 s is made up for 1 s only (%u in 2 s)", total);

	fake_isa_merge_next(0, 3);
	n = edges_in(20 * period);
	ok(n - 3 >= 19 && n - 3 <= 20,
	   "edges merged with a pending one are sent again (%u taken in 20 periods)",
	   n - 3);

	stall(1000000000);
	program(CH0, 0x34, 1193);
	n = edges_in(10 * period);
	ok(n >= 9 && n <= 10,
	   "a new count forgets the owed ticks (%u in 10 periods)", n);

	/* 600 kHz: ticks merge at 50 kHz and are not owed. */
	program(CH0, 0x34, 2);
	stall(1000000);
	n = edges_in(1000000);
	ok(n >= 49 && n <= 51,
	   "count 2: one tick per 20 us, nothing owed after a stall (%u in 1 ms)",
	   n);
	program(CH0, 0x34, 1193);
}

static void test_mode2_periodic(void)
{
	unsigned int edges;

	/* Linux's PIT clockevent: 0x34, LATCH = 1193 for HZ=1000. */
	program(CH0, 0x34, 1193);
	edges = fake_isa_edges(0);
	fake_clock_advance(100000000);		/* 100 ms */
	is_int(fake_isa_edges(0) - edges, 100000000 / ticks_ns(1193),
	       "mode 2: one IRQ 0 edge per period over 100 ms of fake time");

	test_mode2_lost_ticks();

	is_int(latch_read(0) >= 1 && latch_read(0) <= 1193, 1,
	       "mode 2: the count stays within 1..N");
	outb(PIT_CW, 0x34);
	edges = fake_isa_edges(0);
	fake_clock_advance(10000000);
	is_int(fake_isa_edges(0), edges,
	       "mode 2: a control word stops the interrupts until a count");

	/* Modes 6 and 7 are 2 and 3; count 0 stands for 65536. */
	program(CH0, 0x3c, 0);		/* mode 6 = 2, N = 65536 */
	edges = fake_isa_edges(0);
	fake_clock_advance(ticks_ns(65536 * 3));
	is_int(fake_isa_edges(0) - edges, 3,
	       "mode 6 acts as mode 2, count 0 as 65536 (18.2 Hz)");
	outb(PIT_CW, 0x30);
}

static void test_mode4_oneshot(void)
{
	unsigned int edges;

	/* Linux's oneshot PIT: 0x38 (mode 4) then the delta. */
	program(CH0, 0x38, 500);
	edges = fake_isa_edges(0);
	fake_clock_advance(ticks_ns(499));
	is_int(fake_isa_edges(0), edges, "mode 4: nothing before the count");
	fake_clock_advance(ticks_ns(5000));
	is_int(fake_isa_edges(0) - edges, 1,
	       "mode 4: one strobe at terminal count");
	ok(!fake_isa_level(0), "mode 4: the strobe is a pulse");
	outb(PIT_CW, 0x30);
}

static void test_access_modes(void)
{
	uint8_t lo, hi;

	program(CH2, 0xb4, 0x1234);	/* lo/hi, mode 2, gate low */
	lo = inb(CH2);
	hi = inb(CH2);
	is_int(lo | hi << 8, 0x1234,
	       "lo/hi: LSB then MSB written, LSB then MSB read");
	lo = inb(CH2);
	is_int(lo, 0x34, "lo/hi: the read flip-flop wraps to the LSB");
	inb(CH2);

	outb(PIT_CW, 0x94);			/* ch2, LSB only, mode 2 */
	outb(CH2, 0x56);
	is_int(inb(CH2), 0x56, "LSB only: the write is the whole count");
	is_int(inb(CH2), 0x56, "LSB only: every read gives the LSB");

	outb(PIT_CW, 0xa4);			/* ch2, MSB only, mode 2 */
	outb(CH2, 0x12);
	is_int(inb(CH2), 0x12, "MSB only: reads give the MSB");
	outb(PIT_CW, 0xb4);
	outb(CH2, 0x00);
	is_int(inb(CH2), 0x00,
	       "a control word resets the read flip-flop to the LSB");
}

static void test_latch(void)
{
	uint8_t lo, hi;

	outb(PORT61, 0x01);			/* gate 2 high */
	program(CH2, 0xb0, 30000);		/* mode 0 */
	fake_clock_advance(ticks_ns(1000));
	outb(PIT_CW, 0x80);			/* latch channel 2 */
	fake_clock_advance(ticks_ns(5000));
	outb(PIT_CW, 0x80);		/* ignored: already latched */
	lo = inb(CH2);
	fake_clock_advance(ticks_ns(5000));
	hi = inb(CH2);
	is_int(lo | hi << 8, 29000,
	       "a latched count holds while time passes, until read");
	is_int(latch_read(2), 19000, "the next latch takes a new value");
	outb(PORT61, 0x00);
}

static void test_read_back(void)
{
	uint8_t st;

	outb(PIT_CW, 0x30);		/* ch0 mode 0, no count yet */
	outb(PIT_CW, 0xe2);		/* read-back: status of ch0 */
	st = inb(CH0);
	is_int(st, 0x70, "status: null count, lo/hi, mode 0, OUT low");
	outb(CH0, 100);
	outb(CH0, 0);
	outb(PIT_CW, 0xe2);
	is_int(inb(CH0), 0x30, "status: count loaded, OUT still low");
	fake_clock_advance(ticks_ns(40));
	outb(PIT_CW, 0xc2);			/* status and count of ch0 */
	fake_clock_advance(ticks_ns(20));
	st = inb(CH0);
	is_int(st, 0x30, "status and count: status comes first");
	is_int(inb(CH0) | inb(CH0) << 8, 60,
	       "then the count latched with it");
	fake_clock_advance(ticks_ns(100));
	outb(PIT_CW, 0xe2);
	is_int(inb(CH0), 0xb0, "status: OUT high after terminal count");

	program(CH2, 0xb7, 0x1000);		/* mode 3, BCD */
	outb(PIT_CW, 0xd8);			/* count only, channel 2 */
	is_int(inb(CH2) | inb(CH2) << 8, 0x1000,
	       "read-back latches the count alone when asked");
	outb(PIT_CW, 0xe8);
	is_int(inb(CH2), 0x80 | 0x37, "status reports mode 3 and BCD");
	outb(PIT_CW, 0x30);
}

static void test_bcd(void)
{
	outb(PORT61, 0x01);
	program(CH2, 0xb1, 0x1000);		/* mode 0, BCD 1000 */
	fake_clock_advance(ticks_ns(1));
	is_int(latch_read(2), 0x0999, "BCD: 1000 - 1 reads 0999");
	fake_clock_advance(ticks_ns(1234) - ticks_ns(1));
	is_int(latch_read(2), 0x9766, "BCD: wraps at 10000 (1000 - 1234)");
	outb(PORT61, 0x00);
}

static void test_port61(void)
{
	uint8_t a, b;

	outb(PORT61, 0x00);
	program(CH2, 0xb0, 1000);
	fake_clock_advance(ticks_ns(5000));
	is_int(latch_read(2), 1000, "gate 2 low: channel 2 does not count");
	is_int(inb(PORT61) & 0x20, 0, "port 0x61 bit 5: OUT2 low");

	outb(PORT61, 0x03);
	is_int(inb(PORT61) & 0x0f, 0x03,
	       "port 0x61 bits 0-1 (gate, speaker) read back");
	fake_clock_advance(ticks_ns(400));
	is_int(latch_read(2), 600, "gate high: channel 2 counts");
	outb(PORT61, 0x02);
	fake_clock_advance(ticks_ns(400));
	is_int(latch_read(2), 600, "mode 0: gate low suspends the count");
	outb(PORT61, 0x01);
	fake_clock_advance(ticks_ns(599));
	is_int(inb(PORT61) & 0x20, 0, "OUT2 low one tick before the count");
	fake_clock_advance(ticks_ns(1));
	is_int(inb(PORT61) & 0x20, 0x20, "OUT2 high at terminal count");

	a = inb(PORT61);
	b = inb(PORT61);
	is_int((a ^ b) & 0x10, 0x10, "bit 4 (refresh) toggles between reads");
	is_int(a & 0xc0, 0, "bits 6-7 read 0");
	outb(PORT61, 0xf0);
	is_int(inb(PORT61) & 0x0f, 0, "bits 4-7 of a write are ignored");

	/* Mode 3: OUT2 is a square wave; the count steps by two. */
	outb(PORT61, 0x01);
	program(CH2, 0xb6, 100);
	fake_clock_advance(ticks_ns(10));
	is_int(latch_read(2), 80, "mode 3: counts down by two");
	is_int(inb(PORT61) & 0x20, 0x20, "mode 3: OUT2 high in the first half");
	fake_clock_advance(ticks_ns(60) - ticks_ns(10));
	is_int(inb(PORT61) & 0x20, 0, "mode 3: OUT2 low in the second half");
	outb(PORT61, 0x00);
	is_int(inb(PORT61) & 0x20, 0x20, "mode 3: gate low forces OUT2 high");
	outb(PORT61, 0x01);
	is_int(latch_read(2), 100, "mode 3: gate rising reloads the count");
	outb(PORT61, 0x00);
}

/*
 * Linux's quick_pit_calibrate() (arch/x86/kernel/tsc.c): gate high,
 * channel 2 mode 0 from 0xFFFF, then read LSB and MSB over and over and
 * expect the MSB to step down by one, each value seen several times.
 * Each pair of reads takes 20 us of fake time, as a VM exit might.
 */
static void test_quick_calibrate(void)
{
	unsigned int seen[256] = { 0 }, reads;
	bool monotonic = true, steps_by_one = true;
	int prev = 0xff;

	outb(PORT61, (inb(PORT61) & ~0x02) | 0x01);
	outb(PIT_CW, 0xb0);
	outb(CH2, 0xff);
	outb(CH2, 0xff);
	for (reads = 0; reads < 2000; reads++) {
		uint8_t msb;

		inb(CH2);			/* LSB, ignored */
		msb = inb(CH2);
		fake_clock_advance(20000);
		if (msb > prev)
			monotonic = false;
		if (msb < prev - 1)
			steps_by_one = false;
		prev = msb;
		seen[msb]++;
	}
	ok(monotonic, "calibration: the MSB never goes up");
	ok(steps_by_one, "calibration: the MSB steps down one at a time");
	ok(seen[0xff] >= 5 && seen[0xf0] >= 5,
	   "calibration: each MSB value is seen more than 5 times (%u, %u)",
	   seen[0xff], seen[0xf0]);
	ok(prev < 0xf0, "calibration: 40 ms took the MSB below 0xF0 (0x%x)",
	   prev);

	/* pit_calibrate_tsc(): a 50 ms count, poll bit 5 of port 0x61. */
	outb(PIT_CW, 0xb0);
	outb(CH2, 59659 & 0xff);
	outb(CH2, 59659 >> 8);
	for (reads = 0; reads < 100000; reads++) {
		if (inb(PORT61) & 0x20)
			break;
		fake_clock_advance(1000);
	}
	ok(reads >= 49990 && reads <= 50010,
	   "calibration: OUT2 rises after 50 ms (%u us)", reads);
	outb(PORT61, 0x00);
}

static void test_wide_access(void)
{
	outb(PORT61, 0x01);
	outb(PIT_CW, 0xb0);
	/* LSB 0x55 to channel 2, then control word 0xB0 to 0x43. */
	ioport_write(&m.pio, CH2, 2, 0xb0 << 8 | 0x55);
	outb(CH2, 0x20);
	outb(CH2, 0x01);
	is_int(latch_read(2), 0x0120,
	       "a word write to 0x42 is a byte to 0x42, then one to 0x43");
	outb(PORT61, 0x00);
}

int main(void)
{
	machine_init(&m, -1);
	m.evloop = fake_evloop();
	fake_clock_set(5000000000ULL);
	is_int(devices_init(&m, NULL), 0, "the PIT registers itself");
	is_int(fake_timers_armed(), 0, "an unprogrammed PIT arms no timer");

	test_mode0();
	test_mode2_periodic();
	test_mode4_oneshot();
	test_access_modes();
	test_latch();
	test_read_back();
	test_bcd();
	test_port61();
	test_quick_calibrate();
	test_wide_access();
	return tap_done();
}
