// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads and the end of the VM, with fake vCPU loops instead of
 * VIREO_RUN: the first status wins whoever asks later, every other thread
 * is kicked out of its "RUN" (by the signal while it sleeps, and by
 * immediate_exit when it had not started yet), termination signals reach
 * only the main thread, a device on another thread ends the VM too, and
 * the HLT accounting.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "machine.h"
#include "pause.h"
#include "signals.h"
#include "tap.h"
#include "vcpus.h"

#define NR		4
#define LONG_SLEEP_MS	20000	/* a RUN nobody kicks: a failure */

static struct machine m;
static struct vcpus set;
static struct vcpu vcpu[NR];
static struct vireo_run runs[NR];

static enum {
	FIRST_WINS, LATE_RUN, TERM_SIGNAL, TERM_POLITE, DEVICE, PAUSE,
} scenario;
static unsigned long progress[NR];	/* __atomic: PAUSE's loop turns */
static int shutdown_requests;
static int finished[NR], mask_ok[NR];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * VIREO_RUN as vireo.ko behaves towards userspace: -EINTR at once with
 * immediate_exit set, else sleep until a signal arrives (the kernel checks
 * for one before entering the guest; ppoll()'s mask swap is as atomic).
 */
static int fake_run(struct vcpu *v, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	sigset_t kick, old, during;
	int r = 0;

	sigemptyset(&kick);
	sigaddset(&kick, SIGNAL_KICK);
	pthread_sigmask(SIG_BLOCK, &kick, &old);
	during = old;
	sigdelset(&during, SIGNAL_KICK);
	if (__atomic_load_n(&v->run->immediate_exit, __ATOMIC_SEQ_CST))
		r = -EINTR;
	else if (ppoll(NULL, 0, &ts, &during) < 0 && errno == EINTR)
		r = -EINTR;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

static int ending(void)
{
	return __atomic_load_n(&m.exit_requested, __ATOMIC_SEQ_CST);
}

/* Termination signals blocked, the kick not: the thread's mask. */
static int thread_mask_ok(void)
{
	sigset_t cur;

	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	return sigismember(&cur, SIGINT) && sigismember(&cur, SIGTERM) &&
	       sigismember(&cur, SIGHUP) && !sigismember(&cur, SIGNAL_KICK);
}

/*
 * Loops return their own status once kicked, even when the VM already
 * ends with another: the first one must still win.
 */
static int fake_loop(struct vcpu *v, struct machine *mm)
{
	int own = 43 + 2 * v->id;

	mask_ok[v->id] = thread_mask_ok();
	switch (scenario) {
	case FIRST_WINS:
		if (v->id == 1) {
			sleep_ms(50);
			finished[v->id] = 1;
			return 41;
		}
		break;
	case LATE_RUN:
		if (v->id == 2) {
			/*
			 * The kick comes while "in userspace": only the
			 * run area's flag can stop the next RUN.
			 */
			while (!ending())
				sleep_ms(1);
			sleep_ms(100);
			finished[v->id] = fake_run(v, LONG_SLEEP_MS) == -EINTR;
			return own;
		}
		if (v->id == 0) {
			sleep_ms(50);
			finished[v->id] = 1;
			return 41;
		}
		break;
	case TERM_SIGNAL:
		if (v->id == 3)
			kill(getpid(), SIGTERM);
		break;
	case TERM_POLITE:
		if (v->id == 3) {
			kill(getpid(), SIGTERM);
			sleep_ms(200);
			/* The guest was asked; only a second one ends it. */
			finished[v->id] = !ending() &&
				__atomic_load_n(&shutdown_requests,
						__ATOMIC_SEQ_CST) == 1;
			kill(getpid(), SIGTERM);
			while (!ending())
				fake_run(v, LONG_SLEEP_MS);
			return own;
		}
		break;
	case PAUSE:
		/* vcpu_run_loop()'s shape: park, look, "RUN". */
		for (;;) {
			machine_vcpu_park(mm, v->run);
			if (ending())
				break;
			__atomic_add_fetch(&progress[v->id], 1,
					   __ATOMIC_SEQ_CST);
			fake_run(v, 1);
		}
		finished[v->id] = 1;
		return own;
	case DEVICE:
		break;
	}
	while (!ending())
		fake_run(v, LONG_SLEEP_MS);
	finished[v->id] = 1;
	return own;
}

static void *fake_device(void *arg)
{
	sleep_ms(50);
	machine_request_exit(&m, 33);
	return NULL;
}

static void reset(void)
{
	unsigned int i;

	machine_init(&m, -1);
	memset(&set, 0, sizeof(set));
	memset(runs, 0, sizeof(runs));
	memset(finished, 0, sizeof(finished));
	memset(mask_ok, 0, sizeof(mask_ok));
	memset(progress, 0, sizeof(progress));
	shutdown_requests = 0;
	set.nr = NR;
	set.vcpu = vcpu;
	for (i = 0; i < NR; i++)
		vcpu[i] = (struct vcpu) { .fd = -1, .id = i, .run = &runs[i],
					  .set = &set };
}

static int all(const int *a)
{
	unsigned int i;

	for (i = 0; i < NR; i++)
		if (!a[i])
			return 0;
	return 1;
}

static void test_first_wins(void)
{
	void (*hook)(struct machine *mm, int status);
	uint64_t t;
	int status;

	reset();
	hook = m.request_exit;
	scenario = FIRST_WINS;
	t = now_ms();
	status = vcpus_run(&set, &m, fake_loop);
	t = now_ms() - t;
	is_int(status, 41, "the first status wins over the 3 given later");
	ok(all(finished), "every vCPU loop ran to its end");
	ok(t < LONG_SLEEP_MS / 2, "the sleeping ones were kicked (%llu ms)",
	   (unsigned long long)t);
	ok(all(mask_ok), "vCPU threads block SIGINT/TERM/HUP, take the kick");
	ok(m.request_exit == hook && m.exit_status == 41,
	   "the machine's own request_exit hook is back");
	ok(!vcpu[0].thread_started && !vcpu[3].thread_started,
	   "every thread joined");
}

static void test_late_run(void)
{
	reset();
	scenario = LATE_RUN;
	is_int(vcpus_run(&set, &m, fake_loop), 41, "vCPU 0's status");
	ok(finished[2],
	   "a RUN started after the kick returns at once: immediate_exit");
	ok(runs[1].immediate_exit && runs[3].immediate_exit,
	   "every run area has immediate_exit set");
}

static void test_term_signal(void)
{
	reset();
	scenario = TERM_SIGNAL;
	is_int(vcpus_run(&set, &m, fake_loop), EXIT_CODE_SIGNAL,
	       "SIGTERM ends the VM with status %d", EXIT_CODE_SIGNAL);
	ok(all(finished), "...after every vCPU loop ended");
}

static int fake_shutdown_request(struct machine *mm)
{
	__atomic_add_fetch(&shutdown_requests, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void test_term_polite(void)
{
	reset();
	scenario = TERM_POLITE;
	m.shutdown_request = fake_shutdown_request;
	is_int(vcpus_run(&set, &m, fake_loop), EXIT_CODE_SIGNAL,
	       "a second SIGTERM ends the VM with status %d",
	       EXIT_CODE_SIGNAL);
	ok(finished[3],
	   "the first SIGTERM asked the guest to shut down (once) and ended nothing");
}

static unsigned long total_progress(void)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < NR; i++)
		n += __atomic_load_n(&progress[i], __ATOMIC_SEQ_CST);
	return n;
}

#define PAUSE_CYCLES	1000

static int pause_errors, moved_while_paused, never_moved;

/* 1000 pauses and resumes while the vCPU loops turn, then the end. */
static void *pauser(void *arg)
{
	unsigned long before;
	int i, spin;

	while (!total_progress())
		sleep_ms(1);
	for (i = 0; i < PAUSE_CYCLES; i++) {
		if (machine_pause_vm(&m) || !machine_is_paused(&m))
			pause_errors++;
		before = total_progress();
		sched_yield();
		if (total_progress() != before)
			moved_while_paused++;
		if (machine_pause_vm(&m) != -EALREADY)
			pause_errors++;
		if (machine_resume_vm(&m) || machine_is_paused(&m))
			pause_errors++;
		for (spin = 0; spin < 10000 && total_progress() == before;
		     spin++)
			sleep_ms(0);
		if (total_progress() == before)
			never_moved++;
	}
	if (machine_resume_vm(&m) != -EALREADY)
		pause_errors++;
	/* A pause waiting for vCPUs gives up when the VM ends. */
	machine_request_exit(&m, 7);
	if (machine_pause_vm(&m) != -EAGAIN)
		pause_errors++;
	return NULL;
}

static void test_pause(void)
{
	pthread_t t;

	reset();
	scenario = PAUSE;
	pthread_create(&t, NULL, pauser, NULL);
	is_int(vcpus_run(&set, &m, fake_loop), 7, "the VM ends as asked");
	pthread_join(t, NULL);
	is_int(pause_errors, 0,
	       "%d pauses and resumes, each answered as it should be",
	       PAUSE_CYCLES);
	is_int(moved_while_paused, 0,
	       "no vCPU loop turned while paused");
	is_int(never_moved, 0, "the vCPU loops turned again after each resume");
	ok(all(finished), "every vCPU loop ended");
	is_int(m.vcpus_alive, 0, "no vCPU thread counted alive at the end");
}

static void test_device(void)
{
	pthread_t dev;

	reset();
	scenario = DEVICE;
	pthread_create(&dev, NULL, fake_device, NULL);
	is_int(vcpus_run(&set, &m, fake_loop), 33,
	       "a device's request from another thread ends the VM");
	pthread_join(dev, NULL);
	ok(all(finished), "...every vCPU kicked out of its RUN");
}

static void test_hlt_accounting(void)
{
	reset();
	vcpu[1].stopped = vcpu[2].stopped = vcpu[3].stopped = true;
	set.nr_stopped = 3;
	vcpus_resume(&vcpu[1]);
	vcpus_resume(&vcpu[1]);
	is_int(set.nr_stopped, 2, "an AP started: 2 of 4 stopped, once");
	ok(!vcpus_stop(&vcpu[0]), "vCPU 0 halts: vCPU 1 still runs");
	ok(!vcpus_stop(&vcpu[0]), "...halting again changes nothing");
	ok(vcpus_stop(&vcpu[1]), "vCPU 1 halts: every vCPU stopped");
	is_int(set.nr_stopped, 4, "...4 of 4");
	vcpu[0].set = NULL;
	ok(vcpus_stop(&vcpu[0]), "a vCPU on its own: its HLT is the end");
}

int main(void)
{
	if (signals_init()) {
		diag("signals_init failed");
		return 1;
	}
	test_first_wins();
	test_late_run();
	test_term_signal();
	test_term_polite();
	test_device();
	test_pause();
	test_hlt_accounting();
	return tap_done();
}
