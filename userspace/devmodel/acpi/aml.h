/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small writer of AML byte code (ACPI 6.4 20, "ACPI Machine Language
 * (AML) Specification"), enough for a static DSDT: names, integers,
 * strings, packages, buffers, scopes, devices and resource templates.
 *
 * The writer appends to a caller-provided buffer.  Objects with a PkgLength
 * (Scope, Device, Package, Buffer) are opened, filled, then closed: the
 * close works out the PkgLength once the contents are known and inserts it
 * in front of them.  Errors are sticky: after the first one (-ENOSPC when
 * the buffer is full, -EINVAL for a bad name, string or nesting) every call
 * does nothing, so a builder writes everything and checks aml.err once.
 */
#ifndef VIREO_ACPI_AML_H
#define VIREO_ACPI_AML_H

#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t len;		/* bytes written */
	size_t cap;		/* bytes buf holds */
	int err;		/* 0, or the first -errno */
};

/* Longest PkgLength value: 28 bits (ACPI 6.4 20.2.4). */
#define AML_PKGLEN_MAX	0x0fffffffU

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
/* Record err (a -errno) unless an earlier error is recorded already. */
void aml_fail(struct aml *a, int err);

/* Raw bytes, and a little-endian value of n bytes (n <= 8). */
void aml_byte(struct aml *a, uint8_t v);
void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_le(struct aml *a, uint64_t v, unsigned int n);

/*
 * The PkgLength encoding of a package whose contents (what follows the
 * PkgLength) are content_len bytes: writes 1 to 4 bytes to out and returns
 * how many, or -EINVAL when the package would exceed AML_PKGLEN_MAX.
 */
int aml_pkglen_encode(size_t content_len, uint8_t out[4]);

/*
 * Data objects (ACPI 6.4 20.2.3): the shortest of Zero, One, BytePrefix,
 * WordPrefix, DWordPrefix, QWordPrefix for v; a String of printable ASCII.
 */
void aml_integer(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);

/*
 * A NameString (ACPI 6.4 20.2.2): "\" for the root or "^" prefixes, then
 * dot-separated segments of 1-4 characters ("A"-"Z", "_", and "0"-"9" after
 * the first), padded with "_" to four: "\\_SB.PCI0", "_S5", "^COM1".
 */
void aml_namestring(struct aml *a, const char *path);

/* Name(name, <object>): write the object right after. */
void aml_name(struct aml *a, const char *name);

/*
 * Open a PkgLength object, fill it, close it with the mark open returned:
 * aml_close() for Scope, Device and Package, aml_buffer_close() for
 * Buffer (it also inserts the BufferSize).  Closes nest like brackets.
 */
size_t aml_scope_open(struct aml *a, const char *name);
size_t aml_device_open(struct aml *a, const char *name);
size_t aml_package_open(struct aml *a, unsigned int nr_elements);
size_t aml_buffer_open(struct aml *a);
void aml_close(struct aml *a, size_t mark);
void aml_buffer_close(struct aml *a, size_t mark);

/*
 * A compressed EISA ID as ASL's EisaId() makes it ("PNP0A03" ->
 * 0x030AD041): three letters "A"-"Z" then four hex digits.  Returns -EINVAL
 * for anything else.  aml_eisaid() writes it as a DWord integer.
 */
int aml_eisaid_encode(const char *id, uint32_t *out);
void aml_eisaid(struct aml *a, const char *id);

/*
 * Resource templates (ACPI 6.4 6.4, "Resource Data Types for ACPI"): a
 * Buffer of descriptors ending in an End Tag.  Between open and close,
 * add descriptors with the aml_res_* calls.
 */
size_t aml_res_open(struct aml *a);
void aml_res_close(struct aml *a, size_t mark);

/* IO(Decode16, min, max, align, len): ports a device decodes. */
void aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align,
		uint8_t len);
/* IRQNoFlags() { irq }: an ISA IRQ, edge-triggered, active high. */
void aml_res_irq(struct aml *a, unsigned int irq);
/*
 * Windows a bridge passes on to its children (ResourceProducer, MinFixed,
 * MaxFixed, PosDecode, granularity 0, no translation): bus numbers, I/O
 * ports (EntireRange) and 32-bit memory (Cacheable, ReadWrite).
 */
void aml_res_bus_window(struct aml *a, uint16_t min, uint16_t max);
void aml_res_io_window(struct aml *a, uint16_t min, uint16_t max);
void aml_res_mem32_window(struct aml *a, uint32_t min, uint32_t max);

#endif /* VIREO_ACPI_AML_H */
