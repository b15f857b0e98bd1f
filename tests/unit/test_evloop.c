// SPDX-License-Identifier: GPL-2.0
/*
 * The device event loop: timer order, re-arming and freeing from
 * callbacks, fd watches, and the loop thread (waking it with an earlier
 * deadline, stopping it).  Nothing asserts how long anything took: timers
 * due in the past or a minute ahead, and waits bounded by seconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "evloop.h"
#include "machine.h"
#include "tap.h"

#define MS		1000000ULL
#define SEC		1000000000ULL

static struct machine m;
static struct evloop *ev;

/* Which timers ran, in order. */
static int order[16];
static atomic_int nr_order;

static void record(void *opaque)
{
	int n = atomic_fetch_add(&nr_order, 1);

	if (n < 16)
		order[n] = (int)(intptr_t)opaque;
}

/* The lock of the device the callbacks belong to (devices.h). */
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;

static bool lock_held(void)
{
	if (pthread_mutex_trylock(&dev_lock) == 0) {
		pthread_mutex_unlock(&dev_lock);
		return false;
	}
	return true;
}

/* Run the loop until n timers ran, for at most 5 s. */
static void run_until(int n)
{
	uint64_t end = evloop_now() + 5 * SEC;

	while (atomic_load(&nr_order) < n && evloop_now() < end)
		evloop_run_once(ev, SEC);
}

static void test_order(void)
{
	uint64_t now = evloop_now();
	struct ev_timer *a = ev_timer_new(ev, record, (void *)1, NULL);
	struct ev_timer *b = ev_timer_new(ev, record, (void *)2, NULL);
	struct ev_timer *c = ev_timer_new(ev, record, (void *)3, NULL);
	struct ev_timer *late = ev_timer_new(ev, record, (void *)4, NULL);

	atomic_store(&nr_order, 0);
	ok(!ev_timer_armed(a), "a new timer is disarmed");
	ev_timer_arm(a, now + 30 * MS);
	ev_timer_arm(b, now + 10 * MS);
	ev_timer_arm(c, now + 20 * MS);
	ev_timer_arm(late, now + 60 * SEC);
	ok(ev_timer_armed(a) && ev_timer_armed(late), "armed timers say so");
	run_until(3);
	is_int(atomic_load(&nr_order), 3, "the three due timers ran");
	ok(order[0] == 2 && order[1] == 3 && order[2] == 1,
	   "in expiry order, not arming order (%d %d %d)",
	   order[0], order[1], order[2]);
	ok(!ev_timer_armed(a), "a timer that ran is disarmed");
	ok(ev_timer_armed(late), "the timer a minute ahead is still armed");

	/* Equal deadlines run in arming order. */
	atomic_store(&nr_order, 0);
	ev_timer_arm(c, now - 1);
	ev_timer_arm(a, now - 1);
	ev_timer_arm(b, now - 1);
	evloop_run_once(ev, 0);
	ok(atomic_load(&nr_order) == 3 && order[0] == 3 && order[1] == 1 &&
	   order[2] == 2, "equal deadlines: first armed, first run");

	/* Arming an armed timer moves it, both ways. */
	atomic_store(&nr_order, 0);
	ev_timer_arm(a, now - 1);
	ev_timer_arm(a, now + 60 * SEC);
	ev_timer_arm(late, now - 1);
	evloop_run_once(ev, 0);
	ok(atomic_load(&nr_order) == 1 && order[0] == 4,
	   "re-arming moves a timer later and earlier");

	ev_timer_disarm(a);
	ok(!ev_timer_armed(a), "disarm");
	evloop_run_once(ev, 0);
	is_int(atomic_load(&nr_order), 1, "a disarmed timer does not run");
	ev_timer_disarm(a);
	ok(!ev_timer_armed(a), "disarming twice is harmless");
	ev_timer_free(a);
	ev_timer_free(b);
	ev_timer_free(c);
	ev_timer_free(late);
}

struct rearm {
	struct ev_timer *t;
	int runs, max;
	bool locked;
};

static void rearm_fn(void *opaque)
{
	struct rearm *r = opaque;

	r->locked = lock_held();
	if (++r->runs < r->max)
		ev_timer_arm(r->t, 0);
}

static void test_rearm(void)
{
	struct rearm r = { .max = 3 };
	uint64_t end = evloop_now() + 5 * SEC;

	r.t = ev_timer_new(ev, rearm_fn, &r, &dev_lock);
	ev_timer_arm(r.t, evloop_now() - 1);
	evloop_run_once(ev, 0);
	is_int(r.runs, 1, "a timer re-armed in the past runs once a round");
	ok(r.locked, "callbacks run with their device's lock held");
	ok(ev_timer_armed(r.t), "re-armed from its own callback");
	while (r.runs < 3 && evloop_now() < end)
		evloop_run_once(ev, SEC);
	is_int(r.runs, 3, "and runs again on the next rounds");
	ok(!ev_timer_armed(r.t), "until it stops re-arming");
	ev_timer_free(r.t);
}

static struct ev_timer *victim;
static int freer_runs;

static void free_self_and_victim(void *opaque)
{
	struct ev_timer **self = opaque;

	freer_runs++;
	ev_timer_free(victim);
	victim = NULL;
	ev_timer_free(*self);
	*self = NULL;
}

static void test_free_from_callback(void)
{
	static struct ev_timer *freer;
	uint64_t now = evloop_now();

	atomic_store(&nr_order, 0);
	freer = ev_timer_new(ev, free_self_and_victim, &freer, NULL);
	victim = ev_timer_new(ev, record, (void *)9, NULL);
	ev_timer_arm(freer, now - 2);
	ev_timer_arm(victim, now - 1);
	evloop_run_once(ev, 0);
	is_int(freer_runs, 1, "a callback that frees itself ran");
	is_int(atomic_load(&nr_order), 0,
	       "a due timer freed by an earlier callback does not run");
	ok(!freer && !victim, "both freed");
}

struct watch {
	int fd;
	int calls;
	uint32_t events;
	int other;		/* fd to unwatch from the callback, or -1 */
	bool locked;
	char c;
};

static void watch_fn(void *opaque, int fd, uint32_t events)
{
	struct watch *w = opaque;

	w->calls++;
	w->fd = fd;
	w->events = events;
	w->locked = lock_held();
	if (read(fd, &w->c, 1) != 1)
		w->c = 0;
	if (w->other >= 0)
		evloop_unwatch_fd(ev, w->other);
}

static void test_watch(void)
{
	struct watch w = { .other = -1 }, w1 = { .other = -1 }, w2;
	int p[2], q[2], devnull;

	if (pipe2(p, O_NONBLOCK) < 0 || pipe2(q, O_NONBLOCK) < 0)
		return;
	is_int(evloop_watch_fd(ev, p[0], EPOLLIN, watch_fn, &w, &dev_lock), 0,
	       "watch a pipe");
	is_int(evloop_watch_fd(ev, p[0], EPOLLIN, watch_fn, &w, NULL), -EEXIST,
	       "watching it twice is refused");
	evloop_run_once(ev, 0);
	is_int(w.calls, 0, "an empty pipe does not fire");
	if (write(p[1], "x", 1) != 1)
		return;
	evloop_run_once(ev, 5 * SEC);
	ok(w.calls == 1 && w.fd == p[0] && (w.events & EPOLLIN) && w.c == 'x',
	   "a byte in the pipe fires the watch with EPOLLIN (%d calls)",
	   w.calls);
	ok(w.locked, "fd callbacks run with their device's lock held");
	evloop_unwatch_fd(ev, p[0]);
	if (write(p[1], "y", 1) != 1)
		return;
	evloop_run_once(ev, 0);
	is_int(w.calls, 1, "an unwatched fd does not fire");
	evloop_unwatch_fd(ev, p[0]);	/* twice: harmless */

	/* Two ready fds; the first callback unwatches the other. */
	w.calls = 0;
	if (write(q[1], "z", 1) != 1)
		return;
	w1 = (struct watch) { .other = q[0] };
	w2 = (struct watch) { .other = p[0] };
	evloop_watch_fd(ev, p[0], EPOLLIN, watch_fn, &w1, NULL);
	evloop_watch_fd(ev, q[0], EPOLLIN, watch_fn, &w2, NULL);
	evloop_run_once(ev, 5 * SEC);
	is_int(w1.calls + w2.calls, 1,
	       "a watch removed by an earlier callback is not called");
	evloop_unwatch_fd(ev, p[0]);
	evloop_unwatch_fd(ev, q[0]);

	devnull = open("/dev/null", O_RDONLY);
	ok(evloop_watch_fd(ev, devnull, EPOLLIN, watch_fn, &w, NULL) < 0,
	   "an fd epoll cannot watch (/dev/null) is an error");
	ok(evloop_watch_fd(ev, -1, EPOLLIN, watch_fn, &w, NULL) == -EINVAL,
	   "a negative fd is -EINVAL");
	close(devnull);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* Poll until cond or 5 s pass. */
#define wait_for(cond) ({						\
	uint64_t __end = evloop_now() + 5 * SEC;			\
	struct timespec __ts = { 0, 1000000 };				\
	while (!(cond) && evloop_now() < __end)				\
		nanosleep(&__ts, NULL);					\
	(cond);								\
})

static atomic_int thread_calls;
static atomic_int loop_tid;	/* the loop thread's, seen from a callback */

static void thread_watch_fn(void *opaque, int fd, uint32_t events)
{
	char c;

	atomic_store(&loop_tid, gettid());
	if (read(fd, &c, 1) == 1)
		atomic_fetch_add(&thread_calls, 1);
}

static void test_thread(void)
{
	struct ev_timer *far = ev_timer_new(ev, record, (void *)1, NULL);
	struct ev_timer *near = ev_timer_new(ev, record, (void *)2, NULL);
	struct timespec settle = { 0, 20 * MS };
	char task[64];
	int p[2];

	atomic_store(&nr_order, 0);
	if (pipe2(p, O_NONBLOCK) < 0)
		return;
	ev_timer_arm(far, evloop_now() + 60 * SEC);
	is_int(evloop_start(ev), 0, "the loop thread starts");
	is_int(evloop_start(ev), -EBUSY, "starting it twice is refused");
	/* Let it go to sleep until the far deadline. */
	nanosleep(&settle, NULL);

	ev_timer_arm(near, evloop_now() + 10 * MS);
	ok(wait_for(atomic_load(&nr_order) == 1),
	   "an earlier timer armed from another thread wakes the loop");
	ok(order[0] == 2, "it is the near timer that ran, not the far one");

	evloop_watch_fd(ev, p[0], EPOLLIN, thread_watch_fn, NULL, NULL);
	if (write(p[1], "a", 1) != 1)
		return;
	ok(wait_for(atomic_load(&thread_calls) == 1),
	   "a watch added while the loop sleeps fires on the thread");

	evloop_stop(ev);
	snprintf(task, sizeof(task), "/proc/self/task/%d",
		 atomic_load(&loop_tid));
	ok(atomic_load(&loop_tid) > 0 && atomic_load(&loop_tid) != gettid() &&
	   access(task, F_OK) != 0,
	   "stop joins the thread: its task is gone");
	ev_timer_arm(near, evloop_now());
	nanosleep(&settle, NULL);
	is_int(atomic_load(&nr_order), 1, "nothing runs once stopped");

	is_int(evloop_start(ev), 0, "the loop restarts");
	ok(wait_for(atomic_load(&nr_order) == 2),
	   "and runs what fell due meanwhile");
	evloop_stop(ev);
	evloop_stop(ev);
	is_int(evloop_start(ev), 0, "stopping twice leaves it startable");
	evloop_stop(ev);

	evloop_unwatch_fd(ev, p[0]);
	ev_timer_free(far);
	ev_timer_free(near);
	close(p[0]);
	close(p[1]);
}

/*
 * A vCPU holds a device's lock as its timer falls due: the loop waits for
 * the lock, and a disarm, move or free made meanwhile wins.
 */
static void test_device_busy(void)
{
	struct ev_timer *t = ev_timer_new(ev, record, (void *)5, &dev_lock);
	struct ev_timer *gone = ev_timer_new(ev, record, (void *)6, &dev_lock);
	struct timespec settle = { 0, 30 * MS };

	atomic_store(&nr_order, 0);
	is_int(evloop_start(ev), 0, "the loop thread starts again");

	pthread_mutex_lock(&dev_lock);
	ev_timer_arm(t, evloop_now());
	nanosleep(&settle, NULL);	/* the loop waits for the device */
	ev_timer_disarm(t);
	pthread_mutex_unlock(&dev_lock);
	nanosleep(&settle, NULL);
	is_int(atomic_load(&nr_order), 0,
	       "a timer disarmed while the loop waits for its device: not run");

	pthread_mutex_lock(&dev_lock);
	ev_timer_arm(gone, evloop_now());
	nanosleep(&settle, NULL);
	ev_timer_free(gone);
	pthread_mutex_unlock(&dev_lock);
	nanosleep(&settle, NULL);
	is_int(atomic_load(&nr_order), 0, "nor does one freed meanwhile");

	pthread_mutex_lock(&dev_lock);
	ev_timer_arm(t, evloop_now());
	nanosleep(&settle, NULL);
	ev_timer_arm(t, evloop_now() + 60 * SEC);
	pthread_mutex_unlock(&dev_lock);
	nanosleep(&settle, NULL);
	is_int(atomic_load(&nr_order), 0, "one moved later meanwhile waits");

	ev_timer_arm(t, evloop_now());
	ok(wait_for(atomic_load(&nr_order) == 1) && order[0] == 5,
	   "and runs when due with its device free");
	evloop_stop(ev);
	ev_timer_free(t);
}

int main(void)
{
	struct ev_timer *left;
	uint64_t t0 = evloop_now();

	machine_init(&m, -1);
	ev = evloop_create(&m);
	ok(ev != NULL, "create an event loop");
	if (!ev)
		return tap_done();
	ok(evloop_now() >= t0, "evloop_now() does not go back");

	test_order();
	test_rearm();
	test_free_from_callback();
	test_watch();
	test_thread();
	test_device_busy();

	left = ev_timer_new(ev, record, NULL, NULL);
	ev_timer_arm(left, evloop_now() + SEC);
	evloop_destroy(ev);
	ok(!ev_timer_armed(left), "destroy disarms what is left");
	ev_timer_free(left);
	return tap_done();
}
