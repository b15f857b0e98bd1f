// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux bzImage loader on the host: synthetic images built here (good
 * ones and each kind of bad one), then Debian's real kernels from /boot
 * when the machine has them.  Checks where things land in guest RAM, what
 * boot_params says, the entry state, and the one-line errors.
 */
#include <glob.h>
#include <sys/stat.h>

#include "boot/bzimage.h"
#include "boot_test.h"

#define MiB		(1ULL << 20)
#define GiB		(1ULL << 30)
#define RAM_SIZE	(64 * MiB)
#define PM_LEN		0x10000
#define HDR_END		0x26c	/* protocol 2.15's header: jump byte 0x6a */

static const char *kname = "fake-bzImage";

struct fake {
	uint8_t *img;
	size_t len;
	struct bz_setup_header *h;
	size_t setup_len;
};

static uint8_t pm_byte(size_t i)
{
	return i * 7 + 3;
}

/* A protocol 2.15 bzImage with PM_LEN bytes of "kernel", plus extra. */
static struct fake make_fake(unsigned int setup_sects, size_t extra)
{
	unsigned int sects = setup_sects ? setup_sects : 4;
	struct fake f;
	size_t i;

	f.setup_len = (sects + 1) * 512;
	f.len = f.setup_len + PM_LEN + extra;
	f.img = calloc(1, f.len);
	f.h = (struct bz_setup_header *)(f.img + BZ_SETUP_HEADER);
	f.h->setup_sects = setup_sects;
	f.h->syssize = PM_LEN / 16;
	f.h->boot_flag = BZ_BOOT_FLAG;
	f.h->jump = 0xeb | (HDR_END - 0x202) << 8;
	f.h->header = BZ_HDRS_MAGIC;
	f.h->version = 0x020f;
	f.h->loadflags = BZ_LOADED_HIGH;
	f.h->code32_start = 0x100000;
	f.h->initrd_addr_max = 0x7fffffff;
	f.h->kernel_alignment = 2 * MiB;
	f.h->relocatable_kernel = 1;
	f.h->min_alignment = 21;
	f.h->xloadflags = BZ_XLF_KERNEL_64 | BZ_XLF_CAN_BE_LOADED_ABOVE_4G;
	f.h->cmdline_size = 2047;
	f.h->pref_address = 16 * MiB;
	f.h->init_size = 8 * MiB;	/* footprint: up to 24 MiB */
	/* Not header: must not reach boot_params. */
	memset(f.img + HDR_END, 0x5a, BZ_SETUP_HEADER_MAX_END - HDR_END);
	for (i = 0; i < PM_LEN; i++)
		f.img[f.setup_len + i] = pm_byte(i);
	memset(f.img + f.setup_len + PM_LEN, 0xee, extra);
	return f;
}

static void vm_init(struct vm *vm, uint64_t ram_size, const char *cmdline)
{
	boot_vm_init(vm, ram_size, kname, cmdline, 2 * MiB);
}

static struct bz_boot_params *bp_of(struct vm *vm)
{
	return (struct bz_boot_params *)(vm->ram + PC_BOOT_PARAMS);
}

static int load(struct vm *vm, const struct fake *f)
{
	return bzimage_load(&vm->a, f->img, f->len, &vm->cpu);
}

/* Load expecting failure; the message must name what and mention why. */
static void expect_fail(struct vm *vm, const struct fake *f, int want,
			const char *who, const char *why, const char *name)
{
	const char *msg;
	int ret;

	capture_begin();
	ret = load(vm, f);
	msg = capture_end();
	is_int(ret, want, "%s: refused", name);
	ok(msg_has(msg, who, why), "%s: one line naming %s: %s", name, who,
	   msg_line(msg));
}

static int pm_loaded(const uint8_t *ram, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (ram[PC_KERNEL_START + i] != pm_byte(i))
			return 0;
	return 1;
}

static int all_bytes(const uint8_t *p, uint8_t v, size_t len)
{
	while (len--)
		if (*p++ != v)
			return 0;
	return 1;
}

static void test_good_image(void)
{
	struct fake f = make_fake(4, 0);
	struct bz_boot_params *bp;
	struct vm vm;
	unsigned int i;
	int e820_same = 1;

	vm_init(&vm, RAM_SIZE, "console=ttyS0 root=/dev/ram0");
	is_int(load(&vm, &f), 0, "good: loads");
	bp = bp_of(&vm);
	ok(pm_loaded(vm.ram, PM_LEN), "good: kernel at 1 MiB");
	is_int(bp->hdr.header, BZ_HDRS_MAGIC, "good: setup header copied");
	is_int(bp->hdr.version, 0x020f, "good: version copied");
	is_int(bp->hdr.init_size, 8 * MiB, "good: init_size copied");
	ok(all_bytes((uint8_t *)bp + HDR_END, 0, 0x1000 - HDR_END - 0xd30) &&
	   all_bytes((uint8_t *)bp, 0, 0x1e8),
	   "good: boot_params zero outside the header and the e820 table");
	is_int(((uint8_t *)bp)[0x1ef], 0, "good: sentinel byte zero");
	is_int(bp->hdr.type_of_loader, 0xff, "good: type_of_loader 0xFF");
	is_int(bp->hdr.loadflags, BZ_LOADED_HIGH | BZ_CAN_USE_HEAP,
	       "good: loadflags LOADED_HIGH | CAN_USE_HEAP");
	is_int(bp->hdr.heap_end_ptr, 0xde00, "good: heap_end_ptr");
	is_int(bp->hdr.vid_mode, 0xffff, "good: vid_mode normal");
	is_int(bp->hdr.code32_start, PC_KERNEL_START, "good: code32_start");
	is_int(bp->hdr.cmd_line_ptr, PC_CMDLINE, "good: cmd_line_ptr");
	ok(!strcmp((char *)vm.ram + PC_CMDLINE, "console=ttyS0 root=/dev/ram0"),
	   "good: command line in guest RAM");
	ok(!bp->hdr.ramdisk_image && !bp->hdr.ramdisk_size,
	   "good: no initrd, no ramdisk fields");
	ok(!bp->acpi_rsdp_addr, "good: no RSDP address unless given");
	is_int(bp->e820_entries, vm.map.nr, "good: e820 entries");
	for (i = 0; i < vm.map.nr; i++)
		e820_same &= bp->e820_table[i].addr == vm.map.entry[i].addr &&
			     bp->e820_table[i].size == vm.map.entry[i].size &&
			     bp->e820_table[i].type == vm.map.entry[i].type;
	ok(e820_same, "good: e820 table is the map given");
	ok(all_bytes((uint8_t *)&bp->e820_table[vm.map.nr], 0,
		     0x1000 - 0x2d0 - vm.map.nr * 20),
	   "good: boot_params zero after the e820 table");
	is_int(vm.cpu.regs.rsi, PC_BOOT_PARAMS, "good: ESI = boot_params");
	ok(!vm.cpu.regs.rbx && !vm.cpu.regs.rdi && !vm.cpu.regs.rbp &&
	   !vm.cpu.regs.rax, "good: EBX, EDI, EBP, EAX zero");
	check_entry32("good", vm.ram, &vm.cpu, PC_KERNEL_START);
	vm_free(&vm);
	free(f.img);
}

static void test_layout_variants(void)
{
	struct fake f;
	struct vm vm;

	f = make_fake(0, 0);
	vm_init(&vm, RAM_SIZE, NULL);
	ok(!load(&vm, &f) && pm_loaded(vm.ram, PM_LEN),
	   "setup_sects 0: means 4");
	ok(!strcmp((char *)vm.ram + PC_CMDLINE, ""),
	   "no command line: an empty string");
	vm_free(&vm);
	free(f.img);

	f = make_fake(27, 0);
	vm_init(&vm, RAM_SIZE, NULL);
	ok(!load(&vm, &f) && pm_loaded(vm.ram, PM_LEN),
	   "setup_sects 27: kernel found after 28 sectors");
	vm_free(&vm);
	free(f.img);

	/* A signed kernel: the signature after syssize is not loaded. */
	f = make_fake(4, 1000);
	vm_init(&vm, RAM_SIZE, NULL);
	ok(!load(&vm, &f) && pm_loaded(vm.ram, PM_LEN) &&
	   all_bytes(vm.ram + PC_KERNEL_START + PM_LEN, 0xaa, 1000),
	   "trailing data past syssize: not loaded");
	vm_free(&vm);
	free(f.img);

	/* syssize rounded up past the end of the file is fine. */
	f = make_fake(4, 0);
	f.len -= 4;
	vm_init(&vm, RAM_SIZE, NULL);
	ok(!load(&vm, &f) && pm_loaded(vm.ram, PM_LEN - 4),
	   "syssize rounded up to 16 bytes: accepted");
	vm_free(&vm);
	free(f.img);

	f = make_fake(4, 0);
	f.h->version = 0x020d;
	vm_init(&vm, RAM_SIZE, NULL);
	vm.a.acpi_rsdp = 0xe0000;
	ok(!load(&vm, &f) && !bp_of(&vm)->acpi_rsdp_addr,
	   "protocol 2.13: acpi_rsdp_addr left alone");
	f.h->version = 0x020e;
	ok(!load(&vm, &f) && bp_of(&vm)->acpi_rsdp_addr == 0xe0000,
	   "protocol 2.14: acpi_rsdp_addr set");
	vm_free(&vm);
	free(f.img);
}

static void test_bad_images(void)
{
	struct fake f;
	struct vm vm;

	vm_init(&vm, RAM_SIZE, "x");

	f = make_fake(4, 0);
	f.h->header = 0x12345678;
	expect_fail(&vm, &f, -ENOEXEC, kname, "HdrS", "bad magic");
	free(f.img);

	f = make_fake(4, 0);
	f.h->version = 0x0205;
	expect_fail(&vm, &f, -ENOEXEC, kname, "2.05 is too old",
		    "protocol 2.05");
	free(f.img);

	f = make_fake(4, 0);
	f.h->loadflags = 0;
	expect_fail(&vm, &f, -ENOEXEC, kname, "zImage", "not LOADED_HIGH");
	free(f.img);

	f = make_fake(4, 0);
	f.h->boot_flag = 0;
	expect_fail(&vm, &f, -ENOEXEC, kname, "0xAA55", "no boot flag");
	free(f.img);

	f = make_fake(4, 0);
	f.h->jump = 0xeb | 0x30 << 8;	/* ends at 0x232, before cmdline_size */
	expect_fail(&vm, &f, -ENOEXEC, kname, "too short",
		    "setup header too short");
	free(f.img);

	f = make_fake(4, 0);
	f.len = 0x100;
	expect_fail(&vm, &f, -ENOEXEC, kname, "HdrS", "file of 256 bytes");
	f.len = 0x240;
	expect_fail(&vm, &f, -ENOEXEC, kname, "truncated",
		    "file ends in the header");
	f.len = 5 * 512;
	expect_fail(&vm, &f, -ENOEXEC, kname, "truncated",
		    "file ends after the setup sectors");
	f.len = 5 * 512 + PM_LEN - 16;
	expect_fail(&vm, &f, -ENOEXEC, kname, "truncated",
		    "file shorter than syssize");
	free(f.img);

	f = make_fake(4, 0);
	f.h->setup_sects = 200;		/* setup longer than the file */
	expect_fail(&vm, &f, -ENOEXEC, kname, "truncated",
		    "setup_sects past the end of the file");
	free(f.img);

	vm_free(&vm);
}

static void test_fit(void)
{
	struct fake f = make_fake(4, 0);
	struct vm vm;
	char cl[40];

	vm_init(&vm, RAM_SIZE, cl);
	f.h->cmdline_size = 16;
	memset(cl, 'c', 16);
	cl[16] = 0;
	is_int(load(&vm, &f), 0, "command line of cmdline_size bytes: fits");
	strcat(cl, "c");
	expect_fail(&vm, &f, -E2BIG, kname, "too long",
		    "command line of cmdline_size + 1 bytes");
	f.h->cmdline_size = 2047;

	f.h->init_size = 64 * MiB;	/* 16 + 64 MiB > 64 MiB of RAM */
	expect_fail(&vm, &f, -EFBIG, kname, "80 MiB",
		    "init_size beyond RAM");
	f.h->pref_address = 0xfffffffffff00000ULL;
	expect_fail(&vm, &f, -EFBIG, kname, "beyond 4 GiB",
		    "pref_address at the top of the address space");
	f.h->pref_address = 16 * MiB;
	f.h->init_size = 8 * MiB;

	f.h->relocatable_kernel = 0;
	f.h->pref_address = 60 * MiB;
	expect_fail(&vm, &f, -EFBIG, kname, "68 MiB",
		    "fixed kernel: footprint from pref_address");
	vm_free(&vm);
	free(f.img);
}

static uint8_t *pattern(size_t len)
{
	uint8_t *p = malloc(len);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = i * 13 + (i >> 12);
	return p;
}

static void test_initrd(void)
{
	const size_t len = 100 * 1024 + 17;
	struct fake f = make_fake(4, 0);
	uint8_t *data = pattern(len);
	char *path = temp_file(data, len), *big, *empty;
	struct bz_boot_params *bp;
	uint64_t at;
	struct vm vm;

	vm_init(&vm, RAM_SIZE, "x");
	vm.a.initrd = path;
	is_int(load(&vm, &f), 0, "initrd: loads");
	bp = bp_of(&vm);
	at = bp->hdr.ramdisk_image;
	is_int(at, (RAM_SIZE - len) & ~0xfffULL,
	       "initrd: as high as possible, page aligned");
	is_int(bp->hdr.ramdisk_size, len, "initrd: ramdisk_size");
	ok(!memcmp(vm.ram + at, data, len), "initrd: contents in guest RAM");
	ok(at >= 24 * MiB, "initrd: above the kernel's footprint");

	f.h->initrd_addr_max = 32 * MiB - 1;
	ok(!load(&vm, &f) &&
	   bp->hdr.ramdisk_image == ((32 * MiB - len) & ~0xfffULL),
	   "initrd: ends below initrd_addr_max");
	f.h->initrd_addr_max = 24 * MiB + 64 * 1024;
	expect_fail(&vm, &f, -EFBIG, path, "does not fit",
		    "initrd: initrd_addr_max inside the kernel footprint");
	f.h->initrd_addr_max = 0x7fffffff;

	big = temp_file(NULL, 40 * MiB + 1);	/* 24 + 40 MiB > 64 MiB */
	vm.a.initrd = big;
	expect_fail(&vm, &f, -EFBIG, big, "does not fit",
		    "initrd: too big for RAM above the kernel");
	vm.a.initrd = "/nonexistent/initrd";
	expect_fail(&vm, &f, -ENOENT, "/nonexistent/initrd", "No such file",
		    "initrd: missing file");
	empty = temp_file(NULL, 0);
	vm.a.initrd = empty;
	expect_fail(&vm, &f, -EINVAL, empty, "empty", "initrd: empty file");
	vm.a.initrd = "/tmp";
	expect_fail(&vm, &f, -EINVAL, "/tmp", "not a regular file",
		    "initrd: a directory");
	vm_free(&vm);

	/* RAM past the PCI hole: e820 lists it, the initrd stays low. */
	vm_init(&vm, 3 * GiB + 64 * MiB, "x");
	vm.a.initrd = path;
	bp = bp_of(&vm);
	is_int(load(&vm, &f), 0, "3G+64M: loads");
	is_int(bp->e820_entries, 5, "3G+64M: five e820 entries");
	ok(bp->e820_table[4].addr == 4 * GiB &&
	   bp->e820_table[4].size == 64 * MiB, "3G+64M: RAM above 4G listed");
	is_int(bp->hdr.ramdisk_image, (2 * GiB - len) & ~0xfffULL,
	       "3G+64M: initrd below initrd_addr_max (2 GiB)");
	ok(!memcmp(vm.ram + bp->hdr.ramdisk_image, data, len),
	   "3G+64M: initrd contents");
	vm_free(&vm);

	temp_remove(path);
	temp_remove(big);
	temp_remove(empty);
	free(data);
	free(f.img);
}

static void test_files(void)
{
	struct fake f = make_fake(4, 0);
	char *path = temp_file(f.img, f.len), *junk;
	const char *msg;
	uint8_t *file;
	struct vm vm;
	size_t len;
	int ret;

	vm_init(&vm, RAM_SIZE, "x");
	vm.a.kernel = path;
	ok(!boot_linux(&vm.a, &vm.cpu) && pm_loaded(vm.ram, PM_LEN),
	   "boot_linux: loads from a file");
	memset(vm.ram + PC_KERNEL_START, 0, PM_LEN);
	ok(!boot_kernel(&vm.a, &vm.cpu) && pm_loaded(vm.ram, PM_LEN) &&
	   vm.cpu.regs.rsi == PC_BOOT_PARAMS,
	   "boot_kernel: recognises a bzImage");

	junk = temp_file(f.img + 0x1000, 0x3000);
	vm.a.kernel = junk;
	capture_begin();
	ret = boot_kernel(&vm.a, &vm.cpu);
	msg = capture_end();
	is_int(ret, -ENOEXEC, "boot_kernel: junk refused");
	ok(msg_has(msg, junk, "nor a Multiboot kernel"),
	   "boot_kernel: says it is neither kind: %s", msg_line(msg));

	vm.a.kernel = "/nonexistent/bzImage";
	capture_begin();
	ret = boot_linux(&vm.a, &vm.cpu);
	msg = capture_end();
	is_int(ret, -ENOENT, "boot_linux: missing file");
	ok(msg_has(msg, "/nonexistent/bzImage", "No such file"),
	   "boot_linux: names the missing file: %s", msg_line(msg));
	vm_free(&vm);

	/* 2 MiB of RAM: the file fits, the kernel's footprint does not. */
	vm_init(&vm, 2 * MiB, "x");
	vm.a.kernel = path;
	capture_begin();
	ret = boot_linux(&vm.a, &vm.cpu);
	msg = capture_end();
	is_int(ret, -EFBIG, "2M of RAM: kernel bigger than RAM from 1M");
	ok(msg_has(msg, path, "usable RAM ends at 2 MiB"),
	   "2M of RAM: says so: %s", msg_line(msg));
	vm_free(&vm);

	capture_begin();
	ret = boot_read_file(path, f.len - 1, &file, &len);
	msg = capture_end();
	is_int(ret, -EFBIG, "boot_read_file: a file over the limit is not read");
	ok(msg_has(msg, path, "bytes, more than"),
	   "boot_read_file: says so: %s", msg_line(msg));
	ok(!boot_read_file(path, f.len, &file, &len) && len == f.len &&
	   !memcmp(file, f.img, len), "boot_read_file: reads it all");
	free(file);

	temp_remove(path);
	temp_remove(junk);
	free(f.img);
}

/* Debian's kernels: the loader must take them as they are. */
static void test_real_kernel(const char *path)
{
	static const char initrd_data[] = "070701 not a cpio archive";
	char *initrd = temp_file(initrd_data, sizeof(initrd_data));
	struct bz_setup_header h;
	struct bz_boot_params *bp;
	uint64_t pm_off, pm_len, footprint;
	const char *msg;
	uint8_t *file;
	size_t len;
	struct vm vm;
	int ret;

	diag("%s", path);
	vm_init(&vm, 256 * MiB, "console=ttyS0 panic=-1");
	vm.a.kernel = path;
	vm.a.initrd = initrd;
	is_int(boot_linux(&vm.a, &vm.cpu), 0, "%s: loads", path);
	bp = bp_of(&vm);
	if (boot_read_file(path, 1 << 30, &file, &len)) {
		ok(0, "%s: readable again", path);
		return;
	}
	memcpy(&h, file + BZ_SETUP_HEADER, sizeof(h));
	pm_off = ((h.setup_sects ? h.setup_sects : 4) + 1) * 512;
	pm_len = (uint64_t)h.syssize * 16;
	if (pm_len > len - pm_off)
		pm_len = len - pm_off;
	ok(h.version >= 0x0206 && bp->hdr.version == h.version,
	   "%s: protocol %x copied", path, h.version);
	ok(!memcmp(vm.ram + PC_KERNEL_START, file + pm_off, pm_len),
	   "%s: %llu bytes of protected-mode kernel at 1 MiB", path,
	   (unsigned long long)pm_len);
	ok(bp->hdr.type_of_loader == 0xff &&
	   bp->hdr.cmd_line_ptr == PC_CMDLINE &&
	   !strcmp((char *)vm.ram + PC_CMDLINE, "console=ttyS0 panic=-1"),
	   "%s: loader type and command line", path);
	footprint = (h.pref_address > 2 * MiB ? h.pref_address : 2 * MiB) +
		    h.init_size;
	ok(bp->hdr.ramdisk_image >= footprint &&
	   bp->hdr.ramdisk_image + bp->hdr.ramdisk_size <= 256 * MiB &&
	   !memcmp(vm.ram + bp->hdr.ramdisk_image, initrd_data,
		   sizeof(initrd_data)),
	   "%s: initrd at 0x%x, above the decompression area (0x%llx)", path,
	   bp->hdr.ramdisk_image, (unsigned long long)footprint);
	check_entry32(path, vm.ram, &vm.cpu, PC_KERNEL_START);
	vm_free(&vm);

	/* init_size of Debian's kernels is over 50 MiB. */
	vm_init(&vm, 32 * MiB, "");
	vm.a.kernel = path;
	capture_begin();
	ret = boot_linux(&vm.a, &vm.cpu);
	msg = capture_end();
	is_int(ret, -EFBIG, "%s: 32 MiB of RAM is too little", path);
	ok(msg_has(msg, path, "init_size"), "%s: says why: %s", path,
	   msg_line(msg));
	vm_free(&vm);
	temp_remove(initrd);
	free(file);
}

static void test_real_kernels(void)
{
	glob_t g;
	size_t i;

	if (glob("/boot/vmlinuz-*", 0, NULL, &g) || !g.gl_pathc) {
		ok(1, "# SKIP no /boot/vmlinuz-* on this machine");
		return;
	}
	for (i = 0; i < g.gl_pathc; i++)
		if (!access(g.gl_pathv[i], R_OK))
			test_real_kernel(g.gl_pathv[i]);
		else
			ok(1, "# SKIP %s not readable", g.gl_pathv[i]);
	globfree(&g);
}

int main(void)
{
	test_good_image();
	test_layout_variants();
	test_bad_images();
	test_fit();
	test_initrd();
	test_files();
	test_real_kernels();
	return tap_done();
}
