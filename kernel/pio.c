// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits to userspace.  IN/OUT carry the data in the run area's data
 * page; INS/OUTS are done here a page of data at a time (SDM Vol. 2B "INS",
 * "OUTS": RSI/RDI step by the element size, backwards when RFLAGS.DF is
 * set, RCX counts down under REP), re-executing the instruction until the
 * count is done so that every chunk is one exit.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "vireo.h"

static u64 pio_addr_mask(const struct vireo_pio *pio)
{
	return pio->addr_bytes == 8 ? ~0ULL : BIT_ULL(pio->addr_bytes * 8) - 1;
}

/* Write an address-sized register as the CPU would (SDM Vol. 1 3.4.1.1). */
static void pio_set_areg(struct vireo_vcpu *vcpu, int reg, u64 val, u64 mask)
{
	u64 *r = &vcpu->regs[reg];

	if (mask == 0xffff)
		*r = (*r & ~mask) | (val & mask);
	else
		*r = val & mask;
}

static void pio_fill_run(struct vireo_vcpu *vcpu, const struct vireo_pio *pio)
{
	struct vireo_run *run = vcpu->run;

	run->exit_reason = VIREO_EXIT_IO;
	memset(&run->io, 0, sizeof(run->io));
	run->io.port = pio->port;
	run->io.size = pio->size;
	run->io.direction = pio->in ? VIREO_IO_IN : VIREO_IO_OUT;
	run->io.count = pio->count;
	run->io.string = pio->string;
	run->io.rep = pio->rep;
}

/*
 * What the exit did not say, from the instruction's prefixes (SDM Vol. 2A
 * 2.1.1 "Instruction Prefixes"), by the emulator's decoder: the segment of
 * an OUTS (decode assists give it on AMD) and the address size (QEMU's
 * emulated AMD-V leaves the A16/A32/A64 bits clear).  An instruction that
 * cannot be fetched again keeps DS and the code segment's address size.
 */
static void pio_decode_prefixes(struct vireo_vcpu *vcpu,
				const struct vireo_sregs *s,
				struct vireo_pio *pio)
{
	struct vireo_exception fault;
	struct emul_decoded d = { .seg_override = -1 };

	if (vireo_decode_at_rip(vcpu, s, &d, &fault)) {
		d.seg_override = -1;
		d.ad_bytes = vireo_64bit_code(s) ? 8 : s->cs.db ? 4 : 2;
	}
	/* VIREO_SEG_* and EMUL_SEG_* are both in encoding order. */
	if (pio->seg < 0)
		pio->seg = d.seg_override >= 0 ? d.seg_override : VIREO_SEG_DS;
	if (!pio->addr_bytes)
		pio->addr_bytes = d.ad_bytes;
}

static u64 pio_seg_base(const struct vireo_sregs *s, int seg)
{
	const struct vireo_segment *segs[] = {
		[VIREO_SEG_ES] = &s->es, [VIREO_SEG_CS] = &s->cs,
		[VIREO_SEG_SS] = &s->ss, [VIREO_SEG_DS] = &s->ds,
		[VIREO_SEG_FS] = &s->fs, [VIREO_SEG_GS] = &s->gs,
	};

	/* In 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.4.4). */
	if (vireo_64bit_code(s) && seg != VIREO_SEG_FS && seg != VIREO_SEG_GS)
		return 0;
	return segs[seg]->base;
}

/*
 * How many whole elements from @la fit before the next page boundary; 0
 * when the first one straddles it.
 */
static u32 pio_fit(u64 la, u32 size, u32 left)
{
	return min_t(u64, left, (PAGE_SIZE - offset_in_page(la)) / size);
}

/*
 * Copy the chunk between guest memory and the data page, as the CPU moves
 * it: element by element, so that a fault stops it after the elements
 * before it (SDM Vol. 2A "INS", "OUTS": a REP string instruction that
 * faults has done its earlier iterations).  *done: the elements moved.
 * Returns 0 when all went, 1 when a fault (not injected yet, in *fault)
 * stopped it, < 0 for memory no slot backs.
 */
static int pio_copy(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
		    const struct vireo_pio *pio, int seg, int reg, bool write,
		    u32 *done, struct vireo_exception *fault)
{
	u64 mask = pio_addr_mask(pio), base = pio_seg_base(s, seg);
	u64 addr = vcpu->regs[reg] & mask, la, gpa;
	bool down = vcpu->rflags & X86_EFLAGS_DF;
	u32 i = 0, n;
	int r = 0;

	while (i < pio->count) {
		la = base + ((addr + (down ? -(u64)i : (u64)i) * pio->size) &
			     mask);
		n = down ? 1 : pio_fit(la, pio->size, pio->count - i);
		/* A straddling element: both pages must translate first. */
		if (!n || offset_in_page(la) + pio->size > PAGE_SIZE) {
			n = 1;
			r = vireo_gva_to_gpa(vcpu, s, la + pio->size - 1, write,
					     &gpa, fault);
			if (r)
				break;
		}
		r = vireo_rw_linear(vcpu, s, la, vcpu->io_data + i * pio->size,
				    n * pio->size, write, fault);
		if (r)
			break;
		i += n;
	}
	*done = i;
	return r == -EFAULT ? 1 : r;
}

/* After a chunk: step the index register, count down, finish at zero. */
static void pio_advance(struct vireo_vcpu *vcpu, const struct vireo_pio *pio,
			int reg)
{
	u64 mask = pio_addr_mask(pio);
	s64 step = (s64)pio->count * pio->size;

	if (vcpu->rflags & X86_EFLAGS_DF)
		step = -step;
	pio_set_areg(vcpu, reg, vcpu->regs[reg] + step, mask);
	if (pio->rep)
		pio_set_areg(vcpu, VIREO_REG_RCX,
			     (vcpu->regs[VIREO_REG_RCX] & mask) - pio->count,
			     mask);
	if (!pio->rep || !(vcpu->regs[VIREO_REG_RCX] & mask))
		vcpu->rip = pio->next_rip;
}

/*
 * How many elements this exit carries: a data page's worth at most, and
 * for INS no further than the destination page, so that the device is
 * never read for elements a fault on the next page would lose.
 */
static u32 pio_chunk(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
		     const struct vireo_pio *pio, int reg)
{
	u64 mask = pio_addr_mask(pio);
	u64 n = pio->rep ? vcpu->regs[VIREO_REG_RCX] & mask : 1;
	u64 addr = vcpu->regs[reg] & mask;
	u64 la = pio_seg_base(s, VIREO_SEG_ES) + addr;

	n = min_t(u64, n, PAGE_SIZE / pio->size);
	if (pio->in && !(vcpu->rflags & X86_EFLAGS_DF))
		n = min_t(u64, n, max_t(u64, pio_fit(la, pio->size, n), 1));
	else if (pio->in)
		n = min_t(u64, n, offset_in_page(la) / pio->size + 1);
	/* Downwards too, stop before the index register wraps below 0. */
	if ((vcpu->rflags & X86_EFLAGS_DF) && mask != ~0ULL)
		n = min_t(u64, n, addr / pio->size + 1);
	/* Stop before the index register wraps, to re-check it next time. */
	if (!(vcpu->rflags & X86_EFLAGS_DF) && mask != ~0ULL)
		n = min_t(u64, n, max_t(u64, (mask - addr + 1) / pio->size, 1));
	return n;
}

/* Does the first element of an INS fault (both its pages)? */
static bool pio_ins_faults(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			   const struct vireo_pio *pio,
			   struct vireo_exception *fault)
{
	u64 la = pio_seg_base(s, VIREO_SEG_ES) +
		 (vcpu->regs[VIREO_REG_RDI] & pio_addr_mask(pio)), gpa;

	return vireo_gva_to_gpa(vcpu, s, la, true, &gpa, fault) == -EFAULT ||
	       vireo_gva_to_gpa(vcpu, s, la + pio->size - 1, true, &gpa,
				fault) == -EFAULT;
}

static int vireo_handle_string_pio(struct vireo_vcpu *vcpu,
				   struct vireo_pio *pio)
{
	int reg = pio->in ? VIREO_REG_RDI : VIREO_REG_RSI;
	struct vireo_exception fault;
	struct vireo_sregs s;
	u32 done;
	int r;

	vireo_ops.get_sregs(vcpu, &s);
	if (pio->seg < 0 || !pio->addr_bytes)
		pio_decode_prefixes(vcpu, &s, pio);
	pio->count = pio_chunk(vcpu, &s, pio, reg);
	if (!pio->count) {		/* REP with RCX = 0: nothing to do */
		vcpu->rip = pio->next_rip;
		return 1;
	}
	if (pio->in) {
		/* A destination that faults is found before the device is read. */
		if (pio_ins_faults(vcpu, &s, pio, &fault)) {
			vireo_ops.inject_exception(vcpu, &fault);
			return 1;
		}
		vcpu->pio = *pio;
		vcpu->pending = VIREO_PENDING_PIO_IN;
		pio_fill_run(vcpu, pio);
		return 0;
	}
	r = pio_copy(vcpu, &s, pio, pio->seg, reg, false, &done, &fault);
	if (r < 0)
		return vireo_exit_internal(vcpu, VIREO_INTERNAL_ERROR_GUEST_MEMORY,
					   vcpu->regs[reg], -r);
	if (r && !done) {
		vireo_ops.inject_exception(vcpu, &fault);
		return 1;
	}
	/*
	 * The elements before a fault go out; the instruction, run again,
	 * faults on the next one.
	 */
	pio->count = done;
	pio_advance(vcpu, pio, reg);
	pio_fill_run(vcpu, pio);
	return 0;
}

int vireo_handle_pio(struct vireo_vcpu *vcpu, const struct vireo_pio *req)
{
	struct vireo_pio pio = *req;

	vireo_count_exit(vcpu, VIREO_STAT_IO);
	if (pio.size != 1 && pio.size != 2 && pio.size != 4)
		return vireo_exit_internal(vcpu, VIREO_INTERNAL_ERROR_EMULATION,
					   vcpu->rip, pio.size);
	if (pio.string)
		return vireo_handle_string_pio(vcpu, &pio);
	pio.count = 1;
	if (pio.in) {
		vcpu->pio = pio;
		vcpu->pending = VIREO_PENDING_PIO_IN;
	} else {
		vcpu->rip = pio.next_rip;
		/* An ioeventfd took it: no exit to userspace. */
		if (vireo_ioeventfd_write(vcpu->vm, true, pio.port,
					  &vcpu->regs[VIREO_REG_RAX], pio.size))
			return 1;
		memcpy(vcpu->io_data, &vcpu->regs[VIREO_REG_RAX], pio.size);
	}
	pio_fill_run(vcpu, &pio);
	return 0;
}

/* The next RUN after an IN: userspace put the data in the data page. */
int vireo_complete_pio_in(struct vireo_vcpu *vcpu)
{
	const struct vireo_pio *pio = &vcpu->pio;
	u64 *rax = &vcpu->regs[VIREO_REG_RAX];
	struct vireo_exception fault;
	struct vireo_sregs s;
	u32 val = 0, done;
	int r;

	if (!pio->string) {
		memcpy(&val, vcpu->io_data, pio->size);
		/* A 32-bit destination zero-extends into RAX. */
		if (pio->size == 4)
			*rax = val;
		else
			*rax = (*rax & ~(BIT_ULL(pio->size * 8) - 1)) | val;
		vcpu->rip = pio->next_rip;
		return 1;
	}
	vireo_ops.get_sregs(vcpu, &s);
	/* INS always stores through ES (SDM Vol. 2A "INS/INSB/INSW/INSD"). */
	r = pio_copy(vcpu, &s, pio, VIREO_SEG_ES, VIREO_REG_RDI, true, &done,
		     &fault);
	if (r < 0)
		return vireo_exit_internal(vcpu, VIREO_INTERNAL_ERROR_GUEST_MEMORY,
					   vcpu->regs[VIREO_REG_RDI], -r);
	/*
	 * The device gave all the elements already: those stored before a
	 * fault count (RDI and RCX step past them), the rest are lost, as
	 * on hardware, where the fault comes before the read that would
	 * have taken them.
	 */
	if (done) {
		struct vireo_pio part = *pio;

		part.count = done;
		pio_advance(vcpu, &part, VIREO_REG_RDI);
	}
	if (r)
		vireo_ops.inject_exception(vcpu, &fault);
	return 1;
}
