// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU state both boot protocols start a kernel in: 32-bit protected
 * mode, paging off, flat 4 GiB segments, interrupts off.  The loader does
 * what firmware would have done, so the segment registers' hidden parts
 * match descriptors that really are in a GDT in guest memory: a kernel that
 * reloads a selector before installing its own GDT gets the same segment.
 */
#include <errno.h>
#include <string.h>

#include "../pc_layout.h"
#include "util.h"
#include "boot.h"

#define CR0_PE		(1u << 0)
#define CR0_ET		(1u << 4)
#define RFLAGS_FIXED	(1u << 1)	/* reserved, always 1 */
#define APIC_BASE_BSP	(1u << 8)
#define APIC_BASE_EN	(1u << 11)

/* Descriptor types (Intel SDM Vol. 3A 3.4.5.1, 3.5 Table 3-2). */
#define TYPE_CODE_RX_ACCESSED	0xb
#define TYPE_DATA_RW_ACCESSED	0x3
#define TYPE_TSS32_BUSY		0xb

#define TSS32_LIMIT	0x67	/* 104-byte 32-bit TSS (SDM Vol. 3A 8.2.1) */
#define GDT_ENTRIES	5	/* null, unused, code, data, TSS */

static const struct vireo_segment flat_code = {
	.base = 0, .limit = 0xffffffff, .selector = BOOT_CS,
	.type = TYPE_CODE_RX_ACCESSED, .present = 1, .s = 1, .db = 1, .g = 1,
};

static const struct vireo_segment flat_data = {
	.base = 0, .limit = 0xffffffff, .selector = BOOT_DS,
	.type = TYPE_DATA_RW_ACCESSED, .present = 1, .s = 1, .db = 1, .g = 1,
};

/*
 * VM entry wants a usable TR: a busy 32-bit TSS outside IA-32e mode, S=0,
 * present, limit consistent with G (SDM Vol. 3C 27.3.1.2 "Checks on Guest
 * Segment Registers"; AMD does not check, but the same value is right).
 */
static const struct vireo_segment boot_tr = {
	.base = BOOT_TSS, .limit = TSS32_LIMIT, .selector = BOOT_TSS_SEL,
	.type = TYPE_TSS32_BUSY, .present = 1,
};

/* No LDT: selector 0, unusable (as after reset). */
static const struct vireo_segment no_ldt = {
	.type = 0x2, .unusable = 1,
};

/* The 8-byte descriptor for seg (SDM Vol. 3A 3.4.5 Figure 3-8). */
static uint64_t gdt_entry(const struct vireo_segment *seg)
{
	uint32_t limit = seg->g ? seg->limit >> 12 : seg->limit;
	uint64_t base = seg->base;

	return (limit & 0xffffULL) | (base & 0xffffffULL) << 16 |
	       (uint64_t)seg->type << 40 | (uint64_t)seg->s << 44 |
	       (uint64_t)seg->dpl << 45 | (uint64_t)seg->present << 47 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)seg->avl << 52 | (uint64_t)seg->l << 53 |
	       (uint64_t)seg->db << 54 | (uint64_t)seg->g << 55 |
	       ((base >> 24) & 0xffULL) << 56;
}

static int write_gdt_tss(const struct boot_args *a)
{
	uint64_t *gdt = boot_gpa(a, BOOT_GDT, GDT_ENTRIES * 8);
	uint8_t *tss = boot_gpa(a, BOOT_TSS, TSS32_LIMIT + 1);

	if (!gdt || !tss) {
		pr_err("boot: no guest RAM for the boot GDT at 0x%llx\n",
		       BOOT_GDT);
		return -EFAULT;
	}
	memset(gdt, 0, GDT_ENTRIES * 8);
	gdt[BOOT_CS / 8] = gdt_entry(&flat_code);
	gdt[BOOT_DS / 8] = gdt_entry(&flat_data);
	gdt[BOOT_TSS_SEL / 8] = gdt_entry(&boot_tr);
	/* No I/O bitmap: its offset points past the limit. */
	memset(tss, 0, TSS32_LIMIT + 1);
	tss[0x66] = TSS32_LIMIT + 1;
	return 0;
}

int boot_entry32(const struct boot_args *a, uint32_t eip,
		 struct boot_cpu_state *out)
{
	struct vireo_sregs *s = &out->sregs;
	int err = write_gdt_tss(a);

	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	out->regs.rip = eip;
	out->regs.rsp = BOOT_STACK_TOP;
	out->regs.rflags = RFLAGS_FIXED;	/* IF and VM clear */

	s->cs = flat_code;
	s->ds = s->es = s->fs = s->gs = s->ss = flat_data;
	s->tr = boot_tr;
	s->ldt = no_ldt;
	s->gdt.base = BOOT_GDT;
	s->gdt.limit = GDT_ENTRIES * 8 - 1;
	/* An empty IDT: an exception before the kernel has its own shuts down. */
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_ET;
	/* CR2, CR3, CR4, CR8 and EFER zero: no paging, no long mode. */
	s->apic_base = PC_LAPIC_BASE | APIC_BASE_BSP | APIC_BASE_EN;
	return 0;
}
