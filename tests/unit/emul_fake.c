// SPDX-License-Identifier: GPL-2.0
/* The fake guest of test_x86_emulate.c: see emul_fake.h. */
#include <string.h>

#include "emul_fake.h"

enum region_kind { RAM, ROM, USER };

struct region {
	u64 base, size;
	enum region_kind kind;
	u8 *bytes;
};

static struct region regions[8];
static unsigned int nr_regions;
struct access acc[32];
unsigned int nr_acc;
unsigned int fetch_violations;

static u8 code_mem[0x2000], data_mem[0x40000], low_mem[0x10000];
static u8 rom_mem[0x1000];

struct emul_ctx ctx;

static void map(u64 base, u64 size, enum region_kind kind, u8 *bytes)
{
	regions[nr_regions++] = (struct region){ base, size, kind, bytes };
}

static struct region *find(u64 la, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < nr_regions; i++) {
		struct region *r = &regions[i];

		if (la >= r->base && la - r->base + size <= r->size)
			return r;
	}
	return NULL;
}

u64 le(const u8 *buf, unsigned int size)
{
	u64 v = 0;

	while (size--)
		v = v << 8 | buf[size];
	return v;
}

static void log_access(char op, u64 la, unsigned int size, const void *buf)
{
	if (nr_acc < sizeof(acc) / sizeof(acc[0]))
		acc[nr_acc] = (struct access){ op, la, size,
					       buf ? le(buf, size) : 0 };
	nr_acc++;
}

static enum emul_access page_fault(struct emul_ctx *c, u64 la, u32 error)
{
	log_access('x', la, 0, NULL);
	c->exception = (struct emul_exception){
		.vector = EMUL_VEC_PF, .has_error = true,
		.error = error, .cr2 = la,
	};
	return EMUL_ACCESS_FAULT;
}

static enum emul_access fake_fetch(struct emul_ctx *c, u64 la, void *buf,
				   unsigned int len)
{
	unsigned int i;

	/* The contract: within one page, 15 bytes in all. */
	if (!len || (la & 4095) + len > 4096 || c->insn_avail + len > 15)
		fetch_violations++;
	log_access('f', la, len, NULL);
	for (i = 0; i < len; i++) {
		struct region *r = find(la + i, 1);

		if (r && r->kind == USER)
			return EMUL_ACCESS_USER;
		if (!r)
			return page_fault(c, la + i, 0x10);
		((u8 *)buf)[i] = r->bytes[la + i - r->base];
	}
	return EMUL_ACCESS_OK;
}

static enum emul_access fake_read(struct emul_ctx *c, u64 la, void *buf,
				  unsigned int size)
{
	struct region *r = find(la, size);

	if (!r)
		return page_fault(c, la, 0);
	if (r->kind == USER) {
		log_access('R', la, size, NULL);
		return EMUL_ACCESS_USER;
	}
	memcpy(buf, r->bytes + (la - r->base), size);
	log_access('r', la, size, buf);
	return EMUL_ACCESS_OK;
}

static enum emul_access fake_write(struct emul_ctx *c, u64 la,
				   const void *buf, unsigned int size)
{
	struct region *r = find(la, size);

	if (!r)
		return page_fault(c, la, 2);
	if (r->kind == ROM)
		return page_fault(c, la, 3);
	if (r->kind == USER) {
		log_access('W', la, size, buf);
		return EMUL_ACCESS_USER;
	}
	memcpy(r->bytes + (la - r->base), buf, size);
	log_access('w', la, size, buf);
	return EMUL_ACCESS_OK;
}

/* Descriptor bits: RAM takes them ('i'); ROM and devices drop them ('d'). */
static enum emul_access fake_write_implicit(struct emul_ctx *c, u64 la,
					    const void *buf, unsigned int size)
{
	struct region *r = find(la, size);

	if (!r)
		return page_fault(c, la, 2);
	if (r->kind != RAM) {
		log_access('d', la, size, buf);
		return EMUL_ACCESS_OK;
	}
	memcpy(r->bytes + (la - r->base), buf, size);
	log_access('i', la, size, buf);
	return EMUL_ACCESS_OK;
}

static const struct emul_ops fake_ops = {
	.fetch = fake_fetch,
	.read = fake_read,
	.write = fake_write,
	.write_implicit = fake_write_implicit,
};

static enum emul_mode mode_of(const struct icase *c)
{
	return c->bits == 64 ? EMUL_MODE_LONG64 :
	       c->bits == 32 ? EMUL_MODE_PROT32 : EMUL_MODE_PROT16;
}

void begin_mode(const struct icase *c, enum emul_mode mode)
{
	u64 code_la;

	memset(code_mem, 0x90, sizeof(code_mem));
	memset(data_mem, 0xcc, sizeof(data_mem));
	memset(low_mem, 0xcc, sizeof(low_mem));
	nr_regions = 0;
	nr_acc = 0;
	emul_init(&ctx, mode, &fake_ops, NULL);
	ctx.rflags = 0x202;
	ctx.lma = mode == EMUL_MODE_LONG64;
	switch (mode) {
	case EMUL_MODE_LONG64:
		map(CODE64 & ~0xfffULL, sizeof(code_mem), RAM, code_mem);
		map(DATA64, 0x10000, RAM, data_mem);
		map(LOW, sizeof(low_mem), RAM, low_mem);
		map(USER64, 0x1000, USER, NULL);
		map(ROM64, sizeof(rom_mem), ROM, rom_mem);
		ctx.rip = CODE64;
		/* Ignored in 64-bit mode: must not show up in addresses. */
		ctx.seg_base[EMUL_SEG_ES] = 0x1000000;
		ctx.seg_base[EMUL_SEG_CS] = 0x2000000;
		ctx.seg_base[EMUL_SEG_SS] = 0x3000000;
		ctx.seg_base[EMUL_SEG_DS] = 0x4000000;
		ctx.seg_base[EMUL_SEG_FS] = FS64;
		ctx.seg_base[EMUL_SEG_GS] = GS64;
		code_la = CODE64;
		break;
	case EMUL_MODE_PROT32:
		map(CODE32 & ~0xfffULL, sizeof(code_mem), RAM, code_mem);
		map(DATA32, sizeof(data_mem), RAM, data_mem);
		map(USER32, 0x1000, USER, NULL);
		ctx.rip = CODE32;
		code_la = CODE32;
		break;
	default:
		map(CS16, sizeof(code_mem), RAM, code_mem);
		map(DS16, sizeof(data_mem), RAM, data_mem);
		map(USER16, 0x10000, USER, NULL);
		ctx.rip = IP16;
		ctx.seg_base[EMUL_SEG_CS] = CS16;
		ctx.seg_base[EMUL_SEG_DS] = DS16;
		ctx.seg_base[EMUL_SEG_ES] = ES16;
		ctx.seg_base[EMUL_SEG_SS] = SS16;
		ctx.seg_base[EMUL_SEG_FS] = FS16;
		code_la = CS16 + IP16;
		break;
	}
	memcpy(find(code_la, 1)->bytes + (code_la & 0xfff), c->start,
	       len_of(c));
}

void begin(const struct icase *c)
{
	begin_mode(c, mode_of(c));
}

u8 *at(u64 la)
{
	struct region *r = find(la, 1);

	return r ? r->bytes + (la - r->base) : NULL;
}

void put(u64 la, unsigned int size, u64 val)
{
	u8 *p = at(la);

	while (size--) {
		*p++ = val;
		val >>= 8;
	}
}

u64 get(u64 la, unsigned int size)
{
	return le(at(la), size);
}

void begin_code_at(const struct icase *c, u64 la, unsigned int pages)
{
	begin_mode(c, EMUL_MODE_LONG64);
	nr_regions = 0;
	if (pages)
		map(la & ~0xfffULL, pages * 0x1000ULL, RAM, code_mem);
	map(DATA64, 0x10000, RAM, data_mem);
	memcpy(code_mem + (la & 0xfff), c->start, len_of(c));
	ctx.rip = la;
}

struct snapshot snap(void)
{
	struct snapshot s;

	memcpy(s.regs, ctx.regs, sizeof(s.regs));
	s.rip = ctx.rip;
	s.rflags = ctx.rflags;
	return s;
}

bool unchanged(const struct snapshot *s)
{
	return !memcmp(s->regs, ctx.regs, sizeof(s->regs)) &&
	       s->rip == ctx.rip && s->rflags == ctx.rflags;
}

unsigned int count_ops(char op)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr_acc; i++)
		n += acc[i].op == op;
	return n;
}

const struct access *only_access(char op)
{
	unsigned int i;
	const struct access *a = NULL;

	for (i = 0; i < nr_acc; i++) {
		if (acc[i].op == 'f')
			continue;
		if (a || acc[i].op != op)
			return NULL;
		a = &acc[i];
	}
	return a;
}
