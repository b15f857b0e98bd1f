/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake guest test_x86_emulate.c runs the emulator in: linear address
 * regions of RAM, read-only RAM (writes fault), a device in userspace
 * (accesses exit) and holes (#PF), the emul_ops over them, and a log of
 * every access the emulator made.
 */
#ifndef VIREO_TEST_EMUL_FAKE_H
#define VIREO_TEST_EMUL_FAKE_H

#include <stdbool.h>

#include "emulate.h"

/* One instruction of emul_cases.h: its bytes and code size. */
struct icase {
	const char *name;
	const u8 *start, *end;
	int bits;
};

static inline unsigned int len_of(const struct icase *c)
{
	return c->end - c->start;
}

/* Where things are, per code size. */
#define CODE64		0xffffffff81000100ULL
#define DATA64		0xffff888000010000ULL	/* 64 KiB of RAM */
#define LOW		0x10000ULL		/* 64 KiB of RAM */
#define USER64		0xffffc90000001000ULL	/* a userspace device */
#define ROM64		0xffffffffff000000ULL	/* read-only */
#define FS64		(DATA64 + 0x8000)	/* FS and GS bases */
#define GS64		(DATA64 + 0xc000)

#define CODE32		0x100100ULL		/* segment bases 0 */
#define DATA32		0x200000ULL		/* 256 KiB of RAM */
#define USER32		0xfee00000ULL

#define CS16		0xf0000ULL		/* segment bases */
#define IP16		0x100ULL
#define DS16		0x20000ULL		/* 256 KiB of RAM from here */
#define ES16		0x30000ULL
#define SS16		0x40000ULL
#define FS16		0x50000ULL
#define USER16		0xa0000ULL

struct access {
	char op;		/* f fetch, r/w RAM, R/W userspace, x fault,
				 * i/d implicit write taken/dropped */
	u64 la;
	unsigned int size;
	u64 val;
};

extern struct emul_ctx ctx;
extern struct access acc[32];
extern unsigned int nr_acc;
/* Fetches that crossed a page or went past 15 bytes, over all tests. */
extern unsigned int fetch_violations;

/*
 * A fresh guest for c: memory filled with 0xcc, the code at CS:RIP of the
 * layout above, ctx initialised with RFLAGS 0x202 and the segment bases.
 */
void begin_mode(const struct icase *c, enum emul_mode mode);
void begin(const struct icase *c);	/* the mode c was assembled for */
/* 64-bit, with only DATA64 and the code at la on 0, 1 or 2 pages. */
void begin_code_at(const struct icase *c, u64 la, unsigned int pages);

u8 *at(u64 la);				/* RAM or ROM bytes at la */
void put(u64 la, unsigned int size, u64 val);
u64 get(u64 la, unsigned int size);
u64 le(const u8 *buf, unsigned int size);

struct snapshot {
	u64 regs[EMUL_NR_REGS], rip, rflags;
};

struct snapshot snap(void);
bool unchanged(const struct snapshot *s);

unsigned int count_ops(char op);
/* The one data access, if it is one of kind op; else NULL. */
const struct access *only_access(char op);

#endif
