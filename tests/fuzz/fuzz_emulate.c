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
 * instruction no longer than 15 bytes, at most one write, and a known
 * result.
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
	memcpy(ctx.regs, keep.regs, sizeof(ctx.regs));
	ctx.rip = keep.rip;
	ctx.rflags = keep.rflags;
	memcpy(ctx.seg_base, keep.seg_base, sizeof(ctx.seg_base));
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

	fetch_violations = 0;
	for (i = 0; i < MAX_RUNS; i++) {
		rip0 = ctx.rip;
		nr_acc = 0;
		res = emul_run(&ctx);
		writes = count_ops('w') + count_ops('W');
		check(writes <= 1);
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
