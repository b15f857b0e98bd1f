// SPDX-License-Identifier: GPL-2.0
/*
 * MOV to CR4 and CR8, and from CR4, for a backend whose intercept reports
 * neither the register nor the instruction's length: AMD-V without decode
 * assists and NRIP save (QEMU's TCG has neither).  The instruction at RIP
 * is decoded by the emulator's decoder (insn_decode.c): 0F 22 /r (to) or
 * 0F 20 /r (from), the operand always a register whatever the mod bits;
 * REX.R or a LOCK prefix (AMD's CR8 outside 64-bit mode, APM Vol. 3 "MOV
 * CRn") adds 8 to the control register's number.
 *
 * The checks on the value are the core's (guest_state.c), shared with
 * VT-x's exit handler.
 */
#include "vireo.h"

/*
 * Emulate the intercepted MOV to CR4 or CR8, or from CR4, at RIP.  Returns
 * 1 after completing it (or injecting #GP), or what vireo_exit_internal()
 * returns when the bytes at RIP are not such a MOV.
 */
int vireo_emulate_mov_cr(struct vireo_vcpu *vcpu)
{
	struct vireo_exception fault;
	struct emul_decoded d;
	struct vireo_sregs s;
	int cr, reg, r;
	bool to;
	u64 val;

	vireo_ops.get_sregs(vcpu, &s);
	r = vireo_decode_at_rip(vcpu, &s, &d, &fault);
	if (r == -EFAULT) {
		/* The page of the instruction went away: fetch faults. */
		vireo_ops.inject_exception(vcpu, &fault);
		return 1;
	}
	to = d.opcode == 0x22;
	cr = d.reg | (d.lock ? 8 : 0);
	reg = d.rm;
	if (r || (d.opcode != 0x20 && d.opcode != 0x22) ||
	    (cr != 4 && cr != 8) || (!to && cr != 4))
		return vireo_exit_internal(vcpu, VIREO_INTERNAL_ERROR_EMULATION,
					   vcpu->rip, r ? 0 : d.len);
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
	vcpu->rip += d.len;
	return 1;
}
