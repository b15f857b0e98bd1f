// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access to guest-physical memory no writable slot backs.
 * The instruction is emulated (emulate/): accesses that land in the local
 * APIC page are answered here, RAM is read and written through the slots,
 * and the rest becomes a VIREO_EXIT_MMIO for the device model.  A read
 * from userspace completes on the next RUN with the data it left in
 * run->mmio.data; a write is complete when it exits.
 */
#include <linux/mm.h>
#include <linux/string.h>

#include "vireo.h"
#include "emulate/emulate.h"

static struct vireo_vcpu *ctx_vcpu(struct emul_ctx *ctx)
{
	return ctx->opaque;
}

static void fault_to_emul(struct emul_ctx *ctx, const struct vireo_exception *f)
{
	ctx->exception.vector = f->vector;
	ctx->exception.has_error = f->has_error;
	ctx->exception.error = f->error;
	ctx->exception.cr2 = f->cr2;
}

static enum emul_access mmio_fetch(struct emul_ctx *ctx, u64 la, void *buf,
				   unsigned int len)
{
	struct vireo_vcpu *vcpu = ctx_vcpu(ctx);
	struct vireo_exception f = {};
	int r;

	r = vireo_rw_linear(vcpu, &vcpu->mmio_sregs, la, buf, len, false, &f);
	if (r == -EFAULT) {
		fault_to_emul(ctx, &f);
		return EMUL_ACCESS_FAULT;
	}
	/* Fetching from MMIO itself is not supported: unhandled. */
	return r ? EMUL_ACCESS_USER : EMUL_ACCESS_OK;
}

/*
 * A linear address to guest-physical for a data access: with the CPL's
 * rights, or a supervisor's for the descriptor tables, which the CPU
 * reaches as the system whatever the CPL (SDM Vol. 3A 4.6, "implicit
 * supervisor-mode accesses").  A fault is left in ctx.
 */
static int mmio_translate(struct emul_ctx *ctx, u64 la, bool write, u64 *gpa)
{
	struct vireo_vcpu *vcpu = ctx_vcpu(ctx);
	const struct vireo_sregs *s = &vcpu->mmio_sregs;
	struct vireo_exception f = {};
	int r;

	r = vireo_gva_to_gpa_as(vcpu, s, la, write,
				!ctx->system_access && s->ss.dpl == 3, gpa, &f);
	if (r)
		fault_to_emul(ctx, &f);
	return r;
}

/*
 * Data accesses.  One that crosses a page must be RAM on both sides (no
 * device register straddles a page); otherwise the one guest-physical
 * address decides: the LAPIC, RAM, or userspace.
 */
static enum emul_access mmio_rw(struct emul_ctx *ctx, u64 la, void *buf,
				unsigned int size, bool write)
{
	struct vireo_vcpu *vcpu = ctx_vcpu(ctx);
	struct vireo_exception f = {};
	u64 gpa;
	int r;

	if (offset_in_page(la) + size > PAGE_SIZE) {
		r = vireo_rw_linear(vcpu, &vcpu->mmio_sregs, la, buf, size,
				    write, &f);
		if (r == -EFAULT) {
			fault_to_emul(ctx, &f);
			return EMUL_ACCESS_FAULT;
		}
		vcpu->mmio_split = r;
		return r ? EMUL_ACCESS_USER : EMUL_ACCESS_OK;
	}
	r = mmio_translate(ctx, la, write, &gpa);
	if (r)
		return EMUL_ACCESS_FAULT;
	if (vireo_lapic_mmio_hit(vcpu, gpa)) {
		u32 off = gpa & (LAPIC_PAGE_SIZE - 1);

		if (write)
			vireo_lapic_mmio_write(vcpu, off, buf, size);
		else
			vireo_lapic_mmio_read(vcpu, off, buf, size);
		return EMUL_ACCESS_OK;
	}
	r = write ? vireo_write_gpa(vcpu->vm, gpa, buf, size) :
		    vireo_read_gpa(vcpu->vm, gpa, buf, size);
	if (!r)
		return EMUL_ACCESS_OK;
	vcpu->mmio_gpa = gpa;
	vcpu->mmio_split = false;
	return EMUL_ACCESS_USER;
}

static enum emul_access mmio_read(struct emul_ctx *ctx, u64 la, void *buf,
				  unsigned int size)
{
	return mmio_rw(ctx, la, buf, size, false);
}

static enum emul_access mmio_write(struct emul_ctx *ctx, u64 la,
				   const void *buf, unsigned int size)
{
	return mmio_rw(ctx, la, (void *)buf, size, true);
}

/*
 * The accessed and busy bits the CPU sets in descriptors: RAM takes them;
 * ROM, devices and holes drop them, as a bus drops a write to ROM.  A
 * descriptor table in a device is too odd to hand to userspace.
 */
static enum emul_access mmio_write_implicit(struct emul_ctx *ctx, u64 la,
					    const void *buf, unsigned int size)
{
	struct vireo_vcpu *vcpu = ctx_vcpu(ctx);
	u64 gpa;

	if (mmio_translate(ctx, la, true, &gpa))
		return EMUL_ACCESS_FAULT;
	if (!vireo_lapic_mmio_hit(vcpu, gpa))
		vireo_write_gpa(vcpu->vm, gpa, buf, size);
	return EMUL_ACCESS_OK;
}

static const struct emul_ops vireo_mmio_ops = {
	.fetch		= mmio_fetch,
	.read		= mmio_read,
	.write		= mmio_write,
	.write_implicit	= mmio_write_implicit,
};

static void seg_to_emul(const struct vireo_segment *v, struct emul_segment *e)
{
	*e = (struct emul_segment) {
		.base = v->base, .limit = v->limit, .selector = v->selector,
		.type = v->type, .s = v->s, .dpl = v->dpl,
		.present = v->present, .avl = v->avl, .l = v->l, .db = v->db,
		.g = v->g, .unusable = v->unusable,
	};
}

static void seg_from_emul(const struct emul_segment *e, struct vireo_segment *v)
{
	*v = (struct vireo_segment) {
		.base = e->base, .limit = e->limit, .selector = e->selector,
		.type = e->type, .s = e->s, .dpl = e->dpl,
		.present = e->present, .avl = e->avl, .l = e->l, .db = e->db,
		.g = e->g, .unusable = e->unusable,
	};
}

/* struct vireo_sregs's segments in EMUL_SEG_* order. */
static struct vireo_segment *sregs_seg(struct vireo_sregs *s, int seg)
{
	struct vireo_segment *segs[EMUL_NR_SEGS] = {
		[EMUL_SEG_ES] = &s->es, [EMUL_SEG_CS] = &s->cs,
		[EMUL_SEG_SS] = &s->ss, [EMUL_SEG_DS] = &s->ds,
		[EMUL_SEG_FS] = &s->fs, [EMUL_SEG_GS] = &s->gs,
	};

	return segs[seg];
}

/* What the segment-loading instructions need (emulate/segment.c). */
static void vireo_emul_seg_state(struct vireo_vcpu *vcpu, struct emul_ctx *ctx,
				 struct vireo_sregs *s)
{
	int i;

	for (i = 0; i < EMUL_NR_SEGS; i++) {
		seg_to_emul(sregs_seg(s, i), &ctx->segs[i]);
		ctx->seg_base[i] = ctx->segs[i].base;
	}
	seg_to_emul(&s->tr, &ctx->tr);
	seg_to_emul(&s->ldt, &ctx->ldt);
	ctx->gdt_base = s->gdt.base;
	ctx->gdt_limit = s->gdt.limit;
	ctx->cpl = vireo_cpl(vcpu, s);
	ctx->lma = s->efer & EFER_LMA;
	ctx->seg_state = true;
}

/* The exit for an access the emulator handed to userspace. */
static int vireo_mmio_user_exit(struct vireo_vcpu *vcpu,
				const struct emul_mmio *m)
{
	struct vireo_run *run = vcpu->run;

	run->exit_reason = VIREO_EXIT_MMIO;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.phys_addr = vcpu->mmio_gpa;
	run->mmio.len = m->size;
	run->mmio.is_write = m->write;
	if (m->write)
		memcpy(run->mmio.data, m->data, m->size);
	return 0;
}

static void vireo_emul_commit(struct vireo_vcpu *vcpu, struct emul_ctx *ctx)
{
	struct vireo_sregs *s = &vcpu->mmio_sregs;
	int i;

	memcpy(vcpu->regs, ctx->regs, sizeof(vcpu->regs));
	vcpu->rip = ctx->rip;
	vcpu->rflags = ctx->rflags;
	if (!ctx->segs_changed)
		return;
	for (i = 0; i < EMUL_NR_SEGS; i++)
		if (ctx->segs_changed & (1u << i))
			seg_from_emul(&ctx->segs[i], sregs_seg(s, i));
	if (ctx->segs_changed & EMUL_SEGS_TR)
		seg_from_emul(&ctx->tr, &s->tr);
	vireo_ops.set_segs(vcpu, s);
	vcpu->mov_ss_shadow = ctx->mov_ss;
}

/* Act on what emul_run() said; > 0 to re-enter, 0 for userspace. */
static int vireo_emul_result(struct vireo_vcpu *vcpu, enum emul_result res,
			     u64 gpa, bool write)
{
	struct emul_ctx *ctx = &vcpu->emul;
	struct vireo_exception e;

	switch (res) {
	case EMUL_DONE:
		vireo_emul_commit(vcpu, ctx);
		return 1;
	case EMUL_EXIT_WRITE:
		vireo_emul_commit(vcpu, ctx);
		/*
		 * An ioeventfd took it: the write is done, no exit.  Not one
		 * that crossed a page: its address is not mmio_gpa.
		 */
		if (!vcpu->mmio_split &&
		    vireo_ioeventfd_write(vcpu->vm, false, vcpu->mmio_gpa,
					  ctx->mmio.data, ctx->mmio.size))
			return 1;
		return vireo_mmio_user_exit(vcpu, &ctx->mmio);
	case EMUL_EXIT_READ:
		vcpu->pending = VIREO_PENDING_MMIO_READ;
		return vireo_mmio_user_exit(vcpu, &ctx->mmio);
	case EMUL_EXCEPTION:
		e.vector = ctx->exception.vector;
		e.has_error = ctx->exception.has_error;
		e.error = ctx->exception.error;
		e.cr2 = ctx->exception.cr2;
		vireo_ops.inject_exception(vcpu, &e);
		return 1;
	case EMUL_UNHANDLED:
		break;
	}
	/* Not an instruction we emulate: undecoded MMIO (len 0). */
	return vireo_exit_mmio(vcpu, gpa, write, false);
}

int vireo_emulate_mmio(struct vireo_vcpu *vcpu, u64 gpa, bool write,
		       bool fetch)
{
	struct emul_ctx *ctx = &vcpu->emul;
	struct vireo_sregs *s = &vcpu->mmio_sregs;

	/* Executing from a device or a hole: nothing to decode. */
	if (fetch)
		return vireo_exit_mmio(vcpu, gpa, write, fetch);
	/*
	 * Delivering an event touched MMIO or wrote to ROM (its IDT, its
	 * stack, the accessed bit of its CS in a ROM GDT): the instruction
	 * at RIP is not the one to emulate, and the event cannot be, as in
	 * KVM (KVM_INTERNAL_ERROR_DELIVERY_EV).
	 */
	if (vcpu->delivering_event)
		return vireo_exit_internal(vcpu, VIREO_INTERNAL_ERROR_DELIVERY,
					   gpa, write);
	vireo_ops.get_sregs(vcpu, s);
	emul_init(ctx, vireo_emul_mode(s), &vireo_mmio_ops, vcpu);
	memcpy(ctx->regs, vcpu->regs, sizeof(ctx->regs));
	ctx->rip = vcpu->rip;
	ctx->rflags = vcpu->rflags;
	vireo_emul_seg_state(vcpu, ctx, s);
	ctx->la57 = s->cr4 & X86_CR4_LA57;
	vcpu->mmio_gpa = gpa;
	return vireo_emul_result(vcpu, emul_run(ctx), gpa, write);
}

/* The next RUN after EMUL_EXIT_READ: finish with userspace's data. */
int vireo_complete_mmio_read(struct vireo_vcpu *vcpu)
{
	struct emul_ctx *ctx = &vcpu->emul;
	u8 data[8];

	memcpy(data, vcpu->run->mmio.data, sizeof(data));
	emul_complete_read(ctx, data);
	return vireo_emul_result(vcpu, emul_run(ctx), vcpu->mmio_gpa, false);
}
