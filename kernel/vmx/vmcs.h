/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCS accessors whose width is checked at compile time: bits 14:13 of a
 * field encoding give the field's width (SDM Vol. 3C 25.11.2 "VMREAD,
 * VMWRITE, and Encodings of VMCS Fields").  The encodings themselves
 * (SDM Vol. 3D Appendix B) and the control bits come from <asm/vmx.h>.
 */
#ifndef VIREO_VMX_VMCS_H
#define VIREO_VMX_VMCS_H

#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/bug.h>
#include <asm/vmx.h>

#define VMCS_WIDTH(f)	(((f) >> 13) & 3)
#define VMCS_W16	0
#define VMCS_W64	1
#define VMCS_W32	2
#define VMCS_WNAT	3

/* A failed VMREAD/VMWRITE is a bug in Vireo, never the guest's doing. */
void vmcs_access_error(unsigned long field, bool write);

static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	unsigned long value;
	bool ok;

	/* CF or ZF set: VMfailInvalid or VMfailValid (SDM Vol. 3C 31.2). */
	asm volatile("vmread %[field], %[value]"
		     : [value] "=rm" (value), "=@cca" (ok)
		     : [field] "r" (field) : "cc");
	if (unlikely(!ok))
		vmcs_access_error(field, false);
	return value;
}

static __always_inline void __vmcs_write(unsigned long field,
					 unsigned long value)
{
	bool ok;

	asm volatile("vmwrite %[value], %[field]"
		     : "=@cca" (ok)
		     : [field] "r" (field), [value] "rm" (value) : "cc");
	if (unlikely(!ok))
		vmcs_access_error(field, true);
}

#define VMCS_CHECK(f, w) \
	BUILD_BUG_ON_MSG(__builtin_constant_p(f) && VMCS_WIDTH(f) != (w), \
			 "VMCS field accessed with the wrong width")

#define vmcs_read16(f)	({ VMCS_CHECK(f, VMCS_W16); (u16)__vmcs_read(f); })
#define vmcs_read32(f)	({ VMCS_CHECK(f, VMCS_W32); (u32)__vmcs_read(f); })
#define vmcs_read64(f)	({ VMCS_CHECK(f, VMCS_W64); (u64)__vmcs_read(f); })
#define vmcs_readl(f)	({ VMCS_CHECK(f, VMCS_WNAT); __vmcs_read(f); })
#define vmcs_write16(f, v) \
	do { VMCS_CHECK(f, VMCS_W16); __vmcs_write(f, (u16)(v)); } while (0)
#define vmcs_write32(f, v) \
	do { VMCS_CHECK(f, VMCS_W32); __vmcs_write(f, (u32)(v)); } while (0)
#define vmcs_write64(f, v) \
	do { VMCS_CHECK(f, VMCS_W64); __vmcs_write(f, (u64)(v)); } while (0)
#define vmcs_writel(f, v) \
	do { VMCS_CHECK(f, VMCS_WNAT); __vmcs_write(f, (v)); } while (0)

#endif
