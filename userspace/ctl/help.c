// SPDX-License-Identifier: GPL-2.0
/* vmctl help: the commands, one command's usage, or the man page. */
#include <stdio.h>
#include <string.h>

#include "vmctl.h"

int vmctl_cmd_help(struct vmctl *ctl, int argc, char **argv)
{
	const struct vmctl_cmd *cmd;

	if (argc == 1) {
		vmctl_usage(stdout);
		return VMCTL_OK;
	}
	if (argc != 2)
		return vmctl_usage_err(ctl, "help [COMMAND | --man]");
	if (!strcmp(argv[1], "--man")) {
		vmctl_man(stdout);
		return VMCTL_OK;
	}
	cmd = vmctl_find_cmd(argv[1]);
	if (!cmd) {
		vmctl_err("no command %s (see `vmctl --help`)", argv[1]);
		return VMCTL_USAGE;
	}
	vmctl_cmd_usage(stdout, cmd);
	return VMCTL_OK;
}
