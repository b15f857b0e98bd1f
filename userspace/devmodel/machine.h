/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated PC platform as devices see it: the buses they register on,
 * where the console goes, and how a device ends the VM.  It holds no kernel
 * object, so devices are tested on the host without /dev/vireo.
 */
#ifndef VIREO_MACHINE_H
#define VIREO_MACHINE_H

#include <stdbool.h>

#include "ioport.h"

struct machine {
	struct io_bus pio;
	int console_fd;		/* UART output; stdout in vireo-vm */

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

#endif /* VIREO_MACHINE_H */
