/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the VM's owner may ask of a running VM, from any thread but a
 * vCPU's or the device loop's: the control socket's requests and the
 * signals vireo-vm heeds go through these, so both behave alike.
 */
#ifndef VIREO_REQUESTS_H
#define VIREO_REQUESTS_H

#include "machine.h"

/*
 * The ACPI power button, for the guest to shut down: 0 when pressed;
 * -EAGAIN, not pressed, when no ACPI OS runs to hear it (a ROM, an OS
 * without ACPI, or one not that far in its boot).  A paused VM
 * is resumed first, since a paused guest cannot act on it.
 */
int vm_power_button(struct machine *m);

#endif /* VIREO_REQUESTS_H */
