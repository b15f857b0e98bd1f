/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated PC platform as devices see it: the buses they register on,
 * where the console goes, and how a device ends the VM.  It holds no kernel
 * object, so devices are tested on the host without /dev/vireo.
 */
#ifndef VIREO_MACHINE_H
#define VIREO_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "evloop.h"
#include "irq.h"

struct console_out;
struct device;
struct guest_mem;
struct evloop;
struct pci_bus;
struct additions_ops;
struct guest_prop;

struct machine {
	/*
	 * The VM's own state: the exit request below and which vCPUs are
	 * stopped (vcpus.h).  A leaf: devices, which have locks of their own
	 * (devices.h), take it inside theirs, through machine_request_exit().
	 */
	pthread_mutex_t lock;

	struct bus pio;
	struct bus mmio;
	struct pci_bus *pci;	/* made by the host bridge (dev/pci_host.c) */

	/* Every device instance, in creation order (devices.h). */
	struct device **devices;
	unsigned int nr_devices;
	/* Default classes (by name) devices_create() leaves out. */
	const char *const *omit_devices;
	unsigned int nr_omit_devices;
	int console_fd;		/* UART output; stdout in vireo-vm */
	/* The buffer in front of console_fd, made by the UART; NULL: none. */
	struct console_out *console;
	int console_in_fd;	/* UART input; stdin in vireo-vm, -1: none */
	/* --vconsole: the console is virtio-console's, COM1 has none. */
	bool console_virtio;

	/*
	 * Guest memory, for devices that do DMA: only through this accessor
	 * (guest_mem.h).  NULL in tests that need none.
	 */
	const struct guest_mem *mem;

	/* What the guest is given; devices such as the CMOS report it. */
	uint64_t ram_size;	/* bytes of RAM in all */
	unsigned int nr_cpus;

	/* NULL in tests that need no timers; set before devices_create(). */
	struct evloop *evloop;
	/*
	 * Paused by machine_pause() (pause.h), since paused_at; written
	 * only while no vCPU or event-loop callback runs.
	 */
	bool paused;
	bool paused_loop;	/* the pause stopped the loop's thread */
	uint64_t paused_at;

	/* Interrupt controllers, wired by irq_set_*_chip() (irq.h). */
	const struct irq_chip *isa_chip;
	const struct irq_chip *gsi_chip;

	/*
	 * Send an interrupt message to the local APICs (VIREO_SIGNAL_MSI):
	 * returns how many accepted it, or -errno.  vireo-vm points it at
	 * the VM fd; tests record the messages.
	 */
	int (*signal_msi)(struct machine *m, uint64_t address, uint32_t data);
	void *msi_opaque;
	/*
	 * Guest writes that signal an eventfd in the kernel instead of
	 * exiting (VIREO_IOEVENTFD): a write of len bytes (0: any) at the
	 * guest-physical gpa signals fd; assign false removes it.  0 or
	 * -errno.  NULL (the unit tests): devices signal their eventfds
	 * themselves from their BAR callbacks.  Shares msi_opaque.
	 */
	int (*ioeventfd)(struct machine *m, uint64_t gpa, uint32_t len, int fd,
			 bool assign);

	/*
	 * A device that ends the VM (debug-exit, a reset) calls
	 * machine_request_exit(), which runs this hook under the lock; the
	 * default records the status and the vCPU loop returns it after the
	 * current exit, so the VM is torn down in order.  Tests replace it.
	 */
	void (*request_exit)(struct machine *m, int status);
	bool exit_requested;	/* under the lock; atomic reads outside */
	int exit_status;

	/*
	 * Pausing the whole VM (pause.h).  run_lock orders a pause, a
	 * resume, the power button and the main thread's end and start of
	 * each run; it is taken after the control socket's lock (a request
	 * runs under it) and before every other.  Under the lock above: the
	 * vCPU threads'
	 * rendezvous, announced by vcpus_cond (which machine_request_exit()
	 * signals too).
	 */
	pthread_mutex_t run_lock;
	pthread_cond_t vcpus_cond;
	bool pause_requested;		/* atomic reads outside the lock */
	unsigned int vcpus_alive;	/* vCPU threads in their loop */
	unsigned int vcpus_parked;	/* ... waiting out the pause */
	/* Set by vcpus_run(): kick every vCPU thread out of VIREO_RUN. */
	void (*kick_vcpus)(struct machine *m);
	/*
	 * Stop or start the guest's time in the kernel (VIREO_SET_GUEST_TIME):
	 * 0 or -errno.  NULL in tests without a kernel VM.
	 */
	int (*set_guest_time)(struct machine *m, bool stopped);
	void *guest_time_opaque;
	/*
	 * A change of run state ("paused", "running", "reset", "stopping"),
	 * for listeners (the control socket's events); status is the exit
	 * status for "stopping".  Called from any thread with no device,
	 * bus or machine lock held; must not block.  NULL: nobody listens.
	 */
	void (*notify)(void *opaque, const char *state, int status);
	void *notify_opaque;
	/*
	 * SIGTERM's polite request (vireo-vm: the power button, requests.h):
	 * 0 when the guest was asked to shut down.  NULL, or an error: the
	 * signal ends the VM at once.
	 */
	int (*shutdown_request)(struct machine *m);
	/*
	 * A SIGTERM came (the main thread's; read by pauses under run_lock,
	 * which are refused then: the guest is to shut down, not wait).
	 */
	bool sigterm_seen;

	/*
	 * The guest additions' channel (additions.h), VMMDev's while it
	 * exists; NULL: none.  Set before the control socket starts.
	 */
	const struct additions_ops *additions;
	void *additions_opaque;
	/*
	 * Told of every guest property change, from any thread, under the
	 * channel's device lock: must not block (the control socket's).
	 */
	void (*prop_changed)(void *opaque, const struct guest_prop *p);
	void *prop_changed_opaque;
};

static inline void machine_notify(struct machine *m, const char *state,
				  int status)
{
	if (m->notify)
		m->notify(m->notify_opaque, state, status);
}

void machine_init(struct machine *m, int console_fd);
/* Free the buses (after devices_destroy()). */
void machine_destroy(struct machine *m);
/* End the VM with status (the first request wins), from any thread. */
void machine_request_exit(struct machine *m, int status);

/*
 * The devices' clock: evloop_now(), which stands at the pause's start
 * while the machine is paused, so that state saved, loaded or reset then
 * is as of the pause, and a resume moves every device's time base on by
 * the pause (pause.h).
 */
static inline uint64_t machine_now(const struct machine *m)
{
	return m->paused ? m->paused_at : evloop_now();
}

static inline void machine_lock(struct machine *m)
{
	pthread_mutex_lock(&m->lock);
}

static inline void machine_unlock(struct machine *m)
{
	pthread_mutex_unlock(&m->lock);
}

#endif /* VIREO_MACHINE_H */
