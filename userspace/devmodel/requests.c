// SPDX-License-Identifier: GPL-2.0
/* Requests of the VM's owner (requests.h). */
#include <errno.h>

#include "dev/acpi_pm.h"
#include "pause.h"
#include "requests.h"

int vm_power_button(struct machine *m)
{
	if (!acpi_pm_power_button_enabled(m))
		return -EAGAIN;
	if (machine_is_paused(m))
		machine_resume_vm(m);
	acpi_pm_power_button(m);
	return 0;
}
