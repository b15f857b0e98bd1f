// SPDX-License-Identifier: GPL-2.0
/*
 * Resource descriptors for _CRS buffers: ACPI 6.4 6.4, "Resource Data
 * Types for ACPI".  Small descriptors (6.4.2) start with one tag byte,
 * item name in bits 6:3 and length in bits 2:0; large ones (6.4.3) with
 * 0x80 | item name and a 16-bit length of what follows.
 */
#include <errno.h>

#include "aml.h"

#define RES_SMALL(item, len)	((item) << 3 | (len))
#define RES_IRQ			RES_SMALL(0x04, 2)	/* 6.4.2.1 */
#define RES_IO			RES_SMALL(0x08, 7)	/* 6.4.2.5 */
#define RES_END_TAG		RES_SMALL(0x0f, 1)	/* 6.4.2.9 */
#define RES_DWORD_ADDR		0x87		/* 6.4.3.5.2 */
#define RES_WORD_ADDR		0x88		/* 6.4.3.5.3 */

#define RES_IO_DECODE16		0x01

/* Address space descriptors: resource type and general flags. */
#define RES_TYPE_MEM		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
#define RES_GEN_MAX_FIXED	0x08	/* _MAF */
#define RES_GEN_MIN_FIXED	0x04	/* _MIF */
/* Bit 0 clear: ResourceProducer; bit 1 clear: PosDecode. */
#define RES_GEN_WINDOW		(RES_GEN_MIN_FIXED | RES_GEN_MAX_FIXED)
#define RES_IO_ENTIRE_RANGE	0x03	/* _RNG */
#define RES_MEM_RW		0x01	/* _RW */
#define RES_MEM_CACHEABLE	(1 << 1) /* _MEM */

size_t aml_res_open(struct aml *a)
{
	return aml_buffer_open(a);
}

/*
 * A zero checksum in the End Tag means "the template sums to zero" need
 * not be checked (ACPI 6.4 6.4.2.9).
 */
void aml_res_close(struct aml *a, size_t mark)
{
	aml_byte(a, RES_END_TAG);
	aml_byte(a, 0);
	aml_buffer_close(a, mark);
}

void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align,
		uint8_t len)
{
	if (min > max || !len) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, RES_IO);
	aml_byte(a, RES_IO_DECODE16);
	aml_le(a, min, 2);
	aml_le(a, max, 2);
	aml_byte(a, align);
	aml_byte(a, len);
}

/* Without the optional flags byte the IRQ is edge, active high. */
void aml_res_irq(struct aml *a, unsigned int irq)
{
	if (irq > 15) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, RES_IRQ);
	aml_le(a, 1U << irq, 2);
}

/*
 * An address space descriptor with fields of width bytes (2: the Word
 * form, 6.4.3.5.3; 4: the DWord form, 6.4.3.5.2): granularity, min, max,
 * translation offset, length.  The length is as wide as the rest, so the
 * whole space (0 to all ones) cannot be said this way.
 */
static void res_addr_window(struct aml *a, uint8_t desc, unsigned int width,
			    uint8_t type, uint8_t type_flags, uint64_t min,
			    uint64_t max)
{
	uint64_t top = width == 2 ? 0xffff : 0xffffffff;

	if (min > max || max > top || (min == 0 && max == top)) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, desc);
	aml_le(a, 3 + 5 * width, 2);	/* the bytes after this field */
	aml_byte(a, type);
	aml_byte(a, RES_GEN_WINDOW);
	aml_byte(a, type_flags);
	aml_le(a, 0, width);
	aml_le(a, min, width);
	aml_le(a, max, width);
	aml_le(a, 0, width);
	aml_le(a, max - min + 1, width);
}

void aml_res_bus_window(struct aml *a, uint16_t min, uint16_t max)
{
	res_addr_window(a, RES_WORD_ADDR, 2, RES_TYPE_BUS, 0, min, max);
}

void aml_res_io_window(struct aml *a, uint16_t min, uint16_t max)
{
	res_addr_window(a, RES_WORD_ADDR, 2, RES_TYPE_IO, RES_IO_ENTIRE_RANGE,
			min, max);
}

void aml_res_mem32_window(struct aml *a, uint32_t min, uint32_t max)
{
	res_addr_window(a, RES_DWORD_ADDR, 4, RES_TYPE_MEM,
			RES_MEM_RW | RES_MEM_CACHEABLE, min, max);
}
