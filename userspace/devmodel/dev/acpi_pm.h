/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What dev/acpi_pm.c offers other files: events for the SCI (the control
 * socket's power button, future hotplug GPEs) and the reset control
 * register at 0xCF9, whose port dev/pci_host.c owns (see there why).
 * Each takes the PM device's lock: call them from any thread holding no
 * lock but another device's (the PCI host bridge's, for 0xCF9).
 */
#ifndef VIREO_DEV_ACPI_PM_H
#define VIREO_DEV_ACPI_PM_H

#include <stdint.h>

struct machine;

#include <stdbool.h>

/* Press the ACPI fixed power button: PWRBTN_STS, and the SCI if enabled. */
void acpi_pm_power_button(struct machine *m);
/*
 * Would the guest hear it: has an ACPI OS taken the PM registers over (it
 * wrote PM1_EN since the last reset)?  A ROM, or an OS without ACPI,
 * never does.  False without an ACPI PM device.
 */
bool acpi_pm_power_button_enabled(struct machine *m);

/* Set general-purpose event status bit gpe (0-15) of GPE0. */
void acpi_pm_gpe_raise(struct machine *m, unsigned int gpe);

/*
 * The reset control register at PC_RESET_PORT (ICH10 datasheet 13.7.5
 * "RST_CNT"; PIIX4's "RC"): a byte write with bit 2 (RST_CPU) set resets
 * the machine (exit status EXIT_CODE_RESET); bits 1 (SYS_RST) and 3
 * (FULL_RST) read back as written.
 */
uint8_t pc_reset_port_read(struct machine *m);
void pc_reset_port_write(struct machine *m, uint8_t value);

#endif /* VIREO_DEV_ACPI_PM_H */
