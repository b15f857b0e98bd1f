// SPDX-License-Identifier: GPL-2.0
/*
 * The FADT (signature "FACP"): ACPI 6.4 5.2.9.
 *
 * Revision 6 with minor version 4, the ACPI 6.4 layout (276 bytes).  Linux's
 * ACPICA has known this layout since 2015 (Linux 4.2); another guest reads
 * the fields it knows and ignores the rest, since every field keeps its
 * offset across revisions.  Nothing here is hardware-reduced: the PC has
 * the fixed PM1a/PM timer/GPE0 registers of the PIIX4/ICH kind.
 *
 * The hardware is in ACPI mode from reset (SCI_EN reads 1), so SMI_CMD,
 * ACPI_ENABLE and ACPI_DISABLE are 0 and the OS never hands over through
 * an SMI (ACPI 6.4 4.8, "Legacy/ACPI Select and the SCI Interrupt").
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "../pc_layout.h"
#include "acpi_tables.h"

struct acpi_fadt {
	struct acpi_table_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;		/* ACPI 1.0 INT_MODEL */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));
static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "ACPI 6.4 5.2.9");
static_assert(offsetof(struct acpi_fadt, pm1_evt_len) == 88, "ACPI 6.4 5.2.9");
static_assert(offsetof(struct acpi_fadt, century) == 108, "ACPI 6.4 5.2.9");
static_assert(offsetof(struct acpi_fadt, flags) == 112, "ACPI 6.4 5.2.9");
static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "ACPI 6.4 5.2.9");
static_assert(offsetof(struct acpi_fadt, x_gpe0_blk) == 220, "ACPI 6.4 5.2.9");
static_assert(sizeof(struct acpi_fadt) == 276, "ACPI 6.4 5.2.9");

#define FADT_REVISION		6
#define FADT_MINOR_VERSION	4

/* Register block lengths in bytes (ACPI 6.4 4.8, ACPI Register Model). */
#define PM1_EVT_LEN		4	/* PM1_STS, PM1_EN: 16 bits each */
#define PM1_CNT_LEN		2
#define PM_TMR_LEN		4
#define GPE0_BLK_LEN		4	/* GPE0_STS, GPE0_EN: 16 GPEs */

/* ACPI 6.4 5.2.9.3, IA-PC Boot Architecture Flags. */
#define BOOT_LEGACY_DEVICES	(1 << 0)	/* COM1, RTC: ISA devices */
#define BOOT_8042		(1 << 1)
#define BOOT_VGA_NOT_PRESENT	(1 << 2)

/* ACPI 6.4 5.2.9, Fixed ACPI Description Table Fixed Feature Flags. */
#define FLAG_WBINVD		(1 << 0)
#define FLAG_PROC_C1		(1 << 2)
#define FLAG_SLP_BUTTON		(1 << 5)	/* sleep button: none */
#define FLAG_FIX_RTC		(1 << 6)	/* no RTC_STS in PM1 */
#define FLAG_RESET_REG_SUP	(1 << 10)

/* Latencies past these limits say C2/C3 are not supported (5.2.9). */
#define P_LVL2_LAT_NONE		101
#define P_LVL3_LAT_NONE		1001

/* The CMOS index of the century byte (the MC146818's RAM at 0x32). */
#define CMOS_CENTURY		0x32

/* Vendor identity in the ACPI 6.0 hypervisor field: "Vireo" in ASCII. */
#define FADT_HYPERVISOR_ID	0x6f65726956ULL

/*
 * A system-I/O register block of len bytes.  bit_width must be 8 * len, or
 * ACPICA warns and rewrites it; access_size tells the width of one access.
 */
static struct acpi_gas io_block(uint16_t port, unsigned int len,
				uint8_t access_size)
{
	return (struct acpi_gas){
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = 8 * len,
		.access_size = access_size,
		.address = port,
	};
}

static void fadt_fill_pm(struct acpi_fadt *f)
{
	f->sci_int = PC_ACPI_SCI_IRQ;
	f->pm1a_evt_blk = PC_ACPI_PM1A_EVT;
	f->pm1a_cnt_blk = PC_ACPI_PM1A_CNT;
	f->pm_tmr_blk = PC_ACPI_PM_TMR;
	f->gpe0_blk = PC_ACPI_GPE0;
	f->pm1_evt_len = PM1_EVT_LEN;
	f->pm1_cnt_len = PM1_CNT_LEN;
	f->pm_tmr_len = PM_TMR_LEN;
	f->gpe0_blk_len = GPE0_BLK_LEN;
	/*
	 * The same blocks as generic addresses; they must agree with the
	 * 32-bit fields or ACPICA warns of a mismatch.  PM1 status and
	 * enable are 16-bit registers, the timer is read 32 bits at a
	 * time, GPE registers are bytes (ACPI 6.4 4.8).
	 */
	f->x_pm1a_evt_blk = io_block(PC_ACPI_PM1A_EVT, PM1_EVT_LEN,
				     ACPI_GAS_ACCESS_WORD);
	f->x_pm1a_cnt_blk = io_block(PC_ACPI_PM1A_CNT, PM1_CNT_LEN,
				     ACPI_GAS_ACCESS_WORD);
	f->x_pm_tmr_blk = io_block(PC_ACPI_PM_TMR, PM_TMR_LEN,
				   ACPI_GAS_ACCESS_DWORD);
	f->x_gpe0_blk = io_block(PC_ACPI_GPE0, GPE0_BLK_LEN,
				 ACPI_GAS_ACCESS_BYTE);
}

/*
 * WBINVD works and C1 is HLT; there is no sleep button, but the fixed
 * power button (PM1 PWRBTN_STS/EN) is there for a host-requested
 * shutdown.  TMR_VAL_EXT stays clear: the PM timer is 24 bits.  RTC_STS
 * is not implemented, so FIX_RTC is set and the OS uses the RTC's IRQ 8
 * for alarms.  The reset register is the PC's 0xCF9 (Reset Control).
 *
 * IA-PC boot flags: ISA devices and an 8042 are there and there is no VGA;
 * "CMOS RTC not present" stays clear, there is one.  Linux honours both
 * the 8042 bit and VGA Not Present.  MSI stays allowed.
 */
static void fadt_fill_features(struct acpi_fadt *f)
{
	f->preferred_pm_profile = 0;	/* unspecified */
	f->p_lvl2_lat = P_LVL2_LAT_NONE;
	f->p_lvl3_lat = P_LVL3_LAT_NONE;
	f->century = CMOS_CENTURY;
	f->iapc_boot_arch = BOOT_LEGACY_DEVICES | BOOT_8042 |
			    BOOT_VGA_NOT_PRESENT;
	f->flags = FLAG_WBINVD | FLAG_PROC_C1 | FLAG_SLP_BUTTON |
		   FLAG_FIX_RTC | FLAG_RESET_REG_SUP;
	f->reset_reg = io_block(PC_RESET_PORT, 1, ACPI_GAS_ACCESS_BYTE);
	f->reset_value = PC_RESET_VALUE;
	f->hypervisor_vendor_id = FADT_HYPERVISOR_ID;
}

/*
 * ACPI 6.4 5.2.9 allows only one of FIRMWARE_CTRL and X_FIRMWARE_CTRL to
 * be non-zero; the FACS is below 4 GiB, so it goes in the 32-bit field
 * every OS reads.  The DSDT may be given in both (X_DSDT wins).
 */
int acpi_build_fadt(struct acpi_builder *b, uint64_t facs, uint64_t dsdt,
		    uint64_t *gpa)
{
	struct acpi_fadt *f;

	f = acpi_alloc(b, sizeof(*f), 16, gpa);
	if (!f)
		return -ENOSPC;
	acpi_header_init(&f->header, "FACP", sizeof(*f), FADT_REVISION);
	f->firmware_ctrl = facs;
	f->dsdt = dsdt;
	f->x_dsdt = dsdt;
	fadt_fill_pm(f);
	fadt_fill_features(f);
	f->minor_version = FADT_MINOR_VERSION;
	acpi_header_checksum(&f->header);
	return 0;
}
