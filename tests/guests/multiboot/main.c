// SPDX-License-Identifier: GPL-2.0
/*
 * A Multiboot v1 test kernel: checks what the loader handed over and
 * prints it on COM1 (16550 at 0x3F8, polled), one "mb: " line per fact,
 * then reports through the debug-exit port: 0x10 when everything checked
 * out (vireo-vm exits 33), 0x01 when not (exits 3).
 *
 *	mb: magic=0x2badb002
 *	mb: flags=0x00000249
 *	mb: mem_lower=639 mem_upper=15360
 *	mb: cmdline=console=ttyS0 hello
 *	mb: loader=vireo
 *	mb: mods=1 first=<first 16 bytes, '.' for unprintable> size=N
 *	mb: mmap addr=0x0000000000000000 len=0x000000000009fc00 type=1
 *	mb: status=pass
 */
#include <stdint.h>

#include "multiboot.h"

#define COM1		0x3f8
#define UART_LSR	5
#define UART_LSR_THRE	0x20
#define DEBUG_EXIT	0xf4
#define STATUS_PASS	0x10
#define STATUS_FAIL	0x01
#define FIRST_BYTES	16

/*
 * The loader must copy .data and zero .bss: both are checked.  Global, so
 * the compiler cannot fold the checks into their initial values.
 */
uint32_t mb_data_marker = 0x5eed1234;
uint32_t mb_bss_marker;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void put_hex(uint32_t v, int digits)
{
	int i;

	for (i = digits - 1; i >= 0; i--)
		putc("0123456789abcdef"[(v >> (i * 4)) & 0xf]);
}

static void put_hex32(uint32_t v)
{
	puts("0x");
	put_hex(v, 8);
}

static void put_hex64(uint64_t v)
{
	puts("0x");
	put_hex(v >> 32, 8);
	put_hex(v, 8);
}

static void put_dec(uint32_t v)
{
	char buf[11];
	int i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts(&buf[i]);
}

static _Noreturn void finish(int pass)
{
	puts(pass ? "mb: status=pass\n" : "mb: status=fail\n");
	outb(DEBUG_EXIT, pass ? STATUS_PASS : STATUS_FAIL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static const char *str(uint32_t addr)
{
	return (const char *)(uintptr_t)addr;
}

static void print_module(const struct mb_info *info)
{
	const struct mb_module *m = (const void *)(uintptr_t)info->mods_addr;
	const uint8_t *p;
	uint32_t i, size;

	puts("mb: mods=");
	put_dec(info->mods_count);
	if (info->mods_count) {
		p = (const uint8_t *)(uintptr_t)m->mod_start;
		size = m->mod_end - m->mod_start;
		puts(" first=");
		for (i = 0; i < size && i < FIRST_BYTES; i++)
			putc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
		puts(" size=");
		put_dec(size);
		puts(" start=");
		put_hex32(m->mod_start);
		puts(" string=");
		puts(m->string ? str(m->string) : "");
	}
	putc('\n');
}

/* Each entry is its size field plus size bytes (3.3 "mmap_*"). */
static int print_mmap(const struct mb_info *info)
{
	uint32_t at = info->mmap_addr, end = at + info->mmap_length;
	int usable = 0;

	while (at < end) {
		const struct mb_mmap_entry *e = (const void *)(uintptr_t)at;

		if (e->size < sizeof(*e) - sizeof(e->size)) {
			puts("mb: mmap entry with bad size\n");
			return 0;
		}
		puts("mb: mmap addr=");
		put_hex64(e->addr);
		puts(" len=");
		put_hex64(e->len);
		puts(" type=");
		put_dec(e->type);
		putc('\n');
		usable |= e->type == MB_MMAP_AVAILABLE;
		at += e->size + sizeof(e->size);
	}
	return usable;
}

void mb_main(uint32_t magic, const struct mb_info *info);

void mb_main(uint32_t magic, const struct mb_info *info)
{
	const uint32_t need = MB_INFO_MEMORY | MB_INFO_MEM_MAP;
	int pass = 1;

	puts("mb: magic=");
	put_hex32(magic);
	putc('\n');
	if (magic != MB_BOOTLOADER_MAGIC)
		finish(0);	/* then EBX means nothing */
	if (mb_data_marker != 0x5eed1234 || mb_bss_marker != 0) {
		puts("mb: .data not loaded or .bss not zeroed\n");
		pass = 0;
	}
	puts("mb: flags=");
	put_hex32(info->flags);
	putc('\n');
	if ((info->flags & need) != need)
		finish(0);
	puts("mb: mem_lower=");
	put_dec(info->mem_lower);
	puts(" mem_upper=");
	put_dec(info->mem_upper);
	putc('\n');
	if (!info->mem_lower || !info->mem_upper)
		pass = 0;
	if (info->flags & MB_INFO_CMDLINE) {
		puts("mb: cmdline=");
		puts(str(info->cmdline));
		putc('\n');
	}
	if (info->flags & MB_INFO_LOADER_NAME) {
		puts("mb: loader=");
		puts(str(info->boot_loader_name));
		putc('\n');
	}
	if (info->flags & MB_INFO_MODS)
		print_module(info);
	if (!print_mmap(info))
		pass = 0;
	finish(pass);
}
