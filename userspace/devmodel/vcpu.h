/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU: its fd and the run area the kernel describes exits in.  Like
 * vm.h, functions return 0 or, after printing why, a vireo-vm exit code.
 */
#ifndef VIREO_VCPU_H
#define VIREO_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vireo.h>

#include "vm.h"

struct vcpus;

struct vcpu {
	int fd;
	unsigned int id;
	struct vireo_run *run;	/* mapping of run_size bytes */
	size_t run_size;	/* port-I/O data at VIREO_RUN_IO_DATA_OFFSET */

	/* The VM's vCPUs (vcpus.h); NULL: a vCPU on its own. */
	struct vcpus *set;
	/*
	 * Parked until INIT and SIPI: an AP not started yet, or a vCPU
	 * that executed HLT with interrupts off.  Under the machine's lock.
	 */
	bool stopped;
	pthread_t thread;
	bool thread_started;
};

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id);
/* Load the architectural power-up state: real mode at the reset vector. */
int vcpu_reset(struct vcpu *vcpu);
/* Load a complete register state, e.g. a boot loader's (boot/boot.h). */
int vcpu_set_state(struct vcpu *vcpu, const struct vireo_regs *regs,
		   const struct vireo_sregs *sregs);
/*
 * VIREO_SET_MP_STATE to a VIREO_MP_STATE_* value.  Returns 0 or, after
 * printing why, -errno: the caller knows whether that is a set-up or a
 * run-time failure.
 */
int vcpu_set_mp_state(struct vcpu *vcpu, uint32_t state);
void vcpu_destroy(struct vcpu *vcpu);

#endif /* VIREO_VCPU_H */
