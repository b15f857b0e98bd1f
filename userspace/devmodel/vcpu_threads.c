// SPDX-License-Identifier: GPL-2.0
/*
 * One thread per vCPU, and the main thread waiting for the VM to end
 * (vcpus.h).  Threads share the machine; the bus takes a device's lock
 * around each access to it (vcpu_loop.c), and no lock is held across
 * VIREO_RUN, so vCPUs run the guest, and reach devices, in parallel.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "exitcodes.h"
#include "signals.h"
#include "util.h"
#include "vcpus.h"

/* One VM per process: the thread in vcpus_run() and the hook it wraps. */
static pthread_t waiter;
static void (*chained_request_exit)(struct machine *m, int status);
static struct vcpus *running;

/*
 * machine->request_exit while the vCPUs run, called with the machine lock
 * held: record the status (the machine's own hook, first request wins),
 * then wake the main thread, whoever asked (a vCPU thread, a device on
 * the event loop's thread, the main thread itself).
 */
static void vcpus_request_exit(struct machine *m, int status)
{
	chained_request_exit(m, status);
	pthread_kill(waiter, SIGNAL_KICK);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vcpus *s = v->set;
	char name[16];
	int status;

	/*
	 * Named by itself (prctl), not by its creator: naming another thread
	 * opens /proc/self/task/N/comm, which the system call filter refuses.
	 */
	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	if (signals_unblock_kick()) {
		pr_err("vCPU %u: cannot unblock SIGUSR1\n", v->id);
		status = EXIT_CODE_HOST;
	} else {
		status = s->loop(v, s->m);
	}
	/* A no-op when another vCPU or a device ended the VM first. */
	machine_request_exit(s->m, status);
	machine_lock(s->m);
	s->m->vcpus_alive--;
	/* A pause waiting for every vCPU no longer waits for this one. */
	pthread_cond_broadcast(&s->m->vcpus_cond);
	machine_unlock(s->m);
	return NULL;
}

/*
 * A signal interrupts a RUN in progress (the kernel checks for one before
 * each entry and in its HLT sleep); immediate_exit stops one the thread
 * is about to start, which the signal, handled in userspace before the
 * ioctl, would miss.
 */
static void vcpu_kick(struct vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, SIGNAL_KICK);
}

/* machine->kick_vcpus while the vCPUs run (a pause), machine lock held. */
static void vcpus_kick_all(struct machine *m)
{
	unsigned int i;

	for (i = 0; i < running->nr; i++)
		if (running->vcpu[i].thread_started)
			vcpu_kick(&running->vcpu[i]);
}

static int vcpus_start(struct vcpus *s)
{
	unsigned int i;
	int err;

	/* Counted before they start: a pause waits for all of them. */
	machine_lock(s->m);
	s->m->vcpus_alive = s->nr;
	machine_unlock(s->m);
	for (i = 0; i < s->nr; i++) {
		struct vcpu *v = &s->vcpu[i];

		/* Under the lock: a pause's kick sees every started thread. */
		machine_lock(s->m);
		err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		v->thread_started = !err;
		if (err) {
			s->m->vcpus_alive -= s->nr - i;
			pthread_cond_broadcast(&s->m->vcpus_cond);
		}
		machine_unlock(s->m);
		if (err) {
			pr_err("cannot start the thread of vCPU %u: %s\n",
			       v->id, strerror(err));
			return EXIT_CODE_HOST;
		}
	}
	return 0;
}

static bool vm_ending(struct machine *m)
{
	bool ending;

	machine_lock(m);
	ending = m->exit_requested;
	machine_unlock(m);
	return ending;
}

/*
 * SIGTERM (systemctl stop, a host shutdown, kill) presses the power button,
 * so that the guest shuts down cleanly, when the guest listens to it (its
 * ACPI enabled the event); a second SIGTERM, SIGINT or SIGHUP ends the VM
 * at once.
 */
static void wait_for_the_end(struct machine *m)
{
	int sig;

	while (!vm_ending(m)) {
		sig = signals_wait();
		if (!signals_is_termination(sig))
			continue;
		/* Once for the process's life: a reset does not rearm it. */
		if (sig == SIGTERM &&
		    !__atomic_exchange_n(&m->sigterm_seen, true,
					 __ATOMIC_SEQ_CST)) {
			if (m->shutdown_request && !m->shutdown_request(m)) {
				pr_info("SIGTERM: the power button is pressed, for the guest to shut down; a second SIGTERM ends the VM at once\n");
				continue;
			}
		}
		pr_err("stopping the VM: received %s\n", signals_name(sig));
		machine_request_exit(m, EXIT_CODE_SIGNAL);
	}
}

int vcpus_run(struct vcpus *s, struct machine *m, vcpu_loop_fn loop)
{
	unsigned int i;
	int status;

	s->m = m;
	s->loop = loop;
	waiter = pthread_self();
	running = s;
	machine_lock(m);
	chained_request_exit = m->request_exit;
	m->request_exit = vcpus_request_exit;
	m->kick_vcpus = vcpus_kick_all;
	machine_unlock(m);

	status = vcpus_start(s);
	if (status)
		machine_request_exit(m, status);
	wait_for_the_end(m);

	for (i = 0; i < s->nr; i++)
		if (s->vcpu[i].thread_started)
			vcpu_kick(&s->vcpu[i]);
	for (i = 0; i < s->nr; i++) {
		if (!s->vcpu[i].thread_started)
			continue;
		pthread_join(s->vcpu[i].thread, NULL);
		s->vcpu[i].thread_started = false;
	}

	machine_lock(m);
	m->request_exit = chained_request_exit;
	m->kick_vcpus = NULL;
	status = m->exit_status;
	machine_unlock(m);
	return status;
}

bool vcpus_stop(struct vcpu *vcpu)
{
	struct vcpus *s = vcpu->set;

	if (!s)
		return true;
	if (!vcpu->stopped) {
		vcpu->stopped = true;
		s->nr_stopped++;
	}
	return s->nr_stopped == s->nr;
}

void vcpus_resume(struct vcpu *vcpu)
{
	struct vcpus *s = vcpu->set;

	if (!s || !vcpu->stopped)
		return;
	vcpu->stopped = false;
	s->nr_stopped--;
}
