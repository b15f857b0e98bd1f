/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux/x86 boot protocol as a loader sees it: the setup header of a
 * bzImage and the boot_params ("zero page") it hands the kernel.  Linux
 * boot protocol 2.15, Documentation/arch/x86/boot.rst ("The Real-Mode
 * Kernel Header", "32-bit Boot Protocol") and zero-page.rst.  Offsets are
 * the protocol's; the asserts below pin them.  Little-endian, as x86.
 */
#ifndef VIREO_BOOT_BZIMAGE_H
#define VIREO_BOOT_BZIMAGE_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#define BZ_SETUP_HEADER		0x1f1	/* in the image and in boot_params */
#define BZ_JUMP			0x200	/* EB xx: the header ends at 0x202+xx */
#define BZ_HDRS_MAGIC		0x53726448	/* "HdrS" at 0x202 */
#define BZ_BOOT_FLAG		0xaa55
#define BZ_MIN_PROTOCOL		0x0206	/* cmdline_size, initrd_addr_max */
#define BZ_SECTOR		512
#define BZ_DEFAULT_SETUP_SECTS	4	/* setup_sects == 0 means 4 */

/* loadflags */
#define BZ_LOADED_HIGH		(1u << 0)
#define BZ_CAN_USE_HEAP		(1u << 7)

/* xloadflags (2.12+) */
#define BZ_XLF_KERNEL_64		(1u << 0)
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G	(1u << 1)

#define BZ_LOADER_UNDEFINED	0xff	/* type_of_loader: no assigned ID */
#define BZ_VID_MODE_NORMAL	0xffff	/* "vga=normal" */
#define BZ_E820_MAX		128	/* entries in boot_params */

struct bz_setup_header {
	uint8_t  setup_sects;		/* 0x1f1 */
	uint16_t root_flags;
	uint32_t syssize;		/* 16-byte paragraphs, 2.04+ */
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;		/* 0x1fe */
	uint16_t jump;			/* 0x200 */
	uint32_t header;		/* 0x202 */
	uint16_t version;		/* 0x206 */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t  type_of_loader;	/* 0x210 */
	uint8_t  loadflags;		/* 0x211 */
	uint16_t setup_move_size;
	uint32_t code32_start;		/* 0x214 */
	uint32_t ramdisk_image;		/* 0x218 */
	uint32_t ramdisk_size;		/* 0x21c */
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;		/* 0x224 */
	uint8_t  ext_loader_ver;
	uint8_t  ext_loader_type;
	uint32_t cmd_line_ptr;		/* 0x228 */
	uint32_t initrd_addr_max;	/* 0x22c, 2.03+ */
	uint32_t kernel_alignment;	/* 0x230, 2.05+ */
	uint8_t  relocatable_kernel;	/* 0x234 */
	uint8_t  min_alignment;		/* 0x235, 2.10+ */
	uint16_t xloadflags;		/* 0x236, 2.12+ */
	uint32_t cmdline_size;		/* 0x238, 2.06+ */
	uint32_t hardware_subarch;	/* 0x23c, 2.07+ */
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;	/* 0x248, 2.08+ */
	uint32_t payload_length;
	uint64_t setup_data;		/* 0x250, 2.09+ */
	uint64_t pref_address;		/* 0x258, 2.10+ */
	uint32_t init_size;		/* 0x260, 2.10+ */
	uint32_t handover_offset;	/* 0x264, 2.11+ */
	uint32_t kernel_info_offset;	/* 0x268, 2.15+ */
} __attribute__((packed));

struct bz_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

/* Only the fields a loader writes have names. */
struct bz_boot_params {
	uint8_t  screen_info[0x40];	/* 0x000: all zero, no VGA console */
	uint8_t  _pad0[0x70 - 0x40];
	uint64_t acpi_rsdp_addr;	/* 0x070, 2.14+ */
	uint8_t  _pad1[0x1e8 - 0x78];
	uint8_t  e820_entries;		/* 0x1e8 */
	uint8_t  _pad2[BZ_SETUP_HEADER - 0x1e9];
	struct bz_setup_header hdr;	/* 0x1f1 */
	uint8_t  _pad3[0x2d0 - BZ_SETUP_HEADER -
		       sizeof(struct bz_setup_header)];
	struct bz_e820_entry e820_table[BZ_E820_MAX];	/* 0x2d0 */
	uint8_t  _pad4[0x1000 - 0xcd0];
} __attribute__((packed));

/* The setup header may run up to here (boot.rst "The kernel_info"). */
#define BZ_SETUP_HEADER_MAX_END	0x290

#define BZ_HDR_OFF(f)	(BZ_SETUP_HEADER + offsetof(struct bz_setup_header, f))

static_assert(BZ_HDR_OFF(boot_flag) == 0x1fe, "boot_flag");
static_assert(BZ_HDR_OFF(header) == 0x202, "header");
static_assert(BZ_HDR_OFF(type_of_loader) == 0x210, "type_of_loader");
static_assert(BZ_HDR_OFF(code32_start) == 0x214, "code32_start");
static_assert(BZ_HDR_OFF(heap_end_ptr) == 0x224, "heap_end_ptr");
static_assert(BZ_HDR_OFF(cmd_line_ptr) == 0x228, "cmd_line_ptr");
static_assert(BZ_HDR_OFF(cmdline_size) == 0x238, "cmdline_size");
static_assert(BZ_HDR_OFF(pref_address) == 0x258, "pref_address");
static_assert(BZ_HDR_OFF(init_size) == 0x260, "init_size");
static_assert(BZ_HDR_OFF(kernel_info_offset) == 0x268, "kernel_info");
static_assert(offsetof(struct bz_boot_params, acpi_rsdp_addr) == 0x70,
	      "acpi_rsdp_addr");
static_assert(offsetof(struct bz_boot_params, e820_entries) == 0x1e8,
	      "e820_entries");
static_assert(offsetof(struct bz_boot_params, hdr) == BZ_SETUP_HEADER,
	      "hdr");
static_assert(offsetof(struct bz_boot_params, e820_table) == 0x2d0,
	      "e820_table");
static_assert(sizeof(struct bz_boot_params) == 4096, "boot_params");

#endif /* VIREO_BOOT_BZIMAGE_H */
