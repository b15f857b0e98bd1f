// SPDX-License-Identifier: GPL-2.0
/* vmctl reset: the machine's reset, as the guest's own reboot does it. */
#include <limits.h>
#include <stdio.h>

#include "vmctl.h"

int vmctl_cmd_reset(struct vmctl *ctl, int argc, char **argv)
{
	char dir[PATH_MAX];
	struct vm_settings s;
	struct vm_run r;
	int status;

	if (argc != 2 || argv[1][0] == '-')
		return vmctl_usage_err(ctl, "reset VM");
	status = vmctl_find_running(ctl, argv[1], dir, sizeof(dir), &s, &r);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_request(&s, &r, "reset");
	if (status == VMCTL_OK)
		printf("%s reset\n", s.name);
	settings_free(&s);
	return status;
}
