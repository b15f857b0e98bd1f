// SPDX-License-Identifier: GPL-2.0
/*
 * The fake clock, timers and interrupt lines of fake_platform.h.  Timers
 * live in a fixed table (a test creates a handful); a timer that re-arms
 * itself for "now" forever would hang fake_clock_advance(), so the number
 * of callbacks per advance is bounded and overrunning it aborts the test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evloop.h"
#include "fake_platform.h"
#include "irq.h"
#include "machine.h"

#define FAKE_MAX_TIMERS		64
#define FAKE_MAX_CALLBACKS	10000000
#define FAKE_ISA_IRQS		16
#define FAKE_GSIS		64

struct ev_timer {
	bool used, armed;
	uint64_t expires;
	ev_timer_fn fn;
	void *opaque;
};

static uint64_t fake_now;
static struct ev_timer timers[FAKE_MAX_TIMERS];
static bool isa_level[FAKE_ISA_IRQS], gsi_level[FAKE_GSIS];
static unsigned int isa_edges[FAKE_ISA_IRQS], gsi_edges[FAKE_GSIS];
static unsigned int isa_merges[FAKE_ISA_IRQS];

struct evloop *fake_evloop(void)
{
	static char token;

	return (struct evloop *)&token;
}

uint64_t evloop_now(void)
{
	return fake_now;
}

uint64_t fake_clock_now(void)
{
	return fake_now;
}

void fake_clock_set(uint64_t ns)
{
	fake_now = ns;
}

static struct ev_timer *earliest_due(uint64_t limit)
{
	struct ev_timer *best = NULL;
	unsigned int i;

	for (i = 0; i < FAKE_MAX_TIMERS; i++) {
		struct ev_timer *t = &timers[i];

		if (t->used && t->armed && t->expires <= limit &&
		    (!best || t->expires < best->expires))
			best = t;
	}
	return best;
}

void fake_clock_advance(uint64_t ns)
{
	uint64_t target = fake_now + ns;
	unsigned long calls = 0;
	struct ev_timer *t;

	while ((t = earliest_due(target))) {
		if (++calls > FAKE_MAX_CALLBACKS) {
			fprintf(stderr, "fake_platform: timer storm\n");
			abort();
		}
		if (t->expires > fake_now)
			fake_now = t->expires;
		t->armed = false;
		t->fn(t->opaque);
	}
	fake_now = target;
}

unsigned int fake_timers_armed(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_MAX_TIMERS; i++)
		n += timers[i].used && timers[i].armed;
	return n;
}

struct ev_timer *ev_timer_new(struct evloop *ev, ev_timer_fn fn, void *opaque,
			      pthread_mutex_t *lock)
{
	unsigned int i;

	for (i = 0; i < FAKE_MAX_TIMERS; i++) {
		if (!timers[i].used) {
			timers[i] = (struct ev_timer) {
				.used = true, .fn = fn, .opaque = opaque,
			};
			return &timers[i];
		}
	}
	return NULL;
}

void ev_timer_arm(struct ev_timer *t, uint64_t expires_ns)
{
	t->armed = true;
	t->expires = expires_ns;
}

void ev_timer_disarm(struct ev_timer *t)
{
	t->armed = false;
}

bool ev_timer_armed(const struct ev_timer *t)
{
	return t->armed;
}

void ev_timer_free(struct ev_timer *t)
{
	if (t)
		memset(t, 0, sizeof(*t));
}

/* True for a rising edge. */
static bool record(bool *levels, unsigned int *edges, unsigned int n,
		   unsigned int line, bool level)
{
	bool rise;

	if (line >= n) {
		fprintf(stderr, "fake_platform: line %u out of range\n", line);
		abort();
	}
	rise = level && !levels[line];
	if (rise)
		edges[line]++;
	levels[line] = level;
	return rise;
}

bool isa_irq_set(struct machine *m, unsigned int irq, bool level)
{
	if (!record(isa_level, isa_edges, FAKE_ISA_IRQS, irq, level))
		return false;
	if (isa_merges[irq]) {
		isa_merges[irq]--;
		return false;
	}
	return true;
}

bool isa_irq_pulse(struct machine *m, unsigned int irq)
{
	bool taken = isa_irq_set(m, irq, true);

	isa_irq_set(m, irq, false);
	return taken;
}

void fake_isa_merge_next(unsigned int irq, unsigned int n)
{
	if (irq < FAKE_ISA_IRQS)
		isa_merges[irq] = n;
}

void gsi_set(struct machine *m, unsigned int gsi, bool level)
{
	record(gsi_level, gsi_edges, FAKE_GSIS, gsi, level);
}

bool fake_isa_level(unsigned int irq)
{
	return irq < FAKE_ISA_IRQS && isa_level[irq];
}

unsigned int fake_isa_edges(unsigned int irq)
{
	return irq < FAKE_ISA_IRQS ? isa_edges[irq] : 0;
}

bool fake_gsi_level(unsigned int gsi)
{
	return gsi < FAKE_GSIS && gsi_level[gsi];
}

unsigned int fake_gsi_edges(unsigned int gsi)
{
	return gsi < FAKE_GSIS ? gsi_edges[gsi] : 0;
}

void fake_irq_reset(void)
{
	memset(isa_level, 0, sizeof(isa_level));
	memset(gsi_level, 0, sizeof(gsi_level));
	memset(isa_edges, 0, sizeof(isa_edges));
	memset(gsi_edges, 0, sizeof(gsi_edges));
	memset(isa_merges, 0, sizeof(isa_merges));
}

/*
 * The controllers register as irq.c has them do; the lines above still
 * go to the recorder, so a test drives a controller through its chip.
 */
void irq_set_isa_chip(struct machine *m, const struct irq_chip *chip)
{
	m->isa_chip = chip;
}

void irq_set_gsi_chip(struct machine *m, const struct irq_chip *chip)
{
	m->gsi_chip = chip;
}

/* No fd is watched here: a device sees an fd it cannot watch. */
int evloop_watch_fd(struct evloop *ev, int fd, uint32_t events, ev_fd_fn fn,
		    void *opaque, pthread_mutex_t *lock)
{
	return -ENOSYS;
}

void evloop_unwatch_fd(struct evloop *ev, int fd)
{
}
