// SPDX-License-Identifier: GPL-2.0
/*
 * The Multiboot v1 loader on the host: the test kernel of
 * tests/guests/multiboot (its segments must land where its ELF program
 * headers say), synthetic ELF and a.out-kludge images, the information
 * structure, and the refusals.
 */
#include <elf.h>

#include "boot/multiboot.h"
#include "boot_test.h"

#define MiB		(1ULL << 20)
#define RAM_SIZE	(32 * MiB)
#define CMDLINE		"console=ttyS0 hello"
#define ALL_INFO	(MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | \
			 MB_INFO_MEM_MAP | MB_INFO_LOADER_NAME)

#ifndef MBTEST_ELF
#define MBTEST_ELF	"build/guests/multiboot/mbtest.elf"
#endif

static const char *kname = "fake-multiboot";

static void vm_init(struct vm *vm, uint64_t ram_size, const char *cmdline)
{
	boot_vm_init(vm, ram_size, kname, cmdline, 4 * MiB);
}

static const struct mb_info *info_of(const struct vm *vm)
{
	return (const struct mb_info *)(vm->ram + vm->cpu.regs.rbx);
}

static const char *gstr(const struct vm *vm, uint32_t gpa)
{
	return (const char *)vm->ram + gpa;
}

static int all_bytes(const uint8_t *p, uint8_t v, size_t len)
{
	while (len--)
		if (*p++ != v)
			return 0;
	return 1;
}

static void put_header(uint8_t *p, uint32_t flags)
{
	uint32_t h[3] = { MB_HEADER_MAGIC, flags, -(MB_HEADER_MAGIC + flags) };

	memcpy(p, h, sizeof(h));
}

/*
 * An ELF32 executable: one PT_LOAD of 0x1000 file bytes at file offset
 * 0x1000 and memsz bytes at paddr/vaddr, the Multiboot header first in it.
 */
#define ELF_LEN	0x2000
static uint8_t *make_elf(uint32_t paddr, uint32_t vaddr, uint32_t memsz,
			 uint32_t entry)
{
	uint8_t *img = calloc(1, ELF_LEN);
	Elf32_Ehdr *eh = (Elf32_Ehdr *)img;
	Elf32_Phdr *ph = (Elf32_Phdr *)(img + sizeof(*eh));
	size_t i;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = 0x1000;
	ph->p_paddr = paddr;
	ph->p_vaddr = vaddr;
	ph->p_filesz = 0x1000;
	ph->p_memsz = memsz;
	for (i = 0x1000; i < ELF_LEN; i++)
		img[i] = i * 5 + 1;
	put_header(img + 0x1000, MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY_INFO);
	return img;
}

static Elf32_Phdr *phdr(uint8_t *img)
{
	return (Elf32_Phdr *)(img + sizeof(Elf32_Ehdr));
}

static Elf32_Ehdr *ehdr(uint8_t *img)
{
	return (Elf32_Ehdr *)img;
}

static void expect_fail(struct vm *vm, const uint8_t *img, size_t len,
			int want, const char *who, const char *why,
			const char *name)
{
	const char *msg;
	int ret;

	capture_begin();
	ret = multiboot_load(&vm->a, img, len, &vm->cpu);
	msg = capture_end();
	is_int(ret, want, "%s: refused", name);
	ok(msg_has(msg, who, why), "%s: one line naming %s: %s", name, who,
	   msg_line(msg));
}

/* Each PT_LOAD of the file in guest RAM at p_paddr, its bss zeroed. */
static int segments_landed(const uint8_t *ram, const uint8_t *file,
			   size_t len, unsigned int *nload, uint64_t *end)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)file;
	unsigned int i;

	*nload = 0;
	*end = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		Elf32_Phdr ph;

		memcpy(&ph, file + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_offset + ph.p_filesz > len ||
		    memcmp(ram + ph.p_paddr, file + ph.p_offset, ph.p_filesz) ||
		    !all_bytes(ram + ph.p_paddr + ph.p_filesz, 0,
			       ph.p_memsz - ph.p_filesz))
			return 0;
		if (ph.p_paddr + ph.p_memsz > *end)
			*end = ph.p_paddr + ph.p_memsz;
		(*nload)++;
	}
	return 1;
}

/* The mmap buffer is the e820 map, entry by entry, 20 + 4 bytes each. */
static int mmap_is_e820(const struct vm *vm, const struct mb_info *info)
{
	const uint8_t *p = vm->ram + info->mmap_addr;
	unsigned int i;

	if (info->mmap_length != vm->map.nr * sizeof(struct mb_mmap_entry))
		return 0;
	for (i = 0; i < vm->map.nr; i++) {
		struct mb_mmap_entry e;

		memcpy(&e, p, sizeof(e));
		if (e.size != 20 || e.addr != vm->map.entry[i].addr ||
		    e.len != vm->map.entry[i].size ||
		    e.type != vm->map.entry[i].type)
			return 0;
		p += e.size + sizeof(e.size);
	}
	return 1;
}

static void test_test_kernel(void)
{
	static const char mod[] = "hello-initrd-module";
	char *initrd = temp_file(mod, sizeof(mod) - 1);
	const struct mb_info *info;
	const struct mb_module *m;
	unsigned int nload;
	uint64_t end;
	uint8_t *file;
	size_t len;
	struct vm vm;

	if (boot_read_file(MBTEST_ELF, 1 << 30, &file, &len)) {
		ok(0, "test kernel %s readable (make guests)", MBTEST_ELF);
		return;
	}
	vm_init(&vm, RAM_SIZE, CMDLINE);
	vm.a.kernel = MBTEST_ELF;
	vm.a.initrd = initrd;
	is_int(boot_multiboot(&vm.a, &vm.cpu), 0, "mbtest: loads");
	ok(segments_landed(vm.ram, file, len, &nload, &end) && nload == 2,
	   "mbtest: both segments at p_paddr, bss zeroed");
	is_int(vm.cpu.regs.rax, MB_BOOTLOADER_MAGIC, "mbtest: EAX magic");
	is_int(vm.cpu.regs.rbx, PC_MB_INFO, "mbtest: EBX = info");
	check_entry32("mbtest", vm.ram, &vm.cpu, ehdr(file)->e_entry);

	info = info_of(&vm);
	is_int(info->flags, ALL_INFO,
	       "mbtest: memory, cmdline, mods, mmap, loader name");
	is_int(info->mem_lower, 639, "mbtest: mem_lower 639 KiB");
	is_int(info->mem_upper, (RAM_SIZE - MiB) >> 10, "mbtest: mem_upper");
	ok(!strcmp(gstr(&vm, info->cmdline), CMDLINE), "mbtest: cmdline");
	ok(!strcmp(gstr(&vm, info->boot_loader_name), "vireo"),
	   "mbtest: boot loader name");
	ok(mmap_is_e820(&vm, info), "mbtest: mmap is the e820 map");
	is_int(info->mods_count, 1, "mbtest: one module");
	m = (const struct mb_module *)(vm.ram + info->mods_addr);
	ok(!(m->mod_start & 0xfff) && m->mod_start >= end &&
	   m->mod_start < end + 0x1000,
	   "mbtest: module page aligned right after the kernel (0x%x)",
	   m->mod_start);
	is_int(m->mod_end - m->mod_start, sizeof(mod) - 1,
	       "mbtest: mod_end is one past the module");
	ok(!memcmp(vm.ram + m->mod_start, mod, sizeof(mod) - 1),
	   "mbtest: module contents");
	ok(!strcmp(gstr(&vm, m->string), initrd) && !m->reserved,
	   "mbtest: module string is the initrd's path");
	ok(info->mods_addr >= PC_MB_INFO && info->cmdline < PC_EBDA_START &&
	   info->mmap_addr > PC_MB_INFO, "mbtest: all in the info area");

	memset(vm.ram + MiB, 0xaa, 3 * MiB);
	vm.a.initrd = NULL;
	ok(!boot_kernel(&vm.a, &vm.cpu) &&
	   segments_landed(vm.ram, file, len, &nload, &end) &&
	   vm.cpu.regs.rax == MB_BOOTLOADER_MAGIC,
	   "mbtest: boot_kernel recognises Multiboot");
	ok(!info_of(&vm)->mods_count && (info_of(&vm)->flags & MB_INFO_MODS),
	   "mbtest: no initrd, no module");
	vm_free(&vm);
	temp_remove(initrd);
	free(file);
}

static void test_elf(void)
{
	uint8_t *img = make_elf(0x200000, 0x200000, 0x3000, 0x200010);
	struct vm vm;

	vm_init(&vm, RAM_SIZE, NULL);
	is_int(multiboot_load(&vm.a, img, ELF_LEN, &vm.cpu), 0, "elf: loads");
	ok(!memcmp(vm.ram + 0x200000, img + 0x1000, 0x1000) &&
	   all_bytes(vm.ram + 0x201000, 0, 0x2000),
	   "elf: segment at p_paddr, bss zeroed");
	is_int(vm.cpu.regs.rip, 0x200010, "elf: entry");
	ok(!strcmp(gstr(&vm, info_of(&vm)->cmdline), ""),
	   "elf: no command line, an empty string");
	free(img);

	/* A higher-half kernel whose e_entry is virtual. */
	img = make_elf(0x200000, 0xc0200000, 0x1000, 0xc0200020);
	ok(!multiboot_load(&vm.a, img, ELF_LEN, &vm.cpu) &&
	   vm.cpu.regs.rip == 0x200020,
	   "elf: virtual entry translated through its segment");
	ehdr(img)->e_entry = 0xc0300000;
	expect_fail(&vm, img, ELF_LEN, -ENOEXEC, kname, "entry point",
		    "elf: entry outside every segment");
	free(img);

	img = make_elf(0x80000, 0x80000, 0x1000, 0x80000);
	expect_fail(&vm, img, ELF_LEN, -EFBIG, kname, "from 1 MiB",
		    "elf: segment below 1 MiB");
	phdr(img)->p_paddr = RAM_SIZE - 0x800;
	expect_fail(&vm, img, ELF_LEN, -EFBIG, kname, "not in guest RAM",
		    "elf: segment past the end of RAM");
	phdr(img)->p_paddr = 0xfffff000;
	expect_fail(&vm, img, ELF_LEN, -EFBIG, kname, "not in guest RAM",
		    "elf: segment at the top of 4 GiB");
	phdr(img)->p_paddr = 0x200000;
	phdr(img)->p_memsz = 0x800;
	expect_fail(&vm, img, ELF_LEN, -ENOEXEC, kname, "segment 0",
		    "elf: p_filesz > p_memsz");
	phdr(img)->p_memsz = 0x1000;
	phdr(img)->p_offset = 0x1800;
	expect_fail(&vm, img, ELF_LEN, -ENOEXEC, kname, "past the end",
		    "elf: segment past the end of the file");
	phdr(img)->p_offset = 0x1000;
	phdr(img)->p_type = PT_NOTE;
	expect_fail(&vm, img, ELF_LEN, -ENOEXEC, kname, "no loadable",
		    "elf: no PT_LOAD");
	phdr(img)->p_type = PT_LOAD;
	ehdr(img)->e_phnum = 300;
	expect_fail(&vm, img, ELF_LEN, -ENOEXEC, kname, "program header",
		    "elf: program headers past the end of the file");
	ehdr(img)->e_phnum = 1;
	ehdr(img)->e_ident[EI_CLASS] = ELFCLASS64;
	expect_fail(&vm, img, ELF_LEN, -ENOEXEC, kname, "32-bit",
		    "elf: ELF64 refused");
	ehdr(img)->e_ident[EI_CLASS] = ELFCLASS32;
	ehdr(img)->e_type = ET_DYN;
	expect_fail(&vm, img, ELF_LEN, -ENOEXEC, kname, "executable",
		    "elf: not ET_EXEC");
	ehdr(img)->e_type = ET_EXEC;
	img[0] = 0;
	expect_fail(&vm, img, ELF_LEN, -ENOEXEC, kname, "flag 16",
		    "elf: not ELF, no a.out kludge");
	vm_free(&vm);
	free(img);
}

/* A flat image: header at 0x40, loaded at 0x300000, entry at +0x80. */
#define AOUT_LEN	0x1800
static uint8_t *make_aout(uint32_t flags)
{
	uint8_t *img = calloc(1, AOUT_LEN);
	struct mb_header h = {
		.magic = MB_HEADER_MAGIC, .flags = flags,
		.checksum = -(MB_HEADER_MAGIC + flags),
		.header_addr = 0x300040, .load_addr = 0x300000,
		.load_end_addr = 0x301000, .bss_end_addr = 0x304000,
		.entry_addr = 0x300080,
	};
	size_t i;

	for (i = 0; i < AOUT_LEN; i++)
		img[i] = i * 3 + 7;
	memcpy(img + 0x40, &h, sizeof(h));
	return img;
}

static struct mb_header *aout_hdr(uint8_t *img)
{
	return (struct mb_header *)(img + 0x40);
}

static void aout_resum(uint8_t *img)
{
	struct mb_header *h = aout_hdr(img);

	h->checksum = -(h->magic + h->flags);
}

static void test_aout(void)
{
	uint8_t *img = make_aout(MB_HDR_AOUT_KLUDGE | MB_HDR_VIDEO_MODE);
	struct vm vm;

	vm_init(&vm, RAM_SIZE, "a.out");
	is_int(multiboot_load(&vm.a, img, AOUT_LEN, &vm.cpu), 0,
	       "a.out: loads, the video mode request ignored");
	ok(!memcmp(vm.ram + 0x300000, img, 0x1000) &&
	   all_bytes(vm.ram + 0x301000, 0, 0x3000),
	   "a.out: load_addr..load_end_addr from the file, zeroes to bss_end");
	is_int(vm.cpu.regs.rip, 0x300080, "a.out: entry_addr");
	ok(!(info_of(&vm)->flags & (3 << 11)), "a.out: no video information");

	aout_hdr(img)->load_end_addr = 0;
	aout_hdr(img)->bss_end_addr = 0;
	memset(vm.ram + 0x300000, 0xaa, 0x4000);
	ok(!multiboot_load(&vm.a, img, AOUT_LEN, &vm.cpu) &&
	   !memcmp(vm.ram + 0x300000, img, AOUT_LEN) &&
	   vm.ram[0x300000 + AOUT_LEN] == 0xaa,
	   "a.out: load_end_addr 0 loads to the end of the file, no bss");

	aout_hdr(img)->load_end_addr = 0x302000;
	expect_fail(&vm, img, AOUT_LEN, -ENOEXEC, kname, "load_end_addr",
		    "a.out: load_end_addr past the file");
	aout_hdr(img)->load_end_addr = 0x301000;
	aout_hdr(img)->bss_end_addr = 0x300800;
	expect_fail(&vm, img, AOUT_LEN, -ENOEXEC, kname, "bss_end_addr",
		    "a.out: bss_end_addr below load_end_addr");
	aout_hdr(img)->bss_end_addr = 0;
	aout_hdr(img)->entry_addr = 0x301000;
	expect_fail(&vm, img, AOUT_LEN, -ENOEXEC, kname, "entry_addr",
		    "a.out: entry past the image");
	aout_hdr(img)->entry_addr = 0x300080;
	aout_hdr(img)->load_addr = 0x300041;
	expect_fail(&vm, img, AOUT_LEN, -ENOEXEC, kname, "load_addr",
		    "a.out: load_addr above header_addr");
	aout_hdr(img)->load_addr = 0x2fff00;
	expect_fail(&vm, img, AOUT_LEN, -ENOEXEC, kname, "load_addr",
		    "a.out: load_addr before the start of the file");
	aout_hdr(img)->load_addr = 0x300000;
	aout_hdr(img)->flags |= 1 << 3;
	aout_resum(img);
	expect_fail(&vm, img, AOUT_LEN, -ENOEXEC, kname, "0x1000c",
		    "header: an unknown required flag (bit 3)");
	vm_free(&vm);
	free(img);
}

static void test_find_header(void)
{
	uint8_t img[MB_SEARCH_LEN + 64] = { 0 };
	struct vm vm;

	vm_init(&vm, RAM_SIZE, NULL);
	put_header(img + 0x1000, 0);
	is_int(multiboot_find_header(img, sizeof(img)), 0x1000,
	       "search: found at 0x1000");
	is_int(multiboot_find_header(img, 0x100b), -1,
	       "search: not past the end of the file");
	memset(img, 0, sizeof(img));
	put_header(img + 0x1002, 0);
	is_int(multiboot_find_header(img, sizeof(img)), -1,
	       "search: not at an unaligned offset");
	memset(img, 0, sizeof(img));
	put_header(img + MB_SEARCH_LEN - 8, 0);
	is_int(multiboot_find_header(img, sizeof(img)), -1,
	       "search: not running past 8 KiB");
	memset(img, 0, sizeof(img));
	put_header(img + MB_SEARCH_LEN - 12, 0);
	is_int(multiboot_find_header(img, sizeof(img)), MB_SEARCH_LEN - 12,
	       "search: the last place in 8 KiB");
	memset(img, 0, sizeof(img));
	put_header(img + 0x100, 0);
	img[0x108]++;
	is_int(multiboot_find_header(img, sizeof(img)), -1,
	       "search: a bad checksum is no header");
	expect_fail(&vm, img, sizeof(img), -ENOEXEC, kname, "no Multiboot header",
		    "search: refused without a header");
	memset(img, 0, sizeof(img));
	put_header(img + MB_SEARCH_LEN - 12, MB_HDR_AOUT_KLUDGE);
	expect_fail(&vm, img, sizeof(img), -ENOEXEC, kname, "runs past",
		    "search: a.out fields past 8 KiB");
	vm_free(&vm);
}

static void test_limits(void)
{
	uint8_t *img = make_elf(0x200000, 0x200000, 0x1000, 0x200000);
	char *big = temp_file(NULL, RAM_SIZE - 2 * MiB);
	char *cl = malloc(PC_CMDLINE_MAX + 1);
	struct vm vm;

	vm_init(&vm, RAM_SIZE, NULL);
	vm.a.initrd = big;
	expect_fail(&vm, img, ELF_LEN, -EFBIG, big, "does not fit",
		    "initrd bigger than RAM after the kernel");
	vm.a.initrd = "/nonexistent/module";
	expect_fail(&vm, img, ELF_LEN, -ENOENT, "/nonexistent/module",
		    "No such file", "missing initrd");
	vm.a.initrd = NULL;
	memset(cl, 'x', PC_CMDLINE_MAX);
	cl[PC_CMDLINE_MAX] = 0;
	vm.a.cmdline = cl;
	expect_fail(&vm, img, ELF_LEN, -E2BIG, kname, "too long",
		    "command line of 64 KiB");
	cl[PC_CMDLINE_MAX - 1] = 0;
	ok(!multiboot_load(&vm.a, img, ELF_LEN, &vm.cpu) &&
	   strlen(gstr(&vm, info_of(&vm)->cmdline)) == PC_CMDLINE_MAX - 1,
	   "command line of 64 KiB - 1 fits");
	vm_free(&vm);
	temp_remove(big);
	free(cl);
	free(img);
}

int main(void)
{
	test_test_kernel();
	test_elf();
	test_aout();
	test_find_header();
	test_limits();
	return tap_done();
}
