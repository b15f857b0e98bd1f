/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit status of vireo-vm.  A script (or vmctl) tells why the VM ended from
 * this number alone, so every cause has its own code:
 *
 *   0   the guest powered off (ACPI S5 through PM1a_CNT), or every vCPU
 *       executed HLT with interrupts disabled, which nothing can end: how
 *       a ROM without a debug-exit port ends, and Linux's `halt`
 *   odd the guest wrote v to the debug-exit port 0xF4 (isa-debug-exit
 *       convention): status (v << 1) | 1.  A process exit status has 8
 *       bits, so only v & 0x7f survives: v = 0x10 gives 33, v = 0x80 gives 1
 *   2   usage error (bad option, bad --mem or --cpus)
 *   4   /dev/vireo cannot be opened (module not loaded, no VT-x/AMD-V,
 *       no permission)
 *   6   bad ROM file (unreadable, not exactly 64 KiB)
 *   8   guest shutdown: the vCPU triple-faulted
 *   10  unhandled exit (MMIO the kernel did not decode, a fetch from MMIO,
 *       hypercall, unknown exit reason); the message names the address,
 *       direction and size
 *   12  kernel internal error (VIREO_EXIT_INTERNAL_ERROR, VIREO_RUN failing,
 *       malformed exit data in the run area)
 *   14  terminated by SIGINT, SIGTERM or SIGHUP
 *   16  API version mismatch between vireo-vm and vireo.ko
 *   18  host failure while setting up the VM (memory, VM, slot, vCPU,
 *       CPUID, threads)
 *   20  the guest asked for a reset (reboot): reset register 0xCF9, the
 *       i8042 reset line or the ACPI reset register, with --no-reboot (without
 *       it the machine starts again in the same process)
 *   22  the kernel or initrd of --kernel cannot be loaded: unreadable, not
 *       a bzImage or Multiboot kernel, too big for guest RAM, or the
 *       command line is too long
 *   24  the VM process made a system call outside its allow-list
 *       (seccomp.h): a bug in vireo-vm, or an attack on it
 *
 * Error codes are even so that they never collide with debug-exit codes.
 */
#ifndef VIREO_EXITCODES_H
#define VIREO_EXITCODES_H

enum vm_exit_code {
	EXIT_CODE_HALTED	= 0,
	EXIT_CODE_USAGE		= 2,
	EXIT_CODE_NO_DEVICE	= 4,
	EXIT_CODE_BAD_ROM	= 6,
	EXIT_CODE_SHUTDOWN	= 8,
	EXIT_CODE_UNHANDLED	= 10,
	EXIT_CODE_INTERNAL	= 12,
	EXIT_CODE_SIGNAL	= 14,
	EXIT_CODE_API_VERSION	= 16,
	EXIT_CODE_HOST		= 18,
	EXIT_CODE_RESET		= 20,
	EXIT_CODE_BAD_KERNEL	= 22,
	EXIT_CODE_SECCOMP	= 24,
};

#endif /* VIREO_EXITCODES_H */
