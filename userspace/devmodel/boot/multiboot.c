// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 loader (Multiboot Specification 0.6.96): ELF32 kernels by
 * their program headers, other images by the header's address fields (the
 * "a.out kludge").  The kernel must load at or above 1 MiB, where nothing
 * of the loader's is; the initrd becomes the one module, page aligned
 * right after the kernel, where simple kernels expect their modules.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../pc_layout.h"
#include "util.h"
#include "boot.h"
#include "multiboot.h"

#define PAGE_SIZE	0x1000ULL
#define MB_HDR_MIN_LEN	12	/* magic, flags, checksum */
#define MB_HDR_AOUT_LEN	32	/* ... entry_addr */
#define MB_HDR_VIDEO_LEN 48	/* ... depth */
#define MB_LOADER_NAME	"vireo"

/* Header requirements this loader meets; it must refuse any other (3.1.2). */
#define MB_HDR_SUPPORTED (MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY_INFO | \
			  MB_HDR_VIDEO_MODE)

struct mb_image {
	uint64_t top;		/* end of usable RAM from 1 MiB */
	uint64_t end;		/* first byte above everything loaded */
	uint32_t entry;
};

long multiboot_find_header(const uint8_t *img, size_t len)
{
	uint32_t w[3];
	size_t off;

	for (off = 0; off + MB_HDR_MIN_LEN <= len &&
	     off + MB_HDR_MIN_LEN <= MB_SEARCH_LEN; off += MB_HEADER_ALIGN) {
		memcpy(w, img + off, sizeof(w));
		if (w[0] == MB_HEADER_MAGIC && (uint32_t)(w[0] + w[1] + w[2]) == 0)
			return off;
	}
	return -1;
}

static int bad_image(const char *path, const char *why)
{
	pr_err("%s: %s\n", path, why);
	return -ENOEXEC;
}

/* Copy filesz bytes to [paddr, paddr + memsz) and zero the rest (bss). */
static int load_range(const struct boot_args *a, struct mb_image *k,
		      uint64_t paddr, uint64_t memsz, const uint8_t *src,
		      uint64_t filesz)
{
	uint8_t *dst = NULL;

	if (paddr >= PC_KERNEL_START && paddr <= k->top &&
	    memsz <= k->top - paddr)
		dst = boot_gpa(a, paddr, memsz);
	if (!dst) {
		pr_err("%s: 0x%llx-0x%llx is not in guest RAM from 1 MiB to %llu MiB\n",
		       a->kernel, (unsigned long long)paddr,
		       (unsigned long long)(paddr + memsz - 1),
		       (unsigned long long)(k->top >> 20));
		return -EFBIG;
	}
	memcpy(dst, src, filesz);
	memset(dst + filesz, 0, memsz - filesz);
	if (paddr + memsz > k->end)
		k->end = paddr + memsz;
	return 0;
}

static int elf_check_header(const char *path, const uint8_t *img, size_t len,
			    Elf32_Ehdr *eh)
{
	if (len < sizeof(*eh) || memcmp(img, ELFMAG, SELFMAG))
		return bad_image(path, "Multiboot kernel is not an ELF file and has no address fields (header flag 16)");
	memcpy(eh, img, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_386)
		return bad_image(path, "not a 32-bit x86 ELF file: Multiboot v1 boots ELF32 (or uses header flag 16)");
	if (eh->e_type != ET_EXEC)
		return bad_image(path, "not an executable ELF file");
	if (eh->e_phentsize != sizeof(Elf32_Phdr) || !eh->e_phnum ||
	    eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > len - eh->e_phoff)
		return bad_image(path, "bad ELF program header table");
	return 0;
}

static void elf_phdr(const uint8_t *img, const Elf32_Ehdr *eh, unsigned int i,
		     Elf32_Phdr *ph)
{
	memcpy(ph, img + eh->e_phoff + (size_t)i * sizeof(*ph), sizeof(*ph));
}

/*
 * e_entry is physical for most Multiboot kernels; a higher-half kernel
 * may give the virtual one, which is translated through its segment.
 */
static int elf_entry(const char *path, const uint8_t *img,
		     const Elf32_Ehdr *eh, uint32_t *entry)
{
	unsigned int i, virt;
	Elf32_Phdr ph;

	for (virt = 0; virt < 2; virt++) {
		for (i = 0; i < eh->e_phnum; i++) {
			uint32_t base;

			elf_phdr(img, eh, i, &ph);
			base = virt ? ph.p_vaddr : ph.p_paddr;
			if (ph.p_type != PT_LOAD || eh->e_entry < base ||
			    eh->e_entry - base >= ph.p_memsz)
				continue;
			*entry = ph.p_paddr + (eh->e_entry - base);
			return 0;
		}
	}
	pr_err("%s: ELF entry point 0x%x is in no loadable segment\n", path,
	       eh->e_entry);
	return -ENOEXEC;
}

/* PT_LOAD segments go to their physical address, p_paddr. */
static int load_elf(const struct boot_args *a, const uint8_t *img,
		    size_t len, struct mb_image *k)
{
	unsigned int i, loaded = 0;
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	int err;

	err = elf_check_header(a->kernel, img, len, &eh);
	if (err)
		return err;
	for (i = 0; i < eh.e_phnum; i++) {
		elf_phdr(img, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
		    ph.p_filesz > len - ph.p_offset) {
			pr_err("%s: ELF segment %u runs past the end of the file or its own size\n",
			       a->kernel, i);
			return -ENOEXEC;
		}
		err = load_range(a, k, ph.p_paddr, ph.p_memsz,
				 img + ph.p_offset, ph.p_filesz);
		if (err)
			return err;
		loaded++;
	}
	if (!loaded)
		return bad_image(a->kernel, "ELF file has no loadable segment");
	return elf_entry(a->kernel, img, &eh, &k->entry);
}

/*
 * The a.out kludge (3.1.3): the file from the header back to load_addr's
 * offset up to load_end_addr is the image, zeroes follow up to
 * bss_end_addr.
 */
static int load_aout(const struct boot_args *a, const uint8_t *img,
		     size_t len, const struct mb_header *h, size_t hoff,
		     struct mb_image *k)
{
	uint64_t file_off, load_end, bss_end;
	int err;

	if (h->load_addr > h->header_addr ||
	    h->header_addr - h->load_addr > hoff)
		return bad_image(a->kernel, "Multiboot load_addr does not fit header_addr and the header's offset");
	file_off = hoff - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr ? h->load_end_addr
				    : h->load_addr + (len - file_off);
	if (load_end <= h->load_addr ||
	    load_end - h->load_addr > len - file_off)
		return bad_image(a->kernel, "Multiboot load_end_addr is not within the file");
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (bss_end < load_end)
		return bad_image(a->kernel, "Multiboot bss_end_addr is below load_end_addr");
	if (h->entry_addr < h->load_addr || h->entry_addr >= load_end)
		return bad_image(a->kernel, "Multiboot entry_addr is outside the loaded image");
	err = load_range(a, k, h->load_addr, bss_end - h->load_addr,
			 img + file_off, load_end - h->load_addr);
	k->entry = h->entry_addr;
	return err;
}

static int load_image(const struct boot_args *a, const uint8_t *img,
		      size_t len, struct mb_image *k)
{
	long hoff = multiboot_find_header(img, len);
	struct mb_header h = { 0 };
	size_t need = MB_HDR_MIN_LEN;

	if (hoff < 0)
		return bad_image(a->kernel, "no Multiboot header (magic 0x1BADB002 with a valid checksum) in the first 8 KiB");
	memcpy(&h, img + hoff, MB_HDR_MIN_LEN);
	if (h.flags & MB_HDR_REQUIRED_MASK & ~MB_HDR_SUPPORTED) {
		pr_err("%s: the Multiboot header requires features vireo-vm does not provide (flags 0x%x)\n",
		       a->kernel, h.flags);
		return -ENOEXEC;
	}
	if (h.flags & MB_HDR_AOUT_KLUDGE)
		need = MB_HDR_AOUT_LEN;
	if (hoff + need > len || hoff + need > MB_SEARCH_LEN)
		return bad_image(a->kernel, "Multiboot header runs past the file or its first 8 KiB");
	memcpy(&h, img + hoff, need);
	/*
	 * MB_HDR_VIDEO_MODE asks for a graphics mode; there is no display,
	 * and leaving the info's video flags (bits 11, 12) clear tells the
	 * kernel none was set (3.3), which the spec allows.
	 */
	if (h.flags & MB_HDR_AOUT_KLUDGE)
		return load_aout(a, img, len, &h, hoff, k);
	return load_elf(a, img, len, k);
}

/* A bump allocator for the information area, [PC_MB_INFO, the EBDA). */
struct mb_area {
	const struct boot_args *a;
	uint64_t next;
};

static void *mb_alloc(struct mb_area *ar, uint64_t size, uint32_t *gpa)
{
	uint64_t at = (ar->next + 7) & ~7ULL;
	void *p;

	if (at + size > PC_EBDA_START)
		return NULL;
	p = boot_gpa(ar->a, at, size);
	if (!p)
		return NULL;
	memset(p, 0, size);
	ar->next = at + size;
	*gpa = at;
	return p;
}

static uint32_t mb_string(struct mb_area *ar, const char *s)
{
	uint32_t gpa = 0;
	char *p = mb_alloc(ar, strlen(s) + 1, &gpa);

	if (p)
		memcpy(p, s, strlen(s) + 1);
	return gpa;
}

static int fill_mmap(struct mb_area *ar, struct mb_info *info)
{
	const struct e820 *map = ar->a->e820;
	struct mb_mmap_entry *m;
	unsigned int i;
	uint32_t gpa = 0;

	m = mb_alloc(ar, map->nr * sizeof(*m), &gpa);
	if (!m && map->nr)
		return -E2BIG;
	info->mmap_addr = gpa;
	for (i = 0; i < map->nr; i++)
		m[i] = (struct mb_mmap_entry) {
			.size = sizeof(*m) - sizeof(m->size),
			.addr = map->entry[i].addr, .len = map->entry[i].size,
			.type = map->entry[i].type,
		};
	info->mmap_length = map->nr * sizeof(*m);
	return 0;
}

static int fill_mods(struct mb_area *ar, struct mb_info *info,
		     uint64_t mod, uint64_t mod_size)
{
	struct mb_module *m;
	uint32_t gpa;

	if (!mod_size)
		return 0;
	m = mb_alloc(ar, sizeof(*m), &gpa);
	if (!m)
		return -E2BIG;
	info->mods_addr = gpa;
	m->mod_start = mod;
	m->mod_end = mod + mod_size;
	m->string = mb_string(ar, ar->a->initrd);
	info->mods_count = 1;
	return m->string ? 0 : -E2BIG;
}

static uint32_t kib(uint64_t bytes, uint64_t max)
{
	return (bytes > max ? max : bytes) >> 10;
}

/* The boot information (3.3) at PC_MB_INFO, its buffers right after it. */
static int write_info(const struct boot_args *a, uint64_t mod,
		      uint64_t mod_size)
{
	struct mb_area ar = { .a = a, .next = PC_MB_INFO };
	const char *cmdline = a->cmdline ? a->cmdline : "";
	struct mb_info *info;
	uint32_t gpa;
	int err;

	info = mb_alloc(&ar, sizeof(*info), &gpa);
	if (!info)
		return -EFAULT;
	info->flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS |
		      MB_INFO_MEM_MAP | MB_INFO_LOADER_NAME;
	info->mem_lower = kib(e820_usable_run(a->e820, 0), 640 << 10);
	info->mem_upper = kib(e820_usable_run(a->e820, PC_KERNEL_START),
			      UINT32_MAX);
	err = fill_mmap(&ar, info);
	if (!err)
		err = fill_mods(&ar, info, mod, mod_size);
	info->cmdline = mb_string(&ar, cmdline);
	info->boot_loader_name = mb_string(&ar, MB_LOADER_NAME);
	if (!err && (!info->cmdline || !info->boot_loader_name))
		err = -E2BIG;
	return err;
}

static int place_module(const struct boot_args *a, const struct mb_image *k,
			uint64_t size, uint64_t *gpa)
{
	uint64_t at = (k->end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if (at > k->top || size > k->top - at) {
		pr_err("%s: initrd of %llu KiB does not fit in guest RAM between the kernel (up to 0x%llx) and %llu MiB\n",
		       a->initrd, (unsigned long long)(size >> 10),
		       (unsigned long long)at,
		       (unsigned long long)(k->top >> 20));
		return -EFBIG;
	}
	*gpa = at;
	return 0;
}

int multiboot_load(const struct boot_args *a, const uint8_t *img,
		   size_t len, struct boot_cpu_state *out)
{
	struct mb_image k = { .top = boot_low_ram_top(a) };
	uint64_t mod = 0, mod_size = 0;
	int err, fd = -1;

	err = load_image(a, img, len, &k);
	if (err)
		return err;
	if (a->cmdline && strlen(a->cmdline) > PC_CMDLINE_MAX - 1) {
		pr_err("%s: command line of %zu bytes is too long: at most %llu\n",
		       a->kernel, strlen(a->cmdline), PC_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	if (a->initrd) {
		err = boot_open_initrd(a->initrd, &fd, &mod_size);
		if (err)
			return err;
		err = place_module(a, &k, mod_size, &mod);
		if (err)
			goto err_close_initrd;
	}
	err = write_info(a, mod, mod_size);
	if (err) {
		pr_err("%s: the Multiboot information does not fit at 0x%llx-0x%llx\n",
		       a->kernel, PC_MB_INFO, PC_EBDA_START - 1);
		goto err_close_initrd;
	}
	err = boot_entry32(a, k.entry, out);
	if (err)
		goto err_close_initrd;
	if (fd >= 0) {
		err = boot_read_initrd(a, a->initrd, fd, mod, mod_size);
		if (err)
			return err;
	}
	/* 3.2 "Machine state": the magic in EAX, the information in EBX. */
	out->regs.rax = MB_BOOTLOADER_MAGIC;
	out->regs.rbx = PC_MB_INFO;
	return 0;

err_close_initrd:
	if (fd >= 0)
		close(fd);
	return err;
}
