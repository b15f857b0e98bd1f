// SPDX-License-Identifier: GPL-2.0
/*
 * The device event loop: an epoll set holding the watched fds, a timerfd
 * set to the earliest armed timer (absolute CLOCK_MONOTONIC, so deadlines
 * keep nanosecond precision that epoll_wait's milliseconds would lose) and
 * an eventfd that wakes the loop.
 *
 * Locking: the timer list and the watch table are under the loop's own
 * lock, a leaf: devices arm timers from vCPU threads holding their device
 * lock and then take it.  Each timer and watch names its device's lock,
 * which the loop takes (before its own, never while holding it) to run
 * the callback.  Between picking a due timer and holding its device's
 * lock the device may disarm, re-arm or free it: each arm and disarm
 * counts in the timer's seq, and the loop runs the callback only if the
 * timer is still armed with the seq it picked (a device lock makes that
 * check final).  A timer freed while picked is left to the loop to free.
 * While the loop sleeps it records the deadline it sleeps until; arming a
 * timer that expires earlier writes the eventfd and the loop computes its
 * deadline again.
 *
 * Callbacks may arm, disarm and free any timer (their own included) and
 * watch or unwatch fds: the loop keeps no pointer across a callback, it
 * looks timers and watches up afresh each time (watches by a unique id
 * kept in the epoll event, so an fd unwatched by an earlier callback of
 * the same round, or while the loop waited for the device, is not called).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#include "evloop.h"

#define EV_ID_WAKE	0	/* epoll data of the eventfd */
#define EV_ID_TIMER	1	/* ... of the timerfd */
#define EV_ID_FIRST	2	/* watches count up from here */
#define EV_MAX_EVENTS	16	/* per epoll_wait; the rest waits a round */
#define EV_FOREVER	UINT64_MAX

struct ev_timer {
	struct evloop *ev;
	ev_timer_fn fn;
	void *opaque;
	pthread_mutex_t *lock;	/* the device's, or NULL */
	/* Under ev->lock. */
	uint64_t expires;
	bool armed;
	bool freed;		/* freed while the loop had it picked */
	uint64_t seq;		/* counts arms and disarms */
	uint64_t round;		/* the evloop round it last ran in */
	struct ev_timer *next;	/* in ev->timers, while armed */
};

struct ev_watch {
	int fd;
	uint64_t id;
	ev_fd_fn fn;
	void *opaque;
	pthread_mutex_t *lock;	/* the device's, or NULL */
};

struct evloop {
	struct machine *m;
	int epfd, timerfd, wakefd;

	pthread_mutex_t lock;		/* a leaf: over what follows */
	struct ev_timer *timers;	/* armed ones, earliest first */
	struct ev_timer *picked;	/* due, its device lock awaited */
	struct ev_watch *watches;
	unsigned int nr_watches, max_watches;
	uint64_t next_id;
	uint64_t round;
	bool sleeping;			/* waiting in epoll */
	uint64_t sleep_until;		/* the deadline it waits for */

	pthread_t thread;
	bool thread_running;		/* only start/stop touch it */
	atomic_bool stopping;
};

uint64_t evloop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int ev_epoll_add(struct evloop *ev, int fd, uint32_t events,
			uint64_t id)
{
	struct epoll_event e = { .events = events, .data.u64 = id };

	return epoll_ctl(ev->epfd, EPOLL_CTL_ADD, fd, &e) < 0 ? -errno : 0;
}

struct evloop *evloop_create(struct machine *m)
{
	struct evloop *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return NULL;
	ev->m = m;
	ev->next_id = EV_ID_FIRST;
	pthread_mutex_init(&ev->lock, NULL);
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev->timerfd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	ev->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ev->epfd < 0 || ev->timerfd < 0 || ev->wakefd < 0 ||
	    ev_epoll_add(ev, ev->wakefd, EPOLLIN, EV_ID_WAKE) ||
	    ev_epoll_add(ev, ev->timerfd, EPOLLIN, EV_ID_TIMER))
		goto err_close;
	return ev;

err_close:
	if (ev->wakefd >= 0)
		close(ev->wakefd);
	if (ev->timerfd >= 0)
		close(ev->timerfd);
	if (ev->epfd >= 0)
		close(ev->epfd);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
	return NULL;
}

/*
 * Timers still armed are disarmed, not freed: the devices that own them
 * free them (ev_timer_free() of a disarmed timer does not touch the loop).
 */
void evloop_destroy(struct evloop *ev)
{
	struct ev_timer *t, *next;

	if (!ev)
		return;
	evloop_stop(ev);
	for (t = ev->timers; t; t = next) {
		next = t->next;
		t->armed = false;
		t->next = NULL;
	}
	close(ev->wakefd);
	close(ev->timerfd);
	close(ev->epfd);
	free(ev->watches);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

static void ev_wake(struct evloop *ev)
{
	uint64_t one = 1;

	/* A full counter (EAGAIN) means a wake-up is pending anyway. */
	if (write(ev->wakefd, &one, sizeof(one)) < 0)
		return;
}

struct ev_timer *ev_timer_new(struct evloop *ev, ev_timer_fn fn, void *opaque,
			      pthread_mutex_t *lock)
{
	struct ev_timer *t;

	if (!ev || !fn)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ev = ev;
	t->fn = fn;
	t->opaque = opaque;
	t->lock = lock;
	return t;
}

/* Under ev->lock. */
static void ev_timer_unlink(struct ev_timer *t)
{
	struct ev_timer **p;

	for (p = &t->ev->timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

void ev_timer_arm(struct ev_timer *t, uint64_t expires_ns)
{
	struct evloop *ev;
	struct ev_timer **p;

	if (!t)
		return;
	ev = t->ev;
	pthread_mutex_lock(&ev->lock);
	if (t->armed)
		ev_timer_unlink(t);
	t->seq++;
	/* After the timers that expire at the same time: FIFO order. */
	for (p = &ev->timers; *p && (*p)->expires <= expires_ns;
	     p = &(*p)->next)
		;
	t->expires = expires_ns;
	t->next = *p;
	*p = t;
	t->armed = true;
	if (ev->sleeping && expires_ns < ev->sleep_until) {
		ev->sleep_until = expires_ns;
		ev_wake(ev);
	}
	pthread_mutex_unlock(&ev->lock);
}

/* Under ev->lock.  The loop may wake for nothing; it then sleeps again. */
static void ev_timer_disarm_locked(struct ev_timer *t)
{
	if (t->armed)
		ev_timer_unlink(t);
	t->seq++;
}

void ev_timer_disarm(struct ev_timer *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->ev->lock);
	ev_timer_disarm_locked(t);
	pthread_mutex_unlock(&t->ev->lock);
}

bool ev_timer_armed(const struct ev_timer *t)
{
	bool armed;

	if (!t)
		return false;
	pthread_mutex_lock(&t->ev->lock);
	armed = t->armed;
	pthread_mutex_unlock(&t->ev->lock);
	return armed;
}

void ev_timer_free(struct ev_timer *t)
{
	struct evloop *ev;
	bool picked;

	if (!t)
		return;
	ev = t->ev;
	pthread_mutex_lock(&ev->lock);
	ev_timer_disarm_locked(t);
	picked = ev->picked == t;
	if (picked)
		t->freed = true;
	pthread_mutex_unlock(&ev->lock);
	if (!picked)
		free(t);
}

static struct ev_watch *ev_find_fd(struct evloop *ev, int fd)
{
	unsigned int i;

	for (i = 0; i < ev->nr_watches; i++)
		if (ev->watches[i].fd == fd)
			return &ev->watches[i];
	return NULL;
}

static struct ev_watch *ev_find_id(struct evloop *ev, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < ev->nr_watches; i++)
		if (ev->watches[i].id == id)
			return &ev->watches[i];
	return NULL;
}

static int ev_grow_watches(struct evloop *ev)
{
	unsigned int max = ev->max_watches ? 2 * ev->max_watches : 8;
	struct ev_watch *w = realloc(ev->watches, max * sizeof(*w));

	if (!w)
		return -ENOMEM;
	ev->watches = w;
	ev->max_watches = max;
	return 0;
}

static int ev_add_watch(struct evloop *ev, int fd, uint32_t events,
			ev_fd_fn fn, void *opaque, pthread_mutex_t *lock)
{
	uint64_t id;
	int ret;

	if (ev_find_fd(ev, fd))
		return -EEXIST;
	if (ev->nr_watches == ev->max_watches) {
		ret = ev_grow_watches(ev);
		if (ret)
			return ret;
	}
	id = ev->next_id++;
	/* Regular files and /dev/null cannot be polled: EPERM. */
	ret = ev_epoll_add(ev, fd, events, id);
	if (ret)
		return ret;
	ev->watches[ev->nr_watches++] = (struct ev_watch) {
		.fd = fd, .id = id, .fn = fn, .opaque = opaque, .lock = lock,
	};
	return 0;
}

int evloop_watch_fd(struct evloop *ev, int fd, uint32_t events,
		    ev_fd_fn fn, void *opaque, pthread_mutex_t *lock)
{
	int ret;

	if (!ev || fd < 0 || !fn)
		return -EINVAL;
	pthread_mutex_lock(&ev->lock);
	ret = ev_add_watch(ev, fd, events, fn, opaque, lock);
	pthread_mutex_unlock(&ev->lock);
	return ret;
}

void evloop_unwatch_fd(struct evloop *ev, int fd)
{
	struct ev_watch *w;

	if (!ev)
		return;
	pthread_mutex_lock(&ev->lock);
	w = ev_find_fd(ev, fd);
	if (w) {
		/* Fails harmlessly if the owner closed fd first. */
		epoll_ctl(ev->epfd, EPOLL_CTL_DEL, fd, NULL);
		*w = ev->watches[--ev->nr_watches];
	}
	pthread_mutex_unlock(&ev->lock);
}

static void ev_drain(int fd)
{
	uint64_t count;

	if (read(fd, &count, sizeof(count)) < 0)
		return;		/* EAGAIN: nothing to drain */
}

/* Called without the loop's lock: devices arm timers while it sleeps. */
static int ev_wait(struct evloop *ev, uint64_t deadline,
		   struct epoll_event *events)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	uint64_t now = evloop_now();
	int timeout = -1, n;

	if (deadline <= now) {
		timeout = 0;
	} else if (deadline != EV_FOREVER) {
		its.it_value.tv_sec = deadline / 1000000000ULL;
		its.it_value.tv_nsec = deadline % 1000000000ULL;
	}
	/* An all-zero value disarms the timerfd: sleep until an event. */
	if (timeout && timerfd_settime(ev->timerfd, TFD_TIMER_ABSTIME,
				       &its, NULL) < 0)
		timeout = 1;	/* cannot happen; poll rather than hang */
	n = epoll_wait(ev->epfd, events, EV_MAX_EVENTS, timeout);
	return n < 0 ? 0 : n;	/* EINTR: a signal for the vCPU thread */
}

static void lock_device(pthread_mutex_t *lock)
{
	if (lock)
		pthread_mutex_lock(lock);
}

static void unlock_device(pthread_mutex_t *lock)
{
	if (lock)
		pthread_mutex_unlock(lock);
}

/* Called without the loop's lock; takes the watch's device lock. */
static void ev_dispatch_fd(struct evloop *ev, const struct epoll_event *e)
{
	struct ev_watch *w, copy;
	bool still;

	switch (e->data.u64) {
	case EV_ID_WAKE:
		ev_drain(ev->wakefd);
		return;
	case EV_ID_TIMER:
		ev_drain(ev->timerfd);
		return;
	}
	pthread_mutex_lock(&ev->lock);
	w = ev_find_id(ev, e->data.u64);
	if (w)
		copy = *w;
	pthread_mutex_unlock(&ev->lock);
	if (!w)
		return;
	/* Unwatched while the device was busy: not called. */
	lock_device(copy.lock);
	pthread_mutex_lock(&ev->lock);
	still = ev_find_id(ev, copy.id) != NULL;
	pthread_mutex_unlock(&ev->lock);
	if (still)
		copy.fn(copy.opaque, copy.fd, e->events);
	unlock_device(copy.lock);
}

/*
 * Under ev->lock, which it drops to take t's device lock and to run t.  It
 * runs if nothing armed, disarmed or freed it while the loop waited for
 * the device (a vCPU holding the device lock may have).
 */
static void ev_run_timer(struct evloop *ev, struct ev_timer *t)
{
	pthread_mutex_t *lock = t->lock;
	uint64_t seq = t->seq;
	bool run;

	ev->picked = t;
	pthread_mutex_unlock(&ev->lock);
	lock_device(lock);
	pthread_mutex_lock(&ev->lock);
	ev->picked = NULL;
	if (t->freed) {
		free(t);
		run = false;
	} else {
		run = t->armed && t->seq == seq;
	}
	if (run) {
		ev_timer_unlink(t);
		t->round = ev->round;
		pthread_mutex_unlock(&ev->lock);
		/* t may be freed by its own callback: not touched after. */
		t->fn(t->opaque);
	} else {
		pthread_mutex_unlock(&ev->lock);
	}
	unlock_device(lock);
	pthread_mutex_lock(&ev->lock);
}

/*
 * Each timer runs at most once a round, so one that re-arms itself in the
 * past cannot keep the loop here; it runs on the next round, at once.
 */
static void ev_run_timers(struct evloop *ev)
{
	uint64_t now = evloop_now();
	struct ev_timer *t;

	pthread_mutex_lock(&ev->lock);
	ev->round++;
	while ((t = ev->timers) && t->expires <= now &&
	       t->round != ev->round)
		ev_run_timer(ev, t);
	pthread_mutex_unlock(&ev->lock);
}

void evloop_run_once(struct evloop *ev, uint64_t timeout_ns)
{
	struct epoll_event events[EV_MAX_EVENTS];
	uint64_t now = evloop_now(), deadline;
	int i, n;

	deadline = timeout_ns > EV_FOREVER - now ? EV_FOREVER
						  : now + timeout_ns;
	pthread_mutex_lock(&ev->lock);
	if (ev->timers && ev->timers->expires < deadline)
		deadline = ev->timers->expires;
	ev->sleeping = true;
	ev->sleep_until = deadline;
	pthread_mutex_unlock(&ev->lock);

	n = ev_wait(ev, deadline, events);

	pthread_mutex_lock(&ev->lock);
	ev->sleeping = false;
	pthread_mutex_unlock(&ev->lock);
	for (i = 0; i < n; i++)
		ev_dispatch_fd(ev, &events[i]);
	ev_run_timers(ev);
}

static void *ev_thread(void *arg)
{
	struct evloop *ev = arg;

	while (!atomic_load(&ev->stopping))
		evloop_run_once(ev, EV_FOREVER);
	return NULL;
}

/*
 * Signals (SIGINT, SIGTERM: signals.c) are for the vCPU threads, which
 * must see RUN fail with EINTR: the loop thread blocks them all.
 */
int evloop_start(struct evloop *ev)
{
	sigset_t all, old;
	int ret;

	if (!ev)
		return -EINVAL;
	if (ev->thread_running)
		return -EBUSY;
	atomic_store(&ev->stopping, false);
	/* All but SIGSYS: the system call filter's message (seccomp.h). */
	sigfillset(&all);
	sigdelset(&all, SIGSYS);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&ev->thread, NULL, ev_thread, ev);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	ev->thread_running = true;
	return 0;
}

/* Call holding no device lock: the thread may need one to end its round. */
bool evloop_stop(struct evloop *ev)
{
	if (!ev || !ev->thread_running)
		return false;
	atomic_store(&ev->stopping, true);
	ev_wake(ev);
	pthread_join(ev->thread, NULL);
	ev->thread_running = false;
	return true;
}
