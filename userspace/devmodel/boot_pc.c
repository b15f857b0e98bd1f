// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "acpi/acpi.h"
#include "boot_pc.h"
#include "exitcodes.h"
#include "guest_mem.h"
#include "pc_layout.h"
#include "util.h"

static int boot_pc_acpi(struct vm *vm, unsigned int nr_cpus)
{
	struct acpi_config cfg = { .nr_cpus = nr_cpus };
	uint64_t size = PC_BIOS_END - PC_ACPI_START;
	void *at = guest_mem_ptr(&vm->mem, PC_ACPI_START, size, true);
	int n;

	n = at ? acpi_build(at, PC_ACPI_START, size, &cfg) : -EFAULT;
	if (n < 0) {
		pr_err("cannot build the ACPI tables for %u vCPUs: %s\n",
		       nr_cpus, strerror(-n));
		return EXIT_CODE_HOST;
	}
	return 0;
}

int boot_pc_load(struct vm *vm, const struct boot_pc *b,
		 struct boot_cpu_state *cpu)
{
	struct e820 map;
	struct boot_args a = {
		.ram = vm->ram, .ram_size = vm->ram_size, .e820 = &map,
		.kernel = b->kernel, .initrd = b->initrd, .cmdline = b->cmdline,
		/* The RSDP is the first table (acpi.h). */
		.acpi_rsdp = PC_ACPI_START,
	};
	int ret;

	ret = boot_pc_acpi(vm, b->nr_cpus);
	if (ret)
		return ret;
	e820_build_pc(vm->ram_size, &map);
	ret = boot_kernel(&a, cpu);
	if (ret == -ENOMEM)
		return EXIT_CODE_HOST;
	return ret ? EXIT_CODE_BAD_KERNEL : 0;
}
