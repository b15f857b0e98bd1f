// SPDX-License-Identifier: GPL-2.0
/* vmctl show: one VM's settings, as text or as the file itself. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "vmctl.h"

static void line(const char *key, const char *value)
{
	if (value)
		printf("%-10s %s\n", key, value);
}

int vmctl_cmd_show(struct vmctl *ctl, int argc, char **argv)
{
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	char dir[PATH_MAX];
	struct vm_settings s;
	unsigned int i;
	int status;

	if (argc < 2 || argv[1][0] == '-' || argc > 3 || (argc == 3 && !json))
		return vmctl_usage_err(ctl, "show VM [--json]");
	status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	if (status != VMCTL_OK)
		return status;
	if (json) {
		const char *text = settings_json(&s);

		if (text)
			printf("%s\n", text);
		else
			status = VMCTL_FAILED;
	} else {
		line("name", s.name);
		line("uuid", s.uuid);
		line("folder", dir);
		printf("%-10s %u\n", "cpus", s.cpus);
		printf("%-10s %lluM\n", "memory",
		       (unsigned long long)(s.memory >> 20));
		line("kernel", s.kernel);
		line("initrd", s.initrd);
		line("append", s.append);
		line("rom", s.rom);
		for (i = 0; i < s.nr_devices; i++)
			line("device", s.devices[i]);
		if (s.version > SETTINGS_VERSION)
			printf("%-10s %u (a newer Vireo's: read only)\n",
			       "format", s.version);
	}
	settings_free(&s);
	return status;
}
