/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM as the kernel sees it: /dev/vireo, the VM fd and guest memory
 * registered as slots.  Functions return 0 or, after printing why, the
 * vireo-vm exit code for the failure (exitcodes.h).
 */
#ifndef VIREO_VM_H
#define VIREO_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "memmap.h"

#define VIREO_DEVICE	"/dev/vireo"

struct machine;

struct vm {
	int dev_fd;
	int vm_fd;
	uint8_t *ram;		/* ram_size bytes; below 4 GiB, GPA == offset */
	uint64_t ram_size;
	uint8_t *rom;		/* rom_size bytes, mapped twice; or NULL */
	uint64_t rom_size;
	/* The memory map (memmap.h) and the accessor built on it. */
	struct memmap_region map[MEMMAP_MAX_REGIONS];
	unsigned int nr_map;
	struct guest_mem mem;
	unsigned int nr_slots;
};

/*
 * Allocate guest RAM and, if rom_size != 0, the ROM, and lay them out:
 * the ROM boot's map (memmap_build()) with a ROM, the direct kernel
 * boot's (memmap_build_kernel()) without.  Needs no kernel.
 */
int vm_alloc_memory(struct vm *vm, uint64_t ram_size, uint64_t rom_size);
/* Open /dev/vireo (unless open), check the API version, create the VM. */
int vm_open(struct vm *vm);
/* Register the map's regions as memory slots. */
int vm_map_memory(struct vm *vm);
/*
 * machine->signal_msi for vireo-vm, with machine->msi_opaque the struct
 * vm: VIREO_SIGNAL_MSI on the VM fd.  Returns what the ioctl returns (the
 * number of local APICs that took the message) or -errno.
 */
int vm_signal_msi(struct machine *m, uint64_t address, uint32_t data);
/* machine->ioeventfd for vireo-vm: VIREO_IOEVENTFD on the VM fd (MMIO). */
int vm_ioeventfd(struct machine *m, uint64_t gpa, uint32_t len, int fd,
		 bool assign);
/*
 * machine->set_guest_time, with machine->guest_time_opaque the vm:
 * VIREO_SET_GUEST_TIME on the VM fd.  0 or -errno.
 */
int vm_set_guest_time(struct machine *m, bool stopped);
/*
 * Close the VM (its vCPUs, local APICs, slots and clocks go with it) but
 * keep guest memory and /dev/vireo: a reset builds a new VM around the
 * same memory, with vm_open() again.
 */
void vm_close(struct vm *vm);
void vm_destroy(struct vm *vm);

#endif /* VIREO_VM_H */
