/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device event loop: one thread that runs device timers (PIT, RTC,
 * UART transmit pacing) and file-descriptor watches (console input) while
 * the vCPU threads run the guest.  Every callback runs with the machine
 * lock held, as bus accesses do, so devices need no locks of their own.
 *
 * Time is CLOCK_MONOTONIC in nanoseconds (evloop_now()).
 */
#ifndef VIREO_EVLOOP_H
#define VIREO_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct evloop;
struct ev_timer;

typedef void (*ev_timer_fn)(void *opaque);
/* events: EPOLLIN and friends */
typedef void (*ev_fd_fn)(void *opaque, int fd, uint32_t events);

uint64_t evloop_now(void);

struct evloop *evloop_create(struct machine *m);
void evloop_destroy(struct evloop *ev);

/* Timers start disarmed; arming an armed timer moves it. */
struct ev_timer *ev_timer_new(struct evloop *ev, ev_timer_fn fn, void *opaque);
void ev_timer_arm(struct ev_timer *t, uint64_t expires_ns);
void ev_timer_disarm(struct ev_timer *t);
bool ev_timer_armed(const struct ev_timer *t);
void ev_timer_free(struct ev_timer *t);

/* 0 or -errno. */
int evloop_watch_fd(struct evloop *ev, int fd, uint32_t events,
		    ev_fd_fn fn, void *opaque);
void evloop_unwatch_fd(struct evloop *ev, int fd);

/*
 * Run due timers and ready fds once, waiting at most timeout_ns (0: do not
 * wait).  Takes the machine lock around each callback.  Tests drive the
 * loop with this; evloop_start() runs it on a thread until evloop_stop().
 */
void evloop_run_once(struct evloop *ev, uint64_t timeout_ns);
int evloop_start(struct evloop *ev);
void evloop_stop(struct evloop *ev);

#endif /* VIREO_EVLOOP_H */
