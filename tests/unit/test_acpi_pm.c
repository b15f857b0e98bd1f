// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI fixed hardware: the PM timer on the fake clock, PM1 status/enable
 * write-1-to-clear, SCI on IRQ 9, sleep and reset requests.
 */
#include "dev/acpi_pm.h"
#include "devices.h"
#include "exitcodes.h"
#include "fake_platform.h"
#include "machine.h"
#include "pc_layout.h"
#include "tap.h"

#define PM1_STS		PC_ACPI_PM1A_EVT
#define PM1_EN		(PC_ACPI_PM1A_EVT + 2)
#define PM1_CNT		PC_ACPI_PM1A_CNT
#define PM_TMR		PC_ACPI_PM_TMR
#define GPE0_STS	PC_ACPI_GPE0
#define GPE0_EN		(PC_ACPI_GPE0 + 2)
#define SCI		PC_ACPI_SCI_IRQ
#define HZ		3579545ULL
#define SEC		1000000000ULL

static struct machine m;
static int exits, last_status;

static void fake_exit(struct machine *mm, int status)
{
	exits++;
	last_status = status;
}

static uint32_t in(uint16_t port, unsigned int size)
{
	return ioport_read(&m.pio, port, size);
}

static void out(uint16_t port, unsigned int size, uint32_t v)
{
	ioport_write(&m.pio, port, size, v);
}

static void test_timer(void)
{
	uint32_t a, b;

	a = in(PM_TMR, 4);
	fake_clock_advance(SEC);
	b = in(PM_TMR, 4);
	ok(b - a >= HZ - 1 && b - a <= HZ + 1,
	   "PM timer: 3579545 ticks in a second (%u)", b - a);
	a = b;
	fake_clock_advance(10 * 1000000);
	b = in(PM_TMR, 4);
	ok(b - a >= 35795 && b - a <= 35796,
	   "PM timer: 35795 ticks in 10 ms (%u)", b - a);
	out(PM_TMR, 4, 0);
	ok(in(PM_TMR, 4) == b, "PM timer: writes are ignored");
	is_int(in(PM_TMR, 2), b & 0xffff, "PM timer: a word read, low half");
	is_int(in(PM_TMR + 2, 1), (b >> 16) & 0xff,
	       "PM timer: a byte read at +2, bits 16-23");

	/* Run up to just before the 24-bit wrap. */
	a = in(PM_TMR, 4);
	fake_clock_advance((0xffffffULL - a - 1000) * SEC / HZ);
	a = in(PM_TMR, 4);
	ok(a > 0xfff000 && a <= 0xffffff, "PM timer: near the top (0x%x)", a);
	fake_clock_advance(SEC / 1000);
	b = in(PM_TMR, 4);
	ok(b < a && b < 0x1000, "PM timer: wraps at 24 bits (0x%x)", b);
	ok(((b - a) & 0xffffff) >= 3579 && ((b - a) & 0xffffff) <= 3580,
	   "PM timer: 1 ms across the wrap is 3579 ticks");
}

static void test_tmr_sts(void)
{
	unsigned int edges;

	out(PM1_STS, 2, 0xffff);
	fake_clock_advance(3 * SEC);
	is_int(in(PM1_STS, 2) & 1, 1, "TMR_STS set once bit 23 has changed");
	out(PM1_STS, 2, 1);
	is_int(in(PM1_STS, 2) & 1, 0, "TMR_STS cleared by writing 1");
	ok(!fake_isa_level(SCI), "no SCI while TMR_EN is clear");

	edges = fake_isa_edges(SCI);
	out(PM1_EN, 2, 1);
	fake_clock_advance(3 * SEC);
	ok(fake_isa_edges(SCI) == edges + 1 && fake_isa_level(SCI),
	   "TMR_EN: bit 23 changing raises the SCI");
	out(PM1_STS, 2, 1);
	ok(!fake_isa_level(SCI), "clearing TMR_STS drops the SCI");
	out(PM1_EN, 2, 0);
	is_int(fake_timers_armed(), 0, "TMR_EN clear: no timer");
}

static void test_pm1(void)
{
	out(PM1_STS, 2, 0xffff);
	acpi_pm_power_button(&m);
	is_int(in(PM1_STS, 2), 0x0100, "power button sets PWRBTN_STS");
	ok(!fake_isa_level(SCI), "no SCI while PWRBTN_EN is clear");
	out(PM1_EN, 2, 0x0100);
	ok(fake_isa_level(SCI), "enabling PWRBTN_EN raises the SCI (level)");
	ok(acpi_pm_power_button_enabled(&m),
	   "... after a write to PM1_EN, an ACPI OS does");
	out(PM1_STS, 2, 0x0000);
	is_int(in(PM1_STS, 2), 0x0100, "writing 0 to PM1_STS clears nothing");
	out(PM1_STS, 1, 0xff);
	is_int(in(PM1_STS, 2), 0x0100,
	       "writing 1s to the other byte clears nothing here");
	out(PM1_STS + 1, 1, 0x01);
	is_int(in(PM1_STS, 2), 0, "writing 1 to bit 8 clears PWRBTN_STS");
	ok(!fake_isa_level(SCI), "...and drops the SCI");

	out(PM1_EN, 2, 0xffff);
	is_int(in(PM1_EN, 2), 0x0721, "PM1_EN keeps only its enable bits");
	is_int(in(PM1_STS, 4) >> 16, 0x0721, "a dword read gives STS and EN");
	out(PM1_EN, 2, 0);

	is_int(in(PM1_CNT, 2) & 1, 1, "SCI_EN reads 1");
	out(PM1_CNT, 2, 0);
	is_int(in(PM1_CNT, 2) & 1, 1, "SCI_EN cannot be cleared");
}

static void test_gpe(void)
{
	acpi_pm_gpe_raise(&m, 3);
	is_int(in(GPE0_STS, 2), 0x0008, "GPE 3 sets GPE0_STS bit 3");
	ok(!fake_isa_level(SCI), "no SCI with GPE0_EN clear");
	out(GPE0_EN, 2, 0x0008);
	ok(fake_isa_level(SCI), "GPE0_EN bit 3: SCI");
	is_int(in(GPE0_EN, 2), 0x0008, "GPE0_EN reads back");
	out(GPE0_STS, 2, 0x0004);
	ok(fake_isa_level(SCI), "clearing another bit leaves the SCI");
	out(GPE0_STS, 2, 0x0008);
	ok(!fake_isa_level(SCI) && in(GPE0_STS, 2) == 0,
	   "writing 1 clears GPE0 status and the SCI");
	out(GPE0_EN, 2, 0);
	acpi_pm_gpe_raise(&m, 99);
	is_int(in(GPE0_STS, 2), 0, "an out-of-range GPE is ignored");
}

static void test_sleep(void)
{
	exits = 0;
	out(PM1_CNT, 2, 5 << 10);
	is_int(exits, 0, "SLP_TYP alone does nothing");
	is_int(in(PM1_CNT, 2), (5 << 10) | 1, "SLP_TYP reads back");
	out(PM1_CNT, 2, (1 << 10) | 0x2000);
	is_int(exits, 0, "SLP_EN with S1's type does not exit");
	is_int(in(PM1_STS, 2) & 0x8000, 0x8000,
	       "...the guest is told it woke up (WAK_STS)");
	is_int(in(PM1_CNT, 2) & 0x2000, 0, "SLP_EN reads 0");
	out(PM1_STS, 2, 0x8000);
	out(PM1_CNT, 2, (PC_ACPI_S5_TYP << 10) | 0x2000);
	ok(exits == 1 && last_status == 0,
	   "SLP_EN with SLP_TYP 5 powers off: exit status 0 (%d)",
	   last_status);
	out(PM1_CNT + 1, 1, (PC_ACPI_S5_TYP << 2) | 0x20);
	is_int(exits, 2, "a byte write to the high half powers off too");
}

static void test_reset(void)
{
	exits = 0;
	pc_reset_port_write(&m, 0x02);
	is_int(exits, 0, "reset register: 0x02 (SYS_RST) alone does not reset");
	is_int(pc_reset_port_read(&m), 0x02,
	       "reset register: bit 1 reads back");
	pc_reset_port_write(&m, PC_RESET_VALUE);
	ok(exits == 1 && last_status == EXIT_CODE_RESET,
	   "reset register: 0x06 requests a reset (%d)", last_status);
	pc_reset_port_write(&m, 0x0e);
	is_int(exits, 2, "reset register: 0x0E (full reset) too");
	is_int(pc_reset_port_read(&m), 0x0a, "bits 1 and 3 read back");
	devices_reset(&m);
	ok(!acpi_pm_power_button_enabled(&m),
	   "after a reset no ACPI OS hears the button until one starts again");
}

int main(void)
{
	machine_init(&m, -1);
	m.evloop = fake_evloop();
	m.request_exit = fake_exit;
	fake_clock_set(3 * SEC);
	is_int(devices_init(&m, NULL), 0, "the ACPI PM block registers itself");
	is_int(in(PM_TMR, 4), 0, "the PM timer starts at 0");
	ok(!acpi_pm_power_button_enabled(&m),
	   "no ACPI OS before PM1_EN is written: nobody hears the button");

	test_timer();
	test_tmr_sts();
	test_pm1();
	test_gpe();
	test_sleep();
	test_reset();
	return tap_done();
}
