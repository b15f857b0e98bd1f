// SPDX-License-Identifier: GPL-2.0
/*
 * The MC146818 RTC and CMOS through ports 0x70/0x71: time against the
 * host clock, formats, SET, interrupt flags and IRQ 8 on the fake clock,
 * and the memory-size bytes a BIOS leaves.
 */
#include <stdlib.h>
#include <time.h>

#include "devices.h"
#include "fake_platform.h"
#include "machine.h"
#include "tap.h"

#define MIB		(1024ULL * 1024)
#define GIB		(1024 * MIB)
#define MS		1000000ULL

static struct machine m;

static uint8_t cmos_read(struct machine *mm, uint8_t idx)
{
	ioport_write(&mm->pio, 0x70, 1, idx);
	return ioport_read(&mm->pio, 0x71, 1);
}

static void cmos_write(struct machine *mm, uint8_t idx, uint8_t v)
{
	ioport_write(&mm->pio, 0x70, 1, idx);
	ioport_write(&mm->pio, 0x71, 1, v);
}

static uint8_t rd(uint8_t idx)
{
	return cmos_read(&m, idx);
}

static void wr(uint8_t idx, uint8_t v)
{
	cmos_write(&m, idx, v);
}

static int dec(uint8_t v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

/* The clock as the guest reads it, in seconds since the epoch. */
static time_t rtc_time(bool binary)
{
	struct tm tm = {
		.tm_sec = dec(rd(0x00), binary),
		.tm_min = dec(rd(0x02), binary),
		.tm_hour = dec(rd(0x04), binary),
		.tm_mday = dec(rd(0x07), binary),
		.tm_mon = dec(rd(0x08), binary) - 1,
		.tm_year = dec(rd(0x32), binary) * 100 +
			   dec(rd(0x09), binary) - 1900,
	};

	return timegm(&tm);
}

/* Read twice so that a second boundary between reads cannot fool us. */
static bool near_host_clock(bool binary)
{
	int i;

	for (i = 0; i < 2; i++) {
		time_t host = time(NULL);
		time_t t = rtc_time(binary);

		if (llabs((long long)(t - host)) <= 1)
			return true;
	}
	return false;
}

static void set_time(uint8_t b, const uint8_t *regs)
{
	static const uint8_t idx[] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09,
				       0x32 };
	unsigned int i;

	wr(0x0b, b | 0x80);
	for (i = 0; i < sizeof(idx); i++)
		wr(idx[i], regs[i]);
	wr(0x0b, b);
}

static void test_host_time(void)
{
	is_int(rd(0x0b), 0x02, "register B: BCD, 24 hours");
	ok(near_host_clock(false), "BCD time matches the host's UTC clock");
	wr(0x0b, 0x06);
	ok(near_host_clock(true), "binary time matches the host's UTC clock");
	ok(rd(0x00) < 60 && rd(0x04) < 24, "binary fields are in range");
	wr(0x0b, 0x02);
	ok((rd(0x00) & 0x0f) <= 9 && (rd(0x00) >> 4) <= 5,
	   "BCD seconds are BCD again after switching back");
}

static void test_set(void)
{
	/* 2001-02-03 04:05:06 UTC, a Saturday. */
	static const uint8_t t[] = { 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
				     0x20 };
	uint8_t sec;

	wr(0x0b, 0x82);
	sec = rd(0x00);
	fake_clock_advance(3000 * MS);
	is_int(rd(0x00), sec, "SET freezes the time registers");
	set_time(0x02, t);
	is_int(rd(0x00), 0x06, "after SET: seconds as written");
	ok(rd(0x02) == 0x05 && rd(0x04) == 0x04 && rd(0x07) == 0x03 &&
	   rd(0x08) == 0x02 && rd(0x09) == 0x01 && rd(0x32) == 0x20,
	   "after SET: minutes, hours, date, month, year, century");
	is_int(rd(0x06), 7, "day of the week follows the date (Saturday)");
	fake_clock_advance(3000 * MS);
	is_int(rd(0x00), 0x09, "the clock runs from the written time");
	ok(time(NULL) > 981173106 + 365 * 86400,
	   "the host clock is left alone (it is not 2001)");

	/* A single write to a running clock sets that field. */
	wr(0x02, 0x59);
	is_int(rd(0x02), 0x59, "writing minutes while running sets them");
	is_int(rd(0x04), 0x04, "...and leaves the hours");

	/* Binary and 12-hour formats, written and read. */
	set_time(0x04, (const uint8_t[]){ 0, 30, 0x80 | 3, 1, 1, 24, 20 });
	is_int(rd(0x04), 0x83, "12h binary: 3 PM reads 0x83");
	is_int(rd(0x02), 30, "12h binary: minutes in binary");
	wr(0x0b, 0x06);
	is_int(rd(0x04), 15, "the same time in 24h binary: 15");
	wr(0x0b, 0x00);
	is_int(rd(0x04), 0x83, "12h BCD: 3 PM reads 0x83");
	set_time(0x00, (const uint8_t[]){ 0, 0, 0x12, 1, 1, 0x24, 0x20 });
	is_int(rd(0x04), 0x12, "12h: midnight reads 12 AM");
	wr(0x0b, 0x02);
	is_int(rd(0x04), 0x00, "...which is 00 in 24h");
	set_time(0x00, (const uint8_t[]){ 0, 0, 0x92, 1, 1, 0x24, 0x20 });
	wr(0x0b, 0x02);
	is_int(rd(0x04), 0x12, "12h: 12 PM is noon");
}

static void test_uip(void)
{
	static const uint8_t t[] = { 0, 0, 0, 1, 1, 0x24, 0x20 };

	set_time(0x02, t);	/* the clock is now at second zero */
	is_int(rd(0x0a), 0x26, "register A: 32.768 kHz, 1024 Hz, UIP clear");
	fake_clock_advance(1000 * MS - 200000);
	is_int(rd(0x0a) & 0x80, 0x80, "UIP set in the last 244 us");
	is_int(rd(0x00), 0x00, "...and the old second still reads");
	fake_clock_advance(250000);
	is_int(rd(0x0a) & 0x80, 0, "UIP clear after the update");
	is_int(rd(0x00), 0x01, "...and the seconds moved on");
	wr(0x0a, 0xa6);
	is_int(rd(0x0a) & 0x80, 0, "UIP is read-only");
	wr(0x0d, 0x00);
	is_int(rd(0x0d), 0x80, "register D: VRT set, read-only");
}

/* An interrupt handler: read C whenever IRQ 8 is high. */
static unsigned int run_handler(uint64_t ns, uint64_t step, uint8_t *flags)
{
	unsigned int edges = fake_isa_edges(8), i;

	for (i = 0; i < ns / step; i++) {
		fake_clock_advance(step);
		if (fake_isa_level(8))
			*flags |= rd(0x0c);
	}
	return fake_isa_edges(8) - edges;
}

static void test_interrupts(void)
{
	unsigned int edges;
	uint8_t flags = 0, c;

	fake_clock_advance(2000 * MS);
	c = rd(0x0c);
	is_int(c & 0x80, 0, "no IRQF with no interrupt enabled");
	is_int(c & 0x50, 0x50, "but PF and UF were set as time passed");
	is_int(rd(0x0c), 0, "register C is cleared by reading it");

	edges = fake_isa_edges(8);
	wr(0x0b, 0x42);				/* PIE, 1024 Hz */
	fake_clock_advance(10 * MS);
	is_int(fake_isa_edges(8) - edges, 1,
	       "periodic: IRQ 8 rises once and stays until C is read");
	ok(fake_isa_level(8), "periodic: the line is still high");
	is_int(fake_timers_armed(), 0,
	       "periodic: no timer runs while IRQF waits for the guest");
	is_int(rd(0x0c), 0xc0, "register C: IRQF and PF");
	ok(!fake_isa_level(8), "reading C drops IRQ 8");

	edges = run_handler(1000 * MS, 100000, &flags);
	ok(edges >= 1023 && edges <= 1025,
	   "periodic at 1024 Hz: %u interrupts in a second", edges);
	wr(0x0a, 0x2f);				/* 2 Hz */
	rd(0x0c);
	edges = run_handler(2000 * MS, MS, &flags);
	ok(edges >= 3 && edges <= 5,
	   "periodic at 2 Hz: %u interrupts in two seconds", edges);
	wr(0x0b, 0x02);
	wr(0x0a, 0x26);
	rd(0x0c);
	edges = run_handler(100 * MS, MS, &flags);
	is_int(edges, 0, "PIE clear: no more interrupts");

	flags = 0;
	wr(0x0b, 0x12);				/* UIE */
	edges = run_handler(3000 * MS, MS, &flags);
	ok(edges >= 2 && edges <= 3 && (flags & 0x10),
	   "update-ended: one interrupt a second (%u in 3 s)", edges);

	/* Alarm at second 30, any minute, any hour. */
	set_time(0x02, (const uint8_t[]){ 0x20, 0, 0, 1, 1, 0x24, 0x20 });
	wr(0x01, 0x30);
	wr(0x03, 0xc0);
	wr(0x05, 0xff);
	wr(0x0b, 0x22);				/* AIE */
	rd(0x0c);
	flags = 0;
	edges = run_handler(9500 * MS, MS, &flags);
	is_int(edges, 0, "alarm: nothing before second 30");
	edges = run_handler(1000 * MS, MS, &flags);
	ok(edges == 1 && (flags & 0xa0) == 0xa0,
	   "alarm: IRQ 8 with AF at second 30 (%u, C 0x%x)", edges, flags);
	wr(0x0b, 0x02);
	rd(0x0c);
}

static void test_index(void)
{
	wr(0x40, 0x5a);
	is_int(rd(0x40), 0x5a, "CMOS RAM bytes keep what is written");
	ioport_write(&m.pio, 0x70, 1, 0x80 | 0x40);
	is_int(ioport_read(&m.pio, 0x71, 1), 0x5a,
	       "bit 7 of the index (NMI disable) is not part of the index");
	ioport_write(&m.pio, 0x70, 1, 0x80 | 0x0d);
	is_int(ioport_read(&m.pio, 0x71, 1), 0x80,
	       "index 0x8D reads register D");
	ioport_write(&m.pio, 0x70, 2, 0x77 << 8 | 0x41);
	is_int(rd(0x41), 0x77, "a word write to 0x70 is index then data");
}

struct mem_case {
	uint64_t ram;
	uint16_t ext, above16;
	uint32_t above4g;
};

static void test_memory(void)
{
	static const struct mem_case cases[] = {
		{ 32 * MIB, 31 * 1024, 256, 0 },
		{ 256 * MIB, 0xffff, 3840, 0 },
		{ 1 * GIB, 0xffff, 16128, 0 },
		{ 4 * GIB, 0xffff, 48896, 16384 },
	};
	unsigned int i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mem_case *c = &cases[i];
		struct machine mm;
		unsigned int sum = 0;
		unsigned long long mib = c->ram / MIB;

		machine_init(&mm, -1);
		mm.ram_size = c->ram;
		devices_init(&mm, NULL);
		is_int(cmos_read(&mm, 0x15) | cmos_read(&mm, 0x16) << 8, 640,
		       "%llu MiB: base memory 640 KiB", mib);
		is_int(cmos_read(&mm, 0x17) | cmos_read(&mm, 0x18) << 8,
		       c->ext, "%llu MiB: 0x17/0x18 KiB above 1 MiB", mib);
		is_int(cmos_read(&mm, 0x30) | cmos_read(&mm, 0x31) << 8,
		       c->ext, "%llu MiB: 0x30/0x31 the same", mib);
		is_int(cmos_read(&mm, 0x34) | cmos_read(&mm, 0x35) << 8,
		       c->above16, "%llu MiB: 64 KiB units above 16 MiB", mib);
		is_int(cmos_read(&mm, 0x5b) | cmos_read(&mm, 0x5c) << 8 |
		       cmos_read(&mm, 0x5d) << 16, c->above4g,
		       "%llu MiB: 64 KiB units above 4 GiB", mib);
		for (j = 0x10; j <= 0x2d; j++)
			sum += cmos_read(&mm, j);
		is_int(cmos_read(&mm, 0x2e) << 8 | cmos_read(&mm, 0x2f), sum,
		       "%llu MiB: checksum of 0x10-0x2D at 0x2E/0x2F", mib);
	}
	is_int(rd(0x10), 0, "no floppy drives");
	is_int(rd(0x0f), 0, "shutdown status: normal power-on");
	is_int(rd(0x14), 0x02, "equipment: FPU, no floppy, VGA-class display");
}

int main(void)
{
	machine_init(&m, -1);
	m.ram_size = 256 * MIB;
	m.evloop = fake_evloop();
	fake_clock_set(7000000000ULL);
	is_int(devices_init(&m, NULL), 0, "the RTC registers itself");

	test_host_time();
	test_set();
	test_uip();
	test_interrupts();
	test_index();
	test_memory();
	return tap_done();
}
