// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl pause, resume and reset: one request each to the VM process
 * (docs/control-protocol.md).  A pause stops its vCPUs, the guest's time
 * and its devices, a resume starts them again; a reset is the machine's,
 * as its reset button would do it.
 */
#include <limits.h>
#include <stdio.h>

#include "vmctl.h"

static int simple_request(struct vmctl *ctl, int argc, char **argv,
			   const char *request, const char *done)
{
	char dir[PATH_MAX];
	struct vm_settings s;
	struct vm_run r;
	int status;

	if (argc != 2 || argv[1][0] == '-')
		return vmctl_usage_err(ctl, "%s VM", request);
	status = vmctl_find_running(ctl, argv[1], dir, sizeof(dir), &s, &r);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_request(&s, &r, request);
	if (status == VMCTL_OK)
		printf("%s %s\n", s.name, done);
	settings_free(&s);
	return status;
}

int vmctl_cmd_pause(struct vmctl *ctl, int argc, char **argv)
{
	return simple_request(ctl, argc, argv, "pause", "paused");
}

int vmctl_cmd_resume(struct vmctl *ctl, int argc, char **argv)
{
	return simple_request(ctl, argc, argv, "resume", "resumed");
}

int vmctl_cmd_reset(struct vmctl *ctl, int argc, char **argv)
{
	return simple_request(ctl, argc, argv, "reset", "reset");
}
