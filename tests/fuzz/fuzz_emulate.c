// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the kernel's instruction decoder and emulator
 * (kernel/emulate/), on the host, over the fake guest of the unit tests
 * (tests/unit/emul_fake.c).  The input gives the mode, the registers and
 * RFLAGS, the instruction bytes and the data any read from userspace
 * returns; the emulator runs until the instruction ends (bounded, as REP
 * instructions take one element per run).  Besides what AddressSanitizer
 * and UBSan catch, it checks the emulator's contract: never more than 15
 * instruction bytes fetched nor a fetch across a page, a finished
 * instruction no longer than 15 bytes, at most one write for userspace
 * (two to RAM: a far CALL's pushes), and a known result.  Bytes after the
 * userspace data fill a GDT, so that the segment-loading instructions
 * (segment.c) run on random descriptors, at the CPL the mode byte gives.
 *
 *   make fuzz                 build build/fuzz/fuzz_emulate (clang)
 *   build/fuzz/fuzz_emulate -max_total_time=60 build/fuzz/corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emul_fake.h"

#define MAX_RUNS	64

static void check(int cond)
{
	if (!cond)
		abort();
}

/*
 * The guest runs a REP instruction again after each element, and the
 * kernel starts the emulator afresh on its next exit: so here.
 */
static void restart(void)
{
	struct emul_ctx keep = ctx;

	emul_init(&ctx, keep.mode, keep.ops, keep.opaque);
	ctx.seg_state = keep.seg_state;
	ctx.lma = keep.lma;
	ctx.cpl = keep.cpl;
	memcpy(ctx.segs, keep.segs, sizeof(ctx.segs));
	ctx.tr = keep.tr;
	ctx.ldt = keep.ldt;
	ctx.gdt_base = keep.gdt_base;
	ctx.gdt_limit = keep.gdt_limit;
	memcpy(ctx.regs, keep.regs, sizeof(ctx.regs));
	ctx.rip = keep.rip;
	ctx.rflags = keep.rflags;
	memcpy(ctx.seg_base, keep.seg_base, sizeof(ctx.seg_base));
}

/*
 * Segment registers as a flat protected or long mode would have them, and
 * a GDT of up to 16 descriptors from the input, in RAM the mode maps.
 */
static void seg_state(unsigned int cpl, const uint8_t *gdt, size_t len)
{
	static const u64 gdt_la[] = {
		[EMUL_MODE_LONG64] = DATA64 + 0x4000,
		[EMUL_MODE_PROT32] = DATA32 + 0x4000,
		[EMUL_MODE_PROT16] = DS16 + 0x4000,
		[EMUL_MODE_REAL] = DS16 + 0x4000,
	};
	unsigned int i;

	if (len > 16 * 8)
		len = 16 * 8;
	ctx.seg_state = true;
	ctx.cpl = cpl & 3;
	ctx.gdt_base = gdt_la[ctx.mode];
	ctx.gdt_limit = len ? len - 1 : 0;
	if (len)
		memcpy(at(ctx.gdt_base), gdt, len);
	ctx.ldt.unusable = true;
	for (i = 0; i < EMUL_NR_SEGS; i++)
		ctx.segs[i] = (struct emul_segment) {
			.base = ctx.seg_base[i], .limit = 0xffffffff,
			.selector = 0x10 | ctx.cpl, .type = 3, .s = 1,
			.dpl = ctx.cpl, .present = 1,
			.db = ctx.mode != EMUL_MODE_PROT16, .g = 1,
		};
	ctx.segs[EMUL_SEG_CS].type = 0xb;
	ctx.segs[EMUL_SEG_CS].l = ctx.mode == EMUL_MODE_LONG64;
	if (ctx.mode == EMUL_MODE_LONG64)
		ctx.segs[EMUL_SEG_CS].db = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum emul_mode modes[] = {
		EMUL_MODE_LONG64, EMUL_MODE_PROT32, EMUL_MODE_PROT16,
		EMUL_MODE_REAL,
	};
	struct icase c = { .name = "fuzz", .bits = 64 };
	u8 code[EMUL_MAX_INSN + 1], reply[8] = { 0 };
	struct emul_decoded d;
	enum emul_result res;
	unsigned int i, writes;
	u64 rip0;

	if (size < 1 + 8 + EMUL_NR_REGS)
		return 0;
	/* Byte 0: the mode; then RFLAGS; then one byte per register. */
	memset(code, 0x90, sizeof(code));
	c.start = code;
	c.end = code + sizeof(code);
	begin_mode(&c, modes[data[0] % 4]);
	memcpy(&ctx.rflags, data + 1, 8);
	ctx.rflags = (ctx.rflags & 0x3f7fd7) | 2;
	for (i = 0; i < EMUL_NR_REGS; i++) {
		u8 b = data[9 + i];

		/* Small values, large ones, and addresses into the fake. */
		ctx.regs[i] = b < 128 ? b : b < 192 ? DATA64 + (b << 6) :
			      b < 224 ? USER64 + (b & 31) : ~0ULL - b;
	}
	data += 9 + EMUL_NR_REGS;
	size -= 9 + EMUL_NR_REGS;
	memcpy(at(ctx.rip + ctx.seg_base[EMUL_SEG_CS] *
		 (ctx.mode != EMUL_MODE_LONG64)), data,
	       size < EMUL_MAX_INSN ? size : EMUL_MAX_INSN);
	if (size > EMUL_MAX_INSN)
		memcpy(reply, data + EMUL_MAX_INSN,
		       size - EMUL_MAX_INSN < 8 ? size - EMUL_MAX_INSN : 8);
	seg_state(data[-(9 + EMUL_NR_REGS)] >> 2, data + EMUL_MAX_INSN + 8,
		  size > EMUL_MAX_INSN + 8 ? size - EMUL_MAX_INSN - 8 : 0);

	fetch_violations = 0;
	for (i = 0; i < MAX_RUNS; i++) {
		rip0 = ctx.rip;
		nr_acc = 0;
		res = emul_run(&ctx);
		writes = count_ops('w') + count_ops('W');
		check(count_ops('W') <= 1 && writes <= 2);
		check(!fetch_violations);
		if (res == EMUL_EXIT_READ) {
			check(ctx.mmio.size && ctx.mmio.size <= 8);
			emul_complete_read(&ctx, reply);
			continue;
		}
		if (res == EMUL_DONE || res == EMUL_EXIT_WRITE) {
			check(ctx.insn_len && ctx.insn_len <= 15);
			/* REP: RIP stays until the count is out, else moves. */
			if (ctx.rip != rip0)
				break;
			restart();
			continue;
		}
		check(res == EMUL_EXCEPTION || res == EMUL_UNHANDLED);
		break;
	}

	/* The same bytes through the decoder alone: no access but fetches. */
	restart();
	nr_acc = 0;
	res = emul_decode_only(&ctx, &d);
	check(count_ops('r') + count_ops('R') + count_ops('w') +
	      count_ops('W') == 0);
	check(!fetch_violations);
	if (res == EMUL_DONE)
		check(d.len && d.len <= EMUL_MAX_INSN && d.reg < 16 &&
		      d.rm < 16 && d.seg_override < EMUL_NR_SEGS &&
		      (d.ad_bytes == 2 || d.ad_bytes == 4 || d.ad_bytes == 8));
	else
		check(res == EMUL_EXCEPTION || res == EMUL_UNHANDLED);
	return 0;
}
