/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the boot loader tests: guest RAM, temporary files, stderr
 * capture (to check a loader's one-line message), and the check of the
 * 32-bit entry state both loaders share.
 */
#ifndef VIREO_BOOT_TEST_H
#define VIREO_BOOT_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/boot.h"
#include "pc_layout.h"
#include "tap.h"

/* Guest RAM as vireo-vm allocates it, NORESERVE so 3+ GiB costs nothing. */
static inline uint8_t *ram_alloc(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap guest RAM");
		exit(1);
	}
	return p;
}

/* A guest for one loader call: RAM, the e820 map, the arguments, the result. */
struct vm {
	uint8_t *ram;
	struct e820 map;
	struct boot_args a;
	struct boot_cpu_state cpu;
};

/*
 * RAM filled with garbage up to @garbage bytes, so whatever the loader
 * does not write (or zero) shows.
 */
static inline void boot_vm_init(struct vm *vm, uint64_t ram_size,
				const char *kernel, const char *cmdline,
				uint64_t garbage)
{
	memset(vm, 0, sizeof(*vm));
	vm->ram = ram_alloc(ram_size);
	memset(vm->ram, 0xaa, garbage);
	e820_build_pc(ram_size, &vm->map);
	vm->a = (struct boot_args) {
		.ram = vm->ram, .ram_size = ram_size, .e820 = &vm->map,
		.kernel = kernel, .cmdline = cmdline,
	};
}

static inline void vm_free(struct vm *vm)
{
	munmap(vm->ram, vm->a.ram_size);
}

/* A temporary file holding len bytes of buf (or a hole if buf is NULL). */
static inline char *temp_file(const void *buf, size_t len)
{
	char *path = strdup("/tmp/vireo-boot-test-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || (buf && write(fd, buf, len) != (ssize_t)len) ||
	    (!buf && ftruncate(fd, len) < 0)) {
		perror("temp file");
		exit(1);
	}
	close(fd);
	return path;
}

static inline void temp_remove(char *path)
{
	unlink(path);
	free(path);
}

static int capture_saved_fd = -1;
static FILE *capture_file;
static char capture_buf[1024];

/* Everything written to stderr until capture_end() is kept, not shown. */
static inline void capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	capture_saved_fd = dup(STDERR_FILENO);
	dup2(fileno(capture_file), STDERR_FILENO);
}

static inline const char *capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(capture_saved_fd, STDERR_FILENO);
	close(capture_saved_fd);
	rewind(capture_file);
	n = fread(capture_buf, 1, sizeof(capture_buf) - 1, capture_file);
	capture_buf[n] = 0;
	fclose(capture_file);
	return capture_buf;
}

/* The captured message without its newline, to show in a test name. */
static inline const char *msg_line(const char *msg)
{
	static char line[sizeof(capture_buf)];

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(msg, "\n"), msg);
	return line;
}

/* The message is one line and mentions both strings. */
static inline int msg_has(const char *msg, const char *a, const char *b)
{
	const char *nl = strchr(msg, '\n');

	return nl && !nl[1] && strstr(msg, a) && (!b || strstr(msg, b));
}

static inline int flat_segment(const struct vireo_segment *s, uint16_t sel,
			       uint8_t type)
{
	return s->base == 0 && s->limit == 0xffffffff && s->selector == sel &&
	       s->type == type && s->present && s->s && s->db && s->g &&
	       !s->l && !s->dpl && !s->unusable;
}

/* What a descriptor in guest memory says, decoded apart from the loader. */
static inline int descriptor_matches(const uint8_t *ram,
				     const struct vireo_sregs *sr,
				     const struct vireo_segment *s)
{
	uint64_t d, base;
	uint32_t limit;

	if (s->selector + 8u > sr->gdt.limit + 1u)
		return 0;
	memcpy(&d, ram + sr->gdt.base + s->selector, sizeof(d));
	base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24;
	limit = (d & 0xffff) | ((d >> 48) & 0xf) << 16;
	if ((d >> 55) & 1)
		limit = limit << 12 | 0xfff;
	return base == s->base && limit == s->limit &&
	       ((d >> 40) & 0xf) == s->type && ((d >> 44) & 1) == s->s &&
	       ((d >> 45) & 3) == s->dpl && ((d >> 47) & 1) == s->present &&
	       ((d >> 54) & 1) == s->db && ((d >> 55) & 1) == s->g;
}

/* Multiboot 3.2 and the Linux "32-bit Boot Protocol" alike. */
static inline void check_entry32(const char *who, const uint8_t *ram,
				 const struct boot_cpu_state *c, uint64_t eip)
{
	const struct vireo_sregs *s = &c->sregs;
	static const uint64_t zero[4];

	is_int(c->regs.rip, eip, "%s: EIP at the entry point", who);
	is_int(c->regs.rflags, 0x2, "%s: EFLAGS: IF and VM clear", who);
	is_int(c->regs.rsp, BOOT_STACK_TOP, "%s: ESP below the GDT", who);
	ok(!c->regs.rcx && !c->regs.rdx && !c->regs.rdi && !c->regs.rbp &&
	   !c->regs.r8 && !c->regs.r15, "%s: other registers zero", who);
	is_int(s->cr0, 0x11, "%s: CR0 = PE | ET (paging off)", who);
	ok(!s->cr2 && !s->cr3 && !s->cr4 && !s->cr8 && !s->efer,
	   "%s: CR3, CR4, EFER zero", who);
	ok(flat_segment(&s->cs, BOOT_CS, 0xb),
	   "%s: CS flat 4 GiB 32-bit execute/read, selector 0x10", who);
	ok(flat_segment(&s->ds, BOOT_DS, 0x3) &&
	   flat_segment(&s->es, BOOT_DS, 0x3) &&
	   flat_segment(&s->fs, BOOT_DS, 0x3) &&
	   flat_segment(&s->gs, BOOT_DS, 0x3) &&
	   flat_segment(&s->ss, BOOT_DS, 0x3),
	   "%s: DS, ES, FS, GS, SS flat 4 GiB read/write, selector 0x18", who);
	ok(s->tr.type == 0xb && !s->tr.s && s->tr.present && !s->tr.g &&
	   !s->tr.unusable && s->tr.limit == 0x67 && s->tr.base == BOOT_TSS &&
	   s->tr.selector == BOOT_TSS_SEL,
	   "%s: TR a busy 32-bit TSS, 104 bytes", who);
	ok(s->ldt.unusable && !s->ldt.selector, "%s: LDTR unusable", who);
	ok(s->gdt.base == BOOT_GDT && s->gdt.limit == 39,
	   "%s: GDTR at 0x6000, 5 descriptors", who);
	ok(descriptor_matches(ram, s, &s->cs) &&
	   descriptor_matches(ram, s, &s->ss) &&
	   descriptor_matches(ram, s, &s->tr),
	   "%s: GDT in guest RAM matches CS, SS and TR", who);
	ok(!memcmp(ram + BOOT_GDT, zero, 16),
	   "%s: GDT null and 0x08 descriptors empty", who);
	is_int(s->apic_base, 0xfee00900, "%s: APIC base: BSP, enabled", who);
	ok(!memcmp(s->reserved, zero, sizeof(s->reserved)),
	   "%s: reserved sregs zero", who);
}

#endif /* VIREO_BOOT_TEST_H */
