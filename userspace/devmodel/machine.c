// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "exitcodes.h"
#include "machine.h"

static void record_exit(struct machine *m, int status)
{
	/*
	 * The first request wins: later writes happen after the guest asked.
	 * But a reset is only a pause in the machine's life: an end asked
	 * for meanwhile (quit, a signal) wins over it.
	 */
	if (m->exit_requested && (m->exit_status != EXIT_CODE_RESET ||
				  status == EXIT_CODE_RESET))
		return;
	m->exit_status = status;
	/* Read without the lock by the vCPU loop: after the status. */
	__atomic_store_n(&m->exit_requested, true, __ATOMIC_RELEASE);
}

void machine_request_exit(struct machine *m, int status)
{
	machine_lock(m);
	m->request_exit(m, status);
	/* vCPUs waiting out a pause, and a pause waiting for them, look. */
	pthread_cond_broadcast(&m->vcpus_cond);
	machine_unlock(m);
}

void machine_init(struct machine *m, int console_fd)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->run_lock, NULL);
	pthread_cond_init(&m->vcpus_cond, NULL);
	bus_init_pio(&m->pio);
	bus_init_mmio(&m->mmio);
	m->console_fd = console_fd;
	m->console_in_fd = -1;
	m->nr_cpus = 1;
	m->request_exit = record_exit;
}

void machine_destroy(struct machine *m)
{
	bus_destroy(&m->pio);
	bus_destroy(&m->mmio);
	pthread_cond_destroy(&m->vcpus_cond);
	pthread_mutex_destroy(&m->run_lock);
	pthread_mutex_destroy(&m->lock);
}
