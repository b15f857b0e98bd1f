// SPDX-License-Identifier: GPL-2.0
/*
 * i8254 programmable interval timer at 0x40-0x43 and port 0x61 (system
 * control port B: channel 2 gate, speaker, refresh toggle, channel 2 OUT).
 *
 * Register behaviour: Intel 8254 datasheet (231164), "Control Word
 * Format", "Read Operations" (counter latch, read-back command) and
 * "Modes"; port 0x61: PIIX4 datasheet, "NMI Status and Control Register"
 * (I/O 61h).
 *
 * The counters are never stepped: a channel remembers when its count was
 * loaded (start_ns) and how many ticks it had counted before that moment
 * (held_ticks, for gate pauses), and every read computes the counting
 * element and OUT from evloop_now().  Channel 0's OUT drives ISA IRQ 0
 * through an ev_timer armed for the next edge only, so a guest that never
 * uses the PIT costs nothing.
 *
 * Simplifications, none of which PC operating systems depend on:
 * counting starts on the write that completes the count instead of the
 * next CLK edge; a new count in modes 2 and 3 takes effect at once instead
 * of at the end of the current period; in modes 1 and 5 a new count waits
 * for the next gate trigger.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../devices.h"
#include "../devstate.h"
#include "../evloop.h"
#include "../bus.h"
#include "../irq.h"
#include "../machine.h"
#include "../pc_layout.h"
#include "util.h"

#define PIT_HZ			1193182ULL
#define NSEC_PER_SEC		1000000000ULL
#define PIT_NR_CHANNELS		3
#define PIT_PORTS		4
#define PIT_CONTROL		3	/* the control word port */

/*
 * A periodic channel 0 interrupt is delivered at most every 20 us
 * (50 kHz): a guest programming count 2 must not make the event loop spin
 * at 600 kHz.  Counts and OUT still follow the programmed rate; only
 * interrupts closer together than this are merged into one.
 */
#define PIT_MIN_PERIOD_NS	20000ULL

/*
 * Lost ticks are sent again (modes 2 and 3).  A tick is lost when the
 * host runs this thread late (several periods pass between two timer
 * callbacks) or when the guest has not taken the previous IRQ 0 yet (the
 * edge merges with it in the PIC's or the local APIC's IRR, which
 * isa_irq_pulse() reports).  Linux counts periodic ticks into jiffies
 * until it switches to one-shot timers, and early in boot its clocksource
 * watchdog compares the TSC with jiffies: lost ticks there make it mark
 * the TSC unstable.  KVM's in-kernel PIT re-injects for the same reason
 * (its "reinject" mode).  The backlog is sent one interrupt every quarter
 * period on top of the regular ones, and holds at most a second's worth:
 * a VM stopped for a minute should not spend minutes catching up.  Rates
 * whose quarter period is under PIT_MIN_PERIOD_NS are not caught up.
 */
#define PIT_CATCHUP_DIVISOR	4
#define PIT_MAX_BACKLOG_NS	NSEC_PER_SEC

/* Control word fields (8254 datasheet, "Control Word Format"). */
#define PIT_CW_SC(v)		(((v) >> 6) & 3)
#define PIT_CW_RW(v)		(((v) >> 4) & 3)
#define PIT_CW_MODE(v)		(((v) >> 1) & 7)
#define PIT_CW_BCD		0x01
#define PIT_SC_READBACK		3
#define PIT_RB_NOT_COUNT	0x20	/* read-back: 0 latches counts */
#define PIT_RB_NOT_STATUS	0x10	/* read-back: 0 latches status */

enum pit_rw {
	PIT_RW_LATCH = 0,	/* in a control word: counter latch command */
	PIT_RW_LO = 1,
	PIT_RW_HI = 2,
	PIT_RW_LOHI = 3,
};

/* Status byte of the read-back command. */
#define PIT_ST_OUT		0x80
#define PIT_ST_NULL_COUNT	0x40

/* Port 0x61, NMI status and control. */
#define P61_GATE2		0x01
#define P61_SPEAKER		0x02
#define P61_RW_BITS		0x0f	/* read back as written */
#define P61_REFRESH		0x10
#define P61_OUT2		0x20

struct pit;

struct pit_channel {
	struct pit *pit;
	unsigned int index;
	uint8_t mode_bits;	/* as programmed, for the status byte */
	uint8_t mode;		/* 0-5: modes 6 and 7 are 2 and 3 */
	uint8_t rw;
	bool bcd;
	bool gate;

	uint32_t reload;	/* N in binary, 1 .. 65536 (10000 in BCD) */
	bool loaded;		/* a count came after the control word */
	bool triggered;		/* modes 1 and 5: the gate rose since */
	bool running;		/* the counting element advances */
	uint64_t start_ns;
	uint64_t held_ticks;
	uint16_t idle_count;	/* read until a count is loaded */
	bool null_count;

	bool write_hi;		/* lo/hi: the next write is the MSB */
	uint8_t write_lsb;
	bool read_hi;		/* lo/hi: the next read is the MSB */

	unsigned int latched_bytes;	/* 0: no count latched */
	uint16_t latched_count;
	bool status_latched;
	uint8_t latched_status;

	/* Channel 0 only: the interrupt. */
	struct ev_timer *timer;
	uint64_t irq_period;	/* modes 2, 3: last period boundary counted */
	uint64_t irq_owed;	/* modes 2, 3: ticks not taken yet */
	bool irq_catchup;	/* modes 2, 3: send the next owed one early */
	bool irq_done;		/* other modes: terminal count sent */
	bool irq_high;		/* modes 0, 1: the level on IRQ 0 */
};

struct pit {
	struct machine *m;
	struct pit_channel ch[PIT_NR_CHANNELS];
	uint8_t port61;		/* bits 0-3 */
	bool refresh;
};

static uint64_t ns_to_ticks(uint64_t ns)
{
	return (unsigned __int128)ns * PIT_HZ / NSEC_PER_SEC;
}

/* Rounded up, so that ns_to_ticks(ticks_to_ns(t)) >= t. */
static uint64_t ticks_to_ns(uint64_t ticks)
{
	return ((unsigned __int128)ticks * NSEC_PER_SEC + PIT_HZ - 1) / PIT_HZ;
}

static uint32_t pit_modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

/* Signed: a loaded channel may have started before this host's boot. */
static uint64_t pit_ticks(const struct pit_channel *c, uint64_t now)
{
	if (!c->running || (int64_t)(now - c->start_ns) < 0)
		return c->held_ticks;
	return c->held_ticks + ns_to_ticks(now - c->start_ns);
}

/* Stop the clock of a channel without losing what it counted. */
static void pit_hold(struct pit_channel *c, uint64_t now)
{
	c->held_ticks = pit_ticks(c, now);
	c->start_ns = now;
}

static void pit_restart(struct pit_channel *c, uint64_t now, bool run)
{
	c->held_ticks = 0;
	c->start_ns = now;
	c->running = run;
	c->irq_period = 0;
	c->irq_owed = 0;
	c->irq_catchup = false;
	c->irq_done = false;
}

/* The counting element, in binary: 0 .. modulus - 1 (0 stands for N max). */
static uint32_t pit_count(const struct pit_channel *c, uint64_t now)
{
	uint32_t mod = pit_modulus(c), n = c->reload;
	uint64_t t = pit_ticks(c, now), p, half;

	if (!c->loaded)
		return c->idle_count;
	switch (c->mode) {
	case 2:
		return (n - t % n) % mod;
	case 3:
		/* Counts down by two, high half then low half of a period. */
		p = t % n;
		half = (n + 1) / 2;
		return (n - 2 * (p < half ? p : p - half)) % mod;
	case 1:
	case 5:
		if (!c->triggered)
			return n % mod;
		/* fall through */
	default:
		/* Modes 0, 1, 4, 5 keep counting down past zero, wrapping. */
		return (n + mod - t % mod) % mod;
	}
}

static bool pit_out(const struct pit_channel *c, uint64_t now)
{
	uint64_t t = pit_ticks(c, now), n = c->reload;

	if (!c->loaded)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
		return t >= n;
	case 1:
		return !c->triggered || t >= n;
	case 2:
		return !c->gate || t % n != n - 1;
	case 3:
		return !c->gate || t % n < (n + 1) / 2;
	case 4:
		return t != n;
	default:	/* 5 */
		return !c->triggered || t != n;
	}
}

static uint16_t to_bcd(uint32_t v)
{
	v %= 10000;
	return (v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
	       v % 10;
}

/* Digits above 9 are not BCD; read them as 9 rather than invent a rule. */
static uint32_t from_bcd(uint16_t v)
{
	uint32_t r = 0;
	int shift;

	for (shift = 12; shift >= 0; shift -= 4) {
		uint32_t d = (v >> shift) & 0xf;

		r = r * 10 + (d > 9 ? 9 : d);
	}
	return r;
}

static uint16_t pit_read_value(const struct pit_channel *c, uint64_t now)
{
	uint32_t v = pit_count(c, now);

	return c->bcd ? to_bcd(v) : (uint16_t)v;
}

static void pit_irq_line(struct pit_channel *c, bool high)
{
	if (c->irq_high == high)
		return;
	c->irq_high = high;
	isa_irq_set(c->pit->m, PC_IRQ_PIT, high);
}

/*
 * Arm channel 0's timer for its next interrupt: terminal count in the
 * one-shot modes, the next period boundary in modes 2 and 3.
 */
static void pit_irq_schedule(struct pit_channel *c, uint64_t now)
{
	uint64_t t, target, expires, retry, n = c->reload;

	if (!c->timer)
		return;
	ev_timer_disarm(c->timer);
	if (!c->loaded || !c->running)
		return;
	t = pit_ticks(c, now);
	if (c->mode == 2 || c->mode == 3) {
		target = (t / n + 1) * n;
	} else {
		if (c->irq_done)
			return;
		target = n;
	}
	if (target <= c->held_ticks)
		target = c->held_ticks + 1;
	expires = c->start_ns + ticks_to_ns(target - c->held_ticks);
	if (c->mode == 2 || c->mode == 3) {
		if (expires < now + PIT_MIN_PERIOD_NS)
			expires = now + PIT_MIN_PERIOD_NS;
		retry = now + ticks_to_ns(n) / PIT_CATCHUP_DIVISOR;
		if (c->irq_catchup && retry < expires)
			expires = retry;
	}
	ev_timer_arm(c->timer, expires);
}

/* The most ticks a channel may owe (PIT_MAX_BACKLOG_NS of periods). */
static uint64_t pit_max_owed(const struct pit_channel *c)
{
	return PIT_MAX_BACKLOG_NS / ticks_to_ns(c->reload);
}

/* Modes 2 and 3: count the periods that ended, send one owed tick. */
static void pit_periodic_fire(struct pit_channel *c, uint64_t t)
{
	uint64_t period = t / c->reload, period_ns = ticks_to_ns(c->reload);
	uint64_t max_owed = pit_max_owed(c);

	if (period > c->irq_period) {
		c->irq_owed += period - c->irq_period;
		c->irq_period = period;
		if (period_ns / PIT_CATCHUP_DIVISOR < PIT_MIN_PERIOD_NS)
			c->irq_owed = 1;
		else if (c->irq_owed > max_owed)	/* 18 or more */
			c->irq_owed = max_owed;
	}
	c->irq_catchup = false;
	if (!c->irq_owed)
		return;
	/*
	 * A merged or masked edge stays owed until the next period: no
	 * early retry for it, so a masked IRQ 0 costs no more than one
	 * callback per period.
	 */
	if (isa_irq_pulse(c->pit->m, PC_IRQ_PIT)) {
		c->irq_owed--;
		c->irq_catchup = c->irq_owed > 0;
	}
}

/*
 * Channel 0's timer: the edge that is due now, if any.  In modes 2 and 3
 * that may be an owed one (see PIT_CATCHUP_DIVISOR).
 */
static void pit_timer_fire(void *opaque)
{
	struct pit_channel *c = opaque;
	uint64_t now = machine_now(c->pit->m), t;

	if (!c->loaded || !c->running)
		return;
	t = pit_ticks(c, now);
	switch (c->mode) {
	case 0:
	case 1:
		if (t >= c->reload && !c->irq_done) {
			c->irq_done = true;
			pit_irq_line(c, true);
		}
		break;
	case 2:
	case 3:
		pit_periodic_fire(c, t);
		break;
	default:	/* 4, 5: OUT strobes low for one clock */
		if (t >= c->reload && !c->irq_done) {
			c->irq_done = true;
			isa_irq_pulse(c->pit->m, PC_IRQ_PIT);
		}
		break;
	}
	pit_irq_schedule(c, now);
}

static void pit_load(struct pit_channel *c, uint16_t value, uint64_t now)
{
	uint32_t n = c->bcd ? from_bcd(value) : value;

	c->reload = n ? n : pit_modulus(c);
	c->loaded = true;
	c->null_count = false;
	switch (c->mode) {
	case 1:
	case 5:
		c->triggered = false;
		pit_restart(c, now, false);
		break;
	default:
		pit_restart(c, now, c->gate);
		break;
	}
	if (c->timer) {
		pit_irq_line(c, false);
		pit_irq_schedule(c, now);
	}
}

static void pit_write_control(struct pit *pit, uint8_t v, uint64_t now);

static void pit_latch_count(struct pit_channel *c, uint64_t now)
{
	if (c->latched_bytes)
		return;	/* the first latch holds until it is read */
	c->latched_count = pit_read_value(c, now);
	c->latched_bytes = c->rw == PIT_RW_LOHI ? 2 : 1;
}

static void pit_latch_status(struct pit_channel *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->latched_status = (pit_out(c, now) ? PIT_ST_OUT : 0) |
			    (c->null_count ? PIT_ST_NULL_COUNT : 0) |
			    c->rw << 4 | c->mode_bits << 1 | c->bcd;
	c->status_latched = true;
}

static void pit_read_back(struct pit *pit, uint8_t v, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < PIT_NR_CHANNELS; i++) {
		if (!(v & (2 << i)))
			continue;
		if (!(v & PIT_RB_NOT_STATUS))
			pit_latch_status(&pit->ch[i], now);
		if (!(v & PIT_RB_NOT_COUNT))
			pit_latch_count(&pit->ch[i], now);
	}
}

static void pit_write_control(struct pit *pit, uint8_t v, uint64_t now)
{
	struct pit_channel *c;

	if (PIT_CW_SC(v) == PIT_SC_READBACK) {
		pit_read_back(pit, v, now);
		return;
	}
	c = &pit->ch[PIT_CW_SC(v)];
	if (PIT_CW_RW(v) == PIT_RW_LATCH) {
		pit_latch_count(c, now);
		return;
	}
	/* A control word resets the channel and waits for a new count. */
	c->idle_count = pit_count(c, now);
	c->rw = PIT_CW_RW(v);
	c->mode_bits = PIT_CW_MODE(v);
	c->mode = c->mode_bits > 5 ? c->mode_bits - 4 : c->mode_bits;
	c->bcd = v & PIT_CW_BCD;
	c->loaded = false;
	c->triggered = false;
	c->null_count = true;
	c->write_hi = false;
	c->read_hi = false;
	c->latched_bytes = 0;
	c->status_latched = false;
	pit_restart(c, now, false);
	if (c->timer) {
		ev_timer_disarm(c->timer);
		pit_irq_line(c, false);
	}
}

static uint8_t pit_read_channel(struct pit_channel *c, uint64_t now)
{
	uint16_t v;
	bool hi;

	if (c->status_latched) {
		c->status_latched = false;
		return c->latched_status;
	}
	if (c->latched_bytes) {
		v = c->latched_count;
		hi = c->rw == PIT_RW_HI ||
		     (c->rw == PIT_RW_LOHI && c->latched_bytes == 1);
		c->latched_bytes--;
	} else {
		v = pit_read_value(c, now);
		hi = c->rw == PIT_RW_HI ||
		     (c->rw == PIT_RW_LOHI && c->read_hi);
		if (c->rw == PIT_RW_LOHI)
			c->read_hi = !c->read_hi;
	}
	return hi ? v >> 8 : v & 0xff;
}

static void pit_write_channel(struct pit_channel *c, uint8_t v, uint64_t now)
{
	switch (c->rw) {
	case PIT_RW_LO:
		pit_load(c, v, now);
		break;
	case PIT_RW_HI:
		pit_load(c, v << 8, now);
		break;
	default:
		if (c->write_hi) {
			c->write_hi = false;
			pit_load(c, c->write_lsb | v << 8, now);
			break;
		}
		c->write_lsb = v;
		c->write_hi = true;
		/* Mode 0: the first byte stops the count and drops OUT. */
		if (c->mode == 0 && c->loaded) {
			c->idle_count = pit_count(c, now);
			c->loaded = false;
			c->null_count = true;
			pit_restart(c, now, false);
			if (c->timer) {
				ev_timer_disarm(c->timer);
				pit_irq_line(c, false);
			}
		}
		break;
	}
}

/* Byte registers (bus.h): a wider access is one access per port. */
static uint64_t pit_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct pit *pit = opaque;

	/* The control port is write-only: it floats. */
	if (offset >= PIT_NR_CHANNELS)
		return 0xff;
	return pit_read_channel(&pit->ch[offset], machine_now(pit->m));
}

static void pit_write(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value)
{
	struct pit *pit = opaque;
	uint64_t now = machine_now(pit->m);

	if (offset == PIT_CONTROL)
		pit_write_control(pit, value, now);
	else if (offset < PIT_NR_CHANNELS)
		pit_write_channel(&pit->ch[offset], value, now);
}

static const struct bus_ops pit_ops = {
	.read = pit_read,
	.write = pit_write,
	.byte_regs = true,
};

static void pit_set_gate(struct pit_channel *c, bool gate, uint64_t now)
{
	if (c->gate == gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	switch (c->mode) {
	case 0:
	case 4:
		/* A low gate suspends counting; high resumes it. */
		pit_hold(c, now);
		c->running = gate;
		break;
	case 2:
	case 3:
		/* Low stops the count (OUT high); the rising edge reloads. */
		if (gate) {
			pit_restart(c, now, true);
		} else {
			pit_hold(c, now);
			c->running = false;
		}
		break;
	default:
		/* Modes 1 and 5 start (again) on a rising edge. */
		if (gate) {
			c->triggered = true;
			pit_restart(c, now, true);
		}
		break;
	}
	if (c->timer)
		pit_irq_schedule(c, now);
}

/*
 * Port 0x61.  The refresh bit toggles on every read rather than every
 * 15 us: code that waits for it to change (BIOS-style delay loops) sees
 * it change at once, and nothing measures time with it.
 */
static uint64_t port61_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct pit *pit = opaque;
	struct pit_channel *c2 = &pit->ch[2];
	uint8_t v;

	pit->refresh = !pit->refresh;
	v = pit->port61 | (pit->refresh ? P61_REFRESH : 0);
	if (pit_out(c2, machine_now(pit->m)))
		v |= P61_OUT2;
	return v;
}

static void port61_write(void *opaque, uint64_t offset, unsigned int size,
			 uint64_t value)
{
	struct pit *pit = opaque;

	pit->port61 = value & P61_RW_BITS;
	pit_set_gate(&pit->ch[2], value & P61_GATE2, machine_now(pit->m));
}

static const struct bus_ops port61_ops = {
	.read = port61_read,
	.write = port61_write,
};

/* Power-on state of the channels; channel 0's timer is kept. */
static void pit_power_on(struct pit *pit)
{
	unsigned int i;

	pit->port61 = 0;
	pit->refresh = false;
	for (i = 0; i < PIT_NR_CHANNELS; i++) {
		struct pit_channel *c = &pit->ch[i];
		struct ev_timer *timer = c->timer;

		memset(c, 0, sizeof(*c));
		c->pit = pit;
		c->index = i;
		c->timer = timer;
		c->rw = PIT_RW_LOHI;
		c->reload = 65536;
		/* Channels 0 and 1 have their gates tied high. */
		c->gate = i != 2;
	}
}

static void i8254_reset(struct device *dev)
{
	struct pit *pit = dev->state;

	if (pit->ch[0].timer)
		ev_timer_disarm(pit->ch[0].timer);
	if (pit->ch[0].irq_high)
		isa_irq_set(pit->m, PC_IRQ_PIT, false);
	pit_power_on(pit);
}

static int i8254_create(struct device *dev, const struct dev_opts *opts,
			char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct pit *pit = calloc(1, sizeof(*pit));
	int err = -ENOMEM;

	if (!pit)
		return -ENOMEM;
	pit->m = m;
	pit_power_on(pit);
	if (m->evloop) {
		pit->ch[0].timer = ev_timer_new(m->evloop, pit_timer_fire,
						&pit->ch[0], &dev->lock);
		if (!pit->ch[0].timer)
			goto err_free;
	}
	err = bus_register(&m->pio, PC_PIT, PIT_PORTS, &pit_ops, pit,
			   &dev->lock);
	if (err)
		goto err_timer;
	err = bus_register(&m->pio, PC_PORT61, 1, &port61_ops, pit, &dev->lock);
	if (err)
		goto err_unregister;
	dev->state = pit;
	return 0;

err_unregister:
	bus_unregister(&m->pio, PC_PIT);
err_timer:
	if (pit->ch[0].timer)
		ev_timer_free(pit->ch[0].timer);
err_free:
	free(pit);
	return err;
}

static void i8254_destroy(struct device *dev)
{
	struct pit *pit = dev->state;

	if (pit->ch[0].irq_high)
		isa_irq_set(dev->m, PC_IRQ_PIT, false);
	bus_unregister(&dev->m->pio, PC_PIT);
	bus_unregister(&dev->m->pio, PC_PORT61);
	if (pit->ch[0].timer)
		ev_timer_free(pit->ch[0].timer);
	free(pit);
}

/* Each channel's state, as "ch0.x", "ch1.x" and "ch2.x". */
static const struct devstate_field pit_ch_fields[] = {
	DEVSTATE_FIELD(struct pit_channel, mode_bits, 7),
	DEVSTATE_FIELD(struct pit_channel, mode, 5),
	DEVSTATE_FIELD(struct pit_channel, rw, 3),
	DEVSTATE_FIELD(struct pit_channel, bcd, 1),
	DEVSTATE_FIELD(struct pit_channel, gate, 1),
	DEVSTATE_FIELD(struct pit_channel, reload, 65536),
	DEVSTATE_FIELD(struct pit_channel, loaded, 1),
	DEVSTATE_FIELD(struct pit_channel, triggered, 1),
	DEVSTATE_FIELD(struct pit_channel, running, 1),
	DEVSTATE_FIELD(struct pit_channel, held_ticks, UINT64_MAX),
	DEVSTATE_FIELD(struct pit_channel, idle_count, 0xffff),
	DEVSTATE_FIELD(struct pit_channel, null_count, 1),
	DEVSTATE_FIELD(struct pit_channel, write_hi, 1),
	DEVSTATE_FIELD(struct pit_channel, write_lsb, 0xff),
	DEVSTATE_FIELD(struct pit_channel, read_hi, 1),
	DEVSTATE_FIELD(struct pit_channel, latched_bytes, 2),
	DEVSTATE_FIELD(struct pit_channel, latched_count, 0xffff),
	DEVSTATE_FIELD(struct pit_channel, status_latched, 1),
	DEVSTATE_FIELD(struct pit_channel, latched_status, 0xff),
	DEVSTATE_FIELD(struct pit_channel, irq_period, UINT64_MAX),
	DEVSTATE_FIELD(struct pit_channel, irq_owed, UINT64_MAX),
	DEVSTATE_FIELD(struct pit_channel, irq_catchup, 1),
	DEVSTATE_FIELD(struct pit_channel, irq_done, 1),
	DEVSTATE_FIELD(struct pit_channel, irq_high, 1),
};

static const struct devstate_field pit_fields[] = {
	DEVSTATE_FIELD(struct pit, port61, P61_RW_BITS),
	DEVSTATE_FIELD(struct pit, refresh, 1),
};

/*
 * A paused machine's clocks stand still (devices.h): the channels count
 * on after a resume from where they stood, with no ticks owed for the
 * pause.
 */
static void i8254_pause(struct device *dev)
{
	struct pit *pit = dev->state;

	if (pit->ch[0].timer)
		ev_timer_disarm(pit->ch[0].timer);
}

static void i8254_resume(struct device *dev, uint64_t paused_ns)
{
	struct pit *pit = dev->state;
	unsigned int i;

	for (i = 0; i < PIT_NR_CHANNELS; i++)
		pit->ch[i].start_ns += paused_ns;
	pit_irq_schedule(&pit->ch[0], machine_now(pit->m));
}

/*
 * A running channel's clock is saved as how long ago it started, so that
 * after a load it has counted exactly as far, and goes on from there.
 */
static int i8254_save(struct device *dev, struct devstate *ds)
{
	struct pit *pit = dev->state;
	uint64_t now = machine_now(pit->m);
	char name[24];
	unsigned int i;

	devstate_put_fields(ds, pit, pit_fields, ARRAY_SIZE(pit_fields));
	for (i = 0; i < PIT_NR_CHANNELS; i++) {
		snprintf(name, sizeof(name), "ch%u", i);
		devstate_put_fields_in(ds, name, &pit->ch[i], pit_ch_fields,
				       ARRAY_SIZE(pit_ch_fields));
		snprintf(name, sizeof(name), "ch%u.started_ns_ago", i);
		devstate_put_u64(ds, name, now - pit->ch[i].start_ns);
	}
	return 0;
}

static int i8254_load(struct device *dev, struct devstate *ds,
		      uint32_t version)
{
	struct pit *pit = dev->state, t = *pit;
	uint64_t now = machine_now(pit->m), ago;
	char name[24];
	unsigned int i;
	int err;

	err = devstate_get_fields(ds, &t, pit_fields, ARRAY_SIZE(pit_fields));
	for (i = 0; !err && i < PIT_NR_CHANNELS; i++) {
		struct pit_channel *c = &t.ch[i];

		snprintf(name, sizeof(name), "ch%u", i);
		err = devstate_get_fields_in(ds, name, c, pit_ch_fields,
					     ARRAY_SIZE(pit_ch_fields));
		snprintf(name, sizeof(name), "ch%u.started_ns_ago", i);
		if (!err)
			err = devstate_get_u64(ds, name, &ago);
		if (!err)
			c->start_ns = now - ago;
		if (!err && (c->rw == 0 || c->reload == 0 ||
			     c->reload > pit_modulus(c) ||
			     c->mode != (c->mode_bits > 5 ? c->mode_bits - 4 :
					 c->mode_bits) ||
			     c->irq_owed > pit_max_owed(c)))
			err = -EINVAL;
	}
	if (err)
		return err;
	if (pit->ch[0].timer)
		ev_timer_disarm(pit->ch[0].timer);
	*pit = t;
	for (i = 0; i < PIT_NR_CHANNELS; i++)
		pit->ch[i].pit = pit;
	/* The line as the channel had it, then the next edge. */
	isa_irq_set(pit->m, PC_IRQ_PIT, pit->ch[0].irq_high);
	pit_irq_schedule(&pit->ch[0], now);
	return 0;
}

static const struct dev_class i8254_class = {
	.name = "i8254",
	.desc = "i8254 PIT at 0x40-0x43 (IRQ 0) and port 0x61",
	.level = DEV_INIT_DEV,
	.is_default = true,
	.create = i8254_create,
	.reset = i8254_reset,
	.pause = i8254_pause,
	.resume = i8254_resume,
	.state_version = 1,
	.save = i8254_save,
	.load = i8254_load,
	.destroy = i8254_destroy,
};
DEVICE_CLASS(i8254_class);
