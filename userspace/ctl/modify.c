// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl modify: the VM's settings, changed, checked whole, then written
 * atomically; on any error the file stays as it was.
 */
#include <limits.h>
#include <stdio.h>

#include "vmctl.h"

int vmctl_cmd_modify(struct vmctl *ctl, int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX], why[512];
	struct vm_settings s;
	int status;

	if (argc < 2 || argv[1][0] == '-')
		return vmctl_usage_err(ctl, "modify: the VM first");
	if (argc == 2)
		return vmctl_usage_err(ctl, "modify %s: nothing to change",
				       argv[1]);
	/* Read under the lock, so no other vmctl writes in between. */
	status = vmctl_lock(ctl, false);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	if (status != VMCTL_OK)
		return status;
	if (s.version > SETTINGS_VERSION) {
		vmctl_err("%s was written by a newer Vireo (settings format %u): modify it with that one",
			  s.name, s.version);
		status = VMCTL_FAILED;
		goto out;
	}
	status = vmctl_not_running(ctl, &s, dir);
	if (status == VMCTL_OK)
		status = vmctl_parse_vm_options(ctl, argc - 1, argv + 1, &s,
						false);
	if (status != VMCTL_OK)
		goto out;
	vmctl_settings_path(dir, path, sizeof(path));
	if (settings_save(path, &s, why, sizeof(why))) {
		vmctl_err("%s", why);
		status = VMCTL_FAILED;
	}
out:
	settings_free(&s);
	return status;
}
