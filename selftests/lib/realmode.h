/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guests: 16-bit code written as assembly in the test's source,
 * copied into guest memory at REALMODE_LOAD_ADDR and entered at CS:IP
 * 0000:REALMODE_LOAD_ADDR.
 *
 *	REALMODE_GUEST(hlt_guest,
 *		"hlt\n"
 *		"hlt_guest_after:\n");
 *	REALMODE_LABEL(hlt_guest_after);
 *	...
 *	vm = vm_create_realmode(&hlt_guest, &vcpu);
 *	vcpu_run(vcpu);
 *	ASSERT_EQ(realmode_ip(&hlt_guest, hlt_guest_after), vcpu_get_rip(vcpu));
 *
 * The code is position dependent only through RM_ADDR(), which turns a
 * label into the guest address the label is loaded at.
 *
 * Guest-physical layout (slot 0 is RAM at [0, REALMODE_MEM_SIZE)):
 *	0x00000-0x00fff	free (room for an IVT)
 *	0x01000-0x07fff	the code
 *	0x08000-0x0efff	the stack (SS:SP = 0000:f000 at entry)
 *	0x0f000-0x7ffff	free for the test's data
 *	0x80000-	no slot: free for the test's own slots and holes
 */
#ifndef SELFTEST_REALMODE_H
#define SELFTEST_REALMODE_H

#include "vireo_util.h"

#define REALMODE_MEM_SIZE	0x80000
#define REALMODE_LOAD_ADDR	0x1000
#define REALMODE_CODE_MAX	0x7000
#define REALMODE_STACK_TOP	0xf000

#define __rm_str(x)		#x
#define __rm_xstr(x)		__rm_str(x)

struct realmode_code {
	const uint8_t *start;
	const uint8_t *end;
};

/*
 * Define guest @name from the assembly text @code.  It lives in a section
 * of its own (read-only data of the test binary, never executed by the
 * host); the assembler is switched back to 64-bit code afterwards.
 */
#define REALMODE_GUEST(name, code)					\
	extern const uint8_t name##_start[], name##_end[];		\
	asm(".pushsection .rodata.realmode_guest, \"a\"\n"		\
	    ".code16\n"							\
	    #name "_start:\n"						\
	    code "\n"							\
	    #name "_end:\n"						\
	    ".code64\n"							\
	    ".popsection\n");						\
	static const struct realmode_code name = { name##_start, name##_end }

/* Make a label of a guest's code visible to the host side of the test. */
#define REALMODE_LABEL(label)	extern const uint8_t label[]

/* Inside @name's code: the guest address of @label, as an immediate. */
#define RM_ADDR(name, label)						\
	"(" #label " - " #name "_start + "				\
	__rm_xstr(REALMODE_LOAD_ADDR) ")"

/* The IP (CS = 0) at which @label of @code is in the guest. */
static inline uint64_t realmode_ip(const struct realmode_code *code,
				   const uint8_t *label)
{
	return REALMODE_LOAD_ADDR + (uint64_t)(label - code->start);
}

struct vireo_vm *vm_create_realmode(const struct realmode_code *code,
				    struct vireo_vcpu **vcpu);
void realmode_load(struct vireo_vm *vm, const struct realmode_code *code);
void vcpu_set_cs_ip(struct vireo_vcpu *vcpu, uint16_t cs, uint16_t ip);

#endif /* SELFTEST_REALMODE_H */
