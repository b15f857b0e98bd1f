/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Emulation of the x86 instructions a guest uses on memory-mapped I/O.
 *
 * A nested page fault without decode assists (AMD) or an EPT violation
 * (Intel) reports only the guest-physical address, so the instruction at
 * RIP is fetched, decoded and executed here.  The emulator knows nothing of
 * paging, memory slots or devices: it computes linear addresses and reaches
 * memory only through the caller's emul_ops, whose walker decides what each
 * address is (RAM, the local APIC, a device in userspace).  The same source
 * builds into vireo.ko and, for the unit tests, on the host.
 *
 * Use:
 *	emul_init(&ctx, mode, &ops, opaque);
 *	copy the GPRs, RIP, RFLAGS and segment bases into ctx;
 *	switch (emul_run(&ctx)) ...
 *
 * Results:
 *   EMUL_DONE		the instruction completed: regs[], rip, rflags hold
 *			the new state; copy them back.
 *   EMUL_EXIT_WRITE	the same, and ctx->mmio describes a write userspace
 *			must see (an exit to userspace; nothing comes back).
 *   EMUL_EXIT_READ	ctx->mmio describes a read only userspace can answer.
 *			Nothing changed.  Once the data is there (the next
 *			RUN), call emul_complete_read() and emul_run() again
 *			on the same ctx: the instruction is decoded again from
 *			the bytes kept in insn[] and the read is served from
 *			the data supplied, not from the ops.
 *   EMUL_EXCEPTION	inject ctx->exception; nothing changed.
 *   EMUL_UNHANDLED	not an instruction this emulator executes (the caller
 *			reports VIREO_INTERNAL_ERROR_EMULATION); nothing changed.
 *
 * Each instruction makes at most one write, always its last memory access,
 * and registers change only after it succeeded; so "nothing changed" holds
 * for guest memory as well, except for reads with side effects that the
 * caller performed before a later fault.  Segment loads (segment.c) are the
 * exception: a descriptor's accessed or busy bit goes through
 * write_implicit, and a far CALL pushes twice, to RAM only.
 *
 * REP MOVS/STOS/LODS run one element per emul_run().  While the count is
 * not exhausted RIP stays on the instruction: the guest executes it again
 * and the next element faults again (or runs natively on RAM).  This is how
 * the CPU itself lets interrupts in between iterations (SDM Vol. 2B "REP/
 * REPE/REPZ/REPNE/REPNZ"), so the guest sees nothing unusual.
 *
 * To resume after EMUL_EXIT_READ the caller keeps the ctx across the exit
 * to userspace (it is small enough to live in the vCPU): the kept bytes
 * also mean a guest that rewrote the instruction meanwhile does not get
 * another instruction completed with this data.  If the registers did
 * change, the data matches no read and the ops are asked again.
 *
 * Not done here: segment limit and type checks, alignment checks, A20,
 * single-step (RFLAGS.TF) and the resume flag; these are left to the caller.
 * Outside 64-bit mode linear addresses wrap at 4 GiB.  Reads and writes are
 * never split: an access may cross a page boundary, and the ops must then
 * translate both pages before touching either.  LOCKed instructions are
 * accepted but not atomic: they target devices, not RAM other vCPUs share.
 */
#ifndef VIREO_EMULATE_H
#define VIREO_EMULATE_H

#include <linux/types.h>

#define EMUL_MAX_INSN	15	/* longer is #GP (SDM Vol. 3A "Interrupt 13") */
#define EMUL_NR_REGS	16

/* Exception vectors the emulator raises itself (SDM Vol. 3A 6.15). */
#define EMUL_VEC_UD	6	/* LOCK where it is not allowed */
#define EMUL_VEC_SS	12	/* non-canonical stack address */
#define EMUL_VEC_GP	13	/* non-canonical address, instruction too long */
#define EMUL_VEC_PF	14	/* only from the caller's ops */

/* Decided by the caller from CR0.PE, EFER.LMA, CS.L and CS.D. */
enum emul_mode {
	EMUL_MODE_REAL,		/* CR0.PE clear: 16-bit, no error codes */
	EMUL_MODE_PROT16,	/* CS.D clear (also virtual-8086 mode) */
	EMUL_MODE_PROT32,	/* CS.D set, protected or compatibility mode */
	EMUL_MODE_LONG64,	/* EFER.LMA and CS.L: 64-bit mode */
};

/* Segment registers, in encoding order (SDM Vol. 2A 3.1.1.3 "Sreg"). */
enum emul_seg {
	EMUL_SEG_ES, EMUL_SEG_CS, EMUL_SEG_SS,
	EMUL_SEG_DS, EMUL_SEG_FS, EMUL_SEG_GS,
	EMUL_NR_SEGS,
};

enum emul_result {
	EMUL_DONE,
	EMUL_EXIT_READ,
	EMUL_EXIT_WRITE,
	EMUL_EXCEPTION,
	EMUL_UNHANDLED,
};

/*
 * What an op returns.  EMUL_ACCESS_FAULT: the op filled ctx->exception.
 * EMUL_ACCESS_USER: for a read, only userspace has the data; for a write,
 * userspace must see it (the op stores it nowhere).
 */
enum emul_access {
	EMUL_ACCESS_OK,
	EMUL_ACCESS_FAULT,
	EMUL_ACCESS_USER,
};

struct emul_exception {
	u8 vector;
	bool has_error;
	u32 error;
	u64 cr2;		/* #PF only */
};

/* One access that needs userspace, by linear address. */
struct emul_mmio {
	u64 la;
	u8 size;		/* 1, 2, 4 or 8 */
	bool write;
	u8 data[8];		/* the bytes written or supplied */
};

/*
 * A segment register with its hidden part, as struct vireo_segment has it
 * (SDM Vol. 3A 3.4.5 "Segment Descriptors" for the fields).
 */
struct emul_segment {
	u64 base;
	u32 limit;		/* in bytes, granularity applied */
	u16 selector;
	u8 type, s, dpl, present, avl, l, db, g;
	bool unusable;		/* a null selector was loaded */
};

/* ctx->segs_changed: EMUL_SEG_* bits, and TR. */
#define EMUL_SEGS_TR		(1u << EMUL_NR_SEGS)

struct emul_ctx;

/*
 * The caller's access to guest memory by linear address.  fetch asks for
 * instruction bytes and never crosses a 4 KiB boundary in one call; it may
 * return OK or FAULT (anything else makes the instruction unhandled).
 */
struct emul_ops {
	enum emul_access (*fetch)(struct emul_ctx *ctx, u64 la, void *buf,
				  unsigned int len);
	enum emul_access (*read)(struct emul_ctx *ctx, u64 la, void *buf,
				 unsigned int size);
	enum emul_access (*write)(struct emul_ctx *ctx, u64 la,
				  const void *buf, unsigned int size);
	/*
	 * A write the CPU makes for itself while loading a segment: the
	 * accessed bit of a descriptor, the busy bit of a TSS descriptor.
	 * RAM takes it; anywhere else (ROM, a device) it is dropped, as a
	 * bus drops a write to ROM.  OK or FAULT.
	 */
	enum emul_access (*write_implicit)(struct emul_ctx *ctx, u64 la,
					   const void *buf, unsigned int size);
};

struct emul_ctx {
	/* Inputs: emul_init(), then the guest state. */
	enum emul_mode mode;
	bool la57;			/* 5-level paging: 57-bit canonical */
	const struct emul_ops *ops;
	void *opaque;			/* for the ops */
	u64 regs[EMUL_NR_REGS];		/* encoding order, as VIREO_REG_* */
	u64 rip;
	u64 rflags;
	u64 seg_base[EMUL_NR_SEGS];	/* only FS and GS in 64-bit mode */

	/*
	 * For the instructions that load segment registers (segment.c: MOV
	 * and POP to a segment register, LDS..LGS, far JMP, CALL and RET,
	 * IRET, LTR), in protected and long mode: without seg_state they
	 * are unhandled.  segs[] must agree with seg_base[].
	 */
	bool seg_state;
	bool lma;			/* EFER.LMA: IA-32e mode */
	u8 cpl;
	struct emul_segment segs[EMUL_NR_SEGS];
	struct emul_segment tr, ldt;
	u64 gdt_base;
	u16 gdt_limit;
	/* Set by segment.c while it reaches descriptor tables (supervisor). */
	bool system_access;

	/*
	 * The instruction bytes fetched so far.  The caller may pre-fill
	 * them (e.g. from the guest instruction bytes a VMCB carries with
	 * decode assists); they are kept for a resumed instruction.
	 */
	u8 insn[EMUL_MAX_INSN];
	u8 insn_avail;
	u8 insn_len;			/* output: the instruction's length */

	/* emul_complete_read(): the one read the next emul_run() serves. */
	bool read_done;
	struct emul_mmio done;

	/* Outputs. */
	struct emul_mmio mmio;		/* EMUL_EXIT_READ, EMUL_EXIT_WRITE */
	u8 segs_changed;		/* EMUL_DONE: segs[] or tr reloaded */
	/* SS loaded: no interrupt before the next instruction (6.8.3). */
	bool mov_ss;
	struct emul_exception exception; /* EMUL_EXCEPTION */
};

/*
 * An instruction decoded but not executed, for exits that name the
 * instruction without its operands: MOV to or from a control or debug
 * register (0F 20-23: the general register and the CR/DR number, from
 * ModRM whatever its mod bits, SDM Vol. 2B "MOV - Move to/from Control
 * Registers") and port I/O (6C-6F, E4-E7, EC-EF: the segment override and
 * the address size of INS/OUTS).
 */
struct emul_decoded {
	u8 len;
	bool two_byte;		/* 0F opcode */
	u8 opcode;		/* the byte after 0F for two-byte opcodes */
	u8 reg, rm;		/* ModRM fields with REX.R and REX.B */
	bool lock;		/* F0 (AMD: MOV CR0 with LOCK is CR8) */
	s8 seg_override;	/* EMUL_SEG_*, -1 when none or ignored */
	u8 ad_bytes;		/* 2, 4, 8 */
};

/*
 * Decode the instruction at CS:RIP through ctx (emul_init() and the guest
 * state, as for emul_run()).  EMUL_DONE with *d filled; EMUL_EXCEPTION
 * when fetching faulted or the instruction is too long; EMUL_UNHANDLED for
 * other opcodes.
 */
enum emul_result emul_decode_only(struct emul_ctx *ctx,
				  struct emul_decoded *d);

/* Start an instruction: clears everything, fetched bytes included. */
void emul_init(struct emul_ctx *ctx, enum emul_mode mode,
	       const struct emul_ops *ops, void *opaque);

/* Decode and execute the instruction at CS:RIP. */
enum emul_result emul_run(struct emul_ctx *ctx);

/*
 * After EMUL_EXIT_READ: data holds ctx->mmio.size bytes from userspace.
 * The next emul_run() on this ctx uses them for the read of the same
 * address and size (once), and calls the ops for any other access.
 */
void emul_complete_read(struct emul_ctx *ctx, const void *data);

#endif /* VIREO_EMULATE_H */
