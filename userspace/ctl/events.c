// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl events: the VM's state changes as they happen, one a line (the
 * state now first), until the VM process ends.  Text: the state ("running",
 * "paused", "reset", "stopping STATUS"); --json: the protocol's event
 * objects (docs/control-protocol.md), the first with "initial": true.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vmctl.h"

static void print_event(struct json_object *e, bool json)
{
	struct json_object *v;

	if (json) {
		printf("%s\n", json_object_to_json_string_ext(e,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		printf("%s", json_object_object_get_ex(e, "state", &v) ?
		       json_object_get_string(v) : "?");
		if (json_object_object_get_ex(e, "status", &v))
			printf(" %d", json_object_get_int(v));
		printf("\n");
	}
	fflush(stdout);
}

int vmctl_cmd_events(struct vmctl *ctl, int argc, char **argv)
{
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	struct json_object *a = NULL, *e, *v;
	struct vmctl_conn c;
	char dir[PATH_MAX];
	struct vm_settings s;
	struct vm_run r;
	int status;

	if (argc < 2 || argv[1][0] == '-' || argc > 3 || (argc == 3 && !json))
		return vmctl_usage_err(ctl, "events VM [--json]");
	status = vmctl_find_running(ctl, argv[1], dir, sizeof(dir), &s, &r);
	if (status != VMCTL_OK)
		return status;
	if (!vmctl_connect(&r, &c, VMCTL_ANSWER_MS) &&
	    !vmctl_conn_send(&c, "subscribe", VMCTL_ANSWER_MS))
		a = vmctl_conn_answer(&c, VMCTL_ANSWER_MS);
	if (!vmctl_answer_ok(a)) {
		vmctl_err("%s does not answer on %s", s.name, r.socket_path);
		json_object_put(a);
		vmctl_conn_close(&c);
		settings_free(&s);
		return VMCTL_FAILED;
	}
	e = json_object_new_object();
	json_object_object_add(e, "event", json_object_new_string("state"));
	json_object_object_add(e, "state", json_object_get(
		json_object_object_get_ex(a, "state", &v) ? v : NULL));
	json_object_object_add(e, "initial", json_object_new_boolean(true));
	print_event(e, json);
	json_object_put(e);
	json_object_put(a);
	/* Until the VM process ends (EOF): events may be hours apart. */
	for (;;) {
		e = vmctl_conn_next(&c, VMCTL_FOREVER);
		if (!e)
			break;
		if (json_object_object_get_ex(e, "event", &v))
			print_event(e, json);
		json_object_put(e);
	}
	vmctl_conn_close(&c);
	settings_free(&s);
	return VMCTL_OK;
}
