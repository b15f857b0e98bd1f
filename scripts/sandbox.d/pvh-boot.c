// SPDX-License-Identifier: GPL-2.0
/*
 * pvh-boot: start an uncompressed Linux kernel through its PVH entry point,
 * from ISOLINUX's mboot.c32.  Part of the VMX lane of scripts/sandbox,
 * which boots Debian's kernel in Bochs.
 *
 * Why: Debian's bzImage carries the kernel xz-compressed, and Bochs needs
 * about 55 s of wall time to run the xz decompressor, two thirds of a whole
 * boot.  QEMU avoids that by loading the ELF vmlinux at its PVH entry; Bochs
 * has no such loader, so this does the same from inside the guest.
 *
 * scripts/sandbox links this program and the kernel into one 32-bit ELF
 * file: the kernel's loadable segments, as one flat image (objcopy -O
 * binary), form a segment at their physical load address whose memory size
 * reaches the kernel's end (bss included), and this program sits below it.
 * The linker script defines:
 *
 *   pvh_kernel_start, pvh_kernel_end   the kernel's physical memory image
 *   pvh_entry                          its PVH entry (XEN_ELFNOTE_PHYS32_ENTRY)
 *
 * mboot.c32 loads that file (segments at their physical addresses, the rest
 * zero-filled) and the initramfs as its only module, above everything else.
 * This program then builds the hvm_start_info block (command line, the
 * initramfs as the first module, the BIOS memory map, the ACPI RSDP) and
 * jumps to the entry in 32-bit protected mode with paging off, as the PVH
 * boot ABI wants (xen/include/public/arch-x86/hvm/start_info.h).
 *
 * It prints "pvh-boot: starting Linux" on COM1 first (scripts/sandbox
 * counts those lines: a second one means the guest rebooted), and
 * "pvh-boot: fatal: ..." when something is not as expected, then stops.
 *
 * Freestanding 32-bit code: gcc -m32 -ffreestanding, no libc.
 */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define MB_BOOT_MAGIC	0x2BADB002u	/* in %eax when a loader starts us */
#define MB_INFO_CMDLINE	(1u << 2)
#define MB_INFO_MODS	(1u << 3)
#define MB_INFO_MMAP	(1u << 6)

#define PVH_MAGIC	0x336ec578u	/* XEN_HVM_START_MAGIC_VALUE */
#define MAX_MMAP	128		/* E820_MAX_ENTRIES_ZEROPAGE */
#define CMDLINE_MAX	4096

#define COM1		0x3f8

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
};

struct mb_module {
	u32 start, end, string, reserved;
};

struct mb_mmap {
	u32 size;		/* of the rest of the entry */
	u64 addr, len;
	u32 type;
} __attribute__((packed));

struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	u32 memmap_entries, reserved;
};

struct hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
};

/*
 * Multiboot header (page-aligned modules, memory map wanted), then the
 * entry: a stack, and pvh_main(%eax, %ebx).  The linker script puts
 * .multiboot first so the header is within the file's first 8 KiB.
 */
__asm__(
	".section .multiboot, \"a\"\n"
	".align 4\n"
	".long 0x1BADB002, 0x00000003, -(0x1BADB002 + 0x00000003)\n"
	".text\n"
	".globl _start\n"
	"_start:\n"
	"	cli\n"
	"	cld\n"
	"	movl $boot_stack + 16384, %esp\n"
	"	pushl %ebx\n"
	"	pushl %eax\n"
	"	call pvh_main\n"
	"1:	hlt\n"
	"	jmp 1b\n");

u8 boot_stack[16384] __attribute__((aligned(16)));

/* From the linker script. */
extern char pvh_kernel_start[], pvh_kernel_end[], pvh_entry[];
extern char _start[], _end[];

/* Everything handed to the kernel lives in this program's own memory:
 * the kernel copies it before it could reuse these pages. */
static struct hvm_start_info start_info __attribute__((aligned(8)));
static struct hvm_modlist_entry modlist __attribute__((aligned(8)));
static struct hvm_memmap_entry memmap[MAX_MMAP] __attribute__((aligned(8)));
static char cmdline[CMDLINE_MAX];

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* 115200 8N1: nothing has set up the UART yet, and its reset state is
 * 5-bit words (Bochs really drops the upper 3 bits then). */
static void serial_init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB */
	outb(COM1 + 0, 0x01);	/* divisor 1 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1 */
	outb(COM1 + 2, 0x07);	/* FIFOs on and cleared */
	outb(COM1 + 4, 0x03);	/* DTR, RTS */
}

static void putc_serial(char c)
{
	int i;

	for (i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (u8)c);
}

static void puts_serial(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc_serial('\r');
		putc_serial(*s);
	}
}

static void put_hex(u32 v)
{
	int i;

	puts_serial("0x");
	for (i = 28; i >= 0; i -= 4)
		putc_serial("0123456789abcdef"[(v >> i) & 15]);
}

static void __attribute__((noreturn)) fatal(const char *what, u32 value)
{
	puts_serial("pvh-boot: fatal: ");
	puts_serial(what);
	puts_serial(" ");
	put_hex(value);
	puts_serial("\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

static int overlaps(u32 a, u32 a_end, u32 b, u32 b_end)
{
	return a < b_end && b < a_end;
}

/* The ACPI RSDP, where the kernel would look for it: the BIOS ROM area. */
static u32 find_rsdp(void)
{
	u32 p;

	for (p = 0xe0000; p < 0x100000; p += 16) {
		const u8 *b = (const u8 *)p;
		u8 sum = 0;
		int i;

		if (b[0] != 'R' || b[1] != 'S' || b[2] != 'D' || b[3] != ' ' ||
		    b[4] != 'P' || b[5] != 'T' || b[6] != 'R' || b[7] != ' ')
			continue;
		for (i = 0; i < 20; i++)
			sum += b[i];
		if (sum == 0)
			return p;
	}
	return 0;
}

void __attribute__((used, noreturn)) pvh_main(u32 magic, const struct mb_info *mbi)
{
	const struct mb_module *mods;
	const char *s;
	u32 kstart = (u32)pvh_kernel_start, kend = (u32)pvh_kernel_end;
	u32 rd, rdlen, i, n;

	serial_init();
	puts_serial("pvh-boot: starting Linux\n");

	if (magic != MB_BOOT_MAGIC)
		fatal("not started by a Multiboot loader, eax =", magic);
	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count != 1)
		fatal("want 1 module (the initramfs), got", mbi->mods_count);
	if (!(mbi->flags & MB_INFO_MMAP))
		fatal("no memory map from the loader, flags =", mbi->flags);
	if (overlaps(kstart, kend, (u32)_start, (u32)_end))
		fatal("pvh-boot is linked inside the kernel at", (u32)_start);

	mods = (const struct mb_module *)mbi->mods_addr;
	rd = mods[0].start;
	rdlen = mods[0].end - mods[0].start;
	if (overlaps(kstart, kend, rd, rd + rdlen))
		fatal("initramfs loaded inside the kernel's memory at", rd);

	/* Our own file name comes first on the command line. */
	n = 0;
	if ((mbi->flags & MB_INFO_CMDLINE) && mbi->cmdline) {
		s = (const char *)mbi->cmdline;
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
		for (; *s && n < CMDLINE_MAX - 1; s++)
			cmdline[n++] = *s;
	}
	cmdline[n] = 0;

	/* The BIOS memory map, same types as E820 (1 = RAM, ...). */
	n = 0;
	for (i = 0; i + 4 <= mbi->mmap_length && n < MAX_MMAP;) {
		const struct mb_mmap *e = (const struct mb_mmap *)(mbi->mmap_addr + i);

		memmap[n].addr = e->addr;
		memmap[n].size = e->len;
		memmap[n].type = e->type;
		memmap[n].reserved = 0;
		n++;
		i += e->size + 4;
	}
	if (!n)
		fatal("empty memory map, length", mbi->mmap_length);

	modlist.paddr = rd;
	modlist.size = rdlen;

	start_info.magic = PVH_MAGIC;
	start_info.version = 1;
	start_info.nr_modules = 1;
	start_info.modlist_paddr = (u32)&modlist;
	start_info.cmdline_paddr = (u32)cmdline;
	start_info.rsdp_paddr = find_rsdp();
	start_info.memmap_paddr = (u32)memmap;
	start_info.memmap_entries = n;

	/*
	 * PVH entry state: flat 32-bit segments (the loader's), paging off,
	 * CR0 = PE (and the fixed ET bit) only, CR4 = 0, interrupts off,
	 * %ebx = start info.
	 */
	__asm__ volatile(
		"movl %%cr0, %%eax\n"
		"andl $0x00000011, %%eax\n"
		"movl %%eax, %%cr0\n"
		"xorl %%eax, %%eax\n"
		"movl %%eax, %%cr4\n"
		"jmp *%0\n"
		: : "r"(pvh_entry), "b"(&start_info) : "eax", "memory");
	__builtin_unreachable();
}
