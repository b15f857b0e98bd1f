/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-to-host calls (as KVM selftests' ucall): the guest fills a struct
 * ucall on its stack, puts its address in RDI and writes a byte to
 * UCALL_PORT.  The host sees a port-I/O exit, reads RDI with GET_REGS and
 * copies the struct out of guest memory.  For 64-bit C guests (longmode.h).
 */
#ifndef SELFTEST_UCALL_H
#define SELFTEST_UCALL_H

#include "vireo_util.h"

#define UCALL_PORT	0x1000

enum {
	UCALL_NONE,	/* the exit was not a ucall */
	UCALL_SYNC,	/* GUEST_SYNC(arg): args[0] */
	UCALL_DONE,	/* GUEST_DONE() */
	UCALL_ABORT,	/* a GUEST_ASSERT*() failed */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[2];	/* SYNC: the argument; ABORT: the operands */
	const char *file;	/* ABORT: valid in the host too (same image) */
	const char *expr;
	uint64_t line;
};

/* Guest side. */
void ucall(uint64_t cmd, uint64_t arg0, uint64_t arg1);
void __attribute__((noreturn))
ucall_assert(const char *file, int line, const char *expr, uint64_t a,
	     uint64_t b);
void ucall_guest_returned(void);

#define GUEST_SYNC(arg)		ucall(UCALL_SYNC, (arg), 0)
#define GUEST_DONE()		ucall(UCALL_DONE, 0, 0)

#define GUEST_ASSERT(cond) do {						\
	if (!(cond))							\
		ucall_assert(__FILE__, __LINE__, #cond, 0, 0);		\
} while (0)

#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __a = (a), __b = (b);					\
	if (__a != __b)							\
		ucall_assert(__FILE__, __LINE__, #a " == " #b, __a, __b); \
} while (0)

/* Host side. */
uint64_t get_ucall(struct vireo_vcpu *vcpu, struct ucall *uc);
uint64_t vcpu_run_ucall(struct vireo_vcpu *vcpu, struct ucall *uc);

#define REPORT_GUEST_ASSERT(uc)						\
	TEST_FAIL("guest assertion failed at %s:%lu: %s (%#lx, %#lx)",	\
		  (uc).file, (unsigned long)(uc).line, (uc).expr,	\
		  (unsigned long)(uc).args[0], (unsigned long)(uc).args[1])

#endif /* SELFTEST_UCALL_H */
