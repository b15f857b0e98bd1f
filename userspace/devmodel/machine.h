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
#include "irq.h"

struct console_out;
struct device;
struct guest_mem;
struct evloop;
struct pci_bus;

struct machine {
	/*
	 * The device lock: held around every bus access from a vCPU thread
	 * and every event-loop callback, so a device is only ever entered by
	 * one thread at a time and needs no lock of its own.
	 */
	pthread_mutex_t lock;

	struct bus pio;
	struct bus mmio;
	struct pci_bus *pci;	/* made by the host bridge (dev/pci_host.c) */

	/* Every device instance, in creation order (devices.h). */
	struct device **devices;
	unsigned int nr_devices;
	int console_fd;		/* UART output; stdout in vireo-vm */
	/* The buffer in front of console_fd, made by the UART; NULL: none. */
	struct console_out *console;
	int console_in_fd;	/* UART input; stdin in vireo-vm, -1: none */

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
	 * A device that ends the VM (debug-exit) calls this hook; the default
	 * records the status and the vCPU loop returns it after the current
	 * exit, so the VM is torn down in order.  Tests replace it.
	 */
	void (*request_exit)(struct machine *m, int status);
	bool exit_requested;
	int exit_status;
};

void machine_init(struct machine *m, int console_fd);
/* Free the buses (after devices_destroy()). */
void machine_destroy(struct machine *m);

static inline void machine_lock(struct machine *m)
{
	pthread_mutex_lock(&m->lock);
}

static inline void machine_unlock(struct machine *m)
{
	pthread_mutex_unlock(&m->lock);
}

#endif /* VIREO_MACHINE_H */
