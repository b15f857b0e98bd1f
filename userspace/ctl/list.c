// SPDX-License-Identifier: GPL-2.0
/* vmctl list: the VMs of the root, by name. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "vmctl.h"

int vmctl_cmd_list(struct vmctl *ctl, int argc, char **argv)
{
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	struct json_object *arr = json ? json_object_new_array() : NULL;
	char dir[PATH_MAX];
	unsigned int nr, i;
	char **names;
	int status = VMCTL_OK;

	if (argc > 2 || (argc == 2 && !json))
		return vmctl_usage_err(ctl, "list: %s: unexpected", argv[1]);
	names = vmctl_vm_names(ctl->root, &nr);
	for (i = 0; i < nr; i++) {
		struct vm_settings s;
		int r;

		if (snprintf(dir, sizeof(dir), "%s/%s", ctl->root,
			     names[i]) >= (int)sizeof(dir))
			continue;
		r = vmctl_load_vm(dir, names[i], &s);
		if (r == VMCTL_NO_VM)
			continue;	/* a folder, not a VM */
		if (r != VMCTL_OK) {
			/* Listed, so that it can be mended or deleted. */
			status = VMCTL_FAILED;
			if (!json)
				printf("%-24s (unreadable settings)\n",
				       names[i]);
			continue;
		}
		if (json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "name",
					       json_object_new_string(s.name));
			json_object_object_add(o, "uuid",
					       json_object_new_string(s.uuid));
			json_object_object_add(o, "cpus",
					       json_object_new_int(s.cpus));
			json_object_object_add(o, "memory",
					       json_object_new_int64(s.memory));
			json_object_array_add(arr, o);
		} else {
			printf("%-24s %s\n", s.name, s.uuid);
		}
		settings_free(&s);
	}
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(arr,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	}
	return status;
}
