// SPDX-License-Identifier: GPL-2.0
/*
 * Linux bzImage loader: Linux boot protocol 2.15, Documentation/arch/x86/
 * boot.rst, "32-bit Boot Protocol".  The real-mode setup code is not run:
 * the loader writes boot_params itself and enters the protected-mode
 * kernel (the decompressor's startup_32) at 1 MiB.
 *
 * Why not the 64-bit entry (startup_64 at +0x200): it needs page tables
 * identity-mapping the kernel, boot_params and command line, built by the
 * loader in guest memory, and long mode set up from outside, for no gain:
 * startup_32 builds its own page tables and enters long mode itself, and it
 * also boots 32-bit kernels, which have no 64-bit entry (XLF_KERNEL_64).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../pc_layout.h"
#include "util.h"
#include "boot.h"
#include "bzimage.h"

/*
 * heap_end_ptr is obligatory though only the real-mode setup code uses the
 * heap; give it the protocol's sample layout ("Sample Boot Configuration":
 * heap up to 0xE000 in a 64 KiB real-mode segment).
 */
#define BZ_HEAP_END		0xe000
#define BZ_INITRD_MAX_OLD	0x37ffffff	/* before 2.03, "initrd_addr_max" */
#define PAGE_SIZE		0x1000ULL

struct bz_image {
	struct bz_setup_header h;	/* fields past the header's end: 0 */
	size_t hdr_end;			/* image bytes 0x1f1..hdr_end are it */
	const uint8_t *pm;		/* the protected-mode kernel */
	uint64_t pm_len;
	uint64_t end;			/* first byte above its footprint */
};

int bzimage_detect(const uint8_t *img, size_t len)
{
	uint32_t magic;

	if (len < BZ_HDR_OFF(header) + sizeof(magic))
		return 0;
	memcpy(&magic, img + BZ_HDR_OFF(header), sizeof(magic));
	return magic == BZ_HDRS_MAGIC;
}

static int bad_image(const char *path, const char *why)
{
	pr_err("%s: %s\n", path, why);
	return -ENOEXEC;
}

/* The setup header, as far as the image has one ("32-bit Boot Protocol"). */
static int parse_header(const char *path, const uint8_t *img, size_t len,
			struct bz_image *k)
{
	struct bz_setup_header *h = &k->h;

	if (!bzimage_detect(img, len) || len < BZ_JUMP + 2)
		return bad_image(path, "not a bzImage: no Linux setup header (\"HdrS\" at 0x202)");
	k->hdr_end = 0x202 + img[BZ_JUMP + 1];
	if (k->hdr_end > BZ_SETUP_HEADER_MAX_END)
		k->hdr_end = BZ_SETUP_HEADER_MAX_END;
	if (k->hdr_end > len)
		return bad_image(path, "truncated in the setup header");
	memset(h, 0, sizeof(*h));
	memcpy(h, img + BZ_SETUP_HEADER,
	       k->hdr_end - BZ_SETUP_HEADER < sizeof(*h) ?
	       k->hdr_end - BZ_SETUP_HEADER : sizeof(*h));
	if (h->boot_flag != BZ_BOOT_FLAG)
		return bad_image(path, "no boot flag 0xAA55 at 0x1FE");
	if (h->version < BZ_MIN_PROTOCOL) {
		pr_err("%s: Linux boot protocol %u.%02u is too old: vireo-vm needs 2.06 or later (Linux 2.6.22+)\n",
		       path, h->version >> 8, h->version & 0xff);
		return -ENOEXEC;
	}
	if (k->hdr_end < BZ_HDR_OFF(cmdline_size) + sizeof(h->cmdline_size))
		return bad_image(path, "setup header too short for its protocol version (jump at 0x200)");
	if (!(h->loadflags & BZ_LOADED_HIGH))
		return bad_image(path, "a zImage (not LOADED_HIGH): only bzImages can be booted");
	return 0;
}

/* The protected-mode kernel follows the setup sectors to the end of file. */
static int find_kernel(const char *path, const uint8_t *img, size_t len,
		       struct bz_image *k)
{
	unsigned int sects = k->h.setup_sects ? k->h.setup_sects
					      : BZ_DEFAULT_SETUP_SECTS;
	uint64_t setup_len = (sects + 1ULL) * BZ_SECTOR;
	uint64_t sys_len = (uint64_t)k->h.syssize * 16;

	if (setup_len >= len)
		return bad_image(path, "truncated: no protected-mode kernel after the setup sectors");
	k->pm = img + setup_len;
	k->pm_len = len - setup_len;
	/* syssize is rounded up to 16 bytes; more than that is missing. */
	if (sys_len > k->pm_len + 15) {
		pr_err("%s: truncated: the header says %llu bytes of protected-mode kernel, the file has %llu\n",
		       path, (unsigned long long)sys_len,
		       (unsigned long long)k->pm_len);
		return -ENOEXEC;
	}
	/* Anything after it is not the kernel's (e.g. a signature). */
	if (sys_len && sys_len < k->pm_len)
		k->pm_len = sys_len;
	return 0;
}

static uint64_t align_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

/*
 * Where the kernel decompresses (2.10+): a relocatable kernel at its load
 * address rounded up to kernel_alignment but never below pref_address
 * (LOAD_PHYSICAL_ADDR), a fixed one at pref_address; it needs init_size
 * bytes from there ("init_size", and arch/x86/boot/compressed/head_64.S).
 * Loading at 1 MiB is thus always right: the kernel moves itself to an
 * aligned address, so kernel_alignment and pref_address only size its
 * footprint, which must stay clear of the initrd and fit in RAM.
 */
static int kernel_footprint(const char *path, struct bz_image *k,
			    uint64_t top)
{
	const struct bz_setup_header *h = &k->h;
	uint64_t start = 0, need;

	k->end = PC_KERNEL_START + k->pm_len;
	if (h->version >= 0x020a && h->init_size) {
		if (h->relocatable_kernel && h->kernel_alignment &&
		    !(h->kernel_alignment & (h->kernel_alignment - 1)))
			start = align_up(PC_KERNEL_START, h->kernel_alignment);
		if (start < h->pref_address)
			start = h->pref_address;
		need = start > UINT64_MAX - h->init_size ? UINT64_MAX
							: start + h->init_size;
		if (need > k->end)
			k->end = need;
	}
	if (k->end <= top)
		return 0;
	if (k->end > PC_HIGH_RAM_START)
		pr_err("%s: the kernel wants to decompress at 0x%llx (init_size 0x%x), beyond 4 GiB\n",
		       path, (unsigned long long)start, h->init_size);
	else
		pr_err("%s: the kernel needs guest RAM from 1 MiB up to %llu MiB (init_size 0x%x at 0x%llx), usable RAM ends at %llu MiB\n",
		       path, (unsigned long long)(align_up(k->end, 1 << 20) >> 20),
		       h->init_size, (unsigned long long)start,
		       (unsigned long long)(top >> 20));
	return -EFBIG;
}

/* At most cmdline_size characters without the NUL ("cmdline_size"). */
static int check_cmdline(const char *path, const struct bz_image *k,
			 const char *cmdline)
{
	uint64_t max = k->h.cmdline_size;
	size_t n = strlen(cmdline);

	if (max > PC_CMDLINE_MAX - 1)
		max = PC_CMDLINE_MAX - 1;
	if (n > max) {
		pr_err("%s: command line of %zu bytes is too long: this kernel takes at most %llu\n",
		       path, n, (unsigned long long)max);
		return -E2BIG;
	}
	return 0;
}

/*
 * The initrd goes as high as it can, page aligned, below initrd_addr_max
 * (the highest byte it may occupy) and the end of usable low RAM, and above
 * the kernel's footprint.  Below 4 GiB, so XLF_CAN_BE_LOADED_ABOVE_4G and
 * ext_ramdisk_image play no part.
 */
static int place_initrd(const struct boot_args *a, const struct bz_image *k,
			uint64_t size, uint64_t top, uint64_t *gpa)
{
	uint64_t limit = k->h.initrd_addr_max ? k->h.initrd_addr_max + 1ULL
					      : BZ_INITRD_MAX_OLD + 1ULL;
	uint64_t floor = align_up(k->end, PAGE_SIZE);

	if (limit > top)
		limit = top;
	if (size > limit || ((limit - size) & ~(PAGE_SIZE - 1)) < floor) {
		pr_err("%s: initrd of %llu KiB does not fit in guest RAM between the kernel (up to %llu MiB) and %llu MiB\n",
		       a->initrd, (unsigned long long)(size >> 10),
		       (unsigned long long)(floor >> 20),
		       (unsigned long long)(limit >> 20));
		return -EFBIG;
	}
	*gpa = (limit - size) & ~(PAGE_SIZE - 1);
	return 0;
}

static void fill_e820(const struct e820 *map, struct bz_boot_params *bp)
{
	unsigned int i;

	for (i = 0; i < map->nr && i < BZ_E820_MAX; i++) {
		bp->e820_table[i].addr = map->entry[i].addr;
		bp->e820_table[i].size = map->entry[i].size;
		bp->e820_table[i].type = map->entry[i].type;
	}
	bp->e820_entries = i;
}

/*
 * boot_params as the 32-bit protocol asks: zeroed, the image's setup
 * header copied in, then the fields a loader writes ("Details of Header
 * Fields": obligatory ones, and code32_start for where we loaded it).
 */
static int write_boot_params(const struct boot_args *a,
			     const struct bz_image *k, const uint8_t *img,
			     uint64_t initrd, uint64_t initrd_size)
{
	struct bz_boot_params *bp = boot_gpa(a, PC_BOOT_PARAMS, sizeof(*bp));
	const char *cmdline = a->cmdline ? a->cmdline : "";
	size_t n = strlen(cmdline) + 1;
	char *cl = boot_gpa(a, PC_CMDLINE, n);
	struct bz_setup_header *h;

	if (!bp || !cl) {
		pr_err("%s: no guest RAM for boot_params and command line\n",
		       a->kernel);
		return -EFAULT;
	}
	h = &bp->hdr;
	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + BZ_SETUP_HEADER, img + BZ_SETUP_HEADER,
	       k->hdr_end - BZ_SETUP_HEADER);
	memcpy(cl, cmdline, n);

	h->vid_mode = BZ_VID_MODE_NORMAL;
	h->type_of_loader = BZ_LOADER_UNDEFINED;
	h->ext_loader_ver = 0;
	h->ext_loader_type = 0;
	h->loadflags = BZ_LOADED_HIGH | BZ_CAN_USE_HEAP;
	h->heap_end_ptr = BZ_HEAP_END - 0x200;
	h->code32_start = PC_KERNEL_START;
	h->cmd_line_ptr = PC_CMDLINE;
	h->ramdisk_image = initrd;
	h->ramdisk_size = initrd_size;
	h->hardware_subarch = 0;	/* X86_SUBARCH_PC */
	h->hardware_subarch_data = 0;
	h->setup_data = 0;
	if (a->acpi_rsdp && k->h.version >= 0x020e)
		bp->acpi_rsdp_addr = a->acpi_rsdp;
	fill_e820(a->e820, bp);
	return 0;
}

static int load_kernel(const struct boot_args *a, const struct bz_image *k)
{
	uint8_t *dst = boot_gpa(a, PC_KERNEL_START, k->pm_len);

	if (!dst) {
		pr_err("%s: no guest RAM at 1 MiB for the kernel\n", a->kernel);
		return -EFBIG;
	}
	memcpy(dst, k->pm, k->pm_len);
	return 0;
}

static int check_image(const struct boot_args *a, const uint8_t *img,
		       size_t len, uint64_t top, struct bz_image *k)
{
	int err = parse_header(a->kernel, img, len, k);

	if (!err)
		err = find_kernel(a->kernel, img, len, k);
	if (!err)
		err = kernel_footprint(a->kernel, k, top);
	if (!err)
		err = check_cmdline(a->kernel, k, a->cmdline ? a->cmdline : "");
	return err;
}

int bzimage_load(const struct boot_args *a, const uint8_t *img, size_t len,
		 struct boot_cpu_state *out)
{
	uint64_t top = boot_low_ram_top(a);
	uint64_t initrd = 0, initrd_size = 0;
	struct bz_image k;
	int err, fd = -1;

	err = check_image(a, img, len, top, &k);
	if (err)
		return err;
	if (a->initrd) {
		err = boot_open_initrd(a->initrd, &fd, &initrd_size);
		if (err)
			return err;
		err = place_initrd(a, &k, initrd_size, top, &initrd);
		if (err)
			goto err_close_initrd;
	}
	err = load_kernel(a, &k);
	if (!err)
		err = write_boot_params(a, &k, img, initrd, initrd_size);
	if (!err)
		err = boot_entry32(a, PC_KERNEL_START, out);
	if (err)
		goto err_close_initrd;
	if (fd >= 0) {
		err = boot_read_initrd(a, a->initrd, fd, initrd, initrd_size);
		if (err)
			return err;
	}
	/* ESI: boot_params; EBP, EDI, EBX: 0 ("32-bit Boot Protocol"). */
	out->regs.rsi = PC_BOOT_PARAMS;
	return 0;

err_close_initrd:
	if (fd >= 0)
		close(fd);
	return err;
}
