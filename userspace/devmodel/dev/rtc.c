// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 real-time clock and 128 bytes of CMOS at 0x70 (index, bit 7
 * disables NMI) and 0x71 (data), on ISA IRQ 8.
 *
 * Registers: Motorola MC146818A datasheet, "Address Map", "Registers A-D",
 * "Update Cycle", "Interrupts"; the ports: PIIX4 datasheet, "RTC
 * Registers" (70h index, write-only; 71h data).
 * The CMOS bytes a BIOS leaves (memory sizes, equipment, checksum) follow
 * the IBM AT BIOS layout that Bochs, SeaBIOS and QEMU keep: 0x15-0x18,
 * 0x30-0x31, 0x34-0x35, 0x5B-0x5D.
 *
 * The clock is read once from CLOCK_REALTIME (UTC) at start and then runs
 * on evloop_now(), as a free-running crystal would: a host NTP step does
 * not jump the guest's clock, and the periodic, update-ended and alarm
 * interrupts all follow the one monotonic clock the event loop runs on.
 * Setting the time (SET in register B, or a write to a time register)
 * changes only this device's offset, never the host.
 *
 * Interrupt flags in register C are computed when they are looked at, from
 * the time that passed since they were last brought up to date; an
 * ev_timer runs only while an enabled interrupt can still make IRQF rise,
 * and not while IRQF is set, since the chip holds IRQ 8 until register C
 * is read.  The divider bits of register A are stored but not applied:
 * the chain never stops or resets (Linux's reset of the chain while
 * setting the time then costs nothing).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "../devices.h"
#include "../devstate.h"
#include "../evloop.h"
#include "../bus.h"
#include "../irq.h"
#include "../machine.h"
#include "../pc_layout.h"
#include "util.h"

#define NSEC_PER_SEC		1000000000LL
#define RTC_CMOS_SIZE		128
#define RTC_INDEX_MASK		0x7f
#define RTC_NMI_DISABLE		0x80

/* Register indices (MC146818A "Address Map"; 0x32: IBM AT century). */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32

#define RTC_A_UIP		0x80
#define RTC_A_RATE		0x0f
#define RTC_A_DEFAULT		0x26	/* 32.768 kHz, 1024 Hz rate */
#define RTC_B_SET		0x80
#define RTC_B_PIE		0x40
#define RTC_B_AIE		0x20
#define RTC_B_UIE		0x10
#define RTC_B_SQWE		0x08
#define RTC_B_DM_BINARY		0x04
#define RTC_B_24H		0x02
/* BCD, 24 hours, as a BIOS leaves it. */
#define RTC_B_DEFAULT		RTC_B_24H
#define RTC_C_IRQF		0x80
#define RTC_C_PF		0x40
#define RTC_C_AF		0x20
#define RTC_C_UF		0x10
#define RTC_D_VRT		0x80
#define RTC_HOURS_PM		0x80
#define RTC_ALARM_DONT_CARE	0xc0

/* UIP is set this long before each update (MC146818A "Update Cycle"). */
#define RTC_UIP_NS		244000LL
#define RTC_BASE_HZ		32768ULL

/* CMOS bytes of the IBM AT BIOS. */
#define CMOS_SHUTDOWN		0x0f
#define CMOS_FLOPPY		0x10
#define CMOS_EQUIPMENT		0x14
#define CMOS_BASE_MEM_LO	0x15
#define CMOS_EXT_MEM_LO		0x17
#define CMOS_CSUM_FIRST		0x10
#define CMOS_CSUM_LAST		0x2d
#define CMOS_CSUM_HI		0x2e
#define CMOS_EXT_MEM2_LO	0x30
#define CMOS_MEM_16M_LO		0x34
#define CMOS_MEM_4G_LO		0x5b	/* 3 bytes */

/* Equipment byte: math coprocessor, primary display EGA/VGA-class. */
#define CMOS_EQUIPMENT_FPU	0x02

#define KIB			1024ULL
#define MIB			(1024 * KIB)

struct rtc {
	struct machine *m;
	uint8_t index;
	bool nmi_disabled;	/* kept: there is no NMI source to mask */
	uint8_t cmos[RTC_CMOS_SIZE];
	int64_t base_ns;	/* guest time (ns since 1970) at mono_base */
	uint64_t mono_base;
	uint64_t divider_base;	/* when the divider chain counted 0 */
	uint64_t flags_ns;	/* register C is current up to this instant */
	struct ev_timer *timer;
	bool irq_high;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int64_t rtc_guest_ns(const struct rtc *rtc, uint64_t now)
{
	return rtc->base_ns + (int64_t)(now - rtc->mono_base);
}

static void rtc_set_guest_ns(struct rtc *rtc, int64_t ns, uint64_t now)
{
	rtc->base_ns = ns;
	rtc->mono_base = now;
}

static bool rtc_binary(const struct rtc *rtc)
{
	return rtc->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static uint8_t rtc_encode(const struct rtc *rtc, unsigned int v)
{
	v %= 100;
	return rtc_binary(rtc) ? v : (v / 10) << 4 | v % 10;
}

static int rtc_decode(const struct rtc *rtc, uint8_t v)
{
	return rtc_binary(rtc) ? v : (v >> 4) * 10 + (v & 0xf);
}

static uint8_t rtc_encode_hours(const struct rtc *rtc, int hour)
{
	int h12 = hour % 12 ? hour % 12 : 12;

	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(rtc, hour);
	return rtc_encode(rtc, h12) | (hour >= 12 ? RTC_HOURS_PM : 0);
}

static int rtc_decode_hours(const struct rtc *rtc, uint8_t v)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_decode(rtc, v);
	return rtc_decode(rtc, v & ~RTC_HOURS_PM) % 12 +
	       (v & RTC_HOURS_PM ? 12 : 0);
}

/* Load the time registers from the clock, in the format register B asks. */
static void rtc_refresh(struct rtc *rtc, uint64_t now)
{
	time_t secs = floor_div(rtc_guest_ns(rtc, now), NSEC_PER_SEC);
	uint8_t *c = rtc->cmos;
	struct tm tm;

	if (!gmtime_r(&secs, &tm))
		return;
	c[RTC_SECONDS] = rtc_encode(rtc, tm.tm_sec);
	c[RTC_MINUTES] = rtc_encode(rtc, tm.tm_min);
	c[RTC_HOURS] = rtc_encode_hours(rtc, tm.tm_hour);
	c[RTC_DAY_OF_WEEK] = rtc_encode(rtc, tm.tm_wday + 1);
	c[RTC_DAY_OF_MONTH] = rtc_encode(rtc, tm.tm_mday);
	c[RTC_MONTH] = rtc_encode(rtc, tm.tm_mon + 1);
	c[RTC_YEAR] = rtc_encode(rtc, (tm.tm_year + 1900) % 100);
	c[RTC_CENTURY] = rtc_encode(rtc, (tm.tm_year + 1900) / 100);
}

/*
 * The time the registers hold, in seconds since the epoch.  Whatever the
 * guest wrote, timegm() normalises it (a 31st of February is a 3rd of
 * March); the day of the week is derived, as the chip never checks it.
 */
static int64_t rtc_registers_time(const struct rtc *rtc)
{
	const uint8_t *c = rtc->cmos;
	struct tm tm = {
		.tm_sec = rtc_decode(rtc, c[RTC_SECONDS]),
		.tm_min = rtc_decode(rtc, c[RTC_MINUTES]),
		.tm_hour = rtc_decode_hours(rtc, c[RTC_HOURS]),
		.tm_mday = rtc_decode(rtc, c[RTC_DAY_OF_MONTH]),
		.tm_mon = rtc_decode(rtc, c[RTC_MONTH]) - 1,
		.tm_year = rtc_decode(rtc, c[RTC_CENTURY]) * 100 +
			   rtc_decode(rtc, c[RTC_YEAR]) - 1900,
	};

	return timegm(&tm);
}

static bool rtc_updating(const struct rtc *rtc)
{
	return !(rtc->cmos[RTC_REG_B] & RTC_B_SET);
}

/* Periodic interrupt period in 32.768 kHz cycles; 0: off. */
static uint64_t rtc_period(const struct rtc *rtc)
{
	unsigned int rs = rtc->cmos[RTC_REG_A] & RTC_A_RATE;

	if (!rs)
		return 0;
	/* RS 1 and 2 give 256 and 128 Hz, not 32 and 16 kHz (datasheet). */
	return rs <= 2 ? 1ULL << (rs + 6) : 1ULL << (rs - 1);
}

/* 32.768 kHz cycles of the divider chain from its start to now. */
static uint64_t rtc_cycles(const struct rtc *rtc, uint64_t now)
{
	/* Signed: a loaded chain may have started before this host booted. */
	int64_t d = (int64_t)(now - rtc->divider_base);
	uint64_t ns = d > 0 ? (uint64_t)d : 0;

	return (unsigned __int128)ns * RTC_BASE_HZ / NSEC_PER_SEC;
}

static bool rtc_alarm_matches(const struct rtc *rtc)
{
	static const uint8_t pairs[][2] = {
		{ RTC_SECONDS, RTC_SECONDS_ALARM },
		{ RTC_MINUTES, RTC_MINUTES_ALARM },
		{ RTC_HOURS, RTC_HOURS_ALARM },
	};
	unsigned int i;

	for (i = 0; i < 3; i++) {
		uint8_t alarm = rtc->cmos[pairs[i][1]];

		if ((alarm & RTC_ALARM_DONT_CARE) != RTC_ALARM_DONT_CARE &&
		    alarm != rtc->cmos[pairs[i][0]])
			return false;
	}
	return true;
}

static void rtc_update_irq(struct rtc *rtc)
{
	uint8_t *c = &rtc->cmos[RTC_REG_C];
	bool high;

	if (*c & rtc->cmos[RTC_REG_B] & (RTC_C_PF | RTC_C_AF | RTC_C_UF))
		*c |= RTC_C_IRQF;
	high = *c & RTC_C_IRQF;
	if (high != rtc->irq_high) {
		rtc->irq_high = high;
		isa_irq_set(rtc->m, PC_IRQ_RTC, high);
	}
}

/*
 * Bring register C up to now: a periodic flag for each period boundary
 * crossed, an update-ended flag (and the alarm check) for each second
 * boundary.  After a long gap only the latest second is checked against
 * the alarm; while AIE is set the timer visits every second.
 */
static void rtc_sync(struct rtc *rtc, uint64_t now)
{
	uint64_t prev = rtc->flags_ns, period = rtc_period(rtc);
	uint8_t *c = &rtc->cmos[RTC_REG_C];

	if ((int64_t)(now - prev) <= 0)
		return;
	rtc->flags_ns = now;
	if (period &&
	    rtc_cycles(rtc, now) / period > rtc_cycles(rtc, prev) / period)
		*c |= RTC_C_PF;
	if (rtc_updating(rtc) &&
	    floor_div(rtc_guest_ns(rtc, now), NSEC_PER_SEC) >
	    floor_div(rtc_guest_ns(rtc, prev), NSEC_PER_SEC)) {
		*c |= RTC_C_UF;
		rtc_refresh(rtc, now);
		if (rtc_alarm_matches(rtc))
			*c |= RTC_C_AF;
	}
	rtc_update_irq(rtc);
}

/* Arm the timer for the next event that could raise IRQF, if any. */
static void rtc_schedule(struct rtc *rtc, uint64_t now)
{
	uint8_t b = rtc->cmos[RTC_REG_B];
	uint64_t next = UINT64_MAX, period = rtc_period(rtc), t;
	int64_t g;

	if (!rtc->timer)
		return;
	ev_timer_disarm(rtc->timer);
	if (rtc->cmos[RTC_REG_C] & RTC_C_IRQF)
		return;
	if ((b & RTC_B_PIE) && period) {
		t = (rtc_cycles(rtc, now) / period + 1) * period;
		next = rtc->divider_base +
		       ((unsigned __int128)t * NSEC_PER_SEC + RTC_BASE_HZ - 1) /
		       RTC_BASE_HZ;
	}
	if ((b & (RTC_B_UIE | RTC_B_AIE)) && rtc_updating(rtc)) {
		g = rtc_guest_ns(rtc, now);
		t = now + (NSEC_PER_SEC - (g - floor_div(g, NSEC_PER_SEC) *
					   NSEC_PER_SEC));
		if (t < next)
			next = t;
	}
	if (next != UINT64_MAX)
		ev_timer_arm(rtc->timer, next);
}

static void rtc_timer_fire(void *opaque)
{
	struct rtc *rtc = opaque;
	uint64_t now = machine_now(rtc->m);

	rtc_sync(rtc, now);
	rtc_schedule(rtc, now);
}

static uint8_t rtc_read_reg_a(struct rtc *rtc, uint64_t now)
{
	int64_t g = rtc_guest_ns(rtc, now);
	int64_t frac = g - floor_div(g, NSEC_PER_SEC) * NSEC_PER_SEC;
	uint8_t a = rtc->cmos[RTC_REG_A] & ~RTC_A_UIP;

	if (rtc_updating(rtc) && frac >= NSEC_PER_SEC - RTC_UIP_NS)
		a |= RTC_A_UIP;
	return a;
}

static bool rtc_is_time_reg(uint8_t idx)
{
	return idx <= RTC_YEAR || idx == RTC_CENTURY;
}

static uint8_t rtc_read_data(struct rtc *rtc, uint64_t now)
{
	uint8_t idx = rtc->index, v;

	if (rtc_is_time_reg(idx) && rtc_updating(rtc))
		rtc_refresh(rtc, now);
	switch (idx) {
	case RTC_REG_A:
		return rtc_read_reg_a(rtc, now);
	case RTC_REG_C:
		/* Reading C acknowledges: every flag and IRQ 8 drop. */
		rtc_sync(rtc, now);
		v = rtc->cmos[RTC_REG_C];
		rtc->cmos[RTC_REG_C] = 0;
		rtc_update_irq(rtc);
		rtc_schedule(rtc, now);
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return rtc->cmos[idx];
	}
}

/*
 * A time register written while the clock runs sets the clock at once
 * (keeping the fraction of the second); while SET holds the registers,
 * the time is taken when SET is cleared.
 */
static void rtc_write_time(struct rtc *rtc, uint8_t idx, uint8_t v,
			   uint64_t now)
{
	int64_t frac;

	if (!rtc_updating(rtc)) {
		rtc->cmos[idx] = v;
		return;
	}
	rtc_sync(rtc, now);
	rtc_refresh(rtc, now);
	frac = rtc_guest_ns(rtc, now) -
	       floor_div(rtc_guest_ns(rtc, now), NSEC_PER_SEC) * NSEC_PER_SEC;
	rtc->cmos[idx] = v;
	rtc_set_guest_ns(rtc, rtc_registers_time(rtc) * NSEC_PER_SEC + frac,
			 now);
	rtc->flags_ns = now;
	rtc_schedule(rtc, now);
}

static void rtc_write_reg_b(struct rtc *rtc, uint8_t v, uint64_t now)
{
	uint8_t old = rtc->cmos[RTC_REG_B];

	rtc_sync(rtc, now);
	/* Freeze: the registers keep the time of this instant. */
	if ((v & RTC_B_SET) && !(old & RTC_B_SET))
		rtc_refresh(rtc, now);
	if (v & RTC_B_SET)
		v &= ~RTC_B_UIE;	/* SET clears UIE (datasheet) */
	rtc->cmos[RTC_REG_B] = v;
	if (!(v & RTC_B_SET) && (old & RTC_B_SET)) {
		/* Run again from what the registers hold, at second zero. */
		rtc_set_guest_ns(rtc, rtc_registers_time(rtc) * NSEC_PER_SEC,
				 now);
		rtc->flags_ns = now;
	}
	rtc_update_irq(rtc);
	rtc_schedule(rtc, now);
}

static void rtc_write_data(struct rtc *rtc, uint8_t v, uint64_t now)
{
	uint8_t idx = rtc->index;

	if (rtc_is_time_reg(idx)) {
		rtc_write_time(rtc, idx, v, now);
		return;
	}
	switch (idx) {
	case RTC_REG_A:
		rtc_sync(rtc, now);
		rtc->cmos[RTC_REG_A] = v & ~RTC_A_UIP;
		rtc_schedule(rtc, now);
		break;
	case RTC_REG_B:
		rtc_write_reg_b(rtc, v, now);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;		/* read-only */
	default:
		rtc->cmos[idx] = v;
		break;
	}
}

/* Byte registers (bus.h): a wider access is one access per port. */
static uint64_t rtc_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct rtc *rtc = opaque;

	/* The index port is write-only: reads float. */
	if (offset == 0)
		return 0xff;
	return rtc_read_data(rtc, machine_now(rtc->m));
}

static void rtc_write(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value)
{
	struct rtc *rtc = opaque;

	if (offset == 0) {
		rtc->index = value & RTC_INDEX_MASK;
		rtc->nmi_disabled = value & RTC_NMI_DISABLE;
	} else {
		rtc_write_data(rtc, value, machine_now(rtc->m));
	}
}

static const struct bus_ops rtc_ops = {
	.read = rtc_read,
	.write = rtc_write,
	.byte_regs = true,
};

static void cmos_put16(uint8_t *c, unsigned int idx, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	c[idx] = v;
	c[idx + 1] = v >> 8;
}

/*
 * What a BIOS leaves in CMOS about memory: base memory in KiB, memory
 * above 1 MiB in KiB (two copies, capped at 0xFFFF: 64 MiB), memory from
 * 16 MiB to the PCI hole and memory above 4 GiB in 64 KiB units.
 */
static void cmos_init_memory(uint8_t *c, uint64_t ram)
{
	uint64_t low = ram < PC_PCI_HOLE ? ram : PC_PCI_HOLE;
	uint64_t high = ram > PC_PCI_HOLE ? ram - PC_PCI_HOLE : 0;
	uint64_t ext = low > MIB ? (low - MIB) / KIB : 0;
	uint64_t above16 = low > 16 * MIB ? (low - 16 * MIB) / (64 * KIB) : 0;

	cmos_put16(c, CMOS_BASE_MEM_LO, 640);
	cmos_put16(c, CMOS_EXT_MEM_LO, ext);
	cmos_put16(c, CMOS_EXT_MEM2_LO, ext);
	cmos_put16(c, CMOS_MEM_16M_LO, above16);
	high /= 64 * KIB;
	if (high > 0xffffff)
		high = 0xffffff;
	c[CMOS_MEM_4G_LO] = high;
	c[CMOS_MEM_4G_LO + 1] = high >> 8;
	c[CMOS_MEM_4G_LO + 2] = high >> 16;
}

static void cmos_init(uint8_t *c, uint64_t ram)
{
	unsigned int i, sum = 0;

	c[RTC_REG_A] = RTC_A_DEFAULT;
	c[RTC_REG_B] = RTC_B_DEFAULT;
	c[RTC_REG_D] = RTC_D_VRT;
	c[CMOS_SHUTDOWN] = 0;		/* normal power-on */
	c[CMOS_FLOPPY] = 0;		/* no floppy drives */
	c[CMOS_EQUIPMENT] = CMOS_EQUIPMENT_FPU;
	cmos_init_memory(c, ram);
	for (i = CMOS_CSUM_FIRST; i <= CMOS_CSUM_LAST; i++)
		sum += c[i];
	c[CMOS_CSUM_HI] = sum >> 8;
	c[CMOS_CSUM_HI + 1] = sum;
}

/*
 * The RESET pin (MC146818A datasheet, "RESET"): PIE, AIE and UIE (and
 * SQWE) cleared, register C's flags cleared, the IRQ line released.  The
 * time, the alarm and the CMOS memory are kept: they are battery-backed.
 */
static void rtc_reset(struct device *dev)
{
	struct rtc *rtc = dev->state;
	uint64_t now = machine_now(rtc->m);

	rtc_sync(rtc, now);
	rtc->cmos[RTC_REG_B] &= ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE |
				  RTC_B_SQWE);
	rtc->cmos[RTC_REG_C] = 0;
	rtc->index = 0;
	rtc_update_irq(rtc);
	rtc_schedule(rtc, now);
}

static int rtc_create(struct device *dev, const struct dev_opts *opts,
		      char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct rtc *rtc = calloc(1, sizeof(*rtc));
	struct timespec ts;
	uint64_t now = machine_now(dev->m);
	int err;

	if (!rtc)
		return -ENOMEM;
	rtc->m = m;
	cmos_init(rtc->cmos, m->ram_size);
	clock_gettime(CLOCK_REALTIME, &ts);
	rtc_set_guest_ns(rtc, ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec, now);
	rtc->flags_ns = now;
	rtc->divider_base = now;
	rtc_refresh(rtc, now);
	if (m->evloop) {
		rtc->timer = ev_timer_new(m->evloop, rtc_timer_fire, rtc,
					  &dev->lock);
		if (!rtc->timer) {
			free(rtc);
			return -ENOMEM;
		}
	}
	err = bus_register(&m->pio, PC_RTC, 2, &rtc_ops, rtc, &dev->lock);
	if (err) {
		if (rtc->timer)
			ev_timer_free(rtc->timer);
		free(rtc);
		return err;
	}
	dev->state = rtc;
	return 0;
}

static void rtc_destroy(struct device *dev)
{
	struct rtc *rtc = dev->state;

	if (rtc->irq_high)
		isa_irq_set(dev->m, PC_IRQ_RTC, false);
	bus_unregister(&dev->m->pio, PC_RTC);
	if (rtc->timer)
		ev_timer_free(rtc->timer);
	free(rtc);
}

/*
 * Paused, the clock stands still, as VirtualBox's does (its virtual-sync
 * clock stops): after a resume the guest's time is behind the host's by
 * the pause, for a time-sync service to correct, and no periodic or
 * update interrupt is owed for it.
 */
static void rtc_pause(struct device *dev)
{
	struct rtc *rtc = dev->state;

	if (rtc->timer)
		ev_timer_disarm(rtc->timer);
}

static void rtc_resume(struct device *dev, uint64_t paused_ns)
{
	struct rtc *rtc = dev->state;

	rtc->mono_base += paused_ns;
	rtc->divider_base += paused_ns;
	rtc->flags_ns += paused_ns;
	rtc_schedule(rtc, machine_now(rtc->m));
}

static const struct devstate_field rtc_fields[] = {
	DEVSTATE_FIELD(struct rtc, index, 0xff),
	DEVSTATE_FIELD(struct rtc, nmi_disabled, 1),
	DEVSTATE_FIELD(struct rtc, irq_high, 1),
};

/*
 * The clock is saved as the guest's time at the save: after a load it
 * runs on from there (a snapshot's guest finds the time it left).
 */
static int rtc_save(struct device *dev, struct devstate *ds)
{
	struct rtc *rtc = dev->state;
	uint64_t now = machine_now(rtc->m);

	devstate_put_fields(ds, rtc, rtc_fields, ARRAY_SIZE(rtc_fields));
	devstate_put_bytes(ds, "cmos", rtc->cmos, sizeof(rtc->cmos));
	devstate_put_u64(ds, "guest_ns", rtc_guest_ns(rtc, now));
	devstate_put_u64(ds, "flags_ns_ago", now - rtc->flags_ns);
	devstate_put_u64(ds, "divider_ns_ago", now - rtc->divider_base);
	return 0;
}

static int rtc_load(struct device *dev, struct devstate *ds,
		    uint32_t version)
{
	struct rtc *rtc = dev->state, t = *rtc;
	uint64_t now = machine_now(rtc->m), guest, ago, dago;
	int err;

	err = devstate_get_fields(ds, &t, rtc_fields, ARRAY_SIZE(rtc_fields));
	if (!err)
		err = devstate_get_bytes(ds, "cmos", t.cmos, sizeof(t.cmos));
	if (!err)
		err = devstate_get_u64(ds, "guest_ns", &guest);
	if (!err)
		err = devstate_get_u64(ds, "flags_ns_ago", &ago);
	if (!err)
		err = devstate_get_u64(ds, "divider_ns_ago", &dago);
	if (err)
		return err;
	/* Within 146 years of 1970 either way: no overflow as it runs on. */
	if (t.index >= RTC_CMOS_SIZE || (int64_t)guest > (1LL << 62) ||
	    (int64_t)guest < -(1LL << 62))
		return -EINVAL;
	rtc_set_guest_ns(&t, (int64_t)guest, now);
	t.flags_ns = now - ago;
	t.divider_base = now - dago;
	*rtc = t;
	isa_irq_set(rtc->m, PC_IRQ_RTC, rtc->irq_high);
	rtc_schedule(rtc, now);
	return 0;
}

static const struct dev_class rtc_class = {
	.name = "rtc",
	.desc = "MC146818 RTC and CMOS at 0x70-0x71 (IRQ 8)",
	.level = DEV_INIT_DEV,
	.is_default = true,
	.create = rtc_create,
	.reset = rtc_reset,
	.pause = rtc_pause,
	.resume = rtc_resume,
	.state_version = 1,
	.save = rtc_save,
	.load = rtc_load,
	.destroy = rtc_destroy,
};
DEVICE_CLASS(rtc_class);
