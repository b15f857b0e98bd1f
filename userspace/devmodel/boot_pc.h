/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-vm --kernel: what goes into guest RAM before the first vCPU runs.
 * The ACPI tables for nr_cpus vCPUs in the BIOS area [PC_ACPI_START,
 * PC_BIOS_END) (reserved in the e820 map), then the kernel, its initrd and
 * command line, handed the e820 map and the RSDP's address (boot/boot.h).
 * Needs no kernel: the caller maps RAM with vm_map_memory() and
 * gives vCPU 0 the state in *cpu.
 */
#ifndef VIREO_BOOT_PC_H
#define VIREO_BOOT_PC_H

#include "boot/boot.h"
#include "vm.h"

struct boot_pc {
	const char *kernel;
	const char *initrd;	/* NULL: none */
	const char *cmdline;	/* NULL: empty */
	unsigned int nr_cpus;
};

/*
 * Returns 0, or after printing why EXIT_CODE_BAD_KERNEL (the kernel or
 * initrd cannot be loaded) or EXIT_CODE_HOST.
 */
int boot_pc_load(struct vm *vm, const struct boot_pc *b,
		 struct boot_cpu_state *cpu);

#endif /* VIREO_BOOT_PC_H */
