// SPDX-License-Identifier: GPL-2.0
/* Requests of the VM's owner (requests.h). */
#include <errno.h>

#include "dev/acpi_pm.h"
#include "exitcodes.h"
#include "pause.h"
#include "requests.h"

int vm_power_button(struct machine *m)
{
	int err = 0;

	if (!acpi_pm_power_button_enabled(m))
		return -EAGAIN;
	/* No pause comes between the resume and the press. */
	pthread_mutex_lock(&m->run_lock);
	if (machine_is_paused(m))
		err = machine_resume_vm_locked(m);
	if (err && err != -EALREADY) {
		/* It cannot run on: it cannot shut down either. */
		machine_request_exit(m, EXIT_CODE_HOST);
	} else {
		acpi_pm_power_button(m);
		err = 0;
	}
	pthread_mutex_unlock(&m->run_lock);
	return err;
}
