// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI table builder: lays the tables out in the guest region, and
 * writes the ones that only point at others (RSDP, RSDT, XSDT) and the
 * FACS.  The FADT, MADT and DSDT have files of their own.
 *
 * Layout from gpa_start: RSDP, FACS (64-byte aligned), DSDT, FADT, MADT,
 * RSDT, XSDT, each 16-byte aligned.
 */
#include <errno.h>
#include <string.h>

#include "acpi_tables.h"

/* ACPI 6.4 5.2.5.3, Root System Description Pointer (revision 2). */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;		/* over the ACPI 1.0 part: 20 bytes */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));
static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 6.4 5.2.5.3");

#define ACPI_RSDP_V1_LEN	20
#define ACPI_RSDP_REVISION	2	/* ACPI 2.0 on: with the XSDT */

/* ACPI 6.4 5.2.10, Firmware ACPI Control Structure. */
struct acpi_facs {
	char signature[4];
	uint32_t length;
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} __attribute__((packed));
static_assert(sizeof(struct acpi_facs) == 64, "ACPI 6.4 5.2.10");

#define ACPI_FACS_ALIGN		64	/* ACPI 6.4 5.2.10 */
#define ACPI_FACS_VERSION	2
#define ACPI_TABLE_ALIGN	16
/* Both RSDT (5.2.7) and XSDT (5.2.8) are revision 1. */
#define ACPI_RSDT_REVISION	1
#define ACPI_XSDT_REVISION	1

/* The RSDT, the FADT's FIRMWARE_CTRL and DSDT hold 32-bit addresses. */
#define ACPI_ADDR_LIMIT		(1ULL << 32)

enum { ACPI_NR_TABLES = 2 };	/* in the RSDT/XSDT: FADT, MADT */

void *acpi_peek(struct acpi_builder *b, uint64_t align, uint64_t *room)
{
	uint64_t at = (b->used + align - 1) & ~(align - 1);

	*room = at < b->size ? b->size - at : 0;
	return b->mem + (at < b->size ? at : b->size);
}

void *acpi_alloc(struct acpi_builder *b, uint64_t len, uint64_t align,
		 uint64_t *gpa)
{
	uint64_t room;
	void *p = acpi_peek(b, align, &room);

	if (len > room)
		return NULL;
	b->used = (uint8_t *)p - b->mem + len;
	*gpa = b->gpa + ((uint8_t *)p - b->mem);
	return p;
}

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *s = p;
	uint8_t sum = 0;

	while (len--)
		sum += *s++;
	return -sum;
}

void acpi_header_init(struct acpi_table_header *h, const char *signature,
		      uint32_t length, uint8_t revision)
{
	memcpy(h->signature, signature, sizeof(h->signature));
	h->length = length;
	h->revision = revision;
	h->checksum = 0;
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REVISION;
}

void acpi_header_checksum(struct acpi_table_header *h)
{
	h->checksum = 0;
	h->checksum = acpi_checksum(h, h->length);
}

/*
 * No S4BIOS, no 64-bit wake, no global lock users (the DSDT has no
 * _GL-locked fields): everything but the identity stays zero.
 */
static int acpi_build_facs(struct acpi_builder *b, uint64_t *gpa)
{
	struct acpi_facs *facs;

	facs = acpi_alloc(b, sizeof(*facs), ACPI_FACS_ALIGN, gpa);
	if (!facs)
		return -ENOSPC;
	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = ACPI_FACS_VERSION;
	return 0;
}

/* ACPI 6.4 5.2.7 (RSDT, 32-bit entries) and 5.2.8 (XSDT, 64-bit). */
static int acpi_build_sdt(struct acpi_builder *b, const char *signature,
			  unsigned int entry_size, const uint64_t *tables,
			  uint64_t *gpa)
{
	struct acpi_table_header *h;
	uint32_t len = sizeof(*h) + ACPI_NR_TABLES * entry_size;
	uint8_t *entry;
	int i;

	h = acpi_alloc(b, len, ACPI_TABLE_ALIGN, gpa);
	if (!h)
		return -ENOSPC;
	acpi_header_init(h, signature, len,
			 entry_size == 4 ? ACPI_RSDT_REVISION :
					   ACPI_XSDT_REVISION);
	entry = (uint8_t *)(h + 1);
	for (i = 0; i < ACPI_NR_TABLES; i++, entry += entry_size)
		memcpy(entry, &tables[i], entry_size);
	acpi_header_checksum(h);
	return 0;
}

static void acpi_fill_rsdp(struct acpi_rsdp *rsdp, uint64_t rsdt,
			   uint64_t xsdt)
{
	memcpy(rsdp->signature, "RSD PTR ", sizeof(rsdp->signature));
	memcpy(rsdp->oem_id, ACPI_OEM_ID, sizeof(rsdp->oem_id));
	rsdp->revision = ACPI_RSDP_REVISION;
	rsdp->rsdt_address = rsdt;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = xsdt;
	rsdp->checksum = acpi_checksum(rsdp, ACPI_RSDP_V1_LEN);
	rsdp->extended_checksum = acpi_checksum(rsdp, sizeof(*rsdp));
}

static int acpi_build_all(struct acpi_builder *b,
			  const struct acpi_config *cfg)
{
	uint64_t rsdp_gpa, facs, dsdt, rsdt, xsdt, tables[ACPI_NR_TABLES];
	struct acpi_rsdp *rsdp;
	int ret;

	/* Filled last, so a region without room holds no signature. */
	rsdp = acpi_alloc(b, sizeof(*rsdp), ACPI_TABLE_ALIGN, &rsdp_gpa);
	if (!rsdp)
		return -ENOSPC;
	ret = acpi_build_facs(b, &facs);
	if (!ret)
		ret = acpi_build_dsdt(b, cfg, &dsdt);
	if (!ret)
		ret = acpi_build_fadt(b, facs, dsdt, &tables[0]);
	if (!ret)
		ret = acpi_build_madt(b, cfg, &tables[1]);
	if (!ret)
		ret = acpi_build_sdt(b, "RSDT", 4, tables, &rsdt);
	if (!ret)
		ret = acpi_build_sdt(b, "XSDT", 8, tables, &xsdt);
	if (ret)
		return ret;
	acpi_fill_rsdp(rsdp, rsdt, xsdt);
	return 0;
}

int acpi_build(uint8_t *mem, uint64_t gpa_start, uint64_t size,
	       const struct acpi_config *cfg)
{
	struct acpi_builder b = {
		.mem = mem, .gpa = gpa_start, .size = size, .used = 0,
	};
	int ret;

	if (!mem || !cfg || cfg->nr_cpus < 1 || cfg->nr_cpus > ACPI_MAX_CPUS)
		return -EINVAL;
	/* ACPI 6.4 5.2.5.1: the RSDP sits on a 16-byte boundary. */
	if (gpa_start % 16 || gpa_start >= ACPI_ADDR_LIMIT ||
	    size > ACPI_ADDR_LIMIT - gpa_start)
		return -EINVAL;
	/* Keep the byte count representable in the return value. */
	if (size > INT32_MAX)
		size = b.size = INT32_MAX;

	memset(mem, 0, size);
	ret = acpi_build_all(&b, cfg);
	if (ret) {
		memset(mem, 0, size);
		return ret;
	}
	return b.used;
}
