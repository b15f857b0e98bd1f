// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's MMIO instruction emulator (kernel/emulate/), built for the
 * host.  The instructions come from the assembler (emul_cases.h, .S); the
 * guest's linear address space is a few fake regions: RAM, read-only RAM,
 * a device in userspace, and holes that fault.  ALU results and flags and
 * the bit tests are checked against the host CPU doing the same thing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emulate.h"
#include "alu.h"
#include "regs.h"
#include "tap.h"
#include "emul_fake.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The instruction cases: ec_NAME .. ec_NAME_end in emul_cases.S. */
#define CASE(name, bits, ...)						\
	extern const u8 ec_##name[], ec_##name##_end[];			\
	static const struct icase c_##name __attribute__((unused)) =	\
		{ #name, ec_##name, ec_##name##_end, bits };
#define ALU(name, op, bytes, form, imm, ...)	CASE(name, 64)
#define BT(name, op, bytes, ...)		CASE(name, 64)
#include "emul_cases.h"
#undef CASE
#undef ALU
#undef BT

/*
 * One ok() per test: CHECK() and CHECK_EQ() note failures (with a diag
 * line), done() reports them.
 */
static unsigned int fails;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fails++;					\
			diag("  line %d: %s", __LINE__, #cond);		\
		}							\
	} while (0)

#define CHECK_EQ(got, want)						\
	do {								\
		unsigned long long g_ = (got), w_ = (want);		\
		if (g_ != w_) {						\
			fails++;					\
			diag("  line %d: %s = 0x%llx, want 0x%llx",	\
			     __LINE__, #got, g_, w_);			\
		}							\
	} while (0)

static void done(const char *fmt, const char *name)
{
	ok(!fails, fmt, name);
	fails = 0;
}

static u64 next_rip(const struct icase *c)
{
	return ctx.rip + len_of(c);
}

/* Run, expecting completion and RIP past the instruction. */
static void run_done(const struct icase *c)
{
	u64 want_rip = next_rip(c);
	enum emul_result r = emul_run(&ctx);

	CHECK_EQ(r, EMUL_DONE);
	CHECK_EQ(ctx.rip, want_rip);
	CHECK_EQ(ctx.insn_len, len_of(c));
}

#define RAX	ctx.regs[VIREO_REG_RAX]
#define RCX	ctx.regs[VIREO_REG_RCX]
#define RDX	ctx.regs[VIREO_REG_RDX]
#define RBX	ctx.regs[VIREO_REG_RBX]
#define RSP	ctx.regs[VIREO_REG_RSP]
#define RBP	ctx.regs[VIREO_REG_RBP]
#define RSI	ctx.regs[VIREO_REG_RSI]
#define RDI	ctx.regs[VIREO_REG_RDI]

#define PATTERN		0x8877665544332211ULL
#define JUNK		0xaaaaaaaaaaaaaaaaULL

static u64 mask(unsigned int bytes)
{
	return bytes == 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

/* ---- MOV ---- */

static void test_mov_store(const struct icase *c, unsigned int size)
{
	const struct access *a;

	begin(c);
	RBX = DATA64 + 0x100;
	RCX = PATTERN;
	run_done(c);
	CHECK_EQ(get(DATA64 + 0x100, size), PATTERN & mask(size));
	CHECK_EQ(get(DATA64 + 0x100 + size, 1), 0xcc);
	CHECK_EQ(RCX, PATTERN);
	a = only_access('w');
	CHECK(a && a->size == size && a->la == DATA64 + 0x100);
	done("MOV store: %s writes exactly its operand", c->name);
}

static void test_mov_load(const struct icase *c, unsigned int size)
{
	u64 want;

	begin(c);
	RBX = DATA64 + 0x100;
	RCX = JUNK;
	put(DATA64 + 0x100, 8, PATTERN);
	run_done(c);
	/* 8/16-bit loads merge, 32-bit loads zero-extend. */
	want = size >= 4 ? PATTERN & mask(size) :
	       (JUNK & ~mask(size)) | (PATTERN & mask(size));
	CHECK_EQ(RCX, want);
	CHECK(only_access('r') && only_access('r')->size == size);
	done("MOV load: %s", c->name);
}

static void test_mov_byte_regs(void)
{
	begin(&c_mov_ld_ah);
	RAX = 0x1111111111111111ULL;
	RBX = DATA64;
	RSI = 0x2222222222222222ULL;
	put(DATA64, 1, 0x5a);
	run_done(&c_mov_ld_ah);
	CHECK_EQ(RAX, 0x1111111111115a11ULL);
	CHECK_EQ(RSI, 0x2222222222222222ULL);
	done("%s: ModRM.reg 4 without REX is AH", "mov (%rbx), %ah");

	begin(&c_mov_ld_sil);
	RAX = 0x1111111111111111ULL;
	RBX = DATA64;
	RSI = 0x2222222222222222ULL;
	put(DATA64, 1, 0x5a);
	run_done(&c_mov_ld_sil);
	CHECK_EQ(RSI, 0x222222222222225aULL);
	CHECK_EQ(RAX, 0x1111111111111111ULL);
	done("%s: with REX it is SIL", "mov (%rbx), %sil");

	begin(&c_mov_st_bh);
	RBX = 0x000000000000ab00ULL;
	RSI = DATA64 + 4;
	run_done(&c_mov_st_bh);
	CHECK_EQ(get(DATA64 + 4, 2), 0xccab);
	done("%s stores BH", "mov %bh, (%rsi)");

	begin(&c_mov_st_r15b);
	ctx.regs[VIREO_REG_R15] = 0x77;
	ctx.regs[VIREO_REG_R8] = DATA64 + 8;
	ctx.regs[VIREO_REG_RDI] = 0x55;	/* what rm 7 is without REX.B */
	run_done(&c_mov_st_r15b);
	CHECK_EQ(get(DATA64 + 8, 2), 0xcc77);
	done("%s: REX.R and REX.B", "mov %r15b, (%r8)");

	begin(&c_mov_ld_r9);
	ctx.regs[VIREO_REG_R10] = DATA64 + 0x20;
	put(DATA64 + 0x28, 8, PATTERN);
	run_done(&c_mov_ld_r9);
	CHECK_EQ(ctx.regs[VIREO_REG_R9], PATTERN);
	done("%s: REX.WRB with disp8", "mov 8(%r10), %r9");
}

static void test_mov_imm(void)
{
	begin(&c_mov_imm8);
	RBX = DATA64;
	run_done(&c_mov_imm8);
	CHECK_EQ(get(DATA64, 2), 0xcca5);
	done("%s", "movb $0xa5, (%rbx)");

	begin(&c_mov_imm16);
	RBX = DATA64;
	run_done(&c_mov_imm16);
	CHECK_EQ(get(DATA64, 8), 0xcccccccc1234ccccULL);
	done("%s: 66h, imm16 after disp8", "movw $0x1234, 2(%rbx)");

	begin(&c_mov_imm32);
	RBX = DATA64;
	run_done(&c_mov_imm32);
	CHECK_EQ(get(DATA64 + 4, 4), 0xdeadbeef);
	CHECK_EQ(get(DATA64 + 8, 1), 0xcc);
	done("%s", "movl $0xdeadbeef, 4(%rbx)");

	begin(&c_mov_imm64);
	RBX = DATA64;
	run_done(&c_mov_imm64);
	CHECK_EQ(get(DATA64 + 8, 8), 0xfffffffffffffffeULL);
	CHECK(only_access('w') && only_access('w')->size == 8);
	done("%s: imm32 sign-extended to 64 bits", "movq $-2, 8(%rbx)");

	begin(&c_mov_rr);
	RCX = 0xffffffff12345678ULL;
	RDX = JUNK;
	run_done(&c_mov_rr);
	CHECK_EQ(RDX, 0x12345678);
	CHECK_EQ(nr_acc - count_ops('f'), 0);
	done("%s: register form, no memory access", "mov %ecx, %edx");
}

static void test_moffs(void)
{
	begin(&c_moffs_ld8);
	RAX = JUNK;
	put(DATA64 + 0x10, 8, PATTERN);
	run_done(&c_moffs_ld8);
	CHECK_EQ(RAX, (JUNK & ~0xffULL) | 0x11);
	done("%s: A0, 8-byte offset", "movabs 0xffff888000010010, %al");

	begin(&c_moffs_ld32);
	RAX = JUNK;
	put(DATA64 + 0x10, 8, PATTERN);
	run_done(&c_moffs_ld32);
	CHECK_EQ(RAX, 0x44332211);
	done("%s: A1", "movabs 0xffff888000010010, %eax");

	begin(&c_moffs_st64);
	RAX = PATTERN;
	run_done(&c_moffs_st64);
	CHECK_EQ(get(DATA64 + 0x20, 8), PATTERN);
	done("%s: REX.W A3", "movabs %rax, 0xffff888000010020");

	begin(&c_moffs_a32);
	RAX = JUNK;
	put(LOW + 0x10, 4, 0xfeedf00d);
	run_done(&c_moffs_a32);
	CHECK_EQ(RAX, 0xfeedf00d);
	done("%s: 67h makes the offset 4 bytes", "addr32 mov 0x10010, %eax");

	begin(&c_moffs_fs);
	put(FS64 + 0x10, 4, 0x600df00d);
	run_done(&c_moffs_fs);
	CHECK_EQ(RAX, 0x600df00d);
	done("%s: FS base applies in 64-bit mode", "mov %fs:0x10, %eax");

	begin(&c_p32_moffs);
	ctx.seg_base[EMUL_SEG_DS] = DATA32;
	put(DATA32 + 0x1000, 4, 0x13572468);
	run_done(&c_p32_moffs);
	CHECK_EQ(RAX, 0x13572468);
	done("%s: 32-bit code, DS base", "mov 0x1000, %eax");

	begin(&c_a16_moffs);
	RAX = 0xffff0000;
	put(DS16 + 0x1234, 2, 0xbeef);
	run_done(&c_a16_moffs);
	CHECK_EQ(RAX, 0xffffbeef);
	done("%s: 16-bit code, 2-byte offset", "mov 0x1234, %ax");
}

static void test_extend(const struct icase *c, u64 mem, u64 want)
{
	begin(c);
	RBX = DATA64;
	RCX = JUNK;
	put(DATA64, 8, mem);
	run_done(c);
	CHECK_EQ(RCX, want);
	done("MOVZX/MOVSX: %s", c->name);
}

static void test_extends(void)
{
	test_extend(&c_movzbl, 0xf0f1, 0xf1);
	test_extend(&c_movzbw, 0xf0f1, (JUNK & ~0xffffULL) | 0xf1);
	test_extend(&c_movzwq, 0xf0f1f2f3, 0xf2f3);
	test_extend(&c_movsbq, 0x80, 0xffffffffffffff80ULL);
	test_extend(&c_movsbw, 0x7f80, (JUNK & ~0xffffULL) | 0xff80);
	test_extend(&c_movswl, 0x12348000, 0xffff8000);
	test_extend(&c_movslq, 0x1280000000ULL, 0xffffffff80000000ULL);
	/* MOVSXD without REX.W: a 32-bit move, zero-extended. */
	test_extend(&c_movsxd32, 0x1280000000ULL, 0x80000000);

	begin(&c_movzx_ah);
	RAX = 0xfe00;
	RCX = JUNK;
	run_done(&c_movzx_ah);
	CHECK_EQ(RCX, 0xfe);
	done("MOVZX: %s, register source AH", "movzbl %ah, %ecx");
}

/* ---- String instructions ---- */

static void test_stos(const struct icase *c, unsigned int size)
{
	begin(c);
	RDI = DATA64 + 0x100;
	RAX = PATTERN;
	RCX = 5;
	run_done(c);
	CHECK_EQ(get(DATA64 + 0x100, size), PATTERN & mask(size));
	CHECK_EQ(get(DATA64 + 0x100 + size, 1), 0xcc);
	CHECK_EQ(RDI, DATA64 + 0x100 + size);
	CHECK_EQ(RCX, 5);

	begin(c);
	RDI = DATA64 + 0x100;
	RAX = PATTERN;
	ctx.rflags |= EMUL_FLAG_DF;
	run_done(c);
	CHECK_EQ(get(DATA64 + 0x100, size), PATTERN & mask(size));
	CHECK_EQ(RDI, DATA64 + 0x100 - size);
	done("%s: one element, up and (DF) down", c->name);
}

static void test_rep_stos(void)
{
	int i;

	begin(&c_rep_stosl);
	RDI = DATA64 + 0x100;
	RAX = 0x01020304;
	RCX = 3;
	for (i = 0; i < 3; i++) {
		CHECK_EQ(emul_run(&ctx), EMUL_DONE);
		CHECK_EQ(get(DATA64 + 0x100 + 4 * i, 4), 0x01020304);
		CHECK_EQ(get(DATA64 + 0x104 + 4 * i, 1), 0xcc);
		CHECK_EQ(RDI, DATA64 + 0x104 + 4 * i);
		CHECK_EQ(RCX, 2 - i);
		/* RIP stays until the count runs out. */
		CHECK_EQ(ctx.rip, i < 2 ? CODE64 : CODE64 + 2);
		CHECK_EQ(count_ops('w'), i + 1);
	}
	done("%s: element by element, RIP stays while RCX != 0",
	     "rep stosl");

	begin(&c_rep_stosl);
	RDI = DATA64 + 0x100;
	RCX = 0;
	run_done(&c_rep_stosl);
	CHECK_EQ(nr_acc - count_ops('f'), 0);
	CHECK_EQ(RDI, DATA64 + 0x100);
	done("%s with RCX = 0: no access, RIP advances", "rep stosl");

	begin(&c_rep_stosl);
	RDI = DATA64 + 0x100;
	RAX = 0x0a0b0c0d;
	RCX = 2;
	ctx.rflags |= EMUL_FLAG_DF;
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(get(DATA64 + 0xfc, 8), 0x0a0b0c0d0a0b0c0dULL);
	CHECK_EQ(RDI, DATA64 + 0xf8);
	CHECK_EQ(ctx.rip, CODE64 + 2);
	done("%s with DF: downwards", "rep stosl");

	begin(&c_rep_stosb_a32);
	RDI = 0xdead000000000000ULL | (LOW + 0x40);
	RCX = 0xffffffff00000002ULL;
	RAX = 0x77;
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(get(LOW + 0x40, 1), 0x77);
	CHECK_EQ(RDI, LOW + 0x41);
	CHECK_EQ(RCX, 1);
	CHECK_EQ(ctx.rip, CODE64);
	done("%s: 67h, EDI and ECX (upper halves ignored, cleared)",
	     "addr32 rep stosb");

	begin(&c_a16_rep_stosb);
	RDI = 0x1234ffff;
	RCX = 0x56780001;
	RAX = 0x99;
	run_done(&c_a16_rep_stosb);
	CHECK_EQ(get(ES16 + 0xffff, 1), 0x99);
	CHECK_EQ(RDI, 0x12340000);
	CHECK_EQ(RCX, 0x56780000);
	done("%s: 16-bit DI wraps, CX counts, upper bits kept",
	     "rep stosb (16-bit)");

	begin(&c_lock_stos);
	RDI = DATA64;
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_UD);
	CHECK_EQ(count_ops('w'), 0);
	done("%s: #UD", "lock stosb");
}

static void test_movs(void)
{
	int i;

	begin(&c_movsb);
	RSI = DATA64 + 0x10;
	RDI = DATA64 + 0x20;
	put(DATA64 + 0x10, 1, 0x42);
	run_done(&c_movsb);
	CHECK_EQ(get(DATA64 + 0x20, 2), 0xcc42);
	CHECK_EQ(RSI, DATA64 + 0x11);
	CHECK_EQ(RDI, DATA64 + 0x21);
	CHECK(nr_acc >= 2 && acc[nr_acc - 2].op == 'r' &&
	      acc[nr_acc - 1].op == 'w');
	done("%s: read DS:RSI, then write ES:RDI", "movsb");

	begin(&c_movsq);
	RSI = DATA64 + 0x10;
	RDI = DATA64 + 0x40;
	put(DATA64 + 0x10, 8, PATTERN);
	ctx.rflags |= EMUL_FLAG_DF;
	run_done(&c_movsq);
	CHECK_EQ(get(DATA64 + 0x40, 8), PATTERN);
	CHECK_EQ(RSI, DATA64 + 0x8);
	CHECK_EQ(RDI, DATA64 + 0x38);
	done("%s with DF", "movsq");

	begin(&c_rep_movsl);
	RSI = DATA64 + 0x10;
	RDI = DATA64 + 0x40;
	RCX = 2;
	put(DATA64 + 0x10, 8, PATTERN);
	for (i = 0; i < 2; i++) {
		CHECK_EQ(emul_run(&ctx), EMUL_DONE);
		CHECK_EQ(ctx.rip, i ? CODE64 + 2 : CODE64);
	}
	CHECK_EQ(get(DATA64 + 0x40, 8), PATTERN);
	CHECK_EQ(RCX, 0);
	CHECK_EQ(RSI, DATA64 + 0x18);
	CHECK_EQ(RDI, DATA64 + 0x48);
	done("%s: two elements, two calls", "rep movsl");

	begin(&c_repne_movsb);
	RSI = DATA64 + 0x10;
	RDI = DATA64 + 0x20;
	RCX = 2;
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(RCX, 1);
	CHECK_EQ(ctx.rip, CODE64);
	done("%s: F2 repeats MOVS like F3", "repne movsb");

	begin(&c_fs_movsb);
	RSI = 0x10;
	RDI = DATA64 + 0x20;
	put(FS64 + 0x10, 1, 0x5f);
	run_done(&c_fs_movsb);
	CHECK_EQ(get(DATA64 + 0x20, 1), 0x5f);
	done("%s: the source segment can be overridden",
	     "movsb %fs:(%rsi), %es:(%rdi)");

	begin(&c_lodsl);
	RSI = DATA64 + 0x10;
	RAX = JUNK;
	put(DATA64 + 0x10, 4, 0x89abcdef);
	run_done(&c_lodsl);
	CHECK_EQ(RAX, 0x89abcdef);
	CHECK_EQ(RSI, DATA64 + 0x14);
	done("%s", "lodsl");

	begin(&c_lodsb);
	RSI = DATA64 + 0x10;
	RAX = JUNK;
	put(DATA64 + 0x10, 1, 0x3c);
	run_done(&c_lodsb);
	CHECK_EQ(RAX, (JUNK & ~0xffULL) | 0x3c);
	done("%s", "lodsb");

	begin(&c_p32_movsl);
	ctx.seg_base[EMUL_SEG_DS] = DATA32;
	ctx.seg_base[EMUL_SEG_ES] = DATA32 + 0x1000;
	RSI = 0x10;
	RDI = 0x20;
	put(DATA32 + 0x10, 4, 0xcafe);
	run_done(&c_p32_movsl);
	CHECK_EQ(get(DATA32 + 0x1020, 4), 0xcafe);
	done("%s: DS and ES bases in 32-bit mode", "movsl");

	begin(&c_p32_cs_stosb);
	ctx.seg_base[EMUL_SEG_CS] = 0;
	ctx.seg_base[EMUL_SEG_ES] = DATA32 + 0x2000;
	RDI = 0x10;
	RAX = 0xee;
	run_done(&c_p32_cs_stosb);
	CHECK_EQ(get(DATA32 + 0x2010, 1), 0xee);
	done("%s: the destination is always ES", "cs stosb");

	begin_mode(&c_a16_rep_movsw, EMUL_MODE_REAL);
	RSI = 0x10;
	RDI = 0x20;
	RCX = 1;
	put(DS16 + 0x10, 2, 0x1234);
	ctx.rflags |= EMUL_FLAG_DF;
	run_done(&c_a16_rep_movsw);
	CHECK_EQ(get(ES16 + 0x20, 2), 0x1234);
	CHECK_EQ(RSI, 0xe);
	CHECK_EQ(RDI, 0x1e);
	CHECK_EQ(RCX, 0);
	done("%s: real mode, DF", "rep movsw");
}

/* ---- ALU, against the host CPU ---- */

enum { FORM_MR, FORM_RM, FORM_MI, FORM_UN };

struct alu_case {
	const char *name;
	const u8 *start, *end;
	int op;
	unsigned int bytes;
	int form;
	s64 imm;
};

static const struct alu_case alu_cases[] = {
#define CASE(...)
#define BT(...)
#define ALU(name, op, bytes, form, imm, ...)				\
	{ #name, ec_##name, ec_##name##_end, op, bytes, FORM_##form, imm },
#include "emul_cases.h"
#undef CASE
#undef BT
#undef ALU
};

/*
 * The host executes op on registers with the given flags and returns the
 * result and the flags.  The stack pointer steps over the red zone
 * before PUSHF/POPF.
 */
#define HOST_ALU(name, sz, m, operands)					\
static u64 host_##name##sz(u64 a, u64 b, u64 *fl)			\
{									\
	u64 f = *fl;							\
									\
	asm volatile("lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopf\n\t"	\
		     #name " " operands "\n\t"				\
		     "pushf\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"	\
		     : [a] "+r" (a), [f] "+r" (f) : [b] "r" (b) : "cc");	\
	*fl = f;							\
	return a;							\
}
#define HOST_ALU2(name)							\
	HOST_ALU(name, 1, b, "%b[b], %b[a]")				\
	HOST_ALU(name, 2, w, "%w[b], %w[a]")				\
	HOST_ALU(name, 4, k, "%k[b], %k[a]")				\
	HOST_ALU(name, 8, q, "%q[b], %q[a]")
#define HOST_ALU1(name)							\
	HOST_ALU(name, 1, b, "%b[a]")					\
	HOST_ALU(name, 2, w, "%w[a]")					\
	HOST_ALU(name, 4, k, "%k[a]")					\
	HOST_ALU(name, 8, q, "%q[a]")

HOST_ALU2(add) HOST_ALU2(or) HOST_ALU2(adc) HOST_ALU2(sbb)
HOST_ALU2(and) HOST_ALU2(sub) HOST_ALU2(xor) HOST_ALU2(cmp)
HOST_ALU2(test)
HOST_ALU1(inc) HOST_ALU1(dec) HOST_ALU1(neg) HOST_ALU1(not)

#define HOST_ROW(name)	{ host_##name##1, host_##name##2, host_##name##4, \
			  host_##name##8 }

static u64 (*const host_alu[13][4])(u64, u64, u64 *) = {
	HOST_ROW(add), HOST_ROW(or), HOST_ROW(adc), HOST_ROW(sbb),
	HOST_ROW(and), HOST_ROW(sub), HOST_ROW(xor), HOST_ROW(cmp),
	HOST_ROW(test), HOST_ROW(inc), HOST_ROW(dec), HOST_ROW(neg),
	HOST_ROW(not),
};

static int size_index(unsigned int bytes)
{
	return bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : 3;
}

static const u64 alu_values[] = {
	0, 1, 2, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
	0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x0f0f0f0f0f0f0f0fULL,
};

#define NR_VALUES	(ARRAY_SIZE(alu_values))

static const u64 flags_in[] = {
	0, EMUL_FLAG_CF, EMUL_FLAGS_ARITH & ~EMUL_FLAG_CF, EMUL_FLAGS_ARITH,
};

static bool is_logic(int op)
{
	return op == EMUL_ALU_OR || op == EMUL_ALU_AND ||
	       op == EMUL_ALU_XOR || op == EMUL_ALU_TEST;
}

/* One emulated instance against the host; false (with a diag) on a miss. */
static bool alu_one(const struct alu_case *ac, const struct emul_ctx *tmpl,
		    u64 a, u64 b, u64 fl)
{
	unsigned int size = ac->bytes, len = ac->end - ac->start;
	u64 m = mask(size), la = DATA64 + 0x100;
	u64 upper = size == 8 ? 0 : 0xdeadbeefcafef00dULL & ~m;
	u64 hf = 0x202 | fl, hres, want_mem, want_rcx, rcx_in;
	u64 defined = EMUL_FLAGS_ARITH;
	bool nowrite = ac->op == EMUL_ALU_CMP || ac->op == EMUL_ALU_TEST;
	enum emul_result r;

	a &= m;
	b &= m;
	ctx = *tmpl;
	RBX = la;
	rcx_in = upper | (ac->form == FORM_RM ? a : b);
	RCX = rcx_in;
	put(la, 8, 0x5555555555555555ULL);
	put(la + 8, 8, 0x5555555555555555ULL);
	put(la, size, ac->form == FORM_RM ? b : a);
	ctx.rflags = 0x202 | fl;
	r = emul_run(&ctx);

	hres = host_alu[ac->op][size_index(size)](a, b, &hf) & m;
	want_mem = ac->form == FORM_RM ? b : nowrite ? a : hres;
	want_rcx = rcx_in;
	if (ac->form == FORM_RM && !nowrite)
		want_rcx = size >= 4 ? hres : upper | hres;
	/* AF is undefined after the logical operations: ours clears it. */
	if (is_logic(ac->op))
		defined &= ~EMUL_FLAG_AF;
	if (r == EMUL_DONE && ctx.rip == CODE64 + len &&
	    get(la, size) == want_mem &&
	    get(la + size, 1) == 0x55 && RCX == want_rcx &&
	    !((ctx.rflags ^ hf) & defined) &&
	    (ctx.rflags & ~EMUL_FLAGS_ARITH) == 0x202 &&
	    !(is_logic(ac->op) && (ctx.rflags & EMUL_FLAG_AF)))
		return true;
	diag("  %s a=0x%llx b=0x%llx flags=0x%llx: result %d, mem 0x%llx "
	     "(want 0x%llx), rcx 0x%llx (want 0x%llx), flags 0x%llx "
	     "(host 0x%llx)", ac->name, (unsigned long long)a,
	     (unsigned long long)b, (unsigned long long)fl, r,
	     (unsigned long long)get(la, size),
	     (unsigned long long)want_mem, (unsigned long long)RCX,
	     (unsigned long long)want_rcx,
	     (unsigned long long)ctx.rflags, (unsigned long long)hf);
	return false;
}

static void test_alu_case(const struct alu_case *ac)
{
	struct icase ic = { ac->name, ac->start, ac->end, 64 };
	unsigned int i, j, k, n = 0, nb;
	struct emul_ctx tmpl;
	bool good = true;

	begin(&ic);
	tmpl = ctx;
	nb = ac->form == FORM_MR || ac->form == FORM_RM ? NR_VALUES : 1;
	for (i = 0; i < NR_VALUES && good; i++)
		for (j = 0; j < nb && good; j++)
			for (k = 0; k < 4 && good; k++, n++)
				good = alu_one(ac, &tmpl, alu_values[i],
					       nb > 1 ? alu_values[j] :
					       (u64)ac->imm, flags_in[k]);
	ok(good, "ALU %s: %u operand/flag combinations as the host CPU",
	   ac->name, n);
}

static void test_alu_specials(void)
{
	const struct access *a;

	begin(&c_add_ah);
	RAX = 0x0300;
	RBX = DATA64;
	put(DATA64, 1, 0x04);
	run_done(&c_add_ah);
	CHECK_EQ(get(DATA64, 1), 0x07);
	done("%s: AH as the source", "add %ah, (%rbx)");

	begin(&c_lock_add);
	RBX = DATA64;
	RCX = 1;
	put(DATA64, 4, 0xffffffff);
	run_done(&c_lock_add);
	CHECK_EQ(get(DATA64, 4), 0);
	CHECK_EQ(ctx.rflags & (EMUL_FLAG_CF | EMUL_FLAG_ZF),
		 EMUL_FLAG_CF | EMUL_FLAG_ZF);
	done("%s: LOCK accepted on a memory destination",
	     "lock add %ecx, (%rbx)");

	begin(&c_cmp_imm);
	RBX = DATA64;
	put(DATA64, 4, 3);
	run_done(&c_cmp_imm);
	CHECK_EQ(count_ops('w'), 0);
	CHECK_EQ(ctx.rflags & (EMUL_FLAG_CF | EMUL_FLAG_SF),
		 EMUL_FLAG_CF | EMUL_FLAG_SF);
	done("%s: flags only, no write", "cmpl $5, (%rbx)");

	begin(&c_test_imm32);
	RBX = DATA64;
	put(DATA64, 4, 0x80000001);
	run_done(&c_test_imm32);
	CHECK_EQ(count_ops('w'), 0);
	CHECK_EQ(ctx.rflags & (EMUL_FLAG_SF | EMUL_FLAG_ZF), EMUL_FLAG_SF);
	done("%s: F7 /0 with imm32, no write", "testl $0x80000000, (%rbx)");

	begin(&c_neg8);
	RBX = DATA64;
	put(DATA64, 1, 1);
	run_done(&c_neg8);
	CHECK_EQ(get(DATA64, 1), 0xff);
	CHECK_EQ(ctx.rflags & EMUL_FLAG_CF, EMUL_FLAG_CF);
	done("%s", "negb (%rbx)");

	begin(&c_add_rr);
	RCX = 2;
	RDX = 0xffffffff00000003ULL;
	run_done(&c_add_rr);
	CHECK_EQ(RDX, 5);
	CHECK_EQ(nr_acc - count_ops('f'), 0);
	done("%s: register form", "add %ecx, %edx");

	begin(&c_p32_add16);
	RBX = DATA32;
	RCX = 0x12340001;
	put(DATA32, 4, 0xffffffff);
	run_done(&c_p32_add16);
	CHECK_EQ(RCX, 0x12340000);
	CHECK_EQ(ctx.rflags & (EMUL_FLAG_CF | EMUL_FLAG_ZF),
		 EMUL_FLAG_CF | EMUL_FLAG_ZF);
	a = only_access('r');
	CHECK(a && a->size == 2);
	done("%s: 66h makes it 16-bit in 32-bit code", "add (%ebx), %cx");

	begin(&c_p32_82);
	RBX = DATA32;
	put(DATA32, 1, 0xfd);
	run_done(&c_p32_82);
	CHECK_EQ(get(DATA32, 1), 0x02);
	done("%s: 82 is 80 outside 64-bit mode", "82 /0 ib");

	begin(&c_p64_82);
	RBX = DATA64;
	CHECK_EQ(emul_run(&ctx), EMUL_UNHANDLED);
	CHECK_EQ(ctx.rip, CODE64);
	done("%s: 82 is invalid in 64-bit mode", "82 /0 ib");
}

/* ---- XCHG ---- */

static void test_xchg(void)
{
	begin(&c_xchg8);
	RBX = DATA64;
	RCX = 0x1122;
	put(DATA64, 2, 0xccab);
	run_done(&c_xchg8);
	CHECK_EQ(get(DATA64, 2), 0xcc22);
	CHECK_EQ(RCX, 0x11ab);
	CHECK(nr_acc >= 2 && acc[nr_acc - 2].op == 'r' &&
	      acc[nr_acc - 1].op == 'w');
	done("%s: read, then write", "xchg %cl, (%rbx)");

	begin(&c_xchg64);
	RBX = DATA64;
	RCX = PATTERN;
	put(DATA64, 8, 0x0102030405060708ULL);
	run_done(&c_xchg64);
	CHECK_EQ(get(DATA64, 8), PATTERN);
	CHECK_EQ(RCX, 0x0102030405060708ULL);
	done("%s", "xchg %rcx, (%rbx)");

	begin(&c_lock_xchg32);
	RBX = DATA64;
	RCX = 0xffffffff00000001ULL;
	put(DATA64, 4, 2);
	run_done(&c_lock_xchg32);
	CHECK_EQ(get(DATA64, 4), 1);
	CHECK_EQ(RCX, 2);
	done("%s", "lock xchg %ecx, (%rbx)");

	begin(&c_xchg_rr);
	RCX = 1;
	RDX = 2;
	run_done(&c_xchg_rr);
	CHECK(RCX == 2 && RDX == 1);
	done("%s: register form", "xchg %ecx, %edx");
}

/* ---- BT, BTS, BTR, BTC ---- */

struct bt_case {
	const char *name;
	const u8 *start, *end;
	int op;
	unsigned int bytes;
};

static const struct bt_case bt_cases[] = {
#define CASE(...)
#define ALU(...)
#define BT(name, op, bytes, ...)					\
	{ #name, ec_##name, ec_##name##_end, op, bytes },
#include "emul_cases.h"
#undef CASE
#undef ALU
#undef BT
};

#define HOST_BT(name, sz, reg)						\
static int host_##name##sz(void *p, u64 off)				\
{									\
	u8 cf;								\
									\
	asm volatile(#name " " reg ", (%[p])\n\tsetc %[cf]"		\
		     : [cf] "=q" (cf) : [o] "r" (off), [p] "r" (p)	\
		     : "cc", "memory");					\
	return cf;							\
}
#define HOST_BT3(name)							\
	HOST_BT(name, 2, "%w[o]") HOST_BT(name, 4, "%k[o]")		\
	HOST_BT(name, 8, "%q[o]")

HOST_BT3(bt) HOST_BT3(bts) HOST_BT3(btr) HOST_BT3(btc)

static int (*const host_bt[4][3])(void *, u64) = {
	{ host_bt2, host_bt4, host_bt8 },
	{ host_bts2, host_bts4, host_bts8 },
	{ host_btr2, host_btr4, host_btr8 },
	{ host_btc2, host_btc4, host_btc8 },
};

static const s64 bt_offsets[] = {
	-257, -200, -65, -64, -63, -33, -32, -31, -17, -16, -15, -1,
	0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 200, 255,
};

#define BT_BUF		(DATA64 + 0x1000)

static void test_bt_case(const struct bt_case *bc)
{
	struct icase ic = { bc->name, bc->start, bc->end, 64 };
	unsigned int i, j, bits = bc->bytes * 8;
	u8 host[128];
	bool good = true;

	for (i = 0; good && i < ARRAY_SIZE(bt_offsets); i++) {
		s64 off = bt_offsets[i];
		/* Junk above the operand size must not matter. */
		u64 rcx = ((u64)off & mask(bc->bytes)) |
			  (0x5a5a5a5a5a5a5a5aULL & ~mask(bc->bytes));
		s64 word = off >= 0 ? off / bits : -((-off + bits - 1) / bits);
		u64 want_la = BT_BUF + 64 + word * bc->bytes;
		int cf;
		const struct access *a;

		begin(&ic);
		for (j = 0; j < sizeof(host); j++)
			host[j] = j * 37 + 11;
		memcpy(at(BT_BUF), host, sizeof(host));
		RBX = BT_BUF + 64;
		RCX = rcx;
		ctx.rflags |= EMUL_FLAG_ZF;
		cf = host_bt[bc->op][size_index(bc->bytes) - 1](host + 64,
								rcx);
		run_done(&ic);
		CHECK(!memcmp(at(BT_BUF), host, sizeof(host)));
		CHECK_EQ(!!(ctx.rflags & EMUL_FLAG_CF), cf);
		CHECK(ctx.rflags & EMUL_FLAG_ZF);
		a = nr_acc ? &acc[nr_acc - 1] : NULL;
		CHECK(a && a->la == want_la && a->size == bc->bytes);
		CHECK_EQ(count_ops(bc->op ? 'w' : 'r'), 1);
		if (fails) {
			diag("  %s offset %lld", bc->name, (long long)off);
			good = false;
		}
		fails = 0;
	}
	ok(good, "BT %s: %zu bit offsets, memory and CF as the host CPU",
	   bc->name, ARRAY_SIZE(bt_offsets));
}

static void test_bt_imm(const struct icase *c, unsigned int size, u64 before,
			u64 after, int cf)
{
	begin(c);
	RBX = DATA64 + 0x10;
	put(DATA64 + 0x10, 8, before);
	run_done(c);
	CHECK_EQ(get(DATA64 + 0x10, 8), after);
	CHECK_EQ(!!(ctx.rflags & EMUL_FLAG_CF), cf);
	CHECK(nr_acc && acc[nr_acc - 1].la == DATA64 + 0x10 &&
	      acc[nr_acc - 1].size == size);
	done("BT immediate: %s, taken modulo the size, no address change",
	     c->name);
}

static void test_bt_misc(void)
{
	test_bt_imm(&c_btl_imm, 4, 0xff00000008ULL, 0xff00000008ULL, 1);
	test_bt_imm(&c_btsq_imm, 8, 1, 0x8000000000000001ULL, 0);
	test_bt_imm(&c_btrw_imm, 2, 0xffff0003, 0xffff0001, 1);
	test_bt_imm(&c_btcl_imm, 4, 0x100000001ULL, 0x100000000ULL, 1);

	begin(&c_lock_btsq);
	RBX = DATA64;
	RCX = 64 + 3;
	put(DATA64 + 8, 8, 0);
	run_done(&c_lock_btsq);
	CHECK_EQ(get(DATA64 + 8, 8), 8);
	done("%s: LOCK accepted", "lock bts %rcx, (%rbx)");

	begin(&c_lock_bt);
	RBX = DATA64;
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_UD);
	CHECK_EQ(nr_acc - count_ops('f'), 0);
	done("%s: #UD, BT does not write", "lock bt %ecx, (%rbx)");

	begin(&c_bt_rr);
	RCX = 35;
	RDX = 0;
	run_done(&c_bt_rr);
	CHECK_EQ(RDX, 8);
	done("%s: register operand, offset modulo 32", "bts %ecx, %edx");

	begin(&c_a16_btw);
	RBX = 0x100;
	RCX = 0xffff;		/* -1: bit 15 of the word below */
	put(DS16 + 0xfe, 2, 0x8000);
	run_done(&c_a16_btw);
	CHECK_EQ(ctx.rflags & EMUL_FLAG_CF, EMUL_FLAG_CF);
	CHECK(nr_acc && acc[nr_acc - 1].la == DS16 + 0xfe);
	done("%s: 16-bit code, negative offset", "bt %cx, (%bx)");
}

/* ---- Prefixes ---- */

static void test_store_at(const struct icase *c, u64 rbx, u64 la,
			  unsigned int size, const char *why)
{
	const struct access *a;

	begin(c);
	RBX = rbx;
	RCX = PATTERN;
	run_done(c);
	a = only_access('w');
	CHECK(a != NULL);
	if (a) {
		CHECK_EQ(a->la, la);
		CHECK_EQ(a->size, size);
		CHECK_EQ(a->val, PATTERN & mask(size));
	}
	done(why, c->name);
}

static void test_prefixes(void)
{
	test_store_at(&c_pfx_fs66, 0x40, FS64 + 0x40, 2,
		      "%s: FS then 66h");
	test_store_at(&c_pfx_66fs, 0x40, FS64 + 0x40, 2,
		      "%s: 66h then FS");
	test_store_at(&c_pfx_rex_early, DATA64 + 0x40, DATA64 + 0x40, 2,
		      "%s: a REX before 66h is ignored");
	test_store_at(&c_pfx_two_rex, DATA64 + 0x40, DATA64 + 0x40, 8,
		      "%s: of two REX the last counts (REX.B dropped)");
	test_store_at(&c_pfx_66_rexw, DATA64 + 0x40, DATA64 + 0x40, 8,
		      "%s: REX.W beats 66h");
	test_store_at(&c_pfx_rep_mov, DATA64 + 0x40, DATA64 + 0x40, 4,
		      "%s: F3 on MOV is ignored");
	test_store_at(&c_pfx_ds64, DATA64 + 0x40, DATA64 + 0x40, 4,
		      "%s: DS override, base ignored in 64-bit mode");
	test_store_at(&c_pfx_15, DATA64 + 0x40, DATA64 + 0x40, 4,
		      "%s: 13 prefixes, 15 bytes in all, is fine");

	begin(&c_pfx_gs_lock_66);
	RBX = 0x40;
	RCX = 0x0002;
	put(GS64 + 0x40, 4, 0x1111ffff);
	run_done(&c_pfx_gs_lock_66);
	CHECK_EQ(get(GS64 + 0x40, 4), 0x11110001);
	CHECK_EQ(ctx.rflags & EMUL_FLAG_CF, EMUL_FLAG_CF);
	done("%s: GS, LOCK, 66h in that order", "lock add %cx, %gs:(%rbx)");

	begin(&c_pfx_a32);
	RBX = 0xffffffff00000000ULL | LOW;
	RCX = 7;
	run_done(&c_pfx_a32);
	CHECK_EQ(get(LOW, 4), 7);
	done("%s: 67h truncates the address to 32 bits",
	     "mov %ecx, (%ebx)");
}

static void test_lock_ud(const struct icase *c)
{
	struct snapshot s;

	begin(c);
	RBX = DATA64;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_UD);
	CHECK(!ctx.exception.has_error);
	CHECK(unchanged(&s));
	CHECK_EQ(nr_acc - count_ops('f'), 0);
	done("%s: LOCK is #UD here", c->name);
}

static void test_too_long(void)
{
	struct snapshot s;

	begin(&c_pfx_16);
	RBX = DATA64;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_GP);
	CHECK(ctx.exception.has_error && ctx.exception.error == 0);
	CHECK(unchanged(&s));
	CHECK(ctx.insn_avail <= 15);
	done("%s: 16 bytes is #GP(0)", "14 x DS, mov");

	begin(&c_pfx_only);
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_GP);
	CHECK(ctx.insn_avail <= 15);
	done("%s: 15 prefixes and no opcode is #GP(0)", "15 x 66h");

	begin_mode(&c_pfx_only, EMUL_MODE_REAL);
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_GP);
	CHECK(!ctx.exception.has_error);
	done("%s: in real mode without an error code", "15 x 66h");
}

/* ---- Addressing forms ---- */

/* Run a store whose registers are set; expect one write of size at la. */
static void expect_write_at(const struct icase *c, u64 la, unsigned int size,
			    const char *why)
{
	const struct access *a;

	run_done(c);
	a = only_access('w');
	CHECK(a != NULL);
	if (a) {
		CHECK_EQ(a->la, la);
		CHECK_EQ(a->size, size);
	}
	done(why, c->name);
}

static void test_addressing64(void)
{
	begin(&c_sib_bis8);
	RBX = DATA64;
	RSI = 3;
	expect_write_at(&c_sib_bis8, DATA64 + 0x10 + 12, 4,
			"%s: base + index * 4 + disp8");

	begin(&c_sib_rsp);
	RSP = DATA64 + 0x100;
	expect_write_at(&c_sib_rsp, DATA64 + 0x108, 4,
			"%s: RSP needs a SIB, SS base ignored");

	begin(&c_sib_nobase);
	RSI = 2;
	RBP = 0x999;
	expect_write_at(&c_sib_nobase, 0x10010 + 16, 4,
			"%s: SIB base 101 with mod 00 is disp32");

	begin(&c_sib_r12);
	ctx.regs[VIREO_REG_R12] = DATA64 + 0x20;
	RSP = 0x999;
	expect_write_at(&c_sib_r12, DATA64 + 0x20, 4,
			"%s: R12 as base goes through a SIB");

	begin(&c_sib_r13);
	ctx.regs[VIREO_REG_R13] = DATA64 + 0x30;
	RBP = 0x999;
	expect_write_at(&c_sib_r13, DATA64 + 0x30, 4,
			"%s: R13 as base needs disp8 0, not RIP-relative");

	begin(&c_sib_idx_r12);
	RBX = DATA64;
	RSP = 0x999;
	ctx.regs[VIREO_REG_R12] = 0x10;
	expect_write_at(&c_sib_idx_r12, DATA64 + 0x20, 4,
			"%s: index 100 with REX.X is R12, not none");

	begin(&c_disp32_neg);
	RBX = DATA64 + 0x2000;
	expect_write_at(&c_disp32_neg, DATA64 + 0x1000, 4,
			"%s: negative disp32");

	begin(&c_abs32_64);
	expect_write_at(&c_abs32_64, 0x10010, 4,
			"%s: absolute disp32 through a SIB");

	begin(&c_rip_rel);
	expect_write_at(&c_rip_rel, CODE64 + 6 + 0x100, 4,
			"%s: from the end of the instruction");

	begin(&c_rip_rel_imm);
	expect_write_at(&c_rip_rel_imm, CODE64 + 10 + 0x100, 4,
			"%s: the immediate counts in the length");
	CHECK_EQ(get(CODE64 + 10 + 0x100, 4), 0x11223344);
	done("%s: and the immediate is stored", "rip_rel_imm");

	begin(&c_rip_rel_neg);
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_PF);
	CHECK_EQ(ctx.exception.cr2, CODE64 + 7 - 0x200);
	done("%s: negative displacement (address seen in the fault)",
	     "mov -0x200(%rip), %rcx");

	begin(&c_rip_rel_a32);
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.cr2, (u32)(CODE64 + 7 + 0x100));
	done("%s: 67h truncates RIP-relative addresses to 32 bits",
	     "mov %ecx, 0x100(%eip)");
}

static void test_addressing32(void)
{
	begin(&c_p32_st);
	ctx.seg_base[EMUL_SEG_DS] = 0xffff0000;
	RBX = 0xffffffff00000000ULL | (DATA32 + 0x10010);
	expect_write_at(&c_p32_st, DATA32 + 0x10, 4,
			"%s: DS base, wrapping at 4 GiB");

	begin(&c_p32_st16);
	RBX = DATA32;
	expect_write_at(&c_p32_st16, DATA32, 2, "%s: 66h: 16-bit operand");

	begin(&c_p32_ebp);
	ctx.seg_base[EMUL_SEG_SS] = DATA32 + 0x1000;
	RBP = 0x10;
	expect_write_at(&c_p32_ebp, DATA32 + 0x1018, 4,
			"%s: EBP addresses SS");

	begin(&c_p32_esp);
	ctx.seg_base[EMUL_SEG_SS] = DATA32 + 0x1000;
	RSP = 0x20;
	expect_write_at(&c_p32_esp, DATA32 + 0x1024, 4,
			"%s: ESP addresses SS");

	begin(&c_p32_abs);
	ctx.seg_base[EMUL_SEG_DS] = DATA32;
	RBP = 0x999;
	expect_write_at(&c_p32_abs, DATA32 + 0x1000, 4,
			"%s: mod 00 rm 101 is disp32 (not RIP) in 32-bit");

	begin(&c_p32_a16);
	ctx.seg_base[EMUL_SEG_DS] = DATA32;
	RBX = 0x10010;
	RSI = 0x20;
	expect_write_at(&c_p32_a16, DATA32 + 0x30, 4,
			"%s: 67h: 16-bit addressing in 32-bit code");

	begin(&c_p32_fs);
	ctx.seg_base[EMUL_SEG_FS] = DATA32 + 0x3000;
	RBX = 4;
	put(DATA32 + 0x3004, 4, 0xf5f5f5f5);
	run_done(&c_p32_fs);
	CHECK_EQ(RCX, 0xf5f5f5f5);
	done("%s: FS override", "mov %fs:(%ebx), %ecx");

	begin(&c_p32_es_ebp);
	ctx.seg_base[EMUL_SEG_ES] = DATA32 + 0x4000;
	ctx.seg_base[EMUL_SEG_SS] = DATA32 + 0x8000;
	RBP = 0;
	put(DATA32 + 0x4004, 4, 0xe5e5e5e5);
	run_done(&c_p32_es_ebp);
	CHECK_EQ(RCX, 0xe5e5e5e5);
	done("%s: an override beats SS for EBP", "mov %es:4(%ebp), %ecx");
}

static void test_addressing16(void)
{
	static const struct {
		const struct icase *c;
		u64 la;
	} forms[] = {
		{ &c_a16_bx_si, DS16 + 0x30 },
		{ &c_a16_bx_di, DS16 + 0x31 },
		{ &c_a16_bp_si, SS16 + 0x30 },
		{ &c_a16_bp_di, SS16 + 0x2e },
		{ &c_a16_si, DS16 + 0x20 + 0x1234 },
		{ &c_a16_di, DS16 + 0x20 },
		{ &c_a16_bp, SS16 + 0x14 },
		{ &c_a16_bx, DS16 + 0x10 },
		{ &c_a16_abs, DS16 + 0x1234 },
		{ &c_a16_ss_ovr, DS16 + 0x10 },
	};
	unsigned int i, m;

	for (m = 0; m < 2; m++) {
		for (i = 0; i < ARRAY_SIZE(forms); i++) {
			begin_mode(forms[i].c, m ? EMUL_MODE_REAL :
					       EMUL_MODE_PROT16);
			/* Only the low 16 bits address. */
			RBX = 0xabcd0010;
			RBP = 0xabcd0010;
			RSI = 0xabcd0020;
			RDI = 0xabcd0020;
			RAX = 0xbeef;
			RCX = 0xbeef;
			expect_write_at(forms[i].c, forms[i].la, 2,
					m ? "%s (real mode)" : "%s");
		}
	}

	begin(&c_a16_wrap);
	RBX = 0xffff;
	RSI = 0xfffe;
	expect_write_at(&c_a16_wrap, DS16 + 0xffff, 2,
			"%s: the offset wraps at 64 KiB");

	begin(&c_a16_st32);
	RBX = 0x10;
	expect_write_at(&c_a16_st32, DS16 + 0x10, 4,
			"%s: 66h: 32-bit operand in 16-bit code");

	begin(&c_a16_a32);
	RBX = 0x10100;
	RCX = 0x10;
	expect_write_at(&c_a16_a32, DS16 + 0x10140, 2,
			"%s: 67h: 32-bit SIB addressing in 16-bit code");

	begin(&c_a16_imm);
	RBX = 0x10;
	run_done(&c_a16_imm);
	CHECK_EQ(get(DS16 + 0x10, 4), 0xcccc1234);
	done("%s: imm16 in 16-bit code", "movw $0x1234, (%bx)");

	/* IP wraps in 16-bit code: the instruction is at CS:FFFF, CS:0000. */
	begin(&c_a16_bx);
	i = fetch_violations;
	ctx.seg_base[EMUL_SEG_CS] = DS16;
	ctx.rip = 0xffff;
	put(DS16 + 0xffff, 1, 0x89);
	put(DS16, 1, 0x07);
	RBX = 0x100;
	RAX = 0x4321;
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rip, 1);
	CHECK_EQ(get(DS16 + 0x100, 2), 0x4321);
	CHECK_EQ(fetch_violations, i);
	CHECK_EQ(count_ops('f'), 2);
	done("%s: instruction bytes and IP wrap at 64 KiB", "mov %ax, (%bx)");
}

/* ---- Faults ---- */

static void test_faults(void)
{
	struct snapshot s;

	begin(&c_mov_ld32);
	RBX = DATA64 + 0x100000;
	RCX = JUNK;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_PF);
	CHECK_EQ(ctx.exception.cr2, DATA64 + 0x100000);
	CHECK(unchanged(&s));
	done("%s: the read's #PF is passed on, nothing changes",
	     "mov (%rbx), %ecx");

	begin(&c_lock_add);
	RBX = ROM64;
	RCX = 1;
	put(ROM64, 4, 0x7fffffff);
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.error, 3);
	CHECK_EQ(get(ROM64, 4), 0x7fffffff);
	CHECK(unchanged(&s));
	done("%s: a write fault leaves flags and RIP", "lock add %ecx, (%rbx)");

	begin(&c_movsb);
	RSI = DATA64;
	RDI = ROM64;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK(unchanged(&s));
	done("%s: a faulting destination leaves RSI and RDI", "movsb");

	begin(&c_xchg64);
	RBX = ROM64;
	RCX = 1;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK(unchanged(&s));
	done("%s: a faulting write leaves the register", "xchg %rcx, (%rbx)");

	begin(&c_mov_st32);
	RBX = 0x0000800000000000ULL;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_GP);
	CHECK(ctx.exception.has_error && !ctx.exception.error);
	CHECK_EQ(nr_acc - count_ops('f'), 0);
	CHECK(unchanged(&s));
	done("%s: a non-canonical address is #GP(0)", "mov %ecx, (%rbx)");

	begin(&c_mov_st32);
	RBX = 0x00007ffffffffffeULL;
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_GP);
	done("%s: an access running off the canonical half is #GP(0)",
	     "mov %ecx, (%rbx)");

	begin(&c_sib_rsp);
	RSP = 0xff00000000000000ULL;
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_SS);
	done("%s: a non-canonical stack address is #SS(0)",
	     "mov %ecx, 8(%rsp)");

	begin(&c_pfx_ds_rsp);
	RSP = 0xff00000000000000ULL;
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_SS);
	done("%s: a DS override is ignored in 64-bit mode, still #SS",
	     "mov %ecx, %ds:8(%rsp)");

	begin(&c_mov_st32);
	ctx.la57 = true;
	RBX = 0x0000800000000000ULL;
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_PF);
	done("%s: with LA57 the same address is canonical",
	     "mov %ecx, (%rbx)");

	begin(&c_p32_st);
	RBX = 0x0000800000000000ULL | DATA32;
	run_done(&c_p32_st);
	done("%s: no canonical check outside 64-bit mode", "mov %ecx, (%ebx)");
}

static void test_fetch(void)
{
	const u64 page = CODE64 & ~0xfffULL;
	struct snapshot s;
	unsigned int i;

	begin_code_at(&c_mov_st32, page + 0x1000 - 2, 1);
	RBX = DATA64;
	run_done(&c_mov_st32);
	for (i = 0; i < nr_acc; i++)
		CHECK(acc[i].op != 'f' || acc[i].la + acc[i].size <=
					  page + 0x1000);
	done("%s: ending on the last byte of a page, the next page unmapped",
	     "mov %ecx, (%rbx)");

	begin_code_at(&c_mov_imm32, page + 0x1000 - 3, 1);
	RBX = DATA64;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, EMUL_VEC_PF);
	CHECK_EQ(ctx.exception.cr2, page + 0x1000);
	CHECK(unchanged(&s));
	done("%s: crossing into an unmapped page faults on that page",
	     "movl $0xdeadbeef, 4(%rbx)");

	begin_code_at(&c_mov_imm32, page + 0x1000 - 3, 2);
	RBX = DATA64;
	run_done(&c_mov_imm32);
	CHECK_EQ(get(DATA64 + 4, 4), 0xdeadbeef);
	CHECK_EQ(count_ops('f'), 2);
	done("%s: across a page boundary, one fetch per page",
	     "movl $0xdeadbeef, 4(%rbx)");

	/* Bytes the caller already has (decode assists): no fetch. */
	begin_code_at(&c_mov_imm32, CODE64, 0);
	memcpy(ctx.insn, c_mov_imm32.start, len_of(&c_mov_imm32));
	ctx.insn_avail = len_of(&c_mov_imm32);
	RBX = DATA64;
	run_done(&c_mov_imm32);
	CHECK_EQ(count_ops('f'), 0);
	CHECK_EQ(get(DATA64 + 4, 4), 0xdeadbeef);
	done("%s: pre-fetched bytes are used as they are",
	     "movl $0xdeadbeef, 4(%rbx)");

	begin(&c_mov_st32);
	ctx.rip = USER64;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_UNHANDLED);
	CHECK(unchanged(&s));
	done("%s: code in a userspace device is not emulated",
	     "fetch from MMIO");
}

static void test_unhandled(const struct icase *c)
{
	struct snapshot s;

	begin(c);
	RBX = DATA64;
	RSI = DATA64;
	RDI = DATA64 + 0x10;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_UNHANDLED);
	CHECK(unchanged(&s));
	CHECK_EQ(nr_acc - count_ops('f'), 0);
	done("%s: unhandled, nothing touched", c->name);
}

/* ---- Userspace devices: exit and resume ---- */

static void test_user(void)
{
	static const u8 data[8] = { 0x78, 0x56, 0x34, 0x12, 9, 9, 9, 9 };
	struct snapshot s;

	begin(&c_mov_ld32);
	RBX = USER64 + 0x10;
	RCX = JUNK;
	s = snap();
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	CHECK(ctx.mmio.la == USER64 + 0x10 && ctx.mmio.size == 4 &&
	      !ctx.mmio.write);
	CHECK(unchanged(&s));
	emul_complete_read(&ctx, data);
	run_done(&c_mov_ld32);
	CHECK_EQ(RCX, 0x12345678);
	CHECK_EQ(count_ops('R'), 1);
	CHECK_EQ(count_ops('f'), 1);
	done("%s: exit for the read, then complete with the data",
	     "mov (%rbx), %ecx");

	begin(&c_mov_st16);
	RBX = USER64 + 0x20;
	RCX = 0xabcd;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_WRITE);
	CHECK(ctx.mmio.la == USER64 + 0x20 && ctx.mmio.size == 2 &&
	      ctx.mmio.write);
	CHECK(ctx.mmio.data[0] == 0xcd && ctx.mmio.data[1] == 0xab);
	CHECK_EQ(ctx.rip, CODE64 + len_of(&c_mov_st16));
	done("%s: a write completes at once and exits with its data",
	     "mov %cx, (%rbx)");

	begin(&c_or_imm);
	RBX = USER64;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	emul_complete_read(&ctx, "\x11\0\0\0");
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_WRITE);
	CHECK(ctx.mmio.la == USER64 && ctx.mmio.size == 4);
	CHECK_EQ(le(ctx.mmio.data, 4), 0x111);
	CHECK_EQ(ctx.rflags & EMUL_FLAGS_ARITH, EMUL_FLAG_PF);
	CHECK_EQ(ctx.rip, CODE64 + len_of(&c_or_imm));
	done("%s: read exit, then write exit, flags set",
	     "orl $0x100, (%rbx)");

	begin(&c_xchg64);
	RBX = USER64 + 8;
	RCX = PATTERN;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	emul_complete_read(&ctx, data);
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_WRITE);
	CHECK_EQ(le(ctx.mmio.data, 8), PATTERN);
	CHECK_EQ(RCX, 0x0909090912345678ULL);
	done("%s: with a userspace device", "xchg %rcx, (%rbx)");

	begin(&c_lock_btsq);
	RBX = USER64;
	RCX = 65;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	CHECK_EQ(ctx.mmio.la, USER64 + 8);
	emul_complete_read(&ctx, "\0\0\0\0\0\0\0\0");
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_WRITE);
	CHECK_EQ(ctx.mmio.la, USER64 + 8);
	CHECK_EQ(le(ctx.mmio.data, 8), 2);
	done("%s: set_bit() on a userspace device", "lock bts %rcx, (%rbx)");

	begin(&c_rep_movsl);
	RSI = USER64;
	RDI = DATA64;
	RCX = 2;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	emul_complete_read(&ctx, data);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(get(DATA64, 4), 0x12345678);
	CHECK(RCX == 1 && RSI == USER64 + 4 && RDI == DATA64 + 4);
	CHECK_EQ(ctx.rip, CODE64);
	/* The guest executes it again and faults again: a new emulation. */
	s = snap();
	begin(&c_rep_movsl);
	memcpy(ctx.regs, s.regs, sizeof(s.regs));
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	CHECK_EQ(ctx.mmio.la, USER64 + 4);
	done("%s: memcpy_fromio, one element per exit", "rep movsl");

	begin(&c_rep_stosl);
	RDI = USER64;
	RCX = 2;
	RAX = 0x5a5a5a5a;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_WRITE);
	CHECK(RCX == 1 && RDI == USER64 + 4 && ctx.rip == CODE64);
	done("%s: memset_io, RIP stays for the next element", "rep stosl");

	begin(&c_movsb);
	RSI = DATA64;
	RDI = USER64 + 3;
	put(DATA64, 1, 0x3d);
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_WRITE);
	CHECK(ctx.mmio.la == USER64 + 3 && ctx.mmio.data[0] == 0x3d);
	CHECK(RSI == DATA64 + 1 && RDI == USER64 + 4);
	done("%s: RAM to a userspace device", "movsb");

	begin_mode(&c_lodsb, EMUL_MODE_REAL);
	ctx.seg_base[EMUL_SEG_DS] = USER16;
	RSI = 0x10;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	CHECK_EQ(ctx.mmio.la, USER16 + 0x10);
	emul_complete_read(&ctx, "\x42");
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK(RAX == 0x42 && RSI == 0x11);
	done("%s: real mode, userspace device", "lodsb");

	/* The data serves one read: running the load again reads again. */
	begin(&c_mov_ld32);
	RBX = USER64 + 0x10;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	emul_complete_read(&ctx, data);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	ctx.rip = CODE64;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	CHECK_EQ(count_ops('R'), 2);
	done("%s: completed data is used once", "mov (%rbx), %ecx");

	/* Data for another address or size is not taken for this read. */
	begin(&c_mov_ld32);
	RBX = USER64 + 0x10;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	emul_complete_read(&ctx, data);
	RBX = USER64 + 0x20;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	CHECK_EQ(ctx.mmio.la, USER64 + 0x20);
	CHECK_EQ(count_ops('R'), 2);
	done("%s: completed data for another address is not used",
	     "mov (%rbx), %ecx");

	begin(&c_mov_ld16);
	RBX = USER64 + 0x10;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	emul_complete_read(&ctx, data);
	ctx.done.size = 4;
	CHECK_EQ(emul_run(&ctx), EMUL_EXIT_READ);
	done("%s: nor for another size", "mov (%rbx), %cx");
}

static const struct icase *const unhandled[] = {
	&c_u_nop, &c_u_cpuid, &c_u_mul, &c_u_cmpsb, &c_u_push, &c_u_vex,
	&c_u_movnti, &c_u_grp8_0, &c_u_c7_reg1, &c_u_mov_cr, &c_u_ret,
	&c_u_0f38, &c_u_add_al, &c_u_inc_eax32, &c_u_arpl, &c_u_fe_2,
	&c_p32_dec_eax,
};

/* emul_decode_only(): what MOV CRn and port I/O exits do not report. */
static void decode_case(const struct icase *c, u8 opcode, u8 reg, u8 rm,
			bool lock, int seg, u8 ad_bytes)
{
	struct emul_decoded d;
	enum emul_result r;
	u64 rip;

	begin(c);
	rip = ctx.rip;
	r = emul_decode_only(&ctx, &d);
	CHECK_EQ(r, EMUL_DONE);
	if (r == EMUL_DONE) {
		CHECK_EQ(d.len, c->end - c->start);
		CHECK_EQ(d.opcode, opcode);
		CHECK_EQ(d.reg, reg);
		CHECK_EQ(d.rm, rm);
		CHECK_EQ(d.lock, lock);
		CHECK_EQ(d.seg_override, seg);
		CHECK_EQ(d.ad_bytes, ad_bytes);
	}
	/* Nothing executed: registers and RIP as they were. */
	CHECK_EQ(ctx.rip, rip);
	done("decode only: %s", c->name);
}

static void test_decode_only(void)
{
	struct emul_decoded d;

	decode_case(&c_d_mov_to_cr4, 0x22, 4, VIREO_REG_RAX, false, -1, 8);
	decode_case(&c_d_mov_from_cr4_r9, 0x20, 4, 9, false, -1, 8);
	decode_case(&c_d_mov_to_cr8_rex, 0x22, 8, 12, false, -1, 8);
	/* AMD: LOCK MOV CR0 is CR8; the caller adds it. */
	decode_case(&c_d_mov_cr8_lock, 0x22, 0, VIREO_REG_RCX, true, -1, 4);
	/* mod 0 and an rm of 4 would mean a SIB: not for MOV CR. */
	decode_case(&c_d_mov_cr_mod0, 0x22, 4, VIREO_REG_RSP, false, -1, 8);
	decode_case(&c_d_mov_dr7, 0x23, 7, VIREO_REG_RDX, false, -1, 8);
	decode_case(&c_d_outsb_fs, 0x6e, 0, 0, false, EMUL_SEG_FS, 8);
	/* 64-bit mode ignores a CS override. */
	decode_case(&c_d_outsb_cs64, 0x6e, 0, 0, false, -1, 8);
	decode_case(&c_d_outsw_a32, 0x6f, 0, 0, false, -1, 4);
	decode_case(&c_d_insb_es16, 0x6c, 0, 0, false, EMUL_SEG_ES, 2);
	decode_case(&c_d_outsl_a16, 0x6f, 0, 0, false, EMUL_SEG_CS, 2);
	decode_case(&c_d_in_imm, 0xe4, 0, 0, false, -1, 4);
	decode_case(&c_d_out_dx, 0xef, 0, 0, false, -1, 2);

	begin(&c_d_not_mov_cr);
	CHECK_EQ(emul_decode_only(&ctx, &d), EMUL_UNHANDLED);
	done("decode only: %s is not one of its instructions",
	     c_d_not_mov_cr.name);
}

/* ---- segment loads (kernel/emulate/segment.c) ---- */

/* Descriptors: flat, G, present, DPL in bits 46:45, type in 43:40. */
#define DESC(type, dpl, l, db)						\
	(0xffffULL | (0xfULL << 48) | (1ULL << 55) | (1ULL << 47) |	\
	 (1ULL << 44) | ((u64)(dpl) << 45) | ((u64)(type) << 40) |	\
	 ((u64)(l) << 53) | ((u64)(db) << 54))
#define DESC_NP(type)	(DESC(type, 0, 0, 1) & ~(1ULL << 47))
/* A 64-bit call gate (system, type 0xC): unhandled. */
#define DESC_GATE	((1ULL << 47) | (0xcULL << 40))
/* An available 64-bit TSS, base DATA64, limit 0x67: 16 bytes. */
#define TSS_LO		(0x67ULL | ((DATA64 & 0xffffff) << 16) |	\
			 (0x89ULL << 40) | (((DATA64 >> 24) & 0xff) << 56))
#define TSS_HI		(DATA64 >> 32)

enum {
	S_NULL, S_CODE64 = 0x08, S_DATA = 0x10, S_CODE32 = 0x18,
	S_DATA_DPL3 = 0x20, S_DATA_NP = 0x28, S_GATE = 0x30, S_TSS = 0x38,
	S_CODE64_DPL3 = 0x48, S_RO_DATA = 0x50, S_XONLY = 0x58,
	S_GDT_END = 0x60,
};

/*
 * The segment state for the mode begin() chose: CPL 0, a GDT at @gdt
 * (in ROM for 64-bit tests, RAM for 32-bit ones), its descriptors'
 * accessed bits clear.
 */
static void seg_setup(u64 gdt)
{
	static const u64 descs[] = {
		[S_CODE64 / 8] = DESC(0xa, 0, 1, 0),
		[S_DATA / 8] = DESC(0x2, 0, 0, 1),
		[S_CODE32 / 8] = DESC(0xa, 0, 0, 1),
		[S_DATA_DPL3 / 8] = DESC(0x2, 3, 0, 1),
		[S_DATA_NP / 8] = DESC_NP(0x2),
		[S_GATE / 8] = DESC_GATE,
		[S_TSS / 8] = TSS_LO, [S_TSS / 8 + 1] = TSS_HI,
		[S_CODE64_DPL3 / 8] = DESC(0xa, 3, 1, 0),
		[S_RO_DATA / 8] = DESC(0x0, 0, 0, 1),
		[S_XONLY / 8] = DESC(0x8, 0, 0, 1),
	};
	bool l = ctx.mode == EMUL_MODE_LONG64;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(descs); i++)
		memcpy(at(gdt + i * 8), &descs[i], 8);
	ctx.seg_state = true;
	ctx.cpl = 0;
	ctx.gdt_base = gdt;
	ctx.gdt_limit = S_GDT_END - 1;
	ctx.ldt.unusable = true;
	for (i = 0; i < EMUL_NR_SEGS; i++) {
		ctx.segs[i] = (struct emul_segment) {
			.base = ctx.seg_base[i], .limit = 0xffffffff,
			.selector = S_DATA, .type = 3, .s = 1, .present = 1,
			.db = 1, .g = 1,
		};
	}
	ctx.segs[EMUL_SEG_CS].selector = l ? S_CODE64 : S_CODE32;
	ctx.segs[EMUL_SEG_CS].type = 0xb;
	ctx.segs[EMUL_SEG_CS].l = l;
	ctx.segs[EMUL_SEG_CS].db = !l;
}

static u8 desc_type(u64 gdt, u16 sel)
{
	return *at(gdt + (sel & ~7) + 5) & 0xf;
}

static void expect_exc(u8 vector, u32 error)
{
	CHECK_EQ(emul_run(&ctx), EMUL_EXCEPTION);
	CHECK_EQ(ctx.exception.vector, vector);
	CHECK_EQ(ctx.exception.error, error);
}

static void test_seg_loads64(void)
{
	struct snapshot snapshot;

	/* MOV DS: loaded, accessed in the register, the ROM unchanged. */
	begin(&c_s_mov_ds);
	seg_setup(ROM64);
	RAX = S_DATA;
	run_done(&c_s_mov_ds);
	CHECK_EQ(ctx.segs_changed, 1u << EMUL_SEG_DS);
	CHECK_EQ(ctx.segs[EMUL_SEG_DS].selector, S_DATA);
	CHECK_EQ(ctx.segs[EMUL_SEG_DS].type, 3);
	CHECK_EQ(desc_type(ROM64, S_DATA), 2);
	CHECK_EQ(count_ops('d'), 1);
	CHECK(!ctx.mov_ss);
	done("segment: %s from ROM, the accessed bit dropped", "mov ds");

	/* RPL 3 data at CPL 0 with DPL 0: RPL > DPL is #GP(sel). */
	begin(&c_s_mov_ds);
	seg_setup(ROM64);
	RAX = S_DATA | 3;
	snapshot = snap();
	expect_exc(13, S_DATA);
	CHECK(unchanged(&snapshot));
	CHECK_EQ(ctx.segs_changed, 0);
	done("segment: %s", "mov ds, RPL above DPL: #GP(sel)");

	begin(&c_s_mov_ds);
	seg_setup(ROM64);
	RAX = S_DATA_NP;
	expect_exc(11, S_DATA_NP);
	done("segment: %s", "mov ds, not present: #NP(sel)");

	begin(&c_s_mov_ds);
	seg_setup(ROM64);
	RAX = S_GDT_END;
	expect_exc(13, S_GDT_END);
	done("segment: %s", "mov ds past the GDT limit: #GP(sel)");

	begin(&c_s_mov_ds);
	seg_setup(ROM64);
	RAX = S_XONLY;
	expect_exc(13, S_XONLY);
	done("segment: %s", "mov ds, execute-only code: #GP(sel)");

	begin(&c_s_mov_ds);
	seg_setup(ROM64);
	RAX = 3;
	run_done(&c_s_mov_ds);
	CHECK(ctx.segs[EMUL_SEG_DS].unusable);
	CHECK_EQ(ctx.segs[EMUL_SEG_DS].selector, 3);
	done("segment: %s", "mov ds, null: unusable");

	/* SS: writable data with DPL = RPL = CPL; a shadow after it. */
	begin(&c_s_mov_ss);
	seg_setup(ROM64);
	RAX = S_DATA;
	run_done(&c_s_mov_ss);
	CHECK(ctx.mov_ss);
	CHECK_EQ(ctx.segs[EMUL_SEG_SS].type, 3);
	done("segment: %s", "mov ss, and the MOV SS shadow");

	begin(&c_s_mov_ss);
	seg_setup(ROM64);
	RAX = S_RO_DATA;
	expect_exc(13, S_RO_DATA);
	done("segment: %s", "mov ss, read-only data: #GP(sel)");

	begin(&c_s_mov_ss);
	seg_setup(ROM64);
	RAX = 0;
	run_done(&c_s_mov_ss);
	/* Flat data with DPL = CPL: the backends take the CPL from it. */
	CHECK(!ctx.segs[EMUL_SEG_SS].unusable);
	CHECK_EQ(ctx.segs[EMUL_SEG_SS].selector, 0);
	CHECK_EQ(ctx.segs[EMUL_SEG_SS].dpl, 0);
	CHECK_EQ(ctx.segs[EMUL_SEG_SS].type, 3);
	done("segment: %s", "mov ss, null, CPL 0 in 64-bit mode: allowed");

	/* At CPL 2 (RPL 2) a null SS keeps CPL 2, not 0. */
	begin(&c_s_mov_ss);
	seg_setup(ROM64);
	ctx.cpl = 2;
	RAX = 2;
	run_done(&c_s_mov_ss);
	CHECK_EQ(ctx.segs[EMUL_SEG_SS].dpl, 2);
	done("segment: %s", "mov ss, null at CPL 2: DPL 2, no privilege gained");

	/* Compatibility mode (LMA, CS.L clear): L and D together are #GP. */
	begin(&c_s_ljmp_m32);
	seg_setup(ROM64);
	memcpy(at(ROM64 + S_CODE32), &(u64){ DESC(0xa, 0, 1, 1) }, 8);
	RBX = DATA64;
	put(DATA64, 4, 0x1234);
	put(DATA64 + 4, 2, S_CODE32);
	expect_exc(13, S_CODE32);
	done("segment: %s", "ljmp to a code segment with L and D in IA-32e mode");

	/* LTR of a TSS whose base is not canonical: #GP(sel). */
	begin(&c_s_ltr);
	seg_setup(ROM64);
	memcpy(at(ROM64 + S_TSS + 8), &(u64){ 0x00008000ULL }, 8);
	RAX = S_TSS;
	expect_exc(13, S_TSS);
	done("segment: %s", "ltr of a TSS at a non-canonical base: #GP(sel)");

	begin(&c_s_mov_cs);
	seg_setup(ROM64);
	expect_exc(6, 0);
	done("segment: %s", "mov cs: #UD");

	/* POP FS: 8 bytes in 64-bit mode. */
	begin(&c_s_pop_fs);
	seg_setup(ROM64);
	RSP = DATA64 + 0x100;
	put(DATA64 + 0x100, 8, S_DATA);
	run_done(&c_s_pop_fs);
	CHECK_EQ(RSP, DATA64 + 0x108);
	CHECK_EQ(ctx.segs[EMUL_SEG_FS].selector, S_DATA);
	CHECK_EQ(ctx.seg_base[EMUL_SEG_FS], 0);
	done("segment: %s", "pop fs");

	/* Far JMP through m16:32 to 32-bit code (compatibility mode). */
	begin(&c_s_ljmp_m32);
	seg_setup(ROM64);
	RBX = DATA64;
	put(DATA64, 4, 0x1234);
	put(DATA64 + 4, 2, S_CODE32);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rip, 0x1234);
	CHECK_EQ(ctx.segs[EMUL_SEG_CS].selector, S_CODE32);
	CHECK_EQ(ctx.segs[EMUL_SEG_CS].l, 0);
	CHECK_EQ(ctx.segs[EMUL_SEG_CS].type, 0xb);
	done("segment: %s", "ljmp *m16:32 to compatibility mode");

	begin(&c_s_ljmp_m32);
	seg_setup(ROM64);
	RBX = DATA64;
	put(DATA64, 4, 0x1234);
	put(DATA64 + 4, 2, S_GATE);
	CHECK_EQ(emul_run(&ctx), EMUL_UNHANDLED);
	done("segment: %s", "ljmp through a call gate: unhandled");

	begin(&c_s_ljmp_m32);
	seg_setup(ROM64);
	RBX = DATA64;
	put(DATA64, 4, 0x1234);
	put(DATA64 + 4, 2, S_CODE64_DPL3 | 3);
	expect_exc(13, S_CODE64_DPL3);
	done("segment: %s", "ljmp to nonconforming DPL 3 code at CPL 0: #GP");

	/* Far CALL m16:32: CS, then EIP, 4 bytes each. */
	begin(&c_s_lcall_m32);
	seg_setup(ROM64);
	RBX = DATA64;
	RSP = DATA64 + 0x200;
	put(DATA64, 4, 0x4000);
	put(DATA64 + 4, 2, S_CODE64);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rip, 0x4000);
	CHECK_EQ(RSP, DATA64 + 0x1f8);
	CHECK_EQ(get(DATA64 + 0x1fc, 4), S_CODE64);
	CHECK_EQ(get(DATA64 + 0x1f8, 4),
		 (u32)(CODE64 + len_of(&c_s_lcall_m32)));
	done("segment: %s", "lcall *m16:32 pushes CS and EIP");

	/* LRET (32-bit operands) and LRETQ $8. */
	begin(&c_s_lret);
	seg_setup(ROM64);
	RSP = DATA64 + 0x200;
	put(DATA64 + 0x200, 4, 0x5000);
	put(DATA64 + 0x204, 4, S_CODE64);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rip, 0x5000);
	CHECK_EQ(RSP, DATA64 + 0x208);
	done("segment: %s", "lret");

	begin(&c_s_lretq_imm);
	seg_setup(ROM64);
	RSP = DATA64 + 0x200;
	put(DATA64 + 0x200, 8, 0xffffffff81005000ULL);
	put(DATA64 + 0x208, 8, S_CODE64);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rip, 0xffffffff81005000ULL);
	CHECK_EQ(RSP, DATA64 + 0x218);
	done("segment: %s", "lretq $8");

	begin(&c_s_lret);
	seg_setup(ROM64);
	RSP = DATA64 + 0x200;
	put(DATA64 + 0x200, 4, 0x5000);
	put(DATA64 + 0x204, 4, S_CODE64_DPL3 | 3);
	CHECK_EQ(emul_run(&ctx), EMUL_UNHANDLED);
	done("segment: %s", "lret to CPL 3: unhandled");

	/* IRETQ: RIP, CS, RFLAGS, RSP, SS. */
	begin(&c_s_iretq);
	seg_setup(ROM64);
	RSP = DATA64 + 0x200;
	put(DATA64 + 0x200, 8, 0xffffffff81006000ULL);
	put(DATA64 + 0x208, 8, S_CODE64);
	put(DATA64 + 0x210, 8, 0x3000 | 0x200 | 0x1 | 0x20000);
	put(DATA64 + 0x218, 8, DATA64 + 0x800);
	put(DATA64 + 0x220, 8, S_DATA);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rip, 0xffffffff81006000ULL);
	CHECK_EQ(RSP, DATA64 + 0x800);
	/* VM is never loaded here; IOPL and IF are at CPL 0. */
	CHECK_EQ(ctx.rflags, 0x3000 | 0x200 | 0x1 | 0x2);
	CHECK_EQ(ctx.segs_changed,
		 (1u << EMUL_SEG_CS) | (1u << EMUL_SEG_SS));
	CHECK(!ctx.mov_ss);
	done("segment: %s", "iretq to CPL 0");

	/* LTR: busy in the register, dropped in ROM; busy again: #GP. */
	begin(&c_s_ltr);
	seg_setup(ROM64);
	RAX = S_TSS;
	run_done(&c_s_ltr);
	CHECK_EQ(ctx.segs_changed, EMUL_SEGS_TR);
	CHECK_EQ(ctx.tr.type, 0xb);
	CHECK_EQ(ctx.tr.base, DATA64);
	CHECK_EQ(desc_type(ROM64, S_TSS), 9);
	done("segment: %s", "ltr from ROM");

	begin(&c_s_ltr);
	seg_setup(ROM64);
	*at(ROM64 + S_TSS + 5) |= 2;
	RAX = S_TSS;
	expect_exc(13, S_TSS);
	done("segment: %s", "ltr of a busy TSS: #GP(sel)");

	begin(&c_s_ltr);
	seg_setup(ROM64);
	ctx.cpl = 3;
	RAX = S_TSS;
	expect_exc(13, 0);
	done("segment: %s", "ltr at CPL 3: #GP(0)");

	/* Without the segment state: unhandled. */
	begin(&c_s_mov_ds);
	RAX = S_DATA;
	CHECK_EQ(emul_run(&ctx), EMUL_UNHANDLED);
	done("segment: %s", "no segment state: unhandled");
}

static void test_seg_loads32(void)
{
	/* A GDT in RAM takes the accessed bit. */
	begin(&c_s_lds32);
	seg_setup(DATA32 + 0x1000);
	RBX = DATA32;
	put(DATA32, 4, 0xcafef00d);
	put(DATA32 + 4, 2, S_DATA);
	run_done(&c_s_lds32);
	CHECK_EQ(RAX, 0xcafef00d);
	CHECK_EQ(ctx.segs[EMUL_SEG_DS].selector, S_DATA);
	CHECK_EQ(desc_type(DATA32 + 0x1000, S_DATA), 3);
	CHECK_EQ(count_ops('i'), 1);
	done("segment: %s", "lds m16:32, accessed bit written to RAM");

	begin(&c_s_pop_es32);
	seg_setup(DATA32 + 0x1000);
	RSP = DATA32 + 0x100;
	put(DATA32 + 0x100, 4, S_DATA);
	run_done(&c_s_pop_es32);
	CHECK_EQ(RSP, DATA32 + 0x104);
	CHECK_EQ(ctx.segs[EMUL_SEG_ES].selector, S_DATA);
	done("segment: %s", "pop es, 32-bit");

	begin(&c_s_lcall32);
	seg_setup(DATA32 + 0x1000);
	RSP = DATA32 + 0x200;
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rip, 0x123456);
	CHECK_EQ(RSP, DATA32 + 0x1f8);
	CHECK_EQ(get(DATA32 + 0x1fc, 4), S_CODE32);
	CHECK_EQ(get(DATA32 + 0x1f8, 4), CODE32 + len_of(&c_s_lcall32));
	CHECK_EQ(ctx.segs[EMUL_SEG_CS].selector, S_CODE32);
	done("segment: %s", "lcall ptr16:32");

	/* A return to CPL 3 from CPL 0 is not emulated. */
	begin(&c_s_iretl32);
	seg_setup(DATA32 + 0x1000);
	RSP = DATA32 + 0x200;
	put(DATA32 + 0x200, 4, 0x7000);
	put(DATA32 + 0x204, 4, S_CODE32 | 3);
	put(DATA32 + 0x208, 4, 0x3000 | 0x200 | 0x800 | 0x1);
	CHECK_EQ(emul_run(&ctx), EMUL_UNHANDLED);
	done("segment: %s", "iretl to another privilege level: unhandled");

	/* At CPL 3 IOPL and IF stay (IOPL 0), the arithmetic flags load. */
	begin(&c_s_iretl32);
	seg_setup(DATA32 + 0x1000);
	memcpy(at(DATA32 + 0x1000 + S_CODE32), &(u64){ DESC(0xa, 3, 0, 1) }, 8);
	ctx.cpl = 3;
	ctx.rflags = 0x2;
	RSP = DATA32 + 0x200;
	put(DATA32 + 0x200, 4, 0x7000);
	put(DATA32 + 0x204, 4, S_CODE32 | 3);
	put(DATA32 + 0x208, 4, 0x3000 | 0x200 | 0x800 | 0x1);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rflags, 0x800 | 0x1 | 0x2);
	CHECK_EQ(ctx.segs[EMUL_SEG_CS].selector, S_CODE32 | 3);
	done("segment: %s", "iretl at CPL 3: IOPL and IF kept");

	begin(&c_s_iretl32);
	seg_setup(DATA32 + 0x1000);
	RSP = DATA32 + 0x200;
	ctx.rflags = 0x2 | 0x4000;	/* NT: a task return */
	put(DATA32 + 0x204, 4, S_CODE32);
	CHECK_EQ(emul_run(&ctx), EMUL_UNHANDLED);
	done("segment: %s", "iretl with NT: unhandled");

	begin(&c_s_iretl32);
	seg_setup(DATA32 + 0x1000);
	RSP = DATA32 + 0x200;
	put(DATA32 + 0x200, 4, 0x7000);
	put(DATA32 + 0x204, 4, S_CODE32);
	put(DATA32 + 0x208, 4, 0x800 | 0x1 | 0x200);
	CHECK_EQ(emul_run(&ctx), EMUL_DONE);
	CHECK_EQ(ctx.rip, 0x7000);
	CHECK_EQ(RSP, DATA32 + 0x20c);
	CHECK_EQ(ctx.rflags, 0x800 | 0x1 | 0x200 | 0x2);
	done("segment: %s", "iretl to CPL 0");
}

int main(void)
{
	unsigned int i;

	test_decode_only();
	test_seg_loads64();
	test_seg_loads32();
	test_mov_store(&c_mov_st8, 1);
	test_mov_store(&c_mov_st16, 2);
	test_mov_store(&c_mov_st32, 4);
	test_mov_store(&c_mov_st64, 8);
	test_mov_load(&c_mov_ld8, 1);
	test_mov_load(&c_mov_ld16, 2);
	test_mov_load(&c_mov_ld32, 4);
	test_mov_load(&c_mov_ld64, 8);
	test_mov_byte_regs();
	test_mov_imm();
	test_moffs();
	test_extends();

	test_stos(&c_stosb, 1);
	test_stos(&c_stosw, 2);
	test_stos(&c_stosl, 4);
	test_stos(&c_stosq, 8);
	test_rep_stos();
	test_movs();

	for (i = 0; i < ARRAY_SIZE(alu_cases); i++)
		test_alu_case(&alu_cases[i]);
	test_alu_specials();
	test_xchg();
	for (i = 0; i < ARRAY_SIZE(bt_cases); i++)
		test_bt_case(&bt_cases[i]);
	test_bt_misc();

	test_prefixes();
	test_lock_ud(&c_lock_mov);
	test_lock_ud(&c_lock_cmp);
	test_lock_ud(&c_lock_add_rr);
	test_lock_ud(&c_lock_add_toreg);
	test_too_long();

	test_addressing64();
	test_addressing32();
	test_addressing16();
	test_faults();
	test_fetch();
	for (i = 0; i < ARRAY_SIZE(unhandled); i++)
		test_unhandled(unhandled[i]);
	test_user();

	ok(!fetch_violations, "instruction fetches stay within a page and "
	   "15 bytes (%u violations)", fetch_violations);
	return tap_done();
}
