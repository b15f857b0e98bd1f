/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM as the kernel sees it: /dev/vireo, the VM fd and guest memory
 * registered as slots.  Functions return 0 or, after printing why, the
 * vireo-vm exit code for the failure (exitcodes.h).
 */
#ifndef VIREO_VM_H
#define VIREO_VM_H

#include <stdint.h>

#define VIREO_DEVICE	"/dev/vireo"

struct vm {
	int dev_fd;
	int vm_fd;
	uint8_t *ram;		/* ram_size bytes, GPA == offset */
	uint64_t ram_size;
	uint8_t *rom;		/* ROM_SIZE bytes, mapped twice */
	unsigned int nr_slots;
};

/* Allocate guest RAM and the ROM buffer; needs no kernel. */
int vm_alloc_memory(struct vm *vm, uint64_t ram_size);
/* Open /dev/vireo, check the API version, create the VM. */
int vm_open(struct vm *vm);
/* Register RAM and ROM as memory slots (memmap.h). */
int vm_map_memory(struct vm *vm);
void vm_destroy(struct vm *vm);

#endif /* VIREO_VM_H */
