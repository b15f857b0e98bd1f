// SPDX-License-Identifier: GPL-2.0
/*
 * The instruction at RIP, for exits that name it without its operands
 * (MOV CRn on AMD-V without decode assists, the prefixes of string port
 * I/O): fetched through the guest's page tables and decoded by the one
 * decoder, kernel/emulate/.
 */
#include "vireo.h"
#include "emulate/emulate.h"

struct decode_at {
	struct vireo_vcpu *vcpu;
	const struct vireo_sregs *s;
	struct vireo_exception *fault;
};

enum emul_mode vireo_emul_mode(const struct vireo_sregs *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return EMUL_MODE_REAL;
	if (vireo_64bit_code(s))
		return EMUL_MODE_LONG64;
	return s->cs.db ? EMUL_MODE_PROT32 : EMUL_MODE_PROT16;
}

static enum emul_access decode_fetch(struct emul_ctx *ctx, u64 la, void *buf,
				     unsigned int len)
{
	struct decode_at *at = ctx->opaque;
	int r;

	r = vireo_rw_linear(at->vcpu, at->s, la, buf, len, false, at->fault);
	if (r == -EFAULT)
		return EMUL_ACCESS_FAULT;
	return r ? EMUL_ACCESS_USER : EMUL_ACCESS_OK;
}

static const struct emul_ops decode_ops = {
	.fetch = decode_fetch,
};

/*
 * 0 with *d filled; -EFAULT when the guest's page tables refuse the fetch
 * (*fault says how: the caller injects it), -EINVAL for anything else
 * (not such an instruction, too long, not in RAM).
 */
int vireo_decode_at_rip(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			struct emul_decoded *d, struct vireo_exception *fault)
{
	struct decode_at at = { .vcpu = vcpu, .s = s, .fault = fault };
	struct emul_ctx *ctx = &vcpu->emul;
	enum emul_result r;

	/*
	 * The vCPU's emulator context is free: an MMIO read that waits for
	 * userspace completes on the next RUN, before any exit.
	 */
	if (WARN_ON_ONCE(vcpu->pending == VIREO_PENDING_MMIO_READ))
		return -EINVAL;
	emul_init(ctx, vireo_emul_mode(s), &decode_ops, &at);
	ctx->rip = vcpu->rip;
	ctx->seg_base[EMUL_SEG_CS] = s->cs.base;
	fault->vector = 0;
	r = emul_decode_only(ctx, d);
	if (r == EMUL_DONE)
		return 0;
	/* A fault from the page walk, not the emulator's own #GP. */
	return r == EMUL_EXCEPTION && fault->vector ? -EFAULT : -EINVAL;
}
