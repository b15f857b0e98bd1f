// SPDX-License-Identifier: GPL-2.0
/*
 * MOV to CR4 and CR8, and from CR4, for a backend whose intercept reports
 * neither the register nor the instruction's length: AMD-V without decode
 * assists and NRIP save (QEMU's TCG has neither).  The instruction is
 * fetched at RIP and decoded: [F0] [REX] 0F 22 /r (to) or 0F 20 /r (from).  The ModRM mod bits are
 * ignored, the operand is always a register (SDM Vol. 2B "MOV - Move
 * to/from Control Registers"); REX.R or a LOCK prefix (AMD's CR8 in
 * legacy mode, APM Vol. 3 "MOV CRn") adds 8 to the register number.
 *
 * The checks on the value are the core's, shared with VT-x's exit handler.
 */
#include "vireo.h"

#define MOV_CR_MAX_LEN	15	/* SDM Vol. 2A 2.3.11 */

/* Bits whose change makes the guest's TLB entries stale (SDM Vol. 3A 4.10.4.1). */
#define CR4_TLB_BITS	(X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE |	\
			 X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP |	\
			 X86_CR4_PKE)

/*
 * What MOV to CR4 refuses with #GP (SDM Vol. 2B "MOV", Protected Mode
 * Exceptions; Vol. 3A 4.10.1 for PCIDE): a bit the guest's CPUID does not
 * offer, PAE cleared in IA-32e mode, PCIDE set outside it or with
 * CR3[11:0] not zero.
 */
bool vireo_cr4_write_valid(struct vireo_vcpu *vcpu, const struct vireo_sregs *s,
			   u64 cr4)
{
	bool lma = s->efer & EFER_LMA;

	if (!vireo_cr4_guest_valid(vcpu, cr4))
		return false;
	if (lma && !(cr4 & X86_CR4_PAE))
		return false;
	if ((cr4 & X86_CR4_PCIDE) && !(s->cr4 & X86_CR4_PCIDE) &&
	    (!lma || (s->cr3 & 0xfff)))
		return false;
	return true;
}

/* Does a CR4 change need the guest's TLB flushed? */
bool vireo_cr4_flushes_tlb(u64 old, u64 new)
{
	return (old ^ new) & CR4_TLB_BITS;
}

/*
 * Decode the MOV to or from CR at RIP: the direction, the CR number, the
 * general register, the length.
 */
static int vireo_decode_mov_cr(struct vireo_vcpu *vcpu,
			       const struct vireo_sregs *s, bool *to, int *cr,
			       int *reg, unsigned int *len)
{
	bool lock = false, long_mode = vireo_64bit_code(s);
	struct vireo_exception f = {};
	u64 la = s->cs.base + vcpu->rip;
	u8 b, rex = 0, modrm;
	unsigned int i = 0;

	/* Prefixes; a REX counts only right before the opcode. */
	for (;;) {
		if (i >= MOV_CR_MAX_LEN - 3 ||
		    vireo_rw_linear(vcpu, s, la + i, &b, 1, false, &f))
			goto bad;
		i++;
		if (long_mode && (b & 0xf0) == 0x40) {
			rex = b;
			continue;
		}
		if (b == 0xf0)
			lock = true;
		else if (b != 0x66 && b != 0x67 && b != 0x26 && b != 0x2e &&
			 b != 0x36 && b != 0x3e && b != 0x64 && b != 0x65)
			break;
		rex = 0;
	}
	if (b != 0x0f ||
	    vireo_rw_linear(vcpu, s, la + i, &b, 1, false, &f) ||
	    (b != 0x22 && b != 0x20) ||
	    vireo_rw_linear(vcpu, s, la + i + 1, &modrm, 1, false, &f))
		goto bad;
	i += 2;
	*to = b == 0x22;
	*cr = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0) | (lock ? 8 : 0);
	*reg = (modrm & 7) | (rex & 1 ? 8 : 0);
	*len = i;
	return 0;
bad:
	*len = i;
	return -EINVAL;
}

/*
 * Emulate the intercepted MOV to CR4 or CR8, or from CR4, at RIP.  Returns
 * 1 after completing it (or injecting #GP), or what vireo_exit_internal()
 * returns when the bytes at RIP are not such a MOV.
 */
int vireo_emulate_mov_cr(struct vireo_vcpu *vcpu)
{
	struct vireo_sregs s;
	unsigned int len;
	int cr, reg;
	bool to;
	u64 val;

	vireo_ops.get_sregs(vcpu, &s);
	if (vireo_decode_mov_cr(vcpu, &s, &to, &cr, &reg, &len) ||
	    (cr != 4 && cr != 8) || (!to && cr != 4))
		return vireo_exit_internal(vcpu, VIREO_INTERNAL_ERROR_EMULATION,
					   vcpu->rip, len);
	if (vireo_cpl(vcpu, &s)) {
		vireo_inject_gp(vcpu);
		return 1;
	}
	val = vcpu->regs[reg];
	if (!vireo_64bit_code(&s))
		val = (u32)val;
	if (!to) {
		/* A 32-bit destination outside 64-bit mode zero-extends. */
		vcpu->regs[reg] = vireo_64bit_code(&s) ? s.cr4 : (u32)s.cr4;
	} else if (cr == 8) {
		/* Bits 63:4 are reserved (SDM Vol. 3A 2.5, "CR8"). */
		if (val > 15) {
			vireo_inject_gp(vcpu);
			return 1;
		}
		vireo_lapic_set_cr8(vcpu, val);
	} else {
		if (!vireo_cr4_write_valid(vcpu, &s, val)) {
			vireo_inject_gp(vcpu);
			return 1;
		}
		s.cr4 = val;
		vireo_ops.set_sregs(vcpu, &s);
	}
	vcpu->rip += len;
	return 1;
}
