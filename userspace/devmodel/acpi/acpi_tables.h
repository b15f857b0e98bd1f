/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the ACPI table builder: the table layouts (ACPI 6.4 5.2), the
 * space allocator over the guest region, and one builder per table.
 * Fields are little-endian like the host (x86 only).
 */
#ifndef VIREO_ACPI_TABLES_H
#define VIREO_ACPI_TABLES_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"

#define ACPI_OEM_ID		"VIREO "	/* 6 characters */
#define ACPI_OEM_TABLE_ID	"VIREOPC "	/* 8: the machine model */
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"VIRO"	/* 4: this builder */
#define ACPI_CREATOR_REVISION	1

/* ACPI 6.4 5.2.6, System Description Table Header. */
struct acpi_table_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));
static_assert(sizeof(struct acpi_table_header) == 36, "ACPI 6.4 5.2.6");

/* ACPI 6.4 5.2.3.2, Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));
static_assert(sizeof(struct acpi_gas) == 12, "ACPI 6.4 5.2.3.2");

#define ACPI_GAS_SYSTEM_IO	1
#define ACPI_GAS_ACCESS_BYTE	1
#define ACPI_GAS_ACCESS_WORD	2
#define ACPI_GAS_ACCESS_DWORD	3

/* The region being filled: mem[0] is guest-physical gpa. */
struct acpi_builder {
	uint8_t *mem;
	uint64_t gpa;
	uint64_t size;
	uint64_t used;
};

/*
 * Take len bytes at the next multiple of align (a power of two); returns
 * the host pointer and sets *gpa, or NULL when they do not fit.  The
 * region is zeroed before building starts.
 */
void *acpi_alloc(struct acpi_builder *b, uint64_t len, uint64_t align,
		 uint64_t *gpa);
/* Where acpi_alloc(b, ?, align) would put a table, and the room there. */
void *acpi_peek(struct acpi_builder *b, uint64_t align, uint64_t *room);

/* The byte that makes len bytes at p sum to zero, counting it as 0. */
uint8_t acpi_checksum(const void *p, size_t len);
/* Fill h with signature, length, revision and our IDs; checksum 0. */
void acpi_header_init(struct acpi_table_header *h, const char *signature,
		      uint32_t length, uint8_t revision);
/* Set the header checksum over h->length bytes (last, once filled). */
void acpi_header_checksum(struct acpi_table_header *h);

/*
 * Each builder sets *gpa to its table and returns 0, or -ENOSPC (-EINVAL
 * only for a bug in what the DSDT asks of the AML writer).
 */
int acpi_build_fadt(struct acpi_builder *b, uint64_t facs, uint64_t dsdt,
		    uint64_t *gpa);
int acpi_build_madt(struct acpi_builder *b, const struct acpi_config *cfg,
		    uint64_t *gpa);
int acpi_build_dsdt(struct acpi_builder *b, const struct acpi_config *cfg,
		    uint64_t *gpa);

#endif /* VIREO_ACPI_TABLES_H */
