/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI tables of the emulated PC (ACPI 6.4 5.2), built once at start
 * into guest RAM, normally [PC_ACPI_START, PC_BIOS_END):
 *
 *   RSDP (at the start) -> RSDT, XSDT -> FADT, MADT
 *   FADT -> FACS, DSDT
 *
 * They describe what pc_layout.h fixes: the local APICs (one per vCPU,
 * APIC IDs 0..nr_cpus-1), the IOAPIC, the PM1a/PM timer/GPE0 registers
 * with the SCI, S5 (soft off), the reset register, and in the DSDT the
 * PCI host bridge with its windows and _PRT, COM1, the RTC and the 8042.
 */
#ifndef VIREO_ACPI_H
#define VIREO_ACPI_H

#include <stdint.h>

#define ACPI_MAX_CPUS	64

struct acpi_config {
	unsigned int nr_cpus;	/* 1..ACPI_MAX_CPUS */
};

/*
 * Write the tables into mem, the host view of guest-physical
 * [gpa_start, gpa_start + size).  The RSDP is at gpa_start itself, so a
 * guest that scans 0xE0000-0xFFFFF for "RSD PTR " (ACPI 6.4 5.2.5.1) finds
 * it when gpa_start is in that range; the boot protocol may pass
 * gpa_start too (boot_params.acpi_rsdp_addr).  acpi_build() zeroes the
 * whole region first.
 *
 * Returns the number of bytes used from gpa_start (tables and padding;
 * the caller reserves at least that much in the e820 map), or:
 *   -EINVAL  mem or cfg NULL, nr_cpus out of range, gpa_start not 16-byte
 *            aligned, or the region not below 4 GiB (the RSDT and several
 *            FADT fields hold 32-bit addresses);
 *   -ENOSPC  the tables do not fit in size bytes (mem is left zeroed).
 * Nothing outside [mem, mem + size) is touched.
 */
int acpi_build(uint8_t *mem, uint64_t gpa_start, uint64_t size,
	       const struct acpi_config *cfg);

#endif /* VIREO_ACPI_H */
