/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where things sit in the emulated PC when vireo-vm boots a kernel
 * directly (--kernel).  One table so the boot loaders, the ACPI tables
 * and the devices agree; the guest learns all of it from the e820 map and
 * the ACPI tables, never from these numbers.
 *
 * Guest-physical:
 *   [0, 0x1000)            real-mode IVT and BIOS data area (reserved)
 *   PC_BOOT_PARAMS         Linux boot_params ("zero page")
 *   PC_CMDLINE             kernel command line (PC_CMDLINE_MAX bytes)
 *   PC_MB_INFO             Multiboot information and its strings
 *   [0x9FC00, 0xA0000)     EBDA (reserved)
 *   [0xA0000, 0xE0000)     VGA hole and option ROMs: MMIO, no RAM slot
 *   [0xE0000, 0x100000)    BIOS area in RAM, reserved in e820: ACPI tables
 *                          (the RSDP must be in 0xE0000-0xFFFFF, ACPI 6.4
 *                          5.2.5.1)
 *   [1 MiB, ...)           RAM: kernel, initrd at the top of low RAM
 *   [PC_PCI_HOLE, 4 GiB)   PCI MMIO window, IOAPIC, LAPIC; RAM beyond
 *                          PC_PCI_HOLE is moved above 4 GiB
 */
#ifndef VIREO_PC_LAYOUT_H
#define VIREO_PC_LAYOUT_H

#define PC_BOOT_PARAMS		0x7000ULL
#define PC_CMDLINE		0x20000ULL
#define PC_CMDLINE_MAX		0x10000ULL
#define PC_MB_INFO		0x30000ULL
#define PC_EBDA_START		0x9fc00ULL
#define PC_OPTION_ROM_START	0xc0000ULL	/* adapter ROMs: none here */
#define PC_OPTION_ROM_END	0xe0000ULL
#define PC_BIOS_START		0xe0000ULL
#define PC_BIOS_END		0x100000ULL
#define PC_ACPI_START		PC_BIOS_START	/* RSDP first, then tables */
#define PC_KERNEL_START		0x100000ULL
#define PC_PCI_HOLE		0xc0000000ULL
#define PC_HIGH_RAM_START	0x100000000ULL

#define PC_IOAPIC_BASE		0xfec00000ULL
#define PC_IOAPIC_ID		0	/* as QEMU; a namespace apart from LAPIC IDs */
#define PC_IOAPIC_PINS		24
#define PC_LAPIC_BASE		0xfee00000ULL

/* Ports. */
#define PC_PIC_MASTER		0x20
#define PC_PIC_SLAVE		0xa0
#define PC_PIT			0x40	/* 0x40-0x43 */
#define PC_PORT61		0x61	/* NMI status and control / speaker */
#define PC_I8042_DATA		0x60
#define PC_I8042_CMD		0x64
#define PC_RTC			0x70	/* 0x70-0x71 */
#define PC_COM1			0x3f8
#define PC_DEBUG_EXIT		0xf4
#define PC_PCI_CONFIG		0xcf8	/* 0xCF8 address, 0xCFC-0xCFF data */
#define PC_RESET_PORT		0xcf9	/* write 0x06: hard reset */
#define PC_RESET_VALUE		0x06
#define PC_ACPI_PM1A_EVT	0x600	/* 4 bytes: PM1 status, PM1 enable */
#define PC_ACPI_PM1A_CNT	0x604	/* 2 bytes */
#define PC_ACPI_PM_TMR		0x608	/* 4 bytes, 24-bit counter */
#define PC_ACPI_GPE0		0x620	/* 4 bytes: GPE0 status, GPE0 enable */
#define PC_ACPI_SCI_IRQ		9
#define PC_ACPI_S5_TYP		5	/* SLP_TYP for S5 in PM1_CNT, _S5_ */
#define PC_ACPI_PM_TMR_HZ	3579545	/* ACPI 6.4 4.8.3.3 */

/* ISA IRQs of the legacy devices. */
#define PC_IRQ_PIT		0	/* IOAPIC pin 2 (MADT override) */
#define PC_IRQ_KBD		1
#define PC_IRQ_COM1		4
#define PC_IRQ_RTC		8

#endif /* VIREO_PC_LAYOUT_H */
