/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 as loader and kernel share it (Multiboot Specification
 * 0.6.96, section 3 "The exact definitions of Multiboot Specification").
 * vireo-vm's loader and the test kernel in tests/guests/multiboot/ both
 * include this file, so it needs nothing but the compiler's freestanding
 * headers; assembler sources get the constants only.  All addresses are
 * 32-bit physical.
 */
#ifndef VIREO_BOOT_MULTIBOOT_H
#define VIREO_BOOT_MULTIBOOT_H

/* 3.1.1: the header is 4-byte aligned in the first 8192 bytes. */
#define MB_HEADER_MAGIC		0x1badb002
#define MB_SEARCH_LEN		8192
#define MB_HEADER_ALIGN		4

/* 3.1.2 header flags; bits 0-15 are requirements a loader must meet. */
#define MB_HDR_PAGE_ALIGN	0x00000001	/* modules on 4 KiB boundaries */
#define MB_HDR_MEMORY_INFO	0x00000002	/* mem_* (and mmap) wanted */
#define MB_HDR_VIDEO_MODE	0x00000004	/* a video mode wanted */
#define MB_HDR_AOUT_KLUDGE	0x00010000	/* address fields are valid */
#define MB_HDR_REQUIRED_MASK	0x0000ffff

/* 3.2: EAX at entry. */
#define MB_BOOTLOADER_MAGIC	0x2badb002

/* 3.3 info flags: which fields of mb_info are valid. */
#define MB_INFO_MEMORY		0x00000001
#define MB_INFO_BOOTDEV		0x00000002
#define MB_INFO_CMDLINE		0x00000004
#define MB_INFO_MODS		0x00000008
#define MB_INFO_MEM_MAP		0x00000040
#define MB_INFO_LOADER_NAME	0x00000200

#define MB_MMAP_AVAILABLE	1	/* every other type is reserved */

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

struct mb_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;	/* magic + flags + checksum == 0 */
	/* With MB_HDR_AOUT_KLUDGE: */
	uint32_t header_addr;	/* where this header itself is loaded */
	uint32_t load_addr;	/* start of the image in memory */
	uint32_t load_end_addr;	/* 0: the image runs to the end of file */
	uint32_t bss_end_addr;	/* 0: no bss */
	uint32_t entry_addr;
	/* With MB_HDR_VIDEO_MODE: */
	uint32_t mode_type;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
};

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB from 0, at most 640 */
	uint32_t mem_upper;	/* KiB from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;	/* NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr;	/* struct mb_module[mods_count] */
	uint32_t syms[4];
	uint32_t mmap_length;	/* bytes */
	uint32_t mmap_addr;	/* struct mb_mmap_entry, each size + 4 long */
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t  framebuffer_bpp;
	uint8_t  framebuffer_type;
	uint8_t  color_info[6];
} __attribute__((packed));

struct mb_module {
	uint32_t mod_start;
	uint32_t mod_end;	/* first byte after the module */
	uint32_t string;	/* NUL-terminated */
	uint32_t reserved;	/* 0 */
};

/* size is the entry's length without the size field itself: 20. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct mb_header) == 48, "mb_header");
_Static_assert(offsetof(struct mb_info, mmap_length) == 44, "mmap_length");
_Static_assert(offsetof(struct mb_info, boot_loader_name) == 64,
	       "boot_loader_name");
_Static_assert(offsetof(struct mb_info, framebuffer_addr) == 88,
	       "framebuffer_addr");
_Static_assert(sizeof(struct mb_info) == 116, "mb_info");
_Static_assert(sizeof(struct mb_module) == 16, "mb_module");
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "mb_mmap_entry");

#endif /* __ASSEMBLER__ */

#endif /* VIREO_BOOT_MULTIBOOT_H */
