// SPDX-License-Identifier: GPL-2.0
/*
 * The order of a pause and a resume (pause.h).  The pause's start is kept
 * in the machine; the devices are told its length, in evloop_now()'s time.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "devices.h"
#include "evloop.h"
#include "pause.h"
#include "util.h"

int machine_pause(struct machine *m)
{
	if (m->paused)
		return -EALREADY;
	/* Nothing runs in a device from here on but these hooks. */
	m->paused_loop = evloop_stop(m->evloop);
	m->paused_at = evloop_now();
	__atomic_store_n(&m->paused, true, __ATOMIC_RELEASE);
	devices_pause(m);
	return 0;
}

int machine_resume(struct machine *m)
{
	int err = 0;

	if (!m->paused)
		return -EALREADY;
	__atomic_store_n(&m->paused, false, __ATOMIC_RELEASE);
	devices_resume(m, evloop_now() - m->paused_at);
	if (m->paused_loop)
		err = evloop_start(m->evloop);
	return err;
}

bool machine_is_paused(struct machine *m)
{
	return __atomic_load_n(&m->paused, __ATOMIC_ACQUIRE);
}

void machine_vcpu_park(struct machine *m, struct vireo_run *run)
{
	if (!__atomic_load_n(&m->pause_requested, __ATOMIC_ACQUIRE))
		return;
	machine_lock(m);
	if (m->pause_requested && !m->exit_requested) {
		m->vcpus_parked++;
		pthread_cond_broadcast(&m->vcpus_cond);
		while (m->pause_requested && !m->exit_requested)
			pthread_cond_wait(&m->vcpus_cond, &m->lock);
		m->vcpus_parked--;
	}
	/*
	 * Under the lock: a later pause kicks after it has set its request
	 * under the lock, so this never clears that kick's flag.  At the
	 * VM's end, exit_requested is set before the kick: the loop sees it.
	 */
	if (run)
		__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	machine_unlock(m);
}

/* With the machine lock held: let the parked vCPUs go. */
static void release_vcpus(struct machine *m)
{
	__atomic_store_n(&m->pause_requested, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&m->vcpus_cond);
}

/*
 * Step 1: 0 once every vCPU thread waits, or -EAGAIN.  A vCPU that has
 * not come is kicked again every PAUSE_KICK_NS (a signal that reached it
 * just before its RUN began); one that never comes (a thread stuck in a
 * device) costs PAUSE_WAIT_NS, not the control socket for ever.
 */
#define PAUSE_KICK_NS	(50ULL * 1000 * 1000)
#define PAUSE_WAIT_NS	(5ULL * 1000 * 1000 * 1000)

static int rendezvous(struct machine *m)
{
	struct timespec until;
	uint64_t waited = 0;
	int err = 0;

	machine_lock(m);
	if (!m->vcpus_alive || m->exit_requested || !m->kick_vcpus) {
		machine_unlock(m);
		return -EAGAIN;
	}
	__atomic_store_n(&m->pause_requested, true, __ATOMIC_RELEASE);
	m->kick_vcpus(m);
	while (m->vcpus_parked < m->vcpus_alive && !m->exit_requested &&
	       waited < PAUSE_WAIT_NS) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += PAUSE_KICK_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&m->vcpus_cond, &m->lock,
					   &until) == ETIMEDOUT) {
			waited += PAUSE_KICK_NS;
			m->kick_vcpus(m);
		}
	}
	if (m->vcpus_parked < m->vcpus_alive || m->exit_requested ||
	    !m->vcpus_alive) {
		if (waited >= PAUSE_WAIT_NS)
			pr_err("pause: %u of %u vCPUs did not stop in %llu s: not paused\n",
			       m->vcpus_alive - m->vcpus_parked,
			       m->vcpus_alive, PAUSE_WAIT_NS / 1000000000ULL);
		release_vcpus(m);
		err = -EAGAIN;
	}
	machine_unlock(m);
	return err;
}

int machine_pause_vm(struct machine *m)
{
	int err;

	pthread_mutex_lock(&m->run_lock);
	if (m->paused) {
		err = -EALREADY;
		goto out;
	}
	/* The guest is to shut down (SIGTERM pressed its button). */
	if (__atomic_load_n(&m->sigterm_seen, __ATOMIC_SEQ_CST)) {
		err = -ECANCELED;
		goto out;
	}
	err = rendezvous(m);
	if (err)
		goto out;
	if (m->set_guest_time)
		err = m->set_guest_time(m, true);
	if (err) {
		pr_err("pause: cannot stop the guest's time: %s\n",
		       strerror(-err));
		machine_lock(m);
		release_vcpus(m);
		machine_unlock(m);
		goto out;
	}
	machine_pause(m);
	machine_notify(m, "paused", 0);
out:
	pthread_mutex_unlock(&m->run_lock);
	return err;
}

int machine_resume_vm(struct machine *m)
{
	int err;

	pthread_mutex_lock(&m->run_lock);
	err = machine_resume_vm_locked(m);
	pthread_mutex_unlock(&m->run_lock);
	return err;
}

int machine_resume_vm_locked(struct machine *m)
{
	int err, time_err = 0;

	err = machine_resume(m);
	if (err == -EALREADY)
		goto out;
	if (m->set_guest_time)
		time_err = m->set_guest_time(m, false);
	if (time_err)
		pr_err("resume: cannot start the guest's time again: %s\n",
		       strerror(-time_err));
	machine_lock(m);
	release_vcpus(m);
	machine_unlock(m);
	if (!err)
		err = time_err;
	if (!err)
		machine_notify(m, "running", 0);
out:
	return err;
}

void machine_end_pause(struct machine *m)
{
	machine_resume(m);
	machine_lock(m);
	release_vcpus(m);
	machine_unlock(m);
}
