/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake platform for device unit tests: it defines the evloop.h timer API
 * and evloop_now() on a clock the test moves by hand, and the irq.h line
 * functions as a recorder of levels and rising edges.  A device test links
 * fake_platform.o instead of evloop.o and irq.o, so its timers fire exactly
 * when the test says and never depend on how fast the host is.
 *
 * Only what devices call is faked: timers and lines.  evloop_run_once() and
 * friends, and the irq_chip wiring, belong to the real files.
 */
#ifndef VIREO_FAKE_PLATFORM_H
#define VIREO_FAKE_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

struct evloop;

/* A non-NULL event loop to put in machine->evloop. */
struct evloop *fake_evloop(void);

uint64_t fake_clock_now(void);
/* Jump the clock (forwards or backwards) without running timers. */
void fake_clock_set(uint64_t ns);
/*
 * Move the clock forwards by ns, running every timer that falls due on the
 * way in expiry order, with the clock set to each timer's expiry as it
 * runs, as a punctual event loop would.
 */
void fake_clock_advance(uint64_t ns);
/* How many fake timers are armed now. */
unsigned int fake_timers_armed(void);

/* ISA IRQ lines (0-15) and GSIs (0-63). */
bool fake_isa_level(unsigned int irq);
unsigned int fake_isa_edges(unsigned int irq);	/* rising edges seen */
bool fake_gsi_level(unsigned int gsi);
unsigned int fake_gsi_edges(unsigned int gsi);
/*
 * The next n rising edges on ISA irq count as merged with a pending one:
 * isa_irq_set() reports them not taken (every other rise is taken).
 */
void fake_isa_merge_next(unsigned int irq, unsigned int n);
/* Forget every edge count, level and merge. */
void fake_irq_reset(void);

#endif /* VIREO_FAKE_PLATFORM_H */
