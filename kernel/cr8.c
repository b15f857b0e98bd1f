// SPDX-License-Identifier: GPL-2.0
/*
 * MOV to CR8, for a backend whose intercept of it reports neither the
 * source register nor the instruction's length: AMD-V without decode
 * assists and NRIP save (QEMU's TCG has neither).  The instruction is
 * fetched at RIP and decoded: [F0] [REX] 0F 22 /r.  The ModRM mod bits are
 * ignored, the operand is always a register (SDM Vol. 2B "MOV - Move
 * to/from Control Registers"); REX.R or a LOCK prefix (AMD's CR8 in
 * legacy mode, APM Vol. 3 "MOV CRn") names CR8.
 */
#include "vireo.h"

#define MOV_CR_MAX_LEN	15	/* SDM Vol. 2A 2.3.11 */

/*
 * Returns 1 after completing the write (or injecting #GP for reserved
 * bits), or what vireo_exit_internal() returns when the bytes at RIP are
 * not a MOV to CR8.
 */
int vireo_emulate_mov_to_cr8(struct vireo_vcpu *vcpu)
{
	bool lock = false, long_mode;
	struct vireo_exception f = {};
	u8 b, rex = 0, modrm, cr;
	struct vireo_sregs s;
	unsigned int i = 0;
	u64 la, val;

	vireo_ops.get_sregs(vcpu, &s);
	long_mode = (s.efer & EFER_LMA) && s.cs.l;
	la = s.cs.base + vcpu->rip;
	/* Prefixes; a REX counts only right before the opcode. */
	for (;;) {
		if (i >= MOV_CR_MAX_LEN - 3 ||
		    vireo_rw_linear(vcpu, &s, la + i, &b, 1, false, &f))
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
	    vireo_rw_linear(vcpu, &s, la + i, &b, 1, false, &f) || b != 0x22 ||
	    vireo_rw_linear(vcpu, &s, la + i + 1, &modrm, 1, false, &f))
		goto bad;
	i += 2;
	cr = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0) | (lock ? 8 : 0);
	if (cr != 8)
		goto bad;
	val = vcpu->regs[(modrm & 7) | (rex & 1 ? 8 : 0)];
	if (!long_mode)
		val = (u32)val;
	/* Bits 63:4 are reserved (SDM Vol. 3A 2.5, "CR8"). */
	if (val > 15) {
		vireo_inject_gp(vcpu);
		return 1;
	}
	vireo_lapic_set_cr8(vcpu, val);
	vcpu->rip += i;
	return 1;
bad:
	return vireo_exit_internal(vcpu, VIREO_INTERNAL_ERROR_EMULATION,
				   vcpu->rip, i);
}
