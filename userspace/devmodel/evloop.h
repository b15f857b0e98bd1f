/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device event loop: one thread that runs device timers (PIT, RTC,
 * UART transmit pacing) and file-descriptor watches (console input) while
 * the vCPU threads run the guest.  Each timer and watch is given the lock
 * of its device (devices.h), held around its callback as the bus holds it
 * around an access, so a device is entered by one thread at a time.  The
 * loop's own lock is a leaf, taken inside device locks: devices arm and
 * disarm timers from any thread.  Devices are destroyed (and their timers
 * and locks freed) only once the loop no longer runs.
 *
 * Time is CLOCK_MONOTONIC in nanoseconds (evloop_now()).
 */
#ifndef VIREO_EVLOOP_H
#define VIREO_EVLOOP_H

#include <pthread.h>
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

/*
 * Timers start disarmed; arming an armed timer moves it.  fn runs with lock
 * held (NULL: none, for tests), never after a disarm or free made with it.
 */
struct ev_timer *ev_timer_new(struct evloop *ev, ev_timer_fn fn, void *opaque,
			      pthread_mutex_t *lock);
void ev_timer_arm(struct ev_timer *t, uint64_t expires_ns);
void ev_timer_disarm(struct ev_timer *t);
bool ev_timer_armed(const struct ev_timer *t);
void ev_timer_free(struct ev_timer *t);

/* 0 or -errno.  fn runs with lock held, as a timer's does. */
int evloop_watch_fd(struct evloop *ev, int fd, uint32_t events,
		    ev_fd_fn fn, void *opaque, pthread_mutex_t *lock);
void evloop_unwatch_fd(struct evloop *ev, int fd);

/*
 * Run due timers and ready fds once, waiting at most timeout_ns (0: do not
 * wait).  Takes each callback's lock around it.  Tests drive the
 * loop with this; evloop_start() runs it on a thread until evloop_stop().
 */
void evloop_run_once(struct evloop *ev, uint64_t timeout_ns);
int evloop_start(struct evloop *ev);
/* Whether there was a thread to stop. */
bool evloop_stop(struct evloop *ev);

#endif /* VIREO_EVLOOP_H */
