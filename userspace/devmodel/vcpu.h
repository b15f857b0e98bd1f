/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU: its fd and the run area the kernel describes exits in.  Like
 * vm.h, functions return 0 or, after printing why, a vireo-vm exit code.
 */
#ifndef VIREO_VCPU_H
#define VIREO_VCPU_H

#include <stddef.h>
#include <linux/vireo.h>

#include "vm.h"

struct vcpu {
	int fd;
	unsigned int id;
	struct vireo_run *run;	/* mapping of run_size bytes */
	size_t run_size;	/* port-I/O data at VIREO_RUN_IO_DATA_OFFSET */
};

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id);
/* Load the architectural power-up state: real mode at the reset vector. */
int vcpu_reset(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);

#endif /* VIREO_VCPU_H */
