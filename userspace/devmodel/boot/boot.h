/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Direct kernel boot (vireo-vm --kernel): load a Linux bzImage or a
 * Multiboot v1 kernel, its initrd and command line into guest RAM, write
 * what the kernel is handed (boot_params or the Multiboot information), and
 * describe the state vCPU 0 starts in.  No /dev/vireo needed: the caller
 * maps the RAM (memmap_build_kernel()) and sets the state with SET_SREGS
 * and SET_REGS, e.g.
 *
 *	struct e820 map;
 *	struct boot_args a = { .ram = vm.ram, .ram_size = vm.ram_size,
 *			       .e820 = &map, .kernel = path, ... };
 *	struct boot_cpu_state cpu;
 *
 *	e820_build_pc(vm.ram_size, &map);
 *	if (boot_kernel(&a, &cpu))
 *		return EXIT_CODE_...;	(the message is printed)
 *	ioctl(vcpu_fd, VIREO_SET_SREGS, &cpu.sregs);
 *	ioctl(vcpu_fd, VIREO_SET_REGS, &cpu.regs);
 *
 * Both loaders start the kernel in 32-bit protected mode with paging off
 * (Linux boot protocol "32-bit Boot Protocol"; Multiboot 0.6.96 3.2).  What
 * they write below 1 MiB:
 *
 *   BOOT_STACK_TOP   0x6000   initial ESP, grows down towards 0x1000
 *   BOOT_GDT         0x6000   GDT: 0x10 flat code, 0x18 flat data, 0x20 TSS
 *   BOOT_TSS         0x6080   the 104-byte TSS TR points at (all zero)
 *   PC_BOOT_PARAMS   0x7000   Linux boot_params
 *   PC_CMDLINE       0x20000  Linux command line
 *   PC_MB_INFO       0x30000  Multiboot information, mmap, modules, strings
 *
 * The kernel goes at PC_KERNEL_START (1 MiB) and the initrd above it;
 * neither is placed above 4 GiB.
 *
 * Errors: every function returns 0 or a negative errno after printing one
 * line naming the file and the problem: -ENOEXEC (not a kernel vireo-vm
 * can boot, or a malformed one), -EFBIG (kernel or initrd does not fit in
 * guest RAM), -E2BIG (command line too long), -EINVAL (bad arguments, empty
 * initrd), or what open()/read() failed with (-ENOENT, -EACCES, -EIO...).
 */
#ifndef VIREO_BOOT_H
#define VIREO_BOOT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vireo.h>

#include "e820.h"

#define BOOT_STACK_TOP	0x6000ULL
#define BOOT_GDT	0x6000ULL
#define BOOT_TSS	0x6080ULL

/* Selectors in the boot GDT: the Linux protocol's __BOOT_CS and __BOOT_DS. */
#define BOOT_CS		0x10
#define BOOT_DS		0x18
#define BOOT_TSS_SEL	0x20

struct boot_args {
	uint8_t *ram;		/* guest RAM, laid out by memmap_build_kernel() */
	uint64_t ram_size;
	/*
	 * The map the guest is told, e.g. from e820_build_pc(ram_size); the
	 * kernel and initrd go only where it says usable and RAM exists.
	 */
	const struct e820 *e820;
	const char *kernel;	/* path */
	const char *initrd;	/* path, or NULL: none */
	const char *cmdline;	/* NULL: empty */
	/*
	 * Linux only, optional: the RSDP's address for boot_params (2.14+).
	 * 0 lets the kernel search 0xE0000-0xFFFFF (ACPI 6.4 5.2.5.1).
	 */
	uint64_t acpi_rsdp;
};

/* vCPU 0 at the kernel's entry point: complete, ready for SET_(S)REGS. */
struct boot_cpu_state {
	struct vireo_regs regs;
	struct vireo_sregs sregs;
};

/*
 * Open path now and keep it open: later loads of path (a guest reset)
 * read the same file from its start, without opening anything.  0, or
 * -errno after printing why; at most two files (kernel and initrd).
 */
int boot_keep_open(const char *path);

/* A bzImage ("HdrS" at 0x202) or else a Multiboot kernel. */
int boot_kernel(const struct boot_args *a, struct boot_cpu_state *out);

/* Linux boot protocol 2.06+ bzImage (bzimage.c). */
int boot_linux(const struct boot_args *a, struct boot_cpu_state *out);

/* Multiboot v1: ELF32, or any image with the a.out kludge (multiboot.c). */
int boot_multiboot(const struct boot_args *a, struct boot_cpu_state *out);

/*
 * The same with the kernel image already in memory (img, len bytes);
 * a->kernel only names it in messages.
 */
int bzimage_load(const struct boot_args *a, const uint8_t *img, size_t len,
		 struct boot_cpu_state *out);
int multiboot_load(const struct boot_args *a, const uint8_t *img,
		   size_t len, struct boot_cpu_state *out);

/* ---- for the loaders (boot.c, entry32.c) ---------------------------- */

/* Whether img has a setup header ("HdrS"); whether it can boot is apart. */
int bzimage_detect(const uint8_t *img, size_t len);
/* Offset of the first valid Multiboot header, or -1. */
long multiboot_find_header(const uint8_t *img, size_t len);

/* Host address of [gpa, gpa + len) if guest RAM backs all of it, or NULL. */
void *boot_gpa(const struct boot_args *a, uint64_t gpa, uint64_t len);

/*
 * The end of usable RAM from 1 MiB on (a->e820), no further than RAM backs
 * it: kernel and initrd must lie in [PC_KERNEL_START, this).
 */
uint64_t boot_low_ram_top(const struct boot_args *a);

/* Read a whole file into a malloc()ed buffer of at most max bytes. */
int boot_read_file(const char *path, uint64_t max, uint8_t **buf,
		   size_t *len);

/*
 * An initrd or module: open it and learn its size (a non-empty regular
 * file), place it, then read it into guest RAM at gpa, which closes fd.
 */
int boot_open_initrd(const char *path, int *fd, uint64_t *size);
int boot_read_initrd(const struct boot_args *a, const char *path, int fd,
		     uint64_t gpa, uint64_t size);

/*
 * Write the boot GDT and TSS into guest RAM and fill *out for 32-bit
 * protected mode at eip, paging and interrupts off, flat BOOT_CS/BOOT_DS
 * in every segment register, all general registers 0 but ESP.
 */
int boot_entry32(const struct boot_args *a, uint32_t eip,
		 struct boot_cpu_state *out);

#endif /* VIREO_BOOT_H */
