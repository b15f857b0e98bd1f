/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exceptions in 64-bit guests (longmode.h).  vcpu_init_exceptions() gives
 * a vCPU an IDT for vectors 0-31 whose handlers either resume at a fixup
 * address the faulting code named or report the exception as a failed
 * guest assertion (vector and RIP).
 *
 * The fixup protocol: code that expects an exception puts the address to
 * resume at in R10 and zero in R9, then runs the instruction; a handler
 * that finds R10 non-zero puts the vector in R9 and resumes there.  The
 * code clears R10 again at once.  rdmsr_safe() and wrmsr_safe() work so:
 * they return the vector the instruction raised (GP_VECTOR for an MSR the
 * CPU refused), or 0.
 */
#ifndef SELFTEST_EXCEPTION_H
#define SELFTEST_EXCEPTION_H

#include "ucall.h"
#include "vireo_util.h"

#define UD_VECTOR	6
#define GP_VECTOR	13
#define NR_EXCEPTIONS	32

/* Host side: the IDT, in a page of its own, loaded into the vCPU's IDTR. */
void vcpu_init_exceptions(struct vireo_vcpu *vcpu);

/* Guest side. */

/*
 * asm_safe("insn", inputs...): run one instruction (asm text, operands
 * named as inputs) with the fixup armed; the vector it raised, or 0.
 */
#define ASM_SAFE(insn)							\
	"lea 1f(%%rip), %%r10\n\t"					\
	"xor %%r9d, %%r9d\n\t"						\
	insn "\n"							\
	"1:\tmov %%r9, %[vector]\n\t"					\
	"xor %%r10d, %%r10d"

#define asm_safe(insn, inputs...) ({					\
	uint64_t __vector;						\
	asm volatile(ASM_SAFE(insn) : [vector] "=r"(__vector) : inputs	\
		     : "r9", "r10", "memory");				\
	(uint8_t)__vector;						\
})

static inline uint8_t rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo, hi;
	uint64_t vector;

	asm volatile("lea 1f(%%rip), %%r10\n\t"
		     "xor %%r9d, %%r9d\n\t"
		     "rdmsr\n"
		     "1:\tmov %%r9, %[vector]\n\t"
		     "xor %%r10d, %%r10d"
		     : "=a"(lo), "=d"(hi), [vector] "=r"(vector)
		     : "c"(msr) : "r9", "r10", "memory");
	*val = vector ? 0 : lo | (uint64_t)hi << 32;
	return vector;
}

static inline uint8_t wrmsr_safe(uint32_t msr, uint64_t val)
{
	return asm_safe("wrmsr", "c"(msr), "a"((uint32_t)val),
			"d"((uint32_t)(val >> 32)));
}

/* RDMSR and WRMSR that must not fault: a fault is a failed guest assertion. */
static inline uint64_t rdmsr_ok(uint32_t msr)
{
	uint64_t v;

	GUEST_ASSERT_EQ(rdmsr_safe(msr, &v), 0);
	return v;
}

static inline void wrmsr_ok(uint32_t msr, uint64_t v)
{
	GUEST_ASSERT_EQ(wrmsr_safe(msr, v), 0);
}

#endif /* SELFTEST_EXCEPTION_H */
