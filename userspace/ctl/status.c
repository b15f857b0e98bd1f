// SPDX-License-Identifier: GPL-2.0
/* vmctl status: a VM's run state, from its files and its control socket. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vmctl.h"

int vmctl_cmd_status(struct vmctl *ctl, int argc, char **argv)
{
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	struct json_object *ans = NULL, *o, *v;
	char dir[PATH_MAX];
	struct vm_settings s;
	struct vm_run r;
	int status;

	if (argc < 2 || argv[1][0] == '-' || argc > 3 || (argc == 3 && !json))
		return vmctl_usage_err(ctl, "status VM [--json]");
	status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_vm_run(&s, dir, &r);
	if (status == VMCTL_OK && r.state == VM_RUNNING) {
		ans = vmctl_ask(&r, "status");
		if (ans && json_object_object_get_ex(ans, "state", &v) &&
		    json_object_is_type(v, json_type_string) &&
		    !strcmp(json_object_get_string(v), "paused"))
			r.state = VM_PAUSED;
	}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(s.name));
	json_object_object_add(o, "uuid", json_object_new_string(s.uuid));
	json_object_object_add(o, "state", json_object_new_string(
				       vmctl_state_name(r.state)));
	if (r.state == VM_RUNNING || r.state == VM_PAUSED)
		json_object_object_add(o, "pid", json_object_new_int(r.pid));
	if (ans && json_object_object_get_ex(ans, "uptime_ms", &v))
		json_object_object_add(o, "uptime_ms", json_object_get(v));
	json_object_object_add(o, "vcpus", json_object_new_int(s.cpus));
	json_object_object_add(o, "memory", json_object_new_int64(s.memory));
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		printf("%-8s %s\n%-8s %s\n", "name", s.name, "state",
		       vmctl_state_name(r.state));
		if (json_object_object_get_ex(o, "pid", &v))
			printf("%-8s %d\n", "pid", json_object_get_int(v));
		if (json_object_object_get_ex(o, "uptime_ms", &v))
			printf("%-8s %lld s\n", "uptime",
			       (long long)json_object_get_int64(v) / 1000);
		printf("%-8s %u\n%-8s %lluM\n", "vcpus", s.cpus, "memory",
		       (unsigned long long)(s.memory >> 20));
	}
	json_object_put(o);
	json_object_put(ans);
	settings_free(&s);
	return status;
}
